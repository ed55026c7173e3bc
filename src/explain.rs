//! What [`crate::validate_webhook_signature`] tries, step by step, for debugging a proxy
//! that changes the URL. It reports which attempt matched, never an expected signature.
#![forbid(unsafe_code)]

use crate::candidates::{body_sha256_allows, candidate_urls};
use crate::error::Error;
use crate::form::{Param, parse_qsl, sort_for_signing};
use crate::scheme::{Sha1Key, ct_eq};
use crate::urlsplit::UrlRules;

/// One message the validator hashes and compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// `"A"` (hex over URL and body) or `"B"` (base64 over URL and form params).
    pub scheme: &'static str,
    /// The URL the message starts with.
    pub url: String,
    /// For Scheme B: `"form params"` or `"no params"` (JSON on the compat surface).
    pub shape: &'static str,
    /// Whether the signature equals this attempt's MAC.
    pub matched: bool,
    /// After a Scheme B match: whether the URL's `bodySHA256` (if any) allows the body.
    pub body_sha256_ok: Option<bool>,
}

/// Every attempt of [`crate::validate_webhook_signature`] for these inputs, in its order,
/// without stopping at the first match. URL errors are returned as it returns them.
pub fn explain(
    signing_key: &[u8],
    signature: &str,
    url: &str,
    raw_body: &str,
    rules: &UrlRules<'_>,
) -> Result<Vec<Attempt>, Error> {
    if signing_key.is_empty() {
        return Err(Error::MissingSigningKey);
    }
    let key = Sha1Key::new(signing_key);
    let mut attempts = vec![Attempt {
        scheme: "A",
        url: url.to_owned(),
        shape: "body",
        matched: key.scheme_a_matches(signature.as_bytes(), url.as_bytes(), raw_body.as_bytes()),
        body_sha256_ok: None,
    }];
    let candidates = candidate_urls(url, rules)?;
    let mut params = parse_qsl(raw_body);
    sort_for_signing(&mut params);
    let no_params: &[Param<'_>] = &[];
    for candidate in candidates.iter() {
        for (shape, list) in [("form params", &params[..]), ("no params", no_params)] {
            let matched = ct_eq(&key.scheme_b_digest(candidate, list), signature.as_bytes());
            let body_sha256_ok = if matched {
                Some(body_sha256_allows(candidate, raw_body.as_bytes(), rules)?)
            } else {
                None
            };
            attempts.push(Attempt {
                scheme: "B",
                url: candidate.to_owned(),
                shape,
                matched,
                body_sha256_ok,
            });
        }
    }
    Ok(attempts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{scheme_a_signature, scheme_b_form_signature};

    #[test]
    fn reports_the_matching_attempt_only() {
        let rules = UrlRules::default();
        let (key, url, body) = (b"k".as_slice(), "https://h/p", "b=2&a=1");
        let a = scheme_a_signature(key, url, body.as_bytes());
        let found = explain(key, &a, url, body, &rules).unwrap();
        assert_eq!(found.len(), 5); // A, then 2 URLs x 2 shapes
        assert_eq!(found.iter().filter(|t| t.matched).count(), 1);
        assert!(found[0].matched);

        let b = scheme_b_form_signature(key, "https://h:443/p", body);
        let found = explain(key, &b, url, body, &rules).unwrap();
        let hit: Vec<_> = found.iter().filter(|t| t.matched).collect();
        assert_eq!(hit.len(), 1);
        assert_eq!(
            (hit[0].url.as_str(), hit[0].shape),
            ("https://h:443/p", "form params")
        );
        assert_eq!(hit[0].body_sha256_ok, Some(true));
    }
}
