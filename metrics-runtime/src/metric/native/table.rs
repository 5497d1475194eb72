//! A fixed-capacity, lock-free map from bucket key to count: open addressing with
//! linear probing over pairs of atomics. A key, once installed in a slot with a
//! compare-and-swap, never moves or leaves, so an observation is a probe (usually
//! one load) and a `fetch_add`, with no allocation and no lock.

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// A bucket of one sign at one index, packed into a non-zero word (0 marks a free slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct BucketKey(u64);

impl BucketKey {
    const PRESENT: u64 = 1 << 40;

    pub(super) fn new(index: i32, negative: bool) -> Self {
        Self(Self::PRESENT | (u64::from(index as u32) << 1) | u64::from(negative))
    }

    pub(super) fn index(self) -> i32 {
        (self.0 >> 1) as u32 as i32
    }

    pub(super) fn negative(self) -> bool {
        self.0 & 1 == 1
    }
}

/// What adding to a table did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Added {
    /// The key was there already.
    Existing,
    /// The key is new; the table now holds this many keys.
    New(usize),
    /// Every slot holds another key: nothing was added.
    Full,
}

#[derive(Debug, Default)]
struct Slot {
    key: AtomicU64,
    count: AtomicU64,
}

#[derive(Debug)]
pub(super) struct BucketTable {
    slots: Box<[Slot]>,
    len: AtomicUsize,
}

impl BucketTable {
    /// An empty table of `capacity` slots, rounded up to a power of two.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        let capacity = capacity.max(2).next_power_of_two();
        Self { slots: (0..capacity).map(|_| Slot::default()).collect(), len: AtomicUsize::new(0) }
    }

    pub(super) fn capacity(&self) -> usize {
        self.slots.len()
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    /// Adds `n` to `key`'s count, installing the key if it is new.
    #[inline]
    pub(super) fn add(&self, key: BucketKey, n: u64) -> Added {
        let mask = self.slots.len() - 1;
        // Fibonacci hashing: neighbouring indices land far apart, so runs stay short.
        let mut i = (key.0.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask;
        for _ in 0..self.slots.len() {
            let slot = &self.slots[i];
            let mut seen = slot.key.load(Ordering::Acquire);
            if seen == 0 {
                match slot.key.compare_exchange(0, key.0, Ordering::AcqRel, Ordering::Acquire) {
                    Ok(_) => {
                        slot.count.fetch_add(n, Ordering::Relaxed);
                        return Added::New(self.len.fetch_add(1, Ordering::Relaxed) + 1);
                    }
                    Err(other) => seen = other,
                }
            }
            if seen == key.0 {
                slot.count.fetch_add(n, Ordering::Relaxed);
                return Added::Existing;
            }
            i = (i + 1) & mask;
        }
        Added::Full
    }

    /// Every installed key with its count (zero for keys installed without one).
    pub(super) fn for_each(&self, mut f: impl FnMut(BucketKey, u64)) {
        for slot in self.slots.iter() {
            let key = slot.key.load(Ordering::Acquire);
            if key != 0 {
                f(BucketKey(key), slot.count.load(Ordering::Relaxed));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_the_packing() {
        for index in [i32::MIN, -262_145, -1, 0, 1, 262_145, i32::MAX] {
            for negative in [false, true] {
                let key = BucketKey::new(index, negative);
                assert_ne!(key.0, 0);
                assert_eq!((key.index(), key.negative()), (index, negative));
            }
        }
    }

    #[test]
    fn counts_land_on_their_key_until_the_table_is_full() {
        let table = BucketTable::with_capacity(4);
        assert_eq!(table.add(BucketKey::new(3, false), 1), Added::New(1));
        assert_eq!(table.add(BucketKey::new(3, false), 2), Added::Existing);
        assert_eq!(table.add(BucketKey::new(3, true), 1), Added::New(2));
        assert_eq!(table.add(BucketKey::new(-3, false), 1), Added::New(3));
        assert_eq!(table.add(BucketKey::new(9, false), 1), Added::New(4));
        assert_eq!(table.add(BucketKey::new(10, false), 1), Added::Full);
        let mut seen = Vec::new();
        table.for_each(|k, c| seen.push((k.index(), k.negative(), c)));
        seen.sort();
        assert_eq!(seen, vec![(-3, false, 1), (3, false, 3), (3, true, 1), (9, false, 1)]);
    }

    #[test]
    fn concurrent_inserts_of_the_same_keys_install_each_once() {
        let table = BucketTable::with_capacity(64);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for round in 0..1_000 {
                        table.add(BucketKey::new(round % 40, false), 1);
                    }
                });
            }
        });
        assert_eq!(table.len(), 40);
        let mut total = 0;
        table.for_each(|_, c| total += c);
        assert_eq!(total, 4_000);
    }
}
