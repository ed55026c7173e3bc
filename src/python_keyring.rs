//! The binding's additions beyond the reference: signing helpers and `_KeyRing`, the
//! native half of `WebhookValidator` (one or more keys, HMAC states kept between calls).

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::python::{
    MISSING_KEY, RAW_BODY_NOT_STR, hash_work, key_str, rules, signature_text, to_py_err, url_for_raw_body,
};
use crate::{HeaderPolicy, KeyRing, SignatureHeaders, sign};

/// A body as text: a str, or bytes that are UTF-8 (`None` for bytes that are not).
enum BodyText<'a> {
    Text(&'a str),
    NotUtf8,
}

fn body_text<'a>(body: &'a Bound<'_, PyAny>) -> PyResult<BodyText<'a>> {
    if let Ok(text) = body.cast::<PyString>() {
        return Ok(BodyText::Text(text.to_str()?));
    }
    if let Ok(bytes) = body.cast::<PyBytes>() {
        return Ok(std::str::from_utf8(bytes.as_bytes()).map_or(BodyText::NotUtf8, BodyText::Text));
    }
    Err(PyTypeError::new_err("body must be str or bytes"))
}

fn raw_bytes<'a>(body: &'a Bound<'_, PyAny>) -> PyResult<&'a [u8]> {
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

/// The raw-body validators' argument checks, in the reference's order (the body's type, the
/// signature, the URL's type, then the texts), and `work` on the texts; False when the
/// signature is empty or the body bytes are not UTF-8.
fn with_texts(
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

/// The header value SignalWire would send: `scheme` is `"scheme_a"`, `"scheme_a_sha256"`
/// (over a str or bytes body) or `"scheme_b"` (over a form body, or over `(name, value)`
/// pairs in submission order).
#[pyfunction]
pub fn _sign(
    py: Python<'_>,
    scheme: &str,
    signing_key: &Bound<'_, PyString>,
    url: &str,
    body: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let signing_key = key_str(signing_key)?;
    if signing_key.is_empty() {
        return Err(PyValueError::new_err(MISSING_KEY));
    }
    let key = signing_key.as_bytes();
    match scheme {
        "scheme_a" | "scheme_a_sha256" => {
            let raw = raw_bytes(body)?;
            Ok(hash_work(py, raw.len(), || {
                if scheme == "scheme_a" {
                    sign::scheme_a_signature(key, url, raw)
                } else {
                    sign::sha256_signature(key, url, raw)
                }
            }))
        }
        "scheme_b" => {
            if let Ok(form) = body.cast::<PyString>() {
                return Ok(sign::scheme_b_form_signature(key, url, form.to_str()?));
            }
            let pairs: Vec<(String, String)> = body.extract()?;
            Ok(sign::scheme_b_signature(key, url, &pairs))
        }
        other => Err(PyValueError::new_err(format!(
            "scheme must be 'scheme_a', 'scheme_a_sha256' or 'scheme_b', not {other:?}"
        ))),
    }
}

/// `(scheme, url, shape, matched, body_sha256_ok)`: one attempt, as Python sees it.
type AttemptRow = (&'static str, String, &'static str, bool, Option<bool>);

/// Every attempt `validate_webhook_signature` makes, as [`AttemptRow`]s; no expected
/// signature is ever returned.
#[pyfunction]
pub fn _explain(
    signing_key: &Bound<'_, PyString>,
    signature: &str,
    url: &str,
    body: &str,
) -> PyResult<Vec<AttemptRow>> {
    let signing_key = key_str(signing_key)?;
    let attempts =
        crate::explain::explain(signing_key.as_bytes(), signature, url, body, &rules()).map_err(to_py_err)?;
    Ok(attempts
        .into_iter()
        .map(|t| (t.scheme, t.url, t.shape, t.matched, t.body_sha256_ok))
        .collect())
}

/// One or more signing keys with their HMAC states; see `WebhookValidator`.
#[pyclass(frozen, name = "_KeyRing", module = "signalwire.core.security._native")]
pub struct PyKeyRing {
    ring: KeyRing,
}

#[pymethods]
impl PyKeyRing {
    #[new]
    fn new(keys: Vec<Bound<'_, PyString>>) -> PyResult<Self> {
        let keys = keys.iter().map(key_str).collect::<PyResult<Vec<_>>>()?;
        let ring = KeyRing::new(&keys).map_err(|_| PyValueError::new_err(MISSING_KEY))?;
        Ok(Self { ring })
    }

    fn __len__(&self) -> usize {
        self.ring.len()
    }

    fn __repr__(&self) -> String {
        format!("_KeyRing({} keys)", self.ring.len())
    }

    /// `validate_webhook_signature` with each key in turn, over a str or a UTF-8 bytes body
    /// (other bytes: False). Errors are those of `validate_webhook_signature`.
    fn validate(
        &self,
        py: Python<'_>,
        signature: &Bound<'_, PyAny>,
        url: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let rules = rules();
        with_texts(py, signature, url, body, |signature, url, body| {
            hash_work(py, body.len(), || {
                self.ring.validate(signature, url, body, &rules)
            })
            .map_err(to_py_err)
        })
    }

    /// `validate_webhook_signature_sha256` with each key in turn, as `validate` takes its
    /// arguments.
    fn validate_sha256(
        &self,
        py: Python<'_>,
        signature: &Bound<'_, PyAny>,
        url: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        with_texts(py, signature, url, body, |signature, url, body| {
            Ok(hash_work(py, body.len(), || {
                self.ring.validate_sha256(signature, url, body)
            }))
        })
    }

    /// The middleware's header rule: `sha1` is `X-SignalWire-Signature` (or the Twilio alias),
    /// `strict` selects `HeaderPolicy::Strict`. Never raises for a bad URL: False.
    #[pyo3(signature = (url, body, sha256, sha1, strict))]
    fn validate_headers(
        &self,
        py: Python<'_>,
        url: &str,
        body: &Bound<'_, PyAny>,
        sha256: Option<&str>,
        sha1: Option<&str>,
        strict: bool,
    ) -> PyResult<bool> {
        let BodyText::Text(body) = body_text(body)? else {
            return Ok(false);
        };
        let policy = if strict {
            HeaderPolicy::Strict
        } else {
            HeaderPolicy::Fallback
        };
        let headers = SignatureHeaders { sha256, sha1 };
        let rules = rules();
        Ok(hash_work(py, body.len(), || {
            self.ring.validate_headers(headers, url, body, policy, &rules)
        }))
    }
}
