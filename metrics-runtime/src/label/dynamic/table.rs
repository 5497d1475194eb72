//! The lookup table of a dynamic family: open addressing over pointers to series,
//! read without a lock, grown in place.
//!
//! The slots live in segments: the first holds 32 slots and each next one as many as
//! all before it, so that growing the table adds one segment and never drops or
//! copies one. A lookup that runs while the table grows may miss a series that is
//! being moved; it then takes the family's lock, which the growth holds, and finds
//! the series once the growth is done. Nothing a lookup may be reading is ever freed
//! before the family, and no memory is kept that the table no longer uses.

use core::ptr;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// Slots in the first segment (256 bytes): a table that a few dozen series need
/// is all one segment, and has room enough that most lookups take one probe.
const FIRST: usize = 32;
/// Room for segments, more than [`MAX_CAPACITY`] needs (so that `% SEGMENTS` is a
/// mask, not a bounds check).
const SEGMENTS: usize = 32;
/// The most slots a table can have (its index is computed in 32 bits).
pub(super) const MAX_CAPACITY: usize = 1 << 31;

/// One slot: null, or a series.
type Slot = AtomicPtr<u8>;

pub(super) struct Table {
    /// Slots in use: the table's segments cover `0..capacity`. Stored (Release)
    /// after the segments it covers.
    capacity: AtomicUsize,
    /// Segment `k`'s first slot, offset back by the index of that slot, so that
    /// slot `i` of the segment is `segments[k] + i`. Set once, before `capacity`
    /// covers it, then never changed.
    segments: [AtomicPtr<Slot>; SEGMENTS],
}

/// The slots a table owns. Kept apart from [`Table`] (with the family's lock) because
/// lookups only read the table through the pointers in it.
#[derive(Default)]
pub(super) struct Segments(Vec<Box<[Slot]>>);

/// The segment of slot `i`.
#[inline]
fn segment_of(i: usize) -> usize {
    (usize::BITS - (i / FIRST).leading_zeros()) as usize
}

/// The index of the first slot of segment `k`.
fn segment_start(k: usize) -> usize {
    if k == 0 { 0 } else { FIRST << (k - 1) }
}

/// Where the probe for `hash` starts in a table of `capacity` slots (at least 2):
/// the top bits of the hash when the capacity is a power of two (a shift, computed
/// while the hash is), else the high half of the hash scaled to the capacity.
#[inline]
fn home(hash: u64, capacity: usize) -> usize {
    if capacity.is_power_of_two() {
        (hash >> (u64::BITS - capacity.trailing_zeros())) as usize
    } else {
        (((hash >> 32) * capacity as u64) >> 32) as usize
    }
}

impl Table {
    /// A table of `capacity` slots (at most [`FIRST`]), whose slots `segments` keeps.
    pub(super) fn new(capacity: usize, segments: &mut Segments) -> Self {
        let capacity = capacity.clamp(2, FIRST);
        let table = Self {
            capacity: AtomicUsize::new(0),
            segments: [const { AtomicPtr::new(ptr::null_mut()) }; SEGMENTS],
        };
        table.add_segments(capacity, segments);
        table
    }

    pub(super) fn capacity(&self) -> usize {
        self.capacity.load(Ordering::Acquire)
    }

    #[inline]
    fn slot(&self, i: usize) -> &Slot {
        // The first segment, all of a small table, without counting bits.
        let k = if i < FIRST { 0 } else { segment_of(i) % SEGMENTS };
        let base = self.segments[k].load(Ordering::Relaxed);
        // SAFETY: `i` is below a capacity read (Acquire) from `capacity`, which was
        // stored after the segment of `i` was (Release), so `base` is that segment's
        // and `base + i` one of its slots. A segment lives as long as the family.
        unsafe { &*base.wrapping_add(i) }
    }

    /// The first series on the probe sequence of `hash` that `is_it` accepts, or
    /// `None` when the sequence reaches an empty slot first.
    #[inline]
    pub(super) fn find(&self, hash: u64, is_it: impl Fn(*mut u8) -> bool) -> Option<*mut u8> {
        let capacity = self.capacity.load(Ordering::Acquire);
        let mut i = home(hash, capacity);
        loop {
            // Acquire: pairs with the Release in `place`, so the series is written.
            let series = self.slot(i).load(Ordering::Acquire);
            if series.is_null() {
                return None;
            }
            if is_it(series) {
                return Some(series);
            }
            i += 1;
            if i == capacity {
                i = 0;
            }
        }
    }

    /// Puts `series` in the first empty slot of the probe sequence of `hash`. Only
    /// called with the family's lock held, on a table with an empty slot.
    pub(super) fn place(&self, hash: u64, series: *mut u8) {
        let capacity = self.capacity.load(Ordering::Relaxed);
        let mut i = home(hash, capacity);
        while !self.slot(i).load(Ordering::Relaxed).is_null() {
            i += 1;
            if i == capacity {
                i = 0;
            }
        }
        self.slot(i).store(series, Ordering::Release);
    }

    /// Grows the table to `capacity` slots (more than now, at most
    /// [`MAX_CAPACITY`]), then puts every series of `all` (with its hash) in it
    /// again. Only called with the family's lock held.
    pub(super) fn grow(
        &self,
        capacity: usize,
        segments: &mut Segments,
        all: impl Iterator<Item = (u64, *mut u8)>,
    ) {
        let old = self.capacity.load(Ordering::Relaxed);
        self.add_segments(capacity, segments);
        for i in 0..old {
            self.slot(i).store(ptr::null_mut(), Ordering::Relaxed);
        }
        for (hash, series) in all {
            self.place(hash, series);
        }
    }

    /// Adds the segments that take the table from its capacity to `capacity` and
    /// publishes the new capacity.
    fn add_segments(&self, capacity: usize, segments: &mut Segments) {
        let mut start = self.capacity.load(Ordering::Relaxed);
        debug_assert!(capacity > start && capacity <= MAX_CAPACITY);
        while start < capacity {
            let k = segment_of(start);
            debug_assert_eq!(segment_start(k), start, "tables grow by whole segments");
            let end = segment_start(k + 1).min(capacity);
            let slots: Box<[Slot]> = (start..end).map(|_| Slot::new(ptr::null_mut())).collect();
            let base = slots.as_ptr().cast_mut().wrapping_sub(start);
            segments.0.push(slots);
            self.segments[k].store(base, Ordering::Release);
            start = end;
        }
        self.capacity.store(capacity, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_tile_the_slots() {
        assert_eq!(segment_of(0), 0);
        assert_eq!(segment_of(FIRST - 1), 0);
        for k in 1..SEGMENTS - 4 {
            let start = segment_start(k);
            assert_eq!(segment_of(start), k);
            assert_eq!(segment_of(start - 1), k - 1);
            assert_eq!(segment_of(2 * start - 1), k);
        }
        assert!(segment_of(MAX_CAPACITY - 1) < SEGMENTS);
    }

    #[test]
    fn grown_tables_find_what_they_held_and_keep_no_old_slots() {
        let mut segments = Segments::default();
        let table = Table::new(FIRST, &mut segments);
        let mut series: Vec<Box<u8>> = Vec::new();
        let hash = |i: usize| (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for i in 0..300 {
            series.push(Box::new(0));
            let pointer: *mut u8 = &mut **series.last_mut().unwrap();
            if (i + 1) * 4 > table.capacity() * 3 {
                // Not a power of two: a capped table.
                let capacity = (table.capacity() * 2).min(500);
                let all =
                    series.iter_mut().enumerate().map(|(i, s)| (hash(i), &mut **s as *mut u8));
                table.grow(capacity, &mut segments, all);
            } else {
                table.place(hash(i), pointer);
            }
        }
        assert_eq!(table.capacity(), 500);
        let slots: usize = segments.0.iter().map(|s| s.len()).sum();
        assert_eq!(slots, 500);
        for (i, s) in series.iter_mut().enumerate() {
            let pointer: *mut u8 = &mut **s;
            assert_eq!(table.find(hash(i), |p| p == pointer), Some(pointer));
        }
        assert_eq!(table.find(hash(1_000), |_| false), None);
    }
}
