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
//!
//! // Strict: a Scheme B signature over the URL alone does not vouch for a body.
//! let url_only = signalwire_webhook::sign::scheme_b_form_signature(b"PSKold", url, "");
//! let headers = SignatureHeaders { sha256: None, sha1: Some(&url_only) };
//! assert!(ring.validate_headers(headers, url, body, HeaderPolicy::Fallback, &rules));
//! assert!(!ring.validate_headers(headers, url, body, HeaderPolicy::Strict, &rules));
//! ```
#![forbid(unsafe_code)]

use crate::candidates::{body_sha256_allows, candidate_urls};
use crate::error::Error;
use crate::form::last_query_value;
use crate::scheme::{SCHEME_B_LEN, Sha1Key, Sha256Key, ct_eq};
use crate::urlsplit::{UrlRules, urlsplit};
use crate::validate::scheme_a_then_b;

/// What to do when `X-SignalWire-Sha256-Signature` is present but does not validate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HeaderPolicy {
    /// The reference's rule: fall back to `X-SignalWire-Signature`.
    #[default]
    Fallback,
    /// SignalWire's verification recipe: when the SHA-256 header is present it alone
    /// decides (call requests carry it; messaging requests carry SHA-1 only). And a
    /// Scheme B signature over the URL with no params vouches for a non-empty body only
    /// when that URL carries the body's `bodySHA256`: under the reference's rule such a
    /// signature, captured from any param-less callback, authenticates any body POSTed
    /// to the same URL.
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

    /// [`KeyRing::validate`] under `policy`: [`HeaderPolicy::Strict`] refuses a Scheme B
    /// match on the URL alone (no params) for a non-empty body, unless the matching URL
    /// carries a `bodySHA256` equal to the body's SHA-256. Only an accepted Scheme B
    /// signature with a body pays for the extra check (one HMAC of the URL per candidate
    /// and key); the comparisons are constant-time.
    pub fn validate_with(
        &self,
        signature: &str,
        url: &str,
        body: &str,
        policy: HeaderPolicy,
        rules: &UrlRules<'_>,
    ) -> Result<bool, Error> {
        if !self.validate(signature, url, body, rules)? {
            return Ok(false);
        }
        // A signature of Scheme B's length cannot have matched Scheme A (40 hex digits).
        if policy == HeaderPolicy::Fallback || body.is_empty() || signature.len() != SCHEME_B_LEN {
            return Ok(true);
        }
        let no_params: &[(&str, &str)] = &[];
        for candidate in candidate_urls(url, rules)?.iter() {
            for (sha1, _) in &self.keys {
                if ct_eq(&sha1.scheme_b_digest(candidate, no_params), signature.as_bytes()) {
                    let carries = urlsplit(candidate, rules)
                        .is_ok_and(|split| last_query_value(&split.query, "bodySHA256").is_some());
                    return Ok(carries && body_sha256_allows(candidate, body.as_bytes(), rules)?);
                }
            }
        }
        Ok(true) // it matched with the body's params
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
            .is_some_and(|sha1| self.validate_with(sha1, url, body, policy, rules) == Ok(true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheme::body_sha256_hex;
    use crate::sign::{scheme_a_signature, scheme_b_form_signature, scheme_b_signature};

    const KEYS: [&str; 2] = ["PSKnew", "PSKold"];

    fn check(signature: &str, url: &str, body: &str, policy: HeaderPolicy) -> Result<bool, Error> {
        KeyRing::new(&KEYS)
            .unwrap()
            .validate_with(signature, url, body, policy, &UrlRules::default())
    }

    #[test]
    fn url_only_signature_vouches_for_no_body_under_strict() {
        let url = "https://example.ngrok.io/status";
        let url_only = scheme_b_form_signature(b"PSKold", url, "");
        let forged_json = r#"{"event":"call.state","params":{"state":"answered"}}"#;
        let forged_form = "CallSid=CAforged&CallStatus=completed";
        for body in [forged_json, forged_form, "x"] {
            assert_eq!(
                check(&url_only, url, body, HeaderPolicy::Fallback),
                Ok(true),
                "{body}"
            );
            assert_eq!(
                check(&url_only, url, body, HeaderPolicy::Strict),
                Ok(false),
                "{body}"
            );
        }
        // The param-less callback itself (an empty body) is still accepted.
        assert_eq!(check(&url_only, url, "", HeaderPolicy::Strict), Ok(true));
        // So is a real form body signed with its params, and Scheme A.
        let params = [("CallSid", "CAforged"), ("CallStatus", "completed")];
        let form = scheme_b_signature(b"PSKnew", url, &params);
        assert_eq!(check(&form, url, forged_form, HeaderPolicy::Strict), Ok(true));
        let hex = scheme_a_signature(b"PSKnew", url, forged_json.as_bytes());
        assert_eq!(check(&hex, url, forged_json, HeaderPolicy::Strict), Ok(true));
        // Errors are the validator's, under either policy.
        assert!(check(&url_only, "https://h:x/", "x", HeaderPolicy::Strict).is_err());
    }

    #[test]
    fn url_only_signature_with_a_matching_body_sha256() {
        let body = r#"{"event":"call.state"}"#;
        let digest = String::from_utf8(body_sha256_hex(body.as_bytes()).to_vec()).unwrap();
        let url = format!("https://example.ngrok.io/json?bodySHA256={digest}");
        let signature = scheme_b_form_signature(b"PSKnew", &url, "");
        assert_eq!(check(&signature, &url, body, HeaderPolicy::Strict), Ok(true));
        assert_eq!(check(&signature, &url, "{}", HeaderPolicy::Strict), Ok(false));
        assert_eq!(check(&signature, &url, "{}", HeaderPolicy::Fallback), Ok(false));
        // Signed on the default-port variant of the URL the server received.
        let port = url.replace("ngrok.io/", "ngrok.io:443/");
        let signature = scheme_b_form_signature(b"PSKold", &port, "");
        assert_eq!(check(&signature, &url, body, HeaderPolicy::Strict), Ok(true));
        assert_eq!(check(&signature, &url, "{ }", HeaderPolicy::Strict), Ok(false));
    }

    #[test]
    fn headers_follow_the_policy() {
        let ring = KeyRing::new(&KEYS).unwrap();
        let rules = UrlRules::default();
        let url = "https://example.ngrok.io/status";
        let url_only = scheme_b_form_signature(b"PSKnew", url, "");
        let headers = SignatureHeaders {
            sha256: None,
            sha1: Some(&url_only),
        };
        assert!(ring.validate_headers(headers, url, "a=1", HeaderPolicy::Fallback, &rules));
        assert!(!ring.validate_headers(headers, url, "a=1", HeaderPolicy::Strict, &rules));
        assert!(ring.validate_headers(headers, url, "", HeaderPolicy::Strict, &rules));
    }
}
