//! Percent-encoding, query parsing and base64url: the few URL pieces the core needs,
//! without pulling in the `url`/`idna` crates.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// base64url without padding (RFC 4648 §5), as JOSE and PKCE use it.
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

/// A query string with an invalid percent-escape or bytes that are not UTF-8.
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

/// An absolute `http:` or `https:` URL, split as far as Pixie needs: no
/// userinfo (`user@`), a host compared exactly, an optional port. Built only
/// by [`HttpUrl::parse`], so a value of this type has passed those checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl<'a> {
    /// `http` or `https`.
    pub scheme: &'a str,
    /// The host in lower case: a name, an IPv4 address or a bracketed IPv6 address.
    pub host: String,
    /// The port as written, if any.
    pub port: Option<u16>,
    /// Everything after the authority: path, query and fragment (may be empty).
    pub rest: &'a str,
}

impl<'a> HttpUrl<'a> {
    /// `None` unless `url` is `http(s)://host[:port][/…]` with nothing odd in it:
    /// no userinfo (`http://localhost:1@evil.example/` names the host
    /// `evil.example`), no whitespace, control characters or backslashes (which
    /// browsers read as `/`), and a host made of letters, digits, `-` and `.`
    /// (or a bracketed IPv6 address).
    pub fn parse(url: &'a str) -> Option<Self> {
        if url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
            return None;
        }
        let (scheme, after) = if let Some(after) = url.strip_prefix("https://") {
            ("https", after)
        } else {
            ("http", url.strip_prefix("http://")?)
        };
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(end);
        if authority.contains('@') {
            return None;
        }
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let close = bracketed.find(']')?;
            let (inside, after_host) = (&bracketed[..close], &bracketed[close + 1..]);
            if inside.is_empty() || !inside.chars().all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.')) {
                return None;
            }
            (format!("[{}]", inside.to_ascii_lowercase()), after_host)
        } else {
            let split = authority.find(':').unwrap_or(authority.len());
            let (name, after_host) = authority.split_at(split);
            let name_ok = !name.is_empty()
                && !name.starts_with(['.', '-'])
                && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'));
            if !name_ok {
                return None;
            }
            (name.to_ascii_lowercase(), after_host)
        };
        let port = match port {
            "" => None,
            digits => {
                let digits = digits.strip_prefix(':')?;
                if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Some(digits.parse().ok()?)
            }
        };
        Some(Self { scheme, host, port, rest })
    }

    /// `scheme://host[:port]`, as a browser's `location.origin` writes it
    /// (the default port left out).
    pub fn origin(&self) -> String {
        let default_port = if self.scheme == "https" { 443 } else { 80 };
        match self.port {
            Some(port) if port != default_port => format!("{}://{}:{port}", self.scheme, self.host),
            _ => format!("{}://{}", self.scheme, self.host),
        }
    }

    /// The path alone (`/` when the URL has none), without query or fragment.
    pub fn path(&self) -> &'a str {
        let end = self.rest.find(['?', '#']).unwrap_or(self.rest.len());
        match &self.rest[..end] {
            "" => "/",
            path => path,
        }
    }

    /// The host is this machine: `127.0.0.1`, `localhost` or `[::1]`.
    pub fn is_loopback(&self) -> bool {
        matches!(self.host.as_str(), "127.0.0.1" | "localhost" | "[::1]")
    }
}

/// True for `https://` URLs and for plain `http://` on a loopback host, the only
/// places a public client may send codes and tokens (RFC 9700 §2.6, RFC 8252 §8.3).
/// The authority is parsed, so `http://localhost:1@evil.example/` is refused.
pub fn is_secure_url(url: &str) -> bool {
    HttpUrl::parse(url).is_some_and(|url| url.scheme == "https" || url.is_loopback())
}

/// An absolute `http(s)://host…` URL, with an authority [`HttpUrl::parse`] accepts.
pub fn is_absolute_http_url(url: &str) -> bool {
    HttpUrl::parse(url).is_some()
}
