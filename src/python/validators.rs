//! The reference's three validators: `validate_webhook_signature`, its SHA-256 twin and
//! `validate_request`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::args::{
    Signature, SigningPairs, key_bytes, require_key, signature_arg, signing_pairs, url_for_params,
    url_for_raw_body,
};
use super::rules::rules;
use super::{RAW_BODY_NOT_STR, compat, joined_encode_error, to_py_err};
use crate::candidates::candidate_urls;
use crate::form::sort_for_signing;
use crate::scheme::{Sha1Key, Sha256Key};
use crate::validate;
use crate::validate::compared;

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

/// `_compat.signature_matches(expected, signature)`: one comparison of a non-str signature.
fn object_matcher<'a, 'py>(
    module: &Bound<'py, PyModule>,
    signature: &'a Bound<'py, PyAny>,
) -> PyResult<impl FnMut(&str) -> PyResult<bool> + use<'a, 'py>> {
    let matches = compat(module, "signature_matches")?;
    Ok(move |expected: &str| matches.call1((expected, signature))?.is_truthy())
}

/// The raw-body path of all three functions, from the point where the signature is known
/// to be non-empty: the URL's type, then the key's, then the text, then the hashing.
fn check_raw_body(
    module: &Bound<'_, PyModule>,
    scheme: RawBodyScheme,
    signing_key: &Bound<'_, PyAny>,
    signature: &Signature<'_, '_>,
    url: &Bound<'_, PyAny>,
    body: &Bound<'_, PyString>,
) -> PyResult<bool> {
    let url = url_for_raw_body(url, body)?;
    let key = key_bytes(signing_key)?;
    let (url, body) = match (url.to_str(), body.to_str()) {
        (Ok(url), Ok(body)) => (url, body),
        _ => return Err(joined_encode_error([url.clone(), body.clone()])),
    };
    let rules = rules();
    match signature {
        // The key's truth was the reference's test (`not signing_key`): a truthy key whose
        // encoding is empty still signs, so the core's empty-key check is not applied.
        Signature::Text(signature) => hash_work(module.py(), body.len(), || match scheme {
            RawBodyScheme::Sha1 => {
                validate::scheme_a_then_b(&Sha1Key::new(&key), signature, url, body, &rules)
            }
            RawBodyScheme::Sha256 => {
                Ok(Sha256Key::new(&key).matches(signature.as_bytes(), url.as_bytes(), body.as_bytes()))
            }
        })
        .map_err(to_py_err),
        Signature::Object(object) => {
            let matches = object_matcher(module, object)?;
            match scheme {
                RawBodyScheme::Sha1 => compared::validate_webhook_signature(&key, url, body, &rules, matches),
                RawBodyScheme::Sha256 => {
                    compared::validate_webhook_signature_sha256(&key, url, body, matches)
                }
            }
        }
    }
}

/// `validate_webhook_signature` and its SHA-256 twin: key, body type, signature, then work.
fn raw_body_call(
    module: &Bound<'_, PyModule>,
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
    match signature_arg(signature)? {
        Some(signature) => check_raw_body(module, scheme, signing_key, &signature, url, body),
        None => Ok(false),
    }
}

/// Hex HMAC-SHA1 (Scheme A), then base64 HMAC-SHA1 over the sorted form params (Scheme B),
/// for a webhook's raw body. Arguments, results and exceptions are those of
/// signalwire-sdk 3.7.5's function of the same name.
#[pyfunction]
#[pyo3(pass_module, signature = (signing_key, signature, url, raw_body))]
pub(super) fn validate_webhook_signature(
    module: &Bound<'_, PyModule>,
    signing_key: &Bound<'_, PyAny>,
    signature: &Bound<'_, PyAny>,
    url: &Bound<'_, PyAny>,
    raw_body: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    raw_body_call(module, RawBodyScheme::Sha1, signing_key, signature, url, raw_body)
}

/// Hex HMAC-SHA256 over `url + raw_body`, the `X-SignalWire-Sha256-Signature` header.
/// Arguments, results and exceptions are those of signalwire-sdk 3.7.5's function.
#[pyfunction]
#[pyo3(pass_module, signature = (signing_key, signature, url, raw_body))]
pub(super) fn validate_webhook_signature_sha256(
    module: &Bound<'_, PyModule>,
    signing_key: &Bound<'_, PyAny>,
    signature: &Bound<'_, PyAny>,
    url: &Bound<'_, PyAny>,
    raw_body: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    raw_body_call(
        module,
        RawBodyScheme::Sha256,
        signing_key,
        signature,
        url,
        raw_body,
    )
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
    require_key(signing_key)?;
    let Some(mut checked) = signature_arg(signature)? else {
        return Ok(false);
    };
    if let Ok(body) = params_or_raw_body.cast::<PyString>() {
        // The reference hands a str body to validate_webhook_signature, which tests the
        // key's truth and compares the signature with "" again: observable for other types.
        if !signing_key.is_exact_instance_of::<PyString>() {
            require_key(signing_key)?;
        }
        if let Signature::Object(object) = checked {
            let Some(again) = signature_arg(object)? else {
                return Ok(false);
            };
            checked = again;
        }
        return check_raw_body(module, RawBodyScheme::Sha1, signing_key, &checked, url, body);
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
    match checked {
        Signature::Text(signature) => Ok(validate::scheme_b_params_match(
            &Sha1Key::new(&key),
            &signature,
            &candidates,
            &texts,
        )),
        Signature::Object(object) => {
            compared::scheme_b_params(&key, &candidates, &texts, object_matcher(module, object)?)
        }
    }
}
