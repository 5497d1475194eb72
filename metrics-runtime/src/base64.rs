//! Base64 encoding (RFC 4648): the standard alphabet for Basic credentials, the URL
//! and filename safe one for the Pushgateway's `@base64` path segments.

/// Which of RFC 4648's alphabets, and whether to pad.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Alphabet {
    /// §4, padded with `=`: what HTTP Basic authentication carries.
    Standard,
    /// §5 (`-` and `_` for `+` and `/`), unpadded: safe in a URL path segment.
    #[cfg_attr(not(feature = "push"), allow(dead_code))]
    UrlSafe,
}

/// `input` in base64.
pub(crate) fn encode(input: &[u8], alphabet: Alphabet) -> Vec<u8> {
    let (table, pad): (&[u8; 64], bool) = match alphabet {
        Alphabet::Standard => {
            (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", true)
        }
        Alphabet::UrlSafe => {
            (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", false)
        }
    };
    let mut out = Vec::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(table[(n >> shift) as usize & 63]);
            } else if pad {
                out.push(b'=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        ] {
            assert_eq!(encode(plain.as_bytes(), Alphabet::Standard), encoded.as_bytes(), "{plain}");
            let unpadded = encoded.trim_end_matches('=');
            assert_eq!(encode(plain.as_bytes(), Alphabet::UrlSafe), unpadded.as_bytes(), "{plain}");
        }
    }

    #[test]
    fn url_safe_alphabet_has_no_slash_or_plus() {
        // 0xfb 0xff encodes to `+/8=` in the standard alphabet.
        assert_eq!(encode(&[0xfb, 0xff], Alphabet::Standard), b"+/8=");
        assert_eq!(encode(&[0xfb, 0xff], Alphabet::UrlSafe), b"-_8");
    }
}
