use core::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::Metric;
use super::native::{NativeBuckets, NativeHistogram, NativeReading};
use crate::collect::SeriesSink;
use crate::descriptor::{FamilyDescriptor, MetricKind};
use crate::label::LabelValues;

/// The Prometheus client default buckets, in seconds: 5 ms to 10 s.
pub const DEFAULT_BUCKETS: &[f64] =
    &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// A distribution of observations in fixed buckets, with their sum and count.
///
/// Each bucket is counted on its own (not cumulatively) and `_count` is derived from
/// the buckets when collected, so every exposition is cumulative with its `+Inf`
/// bucket equal to `_count`, even while other threads observe. An observation is one
/// bucket search, one atomic add and one compare-and-swap on the sum.
///
/// A histogram can also keep native (sparse, exponential) buckets, declared with
/// [`NativeBuckets`] (`#[metric(native(..))]` on a derived field): exposed in the
/// protobuf format, alongside the classic buckets or instead of them. A histogram
/// without them pays one predictable branch per observation.
///
/// ```
/// use metrics_runtime::Histogram;
/// static BOUNDS: [f64; 3] = [0.1, 0.5, 1.0];
/// let latency = Histogram::new(&BOUNDS);
/// latency.observe(0.3);
/// latency.observe(2.0);
/// assert_eq!(latency.count(), 2);
/// assert_eq!(latency.sum(), 2.3);
/// ```
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    sum: AtomicU64,
    /// One slot per bound, plus the `+Inf` slot last.
    buckets: Box<[AtomicU64]>,
    /// Boxed: a histogram without native buckets stays small and pays one branch.
    native: Option<Box<NativeHistogram>>,
}

impl Histogram {
    /// A histogram with the given upper bounds (ascending, finite; `+Inf` is implicit).
    ///
    /// Bounds written in `#[metric(buckets = ..)]` are checked at compile time; use
    /// [`Histogram::with_buckets`] for bounds computed at run time.
    pub fn new(bounds: &'static [f64]) -> Self {
        let buckets = (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect();
        Self { bounds, sum: AtomicU64::new(0), buckets, native: None }
    }

    /// The same histogram also counting observations in native buckets laid out by
    /// `layout` (exposed in the protobuf format only; the text formats show the
    /// classic buckets).
    ///
    /// ```
    /// use metrics_runtime::{Histogram, NativeBuckets};
    /// static BOUNDS: [f64; 2] = [0.1, 1.0];
    /// let h = Histogram::new(&BOUNDS).with_native(NativeBuckets::from_schema(3)?);
    /// h.observe(0.3);
    /// assert_eq!(h.native_buckets().map(|n| n.schema()), Some(3));
    /// # Ok::<(), metrics_runtime::NativeBucketsError>(())
    /// ```
    pub fn with_native(self, layout: NativeBuckets) -> Self {
        Self { native: Some(Box::new(NativeHistogram::new(layout))), ..self }
    }

    /// A histogram with native buckets only: in the text formats it shows just its
    /// `_count`, `_sum` and `+Inf` bucket, as client_golang's do.
    ///
    /// ```
    /// use metrics_runtime::{Histogram, NativeBuckets};
    /// let h = Histogram::native_only(NativeBuckets::from_factor(1.1)?);
    /// h.observe(2.0);
    /// assert!(h.bounds().is_empty());
    /// # Ok::<(), metrics_runtime::NativeBucketsError>(())
    /// ```
    pub fn native_only(layout: NativeBuckets) -> Self {
        Self::new(&[]).with_native(layout)
    }

    /// The native bucket layout, if the histogram keeps native buckets.
    pub fn native_buckets(&self) -> Option<NativeBuckets> {
        self.native.as_deref().map(NativeHistogram::layout)
    }

    /// A histogram with bounds known only at run time, checked here.
    ///
    /// The bounds are kept for the life of the process (a histogram layout is
    /// created once per family, not per series).
    ///
    /// ```
    /// let h = metrics_runtime::Histogram::with_buckets(vec![1.0, 2.0]).unwrap();
    /// assert!(metrics_runtime::Histogram::with_buckets(vec![2.0, 1.0]).is_err());
    /// # let _ = h;
    /// ```
    pub fn with_buckets(bounds: Vec<f64>) -> Result<Self, crate::BucketsError> {
        crate::descriptor::check_buckets(&bounds)?;
        Ok(Self::new(Box::leak(bounds.into_boxed_slice())))
    }

    /// Records one observation. NaN goes to the `+Inf` bucket (and makes the sum NaN).
    #[inline]
    pub fn observe(&self, v: f64) {
        // Native buckets first: a scrape reads the classic ones first, so it seldom
        // sees an observation there that is not yet in the native count.
        if let Some(native) = &self.native {
            native.observe(v);
        }
        let index = self.bucket_index(v);
        // `bucket_index` returns at most `bounds.len()`, the `+Inf` slot.
        self.buckets[index].fetch_add(1, Ordering::Relaxed);
        super::atomic_f64::add(&self.sum, v);
    }

    /// [`Histogram::observe`], returning the bucket the observation fell in (for its
    /// exemplar). A copy rather than a call from `observe`, so that `observe` stays
    /// exactly what it was.
    #[inline]
    pub(crate) fn observe_in_bucket(&self, v: f64) -> usize {
        if let Some(native) = &self.native {
            native.observe(v);
        }
        let index = self.bucket_index(v);
        self.buckets[index].fetch_add(1, Ordering::Relaxed);
        super::atomic_f64::add(&self.sum, v);
        index
    }

    #[inline]
    fn bucket_index(&self, v: f64) -> usize {
        let bounds = self.bounds;
        if bounds.len() <= 16 {
            // A short linear scan beats a binary search's unpredictable branches.
            let mut i = 0;
            while i < bounds.len() {
                if v <= bounds[i] {
                    return i;
                }
                i += 1;
            }
            bounds.len()
        } else if v.is_nan() {
            bounds.len()
        } else {
            bounds.partition_point(|b| *b < v)
        }
    }

    /// Starts a timer that observes the elapsed seconds when dropped (or on
    /// [`HistogramTimer::observe`]); [`HistogramTimer::discard`] records nothing.
    ///
    /// ```
    /// # static B: [f64; 1] = [1.0];
    /// let h = metrics_runtime::Histogram::new(&B);
    /// {
    ///     let _timer = h.start_timer();
    /// }
    /// assert_eq!(h.count(), 1);
    /// h.start_timer().discard();
    /// assert_eq!(h.count(), 1);
    /// ```
    #[must_use = "the timer records when dropped; bind it to a named variable like `_timer`"]
    pub fn start_timer(&self) -> HistogramTimer<'_> {
        HistogramTimer { histogram: Some(self), start: Instant::now() }
    }

    /// The upper bounds (without `+Inf`).
    pub fn bounds(&self) -> &'static [f64] {
        self.bounds
    }

    /// The number of observations.
    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }

    /// The sum of observations.
    pub fn sum(&self) -> f64 {
        f64::from_bits(self.sum.load(Ordering::Relaxed))
    }

    /// Writes the cumulative bucket counts (one per bound, then `+Inf`) into `out`,
    /// which must hold `bounds().len() + 1` slots, and returns the sum. The last slot
    /// is the count, so it always equals the `+Inf` bucket.
    pub fn cumulative_into(&self, out: &mut [u64]) -> f64 {
        let mut running = 0u64;
        for (slot, bucket) in out.iter_mut().zip(self.buckets.iter()) {
            running = running.wrapping_add(bucket.load(Ordering::Relaxed));
            *slot = running;
        }
        self.sum()
    }

    /// Reads the native buckets (see [`NativeHistogram::read`]), `None` without them.
    pub(crate) fn read_native(
        &self,
        positive: &mut Vec<(i32, u64)>,
        negative: &mut Vec<(i32, u64)>,
    ) -> Option<NativeReading> {
        self.native.as_ref().map(|native| native.read(positive, negative))
    }
}

impl Metric for Histogram {
    const KIND: MetricKind = MetricKind::Histogram;

    fn for_family(descriptor: &'static FamilyDescriptor) -> Self {
        let histogram = Self::new(descriptor.buckets);
        match descriptor.native {
            Some(layout) => histogram.with_native(layout),
            None => histogram,
        }
    }

    fn collect_series(&self, labels: &LabelValues<'_>, sink: &mut dyn SeriesSink) {
        crate::collect::collect_histogram(self, labels, sink);
    }
}

/// Observes the seconds since [`Histogram::start_timer`] when dropped.
#[derive(Debug)]
#[must_use = "the timer records when dropped; bind it to a named variable like `_timer`"]
pub struct HistogramTimer<'a> {
    histogram: Option<&'a Histogram>,
    start: Instant,
}

impl HistogramTimer<'_> {
    /// Records now and returns the seconds observed.
    pub fn observe(mut self) -> f64 {
        let seconds = self.start.elapsed().as_secs_f64();
        if let Some(h) = self.histogram.take() {
            h.observe(seconds);
        }
        seconds
    }

    /// Drops the timer without recording.
    pub fn discard(mut self) {
        self.histogram = None;
    }
}

impl Drop for HistogramTimer<'_> {
    fn drop(&mut self) {
        if let Some(h) = self.histogram.take() {
            h.observe(self.start.elapsed().as_secs_f64());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static BOUNDS: [f64; 3] = [1.0, 2.0, 5.0];

    #[test]
    fn bucket_edges_are_inclusive() {
        let h = Histogram::new(&BOUNDS);
        for v in [0.5, 1.0, 1.5, 2.0, 5.0, 5.1, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            h.observe(v);
        }
        let mut out = vec![0; 4];
        h.cumulative_into(&mut out);
        // <=1: 0.5, 1.0, -Inf; <=2: +1.5, 2.0; <=5: +5.0; +Inf: 5.1, NaN, +Inf
        assert_eq!(out, vec![3, 5, 6, 9]);
        assert!(h.sum().is_nan());
    }

    #[test]
    fn long_bucket_lists_use_binary_search() {
        let bounds: Vec<f64> = (1..=40).map(f64::from).collect();
        let h = Histogram::with_buckets(bounds).unwrap();
        h.observe(20.0);
        h.observe(20.5);
        h.observe(41.0);
        h.observe(f64::NAN);
        let mut out = vec![0; 41];
        h.cumulative_into(&mut out);
        assert_eq!(out[18], 0);
        assert_eq!(out[19], 1);
        assert_eq!(out[20], 2);
        assert_eq!(out[40], 4);
    }

    #[test]
    fn snapshots_stay_cumulative_under_concurrent_observation() {
        let h = Histogram::new(&BOUNDS);
        std::thread::scope(|s| {
            for t in 0..2 {
                let h = &h;
                s.spawn(move || {
                    for i in 0..200_000u32 {
                        h.observe(f64::from((i + t) % 7));
                    }
                });
            }
            let mut out = vec![0; 4];
            for _ in 0..2_000 {
                h.cumulative_into(&mut out);
                assert!(out.windows(2).all(|w| w[0] <= w[1]));
            }
        });
        assert_eq!(h.count(), 400_000);
    }
}
