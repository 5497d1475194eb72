//! Label values as a lookup holds them (`&[&str]`) and as a series stores them (one
//! run of bytes after its metric): their hash, their encoding, and comparing the two.
//!
//! A stored key is each value's length then its bytes. A length below 255 takes one
//! byte; a longer one is the byte 255 and the length as a `u32`, little-endian. A key
//! is decoded knowing how many values it holds (the family's label count), so it needs
//! no total length of its own.

/// The length byte that says a `u32` length follows.
const LONG: u8 = u8::MAX;

/// The bytes the key of `values` takes, or `None` if a value is longer than a `u32`
/// length can say.
pub(super) fn encoded_len(values: &[&str]) -> Option<usize> {
    values.iter().try_fold(0usize, |total, value| {
        u32::try_from(value.len()).ok()?;
        Some(total + prefix_len(value.len()) + value.len())
    })
}

fn prefix_len(length: usize) -> usize {
    if length < usize::from(LONG) { 1 } else { 5 }
}

/// Writes the key of `values` into `out`, which is exactly [`encoded_len`] long.
pub(super) fn encode(values: &[&str], out: &mut [u8]) {
    let mut at = 0;
    for value in values {
        let length = value.len();
        if length < usize::from(LONG) {
            out[at] = length as u8;
            at += 1;
        } else {
            out[at] = LONG;
            let length = u32::try_from(length).unwrap_or(u32::MAX);
            out[at + 1..at + 5].copy_from_slice(&length.to_le_bytes());
            at += 5;
        }
        out[at..at + value.len()].copy_from_slice(value.as_bytes());
        at += value.len();
    }
}

/// The bytes of the key of `arity` values that starts at `key`.
///
/// # Safety
/// `key` points at a key that [`encode`] wrote from `arity` values.
pub(super) unsafe fn stored_len(key: *const u8, arity: usize) -> usize {
    let mut at = 0;
    for _ in 0..arity {
        // SAFETY: `at` stays within the key: it steps over whole encoded values.
        let (length, prefix) = unsafe { read_length(key.add(at)) };
        at += prefix + length;
    }
    at
}

/// A value's length and the bytes its length took, read at `at`.
///
/// # Safety
/// `at` points at the length of a value of a key [`encode`] wrote.
#[inline(always)]
unsafe fn read_length(at: *const u8) -> (usize, usize) {
    // SAFETY: the caller's pointer is at a length byte.
    let first = unsafe { *at };
    if first != LONG {
        return (usize::from(first), 1);
    }
    // SAFETY: `encode` wrote four length bytes after `LONG`.
    let long = unsafe { at.add(1).cast::<[u8; 4]>().read_unaligned() };
    (u32::from_le_bytes(long) as usize, 5)
}

/// The values of a stored key, as byte slices, in order.
pub(super) fn values(key: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = key;
    core::iter::from_fn(move || {
        let (&first, after) = rest.split_first()?;
        let (length, after) = if first == LONG {
            let (length, after) = after.split_first_chunk::<4>()?;
            (u32::from_le_bytes(*length) as usize, after)
        } else {
            (usize::from(first), after)
        };
        let (value, after) = after.split_at_checked(length)?;
        rest = after;
        Some(value)
    })
}

/// Whether the stored key at `key` holds `values`.
///
/// # Safety
/// `key` points at a key that [`encode`] wrote from `values.len()` values.
#[inline(always)]
pub(super) unsafe fn matches(key: *const u8, values: &[&str]) -> bool {
    let mut at = key;
    for value in values {
        let bytes = value.as_bytes();
        // SAFETY: `at` is at the length of the next stored value: the key holds as
        // many values as `values`, and each earlier one matched in length.
        let (length, prefix) = unsafe { read_length(at) };
        if length != bytes.len() {
            return false;
        }
        // SAFETY: the stored value that follows is `length` bytes long.
        let stored = unsafe { core::slice::from_raw_parts(at.add(prefix), length) };
        if !same_bytes(stored, bytes) {
            return false;
        }
        // SAFETY: steps over this value, to the next one's length or the key's end.
        at = unsafe { at.add(prefix + length) };
    }
    true
}

/// The hash of a label set, the same for the looked-up and the stored values: each
/// value mixed on its own with a key that depends on the seed and on the value's
/// position (so that values cannot trade places or run into each other), the
/// results combined. The values' multiplies are independent and run side by side.
///
/// The mixing step (a folded 64x64-bit multiply) is that of foldhash and wyhash. It is not meant to resist
/// chosen collisions: a family holds at most its cardinality limit of series, which
/// bounds how long a probe can get.
#[inline]
pub(super) fn hash<'a>(seed: u64, values: impl Iterator<Item = &'a [u8]>) -> u64 {
    let mut h = 0u64;
    let mut key = seed;
    for bytes in values {
        h ^= mix(bytes, key);
        key = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
    }
    h
}

/// One value mixed with `key`: every byte and the length count. Up to 32 bytes
/// this is one multiply deep.
#[inline(always)]
fn mix(bytes: &[u8], key: u64) -> u64 {
    const K1: u64 = 0xA076_1D64_78BD_642F;
    const K2: u64 = 0xE703_7ED1_A0B4_28DB;
    let n = bytes.len();
    let p = bytes.as_ptr();
    let other = key.rotate_left(32) ^ n as u64;
    if n <= 16 {
        // Two (possibly overlapping) reads from both ends cover every byte.
        // SAFETY: each read ends at or before `n`: eight bytes when `n >= 8`,
        // four when `n >= 4`.
        let (x, y) = unsafe {
            if n >= 8 {
                (read_u64(p), read_u64(p.add(n - 8)))
            } else if n >= 4 {
                (read_u32(p), read_u32(p.add(n - 4)))
            } else if n > 0 {
                let spread = (u64::from(*p) << 16) | (u64::from(*p.add(n / 2)) << 8);
                (spread | u64::from(*p.add(n - 1)), 0)
            } else {
                (0, 0)
            }
        };
        folded_multiply(x ^ key, y ^ other)
    } else if n <= 32 {
        // The first and the last 16 bytes (overlapping below 32), side by side.
        // SAFETY: `16 < n`, so each read ends at or before `n`.
        let [a, b, c, d] = unsafe {
            [read_u64(p), read_u64(p.add(8)), read_u64(p.add(n - 16)), read_u64(p.add(n - 8))]
        };
        folded_multiply(a ^ key, b ^ other) ^ folded_multiply(c ^ K1, d ^ K2 ^ key)
    } else {
        // Every 16 bytes but the last folded in turn, then the last 16 bytes.
        let mut folded = key;
        let mut at = 0;
        while n - at > 16 {
            // SAFETY: `at + 16 < n`.
            let (x, y) = unsafe { (read_u64(p.add(at)), read_u64(p.add(at + 8))) };
            folded = folded_multiply(x ^ folded, y ^ K1);
            at += 16;
        }
        // SAFETY: `n > 16`.
        let (x, y) = unsafe { (read_u64(p.add(n - 16)), read_u64(p.add(n - 8))) };
        folded_multiply(x ^ folded ^ K2, y ^ other)
    }
}

/// Eight bytes from `p`, little-endian.
///
/// # Safety
/// `p` has 8 readable bytes.
#[inline(always)]
unsafe fn read_u64(p: *const u8) -> u64 {
    // SAFETY: the caller's bytes.
    u64::from_le_bytes(unsafe { p.cast::<[u8; 8]>().read_unaligned() })
}

/// Four bytes from `p`, little-endian.
///
/// # Safety
/// `p` has 4 readable bytes.
#[inline(always)]
unsafe fn read_u32(p: *const u8) -> u64 {
    // SAFETY: the caller's bytes.
    u64::from(u32::from_le_bytes(unsafe { p.cast::<[u8; 4]>().read_unaligned() }))
}

#[inline(always)]
fn folded_multiply(a: u64, b: u64) -> u64 {
    let full = u128::from(a) * u128::from(b);
    (full as u64) ^ ((full >> 64) as u64)
}

/// Equality of two byte strings of the same length, without a call to `memcmp`
/// and without a byte loop: label values are short, and words read at both ends
/// (overlapping when the length is not a multiple) cover every byte with a fixed
/// number of comparisons.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    assert_eq!(n, b.len());
    let (a, b) = (a.as_ptr(), b.as_ptr());
    // SAFETY: both have `n` bytes, and every read below ends at or before `n`.
    unsafe {
        if n >= 8 {
            let mut i = 0;
            while i + 8 < n {
                if read_u64(a.add(i)) != read_u64(b.add(i)) {
                    return false;
                }
                i += 8;
            }
            read_u64(a.add(n - 8)) == read_u64(b.add(n - 8))
        } else if n >= 4 {
            read_u32(a) == read_u32(b) && read_u32(a.add(n - 4)) == read_u32(b.add(n - 4))
        } else {
            n == 0 || (*a == *b && *a.add(n / 2) == *b.add(n / 2) && *a.add(n - 1) == *b.add(n - 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(values: &[&str]) -> Vec<u8> {
        let mut key = vec![0; encoded_len(values).unwrap()];
        encode(values, &mut key);
        key
    }

    #[test]
    fn byte_equality_sees_every_byte_at_every_length() {
        for n in 0..40usize {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(same_bytes(&a, &a.clone()), "length {n}");
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 0x20;
                assert!(!same_bytes(&a, &b), "length {n}, byte {at}");
            }
        }
    }

    #[test]
    fn the_hash_sees_every_byte_and_the_length_at_every_length() {
        let seed = 0x1234_5678_9ABC_DEF0;
        for n in 0..70usize {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            let base = hash(seed, [a.as_slice()].into_iter());
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 0x20;
                assert_ne!(base, hash(seed, [b.as_slice()].into_iter()), "length {n}, byte {at}");
            }
            let longer = [a.as_slice(), b"a"].concat();
            assert_ne!(base, hash(seed, [longer.as_slice()].into_iter()), "length {n}");
        }
    }

    #[test]
    fn the_hash_depends_on_positions() {
        let seed = 7;
        let h = |values: &[&str]| hash(seed, values.iter().map(|v| v.as_bytes()));
        assert_ne!(h(&["GET", "POST"]), h(&["POST", "GET"]));
        assert_ne!(h(&["ab", "c"]), h(&["a", "bc"]));
        assert_ne!(h(&["x", "x"]), h(&["y", "y"]));
        assert_ne!(h(&["", "abc"]), h(&["abc", ""]));
    }

    #[test]
    fn keys_round_trip_and_match_only_their_values() {
        let long = "L".repeat(300);
        let sets: [&[&str]; 5] = [
            &["/users/{id}", "GET"],
            &["", ""],
            &[long.as_str(), "x"],
            &["x", long.as_str()],
            &["é", "\n\""],
        ];
        for values in sets {
            let key = encoded(values);
            // SAFETY: `key` was encoded from `values.len()` values.
            assert_eq!(unsafe { stored_len(key.as_ptr(), values.len()) }, key.len());
            let decoded: Vec<&[u8]> = super::values(&key).collect();
            let expected: Vec<&[u8]> = values.iter().map(|v| v.as_bytes()).collect();
            assert_eq!(decoded, expected);
            // SAFETY: as above.
            assert!(unsafe { matches(key.as_ptr(), values) });
            for other in sets.iter().filter(|other| **other != values) {
                if other.len() == values.len() {
                    // SAFETY: as above; `other` has as many values.
                    assert!(!unsafe { matches(key.as_ptr(), other) });
                }
            }
        }
    }
}
