//! The three validators of the reference, as pure functions over UTF-8 text.
//!
//! The order of work is the reference's, because it decides which error a bad input
//! raises: Scheme A is compared first and needs no URL parsing; when it fails the URL is
//! parsed (and may raise) before the signature's shape is even considered. A signature
//! whose length cannot be the scheme's encoding skips that scheme's HMACs: the outcome is
//! the same (`compare_digest` of different lengths is false) and nothing secret is involved.
#![forbid(unsafe_code)]

use crate::candidates::{CandidateUrls, body_sha256_allows, candidate_urls};
use crate::error::Error;
use crate::form::{Param, parse_qsl, sort_for_signing};
use crate::form_message::{FormMessage, STAGE};
use crate::scheme::{SCHEME_B_LEN, Sha1Key, Sha256Key, ct_eq};
use crate::urlsplit::UrlRules;

/// The reference's first two checks: an empty key is an error, an empty signature is false.
fn worth_checking(signing_key: &[u8], signature: &str) -> Result<bool, Error> {
    if signing_key.is_empty() {
        return Err(Error::MissingSigningKey);
    }
    Ok(!signature.is_empty())
}

/// Scheme A (hex HMAC-SHA1 over `url + raw_body`), then Scheme B (base64 HMAC-SHA1 over each
/// candidate URL plus the body's sorted form params, then plus nothing), honouring a
/// `bodySHA256` query parameter on a Scheme B match.
pub fn validate_webhook_signature(
    signing_key: &[u8],
    signature: &str,
    url: &str,
    raw_body: &str,
    rules: &UrlRules<'_>,
) -> Result<bool, Error> {
    if !worth_checking(signing_key, signature)? {
        return Ok(false);
    }
    scheme_a_then_b(&Sha1Key::new(signing_key), signature, url, raw_body, rules)
}

/// The work of [`validate_webhook_signature`] for one key's HMAC state and a non-empty
/// signature (shared with [`crate::KeyRing`]).
pub(crate) fn scheme_a_then_b(
    key: &Sha1Key,
    signature: &str,
    url: &str,
    raw_body: &str,
    rules: &UrlRules<'_>,
) -> Result<bool, Error> {
    if key.scheme_a_matches(signature.as_bytes(), url.as_bytes(), raw_body.as_bytes()) {
        return Ok(true);
    }
    let candidates = candidate_urls(url, rules)?;
    if signature.len() != SCHEME_B_LEN {
        return Ok(false);
    }
    let Some(message) = FormMessage::new(raw_body) else {
        return scheme_b_over_params(key, signature, &candidates, raw_body, rules);
    };
    // With no params both shapes sign the same message; trying it once decides the same.
    let shapes: &[bool] = if message.is_empty() {
        &[false]
    } else {
        &[true, false]
    };
    // A message that fits the staging buffer is written once for every candidate; a
    // longer one is streamed through the buffer again for each candidate that needs it.
    let mut stage = Vec::new();
    let whole = message.len() <= STAGE;
    if whole {
        message.write_to(&mut stage);
    }
    for candidate in candidates.iter() {
        let keyed = key.after(candidate.as_bytes());
        for &with_params in shapes {
            let expected = keyed.scheme_b_digest_fed(|update| match (with_params, whole) {
                (false, _) => {}
                (true, true) => update(&stage),
                (true, false) => message.feed(&mut stage, update),
            });
            if ct_eq(&expected, signature.as_bytes())
                && body_sha256_allows(candidate, raw_body.as_bytes(), rules)?
            {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Scheme B for a body too long for [`FormMessage`]: the params parsed into a list and
/// fed one by one.
fn scheme_b_over_params(
    key: &Sha1Key,
    signature: &str,
    candidates: &CandidateUrls<'_>,
    raw_body: &str,
    rules: &UrlRules<'_>,
) -> Result<bool, Error> {
    let mut params = parse_qsl(raw_body);
    sort_for_signing(&mut params);
    let no_params: &[Param<'_>] = &[];
    let shapes = if params.is_empty() {
        &[no_params][..]
    } else {
        &[&params[..], no_params][..]
    };
    for candidate in candidates.iter() {
        let keyed = key.after(candidate.as_bytes());
        for shape in shapes {
            let expected = keyed.scheme_b_digest("", shape);
            if ct_eq(&expected, signature.as_bytes())
                && body_sha256_allows(candidate, raw_body.as_bytes(), rules)?
            {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Hex HMAC-SHA256 over `url + raw_body` (the `X-SignalWire-Sha256-Signature` header).
pub fn validate_webhook_signature_sha256(
    signing_key: &[u8],
    signature: &str,
    url: &str,
    raw_body: &str,
) -> Result<bool, Error> {
    if !worth_checking(signing_key, signature)? {
        return Ok(false);
    }
    let key = Sha256Key::new(signing_key);
    Ok(key.matches(signature.as_bytes(), url.as_bytes(), raw_body.as_bytes()))
}

/// Scheme B over pre-parsed params, already in signing order (see [`sort_for_signing`]).
/// There is no raw body, so `bodySHA256` is not consulted.
pub fn scheme_b_params_match<K: AsRef<str>, V: AsRef<str>>(
    key: &Sha1Key,
    signature: &str,
    candidates: &CandidateUrls<'_>,
    sorted_params: &[(K, V)],
) -> bool {
    signature.len() == SCHEME_B_LEN
        && candidates.iter().any(|candidate| {
            ct_eq(
                &key.scheme_b_digest(candidate, sorted_params),
                signature.as_bytes(),
            )
        })
}

/// The validators for a signature only the caller can compare, such as a Python object
/// whose text may change, or fail, from one comparison to the next. `matches` is given each
/// expected signature in the order the reference compares them and is called once per
/// comparison, whatever the signature's length; its error ends the validation. The caller
/// has made the reference's key and empty-signature checks.
pub mod compared {
    use super::{CandidateUrls, Error, Param, body_sha256_allows, candidate_urls, parse_qsl};
    use crate::scheme::Sha1Key;
    use crate::sign::{scheme_a_signature, scheme_b_signature, sha256_signature};
    use crate::urlsplit::UrlRules;

    /// Scheme A, then (after the URL is parsed, which may fail) Scheme B over each candidate
    /// URL with the body's form params and with none; a Scheme B match must also pass the
    /// candidate's `bodySHA256`.
    pub fn validate_webhook_signature<E: From<Error>>(
        signing_key: &[u8],
        url: &str,
        raw_body: &str,
        rules: &UrlRules<'_>,
        mut matches: impl FnMut(&str) -> Result<bool, E>,
    ) -> Result<bool, E> {
        if matches(&scheme_a_signature(signing_key, url, raw_body.as_bytes()))? {
            return Ok(true);
        }
        let candidates = candidate_urls(url, rules).map_err(Error::from)?;
        let params = parse_qsl(raw_body);
        let no_params: [Param<'_>; 0] = [];
        for candidate in candidates.iter() {
            for shape in [&params[..], &no_params[..]] {
                if matches(&scheme_b_signature(signing_key, candidate, shape))?
                    && body_sha256_allows(candidate, raw_body.as_bytes(), rules).map_err(Error::from)?
                {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// The one SHA-256 comparison.
    pub fn validate_webhook_signature_sha256<E>(
        signing_key: &[u8],
        url: &str,
        raw_body: &str,
        mut matches: impl FnMut(&str) -> Result<bool, E>,
    ) -> Result<bool, E> {
        matches(&sha256_signature(signing_key, url, raw_body.as_bytes()))
    }

    /// Scheme B over pre-parsed params already in signing order, one comparison per
    /// candidate URL.
    pub fn scheme_b_params<K: AsRef<str>, V: AsRef<str>, E>(
        signing_key: &[u8],
        candidates: &CandidateUrls<'_>,
        sorted_params: &[(K, V)],
        mut matches: impl FnMut(&str) -> Result<bool, E>,
    ) -> Result<bool, E> {
        let key = Sha1Key::new(signing_key);
        for candidate in candidates.iter() {
            let digest = key.scheme_b_digest(candidate, sorted_params);
            // Base64 text: ASCII.
            if matches(std::str::from_utf8(&digest).unwrap_or_default())? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// `validate_request` with pre-parsed form params (in submission order).
pub fn validate_request_params<K: AsRef<str>, V: AsRef<str>>(
    signing_key: &[u8],
    signature: &str,
    url: &str,
    params: &[(K, V)],
    rules: &UrlRules<'_>,
) -> Result<bool, Error> {
    if !worth_checking(signing_key, signature)? {
        return Ok(false);
    }
    let mut sorted: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    sort_for_signing(&mut sorted);
    let candidates = candidate_urls(url, rules)?;
    Ok(scheme_b_params_match(
        &Sha1Key::new(signing_key),
        signature,
        &candidates,
        &sorted,
    ))
}

#[cfg(test)]
mod tests {
    use super::compared;
    use crate::error::{Error, UrlError};
    use crate::sign::{scheme_a_signature, scheme_b_form_signature, scheme_b_signature};
    use crate::urlsplit::UrlRules;

    const KEY: &[u8] = b"k";

    /// Runs `compared::validate_webhook_signature`, recording each expected signature and
    /// answering from `answers` (true = match) until they run out.
    fn record(url: &str, body: &str, answers: &[bool]) -> (Result<bool, Error>, Vec<String>) {
        let mut seen = Vec::new();
        let result = compared::validate_webhook_signature(KEY, url, body, &UrlRules::default(), |e| {
            seen.push(e.to_owned());
            Ok::<_, Error>(answers.get(seen.len() - 1).copied().unwrap_or(false))
        });
        (result, seen)
    }

    #[test]
    fn compares_in_the_references_order() {
        let (url, body) = ("https://h/p", "b=2&a=1");
        let (result, seen) = record(url, body, &[]);
        assert_eq!(result, Ok(false));
        let variant = "https://h:443/p";
        let expected = [
            scheme_a_signature(KEY, url, body.as_bytes()),
            scheme_b_form_signature(KEY, url, body),
            scheme_b_signature::<&str, &str>(KEY, url, &[]),
            scheme_b_form_signature(KEY, variant, body),
            scheme_b_signature::<&str, &str>(KEY, variant, &[]),
        ];
        assert_eq!(seen, expected);
        // A match stops the comparisons.
        assert_eq!(
            record(url, body, &[false, false, true]),
            (Ok(true), expected[..3].to_vec())
        );
    }

    #[test]
    fn the_url_is_parsed_after_scheme_a() {
        let (result, seen) = record("https://[::1/", "", &[]);
        assert_eq!(result, Err(Error::Url(UrlError::UnbalancedBrackets)));
        assert_eq!(seen.len(), 1);
        assert_eq!(record("https://[::1/", "", &[true]).0, Ok(true));
    }

    /// Bodies longer than [`crate::form_message::MAX_BODY`] (2 GiB) take
    /// `scheme_b_over_params`, too large to reach through the validators in a test: it is
    /// called directly, with answers computed by CPython as in `tests/known_answers.rs`
    /// (`b(key, url, params)` there).
    #[test]
    fn scheme_b_over_params_known_answers() {
        use super::scheme_b_over_params;
        use crate::candidates::candidate_urls;
        use crate::scheme::Sha1Key;

        let key = Sha1Key::new(b"PSKtest1234567890abcdef");
        let url = "https://example.ngrok.io/webhook";
        let form = "To=%2B18005551212&CallSid=CA1&Digits=2&Digits=1&From=%2B14158675309&Caller=a+b";
        // b(key, url, parse_qsl(form)), the same over url with ":443", b(key, url, []).
        let (signed, signed_443, url_only) = (
            "c2I0CAjVoTJj9MtEtO25UBWyLpA=",
            "+xK3odhjKymVr4sTWcED8KclEYs=",
            "TaQ3plsysOJtvcfl8qc+3/yxXEk=",
        );
        let rules = UrlRules::default();
        let candidates = candidate_urls(url, &rules).unwrap();
        let over =
            |signature: &str, body: &str| scheme_b_over_params(&key, signature, &candidates, body, &rules);
        assert_eq!(over(signed, form), Ok(true));
        assert_eq!(over(signed_443, form), Ok(true));
        assert_eq!(over(url_only, form), Ok(true));
        assert_eq!(over(url_only, ""), Ok(true));
        assert_eq!(over(signed, ""), Ok(false));
        assert_eq!(over(signed, "To=%2B18005551212"), Ok(false));
        assert_eq!(over("c2I0CAjVoTJj9MtEtO25UBWyLpB=", form), Ok(false));

        // hashlib.sha256(json).hexdigest(), then b(key, url + "?bodySHA256=" + it, []).
        let json = r#"{"event":"call.state","params":{"call_id":"abc-123","state":"answered"}}"#;
        let url =
            format!("{url}?bodySHA256=c7438da1bafd60c95c59bb67d9c3ffc9b4c2f7ed7261a62307aa9dcd6ac178fb");
        let candidates = candidate_urls(&url, &rules).unwrap();
        let over =
            |signature: &str, body: &str| scheme_b_over_params(&key, signature, &candidates, body, &rules);
        assert_eq!(over("8IaC/a2z9CnJ2DnGT66IJe6cFU8=", json), Ok(true));
        assert_eq!(over("8IaC/a2z9CnJ2DnGT66IJe6cFU8=", "{}"), Ok(false));
    }

    #[test]
    fn a_matching_body_sha256_is_required_and_errors_stop() {
        let url = "https://h/?bodySHA256=00";
        let (result, seen) = record(url, "", &[false, true, true, true, true]);
        assert_eq!(result, Ok(false), "bodySHA256 refuses every Scheme B match");
        assert_eq!(seen.len(), 5);
        let mut calls = 0;
        let stopped =
            compared::validate_webhook_signature(KEY, "https://h/", "", &UrlRules::default(), |_| {
                calls += 1;
                if calls == 2 {
                    Err(Error::MissingSigningKey)
                } else {
                    Ok(false)
                }
            });
        assert_eq!((stopped, calls), (Err(Error::MissingSigningKey), 2));
    }
}
