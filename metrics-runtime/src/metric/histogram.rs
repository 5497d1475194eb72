use core::ptr::NonNull;
use core::sync::atomic::AtomicU64;
use std::time::Instant;

use super::Metric;
use super::histogram_ref::{HistogramRef, cells_len, observe};
use super::native::{NativeBuckets, NativeHistogram};
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
/// bucket search, one atomic add and one compare-and-swap on the sum. Its sum and
/// counters are one allocation of `8 * (bounds + 2)` bytes, beside 32 bytes inline.
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
pub struct Histogram {
    bounds: &'static [f64],
    /// `cells_len(bounds.len())` cells in an allocation of their own (a boxed slice):
    /// the sum's bits, then one counter per bound and the `+Inf` one. A thin pointer,
    /// as the bounds give the length.
    cells: NonNull<AtomicU64>,
    /// Boxed: a histogram without native buckets stays small and pays one branch.
    native: Option<Box<NativeHistogram>>,
}

// SAFETY: a `Histogram` owns its cells (atomics, as a `Box<[AtomicU64]>` would) and
// its native buckets; the pointer only stands for that ownership.
unsafe impl Send for Histogram {}
// SAFETY: through `&Histogram` the cells are only touched atomically.
unsafe impl Sync for Histogram {}

impl Histogram {
    /// A histogram with the given upper bounds (ascending, finite; `+Inf` is implicit).
    ///
    /// Bounds written in `#[metric(buckets = ..)]` are checked at compile time; use
    /// [`Histogram::with_buckets`] for bounds computed at run time.
    pub fn new(bounds: &'static [f64]) -> Self {
        let cells: Box<[AtomicU64]> =
            (0..cells_len(bounds.len())).map(|_| AtomicU64::new(0)).collect();
        let cells = NonNull::from(Box::leak(cells)).cast::<AtomicU64>();
        Self { bounds, cells, native: None }
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
    pub fn with_native(mut self, layout: NativeBuckets) -> Self {
        self.native = Some(Box::new(NativeHistogram::new(layout)));
        self
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
        self.handle().native_buckets()
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

    /// This histogram as the [`HistogramRef`] a `DynFamily<Histogram>` lookup
    /// returns, for code that takes either.
    #[inline]
    pub fn handle(&self) -> HistogramRef<'_> {
        // SAFETY: `cells` holds `cells_len(bounds.len())` cells, owned by `self`,
        // which the result borrows.
        unsafe { HistogramRef::from_cells(self.bounds, self.cells, self.native.as_deref()) }
    }

    /// Records one observation. NaN goes to the `+Inf` bucket (and makes the sum NaN).
    #[inline]
    pub fn observe(&self, v: f64) {
        // SAFETY: `cells` holds the cells of `bounds`, owned by `self`.
        unsafe { observe(self.bounds, self.cells, self.native.as_deref(), v) };
    }

    /// [`Histogram::observe`], returning the bucket the observation fell in (for its
    /// exemplar).
    #[inline]
    pub(crate) fn observe_in_bucket(&self, v: f64) -> usize {
        // SAFETY: as in `observe`.
        unsafe { observe(self.bounds, self.cells, self.native.as_deref(), v) }
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
        self.handle().start_timer()
    }

    /// The upper bounds (without `+Inf`).
    pub fn bounds(&self) -> &'static [f64] {
        self.bounds
    }

    /// The number of observations.
    pub fn count(&self) -> u64 {
        self.handle().count()
    }

    /// The sum of observations.
    pub fn sum(&self) -> f64 {
        self.handle().sum()
    }

    /// Writes the cumulative bucket counts (one per bound, then `+Inf`) into `out`,
    /// which must hold `bounds().len() + 1` slots, and returns the sum. The last slot
    /// is the count, so it always equals the `+Inf` bucket.
    pub fn cumulative_into(&self, out: &mut [u64]) -> f64 {
        self.handle().cumulative_into(out)
    }
}

impl Drop for Histogram {
    fn drop(&mut self) {
        let cells =
            core::ptr::slice_from_raw_parts_mut(self.cells.as_ptr(), cells_len(self.bounds.len()));
        // SAFETY: `cells` was leaked from a `Box<[AtomicU64]>` of this length in `new`
        // and is freed once, here.
        drop(unsafe { Box::from_raw(cells) });
    }
}

impl core::fmt::Debug for Histogram {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.handle().fmt(f)
    }
}

impl Metric for Histogram {
    const KIND: MetricKind = MetricKind::Histogram;

    type Handle<'a> = HistogramRef<'a>;

    fn for_family(descriptor: &'static FamilyDescriptor) -> Self {
        let histogram = Self::new(descriptor.buckets);
        match descriptor.native {
            Some(layout) => histogram.with_native(layout),
            None => histogram,
        }
    }

    fn collect_series(&self, labels: &LabelValues<'_>, sink: &mut dyn SeriesSink) {
        crate::collect::collect_histogram(self.handle(), labels, sink);
    }

    fn handle(&self) -> HistogramRef<'_> {
        Histogram::handle(self)
    }

    fn collect_handle(
        handle: HistogramRef<'_>,
        labels: &LabelValues<'_>,
        sink: &mut dyn SeriesSink,
    ) {
        crate::collect::collect_histogram(handle, labels, sink);
    }

    // In a dynamic family a series is its cells, then (only in a family with native
    // buckets) the pointer to its native buckets: its bounds are the family's.
    const RECORD_ALIGN: usize = align_of::<AtomicU64>();

    #[inline]
    fn record_size(descriptor: &'static FamilyDescriptor) -> usize {
        let native = usize::from(descriptor.native.is_some());
        (cells_len(descriptor.buckets.len()) + native) * size_of::<AtomicU64>()
    }

    unsafe fn record_write(at: *mut u8, descriptor: &'static FamilyDescriptor) {
        let cells = cells_len(descriptor.buckets.len());
        let at = at.cast::<AtomicU64>();
        // SAFETY: the caller gives `record_size` bytes at `at`, aligned for the
        // cells, then (8-byte aligned) for the native pointer.
        unsafe {
            for i in 0..cells {
                at.add(i).write(AtomicU64::new(0));
            }
            if let Some(layout) = descriptor.native {
                let native = Box::new(NativeHistogram::new(layout));
                at.add(cells).cast::<Box<NativeHistogram>>().write(native);
            }
        }
    }

    #[inline]
    unsafe fn record_handle<'a>(
        at: *mut u8,
        descriptor: &'static FamilyDescriptor,
    ) -> HistogramRef<'a> {
        let bounds = descriptor.buckets;
        let cells = at.cast::<AtomicU64>();
        // SAFETY: `record_write` put the cells of `bounds` at `at`, then the native
        // pointer when the family has native buckets; they live for `'a`.
        unsafe {
            let native = descriptor
                .native
                .map(|_| &**cells.add(cells_len(bounds.len())).cast::<Box<NativeHistogram>>());
            HistogramRef::from_cells(bounds, NonNull::new_unchecked(cells), native)
        }
    }

    unsafe fn record_drop(at: *mut u8, descriptor: &'static FamilyDescriptor) {
        if descriptor.native.is_some() {
            let cells = cells_len(descriptor.buckets.len());
            // SAFETY: `record_write` put the native pointer after the cells; dropped
            // once. The cells are atomics, with nothing to drop.
            unsafe {
                at.cast::<AtomicU64>().add(cells).cast::<Box<NativeHistogram>>().drop_in_place()
            };
        }
    }
}

/// Observes the seconds since [`Histogram::start_timer`] when dropped.
#[derive(Debug)]
#[must_use = "the timer records when dropped; bind it to a named variable like `_timer`"]
pub struct HistogramTimer<'a> {
    histogram: Option<HistogramRef<'a>>,
    start: Instant,
}

impl<'a> HistogramTimer<'a> {
    pub(crate) fn new(histogram: HistogramRef<'a>, start: Instant) -> Self {
        Self { histogram: Some(histogram), start }
    }

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
    fn a_histogram_is_its_bounds_and_two_thin_pointers() {
        // The sum and the counters are one allocation of `cells_len` cells.
        assert_eq!(size_of::<Histogram>(), 32);
        assert_eq!(cells_len(BOUNDS.len()), 5);
        let h = Histogram::new(&BOUNDS).with_native(NativeBuckets::from_schema(0).unwrap());
        h.observe(1.5);
        h.handle().observe(7.0);
        let mut out = vec![0; 4];
        assert_eq!(h.cumulative_into(&mut out), 8.5);
        assert_eq!(out, vec![0, 1, 1, 2]);
        assert_eq!(h.handle().count(), 2);
        assert_eq!(h.native_buckets().map(|n| n.schema()), Some(0));
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
