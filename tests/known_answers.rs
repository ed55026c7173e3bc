//! Known answers for the crate's security decisions, computed without this crate.
//!
//! Every signature and digest below was computed with CPython 3.11.7's `hmac`, `hashlib`,
//! `base64` and `urllib.parse`, from the scheme definitions in the crate's documentation,
//! not from its code:
//!
//! ```python
//! import hmac, hashlib, base64
//! from urllib.parse import parse_qsl
//! def a(k, u, b):    return hmac.new(k, (u + b).encode(), hashlib.sha1).hexdigest()
//! def a256(k, u, b): return hmac.new(k, (u + b).encode(), hashlib.sha256).hexdigest()
//! def b(k, u, params):  # Scheme B: name-sorted (stable), each name then its value
//!     m = u + "".join(n + v for n, v in sorted(params, key=lambda p: p[0]))
//!     return base64.b64encode(hmac.new(k, m.encode(), hashlib.sha1).digest()).decode()
//! ```
//!
//! Each constant's comment gives the call that produced it. These tests are what the
//! mutation run (`make mutants`, CONTRIBUTING.md) holds the core to: a validator that
//! accepts too much, or refuses what SignalWire signs, fails here.

use signalwire_webhook::candidates::{body_sha256_allows, candidate_urls};
use signalwire_webhook::scheme::{Sha1Key, Sha256Key, body_sha256_hex, ct_eq};
use signalwire_webhook::validate::{compared, scheme_b_params_match};
use signalwire_webhook::{
    Error, HeaderPolicy, KeyRing, SignatureHeaders, UrlError, UrlRules, validate_request_params,
    validate_webhook_signature, validate_webhook_signature_sha256,
};

const KEY: &str = "PSKtest1234567890abcdef";
const URL: &str = "https://example.ngrok.io/webhook";
/// `URL` with the default port written out.
const URL_443: &str = "https://example.ngrok.io:443/webhook";
const JSON: &str = r#"{"event":"call.state","params":{"call_id":"abc-123","state":"answered"}}"#;
/// Repeated names (`Digits`), escapes and a `+`: `parse_qsl(FORM, keep_blank_values=True)`.
const FORM: &str = "To=%2B18005551212&CallSid=CA1&Digits=2&Digits=1&From=%2B14158675309&Caller=a+b";
const FORM_PARAMS: [(&str, &str); 6] = [
    ("To", "+18005551212"),
    ("CallSid", "CA1"),
    ("Digits", "2"),
    ("Digits", "1"),
    ("From", "+14158675309"),
    ("Caller", "a b"),
];

/// `a(KEY, URL, JSON)`
const A_JSON: &str = "c3c08c1fefaf9ee198a100d5906765a6f394bf0f";
/// `a256(KEY, URL, JSON)`
const A256_JSON: &str = "2a29f8a92b11df39da80c3b185fd62173d49c294184da585ff951eae4433571c";
/// `a256(KEY, URL, "")`
const A256_EMPTY: &str = "7758b21e28556e1edf5fb12c332e5082c92f98b54d2304eff4edbd6e69fa9182";
/// `hashlib.sha256(JSON.encode()).hexdigest()`
const SHA256_JSON: &str = "c7438da1bafd60c95c59bb67d9c3ffc9b4c2f7ed7261a62307aa9dcd6ac178fb";
/// `a(KEY, "https://[::1/", JSON)`: Scheme A needs no URL parsing.
const A_BAD_URL: &str = "3b5b4434ed45289aa355b2cd83ccff9f52325226";
/// `b(KEY, URL, parse_qsl(FORM, keep_blank_values=True))`
const B_FORM: &str = "c2I0CAjVoTJj9MtEtO25UBWyLpA=";
/// `b(KEY, URL_443, parse_qsl(FORM, keep_blank_values=True))`
const B_FORM_443: &str = "+xK3odhjKymVr4sTWcED8KclEYs=";
/// `b(KEY, URL, [])`: the URL alone.
const B_URL_ONLY: &str = "TaQ3plsysOJtvcfl8qc+3/yxXEk=";
/// `b(KEY, URL_443, [])`
const B_URL_ONLY_443: &str = "PSo1ORKATPUU1mPNm2y0MiQ090Q=";
/// `b(KEY, URL + "?bodySHA256=" + SHA256_JSON, [])`
const B_BODY_SHA256: &str = "8IaC/a2z9CnJ2DnGT66IJe6cFU8=";
/// `b(KEY, URL_443 + "?bodySHA256=" + SHA256_JSON, [])`
const B_BODY_SHA256_443: &str = "rWiOTwuXZI4pNqSpK1AGMYxxiz8=";

fn rules() -> UrlRules<'static> {
    UrlRules::default()
}

/// `signature` with its last character changed: the same length, one byte off.
fn off_by_one(signature: &str) -> String {
    let mut s = signature.to_owned();
    let last = s.pop().unwrap();
    s.push(if last == 'a' { 'b' } else { 'a' });
    s
}

fn body_sha256_url() -> String {
    format!("{URL}?bodySHA256={SHA256_JSON}")
}

#[test]
fn digests_equal_the_known_answers() {
    let sha1 = Sha1Key::new(KEY.as_bytes());
    assert_eq!(
        sha1.scheme_a_hex(URL.as_bytes(), JSON.as_bytes()),
        A_JSON.as_bytes()
    );
    let sha256 = Sha256Key::new(KEY.as_bytes());
    assert_eq!(sha256.hex(URL.as_bytes(), JSON.as_bytes()), A256_JSON.as_bytes());
    assert_eq!(body_sha256_hex(JSON.as_bytes()), SHA256_JSON.as_bytes());
    let mut sorted = FORM_PARAMS.to_vec();
    sorted.sort_by_key(|p| p.0);
    assert_eq!(sha1.scheme_b_digest(URL, &sorted), B_FORM.as_bytes());
    let none: [(&str, &str); 0] = [];
    assert_eq!(sha1.scheme_b_digest(URL, &none), B_URL_ONLY.as_bytes());
    // The state after a prefix continues the same message.
    let keyed = sha1.after(URL.as_bytes());
    assert_eq!(keyed.scheme_b_digest("", &sorted), B_FORM.as_bytes());
    let fed = keyed.scheme_b_digest_fed(|update| {
        for (name, value) in &sorted {
            update(name.as_bytes());
            update(value.as_bytes());
        }
    });
    assert_eq!(fed, B_FORM.as_bytes());
}

#[test]
fn constant_time_equality_is_equality() {
    assert!(ct_eq(b"abc", b"abc"));
    assert!(ct_eq(b"", b""));
    assert!(!ct_eq(b"abc", b"abd"));
    assert!(!ct_eq(b"abc", b"ab"));
    assert!(!ct_eq(b"ab", b"abc"));
}

#[test]
fn scheme_a_matches_only_its_exact_signature() {
    let sha1 = Sha1Key::new(KEY.as_bytes());
    let (url, body) = (URL.as_bytes(), JSON.as_bytes());
    assert!(sha1.scheme_a_matches(A_JSON.as_bytes(), url, body));
    assert!(!sha1.scheme_a_matches(off_by_one(A_JSON).as_bytes(), url, body));
    assert!(!sha1.scheme_a_matches(A_JSON.to_uppercase().as_bytes(), url, body));
    assert!(!sha1.scheme_a_matches(&A_JSON.as_bytes()[..39], url, body));
    assert!(!sha1.scheme_a_matches(format!("{A_JSON}0").as_bytes(), url, body));
    assert!(!sha1.scheme_a_matches(A_JSON.as_bytes(), url, b"{}"));

    let sha256 = Sha256Key::new(KEY.as_bytes());
    assert!(sha256.matches(A256_JSON.as_bytes(), url, body));
    assert!(!sha256.matches(off_by_one(A256_JSON).as_bytes(), url, body));
    assert!(!sha256.matches(&A256_JSON.as_bytes()[..63], url, body));
    assert!(!sha256.matches(A256_JSON.as_bytes(), url, b""));
    // Sixty-four bytes that are not the MAC.
    assert!(!sha256.matches(&[b'0'; 64], url, body));
}

#[test]
fn validate_webhook_signature_scheme_a() {
    let key = KEY.as_bytes();
    let v = |signature: &str, url: &str, body: &str| {
        validate_webhook_signature(key, signature, url, body, &rules())
    };
    assert_eq!(v(A_JSON, URL, JSON), Ok(true));
    assert_eq!(v(&off_by_one(A_JSON), URL, JSON), Ok(false));
    assert_eq!(v(A_JSON, URL, "{}"), Ok(false));
    assert_eq!(
        v(A_JSON, URL_443, JSON),
        Ok(false),
        "Scheme A has no port variant"
    );
    assert_eq!(
        validate_webhook_signature(b"PSKother", A_JSON, URL, JSON, &rules()),
        Ok(false)
    );
    assert_eq!(v("", URL, JSON), Ok(false));
    assert_eq!(
        validate_webhook_signature(b"", A_JSON, URL, JSON, &rules()),
        Err(Error::MissingSigningKey)
    );
    // Scheme A is compared before the URL is parsed; a failed comparison then parses it.
    assert_eq!(v(A_BAD_URL, "https://[::1/", JSON), Ok(true));
    assert_eq!(
        v(&off_by_one(A_BAD_URL), "https://[::1/", JSON),
        Err(Error::Url(UrlError::UnbalancedBrackets))
    );
}

#[test]
fn validate_webhook_signature_sha256_known_answers() {
    let key = KEY.as_bytes();
    assert_eq!(
        validate_webhook_signature_sha256(key, A256_JSON, URL, JSON),
        Ok(true)
    );
    assert_eq!(
        validate_webhook_signature_sha256(key, A256_EMPTY, URL, ""),
        Ok(true)
    );
    assert_eq!(
        validate_webhook_signature_sha256(key, &off_by_one(A256_JSON), URL, JSON),
        Ok(false)
    );
    assert_eq!(
        validate_webhook_signature_sha256(key, A256_JSON, URL, ""),
        Ok(false)
    );
    assert_eq!(
        validate_webhook_signature_sha256(key, A256_JSON, URL_443, JSON),
        Ok(false)
    );
    assert_eq!(
        validate_webhook_signature_sha256(key, A_JSON, URL, JSON),
        Ok(false)
    );
    assert_eq!(
        validate_webhook_signature_sha256(b"PSKother", A256_JSON, URL, JSON),
        Ok(false)
    );
    assert_eq!(validate_webhook_signature_sha256(key, "", URL, JSON), Ok(false));
    assert_eq!(
        validate_webhook_signature_sha256(b"", A256_JSON, URL, JSON),
        Err(Error::MissingSigningKey)
    );
    // No URL parsing: a URL urlsplit refuses is just bytes here.
    assert_eq!(
        validate_webhook_signature_sha256(key, A256_JSON, "https://[::1/", JSON),
        Ok(false)
    );
}

#[test]
fn validate_webhook_signature_scheme_b() {
    let key = KEY.as_bytes();
    let v = |signature: &str, url: &str, body: &str| {
        validate_webhook_signature(key, signature, url, body, &rules())
    };
    assert_eq!(v(B_FORM, URL, FORM), Ok(true));
    // Signed on the default-port variant, received without it, and the other way round.
    assert_eq!(v(B_FORM_443, URL, FORM), Ok(true));
    assert_eq!(v(B_FORM, URL_443, FORM), Ok(true));
    assert_eq!(v(&off_by_one(B_FORM), URL, FORM), Ok(false));
    assert_eq!(v(B_FORM, URL, "To=%2B18005551212"), Ok(false));
    assert_eq!(v(B_FORM, "https://example.ngrok.io/other", FORM), Ok(false));
    assert_eq!(
        v(B_FORM, "https://example.ngrok.io:8443/webhook", FORM),
        Ok(false)
    );
    // The reference accepts a signature over the URL alone whatever the body.
    assert_eq!(v(B_URL_ONLY, URL, FORM), Ok(true));
    assert_eq!(v(B_URL_ONLY, URL, JSON), Ok(true));
    assert_eq!(v(B_URL_ONLY, URL, ""), Ok(true));
    assert_eq!(v(B_URL_ONLY_443, URL, JSON), Ok(true));
    assert_eq!(v(B_URL_ONLY, URL_443, ""), Ok(true));
    assert_eq!(
        validate_webhook_signature(b"PSKother", B_FORM, URL, FORM, &rules()),
        Ok(false)
    );
    // A Scheme B digest is never a Scheme A signature, nor the other way round.
    assert_eq!(v(B_FORM, URL, JSON), Ok(false));
    // A bad port is raised once Scheme A has failed, whatever the signature's shape.
    for signature in [B_FORM, "short", A_JSON] {
        assert_eq!(
            v(signature, "https://example.ngrok.io:x/webhook", FORM),
            Err(Error::Url(UrlError::PortNotInteger("x".into())))
        );
    }
}

#[test]
fn body_sha256_decides_scheme_b_matches() {
    let key = KEY.as_bytes();
    let url = body_sha256_url();
    let url_443 = format!("{URL_443}?bodySHA256={SHA256_JSON}");
    let v = |signature: &str, url: &str, body: &str| {
        validate_webhook_signature(key, signature, url, body, &rules())
    };
    assert_eq!(v(B_BODY_SHA256, &url, JSON), Ok(true));
    assert_eq!(v(B_BODY_SHA256_443, &url, JSON), Ok(true));
    assert_eq!(v(B_BODY_SHA256, &url_443, JSON), Ok(true));
    assert_eq!(v(B_BODY_SHA256, &url, "{}"), Ok(false));
    assert_eq!(v(B_BODY_SHA256_443, &url, "{}"), Ok(false));
    assert_eq!(v(B_BODY_SHA256, &url, ""), Ok(false));

    let r = rules();
    assert_eq!(body_sha256_allows(&url, JSON.as_bytes(), &r), Ok(true));
    assert_eq!(body_sha256_allows(&url, b"{}", &r), Ok(false));
    assert_eq!(body_sha256_allows(URL, b"{}", &r), Ok(true));
    let upper = format!("{URL}?bodySHA256={}", SHA256_JSON.to_uppercase());
    assert_eq!(body_sha256_allows(&upper, JSON.as_bytes(), &r), Ok(false));
    assert_eq!(
        body_sha256_allows("https://h:99999/?bodySHA256=0", b"", &r),
        Err(UrlError::PortOutOfRange)
    );
}

#[test]
fn request_params_known_answers() {
    let key = KEY.as_bytes();
    let r = rules();
    assert_eq!(
        validate_request_params(key, B_FORM, URL, &FORM_PARAMS, &r),
        Ok(true)
    );
    let mut reversed = FORM_PARAMS;
    reversed.reverse();
    // Sorting is by name only and stable: reversing swaps the two `Digits` values.
    assert_eq!(
        validate_request_params(key, B_FORM, URL, &reversed, &r),
        Ok(false)
    );
    assert_eq!(
        validate_request_params(key, B_FORM_443, URL, &FORM_PARAMS, &r),
        Ok(true)
    );
    assert_eq!(
        validate_request_params(key, B_FORM, URL_443, &FORM_PARAMS, &r),
        Ok(true)
    );
    assert_eq!(
        validate_request_params(key, &off_by_one(B_FORM), URL, &FORM_PARAMS, &r),
        Ok(false)
    );
    // No shape without the params here: the URL-only signature is not this request's.
    assert_eq!(
        validate_request_params(key, B_URL_ONLY, URL, &FORM_PARAMS, &r),
        Ok(false)
    );
    assert_eq!(validate_request_params(key, "", URL, &FORM_PARAMS, &r), Ok(false));
    assert_eq!(
        validate_request_params(b"", B_FORM, URL, &FORM_PARAMS, &r),
        Err(Error::MissingSigningKey)
    );
    assert_eq!(
        validate_request_params(key, B_FORM, "https://[x/", &FORM_PARAMS, &r),
        Err(Error::Url(UrlError::UnbalancedBrackets))
    );

    let mut sorted = FORM_PARAMS.to_vec();
    sorted.sort_by_key(|p| p.0);
    let sha1 = Sha1Key::new(key);
    let candidates = candidate_urls(URL, &r).unwrap();
    assert!(scheme_b_params_match(&sha1, B_FORM, &candidates, &sorted));
    assert!(scheme_b_params_match(&sha1, B_FORM_443, &candidates, &sorted));
    assert!(!scheme_b_params_match(
        &sha1,
        &off_by_one(B_FORM),
        &candidates,
        &sorted
    ));
    assert!(!scheme_b_params_match(&sha1, A_JSON, &candidates, &sorted));
}

/// The `compared` validators hand each expected signature to the caller; compared with
/// the known answers, they accept exactly what the plain validators accept.
#[test]
fn compared_validators_known_answers() {
    let key = KEY.as_bytes();
    let r = rules();
    let equal = |want: &'static str| move |expected: &str| Ok::<_, Error>(expected == want);
    let v = |want: &'static str, url: &str, body: &str| {
        compared::validate_webhook_signature(key, url, body, &r, equal(want))
    };
    assert_eq!(v(A_JSON, URL, JSON), Ok(true));
    assert_eq!(v(B_FORM, URL, FORM), Ok(true));
    assert_eq!(v(B_FORM_443, URL, FORM), Ok(true));
    assert_eq!(v(B_URL_ONLY, URL, JSON), Ok(true));
    assert_eq!(v(B_BODY_SHA256, &body_sha256_url(), JSON), Ok(true));
    assert_eq!(v(B_BODY_SHA256, &body_sha256_url(), "{}"), Ok(false));
    assert_eq!(v(A256_JSON, URL, JSON), Ok(false));
    assert_eq!(
        compared::validate_webhook_signature_sha256(key, URL, JSON, equal(A256_JSON)),
        Ok(true)
    );
    assert_eq!(
        compared::validate_webhook_signature_sha256(key, URL, JSON, equal(A_JSON)),
        Ok(false)
    );

    let mut sorted = FORM_PARAMS.to_vec();
    sorted.sort_by_key(|p| p.0);
    let candidates = candidate_urls(URL, &r).unwrap();
    let mut seen = Vec::new();
    let result = compared::scheme_b_params(key, &candidates, &sorted, |expected: &str| {
        seen.push(expected.to_owned());
        Ok::<_, Error>(false)
    });
    assert_eq!(result, Ok(false));
    assert_eq!(seen, [B_FORM, B_FORM_443]);
    for want in [B_FORM, B_FORM_443] {
        assert_eq!(
            compared::scheme_b_params(key, &candidates, &sorted, equal(want)),
            Ok(true)
        );
    }
    // The caller's error ends the comparisons.
    let failed =
        compared::scheme_b_params(key, &candidates, &sorted, |_: &str| Err(Error::MissingSigningKey));
    assert_eq!(failed, Err(Error::MissingSigningKey));
}

#[test]
fn key_ring_tries_every_key() {
    assert_eq!(KeyRing::new::<&str>(&[]).err(), Some(Error::MissingSigningKey));
    assert_eq!(
        KeyRing::new(&["PSKnew", ""]).err(),
        Some(Error::MissingSigningKey)
    );
    let ring = KeyRing::new(&["PSKnew", KEY]).unwrap();
    assert_eq!(ring.len(), 2);
    assert!(!ring.is_empty());
    assert_eq!(KeyRing::new(&[KEY]).unwrap().len(), 1);
    assert_eq!(format!("{ring:?}"), "KeyRing(2 keys)");
    let r = rules();
    assert_eq!(ring.validate(A_JSON, URL, JSON, &r), Ok(true));
    assert_eq!(ring.validate(B_FORM_443, URL, FORM, &r), Ok(true));
    assert_eq!(ring.validate(&off_by_one(A_JSON), URL, JSON, &r), Ok(false));
    assert_eq!(ring.validate("", "https://h:x/", JSON, &r), Ok(false));
    assert_eq!(
        ring.validate("x", "https://h:x/", JSON, &r),
        Err(Error::Url(UrlError::PortNotInteger("x".into())))
    );
    let other = KeyRing::new(&["PSKnew", "PSKold"]).unwrap();
    assert_eq!(other.validate(A_JSON, URL, JSON, &r), Ok(false));
    assert_eq!(other.validate(B_URL_ONLY, URL, JSON, &r), Ok(false));

    assert!(ring.validate_sha256(A256_JSON, URL, JSON));
    assert!(!ring.validate_sha256(&off_by_one(A256_JSON), URL, JSON));
    assert!(!ring.validate_sha256(A256_JSON, URL, "{}"));
    assert!(!other.validate_sha256(A256_JSON, URL, JSON));
}

#[test]
fn strict_policy_known_answers() {
    let ring = KeyRing::new(&["PSKnew", KEY]).unwrap();
    let r = rules();
    let check =
        |signature: &str, url: &str, body: &str, policy| ring.validate_with(signature, url, body, policy, &r);
    use HeaderPolicy::{Fallback, Strict};
    // A URL-only signature vouches for an empty body only, unless the URL carries the
    // body's SHA-256.
    assert_eq!(check(B_URL_ONLY, URL, JSON, Fallback), Ok(true));
    assert_eq!(check(B_URL_ONLY, URL, JSON, Strict), Ok(false));
    assert_eq!(check(B_URL_ONLY_443, URL, FORM, Strict), Ok(false));
    assert_eq!(check(B_URL_ONLY, URL, "", Strict), Ok(true));
    assert_eq!(check(B_BODY_SHA256, &body_sha256_url(), JSON, Strict), Ok(true));
    assert_eq!(
        check(B_BODY_SHA256_443, &body_sha256_url(), JSON, Strict),
        Ok(true)
    );
    assert_eq!(check(B_BODY_SHA256, &body_sha256_url(), "{}", Strict), Ok(false));
    // Signatures over the body itself are unaffected.
    assert_eq!(check(B_FORM, URL, FORM, Strict), Ok(true));
    assert_eq!(check(B_FORM_443, URL, FORM, Strict), Ok(true));
    assert_eq!(check(A_JSON, URL, JSON, Strict), Ok(true));
    assert_eq!(check(&off_by_one(B_FORM), URL, FORM, Strict), Ok(false));
    assert_eq!(check(&off_by_one(B_FORM), URL, FORM, Fallback), Ok(false));
    assert_eq!(check(&off_by_one(A_JSON), URL, JSON, Strict), Ok(false));
    assert_eq!(
        check(B_URL_ONLY, "https://h:x/", JSON, Strict),
        Err(Error::Url(UrlError::PortNotInteger("x".into())))
    );
    assert_eq!(HeaderPolicy::default(), Fallback);
}

/// Every combination of the two headers (valid, wrong, empty, absent) under both
/// policies, against a table written out by hand from the rule: SHA-256 first; under
/// `Fallback` a failed SHA-256 header falls back to the SHA-1 one, under `Strict` it
/// decides; empty values count as absent.
#[test]
fn header_rule_table() {
    let ring = KeyRing::new(&["PSKnew", KEY]).unwrap();
    let r = rules();
    let wrong256 = off_by_one(A256_JSON);
    let wrong1 = off_by_one(A_JSON);
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum H {
        Valid,
        Wrong,
        Empty,
        Absent,
    }
    use H::*;
    let value = |h: H, valid: &'static str, wrong: &'static str| match h {
        Valid => Some(valid),
        Wrong => Some(wrong),
        Empty => Some(""),
        Absent => None,
    };
    let wrong256: &'static str = Box::leak(wrong256.into_boxed_str());
    let wrong1: &'static str = Box::leak(wrong1.into_boxed_str());
    for sha256 in [Valid, Wrong, Empty, Absent] {
        for sha1 in [Valid, Wrong, Empty, Absent] {
            let headers = SignatureHeaders {
                sha256: value(sha256, A256_JSON, wrong256),
                sha1: value(sha1, A_JSON, wrong1),
            };
            let fallback = sha256 == Valid || sha1 == Valid;
            let strict = sha256 == Valid || (matches!(sha256, Empty | Absent) && sha1 == Valid);
            let got = ring.validate_headers(headers, URL, JSON, HeaderPolicy::Fallback, &r);
            assert_eq!(got, fallback, "fallback {sha256:?} {sha1:?}");
            let got = ring.validate_headers(headers, URL, JSON, HeaderPolicy::Strict, &r);
            assert_eq!(got, strict, "strict {sha256:?} {sha1:?}");
        }
    }
    // A validator error is a refusal.
    let headers = SignatureHeaders {
        sha256: None,
        sha1: Some(A_JSON),
    };
    assert!(!ring.validate_headers(headers, "https://h:x/", JSON, HeaderPolicy::Fallback, &r));
    // Strict refuses the URL-only Scheme B signature for a body through the headers too.
    let headers = SignatureHeaders {
        sha256: None,
        sha1: Some(B_URL_ONLY),
    };
    assert!(ring.validate_headers(headers, URL, JSON, HeaderPolicy::Fallback, &r));
    assert!(!ring.validate_headers(headers, URL, JSON, HeaderPolicy::Strict, &r));
}
