//! The PyO3 binding: `signalwire.core.security._native`.
//!
//! It converts arguments and maps errors; the validation itself is the core's. Arguments
//! are converted in the order the reference touches them, because that order decides which
//! exception an ill-typed call raises. Types the fast paths do not cover go through small
//! helpers in `_compat.py`, so Python itself applies its own rules (sorting, formatting,
//! unpacking, `urlparse` of non-str URLs).

use std::borrow::Cow;
use std::sync::OnceLock;

use pyo3::exceptions::{PyTypeError, PyUnicodeEncodeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyMapping, PySlice, PyString, PyTuple};

use crate::candidates::candidate_urls;
use crate::form::sort_for_signing;
use crate::scheme::Sha1Key;
use crate::urlsplit::{Dialect, StdUnicode, UnicodeRules, UrlRules};
use crate::{Error, validate};

pub(crate) const MISSING_KEY: &str = "signing_key is required";
pub(crate) const RAW_BODY_NOT_STR: &str = "raw_body must be a str — did you pass parsed JSON by mistake?";
const PARAMS_WRONG_TYPE: &str = "params_or_raw_body must be a str (raw body) or a dict/list of form params";

/// Bodies at least this long are hashed with the GIL released.
const DETACH_THRESHOLD: usize = 64 * 1024;

/// A signature text that can never equal an expected signature (which is ASCII): what a
/// signature holding lone surrogates compares as.
const UNMATCHABLE: &str = "\u{FFFD}";

static DIALECT: OnceLock<Dialect> = OnceLock::new();

/// Unicode answers from the running interpreter, so non-ASCII hosts match the reference
/// even where Rust's Unicode tables are of another version.
struct InterpreterUnicode;

impl UnicodeRules for InterpreterUnicode {
    fn lower(&self, text: &str) -> String {
        Python::attach(|py| {
            PyString::new(py, text)
                .call_method0(intern!(py, "lower"))?
                .extract::<String>()
        })
        .unwrap_or_else(|_| StdUnicode.lower(text))
    }

    fn nfkc(&self, text: &str) -> String {
        static NORMALIZE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        Python::attach(|py| {
            let normalize = NORMALIZE.import(py, "unicodedata", "normalize")?;
            normalize.call1(("NFKC", text))?.extract::<String>()
        })
        .unwrap_or_else(|_| StdUnicode.nfkc(text))
    }
}

pub(crate) fn rules() -> UrlRules<'static> {
    UrlRules {
        dialect: DIALECT.get().copied().unwrap_or(Dialect::CPYTHON_3_11),
        unicode: &InterpreterUnicode,
    }
}

/// The one place core errors become Python exceptions.
pub(crate) fn to_py_err(error: Error) -> PyErr {
    PyValueError::new_err(error.to_string())
}

/// Runs `work` with the GIL released when the input is large enough to be worth it.
pub(crate) fn hash_work<T: Send>(py: Python<'_>, size: usize, work: impl FnOnce() -> T + Send) -> T {
    if size >= DETACH_THRESHOLD {
        py.detach(work)
    } else {
        work()
    }
}

/// `if not signing_key: raise ValueError(...)`.
fn require_key(signing_key: &Bound<'_, PyAny>) -> PyResult<()> {
    if signing_key.is_truthy()? {
        Ok(())
    } else {
        Err(PyValueError::new_err(MISSING_KEY))
    }
}

/// `None`/`""` give `None` (the call answers False); anything else is compared as `str(sig)`.
pub(crate) fn signature_text<'py>(signature: &Bound<'py, PyAny>) -> PyResult<Option<Cow<'py, str>>> {
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
fn key_bytes<'a>(signing_key: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, [u8]>> {
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

/// Raises the error the reference gets from `url + raw_body` when `url` is not a str.
pub(crate) fn url_for_raw_body<'a, 'py>(
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

fn compat<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let module = MODULE.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("signalwire.core.security._compat")?.unbind())
    })?;
    module.bind(py).getattr(name)
}

/// Re-raises the genuine `UnicodeEncodeError` of a str holding lone surrogates.
fn encode_error(text: &Bound<'_, PyString>) -> PyErr {
    match text.call_method1(intern!(text.py(), "encode"), ("utf-8",)) {
        Err(error) => error,
        Ok(_) => PyValueError::new_err("text is not encodable as UTF-8"),
    }
}

/// A signing key's text. A key that UTF-8 cannot encode raises the `UnicodeEncodeError`
/// of `signing_key.encode("utf-8")` (same message, positions and reason) with every
/// character but the offending ones masked: its `object` would carry the key into reprs,
/// tracebacks and logs.
pub(crate) fn key_str<'a>(key: &'a Bound<'_, PyString>) -> PyResult<&'a str> {
    key.to_str().map_err(|_| masked_encode_error(key))
}

fn masked_encode_error(key: &Bound<'_, PyString>) -> PyErr {
    let py = key.py();
    let genuine = encode_error(key);
    let value = genuine.value(py);
    let masked = || -> PyResult<PyErr> {
        let start: usize = value.getattr(intern!(py, "start"))?.extract()?;
        let end: usize = value.getattr(intern!(py, "end"))?.extract()?;
        let reason: String = value.getattr(intern!(py, "reason"))?.extract()?;
        let after = key.len()?.saturating_sub(end);
        let text = PyString::new(py, &"*".repeat(start))
            .add(key.get_item(PySlice::new(py, start as isize, end as isize, 1))?)?
            .add("*".repeat(after))?;
        Ok(PyUnicodeEncodeError::new_err((
            "utf-8",
            text.unbind(),
            start,
            end,
            reason,
        )))
    };
    masked().unwrap_or_else(|_| PyValueError::new_err("signing key is not encodable as UTF-8"))
}

/// A param as Python strs; `None` is the empty value.
type StrPair<'py> = (Bound<'py, PyString>, Option<Bound<'py, PyString>>);

/// Pre-parsed params as `(name, value)` strs in signing order.
struct SigningPairs<'py> {
    pairs: Vec<StrPair<'py>>,
    /// Already in Python's order (the `_compat` helper sorted them).
    sorted: bool,
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
fn signing_pairs<'py>(params: &Bound<'py, PyAny>) -> PyResult<SigningPairs<'py>> {
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
    let formatted = compat(params.py(), "signing_pairs")?.call1((params,))?;
    let mut pairs = Vec::new();
    for item in formatted.try_iter()? {
        let (name, value): (Bound<'py, PyString>, Bound<'py, PyString>) = item?.extract()?;
        pairs.push((name, Some(value)));
    }
    Ok(SigningPairs { pairs, sorted: true })
}

/// Which hash a raw-body call checks.
#[derive(Clone, Copy)]
enum RawBodyScheme {
    /// Scheme A with SHA-1, then Scheme B.
    Sha1,
    /// Scheme A with SHA-256 only.
    Sha256,
}

/// The raw-body path of all three functions, from the point where the signature is known
/// to be non-empty: the URL's type, then the key's, then the text, then the hashing.
fn check_raw_body(
    py: Python<'_>,
    scheme: RawBodyScheme,
    signing_key: &Bound<'_, PyAny>,
    signature: &str,
    url: &Bound<'_, PyAny>,
    body: &Bound<'_, PyString>,
) -> PyResult<bool> {
    let url = url_for_raw_body(url, body)?;
    let key = key_bytes(signing_key)?;
    let (url, body) = (url.to_str()?, body.to_str()?);
    let rules = rules();
    hash_work(py, body.len(), || match scheme {
        RawBodyScheme::Sha1 => validate::validate_webhook_signature(&key, signature, url, body, &rules),
        RawBodyScheme::Sha256 => validate::validate_webhook_signature_sha256(&key, signature, url, body),
    })
    .map_err(to_py_err)
}

/// `validate_webhook_signature` and its SHA-256 twin: key, body type, signature, then work.
fn raw_body_call(
    py: Python<'_>,
    scheme: RawBodyScheme,
    signing_key: &Bound<'_, PyAny>,
    signature: &Bound<'_, PyAny>,
    url: &Bound<'_, PyAny>,
    raw_body: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    require_key(signing_key)?;
    let body = raw_body
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(RAW_BODY_NOT_STR))?;
    match signature_text(signature)? {
        Some(signature) => check_raw_body(py, scheme, signing_key, &signature, url, body),
        None => Ok(false),
    }
}

/// Hex HMAC-SHA1 (Scheme A), then base64 HMAC-SHA1 over the sorted form params (Scheme B),
/// for a webhook's raw body. Arguments, results and exceptions are those of
/// signalwire-sdk 3.7.5's function of the same name.
#[pyfunction]
#[pyo3(signature = (signing_key, signature, url, raw_body))]
fn validate_webhook_signature(
    py: Python<'_>,
    signing_key: &Bound<'_, PyAny>,
    signature: &Bound<'_, PyAny>,
    url: &Bound<'_, PyAny>,
    raw_body: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    raw_body_call(py, RawBodyScheme::Sha1, signing_key, signature, url, raw_body)
}

/// Hex HMAC-SHA256 over `url + raw_body`, the `X-SignalWire-Sha256-Signature` header.
/// Arguments, results and exceptions are those of signalwire-sdk 3.7.5's function.
#[pyfunction]
#[pyo3(signature = (signing_key, signature, url, raw_body))]
fn validate_webhook_signature_sha256(
    py: Python<'_>,
    signing_key: &Bound<'_, PyAny>,
    signature: &Bound<'_, PyAny>,
    url: &Bound<'_, PyAny>,
    raw_body: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    raw_body_call(py, RawBodyScheme::Sha256, signing_key, signature, url, raw_body)
}

/// A raw body (str) is checked as `validate_webhook_signature` checks it; pre-parsed form
/// params (a mapping, or a list/tuple of pairs, or None) are checked with Scheme B only.
/// Arguments, results and exceptions are those of signalwire-sdk 3.7.5's function.
#[pyfunction]
#[pyo3(signature = (signing_key, signature, url, params_or_raw_body))]
fn validate_request(
    py: Python<'_>,
    signing_key: &Bound<'_, PyAny>,
    signature: &Bound<'_, PyAny>,
    url: &Bound<'_, PyAny>,
    params_or_raw_body: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    require_key(signing_key)?;
    let Some(signature) = signature_text(signature)? else {
        return Ok(false);
    };
    if let Ok(body) = params_or_raw_body.cast::<PyString>() {
        return check_raw_body(py, RawBodyScheme::Sha1, signing_key, &signature, url, body);
    }
    let SigningPairs { pairs, sorted } = signing_pairs(params_or_raw_body)?;

    // The reference parses the URL next: its errors come before the key's.
    let Ok(url) = url.cast::<PyString>() else {
        compat(py, "raise_for_foreign_url")?.call1((url,))?;
        return Err(PyTypeError::new_err("url must be a str"));
    };
    let url_text = url.to_string_lossy();
    let rules = rules();
    let candidates = candidate_urls(&url_text, &rules).map_err(|e| to_py_err(e.into()))?;
    let key = key_bytes(signing_key)?;

    // Then `(url + concat).encode("utf-8")`, which fails on any lone surrogate.
    if url.to_str().is_err() {
        return Err(encode_error(url));
    }
    let mut texts = Vec::with_capacity(pairs.len());
    for (name, value) in &pairs {
        for part in std::iter::once(name).chain(value) {
            if part.to_str().is_err() {
                return Err(encode_error(part));
            }
        }
        texts.push((name.to_str()?, value.as_ref().map_or(Ok(""), |v| v.to_str())?));
    }
    if !sorted {
        sort_for_signing(&mut texts);
    }
    Ok(validate::scheme_b_params_match(
        &Sha1Key::new(&key),
        &signature,
        &candidates,
        &texts,
    ))
}

/// The `urlsplit` rules of the running interpreter, read off `urllib.parse` itself.
fn probe_dialect(py: Python<'_>) -> PyResult<Dialect> {
    let urlsplit = py.import("urllib.parse")?.getattr("urlsplit")?;
    let scheme = |url: &str| -> PyResult<String> { urlsplit.call1((url,))?.getattr("scheme")?.extract() };
    Ok(Dialect {
        scheme_starts_with_letter: scheme("1a://h")?.is_empty(),
        checks_bracketed_host: urlsplit.call1(("http://[zz]/",)).is_err(),
        strips_leading_c0: scheme("\x01a://h")? == "a",
    })
}

/// The `urlsplit` rules in force, as a dict of flags (for tests and diagnostics).
#[pyfunction]
fn _url_dialect(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = DIALECT.get().copied().unwrap_or(Dialect::CPYTHON_3_11);
    let flags = PyDict::new(py);
    flags.set_item("scheme_starts_with_letter", d.scheme_starts_with_letter)?;
    flags.set_item("checks_bracketed_host", d.checks_bracketed_host)?;
    flags.set_item("strips_leading_c0", d.strips_leading_c0)?;
    Ok(flags)
}

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let dialect = probe_dialect(module.py())?;
    let _ = DIALECT.set(dialect);
    module.add_function(wrap_pyfunction!(validate_webhook_signature, module)?)?;
    module.add_function(wrap_pyfunction!(validate_webhook_signature_sha256, module)?)?;
    module.add_function(wrap_pyfunction!(validate_request, module)?)?;
    module.add_function(wrap_pyfunction!(_url_dialect, module)?)?;
    module.add_function(wrap_pyfunction!(crate::python_keyring::_sign, module)?)?;
    module.add_function(wrap_pyfunction!(crate::python_keyring::_explain, module)?)?;
    module.add_class::<crate::python_keyring::PyKeyRing>()?;
    Ok(())
}
