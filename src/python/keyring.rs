//! `_KeyRing`, the native half of `WebhookValidator`: one or more signing keys with their
//! HMAC states kept between calls.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::args::{BodyText, body_text, key_str, with_texts};
use super::rules::rules;
use super::validators::hash_work;
use super::{MISSING_KEY, to_py_err};
use crate::{HeaderPolicy, KeyRing, SignatureHeaders};

fn policy(strict: bool) -> HeaderPolicy {
    if strict {
        HeaderPolicy::Strict
    } else {
        HeaderPolicy::Fallback
    }
}

/// One or more signing keys with their HMAC states; see `WebhookValidator`.
#[pyclass(frozen, name = "_KeyRing", module = "signalwire.core.security._native")]
pub(super) struct PyKeyRing {
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
    /// (other bytes: False). Errors are those of `validate_webhook_signature`. `strict`
    /// adds `HeaderPolicy::Strict`'s rule for a Scheme B signature over the URL alone.
    #[pyo3(signature = (signature, url, body, strict=false))]
    fn validate(
        &self,
        py: Python<'_>,
        signature: &Bound<'_, PyAny>,
        url: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
        strict: bool,
    ) -> PyResult<bool> {
        let rules = rules();
        let policy = policy(strict);
        with_texts(py, signature, url, body, |signature, url, body| {
            hash_work(py, body.len(), || {
                self.ring.validate_with(signature, url, body, policy, &rules)
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
        let policy = policy(strict);
        let headers = SignatureHeaders { sha256, sha1 };
        let rules = rules();
        Ok(hash_work(py, body.len(), || {
            self.ring.validate_headers(headers, url, body, policy, &rules)
        }))
    }
}
