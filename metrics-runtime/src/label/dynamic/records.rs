//! The series of a dynamic family, each one record (its series, a check word of its
//! hash, its key) packed one after another in a few large allocations: no allocation
//! of its own per series, no pointer to its key, and creation order for free.
//!
//! The series' size may depend on the family (a histogram's counters are inline, as
//! many as the family has buckets): it is [`Metric::record_size`], a constant for
//! every type but `Histogram`, so that for them the check word and the key sit at
//! offsets known at compile time. A record never moves once written, so lookups
//! point at it from the table; it lives until the family is dropped.

use core::alloc::Layout;
use core::marker::PhantomData;
use core::ptr::NonNull;

use super::key;
use crate::descriptor::FamilyDescriptor;
use crate::metric::Metric;

/// The smallest and the largest allocation records are packed into.
const MIN_CHUNK: usize = 256;
const MAX_CHUNK: usize = 4096;

/// The key starts right after the check word, a `u32`.
const CHECK_LEN: usize = 4;

/// The alignment records of `M` start at (the series', and the check word's).
const fn align_of_records<M: Metric>() -> usize {
    if M::RECORD_ALIGN > 4 { M::RECORD_ALIGN } else { 4 }
}

/// The bytes of a record whose series is `series` bytes and whose key is `key_len`
/// bytes, up to the next record (at `align`).
fn record_bytes(series: usize, key_len: usize, align: usize) -> usize {
    (series + CHECK_LEN + key_len).next_multiple_of(align)
}

/// What drops a series at a pointer (`Metric::record_drop`).
type DropSeries = unsafe fn(*mut u8, &'static FamilyDescriptor);

/// One allocation of records: `used` bytes of `size` (aligned as records are)
/// hold records. Sizes are kept in 32 bits: the list of chunks is a part of what
/// every series costs.
struct Chunk {
    start: NonNull<u8>,
    size: u32,
    used: u32,
}

/// Every series of a family, in creation order.
pub(super) struct Records<M> {
    chunks: Vec<Chunk>,
    /// The number of values in every key.
    arity: usize,
    count: usize,
    /// The family's, which gives the size of its series.
    descriptor: &'static FamilyDescriptor,
    /// The bytes of each series, before its check word.
    series: usize,
    /// The alignment of records and chunks.
    align: usize,
    /// What drops a series, when it has anything to drop (kept here so that
    /// `Records`, and so `DynFamily`, need no bound on `M` but where they are made).
    drop_series: Option<DropSeries>,
    /// Records own an `M` each.
    _metrics: PhantomData<M>,
}

// SAFETY: `Records` owns its `M`s (as a `Vec<M>` would) and the bytes of their keys;
// the raw pointers only stand for that ownership.
unsafe impl<M: Send> Send for Records<M> {}
// SAFETY: through `&Records` one only reads keys and reaches `M`'s handles.
unsafe impl<M: Sync> Sync for Records<M> {}

/// A pointer to a record (to its series, its first byte), as the table holds it.
pub(super) type Record = *mut u8;

impl<M: Metric> Records<M> {
    pub(super) fn new(arity: usize, descriptor: &'static FamilyDescriptor) -> Self {
        let series = M::record_size(descriptor);
        debug_assert!(series % 4 == 0 && series % M::RECORD_ALIGN == 0);
        let drop_series: DropSeries = M::record_drop;
        Self {
            chunks: Vec::new(),
            arity,
            count: 0,
            descriptor,
            series,
            align: align_of_records::<M>(),
            drop_series: core::mem::needs_drop::<M>().then_some(drop_series),
            _metrics: PhantomData,
        }
    }

    /// How many records there are.
    pub(super) fn len(&self) -> usize {
        self.count
    }

    /// Adds a record of a new series, `check` and the key of `values` (`key_len`
    /// bytes, from [`key::encoded_len`]); returns where it is. At most `room_for`
    /// records (this one included) may still come: a new chunk has room for no
    /// more records of this size than that.
    pub(super) fn push(
        &mut self,
        check: u32,
        values: &[&str],
        key_len: usize,
        room_for: usize,
    ) -> Record {
        debug_assert_eq!(values.len(), self.arity);
        let size = record_bytes(self.series, key_len, self.align);
        if self.chunks.last().is_none_or(|chunk| ((chunk.size - chunk.used) as usize) < size) {
            self.add_chunk(size, size.saturating_mul(room_for));
        }
        let last = self.chunks.len() - 1;
        let chunk = &mut self.chunks[last];
        // SAFETY: the chunk has `size` free bytes from `used`, aligned to `ALIGN`
        // (every record's size is a multiple of it, as the chunk's start is).
        let start = unsafe { chunk.start.as_ptr().add(chunk.used as usize) };
        // `size` fits in the chunk, whose size fits in 32 bits.
        chunk.used += size as u32;
        self.count += 1;
        // SAFETY: `start` is aligned for the series, which `series` bytes hold; the
        // check word after it is aligned (`series` is a multiple of 4), and the key
        // fits in what `size` leaves after it; none of these bytes is shared yet.
        unsafe {
            M::record_write(start, self.descriptor);
            start.add(self.series).cast::<u32>().write(check);
            let key = Self::key_start(start, self.series).cast_mut();
            key::encode(values, core::slice::from_raw_parts_mut(key, key_len));
        }
        start
    }

    /// Adds a chunk twice as large as the last (from `MIN_CHUNK` up to `MAX_CHUNK`)
    /// but no larger than `at_most`, and at least `at_least` bytes.
    fn add_chunk(&mut self, at_least: usize, at_most: usize) {
        let doubled = self.chunks.last().map_or(MIN_CHUNK, |last| last.size as usize * 2);
        let size = doubled.min(MAX_CHUNK).min(at_most).max(at_least);
        let layout = u32::try_from(size)
            .ok()
            .and_then(|_| Layout::from_size_align(size, self.align).ok())
            .unwrap_or_else(|| std::alloc::handle_alloc_error(Layout::new::<u8>()));
        // SAFETY: `size` is at least one record's, not zero.
        let start = unsafe { std::alloc::alloc(layout) };
        let start = NonNull::new(start).unwrap_or_else(|| std::alloc::handle_alloc_error(layout));
        // `size` fits in 32 bits, checked above.
        self.chunks.push(Chunk { start, size: size as u32, used: 0 });
    }

    /// The handle of the series of `record`, of the family of `descriptor`.
    ///
    /// # Safety
    /// `record` is a record of a `Records<M>` of that family that outlives `'a`.
    #[inline]
    pub(super) unsafe fn handle<'a>(
        record: Record,
        descriptor: &'static FamilyDescriptor,
    ) -> M::Handle<'a> {
        // SAFETY: the record starts with its series, written in `push`.
        unsafe { M::record_handle(record, descriptor) }
    }
}

impl<M> Records<M> {
    /// Every record with its key (its values' bytes), in creation order: each key's
    /// length is read once, to find both the key and the next record.
    pub(super) fn iter(&self) -> impl Iterator<Item = (Record, &[u8])> + '_ {
        let (arity, series, align) = (self.arity, self.series, self.align);
        self.chunks.iter().flat_map(move |chunk| {
            let mut at = 0;
            core::iter::from_fn(move || {
                if at >= chunk.used as usize {
                    return None;
                }
                // SAFETY: `at` is the start of a record below `used`; records are
                // laid end to end, each `size` long.
                let record = unsafe { chunk.start.as_ptr().add(at) };
                let start = Self::key_start(record, series);
                // SAFETY: the record's key holds `arity` values, written in `push`,
                // and lives as long as `self`.
                let key =
                    unsafe { core::slice::from_raw_parts(start, key::stored_len(start, arity)) };
                at += record_bytes(series, key.len(), align);
                Some((record, key))
            })
        })
    }

    /// The check word of `record`, whose series is `series` bytes
    /// ([`Metric::record_size`] of the family).
    ///
    /// # Safety
    /// `record` is a record of a live `Records<M>` of that family.
    #[inline]
    pub(super) unsafe fn check(record: Record, series: usize) -> u32 {
        // SAFETY: written right after the series in `push`, aligned.
        unsafe { record.add(series).cast::<u32>().read() }
    }

    /// Where the key of `record` starts, whose series is `series` bytes.
    #[inline]
    pub(super) fn key_start(record: Record, series: usize) -> *const u8 {
        record.wrapping_add(series + CHECK_LEN)
    }
}

impl<M> Drop for Records<M> {
    fn drop(&mut self) {
        if let Some(drop_series) = self.drop_series {
            for (record, _) in self.iter() {
                // SAFETY: each record's series was written once (by `M::record_write`
                // with this descriptor) and is dropped once, by `M::record_drop`.
                unsafe { drop_series(record, self.descriptor) };
            }
        }
        for chunk in &self.chunks {
            // SAFETY: allocated in `add_chunk` with this size and alignment.
            unsafe {
                let layout = Layout::from_size_align_unchecked(chunk.size as usize, self.align);
                std::alloc::dealloc(chunk.start.as_ptr(), layout);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::SeriesSink;
    use crate::descriptor::{LabelKind, MetricKind};
    use crate::label::LabelValues;
    use crate::metric::{Histogram, NativeBuckets};
    use core::sync::atomic::{AtomicUsize, Ordering};

    static DROPS: AtomicUsize = AtomicUsize::new(0);

    /// A series that counts its drops.
    struct Tracked(u64);

    impl Drop for Tracked {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::Relaxed);
        }
    }

    impl Metric for Tracked {
        const KIND: MetricKind = MetricKind::Unknown;
        crate::metric::kept_whole!();

        fn for_family(_: &'static FamilyDescriptor) -> Self {
            Self(7)
        }

        fn collect_series(&self, _: &LabelValues<'_>, _: &mut dyn SeriesSink) {}
    }

    static TWO_LABELS: FamilyDescriptor = FamilyDescriptor {
        label_kind: LabelKind::Dynamic,
        label_names: &["a", "b"],
        ..FamilyDescriptor::new(
            "records",
            "Records.",
            MetricKind::Unknown,
            crate::source_location!(),
        )
    };

    #[test]
    fn records_keep_their_series_check_and_key_in_order_and_drop_every_series() {
        let mut records = Records::<Tracked>::new(2, &TWO_LABELS);
        let long = "x".repeat(5_000);
        let mut pushed = Vec::new();
        for i in 0..1_000usize {
            let first = i.to_string();
            let second = if i == 500 { long.as_str() } else { "y" };
            let values = [first.as_str(), second];
            let key_len = key::encoded_len(&values).unwrap();
            pushed.push(records.push(i as u32, &values, key_len, usize::MAX));
        }
        assert_eq!(records.len(), 1_000);
        let walked: Vec<(Record, &[u8])> = records.iter().collect();
        assert_eq!(walked.iter().map(|(record, _)| *record).collect::<Vec<_>>(), pushed);
        for (i, (record, key)) in walked.into_iter().enumerate() {
            // SAFETY: records of `records`, which is alive.
            let (check, series) = unsafe {
                (
                    Records::<Tracked>::check(record, records.series),
                    Records::<Tracked>::handle(record, &TWO_LABELS),
                )
            };
            assert_eq!(check, i as u32);
            assert_eq!(series.0, 7);
            let values: Vec<&[u8]> = key::values(key).collect();
            assert_eq!(values[0], i.to_string().as_bytes());
            assert_eq!(values[1].len(), if i == 500 { 5_000 } else { 1 });
        }
        let before = DROPS.load(Ordering::Relaxed);
        drop(records);
        assert_eq!(DROPS.load(Ordering::Relaxed) - before, 1_000);
    }

    static BOUNDS: [f64; 12] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0];
    static HISTOGRAMS: FamilyDescriptor = FamilyDescriptor {
        label_kind: LabelKind::Dynamic,
        label_names: &["route"],
        buckets: &BOUNDS,
        ..FamilyDescriptor::new(
            "latency",
            "Latency.",
            MetricKind::Histogram,
            crate::source_location!(),
        )
    };

    fn push_routes(
        records: &mut Records<Histogram>,
        routes: usize,
        room_for: usize,
    ) -> Vec<Record> {
        (0..routes)
            .map(|i| {
                let route = format!("/api/v1/items/{i:03}");
                let values = [route.as_str()];
                let key_len = key::encoded_len(&values).unwrap();
                records.push(i as u32, &values, key_len, room_for - i)
            })
            .collect()
    }

    #[test]
    fn a_histogram_record_is_its_sum_and_counters_inline_then_check_and_key() {
        let mut records = Records::<Histogram>::new(1, &HISTOGRAMS);
        // The sum and 13 counters (112 bytes), the check word, a key of 18 bytes.
        assert_eq!(records.series, 112);
        assert_eq!(record_bytes(records.series, 18, records.align), 136);
        let pushed = push_routes(&mut records, 100, usize::MAX);
        for (i, record) in pushed.iter().enumerate() {
            // SAFETY: a record of `records`, alive.
            let histogram = unsafe { Records::<Histogram>::handle(*record, &HISTOGRAMS) };
            histogram.observe(i as f64);
            assert_eq!(histogram.bounds(), &BOUNDS);
        }
        let mut out = [0; 13];
        for (i, record) in pushed.into_iter().enumerate() {
            // SAFETY: as above.
            let histogram = unsafe { Records::<Histogram>::handle(record, &HISTOGRAMS) };
            assert_eq!(histogram.cumulative_into(&mut out), i as f64);
            // Only the bucket of `i` counted it.
            let bucket = BOUNDS.iter().position(|b| i as f64 <= *b).unwrap_or(12);
            let expected: Vec<u64> = (0..13).map(|k| u64::from(k >= bucket)).collect();
            assert_eq!(out.to_vec(), expected);
            assert_eq!(histogram.native_buckets(), None);
        }
    }

    #[test]
    fn chunks_hold_no_room_past_the_records_that_may_still_come() {
        let mut records = Records::<Histogram>::new(1, &HISTOGRAMS);
        push_routes(&mut records, 40, 40);
        let room: usize = records.chunks.iter().map(|c| c.size as usize).sum();
        let used: usize = records.chunks.iter().map(|c| c.used as usize).sum();
        assert_eq!(used, 40 * 136);
        // Chunks of 256 to 4096 bytes hold the first records, the last one just the rest.
        assert!(room - used < 4 * 136, "{room} bytes for {used}");
        assert_eq!(records.chunks.last().map(|c| c.size - c.used), Some(0));
    }

    static NATIVE: FamilyDescriptor = FamilyDescriptor {
        native: Some(match NativeBuckets::from_schema(3) {
            Ok(layout) => layout,
            Err(_) => panic!(),
        }),
        ..HISTOGRAMS
    };

    #[test]
    fn a_native_histogram_record_keeps_its_native_buckets_after_its_counters() {
        let mut records = Records::<Histogram>::new(1, &NATIVE);
        assert_eq!(records.series, 120);
        let pushed = push_routes(&mut records, 50, usize::MAX);
        for record in &pushed {
            // SAFETY: a record of `records`, alive.
            let histogram = unsafe { Records::<Histogram>::handle(*record, &NATIVE) };
            histogram.observe(2.5);
            assert_eq!(histogram.native_buckets().map(|n| n.schema()), Some(3));
            let (mut positive, mut negative) = (Vec::new(), Vec::new());
            let reading = histogram.read_native(&mut positive, &mut negative).unwrap();
            assert_eq!(reading.count, 1);
        }
        // Dropping frees every series' native buckets (checked under Miri/ASan).
        drop(records);
    }
}
