//! `validate_request_params` (pre-parsed params, as `validate_request` takes a dict).
//! Fields: key, signature, URL, then names and values in turn.
//! Flags: bit 0 the dialect; bit 1 replaces the signature by a correct Scheme B one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signalwire_webhook::candidates::candidate_urls;
use signalwire_webhook::{Error, UrlRules, validate_request_params};
use signalwire_webhook_fuzz::{base64, fields, hmac_sha1, one_char_changed, rules};

type Params = Vec<(String, String)>;

fn sorted_join(params: &Params) -> String {
    let mut sorted = params.clone();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted
        .iter()
        .flat_map(|(k, v)| [k.as_str(), v.as_str()])
        .collect()
}

/// Each candidate URL followed by the sorted names and values, nothing else.
fn model(key: &[u8], sig: &str, url: &str, params: &Params, rules: &UrlRules<'_>) -> Result<bool, Error> {
    if key.is_empty() {
        return Err(Error::MissingSigningKey);
    }
    if sig.is_empty() {
        return Ok(false);
    }
    let candidates = candidate_urls(url, rules)?;
    let join = sorted_join(params);
    Ok(candidates
        .iter()
        .any(|c| base64(&hmac_sha1(key, &[c.as_bytes(), join.as_bytes()])) == sig))
}

fn check(key: &[u8], sig: &str, url: &str, params: &Params, rules: &UrlRules<'_>) -> Result<bool, Error> {
    let got = validate_request_params(key, sig, url, params, rules);
    assert_eq!(got, model(key, sig, url, params, rules));
    got
}

fuzz_target!(|data: &[u8]| {
    let (flags, texts) = fields(data);
    let [key, sig, url] = [0, 1, 2].map(|i| texts.get(i).cloned().unwrap_or_default());
    let params: Params = texts
        .get(3..)
        .unwrap_or_default()
        .chunks(2)
        .map(|kv| (kv[0].clone(), kv.get(1).cloned().unwrap_or_default()))
        .collect();
    let (key, rules) = (key.as_bytes(), rules(flags));
    if flags & 2 == 0 {
        let _ = check(key, &sig, &url, &params, &rules);
        return;
    }
    if key.is_empty() {
        return;
    }
    let sig = base64(&hmac_sha1(
        key,
        &[url.as_bytes(), sorted_join(&params).as_bytes()],
    ));
    let got = check(key, &sig, &url, &params, &rules);
    if candidate_urls(&url, &rules).is_ok() {
        assert_eq!(got, Ok(true));
    }
    // One character of a value or of the signature changed: the signed text changes in
    // exactly one place, so it never validates.
    let at = usize::from(flags >> 2) + url.len();
    if let Some(sig) = one_char_changed(&sig, at) {
        assert_ne!(check(key, &sig, &url, &params, &rules), Ok(true));
    }
    if !params.is_empty() {
        let mut changed = params.clone();
        let i = at % changed.len();
        if let Some(value) = one_char_changed(&changed[i].1, at) {
            changed[i].1 = value;
            assert_ne!(check(key, &sig, &url, &changed, &rules), Ok(true));
        }
    }
});
