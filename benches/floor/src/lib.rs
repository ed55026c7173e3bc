//! Lower bounds for the Python benches: each function is one PyO3 call doing the least
//! work a validator of that case must do, and nothing else (no URL parsing, no candidate
//! URLs, no error modes). Arguments in the validators' order: key, signature, url, body.
use base64ct::{Base64, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use pyo3::prelude::*;
use sha1::Sha1;
use sha2::Sha256;
use subtle::ConstantTimeEq;

fn hex_matches<M: Mac>(mut mac: M, url: &str, body: &str, signature: &str) -> bool {
    mac.update(url.as_bytes());
    mac.update(body.as_bytes());
    let mut buf = [0u8; 64];
    let hex = base16ct::lower::encode(&mac.finalize().into_bytes(), &mut buf).expect("fits");
    bool::from(hex.ct_eq(signature.as_bytes()))
}

/// One HMAC-SHA1 over `url + body`, hex, constant-time compare.
#[pyfunction]
fn scheme_a(key: &str, signature: &str, url: &str, body: &str) -> bool {
    let mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key.as_bytes()).expect("any key length");
    hex_matches(mac, url, body, signature)
}

/// One HMAC-SHA256 over `url + body`, hex, constant-time compare.
#[pyfunction]
fn sha256(key: &str, signature: &str, url: &str, body: &str) -> bool {
    let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes()).expect("any key length");
    hex_matches(mac, url, body, signature)
}

/// Parse the form body, sort by name, one HMAC-SHA1, base64, constant-time compare.
#[pyfunction]
fn scheme_b_form(key: &str, signature: &str, url: &str, body: &str) -> bool {
    let mut params: Vec<_> = form_urlencoded::parse(body.as_bytes()).collect();
    params.sort_by(|a, b| a.0.cmp(&b.0));
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(url.as_bytes());
    for (k, v) in &params {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    let mut out = [0u8; 28];
    let encoded = Base64::encode(&mac.finalize().into_bytes(), &mut out).expect("28 bytes");
    bool::from(encoded.as_bytes().ct_eq(signature.as_bytes()))
}

/// Call overhead alone: four str arguments, no work.
#[pyfunction]
fn noop(_key: &str, _signature: &str, _url: &str, _body: &str) -> bool {
    false
}

#[pymodule]
fn swfloor(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(scheme_a, m)?)?;
    m.add_function(wrap_pyfunction!(sha256, m)?)?;
    m.add_function(wrap_pyfunction!(scheme_b_form, m)?)?;
    m.add_function(wrap_pyfunction!(noop, m)?)?;
    Ok(())
}
