//! Form parameters as Scheme B signs them.
//!
//! `urllib.parse.parse_qsl(body, keep_blank_values=True)` splits on `&` only, skips empty
//! fields, splits each at the first `=`, turns `+` into a space and percent-decodes with
//! invalid UTF-8 replaced by U+FFFD. `form_urlencoded::parse` does the same on a `str`
//! (a literal non-ASCII character can never complete a broken percent-escape, so decoding
//! all bytes at once equals CPython's per-ASCII-run decoding); the differential tests
//! (`tests/test_differential.py`) check this against `parse_qsl` on generated bodies.
#![forbid(unsafe_code)]

use std::borrow::Cow;

/// One decoded `name=value` field.
pub type Param<'a> = (Cow<'a, str>, Cow<'a, str>);

/// `parse_qsl(text, keep_blank_values=True)`.
pub fn parse_qsl(text: &str) -> Vec<Param<'_>> {
    form_urlencoded::parse(text.as_bytes()).collect()
}

/// Orders params for signing: by name in code-point order, keeping submission order among
/// repeated names (a stable sort, as Python's `list.sort` is).
pub fn sort_for_signing<K: AsRef<str>, V>(params: &mut [(K, V)]) {
    params.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
}

/// `dict(parse_qsl(query, keep_blank_values=True)).get(name)`: the last value wins.
pub fn last_query_value<'q>(query: &'q str, name: &str) -> Option<Cow<'q, str>> {
    form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == name)
        .last()
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Vec<(String, String)> {
        parse_qsl(text)
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_like_parse_qsl_with_blank_values() {
        assert_eq!(
            parsed("a=1&&b=&c&=d&e=f=g"),
            pairs(&[("a", "1"), ("b", ""), ("c", ""), ("", "d"), ("e", "f=g")])
        );
        assert_eq!(parsed("a+b=c+d%2B%20"), pairs(&[("a b", "c d+ ")]));
        assert_eq!(parsed("a=1;b=2"), pairs(&[("a", "1;b=2")]));
        assert_eq!(parsed("%zz=%4"), pairs(&[("%zz", "%4")]));
        assert!(parsed("").is_empty());
        assert!(parsed("&&").is_empty());
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        assert_eq!(parsed("k=%C3%A9%FF"), pairs(&[("k", "é\u{FFFD}")]));
        assert_eq!(parsed("k=%E2%82"), pairs(&[("k", "\u{FFFD}")]));
        assert_eq!(parsed("k=%ED%A0%80"), pairs(&[("k", "\u{FFFD}\u{FFFD}\u{FFFD}")]));
        // A literal character never joins a dangling escape.
        assert_eq!(parsed("k=%C3é%A9"), pairs(&[("k", "\u{FFFD}é\u{FFFD}")]));
    }

    #[test]
    fn sorting_is_stable_by_name() {
        let mut params = vec![
            ("b", "1"),
            ("a", "2"),
            ("b", "0"),
            ("A", "3"),
            ("é", "4"),
            ("z", "5"),
        ];
        sort_for_signing(&mut params);
        assert_eq!(
            params,
            [
                ("A", "3"),
                ("a", "2"),
                ("b", "1"),
                ("b", "0"),
                ("z", "5"),
                ("é", "4")
            ]
        );
    }

    #[test]
    fn last_duplicate_wins() {
        assert_eq!(
            last_query_value("bodySHA256=a&x=1&bodySHA256=b", "bodySHA256").as_deref(),
            Some("b")
        );
        assert_eq!(
            last_query_value("body%53HA256=c", "bodySHA256").as_deref(),
            Some("c")
        );
        assert_eq!(last_query_value("bodySHA256", "bodySHA256").as_deref(), Some(""));
        assert_eq!(last_query_value("x=1", "bodySHA256"), None);
    }
}
