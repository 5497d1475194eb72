//! Numbers as the exposition formats spell them, without `format!`.

use crate::collect::Value;

/// Appends a float: `NaN`, `+Inf`, `-Inf`, or the shortest form that parses back to
/// the same value (`0.005`, `1.0`, `1e300`).
#[inline]
pub fn float(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b"+Inf" } else { b"-Inf" });
    } else {
        let mut buffer = ryu::Buffer::new();
        out.extend_from_slice(buffer.format_finite(v).as_bytes());
    }
}

/// Appends an unsigned integer that is often one digit, as a bucket's count is: that
/// digit is one byte pushed rather than a copy.
#[inline]
pub fn count(out: &mut Vec<u8>, v: u64) {
    match u8::try_from(v) {
        Ok(digit @ 0..10) => out.push(b'0' + digit),
        _ => uint(out, v),
    }
}

/// Appends an unsigned integer.
#[inline]
pub fn uint(out: &mut Vec<u8>, v: u64) {
    let mut buffer = itoa::Buffer::new();
    out.extend_from_slice(buffer.format(v).as_bytes());
}

/// Appends milliseconds as seconds with three decimals (`1700000000.123`): exact,
/// where an `f64` of seconds would round.
#[inline]
pub fn millis_as_seconds(out: &mut Vec<u8>, ms: u64) {
    uint(out, ms / 1000);
    let fraction = ms % 1000;
    out.extend_from_slice(&[
        b'.',
        b'0' + (fraction / 100) as u8,
        b'0' + (fraction / 10 % 10) as u8,
        b'0' + (fraction % 10) as u8,
    ]);
}

/// Appends a sample value.
#[inline]
pub fn value(out: &mut Vec<u8>, v: Value) {
    match v {
        Value::UInt(n) => uint(out, n),
        Value::Int(n) => {
            let mut buffer = itoa::Buffer::new();
            out.extend_from_slice(buffer.format(n).as_bytes());
        }
        Value::Float(f) => float(out, f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: f64) -> String {
        let mut out = Vec::new();
        float(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn specials_and_shortest_forms() {
        assert_eq!(f(f64::NAN), "NaN");
        assert_eq!(f(f64::INFINITY), "+Inf");
        assert_eq!(f(f64::NEG_INFINITY), "-Inf");
        assert_eq!(f(1.0), "1.0");
        assert_eq!(f(0.005), "0.005");
        assert_eq!(f(1e300), "1e300");
        assert_eq!(f(-0.0), "-0.0");
        let sub = f64::from_bits(1);
        assert_eq!(f(sub).parse::<f64>().unwrap(), sub);
    }

    #[test]
    fn counts_of_every_width() {
        for v in [0, 1, 9, 10, 11, 99, 255, 256, 1_000_000, u64::MAX] {
            let mut out = Vec::new();
            count(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
    }

    #[test]
    fn milliseconds_are_written_as_exact_seconds() {
        for (ms, text) in [(1_700_000_000_123, "1700000000.123"), (5, "0.005"), (1_000, "1.000")] {
            let mut out = Vec::new();
            millis_as_seconds(&mut out, ms);
            assert_eq!(String::from_utf8(out).unwrap(), text);
        }
        let sub = f64::from_bits(1);
        assert_eq!(f(sub).parse::<f64>().unwrap(), sub);
    }
}
