//! The protobuf wire format, as much of it as the exposition needs: varints, zigzag,
//! 64-bit doubles and length-delimited fields.
//!
//! <https://protobuf.dev/programming-guides/encoding/>
//!
//! A nested message's length precedes it, but is known only once it is written: one
//! byte is set aside, and in the rare case the message is 128 bytes or longer the
//! rest of the varint is inserted after it (moving the message up by a byte or two).

const VARINT: u32 = 0;
const FIXED64: u32 = 1;
const LEN: u32 = 2;

/// Appends `v` as a base-128 varint.
#[inline]
pub(super) fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
fn tag(out: &mut Vec<u8>, field: u32, wire_type: u32) {
    varint(out, u64::from(field << 3 | wire_type));
}

/// A `uint64`/`uint32`/enum field.
#[inline]
pub(super) fn uint(out: &mut Vec<u8>, field: u32, v: u64) {
    tag(out, field, VARINT);
    varint(out, v);
}

/// A `sint32`/`sint64` field (zigzag).
#[inline]
pub(super) fn sint(out: &mut Vec<u8>, field: u32, v: i64) {
    tag(out, field, VARINT);
    varint(out, ((v << 1) ^ (v >> 63)) as u64);
}

/// A `double` field.
#[inline]
pub(super) fn double(out: &mut Vec<u8>, field: u32, v: f64) {
    tag(out, field, FIXED64);
    out.extend_from_slice(&v.to_le_bytes());
}

/// A `string` or `bytes` field.
#[inline]
pub(super) fn bytes(out: &mut Vec<u8>, field: u32, v: &[u8]) {
    bytes_with_suffix(out, field, v, b"");
}

/// A `string` or `bytes` field whose value is `v` followed by `suffix`.
#[inline]
pub(super) fn bytes_with_suffix(out: &mut Vec<u8>, field: u32, v: &[u8], suffix: &[u8]) {
    tag(out, field, LEN);
    varint(out, (v.len() + suffix.len()) as u64);
    out.extend_from_slice(v);
    out.extend_from_slice(suffix);
}

/// Where a length-delimited message started; [`end`] writes its length.
#[derive(Debug, Clone, Copy)]
#[must_use = "a started message must be ended"]
pub(super) struct Started(usize);

/// Starts a message in `field` of the enclosing one.
#[inline]
pub(super) fn start(out: &mut Vec<u8>, field: u32) -> Started {
    tag(out, field, LEN);
    start_delimited(out)
}

/// Starts a message preceded by its length only (the `encoding=delimited` stream).
#[inline]
pub(super) fn start_delimited(out: &mut Vec<u8>) -> Started {
    out.push(0);
    Started(out.len())
}

/// Writes the length of the message `started` before it.
#[inline]
pub(super) fn end(out: &mut Vec<u8>, started: Started) {
    let body = started.0;
    let len = (out.len() - body) as u64;
    if len < 0x80 {
        out[body - 1] = len as u8;
    } else {
        let mut prefix = Vec::with_capacity(10);
        varint(&mut prefix, len);
        out[body - 1] = prefix[0];
        out.splice(body..body, prefix[1..].iter().copied());
    }
}

/// Drops the message `started` by [`start_delimited`], its length byte included.
#[inline]
pub(super) fn discard_delimited(out: &mut Vec<u8>, started: Started) {
    out.truncate(started.0 - 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_zigzag_match_the_encoding_guide() {
        let mut out = Vec::new();
        varint(&mut out, 150);
        assert_eq!(out, [0x96, 0x01]);
        out.clear();
        varint(&mut out, u64::MAX);
        assert_eq!(out.len(), 10);
        for (v, zigzag) in [(0i64, 0u8), (-1, 1), (1, 2), (-2, 3), (2, 4)] {
            out.clear();
            sint(&mut out, 1, v);
            assert_eq!(out, [0x08, zigzag]);
        }
        out.clear();
        sint(&mut out, 1, i64::MIN);
        assert_eq!(&out[1..], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    }

    #[test]
    fn nested_lengths_of_any_size_are_written_before_the_message() {
        for len in [0usize, 1, 127, 128, 300, 20_000] {
            let mut out = vec![0xaa];
            let started = start(&mut out, 4);
            out.extend(std::iter::repeat_n(7u8, len));
            end(&mut out, started);
            let mut expected = vec![0xaa, 4 << 3 | 2];
            varint(&mut expected, len as u64);
            expected.extend(std::iter::repeat_n(7u8, len));
            assert_eq!(out, expected, "length {len}");
        }
    }

    #[test]
    fn a_discarded_message_leaves_nothing() {
        let mut out = vec![1, 2];
        let started = start_delimited(&mut out);
        bytes(&mut out, 1, b"name");
        discard_delimited(&mut out, started);
        assert_eq!(out, [1, 2]);
    }
}
