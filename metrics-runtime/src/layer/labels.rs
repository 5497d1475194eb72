//! The bounded label values: methods by dense index, statuses by a small key.

use http::{Method, StatusCode};

/// The `method` values: the nine methods of RFC 9110 and RFC 5789, then `other`.
pub(crate) const METHODS: [&str; 10] =
    ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "other"];

/// The position of `HEAD` in [`METHODS`]: its responses send no body.
pub(crate) const HEAD: usize = 1;

/// The position of `method` in [`METHODS`]; any extension method is `other`, so a
/// client cannot add series by inventing methods.
#[inline]
pub(crate) fn method_index(method: &Method) -> usize {
    match method.as_str() {
        "GET" => 0,
        "HEAD" => 1,
        "POST" => 2,
        "PUT" => 3,
        "DELETE" => 4,
        "CONNECT" => 5,
        "OPTIONS" => 6,
        "TRACE" => 7,
        "PATCH" => 8,
        _ => 9,
    }
}

/// A `status` value in 16 bits, so that a route's statuses fit in a few atomics:
/// `100..=999` an exact code, `1..=9` a class (`2xx`), from `1000` the requests
/// that ended without a response. `0` is no status (an empty slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct StatusKey(pub(crate) u16);

impl StatusKey {
    /// The response future was dropped before it finished: the client went away, or
    /// a timeout or `select!` upstream gave up on it.
    pub(crate) const CANCELLED: Self = Self(1000);
    /// The inner service returned an error instead of a response.
    pub(crate) const ERROR: Self = Self(1001);
    /// A panic escaped the inner service while it was polled.
    pub(crate) const PANICKED: Self = Self(1002);

    /// The key of a response status: the exact code, or its class.
    #[inline]
    pub(crate) fn of(status: StatusCode, class: bool) -> Self {
        let code = status.as_u16();
        Self(if class { code / 100 } else { code })
    }

    /// The label value; `buf` holds the digits of an exact code.
    pub(crate) fn label(self, buf: &mut itoa::Buffer) -> &str {
        const CLASSES: [&str; 9] = ["1xx", "2xx", "3xx", "4xx", "5xx", "6xx", "7xx", "8xx", "9xx"];
        match self {
            Self::CANCELLED => "cancelled",
            Self::ERROR => "error",
            Self::PANICKED => "panicked",
            Self(class @ 1..=9) => CLASSES[usize::from(class) - 1],
            Self(code) => buf.format(code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_method_has_its_own_value() {
        for (i, name) in METHODS.iter().enumerate().take(9) {
            let method = Method::from_bytes(name.as_bytes()).unwrap();
            assert_eq!(method_index(&method), i);
        }
        assert_eq!(METHODS[method_index(&Method::HEAD)], "HEAD");
        for other in ["PURGE", "get", "PROPFIND"] {
            assert_eq!(method_index(&Method::from_bytes(other.as_bytes()).unwrap()), 9);
        }
    }

    #[test]
    fn status_labels() {
        let mut buf = itoa::Buffer::new();
        let label = |key: StatusKey, buf: &mut itoa::Buffer| key.label(buf).to_owned();
        assert_eq!(label(StatusKey::of(StatusCode::NOT_FOUND, false), &mut buf), "404");
        assert_eq!(label(StatusKey::of(StatusCode::NOT_FOUND, true), &mut buf), "4xx");
        assert_eq!(label(StatusKey::of(StatusCode::CONTINUE, true), &mut buf), "1xx");
        let odd = StatusCode::from_u16(999).unwrap();
        assert_eq!(label(StatusKey::of(odd, false), &mut buf), "999");
        assert_eq!(label(StatusKey::of(odd, true), &mut buf), "9xx");
        assert_eq!(label(StatusKey::CANCELLED, &mut buf), "cancelled");
        assert_eq!(label(StatusKey::ERROR, &mut buf), "error");
        assert_eq!(label(StatusKey::PANICKED, &mut buf), "panicked");
        // Exact codes sort before the requests that had none.
        assert!(StatusKey(599) < StatusKey::CANCELLED);
    }
}
