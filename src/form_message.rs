//! Scheme B's message for a raw form body, `k1v1k2v2…` over
//! `parse_qsl(body, keep_blank_values=True)` stably sorted by name, built for hashing
//! without a list of decoded strings and without copying the body.
//!
//! One pass over the body, eight bytes at a time, finds the fields, their first `=` and
//! whether a part holds `+` or `%`. A part without them is a range of the body; a part with them is
//! decoded (as [`crate::form::parse_qsl`] decodes it) into one buffer shared by all such
//! parts, so the only memory in proportion to the body is one small record per field and
//! the decoded escapes. Each record carries the first 16 bytes of its name as a
//! big-endian integer: the stable sort compares those and only looks at longer names'
//! tails when both heads are equal. Hashing feeds long parts as they are and stages short
//! ones in a bounded buffer, so the HMAC sees a few large updates instead of two per field.
//!
//! `tests::message_equals_parse_qsl_sorted_and_joined` checks the message against
//! [`crate::form::parse_qsl`], [`crate::form::sort_for_signing`] and a plain join.
#![forbid(unsafe_code)]

use std::cmp::Ordering;

/// Largest body this representation indexes (ranges are `u32`, one bit marks the buffer).
pub const MAX_BODY: usize = (u32::MAX >> 1) as usize;

/// Short parts are copied into a staging buffer of at most this size before hashing.
pub const STAGE: usize = 64 * 1024;

/// Parts at least this long are fed to the HMAC directly.
const DIRECT: usize = 512;

/// Marks a range of the decoded buffer rather than of the body.
const DECODED: u32 = 1 << 31;

/// A part of a field: `start` (with [`DECODED`] for the decoded buffer) and length.
#[derive(Clone, Copy)]
struct Part {
    start: u32,
    len: u32,
}

/// One field: its name's first 16 bytes (zero-padded, as a big-endian integer) and its
/// two parts.
#[derive(Clone, Copy)]
struct Field {
    head: u128,
    name: Part,
    value: Part,
}

/// The message of a form body, in signing order.
pub struct FormMessage<'a> {
    body: &'a [u8],
    decoded: Vec<u8>,
    fields: Vec<Field>,
    len: usize,
}

const ONES: u64 = u64::from_le_bytes([1; 8]);
const LOW7: u64 = ONES * 0x7f;

/// The high bit of each byte of `x` that is zero, and no other bit.
fn zero_bytes(x: u64) -> u64 {
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// The high bit of each byte of `word` that is `&`, `=`, `+` or `%` (8 bytes at a time).
fn special_bytes(word: u64) -> u64 {
    zero_bytes(word ^ (ONES * u64::from(b'&')))
        | zero_bytes(word ^ (ONES * u64::from(b'=')))
        | zero_bytes(word ^ (ONES * u64::from(b'+')))
        | zero_bytes(word ^ (ONES * u64::from(b'%')))
}

/// [`special_bytes`] of the last, shorter word (padded with zero bytes, never special).
fn tail_specials(tail: &[u8]) -> u64 {
    let mut word = [0; 8];
    word[..tail.len()].copy_from_slice(tail);
    special_bytes(u64::from_le_bytes(word))
}

impl<'a> FormMessage<'a> {
    /// Parses and orders `body`'s fields; `None` when the body is longer than [`MAX_BODY`].
    pub fn new(body: &'a str) -> Option<Self> {
        if body.len() > MAX_BODY {
            return None;
        }
        let mut message = FormMessage {
            body: body.as_bytes(),
            decoded: Vec::new(),
            fields: Vec::new(),
            len: 0,
        };
        message.parse();
        let (body, decoded) = (message.body, &message.decoded);
        message.fields.sort_by(|a, b| compare_names(body, decoded, a, b));
        Some(message)
    }

    fn parse(&mut self) {
        let bytes = self.body;
        self.fields.reserve(bytes.len() / 16 + 1);
        let (mut start, mut eq, mut escaped) = (0, None, [false; 2]);
        let words = bytes.chunks_exact(8);
        let tail = words.remainder();
        let masks = words
            .map(|word| special_bytes(u64::from_le_bytes(word.try_into().unwrap_or_default())))
            .chain(std::iter::once(tail_specials(tail)));
        for (base, mask) in (0..).step_by(8).zip(masks) {
            let mut mask = mask;
            while mask != 0 {
                let i = base + (mask.trailing_zeros() / 8) as usize;
                mask &= mask - 1;
                match bytes[i] {
                    b'&' => {
                        self.push_field(start, i, eq, escaped);
                        (start, eq, escaped) = (i + 1, None, [false; 2]);
                    }
                    b'=' => {
                        if eq.is_none() {
                            eq = Some(i);
                        }
                    }
                    _ => escaped[usize::from(eq.is_some())] = true,
                }
            }
        }
        self.push_field(start, bytes.len(), eq, escaped);
    }

    /// `body[start..end]` as a field (nothing when it is empty).
    fn push_field(&mut self, start: usize, end: usize, eq: Option<usize>, escaped: [bool; 2]) {
        if start == end {
            return;
        }
        let (name_end, value_start) = eq.map_or((end, end), |i| (i, i + 1));
        let name = self.part(start, name_end, escaped[0]);
        let value = self.part(value_start, end, escaped[1]);
        self.len += name.len as usize + value.len as usize;
        let (buffer, at) = self.located(name);
        let head = head(buffer, at, name.len as usize);
        self.fields.push(Field { head, name, value });
    }

    /// `body[start..end]` as it is, or decoded into the shared buffer.
    fn part(&mut self, start: usize, end: usize, escaped: bool) -> Part {
        // Both fit in 31 bits: the body is at most MAX_BODY long, and decoding never
        // lengthens a part (an escape or an invalid byte is at least as long as U+FFFD).
        if !escaped {
            return Part {
                start: start as u32,
                len: (end - start) as u32,
            };
        }
        let at = self.decoded.len();
        decode_into(&self.body[start..end], &mut self.decoded);
        Part {
            start: at as u32 | DECODED,
            len: (self.decoded.len() - at) as u32,
        }
    }

    fn located(&self, part: Part) -> (&[u8], usize) {
        locate(self.body, &self.decoded, part)
    }

    fn bytes(&self, part: Part) -> &[u8] {
        part_bytes(self.body, &self.decoded, part)
    }

    /// The message's length in bytes (without the URL).
    pub fn len(&self) -> usize {
        self.len
    }

    /// No fields at all (a message of fields that are all empty is not empty).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Each name and value in signing order.
    fn parts(&self) -> impl Iterator<Item = &[u8]> {
        self.fields
            .iter()
            .flat_map(|field| [self.bytes(field.name), self.bytes(field.value)])
    }

    /// Appends the whole message to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.reserve(self.len);
        for part in self.parts() {
            out.extend_from_slice(part);
        }
    }

    /// Feeds the message to `sink` in order: long parts as they are, runs of short parts
    /// through `stage` (resized to at most [`STAGE`] bytes on first use).
    pub fn feed(&self, stage: &mut Vec<u8>, sink: &mut dyn FnMut(&[u8])) {
        let mut filled = 0;
        for field in &self.fields {
            for part in [field.name, field.value] {
                let len = part.len as usize;
                if len == 0 {
                    continue;
                }
                let (buffer, start) = self.located(part);
                if len >= DIRECT {
                    if filled > 0 {
                        sink(&stage[..filled]);
                        filled = 0;
                    }
                    sink(&buffer[start..start + len]);
                    continue;
                }
                if stage.is_empty() {
                    stage.resize(self.len.min(STAGE) + WINDOW, 0);
                }
                if filled + len > stage.len() - WINDOW {
                    sink(&stage[..filled]);
                    filled = 0;
                }
                // Short parts are copied 16 bytes at a time where the buffer has them (the
                // bytes beyond the part are overwritten next or never fed).
                match buffer.get(start..start + WINDOW) {
                    Some(window) if len <= WINDOW => {
                        stage[filled..filled + WINDOW].copy_from_slice(window);
                    }
                    _ => stage[filled..filled + len].copy_from_slice(&buffer[start..start + len]),
                }
                filled += len;
            }
        }
        if filled > 0 {
            sink(&stage[..filled]);
        }
    }
}

/// The fixed-size copy of short parts.
const WINDOW: usize = 16;

fn part_bytes<'b>(body: &'b [u8], decoded: &'b [u8], part: Part) -> &'b [u8] {
    let (buffer, start) = locate(body, decoded, part);
    &buffer[start..start + part.len as usize]
}

/// The buffer holding `part` and where in it the part starts.
fn locate<'b>(body: &'b [u8], decoded: &'b [u8], part: Part) -> (&'b [u8], usize) {
    if part.start & DECODED == 0 {
        (body, part.start as usize)
    } else {
        (decoded, (part.start & !DECODED) as usize)
    }
}

/// A name's first 16 bytes, zero-padded, as a big-endian integer: comparing heads
/// compares names as far as they go (UTF-8 byte order is code-point order). `buffer`
/// holds the name at `start`; the 16 bytes from there are read at once when it has them.
fn head(buffer: &[u8], start: usize, len: usize) -> u128 {
    if let Some(window) = buffer.get(start..start + 16) {
        let value = u128::from_be_bytes(window.try_into().unwrap_or_default());
        return match len {
            0 => 0,
            1..16 => value & !(u128::MAX >> (8 * len)),
            _ => value,
        };
    }
    let mut bytes = [0u8; 16];
    let n = len.min(16);
    bytes[..n].copy_from_slice(&buffer[start..start + n]);
    u128::from_be_bytes(bytes)
}

/// Code-point order of two fields' names.
fn compare_names(body: &[u8], decoded: &[u8], a: &Field, b: &Field) -> Ordering {
    a.head.cmp(&b.head).then_with(|| {
        if a.name.len.min(b.name.len) <= 16 {
            // Equal heads and a name of at most 16 bytes: that name is a prefix of the
            // other (whose bytes beyond it within the head are zero), so length decides.
            a.name.len.cmp(&b.name.len)
        } else {
            part_bytes(body, decoded, a.name)[16..].cmp(&part_bytes(body, decoded, b.name)[16..])
        }
    })
}

/// `+` to space, `%XX` to its byte, then the bytes as UTF-8 with U+FFFD for invalid ones,
/// appended to `out`.
fn decode_into(raw: &[u8], out: &mut Vec<u8>) {
    let at = out.len();
    let mut rest = raw;
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        match b {
            b'+' => out.push(b' '),
            b'%' => match (hex_value(tail.first()), hex_value(tail.get(1))) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    rest = &tail[2..];
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
    }
    if std::str::from_utf8(&out[at..]).is_err() {
        let text = String::from_utf8_lossy(&out[at..]).into_owned();
        out.truncate(at);
        out.extend_from_slice(text.as_bytes());
    }
}

fn hex_value(digit: Option<&u8>) -> Option<u8> {
    match *digit? {
        d @ b'0'..=b'9' => Some(d - b'0'),
        d @ b'a'..=b'f' => Some(d - b'a' + 10),
        d @ b'A'..=b'F' => Some(d - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::{parse_qsl, sort_for_signing};

    fn model(body: &str) -> Vec<u8> {
        let mut params = parse_qsl(body);
        sort_for_signing(&mut params);
        let mut out = Vec::new();
        for (name, value) in &params {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(value.as_bytes());
        }
        out
    }

    fn written(body: &str) -> Vec<u8> {
        let message = FormMessage::new(body).unwrap();
        let mut out = Vec::new();
        message.write_to(&mut out);
        assert_eq!(out.len(), message.len());
        assert_eq!(message.is_empty(), parse_qsl(body).is_empty());
        let mut fed = Vec::new();
        let mut stage = Vec::new();
        message.feed(&mut stage, &mut |chunk| fed.extend_from_slice(chunk));
        assert_eq!(fed, out);
        assert!(stage.len() <= STAGE + WINDOW);
        out
    }

    #[test]
    fn message_equals_parse_qsl_sorted_and_joined() {
        // Every string of up to 4 symbols over the characters that matter, then longer
        // pseudo-random ones, including names that share 16-byte heads.
        const ALPHABET: [&str; 17] = [
            "a",
            "=",
            "&",
            "+",
            "%",
            "2",
            "B",
            "C",
            "3",
            "A",
            "F",
            "é",
            "\u{FFFD}",
            " ",
            "\0",
            "0123456789abcdef",
            "%FF",
        ];
        let mut texts = vec![String::new()];
        let mut layer = texts.clone();
        for _ in 0..4 {
            layer = layer
                .iter()
                .flat_map(|t| ALPHABET.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(layer.iter().cloned());
        }
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(state % 48) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(ALPHABET[(state % ALPHABET.len() as u64) as usize]);
            }
            texts.push(text);
        }
        for text in &texts {
            assert_eq!(written(text), model(text), "{text:?}");
        }
    }

    #[test]
    fn long_and_short_parts_are_staged_in_order() {
        let long = "x".repeat(3 * STAGE);
        let mut body = String::new();
        for i in 0..40_000 {
            body.push_str(&format!("n{}={}&", 40_000 - i, i % 7));
            if i % 9_999 == 0 {
                body.push_str(&format!("L={long}&"));
            }
        }
        assert_eq!(written(&body), model(&body));
    }

    #[test]
    fn heads_order_names_like_code_points() {
        for (a, b) in [
            ("a", "a\0"),
            ("a\0", "a\0\0"),
            ("0123456789abcdef", "0123456789abcdef\0"),
            ("0123456789abcdefA", "0123456789abcdefB"),
            ("z", "é"),
            ("", "\0"),
        ] {
            let body = format!("{b}=1&{a}=2");
            assert_eq!(written(&body), model(&body), "{a:?} {b:?}");
        }
    }
}
