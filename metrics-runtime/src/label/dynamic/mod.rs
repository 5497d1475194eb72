//! The string-labelled family: a lock-free lookup table ([`table`]) over series
//! packed in a few allocations ([`records`]), keyed by their label values ([`key`]).

mod key;
mod records;
mod table;

use core::hash::{BuildHasher, Hasher};
use core::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use self::records::{Record, Records};
use self::table::{MAX_CAPACITY, Segments, Table};
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
    /// The table lookups read, without a lock.
    table: Table,
    seed: u64,
    /// The number of labels, kept here so that a lookup need not read the descriptor.
    arity: usize,
    descriptor: &'static FamilyDescriptor,
    /// What the family owns; taken only to add a series and to collect.
    owned: Mutex<Owned<M>>,
    overflow: M,
    folded: AtomicU64,
}

struct Owned<M> {
    records: Records<M>,
    /// The table's slots.
    segments: Segments,
    /// The most series the family holds: its cardinality limit.
    limit: usize,
    /// The table's capacity once it holds `limit` series: growing stops there.
    full_capacity: usize,
}

/// A seed that differs between families and processes: std's random hashing keys,
/// which are drawn per process and advanced for every `RandomState`.
fn random_seed() -> u64 {
    let mut state = std::collections::hash_map::RandomState::new().build_hasher();
    state.write_u8(0);
    state.finish()
}

/// The cardinality limit of the family of `descriptor` (no more than a table holds).
fn limit(descriptor: &FamilyDescriptor) -> usize {
    let limit = match descriptor.max_series {
        0 => DEFAULT_MAX_SERIES,
        n => n,
    };
    limit.min(MAX_CAPACITY / 4 * 3)
}

/// The slots a table needs to hold `series` at most three quarters full (so that a
/// probe always meets an empty slot, and a hit takes about one and a half probes).
fn capacity_for(series: usize) -> usize {
    (series + series.div_ceil(3)).max(series + 1)
}

impl<M: Metric> DynFamily<M> {
    /// An empty family described by `descriptor` (label names, cardinality limit).
    pub fn for_family(descriptor: &'static FamilyDescriptor) -> Self {
        let limit = limit(descriptor);
        let full_capacity = capacity_for(limit);
        let mut segments = Segments::default();
        let table = Table::new(full_capacity, &mut segments);
        let arity = descriptor.label_names.len();
        Self {
            table,
            seed: random_seed(),
            arity,
            descriptor,
            owned: Mutex::new(Owned {
                records: Records::new(arity, descriptor),
                segments,
                limit,
                full_capacity,
            }),
            overflow: M::for_family(descriptor),
            folded: AtomicU64::new(0),
        }
    }

    /// The series for `values` (one per label name, in order), created on first use:
    /// a `&M`, but a [`HistogramRef`](crate::HistogramRef) in a `DynFamily<Histogram>`
    /// (whose series keep their counters inline, and their bounds once per family).
    ///
    /// Values are stored as given (encoders escape them). A wrong number of values,
    /// or a new label set past the cardinality limit, returns the overflow series.
    ///
    /// ```
    /// use metrics_runtime::{DynFamily, Histogram, Metrics, Registry};
    ///
    /// #[derive(Metrics)]
    /// struct Api {
    ///     /// Request latency by route.
    ///     #[metric(labels = ["route"], buckets = [0.1, 1.0])]
    ///     latency_seconds: DynFamily<Histogram>,
    /// }
    ///
    /// let api = Api::register(&Registry::new()).unwrap();
    /// api.latency_seconds.get(&["/users"]).observe(0.3);
    /// let users = api.latency_seconds.get(&["/users"]);
    /// drop(users.start_timer());
    /// assert_eq!(users.count(), 2);
    /// assert_eq!(users.bounds(), &[0.1, 1.0]);
    /// ```
    #[inline]
    pub fn get(&self, values: &[&str]) -> M::Handle<'_> {
        if values.len() != self.arity {
            return self.fold();
        }
        let hash = key::hash(self.seed, values.iter().map(|v| v.as_bytes()));
        match self.find(hash, values) {
            // SAFETY: a record of this family, which lives, unmoved, as long as the
            // family, which the returned handle borrows.
            Some(record) => unsafe { Records::<M>::handle(record, self.descriptor) },
            None => self.insert(hash, values),
        }
    }

    #[inline]
    fn find(&self, hash: u64, values: &[&str]) -> Option<Record> {
        let check = hash as u32;
        // A constant for every metric type but `Histogram`.
        let series = M::record_size(self.descriptor);
        self.table.find(hash, |record| {
            // SAFETY: the table only holds records of this family, fully written
            // before they were published, each with a key of `arity` values
            // (`values.len()`, checked by the caller).
            unsafe {
                Records::<M>::check(record, series) == check
                    && key::matches(Records::<M>::key_start(record, series), values)
            }
        })
    }

    #[cold]
    fn insert(&self, hash: u64, values: &[&str]) -> M::Handle<'_> {
        let mut owned = self.owned.lock().unwrap_or_else(PoisonError::into_inner);
        let owned = &mut *owned;
        // Again under the lock: another thread may have added it, or a growth of
        // the table may have hidden it from the lookup for a moment.
        if let Some(record) = self.find(hash, values) {
            // SAFETY: as in `get`.
            return unsafe { Records::<M>::handle(record, self.descriptor) };
        }
        let key_len = match key::encoded_len(values) {
            Some(key_len) if owned.records.len() < owned.limit => key_len,
            _ => return self.fold(),
        };
        let room_for = owned.limit - owned.records.len();
        let record = owned.records.push(hash as u32, values, key_len, room_for);
        let capacity = self.table.capacity();
        if owned.records.len() * 4 > capacity * 3 && capacity < owned.full_capacity {
            let larger = (capacity * 2).min(owned.full_capacity);
            let records = &owned.records;
            let seed = self.seed;
            let all =
                records.iter().map(|(record, key)| (key::hash(seed, key::values(key)), record));
            self.table.grow(larger, &mut owned.segments, all);
        } else {
            self.table.place(hash, record);
        }
        // SAFETY: as in `get`.
        unsafe { Records::<M>::handle(record, self.descriptor) }
    }

    fn fold(&self) -> M::Handle<'_> {
        self.folded.fetch_add(1, Ordering::Relaxed);
        self.overflow.handle()
    }

    /// The cardinality limit.
    pub fn max_series(&self) -> usize {
        limit(self.descriptor)
    }

    /// How many lookups were folded into the overflow series.
    pub fn folded(&self) -> u64 {
        self.folded.load(Ordering::Relaxed)
    }

    /// How many distinct label sets have a series of their own.
    pub fn len(&self) -> usize {
        self.owned.lock().unwrap_or_else(PoisonError::into_inner).records.len()
    }

    /// Whether no label set has been seen yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn collect(&self, sink: &mut dyn SeriesSink) {
        self.for_each_series(|labels, series| M::collect_handle(series, labels, sink));
    }

    /// Visits every series with its labels, in creation order, then the overflow
    /// series if a lookup was folded. Holds the family's lock, which only delays the
    /// creation of new series, never a lookup. For callers whose `M` holds more than
    /// one exposed family (the HTTP middleware's routes).
    pub(crate) fn for_each_series(&self, mut visit: impl FnMut(&LabelValues<'_>, M::Handle<'_>)) {
        let names = self.descriptor.label_names;
        let owned = self.owned.lock().unwrap_or_else(PoisonError::into_inner);
        let mut borrowed: Vec<&str> = Vec::with_capacity(names.len());
        for (record, key) in owned.records.iter() {
            // SAFETY: a record of `owned.records`, which the lock keeps.
            let series = unsafe { Records::<M>::handle(record, self.descriptor) };
            borrowed.clear();
            // SAFETY: each value's bytes were copied whole from a `&str` when the
            // series was created, and `key::values` splits at the lengths recorded
            // then, so they are UTF-8. Checking again would cost every scrape a pass
            // over every value.
            borrowed.extend(key::values(key).map(|v| unsafe { core::str::from_utf8_unchecked(v) }));
            visit(&LabelValues { names, values: &borrowed }, series);
        }
        if self.folded() > 0 {
            borrowed.clear();
            borrowed.extend(names.iter().map(|_| OVERFLOW_LABEL_VALUE));
            visit(&LabelValues { names, values: &borrowed }, self.overflow.handle());
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
    use crate::metric::{Counter, Histogram};
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

    #[test]
    fn lookups_during_growth_always_reach_the_same_series() {
        let family = DynFamily::<Counter>::for_family(&DESCRIPTOR);
        let early: Vec<String> = (0..10).map(|i| format!("early-{i}")).collect();
        let addresses: Vec<usize> =
            early.iter().map(|key| family.get(&[key, "x"]) as *const Counter as usize).collect();
        std::thread::scope(|s| {
            let family = &family;
            s.spawn(move || {
                for i in 0..9_000 {
                    family.get(&[&format!("late-{i}"), "x"]).inc();
                }
            });
            for _ in 0..2 {
                let (early, addresses) = (&early, &addresses);
                s.spawn(move || {
                    for round in 0..2_000 {
                        let i = round % early.len();
                        let series = family.get(&[&early[i], "x"]);
                        assert_eq!(series as *const Counter as usize, addresses[i]);
                        series.inc();
                    }
                });
            }
        });
        assert_eq!(family.len(), 9_010);
        assert_eq!(family.folded(), 0);
        let early_total: u64 = early.iter().map(|key| family.get(&[key, "x"]).get()).sum();
        assert_eq!(early_total, 4_000);
    }

    static SMALL: FamilyDescriptor = FamilyDescriptor { max_series: 3, ..DESCRIPTOR };

    #[test]
    fn a_small_limit_holds_exactly_its_series_under_concurrent_inserts() {
        let family = DynFamily::<Counter>::for_family(&SMALL);
        std::thread::scope(|s| {
            for t in 0..4 {
                let family = &family;
                s.spawn(move || {
                    for i in 0..50 {
                        family.get(&[&((i + t) % 10).to_string(), "x"]).inc();
                    }
                });
            }
        });
        assert_eq!(family.len(), 3);
        let mut total = 0;
        let mut overflow = 0;
        family.for_each_series(|labels, counter| {
            total += counter.get();
            if labels.values == [OVERFLOW_LABEL_VALUE, OVERFLOW_LABEL_VALUE] {
                overflow = counter.get();
            }
        });
        assert_eq!(total, 200);
        assert_eq!(overflow, family.folded());
        assert!(overflow > 0);
    }

    #[test]
    fn series_are_collected_in_creation_order_with_their_values() {
        let family = DynFamily::<Counter>::for_family(&DESCRIPTOR);
        let long = "v".repeat(1_000);
        let sets: Vec<[&str; 2]> =
            vec![["b", "2"], ["a", "1"], [long.as_str(), ""], ["é", "\n"], ["a", "2"]];
        for (i, values) in sets.iter().enumerate() {
            family.get(values).inc_by(i as u64 + 1);
        }
        let mut seen = Vec::new();
        family.for_each_series(|labels, counter| {
            seen.push((
                labels.values.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
                counter.get(),
            ));
        });
        let expected: Vec<(Vec<String>, u64)> = sets
            .iter()
            .enumerate()
            .map(|(i, values)| (values.iter().map(|v| v.to_string()).collect(), i as u64 + 1))
            .collect();
        assert_eq!(seen, expected);
    }

    static BOUNDS: [f64; 3] = [1.0, 2.0, 4.0];
    static HISTOGRAMS: FamilyDescriptor = FamilyDescriptor {
        kind: MetricKind::Histogram,
        buckets: &BOUNDS,
        max_series: 3_000,
        ..DESCRIPTOR
    };

    #[test]
    fn histogram_series_observe_and_read_through_their_handles_across_growth() {
        let family = DynFamily::<Histogram>::for_family(&HISTOGRAMS);
        let keys: Vec<String> = (0..3_000).map(|i| format!("route-{i}")).collect();
        for (i, key) in keys.iter().enumerate() {
            let series = family.get(&[key, "GET"]);
            series.observe(i as f64 % 5.0);
            drop(series.start_timer());
        }
        let mut out = [0; 4];
        for (i, key) in keys.iter().enumerate() {
            let series = family.get(&[key, "GET"]);
            assert_eq!(series.bounds(), &BOUNDS);
            assert_eq!(series.count(), 2);
            let v = i as f64 % 5.0;
            let sum = series.cumulative_into(&mut out);
            assert!(sum >= v && sum < v + 1.0, "{sum} for {v}");
            // The observation of `v`, and the timer's, a few microseconds.
            let bucket = BOUNDS.iter().position(|b| v <= *b).unwrap_or(3);
            assert_eq!(out[0] - 1, u64::from(bucket == 0));
        }
        // Past the limit: the overflow histogram, with the family's bounds.
        let overflow = family.get(&["new", "GET"]);
        overflow.observe(3.0);
        assert_eq!(family.folded(), 1);
        let mut seen = Vec::new();
        family.for_each_series(|labels, series| {
            seen.push((labels.values[0].to_owned(), series.count()))
        });
        assert_eq!(seen.len(), 3_001);
        assert_eq!(seen[0], ("route-0".to_owned(), 2));
        assert_eq!(seen[3_000], (OVERFLOW_LABEL_VALUE.to_owned(), 1));
    }

    static NATIVE: FamilyDescriptor = FamilyDescriptor {
        native: Some(match crate::metric::NativeBuckets::from_schema(2) {
            Ok(layout) => layout,
            Err(_) => panic!(),
        }),
        ..HISTOGRAMS
    };

    #[test]
    fn native_histograms_keep_their_native_buckets_in_a_dynamic_family() {
        let family = DynFamily::<Histogram>::for_family(&NATIVE);
        for i in 0..100 {
            family.get(&[&i.to_string(), "x"]).observe(f64::from(i));
        }
        let mut series = 0;
        family.for_each_series(|_, histogram| {
            assert_eq!(histogram.native_buckets().map(|n| n.schema()), Some(2));
            let (mut positive, mut negative) = (Vec::new(), Vec::new());
            let reading = histogram.read_native(&mut positive, &mut negative).unwrap();
            assert_eq!((reading.count, histogram.count()), (1, 1));
            series += 1;
        });
        assert_eq!(series, 100);
    }

    #[test]
    fn histograms_with_exemplars_are_kept_whole() {
        let family = DynFamily::<crate::HistogramWithExemplars>::for_family(&HISTOGRAMS);
        let id = crate::exemplar::TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
        family.get(&["a", "b"]).observe_with_trace_id(0.5, id);
        family.get(&["a", "b"]).observe(3.0);
        assert_eq!(family.get(&["a", "b"]).count(), 2);
        assert_eq!(family.get(&["a", "b"]).sum(), 3.5);
    }
}
