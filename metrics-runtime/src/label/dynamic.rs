use core::hash::{BuildHasher, Hasher};
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use super::LabelValues;
use crate::collect::SeriesSink;
use crate::descriptor::FamilyDescriptor;
use crate::metric::Metric;

/// The cardinality limit of a dynamic family when its field gives none.
pub const DEFAULT_MAX_SERIES: usize = 1_000;

/// The value every label of the overflow series has.
pub const OVERFLOW_LABEL_VALUE: &str = "__overflow__";

/// A family whose label values are strings known only at run time (a route, a
/// tenant, a model name), capped at a cardinality limit.
///
/// Looking up an existing series hashes the values and probes a table that is read
/// without a lock (one atomic load per probe); it never allocates. Creating a series
/// takes a lock. Past `max_series` distinct label sets, new label sets fold
/// into one overflow series (every label `"__overflow__"`) and each folded lookup is
/// counted in `metrics_runtime_cardinality_overflow_total{family="…"}`: nothing
/// panics and nothing is dropped.
///
/// ```
/// use metrics_runtime::{Counter, DynFamily, Metrics, Registry};
///
/// #[derive(Metrics)]
/// struct Http {
///     /// Requests by route and method.
///     #[metric(labels = ["route", "method"], max_series = 2)]
///     requests: DynFamily<Counter>,
/// }
///
/// let registry = Registry::new();
/// let http = Http::register(&registry).unwrap();
/// http.requests.get(&["/users/{id}", "GET"]).inc();
/// http.requests.get(&["/health", "GET"]).inc();
/// http.requests.get(&["/other", "GET"]).inc(); // over the limit: folded
/// assert_eq!(http.requests.folded(), 1);
/// let text = registry.encode_to_string(metrics_runtime::Format::Text);
/// assert!(text.contains(r#"requests_total{route="__overflow__",method="__overflow__"} 1"#));
/// ```
pub struct DynFamily<M> {
    descriptor: &'static FamilyDescriptor,
    /// The number of labels, kept here so that a lookup need not read the descriptor.
    arity: usize,
    seed: u64,
    /// The table lookups read, without a lock: replaced (never changed in place but
    /// for filling an empty slot) by a larger one as series are added.
    table: AtomicPtr<Table<M>>,
    /// What the family owns; taken only to add a series and to collect.
    owned: Mutex<Owned<M>>,
    overflow: M,
    folded: AtomicU64,
}

/// Open addressing over pointers to series, at most three quarters full, so that a
/// probe always meets an empty slot (and a hit takes about two and a half probes).
struct Table<M> {
    mask: usize,
    slots: Box<[AtomicPtr<Series<M>>]>,
}

struct Owned<M> {
    /// Boxed so that a series never moves once created: tables and `get` point at it.
    series: Vec<Box<Series<M>>>,
    /// Every table the family has had, the current one last. Older tables stay alive
    /// (a lookup may still be reading one) until the family is dropped; they add at
    /// most as many slots again as the current one has. Boxed because `table` points
    /// at them: they must not move when this vector grows.
    #[allow(clippy::vec_box)]
    tables: Vec<Box<Table<M>>>,
}

struct Series<M> {
    hash: u64,
    /// The label values in one allocation, each as its length (`u32`, little-endian)
    /// then its bytes: one place to compare a lookup against, one allocation to keep.
    key: Box<[u8]>,
    metric: M,
}

impl<M> Series<M> {
    fn new(hash: u64, values: &[&str], metric: M) -> Self {
        let mut key = Vec::with_capacity(values.iter().map(|v| 4 + v.len()).sum());
        for value in values {
            key.extend_from_slice(&u32::try_from(value.len()).unwrap_or(u32::MAX).to_le_bytes());
            key.extend_from_slice(value.as_bytes());
        }
        Self { hash, key: key.into_boxed_slice(), metric }
    }

    #[inline]
    fn matches(&self, hash: u64, values: &[&str]) -> bool {
        if self.hash != hash {
            return false;
        }
        let mut rest = &*self.key;
        for value in values {
            let Some((stored, after)) = next_value(rest) else { return false };
            if !same_bytes(stored, value.as_bytes()) {
                return false;
            }
            rest = after;
        }
        rest.is_empty()
    }

    fn values(&self) -> impl Iterator<Item = &str> {
        let mut rest = &*self.key;
        core::iter::from_fn(move || {
            let (value, after) = next_value(rest)?;
            rest = after;
            // SAFETY: each value's bytes were copied whole from a `&str` in `new`,
            // and `next_value` splits at the lengths recorded there, so they are
            // UTF-8. Checking again would cost every scrape a pass over every value.
            Some(unsafe { core::str::from_utf8_unchecked(value) })
        })
    }
}

/// The first value of an encoded key, and the rest of the key.
#[inline]
fn next_value(key: &[u8]) -> Option<(&[u8], &[u8])> {
    let (length, rest) = key.split_first_chunk::<4>()?;
    let length = u32::from_le_bytes(*length) as usize;
    (rest.len() >= length).then(|| rest.split_at(length))
}

impl<M> Table<M> {
    fn with_capacity(capacity: usize) -> Box<Self> {
        let slots = (0..capacity).map(|_| AtomicPtr::new(core::ptr::null_mut())).collect();
        Box::new(Self { mask: capacity - 1, slots })
    }

    fn capacity(&self) -> usize {
        self.mask + 1
    }

    #[inline]
    fn find(&self, hash: u64, values: &[&str]) -> Option<&Series<M>> {
        let mut i = hash as usize & self.mask;
        loop {
            let series = self.slots[i].load(Ordering::Acquire);
            if series.is_null() {
                return None;
            }
            // SAFETY: a non-null slot points at a series that is fully written before
            // the pointer is stored (Release, paired with the Acquire above) and that
            // lives, unmoved, as long as the family.
            let series = unsafe { &*series };
            if series.matches(hash, values) {
                return Some(series);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Puts `series` in the first empty slot of its probe sequence. Only called with
    /// the family's lock held, and the table has an empty slot (it is at most three
    /// quarters full).
    fn place(&self, series: &Series<M>) {
        let mut i = series.hash as usize & self.mask;
        while !self.slots[i].load(Ordering::Relaxed).is_null() {
            i = (i + 1) & self.mask;
        }
        let pointer = series as *const Series<M> as *mut Series<M>;
        self.slots[i].store(pointer, Ordering::Release);
    }
}

/// The hash of a label set, the same for the stored and the looked-up values: eight
/// bytes at a time through a folded 64x64-bit multiply (the mixing step of foldhash
/// and wyhash), each value closed by its length so that values cannot run into each
/// other, from a seed chosen per family at random.
///
/// Written out because the generic `Hasher` path cost a third of a lookup
/// (benches/family.rs, `family_dynamic_2labels`). It is not meant to resist chosen
/// collisions: a family holds at most `max_series` series, which bounds how long a
/// probe can get.
#[inline]
fn hash_values<'a>(seed: u64, values: impl Iterator<Item = &'a str>) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = seed;
    for value in values {
        let bytes = value.as_bytes();
        let mut rest = bytes;
        while rest.len() > 16 {
            h = folded_multiply(h ^ word(rest, 0), K ^ word(rest, 8));
            rest = &rest[16..];
        }
        // The last 1 to 16 bytes, read as two (possibly overlapping) words.
        let (x, y) = match rest.len() {
            8..=16 => (word(rest, 0), word(rest, rest.len() - 8)),
            4..=7 => (half(rest, 0), half(rest, rest.len() - 4)),
            1..=3 => {
                let n = rest.len();
                (u64::from(rest[0]) << 16 | u64::from(rest[n / 2]) << 8 | u64::from(rest[n - 1]), 0)
            }
            _ => (0, 0),
        };
        h = folded_multiply(h ^ x, K ^ y ^ (bytes.len() as u64).rotate_left(32));
    }
    folded_multiply(h, K)
}

/// Eight bytes of `bytes` from `at` (`at + 8 <= bytes.len()`).
#[inline]
fn word(bytes: &[u8], at: usize) -> u64 {
    let mut buffer = [0u8; 8];
    buffer.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(buffer)
}

/// Four bytes of `bytes` from `at` (`at + 4 <= bytes.len()`).
#[inline]
fn half(bytes: &[u8], at: usize) -> u64 {
    let mut buffer = [0u8; 4];
    buffer.copy_from_slice(&bytes[at..at + 4]);
    u64::from(u32::from_le_bytes(buffer))
}

#[inline]
fn folded_multiply(a: u64, b: u64) -> u64 {
    let full = u128::from(a) * u128::from(b);
    (full as u64) ^ ((full >> 64) as u64)
}

/// Byte equality without a call to `memcmp` and without a byte loop: label values
/// are short, and words read at both ends (overlapping when the length is not a
/// multiple) cover every byte with a fixed number of comparisons.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            if word(a, i) != word(b, i) {
                return false;
            }
            i += 8;
        }
        word(a, n - 8) == word(b, n - 8)
    } else if n >= 4 {
        half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4)
    } else {
        n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1])
    }
}

/// A seed that differs between families and processes: std's random hashing keys,
/// which are drawn per process and advanced for every `RandomState`.
fn random_seed() -> u64 {
    let mut state = std::collections::hash_map::RandomState::new().build_hasher();
    state.write_u8(0);
    state.finish()
}

const FIRST_CAPACITY: usize = 16;

impl<M: Metric> DynFamily<M> {
    /// An empty family described by `descriptor` (label names, cardinality limit).
    pub fn for_family(descriptor: &'static FamilyDescriptor) -> Self {
        let first = Table::with_capacity(FIRST_CAPACITY);
        let table = AtomicPtr::new(&*first as *const Table<M> as *mut Table<M>);
        Self {
            descriptor,
            arity: descriptor.label_names.len(),
            seed: random_seed(),
            table,
            owned: Mutex::new(Owned { series: Vec::new(), tables: vec![first] }),
            overflow: M::for_family(descriptor),
            folded: AtomicU64::new(0),
        }
    }

    /// The series for `values` (one per label name, in order), created on first use.
    ///
    /// Values are stored as given (encoders escape them). A wrong number of values,
    /// or a new label set past the cardinality limit, returns the overflow series.
    #[inline]
    pub fn get(&self, values: &[&str]) -> &M {
        if values.len() != self.arity {
            return self.fold();
        }
        let hash = hash_values(self.seed, values.iter().copied());
        // SAFETY: the table pointer always points at a table the family owns until
        // it is dropped (`Owned::tables`), published with Release after being filled.
        let table = unsafe { &*self.table.load(Ordering::Acquire) };
        match table.find(hash, values) {
            Some(series) => &series.metric,
            None => self.insert(hash, values),
        }
    }

    #[cold]
    fn insert(&self, hash: u64, values: &[&str]) -> &M {
        let mut owned = self.owned.lock().unwrap_or_else(PoisonError::into_inner);
        // SAFETY: as in `get`; the lock keeps the pointer from changing under us.
        let table = unsafe { &*self.table.load(Ordering::Acquire) };
        if let Some(series) = table.find(hash, values) {
            // SAFETY: a series lives, unmoved, as long as the family, which the
            // returned reference borrows.
            return unsafe { &*(&series.metric as *const M) };
        }
        if owned.series.len() >= self.max_series() {
            drop(owned);
            return self.fold();
        }
        let series = Box::new(Series::new(hash, values, M::for_family(self.descriptor)));
        let metric: *const M = &series.metric;
        owned.series.push(series);
        if owned.series.len() * 4 > table.capacity() * 3 {
            let larger = Table::with_capacity(table.capacity() * 2);
            for series in &owned.series {
                larger.place(series);
            }
            self.table.store(&*larger as *const Table<M> as *mut Table<M>, Ordering::Release);
            owned.tables.push(larger);
        } else if let Some(series) = owned.series.last() {
            table.place(series);
        }
        // SAFETY: the series is boxed, owned by the family and never moved or dropped
        // before it; the returned reference borrows the family.
        unsafe { &*metric }
    }

    fn fold(&self) -> &M {
        self.folded.fetch_add(1, Ordering::Relaxed);
        &self.overflow
    }

    /// The cardinality limit.
    pub fn max_series(&self) -> usize {
        match self.descriptor.max_series {
            0 => DEFAULT_MAX_SERIES,
            n => n,
        }
    }

    /// How many lookups were folded into the overflow series.
    pub fn folded(&self) -> u64 {
        self.folded.load(Ordering::Relaxed)
    }

    /// How many distinct label sets have a series of their own.
    pub fn len(&self) -> usize {
        self.owned.lock().unwrap_or_else(PoisonError::into_inner).series.len()
    }

    /// Whether no label set has been seen yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn collect(&self, sink: &mut dyn SeriesSink) {
        self.for_each_series(|labels, metric| metric.collect_series(labels, sink));
    }

    /// Visits every series with its labels, in creation order, then the overflow
    /// series if a lookup was folded. Holds the family's lock, which only delays the
    /// creation of new series, never a lookup. For callers whose `M` holds more than
    /// one exposed family (the HTTP middleware's routes).
    pub(crate) fn for_each_series(&self, mut visit: impl FnMut(&LabelValues<'_>, &M)) {
        let names = self.descriptor.label_names;
        let owned = self.owned.lock().unwrap_or_else(PoisonError::into_inner);
        let mut borrowed: Vec<&str> = Vec::with_capacity(names.len());
        for series in &owned.series {
            borrowed.clear();
            borrowed.extend(series.values());
            visit(&LabelValues { names, values: &borrowed }, &series.metric);
        }
        if self.folded() > 0 {
            borrowed.clear();
            borrowed.extend(names.iter().map(|_| OVERFLOW_LABEL_VALUE));
            visit(&LabelValues { names, values: &borrowed }, &self.overflow);
        }
    }
}

impl<M> core::fmt::Debug for DynFamily<M> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DynFamily")
            .field("name", &self.descriptor.name)
            .field("labels", &self.descriptor.label_names)
            .field("folded", &self.folded.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::{LabelKind, MetricKind};
    use crate::metric::Counter;
    use crate::source_location;

    static DESCRIPTOR: FamilyDescriptor = FamilyDescriptor {
        label_kind: LabelKind::Dynamic,
        label_names: &["a", "b"],
        max_series: 10_000,
        struct_name: "Test",
        field_name: "lookups",
        ..FamilyDescriptor::new("lookups", "Lookups.", MetricKind::Counter, source_location!())
    };

    #[test]
    fn values_do_not_run_into_each_other() {
        let family = DynFamily::<Counter>::for_family(&DESCRIPTOR);
        family.get(&["ab", "c"]).inc();
        family.get(&["a", "bc"]).inc_by(2);
        family.get(&["", "abc"]).inc_by(3);
        assert_eq!(family.get(&["ab", "c"]).get(), 1);
        assert_eq!(family.get(&["a", "bc"]).get(), 2);
        assert_eq!(family.get(&["", "abc"]).get(), 3);
        assert_eq!(family.len(), 3);
        family.get(&["only one"]).inc();
        assert_eq!(family.folded(), 1);
    }

    #[test]
    fn byte_equality_sees_every_byte_at_every_length() {
        for n in 0..40usize {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(same_bytes(&a, &a.clone()), "length {n}");
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 0x20;
                assert!(!same_bytes(&a, &b), "length {n}, byte {at}");
            }
            assert!(!same_bytes(&a, &[a.as_slice(), b"x"].concat()));
        }
    }

    #[test]
    fn growing_keeps_every_series_reachable() {
        let family = DynFamily::<Counter>::for_family(&DESCRIPTOR);
        let keys: Vec<String> = (0..5_000).map(|i| format!("value-{i}")).collect();
        for (i, key) in keys.iter().enumerate() {
            family.get(&[key, "x"]).inc_by(i as u64);
        }
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(family.get(&[key, "x"]).get(), i as u64);
        }
        assert_eq!(family.len(), 5_000);
        let mut seen = 0;
        family.for_each_series(|labels, _| {
            assert_eq!(labels.values.len(), 2);
            seen += 1;
        });
        assert_eq!(seen, 5_000);
    }

    #[test]
    fn concurrent_lookups_and_inserts_agree() {
        const THREADS: usize = 4;
        const KEYS: usize = 2_000;
        let family = DynFamily::<Counter>::for_family(&DESCRIPTOR);
        let keys: Vec<String> = (0..KEYS).map(|i| i.to_string()).collect();
        std::thread::scope(|s| {
            for t in 0..THREADS {
                let (family, keys) = (&family, &keys);
                s.spawn(move || {
                    // Every thread walks all keys from a different start, so inserts
                    // race with lookups and with table growth.
                    for i in 0..KEYS {
                        let key = &keys[(i + t * KEYS / THREADS) % KEYS];
                        family.get(&[key, "same"]).inc();
                    }
                });
            }
        });
        assert_eq!(family.len(), KEYS);
        for key in &keys {
            assert_eq!(family.get(&[key, "same"]).get(), THREADS as u64);
        }
    }
}
