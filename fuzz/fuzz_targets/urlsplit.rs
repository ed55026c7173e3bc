//! The CPython-compatible URL splitter, `.hostname`, `.port`, `;params` removal and the
//! candidate URLs, on arbitrary text under every generation of the rules. Field: the URL.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signalwire_webhook::candidates::candidate_urls;
use signalwire_webhook::urlsplit::{hostname, path_without_params, port, urlsplit};
use signalwire_webhook::{Dialect, UrlRules};
use signalwire_webhook_fuzz::fields;

fn check(url: &str, rules: &UrlRules<'_>) {
    let candidates = candidate_urls(url, rules);
    let Ok(split) = urlsplit(url, rules) else {
        assert!(candidates.is_err(), "candidates for a URL that does not split");
        return;
    };
    // urlsplit only removes characters (tabs, newlines, leading controls) and lower-cases
    // the ASCII scheme, so its parts fit in the input and hold no delimiter they end at.
    let parts = [
        &split.scheme,
        &split.netloc,
        &split.path,
        &split.query,
        &split.fragment,
    ];
    assert!(parts.iter().map(|p| p.len()).sum::<usize>() <= url.len());
    assert!(parts.iter().all(|p| !p.contains(['\t', '\r', '\n'])));
    assert!(
        split
            .scheme
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b))
    );
    assert!(!split.netloc.contains(['/', '?', '#']));
    assert!(!split.path.contains(['?', '#']));
    assert!(!split.query.contains('#'));
    assert!(
        split
            .path
            .starts_with(path_without_params(&split.scheme, &split.path))
    );
    if let Some(host) = hostname(&split.netloc, rules.unicode) {
        assert!(!host.is_empty());
    }
    match (port(&split.netloc), &candidates) {
        (Err(_), Err(_)) | (Ok(_), _) => {}
        (Err(e), Ok(_)) => panic!("port error {e:?} but candidates were listed"),
    }
    if let Ok(candidates) = candidates {
        let listed: Vec<&str> = candidates.iter().collect();
        assert_eq!(listed[0], url);
        assert!(listed.len() <= 2);
        if listed.len() == 2 {
            assert!(
                matches!(&*split.scheme, "http" | "https"),
                "variant for {:?}",
                split.scheme
            );
            assert_ne!(listed[0], listed[1]);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (_, texts) = fields(data);
    let url = texts.first().map_or("", String::as_str);
    let all = Dialect::GENERATIONS.map(UrlRules::cpython);
    for rules in &all {
        check(url, rules);
    }
    // The generations differ only on schemes that start with a non-letter and on brackets.
    let starts_with_letter = url
        .trim_start_matches(|c: char| c <= ' ')
        .replace(['\t', '\r', '\n'], "")
        .starts_with(|c: char| c.is_ascii_alphabetic());
    if starts_with_letter && !url.contains(['[', ']']) {
        for rules in &all[1..] {
            assert_eq!(urlsplit(url, rules), urlsplit(url, &all[0]));
            assert_eq!(candidate_urls(url, rules), candidate_urls(url, &all[0]));
        }
    }
});
