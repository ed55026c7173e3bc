//! Input framing and the plain models the fuzz targets compare the core against.
//!
//! An input is a list of fields separated by the byte `0xFF` (never part of UTF-8), each
//! field decoded lossily to text. The first field's first byte, when there is one, picks
//! options (`flags`). `seed.py` writes corpus files in this format.
#![forbid(unsafe_code)]

use base64ct::{Base64, Encoding};
use hmac::{KeyInit, Mac};
use signalwire_webhook::{Dialect, UrlRules};

/// Splits an input into its flags byte and its text fields.
pub fn fields(data: &[u8]) -> (u8, Vec<String>) {
    let mut parts = data.split(|&b| b == 0xFF);
    let head = parts.next().unwrap_or_default();
    let flags = head.first().copied().unwrap_or(0);
    let texts = parts.map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    (flags, texts)
}

/// The `urlsplit` generation chosen by flags bits 0, 3 and 4 (bits 1 and 2 are the
/// targets' own).
pub fn rules(flags: u8) -> UrlRules<'static> {
    let generations = Dialect::GENERATIONS;
    let pick = usize::from((flags & 1) | ((flags >> 2) & 0b110));
    UrlRules::cpython(generations[pick % generations.len()])
}

/// HMAC-SHA1 of the concatenated `parts`, from the `hmac` crate, with no state reuse.
pub fn hmac_sha1(key: &[u8], parts: &[&[u8]]) -> [u8; 20] {
    let mut message = Vec::new();
    for part in parts {
        message.extend_from_slice(part);
    }
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(&message);
    mac.finalize().into_bytes().into()
}

/// Lowercase hex, written out by hand.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    Base64::encode_string(bytes)
}

/// `parse_qsl(body, keep_blank_values=True)` by `form_urlencoded`, sorted stably by name.
pub fn sorted_form(body: &str) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    params.sort_by(|a, b| a.0.cmp(&b.0));
    params
}

/// Names and values joined in signing order.
pub fn joined(sorted: &[(String, String)]) -> String {
    sorted
        .iter()
        .flat_map(|(k, v)| [k.as_str(), v.as_str()])
        .collect()
}

/// `text` with the character at `at` (modulo the char count) replaced by a different one,
/// or `None` for empty text.
pub fn one_char_changed(text: &str, at: usize) -> Option<String> {
    let count = text.chars().count();
    if count == 0 {
        return None;
    }
    let i = at % count;
    Some(
        text.chars()
            .enumerate()
            .map(|(j, c)| {
                if j != i {
                    c
                } else if c == 'a' {
                    'b'
                } else {
                    'a'
                }
            })
            .collect(),
    )
}

/// HMAC-SHA256 of `url + body` in lowercase hex, from the `hmac` crate.
pub fn hmac_sha256_hex(key: &[u8], url: &[u8], body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(&[url, body].concat());
    hex(&mac.finalize().into_bytes())
}
