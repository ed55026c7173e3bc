//! Several signing keys at once, for rotating a key without downtime, and the policy that
//! decides between the two signature headers.
//!
//! ```
//! use signalwire_webhook::sign::{scheme_a_signature, sha256_signature};
//! use signalwire_webhook::{HeaderPolicy, KeyRing, SignatureHeaders, UrlRules};
//!
//! let ring = KeyRing::new(&["PSKnew", "PSKold"]).unwrap();
//! let (url, body) = ("https://example.ngrok.io/webhook", r#"{"event":"call.state"}"#);
//! let old = scheme_a_signature(b"PSKold", url, body.as_bytes());
//! assert_eq!(ring.validate(&old, url, body, &UrlRules::default()), Ok(true));
//!
//! // Strict: a SHA-256 header that does not validate is not rescued by the SHA-1 one.
//! let headers = SignatureHeaders { sha256: Some("00"), sha1: Some(&old) };
//! let rules = UrlRules::default();
//! assert!(ring.validate_headers(headers, url, body, HeaderPolicy::Fallback, &rules));
//! assert!(!ring.validate_headers(headers, url, body, HeaderPolicy::Strict, &rules));
//! let sha256 = sha256_signature(b"PSKnew", url, body.as_bytes());
//! let headers = SignatureHeaders { sha256: Some(&sha256), sha1: None };
//! assert!(ring.validate_headers(headers, url, body, HeaderPolicy::Strict, &rules));
//! ```
#![forbid(unsafe_code)]

use crate::error::Error;
use crate::scheme::{Sha1Key, Sha256Key};
use crate::urlsplit::UrlRules;
use crate::validate::scheme_a_then_b;

/// What to do when `X-SignalWire-Sha256-Signature` is present but does not validate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HeaderPolicy {
    /// The reference's rule: fall back to `X-SignalWire-Signature`.
    #[default]
    Fallback,
    /// SignalWire's verification recipe: when the SHA-256 header is present it alone
    /// decides (call requests carry it; messaging requests carry SHA-1 only).
    Strict,
}

/// The signature headers of one request (empty values count as absent).
#[derive(Clone, Copy, Debug, Default)]
pub struct SignatureHeaders<'a> {
    /// `X-SignalWire-Sha256-Signature`.
    pub sha256: Option<&'a str>,
    /// `X-SignalWire-Signature`, or `X-Twilio-Signature` when that is absent.
    pub sha1: Option<&'a str>,
}

/// One or more signing keys, each with its HMAC states computed once.
#[derive(Clone)]
pub struct KeyRing {
    keys: Vec<(Sha1Key, Sha256Key)>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyRing({} keys)", self.keys.len()) // never the keys themselves
    }
}

impl KeyRing {
    /// A ring of `keys`, tried in order. An empty list or an empty key is
    /// [`Error::MissingSigningKey`].
    pub fn new<K: AsRef<[u8]>>(keys: &[K]) -> Result<Self, Error> {
        if keys.is_empty() || keys.iter().any(|k| k.as_ref().is_empty()) {
            return Err(Error::MissingSigningKey);
        }
        let keys = keys
            .iter()
            .map(|k| (Sha1Key::new(k.as_ref()), Sha256Key::new(k.as_ref())))
            .collect();
        Ok(Self { keys })
    }

    /// How many keys the ring holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Never true: a ring holds at least one key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// [`crate::validate_webhook_signature`] with each key in turn: true when any accepts.
    /// URL errors are raised as that function raises them (they do not depend on the key).
    pub fn validate(
        &self,
        signature: &str,
        url: &str,
        body: &str,
        rules: &UrlRules<'_>,
    ) -> Result<bool, Error> {
        if signature.is_empty() {
            return Ok(false);
        }
        for (sha1, _) in &self.keys {
            if scheme_a_then_b(sha1, signature, url, body, rules)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// [`crate::validate_webhook_signature_sha256`] with each key in turn.
    pub fn validate_sha256(&self, signature: &str, url: &str, body: &str) -> bool {
        let (url, body) = (url.as_bytes(), body.as_bytes());
        self.keys
            .iter()
            .any(|(_, sha256)| sha256.matches(signature.as_bytes(), url, body))
    }

    /// The header rule of `webhook_middleware.validate` (SHA-256 first, then SHA-1),
    /// with `policy` deciding whether a failed SHA-256 header may fall back.
    /// Validator errors count as a refusal.
    pub fn validate_headers(
        &self,
        headers: SignatureHeaders<'_>,
        url: &str,
        body: &str,
        policy: HeaderPolicy,
        rules: &UrlRules<'_>,
    ) -> bool {
        if let Some(sha256) = headers.sha256.filter(|s| !s.is_empty()) {
            if self.validate_sha256(sha256, url, body) {
                return true;
            }
            if policy == HeaderPolicy::Strict {
                return false;
            }
        }
        headers
            .sha1
            .filter(|s| !s.is_empty())
            .is_some_and(|sha1| self.validate(sha1, url, body, rules) == Ok(true))
    }
}
