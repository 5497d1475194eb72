//! What a histogram does with its cells, wherever they live: in the allocation a
//! [`Histogram`](super::Histogram) owns, or inline in a record of a
//! [`DynFamily`](crate::DynFamily).

use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::histogram::HistogramTimer;
use super::native::{NativeBuckets, NativeHistogram, NativeReading};

/// The cells of a histogram with `bounds` bounds: its sum, then one counter per
/// bound and the `+Inf` one.
pub(crate) const fn cells_len(bounds: usize) -> usize {
    bounds + 2
}

/// One histogram series: what a [`Histogram`](super::Histogram) lends with
/// [`handle`](super::Histogram::handle), and what a
/// [`DynFamily<Histogram>`](crate::DynFamily) lookup returns (its series keep their
/// bucket counters inline, and their bounds once per family).
///
/// It observes, times and reads as a `Histogram` does, and is `Copy`: keep it as
/// long as the histogram lives.
///
/// ```
/// use metrics_runtime::Histogram;
/// static BOUNDS: [f64; 2] = [0.1, 1.0];
/// let histogram = Histogram::new(&BOUNDS);
/// let latency = histogram.handle();
/// latency.observe(0.3);
/// drop(latency.start_timer());
/// assert_eq!(latency.count(), 2);
/// assert_eq!(histogram.count(), 2);
/// ```
#[derive(Clone, Copy)]
pub struct HistogramRef<'a> {
    bounds: &'static [f64],
    /// `cells_len(bounds.len())` cells: the sum's bits, then the buckets.
    cells: NonNull<AtomicU64>,
    native: Option<&'a NativeHistogram>,
    _cells: PhantomData<&'a AtomicU64>,
}

// SAFETY: a `HistogramRef` stands for shared references to atomics (its cells) and
// to a `NativeHistogram`, which are `Send` and `Sync` themselves.
unsafe impl Send for HistogramRef<'_> {}
// SAFETY: as for `Send`: through it the cells are only touched atomically.
unsafe impl Sync for HistogramRef<'_> {}

impl<'a> HistogramRef<'a> {
    /// The histogram whose cells start at `cells`.
    ///
    /// # Safety
    /// `cells` points to `cells_len(bounds.len())` initialised `AtomicU64`s that
    /// live, unmoved, for `'a`.
    #[inline]
    pub(crate) unsafe fn from_cells(
        bounds: &'static [f64],
        cells: NonNull<AtomicU64>,
        native: Option<&'a NativeHistogram>,
    ) -> Self {
        Self { bounds, cells, native, _cells: PhantomData }
    }

    #[inline]
    fn sum_cell(self) -> &'a AtomicU64 {
        // SAFETY: the first cell is the sum (`from_cells`).
        unsafe { self.cells.as_ref() }
    }

    /// The bucket counters, `+Inf` last.
    #[inline]
    fn buckets(self) -> &'a [AtomicU64] {
        // SAFETY: the buckets are the `bounds.len() + 1` cells after the sum.
        unsafe { core::slice::from_raw_parts(self.cells.as_ptr().add(1), self.bounds.len() + 1) }
    }

    /// Records one observation. NaN goes to the `+Inf` bucket (and makes the sum NaN).
    #[inline]
    pub fn observe(self, v: f64) {
        // SAFETY: the cells of `bounds`, per `from_cells`.
        unsafe { observe(self.bounds, self.cells, self.native, v) };
    }

    /// Starts a timer that observes the elapsed seconds when dropped (or on
    /// [`HistogramTimer::observe`]); [`HistogramTimer::discard`] records nothing.
    #[must_use = "the timer records when dropped; bind it to a named variable like `_timer`"]
    pub fn start_timer(self) -> HistogramTimer<'a> {
        HistogramTimer::new(self, Instant::now())
    }

    /// The upper bounds (without `+Inf`).
    pub fn bounds(self) -> &'static [f64] {
        self.bounds
    }

    /// The number of observations.
    pub fn count(self) -> u64 {
        self.buckets().iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }

    /// The sum of observations.
    pub fn sum(self) -> f64 {
        f64::from_bits(self.sum_cell().load(Ordering::Relaxed))
    }

    /// The native bucket layout, if the histogram keeps native buckets.
    pub fn native_buckets(self) -> Option<NativeBuckets> {
        self.native.map(NativeHistogram::layout)
    }

    /// Writes the cumulative bucket counts (one per bound, then `+Inf`) into `out`,
    /// which must hold `bounds().len() + 1` slots, and returns the sum. The last slot
    /// is the count, so it always equals the `+Inf` bucket.
    pub fn cumulative_into(self, out: &mut [u64]) -> f64 {
        let mut running = 0u64;
        for (slot, bucket) in out.iter_mut().zip(self.buckets()) {
            running = running.wrapping_add(bucket.load(Ordering::Relaxed));
            *slot = running;
        }
        self.sum()
    }

    /// Reads the native buckets (see [`NativeHistogram::read`]), `None` without them.
    pub(crate) fn read_native(
        self,
        positive: &mut Vec<(i32, u64)>,
        negative: &mut Vec<(i32, u64)>,
    ) -> Option<NativeReading> {
        self.native.map(|native| native.read(positive, negative))
    }
}

/// Records `v` in the histogram of `bounds` whose cells start at `cells` and returns
/// its bucket: one body for [`HistogramRef::observe`] and
/// [`Histogram::observe`](super::Histogram::observe), which takes the histogram by
/// reference (one register) rather than as a `HistogramRef` (four words) when it is
/// not inlined.
///
/// # Safety
/// `cells` points to `cells_len(bounds.len())` initialised `AtomicU64`s that live
/// during the call.
#[inline(always)]
pub(crate) unsafe fn observe(
    bounds: &[f64],
    cells: NonNull<AtomicU64>,
    native: Option<&NativeHistogram>,
    v: f64,
) -> usize {
    // Native buckets first: a scrape reads the classic ones first, so it seldom
    // sees an observation there that is not yet in the native count.
    if let Some(native) = native {
        native.observe(v);
    }
    let index = bucket_index(bounds, v);
    // SAFETY: `bucket_index` returns at most `bounds.len()`, the `+Inf` bucket,
    // which is cell `bounds.len() + 1`, the last; the sum is the first.
    unsafe {
        cells.add(1 + index).as_ref().fetch_add(1, Ordering::Relaxed);
        super::atomic_f64::add(cells.as_ref(), v);
    }
    index
}

/// The bucket of `v` among `bounds`: the first bound at or above it, else
/// `bounds.len()` (the `+Inf` bucket).
#[inline]
fn bucket_index(bounds: &[f64], v: f64) -> usize {
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

impl core::fmt::Debug for HistogramRef<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Histogram")
            .field("bounds", &self.bounds)
            .field("count", &self.count())
            .field("sum", &self.sum())
            .field("native", &self.native_buckets())
            .finish()
    }
}
