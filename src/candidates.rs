//! The URLs Scheme B tries: the URL as received, plus the same URL with the scheme's
//! default port added (when it has none) or removed (when it has exactly that port).
//! The variant is rebuilt the way `urlunparse` rebuilds it from `urlparse`'s parts: scheme
//! and host lower-cased, userinfo and `;params` dropped, IPv6 hosts bracketed again.
#![forbid(unsafe_code)]

use crate::error::UrlError;
use crate::form::last_query_value;
use crate::scheme::{body_sha256_hex, ct_eq};
use crate::urlsplit::{UrlRules, has_byte, hostname, path_without_params, port, urlsplit};

/// The URL as given, then at most one port variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateUrls<'a> {
    original: &'a str,
    port_variant: Option<String>,
}

impl<'a> CandidateUrls<'a> {
    /// The candidates in the order they are tried.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.original).chain(self.port_variant.as_deref())
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// Parses `url` as the reference does (raising what it raises) and lists the candidates.
pub fn candidate_urls<'a>(url: &'a str, rules: &UrlRules<'_>) -> Result<CandidateUrls<'a>, UrlError> {
    let split = urlsplit(url, rules)?;
    let host = hostname(&split.netloc, rules.unicode);
    let port = port(&split.netloc)?;
    let mut candidates = CandidateUrls {
        original: url,
        port_variant: None,
    };
    let (Some(host), Some(standard)) = (host, default_port(&split.scheme)) else {
        return Ok(candidates);
    };
    let variant_port = match port {
        None => Some(standard),
        Some(p) if p == standard => None,
        Some(_) => return Ok(candidates),
    };
    let mut variant = String::with_capacity(url.len() + 6);
    variant.push_str(&split.scheme);
    variant.push_str("://");
    if has_byte(&host, b':') && !host.starts_with('[') {
        variant.push('[');
        variant.push_str(&host);
        variant.push(']');
    } else {
        variant.push_str(&host);
    }
    match variant_port {
        Some(80) => variant.push_str(":80"),
        Some(443) => variant.push_str(":443"),
        _ => {}
    }
    let path = path_without_params(&split.scheme, &split.path);
    if !path.is_empty() && !path.starts_with('/') {
        variant.push('/');
    }
    variant.push_str(path);
    for (mark, part) in [('?', &split.query), ('#', &split.fragment)] {
        if !part.is_empty() {
            variant.push(mark);
            variant.push_str(part);
        }
    }
    if variant != url {
        candidates.port_variant = Some(variant);
    }
    Ok(candidates)
}

/// After a Scheme B match on `candidate`: when its query carries `bodySHA256` (last one
/// wins), the body's SHA-256 hex must equal it. The candidate is parsed again, as the
/// reference does, so a variant that does not parse raises here.
pub fn body_sha256_allows(candidate: &str, body: &[u8], rules: &UrlRules<'_>) -> Result<bool, UrlError> {
    let split = urlsplit(candidate, rules)?;
    port(&split.netloc)?;
    Ok(match last_query_value(&split.query, "bodySHA256") {
        None => true,
        Some(expected) => ct_eq(&body_sha256_hex(body), expected.as_bytes()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::urlsplit::Dialect;

    fn list(url: &str) -> Vec<String> {
        list_with(url, Dialect::CPYTHON_3_11)
    }

    fn list_with(url: &str, dialect: Dialect) -> Vec<String> {
        let c = candidate_urls(url, &UrlRules::cpython(dialect)).unwrap();
        c.iter().map(str::to_owned).collect()
    }

    #[test]
    fn default_port_is_added_or_removed() {
        assert_eq!(
            list("https://h/p?q#f"),
            ["https://h/p?q#f", "https://h:443/p?q#f"]
        );
        assert_eq!(list("http://h"), ["http://h", "http://h:80"]);
        assert_eq!(
            list("HTTPS://U:P@Ex.COM:0443/a;x?"),
            ["HTTPS://U:P@Ex.COM:0443/a;x?", "https://ex.com/a"]
        );
        assert_eq!(list("https://h:8443/p"), ["https://h:8443/p"]);
        assert_eq!(list("https://h:80/p"), ["https://h:80/p"]);
        assert_eq!(list("ftp://h/p"), ["ftp://h/p"]);
        assert_eq!(list("/relative"), ["/relative"]);
        assert_eq!(list("https://:443/p"), ["https://:443/p"]);
    }

    #[test]
    fn ipv6_hosts_are_bracketed_again() {
        assert_eq!(list("http://[::1]/x"), ["http://[::1]/x", "http://[::1]:80/x"]);
        assert_eq!(
            list("http://[FE80::1%25Eth0]:80"),
            ["http://[FE80::1%25Eth0]:80", "http://[fe80::1%25Eth0]"]
        );
        // 3.10 keeps a stray bracket in the host and rebuilds an unparsable URL.
        assert_eq!(
            list_with("http://[[::1]/", Dialect::CPYTHON_3_10),
            ["http://[[::1]/", "http://[::1:80/"]
        );
    }

    #[test]
    fn errors_surface_even_without_a_host() {
        let rules = UrlRules::default();
        assert_eq!(
            candidate_urls("https://:x/", &rules),
            Err(UrlError::PortNotInteger("x".into()))
        );
        assert_eq!(
            candidate_urls("https://h:65536/", &rules),
            Err(UrlError::PortOutOfRange)
        );
    }

    #[test]
    fn body_sha256_query_parameter() {
        let rules = UrlRules::default();
        let hex = String::from_utf8(body_sha256_hex(b"{}").to_vec()).unwrap();
        assert!(body_sha256_allows("https://h/?a=1", b"{}", &rules).unwrap());
        assert!(body_sha256_allows(&format!("https://h/?bodySHA256={hex}"), b"{}", &rules).unwrap());
        assert!(!body_sha256_allows(&format!("https://h/?bodySHA256={hex}"), b"{ }", &rules).unwrap());
        assert!(
            !body_sha256_allows(
                &format!("https://h/?bodySHA256={hex}&bodySHA256=0"),
                b"{}",
                &rules
            )
            .unwrap()
        );
        let upper = hex.to_uppercase();
        assert!(!body_sha256_allows(&format!("https://h/?bodySHA256={upper}"), b"{}", &rules).unwrap());
        let rules10 = UrlRules::cpython(Dialect::CPYTHON_3_10);
        assert_eq!(
            body_sha256_allows("http://[::1:80/", b"", &rules10),
            Err(UrlError::UnbalancedBrackets)
        );
    }
}
