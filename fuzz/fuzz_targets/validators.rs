//! `validate_webhook_signature`, `validate_webhook_signature_sha256`, `KeyRing` and
//! `explain` on arbitrary key, signature, URL and body. Fields: key, signature, URL, body.
//! Flags: bit 0 the dialect; bits 1-2 whether the signature is replaced by a correct one
//! (0 as given, 1 Scheme A, 2 SHA-256, 3 Scheme B over the body's form params).
#![no_main]

use libfuzzer_sys::fuzz_target;
use signalwire_webhook::candidates::{body_sha256_allows, candidate_urls};
use signalwire_webhook::explain::explain;
use signalwire_webhook::{
    Error, KeyRing, UrlRules, validate_webhook_signature, validate_webhook_signature_sha256,
};
use signalwire_webhook_fuzz::{
    base64, fields, hex, hmac_sha1, hmac_sha256_hex, joined, one_char_changed, rules, sorted_form,
};

/// The reference's algorithm, written plainly: Scheme A, then each candidate URL with the
/// sorted form params and with none, a match subject to `bodySHA256`.
fn model(key: &[u8], sig: &str, url: &str, body: &str, rules: &UrlRules<'_>) -> Result<bool, Error> {
    if key.is_empty() {
        return Err(Error::MissingSigningKey);
    }
    if sig.is_empty() {
        return Ok(false);
    }
    if hex(&hmac_sha1(key, &[url.as_bytes(), body.as_bytes()])) == sig {
        return Ok(true);
    }
    let candidates = candidate_urls(url, rules)?;
    let params = joined(&sorted_form(body));
    for candidate in candidates.iter() {
        for shape in [params.as_str(), ""] {
            let mac = hmac_sha1(key, &[candidate.as_bytes(), shape.as_bytes()]);
            if base64(&mac) == sig && body_sha256_allows(candidate, body.as_bytes(), rules)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

fn sha256_model(key: &[u8], sig: &str, url: &str, body: &str) -> Result<bool, Error> {
    if key.is_empty() {
        return Err(Error::MissingSigningKey);
    }
    Ok(!sig.is_empty() && hmac_sha256_hex(key, url.as_bytes(), body.as_bytes()) == sig)
}

/// Every entry point agrees with the models on these inputs; returns the SHA-1 outcome.
fn check(key: &[u8], sig: &str, url: &str, body: &str, rules: &UrlRules<'_>) -> Result<bool, Error> {
    let got = validate_webhook_signature(key, sig, url, body, rules);
    assert_eq!(got, model(key, sig, url, body, rules));
    let sha256 = validate_webhook_signature_sha256(key, sig, url, body);
    assert_eq!(sha256, sha256_model(key, sig, url, body));
    if let Ok(ring) = KeyRing::new(&[key]) {
        assert_eq!(ring.validate(sig, url, body, rules), got);
        assert_eq!(ring.validate_sha256(sig, url, body), sha256 == Ok(true));
    }
    if let Ok(attempts) = explain(key, sig, url, body, rules) {
        let any = attempts
            .iter()
            .any(|a| a.matched && a.body_sha256_ok != Some(false));
        assert_eq!(got, Ok(any));
    }
    got
}

fuzz_target!(|data: &[u8]| {
    let (flags, texts) = fields(data);
    let [key, sig, url, body] = [0, 1, 2, 3].map(|i| texts.get(i).cloned().unwrap_or_default());
    let key = key.as_bytes();
    let rules = rules(flags);
    let at = usize::from(flags >> 3) + body.len();
    let sig = match (flags >> 1) & 3 {
        0 => sig,
        _ if key.is_empty() => return,
        1 => hex(&hmac_sha1(key, &[url.as_bytes(), body.as_bytes()])),
        2 => hmac_sha256_hex(key, url.as_bytes(), body.as_bytes()),
        _ => base64(&hmac_sha1(
            key,
            &[url.as_bytes(), joined(&sorted_form(&body)).as_bytes()],
        )),
    };
    let got = check(key, &sig, &url, &body, &rules);
    match (flags >> 1) & 3 {
        0 => return,
        // Signed over this URL and body: valid; one character changed anywhere: never.
        1 => assert_eq!(got, Ok(true)),
        2 => assert_eq!(
            validate_webhook_signature_sha256(key, &sig, &url, &body),
            Ok(true)
        ),
        _ => {
            // Scheme B accepts the exact URL it was signed over when that URL parses and
            // any `bodySHA256` in its query matches the body.
            let parses = candidate_urls(&url, &rules).is_ok();
            if parses && body_sha256_allows(&url, body.as_bytes(), &rules) == Ok(true) {
                assert_eq!(got, Ok(true));
            }
        }
    }
    let hex_scheme = (flags >> 1) & 3 != 3;
    let mutants = [
        one_char_changed(&body, at).map(|b| (sig.clone(), url.clone(), b)),
        one_char_changed(&url, at).map(|u| (sig.clone(), u, body.clone())),
        one_char_changed(&sig, at).map(|s| (s, url.clone(), body.clone())),
    ];
    for (sig, url, body) in mutants.into_iter().flatten() {
        let sha1 = check(key, &sig, &url, &body, &rules);
        // Hex signatures cover every byte of URL and body. Scheme B covers the decoded
        // params (a `+` and a space are the same), so its mutants are held to the model.
        if hex_scheme {
            assert_ne!(sha1, Ok(true));
            assert_ne!(
                validate_webhook_signature_sha256(key, &sig, &url, &body),
                Ok(true)
            );
        }
    }
});
