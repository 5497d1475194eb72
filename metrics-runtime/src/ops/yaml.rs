//! A YAML writer for [`Value`], in the block style Prometheus documents its files
//! in: two-space indentation, sequences indented under their key, multi-line strings
//! (PromQL) as `|-` literal blocks. Strings are left plain only when YAML cannot read
//! them as anything else (`page`, `5m`); others are single- or double-quoted.

use super::value::Value;

/// `value` (a map, normally) as a YAML document, with a final newline.
pub(crate) fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Map(entries) if !entries.is_empty() => map(&mut out, entries, 0, true),
        Value::List(items) if !items.is_empty() => list(&mut out, items, 0, true),
        scalar => inline(&mut out, scalar, 0),
    }
    out.push('\n');
    out
}

/// The entries of a map at column `indent`; the first on the current line when
/// `inline_first` (top level, or right after a `- `).
fn map(out: &mut String, entries: &[(String, Value)], indent: usize, inline_first: bool) {
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 || !inline_first {
            newline(out, indent);
        }
        scalar_string(out, key);
        out.push(':');
        after_key(out, value, indent);
    }
}

/// The items of a sequence, `- ` at column `indent`.
fn list(out: &mut String, items: &[Value], indent: usize, inline_first: bool) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline_first {
            newline(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Map(entries) if !entries.is_empty() => map(out, entries, indent + 2, true),
            Value::List(inner) if !inner.is_empty() => list(out, inner, indent + 2, true),
            scalar => inline(out, scalar, indent + 2),
        }
    }
}

/// What follows `key:`: a scalar on the same line, or a block below it.
fn after_key(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Map(entries) if !entries.is_empty() => map(out, entries, indent + 2, false),
        Value::List(items) if !items.is_empty() => list(out, items, indent + 2, false),
        scalar => {
            out.push(' ');
            inline(out, scalar, indent + 2);
        }
    }
}

/// A scalar, an empty collection, or a literal block whose lines sit at `indent`.
fn inline(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(itoa::Buffer::new().format(*n)),
        Value::Float(f) if f.is_nan() => out.push_str(".nan"),
        Value::Float(f) if f.is_infinite() => out.push_str(if *f > 0.0 { ".inf" } else { "-.inf" }),
        Value::Float(f) => out.push_str(ryu::Buffer::new().format_finite(*f)),
        Value::Str(s) if is_literal_block(s) => {
            out.push_str("|-");
            for line in s.lines() {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    newline(out, indent);
                    out.push_str(line);
                }
            }
        }
        Value::Str(s) => scalar_string(out, s),
        Value::List(_) => out.push_str("[]"),
        Value::Map(_) => out.push_str("{}"),
    }
}

fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    for _ in 0..indent {
        out.push(' ');
    }
}

/// Multi-line text that a `|-` block keeps as is: no control characters but
/// newlines, no trailing spaces or newline, not starting with a space (which would
/// need an indentation indicator).
fn is_literal_block(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && !s.ends_with(['\n', ' '])
        && !s.lines().any(|line| line.ends_with(' '))
        && !s.chars().any(|c| c.is_control() && c != '\n')
}

/// A one-line string: plain, single-quoted or double-quoted.
fn scalar_string(out: &mut String, s: &str) {
    if is_plain(s) {
        out.push_str(s);
    } else if !s.chars().any(char::is_control) {
        out.push('\'');
        out.push_str(&s.replace('\'', "''"));
        out.push('\'');
    } else {
        // YAML's double-quoted escapes include JSON's.
        super::json::string(out, s);
    }
}

/// Words YAML 1.1 or 1.2 reads as booleans or null.
const RESERVED: &[&str] = &["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"];

/// Text that reads back as the same string when written plain.
fn is_plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if RESERVED.iter().any(|word| s.eq_ignore_ascii_case(word)) || s.ends_with(' ') {
        return false;
    }
    // A `:` is plain unless a space or the end follows it (`job:orders:rate5m`).
    let body_ok = s.chars().all(|c| c.is_ascii_alphanumeric() || " _./-:".contains(c))
        && !s.contains(": ")
        && !s.ends_with(':');
    if first.is_ascii_alphabetic() || first == '/' {
        return body_ok;
    }
    // `5m`, `15s`, `1d`: durations, which YAML cannot take for a number.
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &s[digits.len()..];
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && ["ms", "s", "m", "h", "d", "w", "y"].contains(&unit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::value::{obj, strings};

    #[test]
    fn block_style_as_prometheus_writes_it() {
        let doc = obj! {
            "groups" => vec![obj! {
                "name" => "shop.rates",
                "rules" => vec![
                    obj! {
                        "record" => "job:shop_orders:rate5m",
                        "expr" => "sum by (job) (rate(shop_orders_total{job=\"shop\"}[5m]))",
                    },
                    obj! {
                        "alert" => "TargetDown",
                        "expr" => "(\n  up == 0\nand\n  up == 0\n)",
                        "for" => "5m",
                        "labels" => obj! { "severity" => "page" },
                        "annotations" => obj! { "summary" => "It's down: {{ $labels.instance }}" },
                    },
                ],
            }],
            "empty" => Value::List(vec![]),
            "files" => strings(["recording.yml", "true", "15", "1e3", " lead"]),
            "ratio" => 0.001,
        };
        let expected = r#"groups:
  - name: shop.rates
    rules:
      - record: job:shop_orders:rate5m
        expr: 'sum by (job) (rate(shop_orders_total{job="shop"}[5m]))'
      - alert: TargetDown
        expr: |-
          (
            up == 0
          and
            up == 0
          )
        for: 5m
        labels:
          severity: page
        annotations:
          summary: 'It''s down: {{ $labels.instance }}'
empty: []
files:
  - recording.yml
  - 'true'
  - '15'
  - '1e3'
  - ' lead'
ratio: 0.001
"#;
        assert_eq!(to_string(&doc), expected);
    }

    #[test]
    fn quoting() {
        let one = |s: &str| {
            let mut out = String::new();
            scalar_string(&mut out, s);
            out
        };
        assert_eq!(one("page"), "page");
        assert_eq!(one("5m"), "5m");
        assert_eq!(one("/metrics"), "/metrics");
        assert_eq!(one("No"), "'No'");
        assert_eq!(one("a: b"), "'a: b'");
        assert_eq!(one("a:"), "'a:'");
        assert_eq!(one("shop::api"), "shop::api");
        assert_eq!(one("# not a comment"), "'# not a comment'");
        assert_eq!(one(""), "''");
        assert_eq!(one("tab\there"), "\"tab\\there\"");
        assert_eq!(one("0.5"), "'0.5'");
    }
}
