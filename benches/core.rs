//! Criterion benches of the pure-Rust core: the validators on the cases of
//! `benches/compare.py`, next to the bare HMAC they cannot beat.
use std::hint::black_box;

use base64ct::{Base64, Encoding};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use signalwire_webhook::{UrlRules, validate_request_params, validate_webhook_signature};

const KEY: &[u8] = b"PSK_7f3c0c2bb1f04cd0a0e1d2f3a4b5c6d7";
const URL: &str = "https://example.ngrok.io/api/laml/webhook?CallbackSource=call-progress-events";
const FORM: &[(&str, &str)] = &[
    ("AccountSid", "AC7f3c0c2bb1f04cd0a0e1d2f3a4b5c6d7"),
    ("ApiVersion", "2010-04-01"),
    ("CallSid", "CA0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c"),
    ("CallStatus", "in-progress"),
    ("Called", "+15551230000"),
    ("Caller", "+15559870000"),
    ("Digits", "1"),
    ("Direction", "inbound"),
    ("From", "+15559870000"),
    ("To", "+15551230000"),
];

fn hmac_sha1(parts: &[&[u8]]) -> [u8; 20] {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(KEY).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn scheme_a(body: &str) -> String {
    hmac_sha1(&[URL.as_bytes(), body.as_bytes()])
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn scheme_b() -> String {
    let mut sorted = FORM.to_vec();
    sorted.sort_by_key(|(k, _)| *k);
    let message: String = std::iter::once(URL.to_owned())
        .chain(sorted.iter().map(|(k, v)| format!("{k}{v}")))
        .collect();
    let mut out = [0u8; 28];
    Base64::encode(&hmac_sha1(&[message.as_bytes()]), &mut out)
        .expect("20 bytes fit")
        .to_owned()
}

fn json_body(size: usize) -> String {
    let head = r#"{"event_type":"calling.call.state","params":{"call_state":"ended"},"pad":""#;
    format!("{head}{}\"}}", "x".repeat(size - head.len() - 2))
}

fn form_body() -> String {
    FORM.iter()
        .map(|(k, v)| format!("{k}={}", v.replace('+', "%2B")))
        .collect::<Vec<_>>()
        .join("&")
}

fn validators(c: &mut Criterion) {
    let rules = UrlRules::default();
    let small = json_body(344);
    let big = json_body(1 << 20);
    let (form, b64) = (form_body(), scheme_b());
    let (sig_small, sig_big) = (scheme_a(&small), scheme_a(&big));
    let mut group = c.benchmark_group("validate");
    group.bench_function("scheme_a_valid_344B", |b| {
        b.iter(|| validate_webhook_signature(KEY, black_box(&sig_small), URL, black_box(&small), &rules))
    });
    group.bench_function("hmac_sha1_floor_344B", |b| {
        b.iter(|| hmac_sha1(&[URL.as_bytes(), black_box(small.as_bytes())]))
    });
    group.bench_function("scheme_b_valid_form", |b| {
        b.iter(|| validate_webhook_signature(KEY, black_box(&b64), URL, black_box(&form), &rules))
    });
    let wrong_b64 = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    group.bench_function("invalid_b64_form", |b| {
        b.iter(|| validate_webhook_signature(KEY, black_box(wrong_b64), URL, black_box(&form), &rules))
    });
    let wrong_hex = "0".repeat(40);
    group.bench_function("invalid_hex_json", |b| {
        b.iter(|| validate_webhook_signature(KEY, black_box(&wrong_hex), URL, black_box(&small), &rules))
    });
    group.bench_function("request_params_10", |b| {
        b.iter(|| validate_request_params(KEY, black_box(&b64), URL, black_box(FORM), &rules))
    });
    group.finish();

    let mut group = c.benchmark_group("throughput_1MiB");
    group.throughput(Throughput::Bytes(big.len() as u64));
    group.bench_function("scheme_a_valid", |b| {
        b.iter(|| validate_webhook_signature(KEY, black_box(&sig_big), URL, black_box(&big), &rules))
    });
    group.bench_function("hmac_sha1_floor", |b| {
        b.iter(|| hmac_sha1(&[URL.as_bytes(), black_box(big.as_bytes())]))
    });
    group.finish();
}

criterion_group!(benches, validators);
criterion_main!(benches);
