//! Argument conversion, in the order the reference touches its arguments: that order
//! decides which exception an ill-typed call raises.

use std::borrow::Cow;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyMapping, PyString, PyTuple};

use super::{
    MISSING_KEY, PARAMS_WRONG_TYPE, RAW_BODY_NOT_STR, compat, encode_error, joined_encode_error,
    masked_encode_error,
};

/// A signature text that can never equal an expected signature (which is ASCII): what a
/// signature holding lone surrogates compares as.
const UNMATCHABLE: &str = "\u{FFFD}";

/// `if not signing_key: raise ValueError(...)`.
pub(super) fn require_key(signing_key: &Bound<'_, PyAny>) -> PyResult<()> {
    if signing_key.is_truthy()? {
        Ok(())
    } else {
        Err(PyValueError::new_err(MISSING_KEY))
    }
}

/// A signature as the validators compare it.
pub(super) enum Signature<'a, 'py> {
    /// An exact str (one holding lone surrogates compares as [`UNMATCHABLE`]).
    Text(Cow<'a, str>),
    /// Anything else. The reference compares `str(signature)` at each comparison, after
    /// the expected value is computed, and takes a `TypeError`/`ValueError` from `str()` as
    /// a mismatch: `_compat.signature_matches` does the same, once per comparison.
    Object(&'a Bound<'py, PyAny>),
}

/// `signature is None or signature == ""` gives `None` (the call answers False).
pub(super) fn signature_arg<'a, 'py>(
    signature: &'a Bound<'py, PyAny>,
) -> PyResult<Option<Signature<'a, 'py>>> {
    if signature.is_none() {
        return Ok(None);
    }
    if let Ok(exact) = signature.cast_exact::<PyString>() {
        if exact.is_empty()? {
            return Ok(None);
        }
        return Ok(Some(Signature::Text(match exact.to_str() {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => Cow::Borrowed(UNMATCHABLE),
        })));
    }
    if signature.eq("")? {
        return Ok(None);
    }
    Ok(Some(Signature::Object(signature)))
}

/// `None`/`""` give `None`; anything else as the text `str(sig)` gives once (the key
/// ring's rule, where the reference has no counterpart).
pub(super) fn signature_text<'py>(signature: &Bound<'py, PyAny>) -> PyResult<Option<Cow<'py, str>>> {
    if signature.is_none() {
        return Ok(None);
    }
    let text = match signature.cast_exact::<PyString>() {
        Ok(exact) => exact.clone(),
        Err(_) => {
            if signature.eq("")? {
                return Ok(None);
            }
            signature.str()?
        }
    };
    if text.is_empty()? {
        return Ok(None);
    }
    Ok(Some(match text.to_str() {
        Ok(s) => Cow::Owned(s.to_owned()),
        Err(_) => Cow::Borrowed(UNMATCHABLE),
    }))
}

/// The key's bytes as `signing_key.encode("utf-8")` gives them, for `hmac.new`.
pub(super) fn key_bytes<'a>(signing_key: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(text) = signing_key.cast::<PyString>() {
        return Ok(Cow::Borrowed(key_str(text)?.as_bytes()));
    }
    let py = signing_key.py();
    let encoded = signing_key.call_method1(intern!(py, "encode"), ("utf-8",))?;
    if let Ok(bytes) = encoded.cast::<PyBytes>() {
        Ok(Cow::Owned(bytes.as_bytes().to_vec()))
    } else if let Ok(array) = encoded.cast::<PyByteArray>() {
        Ok(Cow::Owned(array.to_vec()))
    } else {
        let name = encoded.get_type().name()?;
        Err(PyTypeError::new_err(format!(
            "key: expected bytes or bytearray, but got '{name}'"
        )))
    }
}

/// A signing key's text. A key that UTF-8 cannot encode raises the `UnicodeEncodeError`
/// of `signing_key.encode("utf-8")`, masked (see `masked_encode_error`).
pub(super) fn key_str<'a>(key: &'a Bound<'_, PyString>) -> PyResult<&'a str> {
    key.to_str().map_err(|_| masked_encode_error(key))
}

/// Raises the error the reference gets from `url + raw_body` when `url` is not a str.
pub(super) fn url_for_raw_body<'a, 'py>(
    url: &'a Bound<'py, PyAny>,
    raw_body: &Bound<'py, PyString>,
) -> PyResult<&'a Bound<'py, PyString>> {
    match url.cast::<PyString>() {
        Ok(text) => Ok(text),
        Err(_) => {
            url.add(raw_body)?;
            Err(PyTypeError::new_err("url must be a str"))
        }
    }
}

/// The URL next to pre-parsed params: a non-str URL raises what the reference's
/// `urlparse` and `url + ...` raise for it.
pub(super) fn url_for_params<'a, 'py>(
    module: &Bound<'py, PyModule>,
    url: &'a Bound<'py, PyAny>,
) -> PyResult<&'a Bound<'py, PyString>> {
    match url.cast::<PyString>() {
        Ok(text) => Ok(text),
        Err(_) => {
            compat(module, "raise_for_foreign_url")?.call1((url,))?;
            Err(PyTypeError::new_err("url must be a str"))
        }
    }
}

/// A param as Python strs; `None` is the empty value.
type StrPair<'py> = (Bound<'py, PyString>, Option<Bound<'py, PyString>>);

/// Pre-parsed params as `(name, value)` strs in signing order.
pub(super) struct SigningPairs<'py> {
    pairs: Vec<StrPair<'py>>,
    /// Already in Python's order (the `_compat` helper sorted them).
    pub(super) sorted: bool,
}

impl SigningPairs<'_> {
    /// The texts of `(url + concat).encode("utf-8")`, which fails on any lone surrogate:
    /// the URL's first, then each name and value in turn.
    pub(super) fn texts(&self, url: &Bound<'_, PyString>) -> PyResult<Vec<(&str, &str)>> {
        if url.to_str().is_err() {
            return Err(encode_error(url));
        }
        let mut texts = Vec::with_capacity(self.pairs.len());
        for (name, value) in &self.pairs {
            for part in std::iter::once(name).chain(value) {
                if part.to_str().is_err() {
                    return Err(self.concat_encode_error(url));
                }
            }
            texts.push((name.to_str()?, value.as_ref().map_or(Ok(""), |v| v.to_str())?));
        }
        Ok(texts)
    }

    /// The error of `(url + concat).encode("utf-8")` itself, with the pairs in Python's
    /// order (a stable sort by name), so that its position is the reference's.
    fn concat_encode_error(&self, url: &Bound<'_, PyString>) -> PyErr {
        let py = url.py();
        let mut order: Vec<&StrPair<'_>> = self.pairs.iter().collect();
        if !self.sorted {
            let mut failed = None;
            order.sort_by(|(a, _), (b, _)| {
                a.compare(b).unwrap_or_else(|error| {
                    failed.get_or_insert(error);
                    std::cmp::Ordering::Equal
                })
            });
            if let Some(error) = failed {
                return error;
            }
        }
        let empty = PyString::new(py, "");
        let parts = order
            .into_iter()
            .flat_map(|(name, value)| [name.clone(), value.clone().unwrap_or_else(|| empty.clone())]);
        joined_encode_error(std::iter::once(url.clone()).chain(parts))
    }
}

fn exact_str<'py>(obj: &Bound<'py, PyAny>) -> Option<Bound<'py, PyString>> {
    obj.cast_exact::<PyString>().ok().cloned()
}

/// `None` is the empty value; other values must be exact strs for the fast path.
fn fast_value<'py>(value: &Bound<'py, PyAny>) -> Option<Option<Bound<'py, PyString>>> {
    if value.is_none() {
        Some(None)
    } else {
        exact_str(value).map(Some)
    }
}

/// The common shapes (a dict or a list/tuple of 2-tuples, str names, str/None values)
/// without calling back into Python; `None` when anything else is found.
fn fast_pairs<'py>(params: &Bound<'py, PyAny>) -> Option<Vec<StrPair<'py>>> {
    let mut pairs = Vec::new();
    if let Ok(dict) = params.cast_exact::<PyDict>() {
        for (name, value) in dict.iter() {
            let name = exact_str(&name)?;
            let is_sequence =
                value.is_exact_instance_of::<PyList>() || value.is_exact_instance_of::<PyTuple>();
            if is_sequence {
                for item in value.try_iter().ok()? {
                    pairs.push((name.clone(), fast_value(&item.ok()?)?));
                }
            } else {
                pairs.push((name, fast_value(&value)?));
            }
        }
    } else if params.is_exact_instance_of::<PyList>() || params.is_exact_instance_of::<PyTuple>() {
        for item in params.try_iter().ok()? {
            let item = item.ok()?;
            let is_pair = item.is_exact_instance_of::<PyTuple>() || item.is_exact_instance_of::<PyList>();
            if !is_pair || item.len().ok()? != 2 {
                return None;
            }
            pairs.push((
                exact_str(&item.get_item(0).ok()?)?,
                fast_value(&item.get_item(1).ok()?)?,
            ));
        }
    } else {
        return None;
    }
    Some(pairs)
}

/// Converts `params_or_raw_body` when it is not a str, raising what the reference raises.
pub(super) fn signing_pairs<'py>(
    module: &Bound<'py, PyModule>,
    params: &Bound<'py, PyAny>,
) -> PyResult<SigningPairs<'py>> {
    if params.is_none() {
        return Ok(SigningPairs {
            pairs: Vec::new(),
            sorted: true,
        });
    }
    if let Some(pairs) = fast_pairs(params) {
        return Ok(SigningPairs { pairs, sorted: false });
    }
    let accepted = params.cast::<PyMapping>().is_ok()
        || params.is_instance_of::<PyList>()
        || params.is_instance_of::<PyTuple>();
    if !accepted {
        return Err(PyTypeError::new_err(PARAMS_WRONG_TYPE));
    }
    let formatted = compat(module, "signing_pairs")?.call1((params,))?;
    let mut pairs = Vec::new();
    for item in formatted.try_iter()? {
        let (name, value): (Bound<'py, PyString>, Bound<'py, PyString>) = item?.extract()?;
        pairs.push((name, Some(value)));
    }
    Ok(SigningPairs { pairs, sorted: true })
}

/// A body as text: a str, or bytes that are UTF-8.
pub(super) enum BodyText<'a> {
    Text(&'a str),
    /// Bytes that are not UTF-8: such a body cannot be signed.
    NotUtf8,
}

/// A str or bytes body (the key ring's and the middleware's).
pub(super) fn body_text<'a>(body: &'a Bound<'_, PyAny>) -> PyResult<BodyText<'a>> {
    if let Ok(text) = body.cast::<PyString>() {
        return Ok(BodyText::Text(text.to_str()?));
    }
    if let Ok(bytes) = body.cast::<PyBytes>() {
        return Ok(std::str::from_utf8(bytes.as_bytes()).map_or(BodyText::NotUtf8, BodyText::Text));
    }
    Err(PyTypeError::new_err("body must be str or bytes"))
}

/// A str's UTF-8 or a bytes object's bytes, for signing.
pub(super) fn raw_bytes<'a>(body: &'a Bound<'_, PyAny>) -> PyResult<&'a [u8]> {
    if let Ok(text) = body.cast::<PyString>() {
        return Ok(text.to_str()?.as_bytes());
    }
    body.cast::<PyBytes>()
        .map(|bytes| bytes.as_bytes())
        .map_err(|_| PyTypeError::new_err("raw_body must be str or bytes"))
}

/// A body as the validators take it: a str as is, UTF-8 bytes as a str (`None` for other
/// bytes: such a body cannot be signed), anything else the reference's `TypeError`.
fn body_as_pystr<'py>(py: Python<'py>, body: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyString>>> {
    if let Ok(text) = body.cast::<PyString>() {
        return Ok(Some(text.clone()));
    }
    if body.is_instance_of::<PyBytes>() {
        return Ok(match body_text(body)? {
            BodyText::Text(text) => Some(PyString::new(py, text)),
            BodyText::NotUtf8 => None,
        });
    }
    Err(PyTypeError::new_err(RAW_BODY_NOT_STR))
}

/// The key ring's raw-body argument checks, in the reference's order (the body's type, the
/// signature, the URL's type, then the texts), and `work` on the texts; False when the
/// signature is empty or the body bytes are not UTF-8.
pub(super) fn with_texts(
    py: Python<'_>,
    signature: &Bound<'_, PyAny>,
    url: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    work: impl FnOnce(&str, &str, &str) -> PyResult<bool>,
) -> PyResult<bool> {
    let Some(text) = body_as_pystr(py, body)? else {
        return Ok(false);
    };
    let Some(signature) = signature_text(signature)? else {
        return Ok(false);
    };
    let url = url_for_raw_body(url, &text)?;
    work(&signature, url.to_str()?, text.to_str()?)
}
