//! Escaping of label values and help text, per each format's spec.
//!
//! Both formats escape `\` and newline; label values (both formats) and OpenMetrics
//! help text also escape `"`. Everything else, NUL and control characters included,
//! is written as is: the formats are UTF-8 and Prometheus reads any of it back.

/// Appends `value` escaped for a label value (`\\`, `\"`, `\n`).
#[inline]
pub fn label_value(out: &mut Vec<u8>, value: &str) {
    escape(out, value.as_bytes(), true);
}

/// Appends `help` escaped for `# HELP` in the Prometheus text format (`\\`, `\n`).
#[inline]
pub fn text_help(out: &mut Vec<u8>, help: &str) {
    escape(out, help.as_bytes(), false);
}

/// Appends `help` escaped for `# HELP` in OpenMetrics (`\\`, `\"`, `\n`).
#[inline]
pub fn openmetrics_help(out: &mut Vec<u8>, help: &str) {
    escape(out, help.as_bytes(), true);
}

/// Values up to this long are checked eight bytes at a time ([`has_special`]) before
/// being copied whole; `memchr`'s vectorised search pays its setup on every call,
/// which was more than half of the cost of a short value.
const SHORT: usize = 64;

/// Copies `bytes` to `out`, escaping `\\`, newline and (with `quote`) `"`. Most values
/// have none of them: a short one is checked eight bytes at a time and copied whole;
/// otherwise the search for the next special byte is `memchr`'s vectorised one (a
/// byte-at-a-time scan was a third of the encoder's instructions).
#[inline]
fn escape(out: &mut Vec<u8>, bytes: &[u8], quote: bool) {
    if bytes.len() <= SHORT && !has_special(bytes, quote) {
        out.extend_from_slice(bytes);
        return;
    }
    let mut rest = bytes;
    loop {
        let found = if quote {
            memchr::memchr3(b'\\', b'\n', b'"', rest)
        } else {
            memchr::memchr2(b'\\', b'\n', rest)
        };
        let Some(i) = found else {
            out.extend_from_slice(rest);
            return;
        };
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(match rest[i] {
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            _ => b"\\\"",
        });
        rest = &rest[i + 1..];
    }
}

/// Whether `bytes` holds a `\\`, a newline or (with `quote`) a `"`, tested a word of
/// eight bytes at a time: a byte equal to `c` is a zero byte of `word ^ c…c`, and
/// `(x - 0x01…01) & !x & 0x80…80` is non-zero exactly when `x` has a zero byte. The
/// last word overlaps the one before it; a value shorter than a word is padded with
/// zeros, which match none of the three.
#[inline]
fn has_special(bytes: &[u8], quote: bool) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const BACKSLASH: u64 = ONES * b'\\' as u64;
    const NEWLINE: u64 = ONES * b'\n' as u64;
    // Without `quote`, the third test looks for a backslash again.
    let third = if quote { ONES * b'"' as u64 } else { BACKSLASH };
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x;
    let test = |word: u64| {
        (zero_bytes(word ^ BACKSLASH) | zero_bytes(word ^ NEWLINE) | zero_bytes(word ^ third))
            & HIGHS
            != 0
    };
    let word = |at: usize| {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(&bytes[at..at + 8]);
        u64::from_ne_bytes(eight)
    };
    if bytes.len() < 8 {
        let mut eight = [0u8; 8];
        for (slot, byte) in eight.iter_mut().zip(bytes) {
            *slot = *byte;
        }
        return test(u64::from_ne_bytes(eight));
    }
    let last = bytes.len() - 8;
    let mut at = 0;
    while at < last {
        if test(word(at)) {
            return true;
        }
        at += 8;
    }
    test(word(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(s: &str) -> String {
        let mut out = Vec::new();
        label_value(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_the_three_specials_only() {
        assert_eq!(label(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(label("line\nnext\r\ttab\0"), "line\\nnext\r\ttab\0");
        assert_eq!(label("ünïcödé \u{202e} 🦀"), "ünïcödé \u{202e} 🦀");
        assert_eq!(label(""), "");
    }

    #[test]
    fn text_help_keeps_quotes() {
        let mut out = Vec::new();
        text_help(&mut out, "say \"hi\"\\\n");
        assert_eq!(out, b"say \"hi\"\\\\\\n");
    }

    /// The word-at-a-time check agrees with a byte-at-a-time one for every special
    /// byte at every place in values of every length around the words' edges, and for
    /// bytes next to the specials (one off either way, high bytes of UTF-8).
    #[test]
    fn the_word_check_finds_every_special_everywhere() {
        let plain = |bytes: &[u8], quote: bool| {
            bytes.iter().any(|&b| b == b'\\' || b == b'\n' || (quote && b == b'"'))
        };
        for len in 0..=SHORT + 1 {
            for at in 0..len {
                for byte in [b'\\', b'\n', b'"', b'[', b']', b'\t', 0x0b, b'!', b'#', 0xc3, 0xff, 0]
                {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = byte;
                    for quote in [false, true] {
                        assert_eq!(has_special(&bytes, quote), plain(&bytes, quote), "{bytes:?}");
                    }
                }
            }
            assert!(!has_special(&vec![b'a'; len], true));
        }
        assert_eq!(label(&"x\"".repeat(40)), "x\\\"".repeat(40));
        assert_eq!(label(&format!("{}\n", "y".repeat(63))), format!("{}\\n", "y".repeat(63)));
    }
}
