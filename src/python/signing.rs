//! The binding's helpers beyond the reference: `_sign` (the header value SignalWire would
//! send) and `_explain` (every attempt a validation makes).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::args::{key_str, raw_bytes};
use super::rules::rules;
use super::validators::hash_work;
use super::{MISSING_KEY, to_py_err};
use crate::sign;

/// The header value SignalWire would send: `scheme` is `"scheme_a"`, `"scheme_a_sha256"`
/// (over a str or bytes body) or `"scheme_b"` (over a form body, or over `(name, value)`
/// pairs in submission order).
#[pyfunction]
pub(super) fn _sign(
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
pub(super) fn _explain(
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
