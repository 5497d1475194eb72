use core::ops::Deref;

use super::{Counter, Metric};
use crate::collect::{SeriesSink, Value};
use crate::descriptor::{FamilyDescriptor, MetricKind};
use crate::exemplar::{Exemplar, ExemplarCell, ExemplarSnapshot, TraceId};
use crate::label::LabelValues;

/// A [`Counter`] that also keeps its latest exemplar, written in OpenMetrics after
/// the `_total` sample.
///
/// Everything a `Counter` does it does the same way (through `Deref`): `inc()` is
/// still one atomic add. [`inc_with_exemplar`](Self::inc_with_exemplar) also keeps
/// the exemplar, without a lock.
///
/// ```
/// use metrics_runtime::CounterWithExemplar;
/// use metrics_runtime::exemplar::Exemplar;
///
/// let requests = CounterWithExemplar::new();
/// requests.inc();
/// requests.inc_by_with_exemplar(2, &Exemplar::new(&[("trace_id", "abc")])?);
/// assert_eq!(requests.get(), 3);
/// # Ok::<(), metrics_runtime::exemplar::ExemplarError>(())
/// ```
#[derive(Debug, Default)]
pub struct CounterWithExemplar {
    counter: Counter,
    exemplar: ExemplarCell,
}

impl CounterWithExemplar {
    /// A counter at zero, without exemplar.
    pub const fn new() -> Self {
        Self { counter: Counter::new(), exemplar: ExemplarCell::new() }
    }

    /// Adds one and keeps `exemplar` (with the value 1).
    #[inline]
    pub fn inc_with_exemplar(&self, exemplar: &Exemplar) {
        self.inc_by_with_exemplar(1, exemplar);
    }

    /// Adds `n` and keeps `exemplar` (with the value `n`).
    #[inline]
    pub fn inc_by_with_exemplar(&self, n: u64, exemplar: &Exemplar) {
        self.counter.inc_by(n);
        self.exemplar.record(exemplar, n as f64);
    }

    /// Adds one and keeps `{trace_id="<id>"}` (with the value 1).
    #[inline]
    pub fn inc_with_trace_id(&self, id: TraceId) {
        self.inc_by_with_trace_id(1, id);
    }

    /// Adds `n` and keeps `{trace_id="<id>"}`: the same as
    /// [`inc_by_with_exemplar`](Self::inc_by_with_exemplar) with
    /// [`Exemplar::from_trace_id`], without making the exemplar.
    #[inline]
    pub fn inc_by_with_trace_id(&self, n: u64, id: TraceId) {
        self.counter.inc_by(n);
        self.exemplar.record_trace_id(id, n as f64);
    }
}

impl Deref for CounterWithExemplar {
    type Target = Counter;

    fn deref(&self) -> &Counter {
        &self.counter
    }
}

impl Metric for CounterWithExemplar {
    const KIND: MetricKind = MetricKind::Counter;

    crate::metric::kept_whole!();

    fn for_family(_: &'static FamilyDescriptor) -> Self {
        Self::new()
    }

    fn collect_series(&self, labels: &LabelValues<'_>, sink: &mut dyn SeriesSink) {
        let mut snapshot = ExemplarSnapshot::new();
        let exemplar = self.exemplar.read(&mut snapshot).then(|| snapshot.sample());
        sink.counter_with_exemplar(labels, Value::UInt(self.get()), exemplar.as_ref());
    }
}
