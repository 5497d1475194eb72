use core::hash::BuildHasher;
use core::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

use hashbrown::HashTable;

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
/// Looking up an existing series hashes the values and takes a shared read lock;
/// it never allocates. Past `max_series` distinct label sets, new label sets fold
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
    hasher: foldhash::fast::RandomState,
    index: RwLock<SeriesIndex<M>>,
    overflow: M,
    folded: AtomicU64,
}

struct SeriesIndex<M> {
    /// Positions in `series`, keyed by the hash of the label values.
    table: HashTable<u32>,
    /// Boxed so that a series never moves once created: `get` hands out references.
    series: Vec<Box<Series<M>>>,
}

struct Series<M> {
    values: Box<[Box<str>]>,
    metric: M,
}

#[inline]
fn same_values(stored: &[Box<str>], values: &[&str]) -> bool {
    stored.len() == values.len() && stored.iter().zip(values).all(|(a, b)| **a == **b)
}

/// The hash of a label set, the same for the stored and the looked-up values.
///
/// Each value is followed by `0xff`, a byte UTF-8 never contains, so values cannot run
/// into each other. Written out rather than `hash_one(values)`, whose generic slice
/// hashing (a length prefix, an out-of-line `hash_slice`) was a third of a lookup's
/// instructions (benches/family.rs, `family_dynamic_2labels`).
#[inline]
fn hash_values<'a>(
    hasher: &foldhash::fast::RandomState,
    values: impl Iterator<Item = &'a str>,
) -> u64 {
    use core::hash::Hasher;
    let mut state = hasher.build_hasher();
    for value in values {
        state.write(value.as_bytes());
        state.write_u8(0xff);
    }
    state.finish()
}

impl<M: Metric> DynFamily<M> {
    /// An empty family described by `descriptor` (label names, cardinality limit).
    pub fn for_family(descriptor: &'static FamilyDescriptor) -> Self {
        Self {
            descriptor,
            hasher: foldhash::fast::RandomState::default(),
            index: RwLock::new(SeriesIndex { table: HashTable::new(), series: Vec::new() }),
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
        if values.len() != self.descriptor.label_names.len() {
            return self.fold();
        }
        let hash = hash_values(&self.hasher, values.iter().copied());
        {
            let index = self.index.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(&i) =
                index.table.find(hash, |&i| same_values(&index.series[i as usize].values, values))
            {
                let metric: *const M = &index.series[i as usize].metric;
                // SAFETY: a series is boxed, never removed and never moved before the
                // family is dropped, and the returned reference borrows the family.
                return unsafe { &*metric };
            }
        }
        self.insert(hash, values)
    }

    #[cold]
    fn insert(&self, hash: u64, values: &[&str]) -> &M {
        let mut guard = self.index.write().unwrap_or_else(PoisonError::into_inner);
        let SeriesIndex { table, series } = &mut *guard;
        if let Some(&i) = table.find(hash, |&i| same_values(&series[i as usize].values, values)) {
            let metric: *const M = &series[i as usize].metric;
            // SAFETY: as in `get`.
            return unsafe { &*metric };
        }
        if series.len() >= self.max_series() {
            drop(guard);
            return self.fold();
        }
        let position = series.len() as u32;
        series.push(Box::new(Series {
            values: values.iter().map(|v| Box::<str>::from(*v)).collect(),
            metric: M::for_family(self.descriptor),
        }));
        let hasher = &self.hasher;
        table.insert_unique(hash, position, |&i| {
            hash_values(hasher, series[i as usize].values.iter().map(|v| &**v))
        });
        let metric: *const M = &series[position as usize].metric;
        // SAFETY: as in `get`.
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
        self.index.read().unwrap_or_else(PoisonError::into_inner).series.len()
    }

    /// Whether no label set has been seen yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn collect(&self, sink: &mut dyn SeriesSink) {
        self.for_each_series(|labels, metric| metric.collect_series(labels, sink));
    }

    /// Visits every series with its labels, in creation order, then the overflow
    /// series if a lookup was folded, under the read lock. For callers whose `M`
    /// holds more than one exposed family (the HTTP middleware's routes).
    pub(crate) fn for_each_series(&self, mut visit: impl FnMut(&LabelValues<'_>, &M)) {
        let names = self.descriptor.label_names;
        let index = self.index.read().unwrap_or_else(PoisonError::into_inner);
        let mut borrowed: Vec<&str> = Vec::with_capacity(names.len());
        for series in &index.series {
            borrowed.clear();
            borrowed.extend(series.values.iter().map(|v| &**v));
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
