//! Errors of the core. Every variant becomes a Python `ValueError` in the binding,
//! which is the class CPython's `urllib.parse` and the reference raise for them.
//! Messages are CPython's where CPython wrote them, except that no message ever carries
//! the signing key, a signature or URL userinfo (where CPython's would quote userinfo,
//! ours leaves the text out).
#![forbid(unsafe_code)]

/// Why a URL could not be split the way CPython's `urlparse` splits it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// One of `[` / `]` in the netloc without the other.
    #[error("Invalid IPv6 URL")]
    UnbalancedBrackets,
    /// gh-105704: text before the host's `[`, or after its `]` other than `:port`.
    #[error("Invalid IPv6 URL")]
    TextAroundBrackets,
    /// A bracketed host that is neither an IPv6 address nor an IPvFuture literal: the
    /// text CPython hands to `ipaddress.ip_address`, unless it comes from the userinfo.
    #[error("{}", bracketed_host_message(.0.as_deref()))]
    InvalidBracketedHost(Option<String>),
    /// `[v…]` (or `[V…]` from gh-105708) that does not read as `v<hex>.<anything>`.
    #[error("IPvFuture address is invalid")]
    InvalidIpvFuture,
    /// `[a.b.c.d]`: CPython refuses IPv4 inside brackets.
    #[error("An IPv4 address cannot be in brackets")]
    Ipv4InBrackets,
    /// A non-ASCII netloc whose NFKC form contains `/ ? # @ :`: the netloc, unless it
    /// has userinfo.
    #[error("{}", nfkc_message(.0.as_deref()))]
    NfkcDelimiter(Option<String>),
    /// The port is not all ASCII digits.
    #[error("Port could not be cast to integer value as {0:?}")]
    PortNotInteger(String),
    /// The port is digits but above 65535.
    #[error("Port out of range 0-65535")]
    PortOutOfRange,
}

/// CPython's message (`ipaddress.ip_address`'s, with Rust's quoting where CPython uses
/// `repr`; the binding uses `repr` itself), or one without the text when it is userinfo.
fn bracketed_host_message(host: Option<&str>) -> String {
    match host {
        Some(host) => format!("{host:?} does not appear to be an IPv4 or IPv6 address"),
        None => "bracketed host is not a valid IPv6 or IPvFuture address".to_owned(),
    }
}

/// CPython's `_checknetloc` message, or one without the netloc when it has userinfo.
fn nfkc_message(netloc: Option<&str>) -> String {
    match netloc {
        Some(netloc) => {
            format!("netloc '{netloc}' contains invalid characters under NFKC normalization")
        }
        None => "netloc contains characters that NFKC normalization turns into URL delimiters".to_owned(),
    }
}

/// Errors a validator can return.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The signing key is empty: a programming error, not a failed validation.
    #[error("signing_key is required")]
    MissingSigningKey,
    /// The URL could not be parsed (the reference parses it before it can compare).
    #[error(transparent)]
    Url(#[from] UrlError),
}
