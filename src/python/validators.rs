//! The reference's three validators: `validate_webhook_signature`, its SHA-256 twin and
//! `validate_request`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::args::{
    SigningPairs, key_bytes, require_key, signature_text, signing_pairs, url_for_params, url_for_raw_body,
};
use super::rules::rules;
use super::{RAW_BODY_NOT_STR, to_py_err};
use crate::candidates::candidate_urls;
use crate::form::sort_for_signing;
use crate::scheme::Sha1Key;
use crate::validate;

/// Bodies at least this long are hashed with the GIL released.
const DETACH_THRESHOLD: usize = 64 * 1024;

/// Runs `work` with the GIL released when the input is large enough to be worth it.
pub(super) fn hash_work<T: Send>(py: Python<'_>, size: usize, work: impl FnOnce() -> T + Send) -> T {
    if size >= DETACH_THRESHOLD {
        py.detach(work)
    } else {
        work()
    }
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
pub(super) fn validate_webhook_signature(
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
pub(super) fn validate_webhook_signature_sha256(
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
#[pyo3(pass_module, signature = (signing_key, signature, url, params_or_raw_body))]
pub(super) fn validate_request(
    module: &Bound<'_, PyModule>,
    signing_key: &Bound<'_, PyAny>,
    signature: &Bound<'_, PyAny>,
    url: &Bound<'_, PyAny>,
    params_or_raw_body: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let py = module.py();
    require_key(signing_key)?;
    let Some(signature) = signature_text(signature)? else {
        return Ok(false);
    };
    if let Ok(body) = params_or_raw_body.cast::<PyString>() {
        return check_raw_body(py, RawBodyScheme::Sha1, signing_key, &signature, url, body);
    }
    let pairs: SigningPairs<'_> = signing_pairs(module, params_or_raw_body)?;

    // The reference parses the URL next: its errors come before the key's.
    let url = url_for_params(module, url)?;
    let url_text = url.to_string_lossy();
    let rules = rules();
    let candidates = candidate_urls(&url_text, &rules).map_err(|e| to_py_err(e.into()))?;
    let key = key_bytes(signing_key)?;

    // Then `(url + concat).encode("utf-8")`.
    let mut texts = pairs.texts(url)?;
    if !pairs.sorted {
        sort_for_signing(&mut texts);
    }
    Ok(validate::scheme_b_params_match(
        &Sha1Key::new(&key),
        &signature,
        &candidates,
        &texts,
    ))
}
