//! Signing, the platform's side: the header values SignalWire would send for a request.
//! For users' own tests and tools; whatever these produce, the validators accept.
//!
//! ```
//! use signalwire_webhook::sign::{scheme_a_signature, scheme_b_signature};
//! use signalwire_webhook::{UrlRules, validate_request_params, validate_webhook_signature};
//!
//! let (key, url) = (b"PSKtest", "https://example.ngrok.io/webhook");
//! let body = r#"{"event":"call.state"}"#;
//! let header = scheme_a_signature(key, url, body.as_bytes());
//! assert_eq!(validate_webhook_signature(key, &header, url, body, &UrlRules::default()), Ok(true));
//!
//! let params = [("Digits", "1"), ("CallSid", "CA1"), ("Digits", "2")];
//! let header = scheme_b_signature(key, url, &params);
//! assert_eq!(validate_request_params(key, &header, url, &params, &UrlRules::default()), Ok(true));
//! ```
#![forbid(unsafe_code)]

use crate::form::{parse_qsl, sort_for_signing};
use crate::scheme::{Sha1Key, Sha256Key};

fn text(encoded: &[u8]) -> String {
    // Hex and base64 output is ASCII.
    String::from_utf8_lossy(encoded).into_owned()
}

/// Scheme A, `X-SignalWire-Signature`: lowercase hex HMAC-SHA1 of `url + body`.
pub fn scheme_a_signature(key: &[u8], url: &str, body: &[u8]) -> String {
    text(&Sha1Key::new(key).scheme_a_hex(url.as_bytes(), body))
}

/// `X-SignalWire-Sha256-Signature`: lowercase hex HMAC-SHA256 of `url + body`.
pub fn sha256_signature(key: &[u8], url: &str, body: &[u8]) -> String {
    text(&Sha256Key::new(key).hex(url.as_bytes(), body))
}

/// Scheme B over params in submission order: base64 HMAC-SHA1 of `url` followed by each
/// name and value, sorted by name (repeated names keep their order).
pub fn scheme_b_signature<K: AsRef<str>, V: AsRef<str>>(key: &[u8], url: &str, params: &[(K, V)]) -> String {
    let mut sorted: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    sort_for_signing(&mut sorted);
    text(&Sha1Key::new(key).scheme_b_digest(url, &sorted))
}

/// Scheme B for an `application/x-www-form-urlencoded` body, decoded as the validators
/// decode it.
pub fn scheme_b_form_signature(key: &[u8], url: &str, form_body: &str) -> String {
    scheme_b_signature(key, url, &parse_qsl(form_body))
}
