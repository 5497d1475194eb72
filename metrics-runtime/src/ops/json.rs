//! A JSON writer for [`Value`]: two-space indentation, keys in insertion order,
//! strings escaped per RFC 8259, NaN and infinities as `null` (JSON has none).
//! Hand-written, since the dashboard is the only JSON the runtime writes and a
//! dependency would weigh on every user of the crate.

use super::value::Value;

/// `value` as pretty-printed JSON, with a final newline.
pub(crate) fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value, 0);
    out.push('\n');
    out
}

fn write(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(itoa::Buffer::new().format(*n)),
        Value::Float(f) if f.is_finite() => out.push_str(ryu::Buffer::new().format_finite(*f)),
        Value::Float(_) => out.push_str("null"),
        Value::Str(s) => string(out, s),
        Value::List(items) if items.is_empty() => out.push_str("[]"),
        Value::Map(entries) if entries.is_empty() => out.push_str("{}"),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write(out, item, depth + 1);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                string(out, key);
                out.push_str(": ");
                write(out, item, depth + 1);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// A JSON string literal: `"`, `\` and control characters escaped.
pub(crate) fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::value::obj;

    #[test]
    fn nested_values_round_trip_through_serde_json() {
        let value = obj! {
            "title" => "a \"quoted\" \\ title\nwith\ttabs \u{1}",
            "id" => 7i64,
            "ratio" => 0.25,
            "nan" => f64::NAN,
            "on" => true,
            "none" => Value::Null,
            "empty" => Value::List(vec![]),
            "nothing" => Value::map(),
            "items" => vec![Value::from(1i64), obj! { "k" => "v" }],
            "unicode" => "µs ✓",
        };
        let text = to_string(&value);
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["title"], "a \"quoted\" \\ title\nwith\ttabs \u{1}");
        assert_eq!(parsed["id"], 7);
        assert_eq!(parsed["ratio"], 0.25);
        assert!(parsed["nan"].is_null());
        assert_eq!(parsed["items"][1]["k"], "v");
        assert_eq!(parsed["unicode"], "µs ✓");
        assert!(text.starts_with("{\n  \"title\": "));
        assert!(text.contains("\"empty\": [],\n  \"nothing\": {},"));
    }
}
