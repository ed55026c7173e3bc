//! Errors of the core. Every variant becomes a Python `ValueError` in the binding,
//! which is the class CPython's `urllib.parse` and the reference raise for them.
//! No message ever carries the signing key, a signature or URL userinfo.
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
    /// A bracketed host that is neither an IPv6 address nor an IPvFuture literal.
    #[error("bracketed host is not a valid IPv6 or IPvFuture address")]
    InvalidBracketedHost,
    /// `[v…]` (or `[V…]` from gh-105708) that does not read as `v<hex>.<anything>`.
    #[error("IPvFuture address is invalid")]
    InvalidIpvFuture,
    /// `[a.b.c.d]`: CPython refuses IPv4 inside brackets.
    #[error("An IPv4 address cannot be in brackets")]
    Ipv4InBrackets,
    /// A non-ASCII netloc whose NFKC form contains `/ ? # @ :`.
    #[error("netloc contains characters that NFKC normalization turns into URL delimiters")]
    NfkcDelimiter,
    /// The port is not all ASCII digits.
    #[error("Port could not be cast to integer value as {0:?}")]
    PortNotInteger(String),
    /// The port is digits but above 65535.
    #[error("Port out of range 0-65535")]
    PortOutOfRange,
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
