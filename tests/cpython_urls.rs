//! `urlsplit`, `.hostname`, `.port` and the Scheme B candidate URLs against answers
//! CPython gave, pasted below (regenerate with the scripts in the comments).
//!
//! The split tables were printed by `urllib.parse.urlsplit(url)` and its `.hostname` and
//! `.port` on CPython 3.11.7 (the [`Dialect::CPYTHON_3_11`] generation) and 3.10.13
//! ([`Dialect::CPYTHON_3_10`]); an error is recorded by its kind:
//!
//! ```python
//! from urllib.parse import urlsplit
//! def kind(e):
//!     m = str(e)
//!     if m == "Invalid IPv6 URL": return "ipv6"
//!     if "NFKC" in m: return "nfkc"
//!     if "cast to integer" in m: return "port-int"
//!     if "out of range" in m: return "port-range"
//!     return "host"  # ipaddress's and the IPvFuture/IPv4-in-brackets messages
//! for url in URLS:
//!     try: p = urlsplit(url)
//!     except ValueError as e: print(url, "Err", kind(e)); continue
//!     try: port = p.port
//!     except ValueError as e: port = ("Err", kind(e))
//!     print(url, tuple(p), p.hostname, port)
//! ```
//!
//! The candidate table was printed by the reference itself, signalwire-sdk 3.7.5's
//! `webhook_validator._candidate_urls(url)`, on CPython 3.11.7.

use signalwire_webhook::UrlError;
use signalwire_webhook::candidates::candidate_urls;
use signalwire_webhook::urlsplit::{Dialect, StdUnicode, UrlRules, hostname, port, urlsplit};

type Split = Result<[&'static str; 5], &'static str>;
type Port = Result<Option<u16>, &'static str>;

/// (URL, `urlsplit` parts or error kind, `.hostname`, `.port` or error kind) on CPython 3.11.7.
#[rustfmt::skip]
const CPYTHON_3_11_7: &[(&str, Split, Option<&str>, Port)] = &[
    ("https://example.ngrok.io/webhook", Ok(["https", "example.ngrok.io", "/webhook", "", ""]), Some("example.ngrok.io"), Ok(None)),
    ("HTTPS://Ex.COM:0443/a/b;p?q=1#f", Ok(["https", "Ex.COM:0443", "/a/b;p", "q=1", "f"]), Some("ex.com"), Ok(Some(443))),
    ("https://h?x#y?z", Ok(["https", "h", "", "x", "y?z"]), Some("h"), Ok(None)),
    ("https://h#a?b", Ok(["https", "h", "", "", "a?b"]), Some("h"), Ok(None)),
    ("mailto:x@y", Ok(["mailto", "", "x@y", "", ""]), None, Ok(None)),
    ("//h/p", Ok(["", "h", "/p", "", ""]), Some("h"), Ok(None)),
    ("h:80", Ok(["h", "", "80", "", ""]), None, Ok(None)),
    ("http:", Ok(["http", "", "", "", ""]), None, Ok(None)),
    ("http://", Ok(["http", "", "", "", ""]), None, Ok(None)),
    ("http:///p", Ok(["http", "", "/p", "", ""]), None, Ok(None)),
    ("https:h", Ok(["https", "", "h", "", ""]), None, Ok(None)),
    ("a:", Ok(["a", "", "", "", ""]), None, Ok(None)),
    (":x", Ok(["", "", ":x", "", ""]), None, Ok(None)),
    ("1a://h:1/", Ok(["", "", "1a://h:1/", "", ""]), None, Ok(None)),
    ("a+b.c-d://h/", Ok(["a+b.c-d", "h", "/", "", ""]), Some("h"), Ok(None)),
    ("a_b://h/", Ok(["", "", "a_b://h/", "", ""]), None, Ok(None)),
    ("\u{e9}://h", Ok(["", "", "\u{e9}://h", "", ""]), None, Ok(None)),
    ("\u{0} \u{1f}https://h/p", Ok(["https", "h", "/p", "", ""]), Some("h"), Ok(None)),
    (" \u{9}https://h/p", Ok(["https", "h", "/p", "", ""]), Some("h"), Ok(None)),
    ("ht\u{9}tp://h\u{d}/p\u{a}?q\u{9}#f\u{a}", Ok(["http", "h", "/p", "q", "f"]), Some("h"), Ok(None)),
    ("https://h/p \u{1}", Ok(["https", "h", "/p \u{1}", "", ""]), Some("h"), Ok(None)),
    ("https://u:p@H.example:8080/p", Ok(["https", "u:p@H.example:8080", "/p", "", ""]), Some("h.example"), Ok(Some(8080))),
    ("https://a@b@c:1:2/", Ok(["https", "a@b@c:1:2", "/", "", ""]), Some("c"), Err("port-int")),
    ("https://h:/", Ok(["https", "h:", "/", "", ""]), Some("h"), Ok(None)),
    ("https://h:+80/", Ok(["https", "h:+80", "/", "", ""]), Some("h"), Err("port-int")),
    ("https://h:-1/", Ok(["https", "h:-1", "/", "", ""]), Some("h"), Err("port-int")),
    ("https://h:\u{ff18}\u{ff10}/", Ok(["https", "h:\u{ff18}\u{ff10}", "/", "", ""]), Some("h"), Err("port-int")),
    ("https://h:0/", Ok(["https", "h:0", "/", "", ""]), Some("h"), Ok(Some(0))),
    ("https://h:65535/", Ok(["https", "h:65535", "/", "", ""]), Some("h"), Ok(Some(65535))),
    ("https://h:65536/", Ok(["https", "h:65536", "/", "", ""]), Some("h"), Err("port-range")),
    ("https://h:000000000000080/", Ok(["https", "h:000000000000080", "/", "", ""]), Some("h"), Ok(Some(80))),
    ("https://h:99999999999999999999/", Ok(["https", "h:99999999999999999999", "/", "", ""]), Some("h"), Err("port-range")),
    ("https://h: 80/", Ok(["https", "h: 80", "/", "", ""]), Some("h"), Err("port-int")),
    ("https://h:8 0/", Ok(["https", "h:8 0", "/", "", ""]), Some("h"), Err("port-int")),
    ("http://[::1]/x", Ok(["http", "[::1]", "/x", "", ""]), Some("::1"), Ok(None)),
    ("http://[::1]:80/x", Ok(["http", "[::1]:80", "/x", "", ""]), Some("::1"), Ok(Some(80))),
    ("http://[FE80::1%25Eth0]:80/", Ok(["http", "[FE80::1%25Eth0]:80", "/", "", ""]), Some("fe80::1%25Eth0"), Ok(Some(80))),
    ("http://[::1/", Err("ipv6"), None, Ok(None)),
    ("http://::1]/", Err("ipv6"), None, Ok(None)),
    ("http://[zz]/", Err("host"), None, Ok(None)),
    ("http://[1.2.3.4]/", Err("host"), None, Ok(None)),
    ("http://[v1.x]/", Ok(["http", "[v1.x]", "/", "", ""]), Some("v1.x"), Ok(None)),
    ("http://[V1.x]/", Err("host"), None, Ok(None)),
    ("http://[v.x]/", Err("host"), None, Ok(None)),
    ("http://x[::1]/", Ok(["http", "x[::1]", "/", "", ""]), Some("::1"), Ok(None)),
    ("http://[::1]x/", Ok(["http", "[::1]x", "/", "", ""]), Some("::1"), Ok(None)),
    ("http://[::1]@host/", Ok(["http", "[::1]@host", "/", "", ""]), Some("host"), Ok(None)),
    ("http://u[x]@[::1]/", Err("host"), None, Ok(None)),
    ("http://[a@[::1]/", Err("host"), None, Ok(None)),
    ("http://[u]@h:1/", Err("host"), None, Ok(None)),
    ("http://[::1]:x/", Ok(["http", "[::1]:x", "/", "", ""]), Some("::1"), Err("port-int")),
    ("http://[::1]:/", Ok(["http", "[::1]:", "/", "", ""]), Some("::1"), Ok(None)),
    ("http://a\u{2100}b/", Err("nfkc"), None, Ok(None)),
    ("http://x\u{ff0f}/", Err("nfkc"), None, Ok(None)),
    ("http://b\u{fc}cher.de/", Ok(["http", "b\u{fc}cher.de", "/", "", ""]), Some("b\u{fc}cher.de"), Ok(None)),
    ("http://h/\u{2100}", Ok(["http", "h", "/\u{2100}", "", ""]), Some("h"), Ok(None)),
    ("http://\u{c9}X.com/", Ok(["http", "\u{c9}X.com", "/", "", ""]), Some("\u{e9}x.com"), Ok(None)),
    ("http://\u{130}x.com/", Ok(["http", "\u{130}x.com", "/", "", ""]), Some("i\u{307}x.com"), Ok(None)),
    ("https://h/a;x/b;y;z?q", Ok(["https", "h", "/a;x/b;y;z", "q", ""]), Some("h"), Ok(None)),
    ("https:/p", Ok(["https", "", "/p", "", ""]), None, Ok(None)),
    ("https:///", Ok(["https", "", "/", "", ""]), None, Ok(None)),
    ("https://h?", Ok(["https", "h", "", "", ""]), Some("h"), Ok(None)),
    ("https://h#", Ok(["https", "h", "", "", ""]), Some("h"), Ok(None)),
    ("https://h/?#", Ok(["https", "h", "/", "", ""]), Some("h"), Ok(None)),
    ("?q", Ok(["", "", "", "q", ""]), None, Ok(None)),
    ("#f", Ok(["", "", "", "", "f"]), None, Ok(None)),
    ("", Ok(["", "", "", "", ""]), None, Ok(None)),
    ("   ", Ok(["", "", "", "", ""]), None, Ok(None)),
    ("https://%41.com/", Ok(["https", "%41.com", "/", "", ""]), Some("%41.com"), Ok(None)),
    ("https://h\\p", Ok(["https", "h\\p", "", "", ""]), Some("h\\p"), Ok(None)),
    ("https://h:80:90/", Ok(["https", "h:80:90", "/", "", ""]), Some("h"), Err("port-int")),
    ("http://\u{ff45}x.com/", Ok(["http", "\u{ff45}x.com", "/", "", ""]), Some("\u{ff45}x.com"), Ok(None)),
    ("http://u:\u{ff50}@\u{ff45}x.com:80/", Ok(["http", "u:\u{ff50}@\u{ff45}x.com:80", "/", "", ""]), Some("\u{ff45}x.com"), Ok(Some(80))),
    ("http://x\u{aa}/", Ok(["http", "x\u{aa}", "/", "", ""]), Some("x\u{aa}"), Ok(None)),
    ("http://[::ffff:1.2.3.4]/", Ok(["http", "[::ffff:1.2.3.4]", "/", "", ""]), Some("::ffff:1.2.3.4"), Ok(None)),
    ("http://[::1]]/", Ok(["http", "[::1]]", "/", "", ""]), Some("::1"), Ok(None)),
    ("http://[[::1]/", Err("host"), None, Ok(None)),
];

/// The same URLs on CPython 3.10.13.
#[rustfmt::skip]
const CPYTHON_3_10_13: &[(&str, Split, Option<&str>, Port)] = &[
    ("https://example.ngrok.io/webhook", Ok(["https", "example.ngrok.io", "/webhook", "", ""]), Some("example.ngrok.io"), Ok(None)),
    ("HTTPS://Ex.COM:0443/a/b;p?q=1#f", Ok(["https", "Ex.COM:0443", "/a/b;p", "q=1", "f"]), Some("ex.com"), Ok(Some(443))),
    ("https://h?x#y?z", Ok(["https", "h", "", "x", "y?z"]), Some("h"), Ok(None)),
    ("https://h#a?b", Ok(["https", "h", "", "", "a?b"]), Some("h"), Ok(None)),
    ("mailto:x@y", Ok(["mailto", "", "x@y", "", ""]), None, Ok(None)),
    ("//h/p", Ok(["", "h", "/p", "", ""]), Some("h"), Ok(None)),
    ("h:80", Ok(["h", "", "80", "", ""]), None, Ok(None)),
    ("http:", Ok(["http", "", "", "", ""]), None, Ok(None)),
    ("http://", Ok(["http", "", "", "", ""]), None, Ok(None)),
    ("http:///p", Ok(["http", "", "/p", "", ""]), None, Ok(None)),
    ("https:h", Ok(["https", "", "h", "", ""]), None, Ok(None)),
    ("a:", Ok(["a", "", "", "", ""]), None, Ok(None)),
    (":x", Ok(["", "", ":x", "", ""]), None, Ok(None)),
    ("1a://h:1/", Ok(["1a", "h:1", "/", "", ""]), Some("h"), Ok(Some(1))),
    ("a+b.c-d://h/", Ok(["a+b.c-d", "h", "/", "", ""]), Some("h"), Ok(None)),
    ("a_b://h/", Ok(["", "", "a_b://h/", "", ""]), None, Ok(None)),
    ("\u{e9}://h", Ok(["", "", "\u{e9}://h", "", ""]), None, Ok(None)),
    ("\u{0} \u{1f}https://h/p", Ok(["https", "h", "/p", "", ""]), Some("h"), Ok(None)),
    (" \u{9}https://h/p", Ok(["https", "h", "/p", "", ""]), Some("h"), Ok(None)),
    ("ht\u{9}tp://h\u{d}/p\u{a}?q\u{9}#f\u{a}", Ok(["http", "h", "/p", "q", "f"]), Some("h"), Ok(None)),
    ("https://h/p \u{1}", Ok(["https", "h", "/p \u{1}", "", ""]), Some("h"), Ok(None)),
    ("https://u:p@H.example:8080/p", Ok(["https", "u:p@H.example:8080", "/p", "", ""]), Some("h.example"), Ok(Some(8080))),
    ("https://a@b@c:1:2/", Ok(["https", "a@b@c:1:2", "/", "", ""]), Some("c"), Err("port-int")),
    ("https://h:/", Ok(["https", "h:", "/", "", ""]), Some("h"), Ok(None)),
    ("https://h:+80/", Ok(["https", "h:+80", "/", "", ""]), Some("h"), Err("port-int")),
    ("https://h:-1/", Ok(["https", "h:-1", "/", "", ""]), Some("h"), Err("port-int")),
    ("https://h:\u{ff18}\u{ff10}/", Ok(["https", "h:\u{ff18}\u{ff10}", "/", "", ""]), Some("h"), Err("port-int")),
    ("https://h:0/", Ok(["https", "h:0", "/", "", ""]), Some("h"), Ok(Some(0))),
    ("https://h:65535/", Ok(["https", "h:65535", "/", "", ""]), Some("h"), Ok(Some(65535))),
    ("https://h:65536/", Ok(["https", "h:65536", "/", "", ""]), Some("h"), Err("port-range")),
    ("https://h:000000000000080/", Ok(["https", "h:000000000000080", "/", "", ""]), Some("h"), Ok(Some(80))),
    ("https://h:99999999999999999999/", Ok(["https", "h:99999999999999999999", "/", "", ""]), Some("h"), Err("port-range")),
    ("https://h: 80/", Ok(["https", "h: 80", "/", "", ""]), Some("h"), Err("port-int")),
    ("https://h:8 0/", Ok(["https", "h:8 0", "/", "", ""]), Some("h"), Err("port-int")),
    ("http://[::1]/x", Ok(["http", "[::1]", "/x", "", ""]), Some("::1"), Ok(None)),
    ("http://[::1]:80/x", Ok(["http", "[::1]:80", "/x", "", ""]), Some("::1"), Ok(Some(80))),
    ("http://[FE80::1%25Eth0]:80/", Ok(["http", "[FE80::1%25Eth0]:80", "/", "", ""]), Some("fe80::1%25Eth0"), Ok(Some(80))),
    ("http://[::1/", Err("ipv6"), None, Ok(None)),
    ("http://::1]/", Err("ipv6"), None, Ok(None)),
    ("http://[zz]/", Ok(["http", "[zz]", "/", "", ""]), Some("zz"), Ok(None)),
    ("http://[1.2.3.4]/", Ok(["http", "[1.2.3.4]", "/", "", ""]), Some("1.2.3.4"), Ok(None)),
    ("http://[v1.x]/", Ok(["http", "[v1.x]", "/", "", ""]), Some("v1.x"), Ok(None)),
    ("http://[V1.x]/", Ok(["http", "[V1.x]", "/", "", ""]), Some("v1.x"), Ok(None)),
    ("http://[v.x]/", Ok(["http", "[v.x]", "/", "", ""]), Some("v.x"), Ok(None)),
    ("http://x[::1]/", Ok(["http", "x[::1]", "/", "", ""]), Some("::1"), Ok(None)),
    ("http://[::1]x/", Ok(["http", "[::1]x", "/", "", ""]), Some("::1"), Ok(None)),
    ("http://[::1]@host/", Ok(["http", "[::1]@host", "/", "", ""]), Some("host"), Ok(None)),
    ("http://u[x]@[::1]/", Ok(["http", "u[x]@[::1]", "/", "", ""]), Some("::1"), Ok(None)),
    ("http://[a@[::1]/", Ok(["http", "[a@[::1]", "/", "", ""]), Some("::1"), Ok(None)),
    ("http://[u]@h:1/", Ok(["http", "[u]@h:1", "/", "", ""]), Some("h"), Ok(Some(1))),
    ("http://[::1]:x/", Ok(["http", "[::1]:x", "/", "", ""]), Some("::1"), Err("port-int")),
    ("http://[::1]:/", Ok(["http", "[::1]:", "/", "", ""]), Some("::1"), Ok(None)),
    ("http://a\u{2100}b/", Err("nfkc"), None, Ok(None)),
    ("http://x\u{ff0f}/", Err("nfkc"), None, Ok(None)),
    ("http://b\u{fc}cher.de/", Ok(["http", "b\u{fc}cher.de", "/", "", ""]), Some("b\u{fc}cher.de"), Ok(None)),
    ("http://h/\u{2100}", Ok(["http", "h", "/\u{2100}", "", ""]), Some("h"), Ok(None)),
    ("http://\u{c9}X.com/", Ok(["http", "\u{c9}X.com", "/", "", ""]), Some("\u{e9}x.com"), Ok(None)),
    ("http://\u{130}x.com/", Ok(["http", "\u{130}x.com", "/", "", ""]), Some("i\u{307}x.com"), Ok(None)),
    ("https://h/a;x/b;y;z?q", Ok(["https", "h", "/a;x/b;y;z", "q", ""]), Some("h"), Ok(None)),
    ("https:/p", Ok(["https", "", "/p", "", ""]), None, Ok(None)),
    ("https:///", Ok(["https", "", "/", "", ""]), None, Ok(None)),
    ("https://h?", Ok(["https", "h", "", "", ""]), Some("h"), Ok(None)),
    ("https://h#", Ok(["https", "h", "", "", ""]), Some("h"), Ok(None)),
    ("https://h/?#", Ok(["https", "h", "/", "", ""]), Some("h"), Ok(None)),
    ("?q", Ok(["", "", "", "q", ""]), None, Ok(None)),
    ("#f", Ok(["", "", "", "", "f"]), None, Ok(None)),
    ("", Ok(["", "", "", "", ""]), None, Ok(None)),
    ("   ", Ok(["", "", "", "", ""]), None, Ok(None)),
    ("https://%41.com/", Ok(["https", "%41.com", "/", "", ""]), Some("%41.com"), Ok(None)),
    ("https://h\\p", Ok(["https", "h\\p", "", "", ""]), Some("h\\p"), Ok(None)),
    ("https://h:80:90/", Ok(["https", "h:80:90", "/", "", ""]), Some("h"), Err("port-int")),
    ("http://\u{ff45}x.com/", Ok(["http", "\u{ff45}x.com", "/", "", ""]), Some("\u{ff45}x.com"), Ok(None)),
    ("http://u:\u{ff50}@\u{ff45}x.com:80/", Ok(["http", "u:\u{ff50}@\u{ff45}x.com:80", "/", "", ""]), Some("\u{ff45}x.com"), Ok(Some(80))),
    ("http://x\u{aa}/", Ok(["http", "x\u{aa}", "/", "", ""]), Some("x\u{aa}"), Ok(None)),
    ("http://[::ffff:1.2.3.4]/", Ok(["http", "[::ffff:1.2.3.4]", "/", "", ""]), Some("::ffff:1.2.3.4"), Ok(None)),
    ("http://[::1]]/", Ok(["http", "[::1]]", "/", "", ""]), Some("::1"), Ok(None)),
    ("http://[[::1]/", Ok(["http", "[[::1]", "/", "", ""]), Some("[::1"), Ok(None)),
];

/// (URL, `_candidate_urls(url)`) from signalwire-sdk 3.7.5 on CPython 3.11.7.
#[rustfmt::skip]
const CANDIDATES: &[(&str, &[&str])] = &[
    ("https://example.ngrok.io/webhook", &["https://example.ngrok.io/webhook", "https://example.ngrok.io:443/webhook"]),
    ("https://h/p?q#f", &["https://h/p?q#f", "https://h:443/p?q#f"]),
    ("http://h", &["http://h", "http://h:80"]),
    ("HTTPS://U:P@Ex.COM:0443/a;x?", &["HTTPS://U:P@Ex.COM:0443/a;x?", "https://ex.com/a"]),
    ("https://h:8443/p", &["https://h:8443/p"]),
    ("https://h:80/p", &["https://h:80/p"]),
    ("http://h:443/p", &["http://h:443/p"]),
    ("ftp://h/p", &["ftp://h/p"]),
    ("/relative", &["/relative"]),
    ("https://:443/p", &["https://:443/p"]),
    ("http://[::1]/x", &["http://[::1]/x", "http://[::1]:80/x"]),
    ("http://[FE80::1%25Eth0]:80", &["http://[FE80::1%25Eth0]:80", "http://[fe80::1%25Eth0]"]),
    ("https://h:443", &["https://h:443", "https://h"]),
    ("https://h:443/", &["https://h:443/", "https://h/"]),
    ("http://h:80/?a=1#", &["http://h:80/?a=1#", "http://h/?a=1"]),
    ("http://h/a;b/c;d?x", &["http://h/a;b/c;d?x", "http://h:80/a;b/c?x"]),
    ("https://h/;p", &["https://h/;p", "https://h:443/"]),
    ("https://h;p", &["https://h;p", "https://h;p:443"]),
    ("https://U@h/p", &["https://U@h/p", "https://h:443/p"]),
    ("https://h/p?", &["https://h/p?", "https://h:443/p"]),
    ("https://h/p#", &["https://h/p#", "https://h:443/p"]),
    ("https://h#f", &["https://h#f", "https://h:443#f"]),
    ("https://h?q", &["https://h?q", "https://h:443?q"]),
    ("http://H\u{c9}.com/", &["http://H\u{c9}.com/", "http://h\u{e9}.com:80/"]),
    ("https://h:0/", &["https://h:0/"]),
    ("https://h:00443/p", &["https://h:00443/p", "https://h/p"]),
    ("https://h./p", &["https://h./p", "https://h.:443/p"]),
    ("https:h/p", &["https:h/p"]),
    ("https:/h/p", &["https:/h/p"]),
    ("HTTP://h:80", &["HTTP://h:80", "http://h"]),
    ("http://[::1]:80", &["http://[::1]:80", "http://[::1]"]),
    ("https://user@[::1]:443/x", &["https://user@[::1]:443/x", "https://[::1]/x"]),
    ("wss://h/p", &["wss://h/p"]),
    ("https://h:443/p?bodySHA256=abc", &["https://h:443/p?bodySHA256=abc", "https://h/p?bodySHA256=abc"]),
    ("https://h\u{9}:443/p", &["https://h\u{9}:443/p", "https://h/p"]),
    (" https://h/p", &[" https://h/p", "https://h:443/p"]),
    ("https://h/p q", &["https://h/p q", "https://h:443/p q"]),
];

fn kind(error: &UrlError) -> &'static str {
    match error {
        UrlError::UnbalancedBrackets | UrlError::TextAroundBrackets => "ipv6",
        UrlError::InvalidBracketedHost(_) | UrlError::InvalidIpvFuture | UrlError::Ipv4InBrackets => "host",
        UrlError::NfkcDelimiter(_) => "nfkc",
        UrlError::PortNotInteger(_) => "port-int",
        UrlError::PortOutOfRange => "port-range",
    }
}

fn check(table: &[(&str, Split, Option<&str>, Port)], dialect: Dialect) {
    let rules = UrlRules::cpython(dialect);
    for &(url, split, host, want_port) in table {
        let got = urlsplit(url, &rules);
        match (split, &got) {
            (Ok(parts), Ok(s)) => {
                let got_parts = [&*s.scheme, &*s.netloc, &*s.path, &*s.query, &*s.fragment];
                assert_eq!(got_parts, parts, "{url:?}");
                assert_eq!(hostname(&s.netloc, &StdUnicode).as_deref(), host, "{url:?}");
                assert_eq!(port(&s.netloc).map_err(|e| kind(&e)), want_port, "{url:?}");
            }
            (Err(want), Err(e)) => assert_eq!(kind(e), want, "{url:?}"),
            _ => panic!("{url:?}: {got:?}, CPython: {split:?}"),
        }
    }
}

#[test]
fn urlsplit_hostname_and_port_equal_cpython_3_11() {
    check(CPYTHON_3_11_7, Dialect::CPYTHON_3_11);
}

#[test]
fn urlsplit_hostname_and_port_equal_cpython_3_10() {
    check(CPYTHON_3_10_13, Dialect::CPYTHON_3_10);
}

/// Each generation against URLs that tell the releases apart, written out per release
/// from CPython's changelogs (3.11: a scheme starts with a letter; gh-103848: bracketed
/// hosts validated; gh-105704: no text around the brackets; gh-105708: `[V…]`), not
/// read off the `Dialect` fields.
#[test]
fn each_generation_behaves_as_its_releases() {
    const URLS: [&str; 4] = ["1a://h/", "http://[zz]/", "http://x[::1]/", "http://[V1.x]/"];
    // (generation, scheme of URLS[0], whether each of the other three splits)
    let releases = [
        (Dialect::CPYTHON_3_10, "1a", [true, true, true]),
        (Dialect::CPYTHON_3_10_16, "1a", [false, true, false]),
        (Dialect::CPYTHON_3_10_17, "1a", [false, false, false]),
        (Dialect::CPYTHON_3_11, "", [false, true, false]),
        (Dialect::CPYTHON_3_11_12, "", [false, false, false]),
        (Dialect::CPYTHON_3_13_15, "", [false, false, true]),
    ];
    assert_eq!(releases.map(|r| r.0), Dialect::GENERATIONS);
    for (dialect, scheme, splits) in releases {
        let rules = UrlRules::cpython(dialect);
        assert_eq!(urlsplit(URLS[0], &rules).unwrap().scheme, scheme, "{dialect:?}");
        for (url, ok) in URLS[1..].iter().zip(splits) {
            assert_eq!(urlsplit(url, &rules).is_ok(), ok, "{url} {dialect:?}");
        }
        assert!(dialect.strips_leading_c0);
    }
}

/// `UrlRules` prints its dialect, never the Unicode tables behind a trait object.
#[test]
fn url_rules_debug() {
    let text = format!("{:?}", UrlRules::cpython(Dialect::CPYTHON_3_10));
    let dialect = format!("{:?}", Dialect::CPYTHON_3_10);
    assert_eq!(text, format!("UrlRules {{ dialect: {dialect}, .. }}"));
}

#[test]
fn candidate_urls_equal_the_references() {
    let rules = UrlRules::cpython(Dialect::CPYTHON_3_11);
    for &(url, want) in CANDIDATES {
        let candidates = candidate_urls(url, &rules).unwrap();
        let got: Vec<&str> = candidates.iter().collect();
        assert_eq!(got, want, "{url:?}");
    }
}
