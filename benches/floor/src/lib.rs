//! Lower bounds for the Python benches: each function is one PyO3 call doing the least
//! work a validator of that case must do, and nothing else (no URL parsing, no candidate
//! URLs, no error modes). Arguments in the validators' order: key, signature, url, body.
use base64ct::{Base64, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
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

fn sha1_key(key: &str) -> Hmac<Sha1> {
    <Hmac<Sha1> as KeyInit>::new_from_slice(key.as_bytes()).expect("any key length")
}

/// Base64 of the MAC of `keyed` (key and any prefix already absorbed) over `sorted`.
fn scheme_b_digest(keyed: &Hmac<Sha1>, sorted: &[(impl AsRef<str>, impl AsRef<str>)]) -> [u8; 28] {
    let mut mac = keyed.clone();
    for (k, v) in sorted {
        mac.update(k.as_ref().as_bytes());
        mac.update(v.as_ref().as_bytes());
    }
    let mut out = [0u8; 28];
    Base64::encode(&mac.finalize().into_bytes(), &mut out).expect("28 bytes");
    out
}

/// `validate_request` with a dict of str: borrow the items' text, sort by name, one
/// HMAC-SHA1, base64, constant-time compare (a valid signature matches the first
/// candidate URL).
#[pyfunction]
fn request_dict(key: &str, signature: &str, url: &str, params: &Bound<'_, PyDict>) -> PyResult<bool> {
    let items: Vec<(Bound<'_, PyString>, Bound<'_, PyString>)> = params
        .iter()
        .map(|(k, v)| Ok((k.cast_into::<PyString>()?, v.cast_into::<PyString>()?)))
        .collect::<PyResult<_>>()?;
    let mut pairs = Vec::with_capacity(items.len());
    for (k, v) in &items {
        pairs.push((k.to_str()?, v.to_str()?));
    }
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let mut keyed = sha1_key(key);
    keyed.update(url.as_bytes());
    Ok(bool::from(
        scheme_b_digest(&keyed, &pairs).ct_eq(signature.as_bytes()),
    ))
}

/// A base64-shaped signature that matches nothing: the reference's rules make every
/// validator try the URL and its port variant, each with the body's params and with none.
/// So: parse and sort the body, find where the port goes, the key's state once, each URL
/// absorbed once and shared by its two shapes, four MACs, four constant-time compares.
#[pyfunction]
fn scheme_b_all_four(key: &str, signature: &str, url: &str, body: &str) -> bool {
    let mut params: Vec<_> = form_urlencoded::parse(body.as_bytes()).collect();
    params.sort_by(|a, b| a.0.cmp(&b.0));
    let host_start = url.find("://").map_or(0, |i| i + 3);
    let host_end = url[host_start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| host_start + i);
    let variant = format!("{}:443{}", &url[..host_end], &url[host_end..]);
    let key = sha1_key(key);
    let none: &[(&str, &str)] = &[];
    let mut any = false;
    for candidate in [url, variant.as_str()] {
        let mut keyed = key.clone();
        keyed.update(candidate.as_bytes());
        any |= bool::from(scheme_b_digest(&keyed, &params).ct_eq(signature.as_bytes()));
        any |= bool::from(scheme_b_digest(&keyed, none).ct_eq(signature.as_bytes()));
    }
    any
}

/// The same four MACs for a body that parses to itself (no `&`, `=`, `+` or `%`, as in
/// the JSON case): no parsing at all, the port variant's MACs taken over the URL itself
/// (four bytes shorter: never more work). Hashing and compares only.
#[pyfunction]
fn scheme_b_json_four(key: &str, signature: &str, url: &str, body: &str) -> bool {
    let key = sha1_key(key);
    let one = [(body, "")];
    let none: &[(&str, &str)] = &[];
    let mut any = false;
    for _ in 0..2 {
        let mut keyed = key.clone();
        keyed.update(url.as_bytes());
        any |= bool::from(scheme_b_digest(&keyed, &one).ct_eq(signature.as_bytes()));
        any |= bool::from(scheme_b_digest(&keyed, none).ct_eq(signature.as_bytes()));
    }
    any
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
    m.add_function(wrap_pyfunction!(request_dict, m)?)?;
    m.add_function(wrap_pyfunction!(scheme_b_all_four, m)?)?;
    m.add_function(wrap_pyfunction!(scheme_b_json_four, m)?)?;
    m.add_function(wrap_pyfunction!(noop, m)?)?;
    Ok(())
}
