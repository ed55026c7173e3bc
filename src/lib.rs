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
//! The core is plain Rust; the `python` feature adds the PyO3 binding.
#![cfg_attr(not(feature = "python"), forbid(unsafe_code))]
#![deny(missing_docs)]

pub mod candidates;
pub mod error;
pub mod form;
pub mod ip_literal;
pub mod scheme;
pub mod urlsplit;
pub mod validate;

#[cfg(feature = "python")]
mod python;

pub use candidates::{CandidateUrls, candidate_urls};
pub use error::{Error, UrlError};
pub use urlsplit::{Dialect, StdUnicode, UnicodeRules, UrlRules};
pub use validate::{validate_request_params, validate_webhook_signature, validate_webhook_signature_sha256};
