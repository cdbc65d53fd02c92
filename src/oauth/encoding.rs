//! Percent-encoding, query parsing and base64url: the few URL pieces the core needs,
//! without pulling in the `url`/`idna` crates.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

pub fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict base64url without padding, as JOSE and PKCE use it.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// Encode a query or form component: everything except RFC 3986 unreserved
/// characters is percent-encoded (space becomes `%20`, which every server accepts).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte as char),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[(byte >> 4) as usize] as char);
                out.push(HEX[(byte & 0x0f) as usize] as char);
            }
        }
    }
    out
}

/// `application/x-www-form-urlencoded` body (or query) from ordered pairs.
pub fn form_encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(key, value)| format!("{}={}", percent_encode(key), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedQuery;

/// Parse a query string or fragment (with or without the leading `?`/`#`) into
/// ordered pairs. `+` is a space; invalid escapes or non-UTF-8 are an error.
pub fn parse_query(input: &str) -> Result<Vec<(String, String)>, MalformedQuery> {
    let input = input.strip_prefix(['?', '#']).unwrap_or(input);
    input
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            Ok((percent_decode(key)?, percent_decode(value)?))
        })
        .collect()
}

fn percent_decode(input: &str) -> Result<String, MalformedQuery> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                // Exactly two hex digits: `from_str_radix` alone would also take "+1".
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
                    .ok_or(MalformedQuery)?;
                let hex = core::str::from_utf8(hex).map_err(|_| MalformedQuery)?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| MalformedQuery)?);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| MalformedQuery)
}

/// True for `https://` URLs and for plain `http://` on a loopback host, the only
/// places a public client may send codes and tokens (RFC 9700 §2.6, RFC 8252 §8.3).
pub fn is_secure_url(url: &str) -> bool {
    if let Some(rest) = url.strip_prefix("https://") {
        return !rest.is_empty() && !rest.starts_with('/');
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    ["127.0.0.1", "localhost", "[::1]"].iter().any(|host| {
        rest.strip_prefix(host).is_some_and(|after| after.is_empty() || after.starts_with([':', '/', '?']))
    })
}

/// An absolute `http(s)://host…` URL, checked only as far as the core needs.
pub fn is_absolute_http_url(url: &str) -> bool {
    ["https://", "http://"]
        .iter()
        .any(|scheme| url.strip_prefix(scheme).is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/')))
        && !url.contains(char::is_whitespace)
}
