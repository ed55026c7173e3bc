//! The parts of CPython's `urllib.parse.urlparse` that decide which URL bytes are signed:
//! the split into scheme/netloc/path/query/fragment, `.hostname`, `.port`, and the
//! errors it raises on the way.
//!
//! The WHATWG `url` crate normalises differently (percent-encodes, resolves dots, drops
//! default ports, IDNA-maps hosts), so it cannot produce the strings the reference
//! rebuilds. These rules follow `Lib/urllib/parse.py` of CPython 3.10 to 3.15; where the
//! releases (or patch levels) differ, [`Dialect`] says which rule applies.
#![forbid(unsafe_code)]

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

use crate::error::UrlError;
use crate::ip_literal::check_bracketed_host;

/// Unicode operations whose results depend on the interpreter's Unicode database.
///
/// The Python binding answers with the running interpreter's own `str.lower` and
/// `unicodedata.normalize`, so hosts outside ASCII come out exactly as the reference
/// sees them; [`StdUnicode`] is the pure-Rust approximation used elsewhere.
pub trait UnicodeRules: Sync {
    /// `str.lower()`.
    fn lower(&self, text: &str) -> String;
    /// `unicodedata.normalize("NFKC", text)`.
    fn nfkc(&self, text: &str) -> String;
}

/// Unicode rules from Rust's standard library and `unicode-normalization`.
#[derive(Debug, Clone, Copy, Default)]
pub struct StdUnicode;

impl UnicodeRules for StdUnicode {
    fn lower(&self, text: &str) -> String {
        text.to_lowercase()
    }
    fn nfkc(&self, text: &str) -> String {
        text.nfkc().collect()
    }
}

/// How `urlsplit` checks a netloc that holds both `[` and `]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BracketCheck {
    /// Not at all (3.10 before 3.10.16, 3.11 before 3.11.4).
    Unchecked,
    /// gh-103848 (3.10.16, 3.11.4 to 3.11.11, 3.12.0 to 3.12.8, 3.13.0 and 3.13.1): the text
    /// from the first `[` to the next `]` must be an IPv6 or IPvFuture address.
    FirstBracketed,
    /// gh-105704 (3.10.17+, 3.11.12+, 3.12.9+, 3.13.2+, 3.14+): the host `.hostname` would
    /// read (after the last `@`) must be one, with no text before its `[` and nothing but
    /// `:port` after its `]`.
    HostInfo,
}

/// The `urlsplit` rules that changed between CPython releases and within patch series.
/// The binding reads each one off the running interpreter's behaviour, never its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// 3.11+: a scheme must start with an ASCII letter; 3.10 takes any scheme character.
    pub scheme_starts_with_letter: bool,
    /// Which bracketed-host check applies.
    pub bracket_check: BracketCheck,
    /// gh-105708 (3.13.15+, 3.14.7+, 3.15): an IPvFuture literal may start with `V`.
    pub ipvfuture_upper_v: bool,
    /// 3.10.12+ and 3.11.4+: leading C0 controls and spaces are stripped.
    pub strips_leading_c0: bool,
}

impl Dialect {
    /// CPython 3.10.12 to 3.10.15.
    pub const CPYTHON_3_10: Self = Self {
        scheme_starts_with_letter: false,
        bracket_check: BracketCheck::Unchecked,
        ipvfuture_upper_v: false,
        strips_leading_c0: true,
    };
    /// CPython 3.10.16 (gh-103848 backported).
    pub const CPYTHON_3_10_16: Self = Self {
        bracket_check: BracketCheck::FirstBracketed,
        ..Self::CPYTHON_3_10
    };
    /// CPython 3.10.17 and later 3.10 releases (gh-105704).
    pub const CPYTHON_3_10_17: Self = Self {
        bracket_check: BracketCheck::HostInfo,
        ..Self::CPYTHON_3_10
    };
    /// CPython 3.11.4 to 3.11.11, 3.12.0 to 3.12.8, 3.13.0 and 3.13.1.
    pub const CPYTHON_3_11: Self = Self {
        scheme_starts_with_letter: true,
        bracket_check: BracketCheck::FirstBracketed,
        ipvfuture_upper_v: false,
        strips_leading_c0: true,
    };
    /// CPython 3.11.12+, 3.12.9+, 3.13.2 to 3.13.14 and 3.14.0 to 3.14.6 (gh-105704).
    pub const CPYTHON_3_11_12: Self = Self {
        bracket_check: BracketCheck::HostInfo,
        ..Self::CPYTHON_3_11
    };
    /// CPython 3.13.15+, 3.14.7+ and 3.15 (gh-105704 and gh-105708).
    pub const CPYTHON_3_13_15: Self = Self {
        ipvfuture_upper_v: true,
        ..Self::CPYTHON_3_11_12
    };
    /// Every generation above, oldest first.
    pub const GENERATIONS: [Self; 6] = [
        Self::CPYTHON_3_10,
        Self::CPYTHON_3_10_16,
        Self::CPYTHON_3_10_17,
        Self::CPYTHON_3_11,
        Self::CPYTHON_3_11_12,
        Self::CPYTHON_3_13_15,
    ];
}

/// Everything URL handling needs to know about the interpreter it imitates.
#[derive(Clone, Copy)]
pub struct UrlRules<'u> {
    /// The release-specific `urlsplit` rules.
    pub dialect: Dialect,
    /// Case mapping and normalization for non-ASCII netlocs.
    pub unicode: &'u dyn UnicodeRules,
}

impl UrlRules<'static> {
    /// Rules for the given dialect with [`StdUnicode`].
    pub const fn cpython(dialect: Dialect) -> Self {
        Self {
            dialect,
            unicode: &StdUnicode,
        }
    }
}

/// The newest generation (3.13.15+, 3.14.7+, 3.15).
impl Default for UrlRules<'static> {
    fn default() -> Self {
        Self::cpython(Dialect::CPYTHON_3_13_15)
    }
}

impl std::fmt::Debug for UrlRules<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UrlRules")
            .field("dialect", &self.dialect)
            .finish_non_exhaustive()
    }
}

/// The five parts `urlsplit` returns (the scheme lower-cased, tabs and newlines removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitUrl<'a> {
    /// Lower-cased scheme, empty when none was recognised.
    pub scheme: Cow<'a, str>,
    /// What follows `//` up to the first `/`, `?` or `#`.
    pub netloc: Cow<'a, str>,
    /// The path, `;params` included.
    pub path: Cow<'a, str>,
    /// After the first `?`, without the fragment.
    pub query: Cow<'a, str>,
    /// After the first `#`.
    pub fragment: Cow<'a, str>,
}

const UNSAFE_URL_CHARS: [char; 3] = ['\t', '\r', '\n'];

/// Byte searches for ASCII delimiters (always char boundaries): on URL-sized text a plain
/// loop beats `str`'s pattern searchers, which the profile showed in every validation.
pub(crate) fn has_byte(s: &str, byte: u8) -> bool {
    s.bytes().any(|b| b == byte)
}

/// `s.split_once(byte as char)` for an ASCII `byte`.
pub(crate) fn split_once_byte(s: &str, byte: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == byte)?;
    Some((&s[..i], &s[i + 1..]))
}

/// `s.rsplit_once(byte as char)` for an ASCII `byte`.
pub(crate) fn rsplit_once_byte(s: &str, byte: u8) -> Option<(&str, &str)> {
    let i = s.bytes().rposition(|b| b == byte)?;
    Some((&s[..i], &s[i + 1..]))
}

fn is_scheme_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')
}

/// `urllib.parse.urlsplit(url)` with the default scheme and fragments allowed.
pub fn urlsplit<'a>(url: &'a str, rules: &UrlRules<'_>) -> Result<SplitUrl<'a>, UrlError> {
    let dialect = rules.dialect;
    let url = if dialect.strips_leading_c0 {
        url.trim_start_matches(|c: char| c <= ' ')
    } else {
        url
    };
    let cleaned: Cow<'a, str> = if url.bytes().any(|b| matches!(b, b'\t' | b'\r' | b'\n')) {
        Cow::Owned(url.replace(UNSAFE_URL_CHARS, ""))
    } else {
        Cow::Borrowed(url)
    };
    let s: &str = &cleaned;

    let mut scheme = 0..0;
    let mut rest = 0;
    if let Some(colon) = s.bytes().position(|b| b == b':').filter(|&i| i > 0) {
        let candidate = &s.as_bytes()[..colon];
        let first_ok = !dialect.scheme_starts_with_letter || candidate[0].is_ascii_alphabetic();
        if first_ok && candidate.iter().copied().all(is_scheme_char) {
            scheme = 0..colon;
            rest = colon + 1;
        }
    }

    let mut netloc = rest..rest;
    if s[rest..].starts_with("//") {
        let start = rest + 2;
        let end = s.as_bytes()[start..]
            .iter()
            .position(|b| matches!(b, b'/' | b'?' | b'#'))
            .map_or(s.len(), |i| start + i);
        netloc = start..end;
        rest = end;
        check_brackets(&s[netloc.clone()], dialect)?;
    }

    let mut path = rest..s.len();
    let mut fragment = s.len()..s.len();
    if let Some(i) = s.as_bytes()[path.clone()].iter().position(|&b| b == b'#') {
        fragment = path.start + i + 1..s.len();
        path.end = path.start + i;
    }
    let mut query = path.end..path.end;
    if let Some(i) = s.as_bytes()[path.clone()].iter().position(|&b| b == b'?') {
        query = path.start + i + 1..path.end;
        path.end = path.start + i;
    }
    check_nfkc(&s[netloc.clone()], rules.unicode)?;

    let part = |range: std::ops::Range<usize>| -> Cow<'a, str> {
        match &cleaned {
            Cow::Borrowed(b) => Cow::Borrowed(&b[range]),
            Cow::Owned(o) => Cow::Owned(o[range].to_owned()),
        }
    };
    let scheme_text = &s[scheme.clone()];
    let scheme = if scheme_text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(scheme_text.to_ascii_lowercase())
    } else {
        part(scheme)
    };
    Ok(SplitUrl {
        scheme,
        netloc: part(netloc),
        path: part(path),
        query: part(query),
        fragment: part(fragment),
    })
}

fn check_brackets(netloc: &str, dialect: Dialect) -> Result<(), UrlError> {
    let open = has_byte(netloc, b'[');
    let close = has_byte(netloc, b']');
    if open != close {
        return Err(UrlError::UnbalancedBrackets);
    }
    if !open {
        return Ok(());
    }
    let upper_v = dialect.ipvfuture_upper_v;
    match dialect.bracket_check {
        BracketCheck::Unchecked => Ok(()),
        BracketCheck::FirstBracketed => {
            let (before, inside) = split_once_byte(netloc, b'[').unwrap_or_default();
            check_bracketed_host(
                split_once_byte(inside, b']').map_or(inside, |(host, _)| host),
                upper_v,
            )
            .map_err(|error| match error {
                // The first `[` is in the userinfo: its text is no message's business.
                UrlError::InvalidBracketedHost(_) if has_byte(&netloc[before.len()..], b'@') => {
                    UrlError::InvalidBracketedHost(None)
                }
                other => other,
            })
        }
        BracketCheck::HostInfo => check_bracketed_host(bracketed_hostinfo(netloc)?, upper_v),
    }
}

/// gh-105704's `_check_bracketed_netloc`: the host part the way `_hostinfo` splits it,
/// refusing text before `[` or after `]` other than a `:port`.
fn bracketed_hostinfo(netloc: &str) -> Result<&str, UrlError> {
    let hostinfo = rsplit_once_byte(netloc, b'@').map_or(netloc, |(_, h)| h);
    match split_once_byte(hostinfo, b'[') {
        Some((before, _)) if !before.is_empty() => Err(UrlError::TextAroundBrackets),
        Some((_, bracketed)) => {
            let (host, after) = split_once_byte(bracketed, b']').unwrap_or((bracketed, ""));
            if after.is_empty() || after.starts_with(':') {
                Ok(host)
            } else {
                Err(UrlError::TextAroundBrackets)
            }
        }
        None => Ok(split_once_byte(hostinfo, b':').map_or(hostinfo, |(host, _)| host)),
    }
}

/// `_checknetloc`: refuse a netloc whose NFKC form gains a URL delimiter.
fn check_nfkc(netloc: &str, unicode: &dyn UnicodeRules) -> Result<(), UrlError> {
    if netloc.is_ascii() {
        return Ok(());
    }
    let stripped: String = netloc
        .chars()
        .filter(|c| !matches!(c, '@' | ':' | '#' | '?'))
        .collect();
    let normalized = unicode.nfkc(&stripped);
    if normalized != stripped && normalized.contains(['/', '?', '#', '@', ':']) {
        let quoted = (!has_byte(netloc, b'@')).then(|| netloc.to_owned());
        return Err(UrlError::NfkcDelimiter(quoted));
    }
    Ok(())
}

/// Schemes for which `urlparse` splits `;params` off the last path segment.
/// (3.10 lacks `rtsps`; the difference never reaches a signed URL, which needs http(s).)
const USES_PARAMS: [&str; 16] = [
    "", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtsps", "rtspu", "sip", "sips",
    "mms", "sftp", "tel",
];

/// The path `urlparse` reports: `;params` of the last segment removed, for the schemes
/// that use params (`http`, `https`, `sip`, …).
pub fn path_without_params<'p>(scheme: &str, path: &'p str) -> &'p str {
    if !has_byte(path, b';') || !USES_PARAMS.contains(&scheme) {
        return path;
    }
    let from = path.bytes().rposition(|b| b == b'/').unwrap_or(0);
    split_once_byte(&path[from..], b';').map_or(path, |(head, _)| &path[..from + head.len()])
}

/// `_hostinfo`: the raw host (brackets removed) and the raw port text, `None` when empty.
pub fn host_and_port(netloc: &str) -> (&str, Option<&str>) {
    let hostinfo = rsplit_once_byte(netloc, b'@').map_or(netloc, |(_, h)| h);
    let (host, port) = match split_once_byte(hostinfo, b'[') {
        Some((_, bracketed)) => match split_once_byte(bracketed, b']') {
            Some((host, after)) => (host, split_once_byte(after, b':').map_or("", |(_, p)| p)),
            None => (bracketed, ""),
        },
        None => split_once_byte(hostinfo, b':').unwrap_or((hostinfo, "")),
    };
    (host, Some(port).filter(|p| !p.is_empty()))
}

/// `.hostname`: lower-cased before any `%zone`, `None` when empty.
pub fn hostname<'n>(netloc: &'n str, unicode: &dyn UnicodeRules) -> Option<Cow<'n, str>> {
    let (host, _) = host_and_port(netloc);
    if host.is_empty() {
        return None;
    }
    let (address, zone) = host
        .bytes()
        .position(|b| b == b'%')
        .map_or((host, ""), |i| host.split_at(i));
    if address.is_ascii() {
        if address.bytes().any(|b| b.is_ascii_uppercase()) {
            return Some(Cow::Owned(address.to_ascii_lowercase() + zone));
        }
        return Some(Cow::Borrowed(host));
    }
    Some(Cow::Owned(unicode.lower(address) + zone))
}

/// `.port`: ASCII digits only (leading zeros allowed), at most 65535.
pub fn port(netloc: &str) -> Result<Option<u16>, UrlError> {
    let Some(text) = host_and_port(netloc).1 else {
        return Ok(None);
    };
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlError::PortNotInteger(text.to_owned()));
    }
    let digits = text.trim_start_matches('0');
    if digits.len() > 5 {
        return Err(UrlError::PortOutOfRange);
    }
    let value = digits.bytes().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    u16::try_from(value)
        .map(Some)
        .map_err(|_| UrlError::PortOutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(url: &str) -> [String; 5] {
        split_with(url, Dialect::CPYTHON_3_11).unwrap()
    }

    fn split_with(url: &str, dialect: Dialect) -> Result<[String; 5], UrlError> {
        let s = urlsplit(url, &UrlRules::cpython(dialect))?;
        Ok([s.scheme, s.netloc, s.path, s.query, s.fragment].map(|c| c.into_owned()))
    }

    #[test]
    fn splits_like_cpython() {
        assert_eq!(
            split("HTTPS://Ex.com:443/a/b;p?q=1#f"),
            ["https", "Ex.com:443", "/a/b;p", "q=1", "f"]
        );
        assert_eq!(split("https://h?x#y?z"), ["https", "h", "", "x", "y?z"]);
        assert_eq!(split("https://h#a?b"), ["https", "h", "", "", "a?b"]);
        assert_eq!(split("mailto:x@y"), ["mailto", "", "x@y", "", ""]);
        assert_eq!(split("//h/p"), ["", "h", "/p", "", ""]);
        assert_eq!(split("h:80"), ["h", "", "80", "", ""]);
    }

    #[test]
    fn strips_leading_c0_and_removes_tabs_and_newlines() {
        assert_eq!(split("\x00 \x1fhttps://h/p"), ["https", "h", "/p", "", ""]);
        assert_eq!(split("ht\ttp://h\r/p\n?q"), ["http", "h", "/p", "q", ""]);
        assert_eq!(split("https://h/p \x01"), ["https", "h", "/p \x01", "", ""]);
    }

    #[test]
    fn scheme_rules_differ_between_3_10_and_3_11() {
        assert_eq!(split("1a://h:x/")[0], "");
        assert_eq!(split_with("1a://h:x/", Dialect::CPYTHON_3_10).unwrap()[0], "1a");
        assert_eq!(split("a+b.c-d://h")[0], "a+b.c-d");
        assert_eq!(split("é://h")[0], "");
    }

    #[test]
    fn brackets() {
        let d10 = Dialect::CPYTHON_3_10;
        let d11 = Dialect::CPYTHON_3_11;
        assert_eq!(split_with("http://[::1/", d11), Err(UrlError::UnbalancedBrackets));
        assert_eq!(split_with("http://::1]/", d10), Err(UrlError::UnbalancedBrackets));
        assert!(split_with("http://[zz]/", d10).is_ok());
        assert_eq!(
            split_with("http://[zz]/", d11),
            Err(UrlError::InvalidBracketedHost(Some("zz".into())))
        );
        // CPython 3.11 checks `x`, out of the userinfo: the message leaves it out.
        assert_eq!(
            split_with("http://u[x]@[::1]/", d11),
            Err(UrlError::InvalidBracketedHost(None))
        );
        assert_eq!(
            UrlError::InvalidBracketedHost(Some("zz".into())).to_string(),
            "\"zz\" does not appear to be an IPv4 or IPv6 address"
        );
        assert!(split_with("http://[::1]:80/", d11).is_ok());
    }

    /// The examples of gh-103848, gh-105704 and gh-105708, in every generation.
    #[test]
    fn bracket_generations() {
        use BracketCheck::*;
        let ok = |url: &str, dialect: Dialect| split_with(url, dialect).is_ok();
        for dialect in Dialect::GENERATIONS {
            let check = dialect.bracket_check;
            // gh-103848: bracketed hosts are validated at all.
            assert_eq!(ok("http://[zz]/", dialect), check == Unchecked, "{dialect:?}");
            assert!(ok("http://[::1]:80/", dialect));
            assert!(!ok("http://[::1/", dialect));
            // gh-105704: no text before `[`, nothing after `]` but `:port`, the host after `@`.
            assert_eq!(ok("http://x[::1]/", dialect), check != HostInfo, "{dialect:?}");
            assert_eq!(ok("http://[::1]x/", dialect), check != HostInfo, "{dialect:?}");
            assert_eq!(
                ok("http://[::1]@host/", dialect),
                check != HostInfo,
                "{dialect:?}"
            );
            assert_eq!(
                ok("http://[a@[::1]/", dialect),
                check != FirstBracketed,
                "{dialect:?}"
            );
            assert_eq!(
                ok("http://u[x]@[::1]/", dialect),
                check != FirstBracketed,
                "{dialect:?}"
            );
            // The host of a netloc whose brackets are all in the userinfo is checked too.
            assert_eq!(ok("http://[u]@h:1/", dialect), check == Unchecked, "{dialect:?}");
            assert_eq!(
                ok("http://[u]@v1.x/", dialect),
                check != FirstBracketed,
                "{dialect:?}"
            );
            // gh-105708: `V` starts an IPvFuture literal too.
            let upper = ok("http://[V1.x]/", dialect);
            assert_eq!(
                upper,
                check == Unchecked || dialect.ipvfuture_upper_v,
                "{dialect:?}"
            );
            assert!(ok("http://[v1.x]/", dialect));
        }
        let d = Dialect::CPYTHON_3_13_15;
        assert_eq!(split_with("//[::]x", d), Err(UrlError::TextAroundBrackets));
        assert_eq!(split_with("http://[V.x]/", d), Err(UrlError::InvalidIpvFuture));
        assert_eq!(
            split_with("http://[V1.x]/", Dialect::CPYTHON_3_11_12),
            Err(UrlError::InvalidBracketedHost(Some("V1.x".into())))
        );
        // The bracket check comes before the NFKC check.
        assert_eq!(
            split_with("http://\u{2100}[::1]/", d),
            Err(UrlError::TextAroundBrackets)
        );
        assert_eq!(
            split_with("http://\u{2100}[::1]/", Dialect::CPYTHON_3_11),
            Err(UrlError::NfkcDelimiter(Some("\u{2100}[::1]".into())))
        );
    }

    #[test]
    fn nfkc_delimiters_are_refused() {
        let rules = UrlRules::default();
        assert_eq!(
            urlsplit("http://a\u{2100}b/", &rules),
            Err(UrlError::NfkcDelimiter(Some("a\u{2100}b".into())))
        );
        assert_eq!(
            urlsplit("http://x\u{FF0F}/", &rules),
            Err(UrlError::NfkcDelimiter(Some("x\u{FF0F}".into())))
        );
        // A netloc with userinfo (which may be a password) is left out of the message.
        assert_eq!(
            urlsplit("http://u:p\u{2100}@h/", &rules),
            Err(UrlError::NfkcDelimiter(None))
        );
        assert!(urlsplit("http://bücher.de/", &rules).is_ok());
        // Only the netloc is checked.
        assert!(urlsplit("http://h/\u{2100}", &rules).is_ok());
    }

    #[test]
    fn host_and_port_edges() {
        assert_eq!(host_and_port("u:p@H:80"), ("H", Some("80")));
        assert_eq!(host_and_port("a@b@c:1:2"), ("c", Some("1:2")));
        assert_eq!(host_and_port("[::1]x:9"), ("::1", Some("9")));
        assert_eq!(host_and_port("[::1"), ("::1", None));
        assert_eq!(host_and_port("h:"), ("h", None));
        let u = StdUnicode;
        assert_eq!(hostname("[FE80::1%ETH0]", &u).as_deref(), Some("fe80::1%ETH0"));
        assert_eq!(hostname("u@:80", &u), None);
        assert_eq!(hostname("ÉX.com", &u).as_deref(), Some("éx.com"));
    }

    #[test]
    fn ports() {
        assert_eq!(port("h:0443"), Ok(Some(443)));
        assert_eq!(port("h:000000000000080"), Ok(Some(80)));
        assert_eq!(port("h:65535"), Ok(Some(65535)));
        assert_eq!(port("h:65536"), Err(UrlError::PortOutOfRange));
        assert_eq!(port("h:9999999999999"), Err(UrlError::PortOutOfRange));
        assert_eq!(port("h:+80"), Err(UrlError::PortNotInteger("+80".into())));
        assert_eq!(port("h:８０"), Err(UrlError::PortNotInteger("８０".into())));
        assert_eq!(port("h:0"), Ok(Some(0)));
        assert_eq!(port("h"), Ok(None));
    }

    #[test]
    fn params_leave_the_path() {
        assert_eq!(path_without_params("https", "/a;x/b;y;z"), "/a;x/b");
        assert_eq!(path_without_params("https", "a;b"), "a");
        assert_eq!(path_without_params("mailto", "/a;b"), "/a;b");
        assert_eq!(path_without_params("https", "/a;b/c"), "/a;b/c");
    }
}
