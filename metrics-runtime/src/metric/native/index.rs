//! Which exponential bucket a value falls in, exactly as Prometheus and client_golang
//! compute it: the value split into `frac * 2^exp`, then a search of `frac` in the
//! schema's bounds table (schema above 0) or a shift of `exp` (schema 0 and below).
//!
//! Bucket `i` of schema `s` holds `(2^((i-1)/2^s), 2^(i/2^s)]`, i.e. index
//! `ceil(log2(v) * 2^s)`; computing that with `log2` would put values on a boundary in
//! the neighbouring bucket now and then.

use super::bounds::BOUNDS;

/// The lowest schema (factor 65536 between bucket boundaries).
pub(super) const MIN_SCHEMA: i8 = -4;
/// The highest schema (factor 2^(1/256), about 1.0027).
pub(super) const MAX_SCHEMA: i8 = 8;

/// The index of the bucket holding `|v|` at `schema`, for `v` not NaN and not zero.
///
/// `±Inf` goes one bucket past the one holding `f64::MAX` (the spec's overflow bucket).
#[inline]
pub(super) fn bucket_index(v: f64, schema: i8) -> i32 {
    let magnitude = v.abs();
    let infinite = magnitude == f64::INFINITY;
    let (frac, exp) = frexp(if infinite { f64::MAX } else { magnitude });
    let index = if schema > 0 {
        let bounds = BOUNDS[schema as usize];
        // The first bound not below `frac`: Go's `sort.SearchFloat64s`.
        let within = bounds.partition_point(|b| *b < frac) as i32;
        within + (exp - 1) * bounds.len() as i32
    } else {
        // `2^exp` itself (frac 0.5) belongs to the bucket below: bounds are inclusive.
        let key = if frac == 0.5 { exp - 1 } else { exp };
        let shift = u32::from(schema.unsigned_abs());
        let offset = (1i32 << shift) - 1;
        (key + offset) >> shift
    };
    index + i32::from(infinite)
}

/// `v = frac * 2^exp` with `frac` in `[0.5, 1)`, for finite `v > 0` (Go's `math.Frexp`).
#[inline]
fn frexp(v: f64) -> (f64, i32) {
    const EXPONENT_MASK: u64 = 0x7ff << 52;
    let mut bits = v.to_bits();
    let mut exp = 0;
    if bits & EXPONENT_MASK == 0 {
        // Subnormal: scale into the normal range first (exact, a power of two).
        bits = (v * f64::from_bits((1023 + 64) << 52)).to_bits();
        exp = -64;
    }
    exp += ((bits & EXPONENT_MASK) >> 52) as i32 - 1022;
    let frac = f64::from_bits((bits & !EXPONENT_MASK) | (1022 << 52));
    (frac, exp)
}

/// The index at `schema - shift` of the bucket with index `index` at `schema`: each
/// step down merges buckets `2j - 1` and `2j` into bucket `j`, i.e. `ceil(index / 2)`.
#[inline]
pub(super) fn reduce_index(index: i32, shift: u32) -> i32 {
    if shift == 0 {
        return index;
    }
    // An arithmetic shift floors; adding `2^shift - 1` first makes it a ceiling.
    ((i64::from(index) + (1i64 << shift) - 1) >> shift) as i32
}

/// The schema whose bucket boundaries grow by at most `factor` each (client_golang's
/// `pickSchema`): `-floor(log2(log2(factor)))`, clamped to `-4..=8`. `None` unless
/// `factor` is finite and above 1.
pub(super) fn schema_for_factor(factor: f64) -> Option<i8> {
    if !(factor.is_finite() && factor > 1.0) {
        return None;
    }
    let floor = factor.log2().log2().floor();
    Some(if floor <= -f64::from(MAX_SCHEMA) {
        MAX_SCHEMA
    } else if floor >= -f64::from(MIN_SCHEMA) {
        MIN_SCHEMA
    } else {
        -(floor as i8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The upper bound of bucket `index` at `schema` by the spec's formula
    /// `(2**2**-n)**i`, for indices where it is exact in `f64`.
    fn upper(index: i32, schema: i8) -> f64 {
        2f64.powf(f64::from(index) / 2f64.powi(i32::from(schema)))
    }

    #[test]
    fn powers_of_two_are_the_inclusive_upper_bound_of_their_bucket() {
        for schema in MIN_SCHEMA..=MAX_SCHEMA {
            for exp in [-20i32, -3, -1, 0, 1, 2, 7, 16, 100] {
                let v = 2f64.powi(exp);
                let i = bucket_index(v, schema);
                assert!(v <= upper(i, schema) * (1.0 + 1e-12), "{v} schema {schema} index {i}");
                // Just above the power of two is the next bucket when the power is a
                // boundary (always at schema >= 0; every 2^-schema powers below).
                let next = f64::from_bits(v.to_bits() + 1);
                let boundary = schema >= 0 || exp % (1 << -schema) == 0;
                assert_eq!(
                    bucket_index(next, schema),
                    i + i32::from(boundary),
                    "{v} schema {schema}"
                );
            }
        }
    }

    #[test]
    fn spec_bucket_boundaries_at_schema_0_and_below() {
        // Schema 0: bucket i holds (2^(i-1), 2^i].
        assert_eq!(bucket_index(1.0, 0), 0);
        assert_eq!(bucket_index(1.5, 0), 1);
        assert_eq!(bucket_index(2.0, 0), 1);
        assert_eq!(bucket_index(3.0, 0), 2);
        assert_eq!(bucket_index(0.5, 0), -1);
        assert_eq!(bucket_index(0.3, 0), -1);
        assert_eq!(bucket_index(0.25, 0), -2);
        // Schema -1: bucket i holds (4^(i-1), 4^i].
        assert_eq!(bucket_index(1.0, -1), 0);
        assert_eq!(bucket_index(1.1, -1), 1);
        assert_eq!(bucket_index(4.0, -1), 1);
        assert_eq!(bucket_index(4.5, -1), 2);
        assert_eq!(bucket_index(0.25, -1), -1);
        assert_eq!(bucket_index(0.2, -1), -1);
        // Schema -4: factor 65536.
        assert_eq!(bucket_index(65536.0, -4), 1);
        assert_eq!(bucket_index(65537.0, -4), 2);
    }

    #[test]
    fn spec_bucket_boundaries_at_positive_schemas() {
        // Schema 1: boundaries at powers of sqrt(2).
        assert_eq!(bucket_index(1.0, 1), 0);
        assert_eq!(bucket_index(1.4, 1), 1);
        assert_eq!(bucket_index(1.5, 1), 2);
        assert_eq!(bucket_index(2.0, 1), 2);
        // Schema 3 (factor 1.09): 1.05 is in (1, 2^(1/8)], 1.1 in (2^(1/8), 2^(2/8)].
        assert_eq!(bucket_index(1.05, 3), 1);
        assert_eq!(bucket_index(1.1, 3), 2);
        assert_eq!(bucket_index(0.001, 3), (0.001f64.log2() * 8.0).ceil() as i32);
        for schema in 1..=MAX_SCHEMA {
            for v in [0.0003, 0.017, 0.1, 0.7, 3.3, 42.0, 1234.5, 9.9e9] {
                let exact = (f64::log2(v) * 2f64.powi(i32::from(schema))).ceil() as i32;
                assert_eq!(bucket_index(v, schema), exact, "{v} at schema {schema}");
                assert_eq!(bucket_index(-v, schema), exact, "sign is not the index's business");
            }
        }
    }

    #[test]
    fn largest_float_and_infinity_per_the_spec() {
        // "schema 8, for which the bucket that contains MaxFloat64 has index 262144,
        // and thus the +Inf overflow bucket has index 262145".
        assert_eq!(bucket_index(f64::MAX, 8), 262_144);
        assert_eq!(bucket_index(f64::INFINITY, 8), 262_145);
        assert_eq!(bucket_index(f64::NEG_INFINITY, 8), 262_145);
        assert_eq!(bucket_index(f64::MAX, 0), 1024);
        assert_eq!(bucket_index(f64::INFINITY, 0), 1025);
    }

    #[test]
    fn subnormals_have_their_own_buckets() {
        let smallest = f64::from_bits(1); // 2^-1074
        assert_eq!(bucket_index(smallest, 0), -1074);
        assert_eq!(bucket_index(f64::MIN_POSITIVE, 0), -1022);
        assert_eq!(bucket_index(smallest * 3.0, 0), -1072);
        assert_eq!(frexp(smallest), (0.5, -1073));
        assert_eq!(frexp(1.0), (0.5, 1));
        assert_eq!(frexp(3.0), (0.75, 2));
    }

    #[test]
    fn reducing_merges_pairs_of_buckets() {
        // Schema 1 buckets 1 and 2 make schema 0 bucket 1; -1 and 0 make 0.
        assert_eq!(reduce_index(1, 1), 1);
        assert_eq!(reduce_index(2, 1), 1);
        assert_eq!(reduce_index(3, 1), 2);
        assert_eq!(reduce_index(0, 1), 0);
        assert_eq!(reduce_index(-1, 1), 0);
        assert_eq!(reduce_index(-2, 1), -1);
        assert_eq!(reduce_index(-3, 1), -1);
        assert_eq!(reduce_index(5, 2), 2);
        assert_eq!(reduce_index(7, 0), 7);
        // The same value indexed at the lower schema directly agrees.
        for v in [0.0007, 0.3, 1.0, 1.7, 2.0, 77.0, 1e12, f64::MAX] {
            for schema in (MIN_SCHEMA + 1)..=MAX_SCHEMA {
                for shift in 1..=(schema - MIN_SCHEMA) as u32 {
                    let lower = schema - shift as i8;
                    assert_eq!(
                        reduce_index(bucket_index(v, schema), shift),
                        bucket_index(v, lower),
                        "{v} from {schema} to {lower}"
                    );
                }
            }
        }
    }

    #[test]
    fn factors_pick_schemas_like_client_golang() {
        assert_eq!(schema_for_factor(1.1), Some(3));
        assert_eq!(schema_for_factor(2.0), Some(0));
        assert_eq!(schema_for_factor(4.0), Some(-1));
        assert_eq!(schema_for_factor(1.0001), Some(8));
        assert_eq!(schema_for_factor(1e300), Some(-4));
        assert_eq!(schema_for_factor(1.0), None);
        assert_eq!(schema_for_factor(0.5), None);
        assert_eq!(schema_for_factor(f64::NAN), None);
        assert_eq!(schema_for_factor(f64::INFINITY), None);
    }
}
