//! SignalWire webhook signature validation with the exact behaviour of the Python SDK's
//! `signalwire.core.security` (signalwire-sdk 3.7.5), including its reliance on CPython's
//! `urllib.parse`.
//!
//! * Scheme A (RELAY/SWML/JSON): lowercase hex HMAC-SHA1 of `url + raw_body`; the SHA-256
//!   variant arrives in `X-SignalWire-Sha256-Signature`.
//! * Scheme B (cXML/compat forms): base64 HMAC-SHA1 of `url + k1v1k2v2…` (params sorted by
//!   name, repeated names in submission order), tried with and without the scheme's default
//!   port, with a `bodySHA256` query-parameter check for JSON on the compat surface.
//!
//! The core is plain Rust (every core module forbids `unsafe`); the `python` feature adds
//! the PyO3 binding.
//!
//! ```
//! use signalwire_webhook::{UrlRules, validate_request_params, validate_webhook_signature};
//!
//! let rules = UrlRules::default(); // CPython 3.11+ urlsplit rules, std Unicode tables
//! let body = r#"{"event":"call.state","params":{"call_id":"abc-123","state":"answered"}}"#;
//! let ok = validate_webhook_signature(
//!     b"PSKtest1234567890abcdef",
//!     "c3c08c1fefaf9ee198a100d5906765a6f394bf0f",
//!     "https://example.ngrok.io/webhook",
//!     body,
//!     &rules,
//! );
//! assert_eq!(ok, Ok(true));
//!
//! let params = [("To", "+18005551212"), ("CallSid", "CA1234567890ABCDE"), ("Digits", "1234"),
//!               ("From", "+14158675309"), ("Caller", "+14158675309")];
//! let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
//! let ok = validate_request_params(b"12345", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url, &params, &rules);
//! assert_eq!(ok, Ok(true));
//! ```
#![cfg_attr(not(feature = "python"), forbid(unsafe_code))]
#![deny(missing_docs)]

pub mod candidates;
pub mod error;
pub mod explain;
pub mod form;
pub mod form_message;
pub mod ip_literal;
pub mod keyring;
pub mod scheme;
pub mod sign;
pub mod urlsplit;
pub mod validate;

// The binding lives in its own room and only uses the core.
#[cfg(feature = "python")]
mod python;

pub use candidates::{CandidateUrls, candidate_urls};
pub use error::{Error, UrlError};
pub use keyring::{HeaderPolicy, KeyRing, SignatureHeaders};
pub use urlsplit::{BracketCheck, Dialect, StdUnicode, UnicodeRules, UrlRules};
pub use validate::{validate_request_params, validate_webhook_signature, validate_webhook_signature_sha256};
