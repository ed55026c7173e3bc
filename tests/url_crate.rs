//! Why the `url` crate (WHATWG URL Standard) is not used to split signed URLs: the platform
//! signs the URL text it POSTed to, byte for byte, and the reference rebuilds its Scheme B
//! port variant with `urllib.parse`. WHATWG parsing rewrites the text, so a signature over
//! the URL as received stops matching the crate's serialization. Each URL below is one such
//! rewrite; the core signs and validates the text as given, and its port variant is the one
//! `urlunparse` would build, which the crate's serialization is not either.

use signalwire_webhook::candidates::candidate_urls;
use signalwire_webhook::sign::{scheme_a_signature, scheme_b_signature};
use signalwire_webhook::{UrlRules, validate_request_params, validate_webhook_signature};
use url::Url;

const KEY: &[u8] = b"PSKtest1234567890abcdef";

/// (URL as received, what WHATWG serializes it to, the rewrite).
const REWRITTEN: &[(&str, &str, &str)] = &[
    (
        "https://Example.COM/webhook",
        "https://example.com/webhook",
        "host lower-cased",
    ),
    (
        "HTTPS://example.com/webhook",
        "https://example.com/webhook",
        "scheme lower-cased",
    ),
    (
        "https://example.com:443/webhook",
        "https://example.com/webhook",
        "default port dropped",
    ),
    (
        "https://example.com",
        "https://example.com/",
        "empty path becomes /",
    ),
    (
        "https://example.com/a/../webhook",
        "https://example.com/webhook",
        "dot segments resolved",
    ),
    (
        "https://example.com/a/./b",
        "https://example.com/a/b",
        "dot segment removed",
    ),
    (
        "https://example.com/we bhook",
        "https://example.com/we%20bhook",
        "space percent-encoded",
    ),
    (
        "https://example.com/w?q=é",
        "https://example.com/w?q=%C3%A9",
        "query percent-encoded",
    ),
    (
        "https://example.com/é",
        "https://example.com/%C3%A9",
        "path percent-encoded",
    ),
    ("https://bücher.de/w", "https://xn--bcher-kva.de/w", "IDNA host"),
    (
        "https://example.com\\webhook",
        "https://example.com/webhook",
        "backslash becomes /",
    ),
    (
        "https://example.com:0443/w",
        "https://example.com/w",
        "port leading zeros",
    ),
    ("https://0x7f.1/w", "https://127.0.0.1/w", "IPv4 number forms"),
    ("https://[0:0::1]/w", "https://[::1]/w", "IPv6 compressed"),
    (
        "https://example.com/w#f g",
        "https://example.com/w#f%20g",
        "fragment percent-encoded",
    ),
];

#[test]
fn whatwg_rewrites_the_signed_bytes() {
    let rules = UrlRules::default();
    for &(received, whatwg, why) in REWRITTEN {
        let parsed = Url::parse(received).unwrap_or_else(|e| panic!("{received}: {e}"));
        assert_eq!(parsed.as_str(), whatwg, "{why}");
        assert_ne!(parsed.as_str(), received, "{why}: no rewrite");

        // Scheme A over the URL as received validates; over the crate's text it does not.
        let body = "{}";
        let header = scheme_a_signature(KEY, received, body.as_bytes());
        assert_eq!(
            validate_webhook_signature(KEY, &header, received, body, &rules),
            Ok(true),
            "{why}"
        );
        let rewritten = scheme_a_signature(KEY, parsed.as_str(), body.as_bytes());
        assert_eq!(
            validate_webhook_signature(KEY, &rewritten, received, body, &rules),
            Ok(false),
            "{why}: a signature over the WHATWG text validated"
        );

        // Scheme B tries the URL as received first: the crate's text is not it.
        let params = [("CallSid", "CA1")];
        let header = scheme_b_signature(KEY, received, &params);
        assert_eq!(
            validate_request_params(KEY, &header, received, &params, &rules),
            Ok(true),
            "{why}"
        );
        let candidates = candidate_urls(received, &rules).unwrap();
        assert_eq!(candidates.iter().next(), Some(received));
    }
}

/// The port variant is `urlunparse`'s rebuild, which keeps what WHATWG would change (the
/// path's dot segments, its spaces, the backslash, which stays in the host) and lower-cases
/// only scheme and host. (Variants as the reference's `_candidate_urls` lists them.)
#[test]
fn port_variants_are_urlunparse_not_whatwg() {
    let rules = UrlRules::default();
    for (received, variant) in [
        ("https://Example.COM/a/../w", "https://example.com:443/a/../w"),
        ("https://example.com/we bhook", "https://example.com:443/we bhook"),
        ("https://example.com:443/w?q=é", "https://example.com/w?q=é"),
        ("https://example.com\\w", "https://example.com\\w:443"),
        ("https://bücher.de/w", "https://bücher.de:443/w"),
    ] {
        let candidates = candidate_urls(received, &rules).unwrap();
        let listed: Vec<&str> = candidates.iter().collect();
        assert_eq!(listed, [received, variant]);
        let mut whatwg = Url::parse(received).unwrap();
        let _ = whatwg.set_port(Some(443)); // a default port never shows in WHATWG's text
        assert_ne!(whatwg.as_str(), variant);
    }
}
