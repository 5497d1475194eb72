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

/// Copies `bytes` to `out`, escaping `\\`, newline and (with `quote`) `"`. The search for
/// the next special byte is `memchr`'s vectorised one: most values have none, and a
/// byte-at-a-time scan was a third of the encoder's instructions.
#[inline]
fn escape(out: &mut Vec<u8>, bytes: &[u8], quote: bool) {
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
}
