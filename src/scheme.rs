//! The two signature schemes: how the signed message is built and how the MAC is encoded.
//!
//! Scheme A: lowercase hex of HMAC-SHA1 (or HMAC-SHA256) over `url + raw_body`.
//! Scheme B: standard base64 of HMAC-SHA1 over `url + k1 v1 k2 v2 …`.
//! Messages are fed to one HMAC state piece by piece; nothing is concatenated.
//! Expected MACs are encoded with constant-time encoders and compared with `subtle`,
//! so no branch or table lookup depends on the secret MAC bytes.
#![forbid(unsafe_code)]

use base64ct::{Base64, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Length of a Scheme A SHA-1 signature: 40 lowercase hex characters.
pub const SHA1_HEX_LEN: usize = 40;
/// Length of a SHA-256 signature: 64 lowercase hex characters.
pub const SHA256_HEX_LEN: usize = 64;
/// Length of a Scheme B signature: base64 of 20 bytes, padded.
pub const SCHEME_B_LEN: usize = 28;

/// Keyed HMAC-SHA1 state, computed once per key and cloned per message.
#[derive(Clone)]
pub struct Sha1Key(Hmac<Sha1>);

impl Sha1Key {
    /// HMAC accepts keys of any length, so this cannot fail.
    pub fn new(key: &[u8]) -> Self {
        Self(<Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!()))
    }

    /// The state after `prefix` has been fed: the messages tried for one candidate URL
    /// all start with it, so it is hashed once.
    pub fn after(&self, prefix: &[u8]) -> Self {
        let mut mac = self.0.clone();
        mac.update(prefix);
        Self(mac)
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 20] {
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// Scheme A: hex(HMAC-SHA1(key, url + body)), the `X-SignalWire-Signature` value.
    pub fn scheme_a_hex(&self, url: &[u8], body: &[u8]) -> [u8; SHA1_HEX_LEN] {
        let mut hex = [0u8; SHA1_HEX_LEN];
        // 20 bytes always encode to exactly 40 characters, so this cannot fail.
        let _ = base16ct::lower::encode(&self.mac(&[url, body]), &mut hex);
        hex
    }

    /// Scheme A: does `signature` equal hex(HMAC-SHA1(key, url + body))?
    pub fn scheme_a_matches(&self, signature: &[u8], url: &[u8], body: &[u8]) -> bool {
        signature.len() == SHA1_HEX_LEN && ct_eq(&self.scheme_a_hex(url, body), signature)
    }

    /// Scheme B: base64(HMAC-SHA1(key, url + k1v1k2v2…)) for params already in signing order.
    pub fn scheme_b_digest<K, V>(&self, url: &str, sorted_params: &[(K, V)]) -> [u8; SCHEME_B_LEN]
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        self.scheme_b_digest_fed(|update| {
            update(url.as_bytes());
            for (k, v) in sorted_params {
                update(k.as_ref().as_bytes());
                update(v.as_ref().as_bytes());
            }
        })
    }

    /// Scheme B over a message that `feed` hands over in pieces (after whatever this state
    /// has already been fed): base64 of the HMAC-SHA1.
    pub fn scheme_b_digest_fed(&self, feed: impl FnOnce(&mut dyn FnMut(&[u8]))) -> [u8; SCHEME_B_LEN] {
        let mut mac = self.0.clone();
        feed(&mut |piece| mac.update(piece));
        let raw: [u8; 20] = mac.finalize().into_bytes().into();
        let mut out = [0u8; SCHEME_B_LEN];
        // 20 bytes always encode to exactly 28 characters, so this cannot fail.
        let _ = Base64::encode(&raw, &mut out);
        out
    }
}

/// Keyed HMAC-SHA256 state for the `X-SignalWire-Sha256-Signature` header.
#[derive(Clone)]
pub struct Sha256Key(Hmac<Sha256>);

impl Sha256Key {
    /// HMAC accepts keys of any length, so this cannot fail.
    pub fn new(key: &[u8]) -> Self {
        Self(<Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!()))
    }

    /// hex(HMAC-SHA256(key, url + body)), the `X-SignalWire-Sha256-Signature` value.
    pub fn hex(&self, url: &[u8], body: &[u8]) -> [u8; SHA256_HEX_LEN] {
        let mut mac = self.0.clone();
        mac.update(url);
        mac.update(body);
        let raw: [u8; 32] = mac.finalize().into_bytes().into();
        let mut hex = [0u8; SHA256_HEX_LEN];
        // 32 bytes always encode to exactly 64 characters, so this cannot fail.
        let _ = base16ct::lower::encode(&raw, &mut hex);
        hex
    }

    /// Does `signature` equal hex(HMAC-SHA256(key, url + body))?
    pub fn matches(&self, signature: &[u8], url: &[u8], body: &[u8]) -> bool {
        signature.len() == SHA256_HEX_LEN && ct_eq(&self.hex(url, body), signature)
    }
}

/// Constant-time equality of two byte strings (different lengths are simply unequal).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

/// Lowercase hex SHA-256 of a body, for the `bodySHA256` query parameter.
pub fn body_sha256_hex(body: &[u8]) -> [u8; SHA256_HEX_LEN] {
    let digest: [u8; 32] = Sha256::digest(body).into();
    let mut hex = [0u8; SHA256_HEX_LEN];
    let _ = base16ct::lower::encode(&digest, &mut hex);
    hex
}
