//! The series of a dynamic family, each one record (its metric, a check word of its
//! hash, its key) packed one after another in a few large allocations: no allocation
//! of its own per series, no pointer to its key, and creation order for free.
//!
//! A record never moves once written, so lookups point at it from the table; it
//! lives until the family is dropped.

use core::alloc::Layout;
use core::marker::PhantomData;
use core::ptr::NonNull;

use super::key;

/// The smallest and the largest allocation records are packed into.
const MIN_CHUNK: usize = 256;
const MAX_CHUNK: usize = 4096;

/// Where the parts of a record of `M` are.
struct Shape<M>(PhantomData<M>);

impl<M> Shape<M> {
    /// Records start at this alignment (the metric's, and the check word's).
    const ALIGN: usize = if align_of::<M>() > 4 { align_of::<M>() } else { 4 };
    /// The check word, a `u32`, right after the metric.
    const CHECK: usize = size_of::<M>().next_multiple_of(4);
    /// The key, right after the check word.
    const KEY: usize = Self::CHECK + 4;

    /// The bytes of a record whose key is `key_len` bytes, up to the next record.
    fn size(key_len: usize) -> usize {
        (Self::KEY + key_len).next_multiple_of(Self::ALIGN)
    }
}

/// One allocation of records: `used` bytes of `layout.size()` hold records.
struct Chunk {
    start: NonNull<u8>,
    layout: Layout,
    used: usize,
}

/// Every series of a family, in creation order.
pub(super) struct Records<M> {
    chunks: Vec<Chunk>,
    /// The number of values in every key.
    arity: usize,
    count: usize,
    /// Records own an `M` each.
    _metrics: PhantomData<M>,
}

// SAFETY: `Records` owns its `M`s (as a `Vec<M>` would) and the bytes of their keys;
// the raw pointers only stand for that ownership.
unsafe impl<M: Send> Send for Records<M> {}
// SAFETY: through `&Records` one only reads keys and reaches `&M`s.
unsafe impl<M: Sync> Sync for Records<M> {}

/// A pointer to a record, as the table holds it.
pub(super) type Record = *mut u8;

impl<M> Records<M> {
    pub(super) fn new(arity: usize) -> Self {
        Self { chunks: Vec::new(), arity, count: 0, _metrics: PhantomData }
    }

    /// How many records there are.
    pub(super) fn len(&self) -> usize {
        self.count
    }

    /// Adds a record of `metric`, `check` and the key of `values` (`key_len` bytes,
    /// from [`key::encoded_len`]); returns where it is.
    pub(super) fn push(
        &mut self,
        metric: M,
        check: u32,
        values: &[&str],
        key_len: usize,
    ) -> Record {
        debug_assert_eq!(values.len(), self.arity);
        let size = Shape::<M>::size(key_len);
        if self.chunks.last().is_none_or(|chunk| chunk.layout.size() - chunk.used < size) {
            self.add_chunk(size);
        }
        let last = self.chunks.len() - 1;
        let chunk = &mut self.chunks[last];
        // SAFETY: the chunk has `size` free bytes from `used`, aligned to `ALIGN`
        // (every record's size is a multiple of it, as the chunk's start is).
        let record = unsafe { chunk.start.as_ptr().add(chunk.used) };
        chunk.used += size;
        self.count += 1;
        // SAFETY: `record` is aligned for `M` and for a `u32` at `CHECK`, and the key
        // fits in what `size` leaves after `KEY`; none of these bytes is shared yet.
        unsafe {
            record.cast::<M>().write(metric);
            record.add(Shape::<M>::CHECK).cast::<u32>().write(check);
            let key = core::slice::from_raw_parts_mut(record.add(Shape::<M>::KEY), key_len);
            key::encode(values, key);
        }
        record
    }

    /// Adds a chunk twice as large as the last (from `MIN_CHUNK` up to `MAX_CHUNK`),
    /// or `at_least` bytes for a record larger than that.
    fn add_chunk(&mut self, at_least: usize) {
        let doubled = self.chunks.last().map_or(MIN_CHUNK, |last| last.layout.size() * 2);
        let size = doubled.min(MAX_CHUNK).max(at_least);
        let layout = Layout::from_size_align(size, Shape::<M>::ALIGN)
            .unwrap_or_else(|_| std::alloc::handle_alloc_error(Layout::new::<u8>()));
        // SAFETY: `size` is at least `MIN_CHUNK`, not zero.
        let start = unsafe { std::alloc::alloc(layout) };
        let start = NonNull::new(start).unwrap_or_else(|| std::alloc::handle_alloc_error(layout));
        self.chunks.push(Chunk { start, layout, used: 0 });
    }

    /// Every record, in creation order.
    pub(super) fn iter(&self) -> impl Iterator<Item = Record> + '_ {
        let arity = self.arity;
        self.chunks.iter().flat_map(move |chunk| {
            let mut at = 0;
            core::iter::from_fn(move || {
                if at >= chunk.used {
                    return None;
                }
                // SAFETY: `at` is the start of a record below `used`; records are
                // laid end to end, each `size` long.
                let record = unsafe { chunk.start.as_ptr().add(at) };
                // SAFETY: the record's key holds `arity` values.
                at += Shape::<M>::size(unsafe { key::stored_len(Self::key_start(record), arity) });
                Some(record)
            })
        })
    }

    /// The metric of `record`.
    ///
    /// # Safety
    /// `record` is a record of a `Records<M>` that outlives `'a`.
    #[inline]
    pub(super) unsafe fn metric<'a>(record: Record) -> &'a M {
        // SAFETY: a record starts with its metric, written in `push`.
        unsafe { &*record.cast::<M>() }
    }

    /// The check word of `record`.
    ///
    /// # Safety
    /// `record` is a record of a live `Records<M>`.
    #[inline]
    pub(super) unsafe fn check(record: Record) -> u32 {
        // SAFETY: written at `CHECK` in `push`, aligned.
        unsafe { record.add(Shape::<M>::CHECK).cast::<u32>().read() }
    }

    /// Where the key of `record` starts.
    #[inline]
    pub(super) fn key_start(record: Record) -> *const u8 {
        record.wrapping_add(Shape::<M>::KEY)
    }

    /// The key of `record`, its values' bytes.
    ///
    /// # Safety
    /// `record` is a record of `self`.
    pub(super) unsafe fn key(&self, record: Record) -> &[u8] {
        let start = Self::key_start(record);
        // SAFETY: the key holds `arity` values, written in `push`.
        unsafe { core::slice::from_raw_parts(start, key::stored_len(start, self.arity)) }
    }
}

impl<M> Drop for Records<M> {
    fn drop(&mut self) {
        if core::mem::needs_drop::<M>() {
            let records: Vec<Record> = self.iter().collect();
            for record in records {
                // SAFETY: each record's metric was written once and is dropped once.
                unsafe { record.cast::<M>().drop_in_place() };
            }
        }
        for chunk in &self.chunks {
            // SAFETY: allocated in `add_chunk` with this layout.
            unsafe { std::alloc::dealloc(chunk.start.as_ptr(), chunk.layout) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn records_keep_their_metric_check_and_key_in_order() {
        let mut records = Records::<Arc<usize>>::new(2);
        let shared = Arc::new(0);
        let long = "x".repeat(5_000);
        let mut pushed = Vec::new();
        for i in 0..1_000usize {
            let first = i.to_string();
            let second = if i == 500 { long.as_str() } else { "y" };
            let values = [first.as_str(), second];
            let key_len = key::encoded_len(&values).unwrap();
            pushed.push(records.push(Arc::clone(&shared), i as u32, &values, key_len));
        }
        assert_eq!(records.len(), 1_000);
        assert_eq!(Arc::strong_count(&shared), 1_001);
        let walked: Vec<Record> = records.iter().collect();
        assert_eq!(walked, pushed);
        for (i, record) in walked.into_iter().enumerate() {
            // SAFETY: records of `records`, which is alive.
            let (check, key) =
                unsafe { (Records::<Arc<usize>>::check(record), records.key(record)) };
            assert_eq!(check, i as u32);
            let values: Vec<&[u8]> = key::values(key).collect();
            assert_eq!(values[0], i.to_string().as_bytes());
            assert_eq!(values[1].len(), if i == 500 { 5_000 } else { 1 });
        }
        drop(records);
        assert_eq!(Arc::strong_count(&shared), 1);
    }
}
