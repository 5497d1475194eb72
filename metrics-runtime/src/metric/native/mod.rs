//! Native (sparse, exponential) histogram buckets: the layout a histogram declares
//! ([`NativeBuckets`]) and the lock-free storage that counts observations in it.
//!
//! <https://prometheus.io/docs/specs/native_histograms/>
//!
//! Storage is a chain of *generations*, each a fixed-capacity lock-free table of
//! bucket counts at one schema. Observing finds the newest generation (one atomic
//! load), computes the bucket index and adds to its slot: no lock, and no allocation
//! once the bucket exists. When the table holds more buckets than `max_buckets`, or is
//! three quarters full, the observer that noticed takes a mutex (the rare slow path)
//! and publishes a new generation: one schema lower (pairs of buckets merged, as the
//! spec allows) and/or twice as large, holding every bucket seen so far so that it
//! counts them against the limit. Older generations stay, frozen in layout but still
//! written by observers that loaded them just before the switch; a scrape adds every
//! generation up, mapped to the newest schema, so no observation is lost or counted
//! twice. A histogram can lower its schema at most 12 times and doubles its tables a
//! bounded number of times, so the chain is short and its memory bounded.

mod bounds;
mod index;
mod table;

use core::num::NonZeroU32;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use index::{MAX_SCHEMA, MIN_SCHEMA, bucket_index, reduce_index, schema_for_factor};
use table::{Added, BucketKey, BucketTable};

/// How a histogram lays out its native buckets: the schema (resolution), the zero
/// bucket's threshold and the most buckets kept before the resolution is lowered.
///
/// `#[metric(native(schema = 3))]` or `#[metric(native(factor = 1.1))]` declares one
/// on a derived histogram; at run time:
///
/// ```
/// use metrics_runtime::{Histogram, NativeBuckets};
/// let layout = NativeBuckets::from_factor(1.1)?.with_max_buckets(100.try_into().unwrap());
/// assert_eq!(layout.schema(), 3);
/// let latency = Histogram::native_only(layout);
/// latency.observe(0.042);
/// assert_eq!(latency.count(), 1);
/// # Ok::<(), metrics_runtime::NativeBucketsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NativeBuckets {
    schema: i8,
    zero_threshold: f64,
    max_buckets: u32,
}

impl NativeBuckets {
    /// The zero bucket's default threshold, 2^-128, as in client_golang: only values
    /// too small to matter go to the zero bucket.
    pub const DEFAULT_ZERO_THRESHOLD: f64 = 2.938_735_877_055_719e-39;
    /// The default limit on populated buckets (positive and negative together): the
    /// value client_golang's users commonly set, enough for schema 3 over five orders
    /// of magnitude.
    pub const DEFAULT_MAX_BUCKETS: u32 = 160;
    /// The coarsest schema: each bucket boundary 2^16 times the previous one.
    pub const MIN_SCHEMA: i8 = MIN_SCHEMA;
    /// The finest schema: each bucket boundary 2^(1/256) times the previous one.
    pub const MAX_SCHEMA: i8 = MAX_SCHEMA;

    /// Buckets at `schema`, from -4 (each boundary 65536 times the previous one) to 8
    /// (each 2^(1/256), about 1.0027, times the previous one).
    ///
    /// ```
    /// use metrics_runtime::NativeBuckets;
    /// assert_eq!(NativeBuckets::from_schema(3).unwrap().schema(), 3);
    /// assert!(NativeBuckets::from_schema(9).is_err());
    /// ```
    pub const fn from_schema(schema: i8) -> Result<Self, NativeBucketsError> {
        if schema < MIN_SCHEMA || schema > MAX_SCHEMA {
            return Err(NativeBucketsError::Schema(schema));
        }
        Ok(Self {
            schema,
            zero_threshold: Self::DEFAULT_ZERO_THRESHOLD,
            max_buckets: Self::DEFAULT_MAX_BUCKETS,
        })
    }

    /// Buckets whose boundaries grow by at most `factor` each, the way client_golang's
    /// `NativeHistogramBucketFactor` picks a schema: 1.1 gives schema 3 (factor 1.09).
    ///
    /// ```
    /// use metrics_runtime::NativeBuckets;
    /// assert_eq!(NativeBuckets::from_factor(1.1).unwrap().schema(), 3);
    /// assert_eq!(NativeBuckets::from_factor(2.0).unwrap().schema(), 0);
    /// assert!(NativeBuckets::from_factor(1.0).is_err());
    /// ```
    pub fn from_factor(factor: f64) -> Result<Self, NativeBucketsError> {
        match schema_for_factor(factor) {
            Some(schema) => Self::from_schema(schema),
            None => Err(NativeBucketsError::Factor(factor)),
        }
    }

    /// The same layout with observations within `±threshold` counted in the zero
    /// bucket (0 counts only exact zeros there).
    pub const fn with_zero_threshold(self, threshold: f64) -> Result<Self, NativeBucketsError> {
        if !(threshold.is_finite() && threshold >= 0.0) {
            return Err(NativeBucketsError::ZeroThreshold(threshold));
        }
        Ok(Self { zero_threshold: threshold, ..self })
    }

    /// The same layout lowering its resolution once more than `max` buckets are
    /// populated.
    pub const fn with_max_buckets(self, max: NonZeroU32) -> Self {
        Self { max_buckets: max.get(), ..self }
    }

    /// The schema observations start at (a histogram may lower it to stay within
    /// [`max_buckets`](Self::max_buckets)).
    pub const fn schema(&self) -> i8 {
        self.schema
    }

    /// The zero bucket's threshold.
    pub const fn zero_threshold(&self) -> f64 {
        self.zero_threshold
    }

    /// The most populated buckets kept at one resolution.
    pub const fn max_buckets(&self) -> u32 {
        self.max_buckets
    }

    /// For generated code, whose arguments the derive has checked: out-of-range
    /// values are clamped, never a panic.
    #[doc(hidden)]
    pub const fn __checked(schema: i8, zero_threshold: f64, max_buckets: u32) -> Self {
        let schema = if schema < MIN_SCHEMA {
            MIN_SCHEMA
        } else if schema > MAX_SCHEMA {
            MAX_SCHEMA
        } else {
            schema
        };
        let zero_threshold = if zero_threshold >= 0.0 && zero_threshold < f64::INFINITY {
            zero_threshold
        } else {
            Self::DEFAULT_ZERO_THRESHOLD
        };
        let max_buckets = if max_buckets == 0 { 1 } else { max_buckets };
        Self { schema, zero_threshold, max_buckets }
    }
}

/// Why a native bucket layout was refused.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum NativeBucketsError {
    /// A schema outside `-4..=8`.
    #[error("native histogram schema {0} is out of range; use -4 (coarsest) to 8 (finest)")]
    Schema(i8),
    /// A factor that is not a finite number above 1.
    #[error("native histogram bucket factor {0} must be a finite number above 1, e.g. 1.1")]
    Factor(f64),
    /// A negative, NaN or infinite zero threshold.
    #[error("native histogram zero threshold {0} must be finite and not negative, e.g. 1e-9")]
    ZeroThreshold(f64),
}

/// At most this many generations: 12 schema reductions (8 to -4) plus table doublings
/// from 16 slots to more than the 2^20 buckets schema 8 can have.
const MAX_GENERATIONS: usize = 40;
/// The first table's slots.
const INITIAL_CAPACITY: usize = 16;

#[derive(Debug)]
struct Generation {
    schema: i8,
    table: BucketTable,
    /// More populated buckets than this and the observer that added the last one
    /// asks for a new generation.
    resize_above: usize,
}

impl Generation {
    fn new(schema: i8, capacity: usize, max_buckets: usize) -> Self {
        let table = BucketTable::with_capacity(capacity);
        let load_limit = table.capacity() / 4 * 3;
        let resize_above =
            if schema > MIN_SCHEMA { load_limit.min(max_buckets) } else { load_limit };
        Self { schema, table, resize_above }
    }
}

/// The native buckets of one histogram series.
#[derive(Debug)]
pub(crate) struct NativeHistogram {
    layout: NativeBuckets,
    zero: AtomicU64,
    /// NaN observations: in the count, in no bucket (the spec's rule).
    unbucketed: AtomicU64,
    current: AtomicUsize,
    generations: [OnceLock<Generation>; MAX_GENERATIONS],
    resizing: Mutex<()>,
}

/// One consistent reading of a [`NativeHistogram`]; the buckets go to the vectors the
/// caller passed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NativeReading {
    pub(crate) schema: i8,
    pub(crate) zero_threshold: f64,
    pub(crate) zero_count: u64,
    /// Zero bucket, every other bucket and NaN observations.
    pub(crate) count: u64,
}

impl NativeHistogram {
    pub(crate) fn new(layout: NativeBuckets) -> Self {
        let histogram = Self {
            layout,
            zero: AtomicU64::new(0),
            unbucketed: AtomicU64::new(0),
            current: AtomicUsize::new(0),
            generations: core::array::from_fn(|_| OnceLock::new()),
            resizing: Mutex::new(()),
        };
        let first = Generation::new(layout.schema, INITIAL_CAPACITY, histogram.max_buckets());
        let _ = histogram.generations[0].set(first);
        histogram
    }

    pub(crate) fn layout(&self) -> NativeBuckets {
        self.layout
    }

    fn max_buckets(&self) -> usize {
        self.layout.max_buckets as usize
    }

    #[inline]
    pub(crate) fn observe(&self, v: f64) {
        if v.is_nan() {
            self.unbucketed.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if v.abs() <= self.layout.zero_threshold {
            self.zero.fetch_add(1, Ordering::Relaxed);
            return;
        }
        loop {
            let at = self.current.load(Ordering::Acquire);
            let Some(generation) = self.generations[at].get() else { break };
            let key = BucketKey::new(bucket_index(v, generation.schema), v < 0.0);
            match generation.table.add(key, 1) {
                Added::Existing => return,
                Added::New(len) => {
                    if len > generation.resize_above {
                        self.resize(at);
                    }
                    return;
                }
                // Only if observers raced past the resize threshold: wait for the
                // bigger table, then add there.
                Added::Full if self.resize(at) => {}
                Added::Full => break,
            }
        }
        // No generation could take it (not reachable with the bounds above): keep the
        // count right at least.
        self.unbucketed.fetch_add(1, Ordering::Relaxed);
    }

    /// The slow path: publishes a generation after `seen` at a lower schema or with a
    /// bigger table. Returns whether a generation newer than `seen` exists.
    #[cold]
    fn resize(&self, seen: usize) -> bool {
        let _guard = self.resizing.lock().unwrap_or_else(PoisonError::into_inner);
        let at = self.current.load(Ordering::Acquire);
        if at != seen {
            return true;
        }
        let Some(generation) = self.generations[at].get() else { return false };
        let mut keys = Vec::new();
        self.keys_at(generation.schema, at, &mut keys);
        let mut schema = generation.schema;
        while keys.len() > self.max_buckets() && schema > MIN_SCHEMA {
            schema -= 1;
            for key in &mut keys {
                *key = BucketKey::new(reduce_index(key.index(), 1), key.negative());
            }
            keys.dedup();
        }
        let capacity = (keys.len() * 2).max(INITIAL_CAPACITY).next_power_of_two();
        let unchanged = schema == generation.schema && capacity <= generation.table.capacity();
        if unchanged || at + 1 == MAX_GENERATIONS {
            return false;
        }
        let next = Generation::new(schema, capacity, self.max_buckets());
        // The buckets seen so far, at zero: counted against the limit from the start.
        for key in keys {
            next.table.add(key, 0);
        }
        let _ = self.generations[at + 1].set(next);
        self.current.store(at + 1, Ordering::Release);
        true
    }

    /// Every key of generations `0..=at` mapped to `schema`, sorted, without repeats.
    fn keys_at(&self, schema: i8, at: usize, keys: &mut Vec<BucketKey>) {
        for generation in self.generations[..=at].iter().filter_map(OnceLock::get) {
            let shift = u32::from(generation.schema.abs_diff(schema));
            generation.table.for_each(|key, _| {
                keys.push(BucketKey::new(reduce_index(key.index(), shift), key.negative()));
            });
        }
        keys.sort_unstable();
        keys.dedup();
    }

    /// Reads the populated buckets, ascending by index, into `positive` and `negative`
    /// (cleared first). The count is the sum of what was read, so a scrape always sees
    /// `count == zero_count + buckets + NaN observations` however many threads observe.
    pub(crate) fn read(
        &self,
        positive: &mut Vec<(i32, u64)>,
        negative: &mut Vec<(i32, u64)>,
    ) -> NativeReading {
        positive.clear();
        negative.clear();
        let at = self.current.load(Ordering::Acquire);
        let schema = self.generations[at].get().map_or(self.layout.schema, |g| g.schema);
        for generation in self.generations[..=at].iter().filter_map(OnceLock::get) {
            let shift = u32::from(generation.schema.abs_diff(schema));
            generation.table.for_each(|key, count| {
                if count > 0 {
                    let side = if key.negative() { &mut *negative } else { &mut *positive };
                    side.push((reduce_index(key.index(), shift), count));
                }
            });
        }
        let mut count = 0u64;
        for side in [&mut *positive, &mut *negative] {
            merge_equal_indices(side);
            count = side.iter().fold(count, |sum, (_, c)| sum.wrapping_add(*c));
        }
        let zero_count = self.zero.load(Ordering::Relaxed);
        let count =
            count.wrapping_add(zero_count).wrapping_add(self.unbucketed.load(Ordering::Relaxed));
        NativeReading { schema, zero_threshold: self.layout.zero_threshold, zero_count, count }
    }
}

/// Sorts by index and adds up the counts of equal indices.
fn merge_equal_indices(buckets: &mut Vec<(i32, u64)>) {
    buckets.sort_unstable_by_key(|(index, _)| *index);
    buckets.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same {
            earlier.1 = earlier.1.wrapping_add(later.1);
        }
        same
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    type Buckets = Vec<(i32, u64)>;

    fn read(h: &NativeHistogram) -> (NativeReading, Buckets, Buckets) {
        let (mut positive, mut negative) = (Vec::new(), Vec::new());
        let reading = h.read(&mut positive, &mut negative);
        (reading, positive, negative)
    }

    fn schema(s: i8) -> NativeBuckets {
        NativeBuckets::from_schema(s).unwrap()
    }

    #[test]
    fn observations_go_to_their_bucket_the_zero_bucket_or_only_the_count() {
        let h = NativeHistogram::new(schema(0).with_zero_threshold(0.001).unwrap());
        for v in [1.0, 1.5, 2.0, 3.0, -1.5, 0.0, 0.0005, -0.001, f64::NAN, f64::INFINITY] {
            h.observe(v);
        }
        let (reading, positive, negative) = read(&h);
        assert_eq!(positive, vec![(0, 1), (1, 2), (2, 1), (1025, 1)]);
        assert_eq!(negative, vec![(1, 1)]);
        assert_eq!(reading.zero_count, 3);
        assert_eq!(reading.count, 10, "NaN counts, in no bucket");
        assert_eq!((reading.schema, reading.zero_threshold), (0, 0.001));
    }

    #[test]
    fn too_many_buckets_lower_the_resolution_and_merge_pairs() {
        let h = NativeHistogram::new(schema(2).with_max_buckets(limit(4)));
        // Schema 2: 1.1, 1.3, 1.6 and 1.9 are four buckets (1..4).
        for v in [1.1, 1.3, 1.6, 1.9] {
            h.observe(v);
        }
        assert_eq!(read(&h).0.schema, 2);
        // A fifth bucket: schema 1 has 1.1 and 1.3 in bucket 1, 1.6 and 1.9 in 2, 2.5 in 3.
        h.observe(2.5);
        let (reading, positive, _) = read(&h);
        assert_eq!(reading.schema, 1);
        assert_eq!(positive, vec![(1, 2), (2, 2), (3, 1)]);
        assert_eq!(reading.count, 5);
        // Observations after the switch land at the new schema.
        h.observe(1.2);
        assert_eq!(read(&h).1, vec![(1, 3), (2, 2), (3, 1)]);
    }

    #[test]
    fn a_wide_spread_goes_down_several_schemas_and_stops_at_the_lowest() {
        let h = NativeHistogram::new(schema(8).with_max_buckets(limit(3)));
        for exp in -100..500 {
            h.observe(2f64.powi(exp) * 1.3);
        }
        let (reading, positive, _) = read(&h);
        assert_eq!(reading.schema, MIN_SCHEMA);
        assert_eq!(reading.count, 600);
        assert_eq!(positive.iter().map(|(_, c)| c).sum::<u64>(), 600);
        // Schema -4 buckets span 16 powers of two: 600 powers make about 38 of them,
        // more than the limit, which cannot go lower.
        assert!((37..=39).contains(&positive.len()), "{}", positive.len());
        assert!(positive.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn tables_grow_without_losing_counts() {
        let h = NativeHistogram::new(schema(8).with_max_buckets(limit(1000)));
        for i in 1..=500 {
            h.observe(f64::from(i) / 10.0);
        }
        let (reading, positive, _) = read(&h);
        assert_eq!(reading.schema, 8, "500 values stay under the limit");
        assert_eq!(reading.count, 500);
        assert_eq!(positive.iter().map(|(_, c)| c).sum::<u64>(), 500);
        assert!(h.current.load(Ordering::Relaxed) > 0, "started at 16 slots");
    }

    #[test]
    fn concurrent_observers_and_scrapes_see_consistent_counts() {
        let h = NativeHistogram::new(schema(8).with_max_buckets(limit(20)));
        std::thread::scope(|s| {
            for t in 0..3u32 {
                let h = &h;
                s.spawn(move || {
                    for i in 0..50_000u32 {
                        h.observe(f64::from((i * 7 + t) % 5_000) / 100.0 - 10.0);
                    }
                });
            }
            let mut last = 0;
            for _ in 0..300 {
                let (reading, positive, negative) = read(&h);
                let buckets: u64 = positive.iter().chain(&negative).map(|(_, c)| c).sum();
                assert_eq!(reading.count, buckets + reading.zero_count);
                assert!(reading.count >= last, "counts only grow");
                last = reading.count;
            }
        });
        let (reading, positive, negative) = read(&h);
        assert_eq!(reading.count, 150_000);
        assert!(positive.len() + negative.len() <= 24, "{} {}", positive.len(), negative.len());
    }

    #[test]
    fn layouts_are_checked() {
        assert_eq!(NativeBuckets::from_schema(-5), Err(NativeBucketsError::Schema(-5)));
        assert!(NativeBuckets::from_factor(f64::NAN).is_err());
        assert!(schema(0).with_zero_threshold(-1.0).is_err());
        assert!(schema(0).with_zero_threshold(f64::INFINITY).is_err());
        let clamped = NativeBuckets::__checked(12, f64::NAN, 0);
        assert_eq!(
            (clamped.schema(), clamped.zero_threshold(), clamped.max_buckets()),
            (8, NativeBuckets::DEFAULT_ZERO_THRESHOLD, 1)
        );
    }
}
