//! Basic and Bearer authentication of scrapes.
//!
//! Credentials are compared in constant time and never logged, echoed or shown by
//! `Debug`.

use core::fmt;

use hyper::header::HeaderValue;

use crate::base64::{self, Alphabet};

/// The credentials a scrape must present, if any.
#[derive(Clone, Default)]
pub(crate) enum Auth {
    /// Anyone may scrape.
    #[default]
    Open,
    /// `Authorization: Basic base64(user:password)`; holds the base64 part.
    Basic(Box<[u8]>),
    /// `Authorization: Bearer <token>`; holds the token.
    Bearer(Box<[u8]>),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Open => "Open",
            Self::Basic(_) => "Basic(<redacted>)",
            Self::Bearer(_) => "Bearer(<redacted>)",
        })
    }
}

impl Auth {
    /// Basic credentials; `Err` says what is wrong with them.
    pub(crate) fn basic(user: &str, password: &str) -> Result<Self, &'static str> {
        if user.is_empty() {
            return Err("the user name is empty; give a non-empty user name");
        }
        if user.contains(':') {
            return Err("the user name contains `:`, which Basic authentication cannot carry");
        }
        if user.chars().chain(password.chars()).any(char::is_control) {
            return Err("the user name or password contains control characters");
        }
        let mut plain = Vec::with_capacity(user.len() + 1 + password.len());
        plain.extend_from_slice(user.as_bytes());
        plain.push(b':');
        plain.extend_from_slice(password.as_bytes());
        Ok(Self::Basic(base64::encode(&plain, Alphabet::Standard).into_boxed_slice()))
    }

    /// A bearer token; `Err` says what is wrong with it.
    pub(crate) fn bearer(token: &str) -> Result<Self, &'static str> {
        if token.is_empty() {
            return Err("the bearer token is empty; give a non-empty token");
        }
        // RFC 6750 b64token: what a client can send after `Bearer ` unquoted.
        let b64token = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b);
        if !token.bytes().all(b64token) {
            return Err("the bearer token may hold only letters, digits and `-._~+/=`");
        }
        Ok(Self::Bearer(token.as_bytes().into()))
    }

    /// Whether the `Authorization` header (all of them, if repeated) lets the scrape in.
    pub(crate) fn allows<'a>(&self, mut headers: impl Iterator<Item = &'a HeaderValue>) -> bool {
        let (scheme, expected) = match self {
            Self::Open => return true,
            Self::Basic(expected) => ("basic", expected),
            Self::Bearer(expected) => ("bearer", expected),
        };
        headers.any(|value| {
            let value = value.as_bytes();
            let Some(space) = value.iter().position(|b| *b == b' ') else { return false };
            let (given_scheme, rest) = value.split_at(space);
            given_scheme.eq_ignore_ascii_case(scheme.as_bytes())
                && constant_time_eq(trim_spaces(rest), expected)
        })
    }

    /// The `WWW-Authenticate` challenge sent with a 401, if authentication is on.
    pub(crate) fn challenge(&self) -> Option<HeaderValue> {
        match self {
            Self::Open => None,
            Self::Basic(_) => {
                Some(HeaderValue::from_static(r#"Basic realm="metrics", charset="UTF-8""#))
            }
            Self::Bearer(_) => Some(HeaderValue::from_static(r#"Bearer realm="metrics""#)),
        }
    }
}

fn trim_spaces(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// Compares without an early exit, so the time taken does not tell how many leading
/// bytes of a guess were right. Only the expected length can leak, which a
/// well-chosen secret makes worthless.
fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != expected.len());
    for (i, e) in expected.iter().enumerate() {
        diff |= given.get(i).copied().unwrap_or(!*e) ^ e;
    }
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(s: &str) -> HeaderValue {
        HeaderValue::from_str(s).unwrap()
    }

    #[test]
    fn basic_accepts_only_the_right_pair() {
        let auth = Auth::basic("Aladdin", "open sesame").unwrap();
        assert!(auth.allows([header("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")].iter()));
        assert!(auth.allows([header("basic  QWxhZGRpbjpvcGVuIHNlc2FtZQ== ")].iter()));
        assert!(!auth.allows([header("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ")].iter()));
        assert!(!auth.allows([header("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==x")].iter()));
        assert!(!auth.allows([header("Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ==")].iter()));
        assert!(!auth.allows([header("Basic")].iter()));
        assert!(!auth.allows([header("")].iter()));
        assert!(!auth.allows(core::iter::empty()));
        assert!(Auth::basic("a:b", "c").is_err());
        assert!(Auth::basic("", "c").is_err());
    }

    #[test]
    fn bearer_accepts_only_the_token() {
        let auth = Auth::bearer("s3cr3t-token").unwrap();
        assert!(auth.allows([header("Bearer s3cr3t-token")].iter()));
        assert!(auth.allows([header("Basic x"), header("bearer s3cr3t-token")].iter()));
        assert!(!auth.allows([header("Bearer s3cr3t-toke")].iter()));
        assert!(!auth.allows([header("Bearer s3cr3t-token2")].iter()));
        assert!(Auth::bearer("with space").is_err());
        assert!(Auth::bearer("").is_err());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let shown = format!(
            "{:?} {:?}",
            Auth::basic("u", "hunter2").unwrap(),
            Auth::bearer("tok").unwrap()
        );
        assert!(!shown.contains("hunter2") && !shown.contains("tok)"), "{shown}");
    }

    #[test]
    fn constant_time_eq_is_eq() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abd", b"abc"));
        assert!(!constant_time_eq(b"ab", b"abc"));
        assert!(!constant_time_eq(b"abcd", b"abc"));
        assert!(!constant_time_eq(&[0x9c], b"c"));
        assert!(constant_time_eq(b"", b""));
    }
}
