//! The check CPython 3.11.4+ (and 3.10.16+) applies to the bracketed host of a netloc:
//! it must be an IPvFuture literal (`v<hex>.<text>`) or an address Python's `ipaddress`
//! accepts as IPv6 (scope ids included). An IPv4 address is refused.
//!
//! Rust's `Ipv6Addr` parser rejects scope ids and differs at the edges, so these are the
//! `ipaddress` rules written out; the differential tests (`tests/test_differential.py`)
//! compare them with CPython on generated bracketed hosts.
#![forbid(unsafe_code)]

use crate::error::UrlError;

/// Accepts what `urllib.parse._check_bracketed_host` accepts; with `upper_v` (gh-105708)
/// an IPvFuture literal may start with `V` as well as `v`.
pub fn check_bracketed_host(host: &str, upper_v: bool) -> Result<(), UrlError> {
    let future = host
        .strip_prefix('v')
        .or_else(|| host.strip_prefix('V').filter(|_| upper_v));
    if let Some(future) = future {
        return if is_ipvfuture_tail(future) {
            Ok(())
        } else {
            Err(UrlError::InvalidIpvFuture)
        };
    }
    if is_ipv4(host) {
        Err(UrlError::Ipv4InBrackets)
    } else if is_ipv6(host) {
        Ok(())
    } else {
        Err(UrlError::InvalidBracketedHost(Some(host.to_owned())))
    }
}

/// `[a-fA-F0-9]+\..+` to the end, where `.` matches anything but a newline.
fn is_ipvfuture_tail(text: &str) -> bool {
    let hex_len = text.bytes().take_while(u8::is_ascii_hexdigit).count();
    match text[hex_len..].strip_prefix('.') {
        Some(rest) => hex_len > 0 && !rest.is_empty() && !rest.contains('\n'),
        None => false,
    }
}

/// `ipaddress.IPv4Address`: four dotted decimal octets, no leading zeros, each <= 255.
pub fn is_ipv4(text: &str) -> bool {
    ipv4_value(text).is_some()
}

fn ipv4_value(text: &str) -> Option<u32> {
    if text.contains('/') {
        return None;
    }
    let mut value = 0u32;
    let mut count = 0;
    for octet in text.split('.') {
        count += 1;
        if count > 4 || octet.is_empty() || octet.len() > 3 {
            return None;
        }
        if !octet.bytes().all(|b| b.is_ascii_digit()) || (octet.len() > 1 && octet.starts_with('0')) {
            return None;
        }
        let n = octet.bytes().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
        if n > 255 {
            return None;
        }
        value = (value << 8) | n;
    }
    (count == 4).then_some(value)
}

/// `ipaddress.IPv6Address`: hextets with at most one `::`, an optional IPv4 tail, and an
/// optional non-empty `%scope` that holds no second `%`.
pub fn is_ipv6(text: &str) -> bool {
    if text.contains('/') {
        return false;
    }
    let address = match text.split_once('%') {
        Some((address, scope)) if !scope.is_empty() && !scope.contains('%') => address,
        Some(_) => return false,
        None => text,
    };
    if address.is_empty() {
        return false;
    }
    let mut parts: Vec<&str> = address.split(':').collect();
    if parts.len() < 3 {
        return false;
    }
    // An IPv4 tail stands for the last two hextets.
    let mut tail_hextets = 0;
    if parts.last().is_some_and(|p| p.contains('.')) {
        if parts.pop().and_then(ipv4_value).is_none() {
            return false;
        }
        tail_hextets = 2;
    }
    let total = parts.len() + tail_hextets;
    if total > 9 {
        return false;
    }
    // `parts` as Python sees it after the tail is expanded: the tail is never empty.
    let is_empty = |i: usize| i < parts.len() && parts[i].is_empty();
    let mut skip = None;
    for i in 1..total - 1 {
        if is_empty(i) {
            if skip.is_some() {
                return false;
            }
            skip = Some(i);
        }
    }
    let (hi, lo) = match skip {
        Some(skip) => {
            let mut hi = skip;
            let mut lo = total - skip - 1;
            if is_empty(0) {
                hi -= 1;
                if hi != 0 {
                    return false;
                }
            }
            if is_empty(total - 1) {
                lo -= 1;
                if lo != 0 {
                    return false;
                }
            }
            if hi + lo >= 8 {
                return false;
            }
            (hi, lo)
        }
        None => {
            if total != 8 || is_empty(0) || is_empty(total - 1) {
                return false;
            }
            (total, 0)
        }
    };
    // Every hextet that is copied must be 1 to 4 hex digits; the IPv4 tail already is.
    let hextet_ok = |i: usize| i >= parts.len() || is_hextet(parts[i]);
    (0..hi).all(hextet_ok) && (total - lo..total).all(hextet_ok)
}

fn is_hextet(text: &str) -> bool {
    (1..=4).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_ipaddress_accepts() {
        for ok in [
            "::1",
            "::",
            "1::",
            "fe80::1%eth0",
            "FE80::A%25x",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:1.2.3.4",
            "::ffff:192.0.2.1",
            "1::2:3:4:5:6:7",
            "0001:2:3:4:5:6:7:8",
        ] {
            assert!(check_bracketed_host(ok, false).is_ok(), "{ok}");
        }
        assert!(check_bracketed_host("v1.x", false).is_ok());
        assert!(check_bracketed_host("V1.x", true).is_ok());
        assert!(check_bracketed_host("vAf.:", false).is_ok());
    }

    #[test]
    fn refuses_what_ipaddress_refuses() {
        for bad in [
            "",
            ":",
            "1:2",
            ":::",
            "1:::2",
            "1::2::3",
            ":1::2",
            "1::2:",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7",
            "::1%",
            "::1%a%b",
            "00001::",
            "g::",
            "::01.2.3.4",
            "::1.2.3",
            "1:2:3:4:5:6:7:1.2.3.4",
            "1::2:3:4:5:6:7:8",
            "::1/64",
        ] {
            assert!(check_bracketed_host(bad, true).is_err(), "{bad}");
        }
        assert_eq!(
            check_bracketed_host("1.2.3.4", true),
            Err(UrlError::Ipv4InBrackets)
        );
        assert_eq!(
            check_bracketed_host("v.x", false),
            Err(UrlError::InvalidIpvFuture)
        );
        assert_eq!(
            check_bracketed_host("v1.", false),
            Err(UrlError::InvalidIpvFuture)
        );
        assert_eq!(
            check_bracketed_host("V1.x", false),
            Err(UrlError::InvalidBracketedHost(Some("V1.x".into())))
        );
        assert_eq!(check_bracketed_host("V1.", true), Err(UrlError::InvalidIpvFuture));
    }
}
