//! The canonical vectors of SignalWire's cross-SDK spec, read from `tests/vectors/canonical.json`.

use serde_json::Value;
use signalwire_webhook::{UrlRules, validate_request_params, validate_webhook_signature};

fn vectors() -> Value {
    let text = include_str!("vectors/canonical.json");
    serde_json::from_str(text).expect("canonical.json is valid JSON")
}

fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field].as_str().unwrap_or_else(|| panic!("missing {field}"))
}

fn params(v: &Value) -> Vec<(String, String)> {
    v["params"]
        .as_array()
        .expect("params")
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn form_body(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[test]
fn scheme_a_vector() {
    let rules = UrlRules::default();
    for v in vectors()["scheme_a"].as_array().unwrap() {
        let (key, sig, url, body) = (s(v, "key"), s(v, "signature"), s(v, "url"), s(v, "body"));
        assert!(validate_webhook_signature(key.as_bytes(), sig, url, body, &rules).unwrap());
        assert!(!validate_webhook_signature(key.as_bytes(), sig, url, &format!("{body} "), &rules).unwrap());
        assert!(!validate_webhook_signature(b"other", sig, url, body, &rules).unwrap());
    }
}

#[test]
fn scheme_b_vector_as_params_and_as_form_body() {
    let rules = UrlRules::default();
    for v in vectors()["scheme_b"].as_array().unwrap() {
        let (key, sig, url) = (s(v, "key"), s(v, "signature"), s(v, "url"));
        let mut pairs = params(v);
        assert!(validate_request_params(key.as_bytes(), sig, url, &pairs, &rules).unwrap());
        // Submission order does not matter: params are sorted before signing.
        pairs.reverse();
        assert!(validate_request_params(key.as_bytes(), sig, url, &pairs, &rules).unwrap());
        assert!(validate_webhook_signature(key.as_bytes(), sig, url, &form_body(&pairs), &rules).unwrap());
        // The default port may be added by a proxy.
        let with_port = url.replacen(".com/", ".com:443/", 1);
        assert!(validate_request_params(key.as_bytes(), sig, &with_port, &pairs, &rules).unwrap());
        pairs[0].1.push('0');
        assert!(!validate_request_params(key.as_bytes(), sig, url, &pairs, &rules).unwrap());
    }
}

#[test]
fn body_sha256_vector() {
    let rules = UrlRules::default();
    for v in vectors()["body_sha256"].as_array().unwrap() {
        let (key, sig, url) = (s(v, "key"), s(v, "signature"), s(v, "url"));
        assert!(validate_webhook_signature(key.as_bytes(), sig, url, s(v, "body"), &rules).unwrap());
        assert!(!validate_webhook_signature(key.as_bytes(), sig, url, s(v, "other_body"), &rules).unwrap());
    }
}

#[test]
fn missing_key_and_empty_signature() {
    let rules = UrlRules::default();
    assert!(validate_webhook_signature(b"", "x", "https://h/", "", &rules).is_err());
    assert_eq!(
        validate_webhook_signature(b"k", "", "https://h:bad/", "", &rules),
        Ok(false)
    );
    // A garbage signature still parses the URL first, as the reference does.
    assert!(validate_webhook_signature(b"k", "garbage", "https://h:bad/", "", &rules).is_err());
}
