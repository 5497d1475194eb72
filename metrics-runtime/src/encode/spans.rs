//! Native histogram buckets as the exposition carries them: spans of consecutive
//! indices and, per bucket, the difference from the previous bucket's count.
//!
//! <https://prometheus.io/docs/specs/native_histograms/#buckets>

/// A run of `length` consecutive bucket indices starting `offset` after the previous
/// run (or at index `offset`, for the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) offset: i32,
    pub(crate) length: u32,
}

/// Gaps of at most this many empty buckets are written as explicit zeros rather than
/// as a new span, as client_golang does: a zero delta is one byte, a span four.
pub(crate) const FILLED_GAP: u32 = 2;

/// Turns populated `buckets` (ascending indices) into spans and count deltas, filling
/// gaps of up to `filled_gap` empty buckets.
pub(crate) fn spans_and_deltas(
    buckets: &[(i32, u64)],
    filled_gap: u32,
    spans: &mut Vec<Span>,
    deltas: &mut Vec<i64>,
) {
    spans.clear();
    deltas.clear();
    let mut previous_count = 0i64;
    let mut next_index = 0i64;
    for (n, &(index, count)) in buckets.iter().enumerate() {
        let gap = i64::from(index) - next_index;
        match spans.last_mut() {
            Some(span) if n > 0 && gap <= i64::from(filled_gap) => {
                for _ in 0..gap {
                    deltas.push(-previous_count);
                    previous_count = 0;
                }
                span.length += gap as u32;
            }
            _ => spans.push(Span { offset: gap as i32, length: 0 }),
        }
        let count = count as i64;
        deltas.push(count.wrapping_sub(previous_count));
        previous_count = count;
        if let Some(span) = spans.last_mut() {
            span.length += 1;
        }
        next_index = i64::from(index) + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(buckets: &[(i32, u64)], filled_gap: u32) -> (Vec<(i32, u32)>, Vec<i64>) {
        let (mut spans, mut deltas) = (Vec::new(), Vec::new());
        spans_and_deltas(buckets, filled_gap, &mut spans, &mut deltas);
        (spans.iter().map(|s| (s.offset, s.length)).collect(), deltas)
    }

    /// The spec's example: `-2→3, -1→5, 0→0, 1→0, 2→1, 3→0, 4→3, 5→2`.
    const SPEC: [(i32, u64); 5] = [(-2, 3), (-1, 5), (2, 1), (4, 3), (5, 2)];

    #[test]
    fn spec_example_with_every_unpopulated_bucket_left_out() {
        // "Positive bucket list: [3, 2, -4, 2, -1]; span list: [[-2, 2], [2,1], [1,2]]".
        assert_eq!(encode(&SPEC, 0), (vec![(-2, 2), (2, 1), (1, 2)], vec![3, 2, -4, 2, -1]));
    }

    #[test]
    fn spec_example_with_small_gaps_filled() {
        // "Positive bucket list: [3, 2, -5, 0, 1, -1, 3, -1]; span list: [[-2, 8]]".
        assert_eq!(encode(&SPEC, FILLED_GAP), (vec![(-2, 8)], vec![3, 2, -5, 0, 1, -1, 3, -1]));
        // With gaps of one filled, the middle representation.
        assert_eq!(encode(&SPEC, 1), (vec![(-2, 2), (2, 4)], vec![3, 2, -4, -1, 3, -1]));
    }

    #[test]
    fn empty_and_far_apart_buckets() {
        assert_eq!(encode(&[], FILLED_GAP), (vec![], vec![]));
        assert_eq!(encode(&[(0, 1)], FILLED_GAP), (vec![(0, 1)], vec![1]));
        assert_eq!(
            encode(&[(-100, 2), (100, 5)], FILLED_GAP),
            (vec![(-100, 1), (199, 1)], vec![2, 3])
        );
    }
}
