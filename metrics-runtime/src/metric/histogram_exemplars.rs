use core::ops::Deref;

use super::{Histogram, Metric};
use crate::collect::{ExemplarSample, SeriesSink};
use crate::descriptor::{FamilyDescriptor, MetricKind};
use crate::exemplar::{Exemplar, ExemplarCell, ExemplarSnapshot, TraceId};
use crate::label::LabelValues;

/// A [`Histogram`] whose buckets also keep their latest exemplar, written in
/// OpenMetrics after the `_bucket` sample the observation fell in.
///
/// Everything a `Histogram` does it does the same way (through `Deref`): `observe()`
/// is the plain histogram's. [`observe_with_exemplar`](Self::observe_with_exemplar)
/// also keeps the exemplar in the bucket of the observation, without a lock. Each
/// bucket costs eight more bytes until its first exemplar, then about half a
/// kilobyte.
///
/// ```
/// use metrics_runtime::HistogramWithExemplars;
/// use metrics_runtime::exemplar::Exemplar;
///
/// static BOUNDS: [f64; 2] = [0.1, 0.5];
/// let latency = HistogramWithExemplars::new(&BOUNDS);
/// latency.observe(0.05);
/// latency.observe_with_exemplar(0.3, &Exemplar::new(&[("trace_id", "abc")])?);
/// assert_eq!(latency.count(), 2);
/// # Ok::<(), metrics_runtime::exemplar::ExemplarError>(())
/// ```
#[derive(Debug)]
pub struct HistogramWithExemplars {
    histogram: Histogram,
    exemplars: BucketExemplars,
}

impl HistogramWithExemplars {
    /// A histogram with the given upper bounds (ascending, finite; `+Inf` is
    /// implicit), as [`Histogram::new`].
    pub fn new(bounds: &'static [f64]) -> Self {
        Self::wrap(Histogram::new(bounds))
    }

    /// A histogram with bounds known only at run time, as [`Histogram::with_buckets`].
    pub fn with_buckets(bounds: Vec<f64>) -> Result<Self, crate::BucketsError> {
        Histogram::with_buckets(bounds).map(Self::wrap)
    }

    fn wrap(histogram: Histogram) -> Self {
        Self { exemplars: BucketExemplars::for_histogram(&histogram), histogram }
    }

    /// Records one observation and keeps `exemplar` in its bucket.
    #[inline]
    pub fn observe_with_exemplar(&self, v: f64, exemplar: &Exemplar) {
        let index = self.histogram.observe_in_bucket(v);
        self.exemplars.record(index, exemplar, v);
    }

    /// Records one observation and keeps `{trace_id="<id>"}` in its bucket: the
    /// same as [`observe_with_exemplar`](Self::observe_with_exemplar) with
    /// [`Exemplar::from_trace_id`], without making the exemplar.
    ///
    /// ```
    /// # use metrics_runtime::HistogramWithExemplars;
    /// use metrics_runtime::exemplar::TraceId;
    /// # static BOUNDS: [f64; 1] = [1.0];
    /// let latency = HistogramWithExemplars::new(&BOUNDS);
    /// if let Some(id) = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736") {
    ///     latency.observe_with_trace_id(0.3, id);
    /// }
    /// ```
    #[inline]
    pub fn observe_with_trace_id(&self, v: f64, id: TraceId) {
        self.exemplars.observe_trace_id(&self.histogram, v, id);
    }
}

impl Deref for HistogramWithExemplars {
    type Target = Histogram;

    fn deref(&self) -> &Histogram {
        &self.histogram
    }
}

impl Metric for HistogramWithExemplars {
    const KIND: MetricKind = MetricKind::Histogram;

    crate::metric::kept_whole!();

    /// The family's buckets, and its native buckets if it declares them.
    fn for_family(descriptor: &'static FamilyDescriptor) -> Self {
        Self::wrap(Histogram::for_family(descriptor))
    }

    fn collect_series(&self, labels: &LabelValues<'_>, sink: &mut dyn SeriesSink) {
        self.exemplars.collect(&self.histogram, labels, sink);
    }
}

/// One exemplar cell per bucket of a histogram kept beside it: what
/// [`HistogramWithExemplars`] adds to a [`Histogram`], also used by the HTTP layer
/// when its exemplars are on.
#[derive(Debug)]
pub(crate) struct BucketExemplars {
    /// One per bucket, the `+Inf` one last.
    cells: Box<[ExemplarCell]>,
}

impl BucketExemplars {
    pub(crate) fn for_histogram(histogram: &Histogram) -> Self {
        Self { cells: (0..=histogram.bounds().len()).map(|_| ExemplarCell::new()).collect() }
    }

    /// Keeps `exemplar` (of the observation `v`) in bucket `index`.
    #[inline]
    fn record(&self, index: usize, exemplar: &Exemplar, v: f64) {
        // One cell per bucket: `index` is in range as it was for the bucket.
        if let Some(cell) = self.cells.get(index) {
            cell.record(exemplar, v);
        }
    }

    /// Observes `v` in `histogram` (the one these cells were made for) and keeps
    /// the trace id `id` in the bucket it fell in.
    #[inline]
    pub(crate) fn observe_trace_id(&self, histogram: &Histogram, v: f64, id: TraceId) {
        let index = histogram.observe_in_bucket(v);
        if let Some(cell) = self.cells.get(index) {
            cell.record_trace_id(id, v);
        }
    }

    /// Sends `histogram` with these exemplars to `sink`.
    pub(crate) fn collect(
        &self,
        histogram: &Histogram,
        labels: &LabelValues<'_>,
        sink: &mut dyn SeriesSink,
    ) {
        if !self.cells.iter().any(ExemplarCell::is_used) {
            crate::collect::collect_histogram(histogram.handle(), labels, sink);
            return;
        }
        // Exemplars first: one recorded after its bucket was counted is then never
        // shown beside a count that does not include it yet.
        let mut snapshots = vec![ExemplarSnapshot::new(); self.cells.len()];
        let found: Vec<bool> =
            self.cells.iter().zip(&mut snapshots).map(|(c, s)| c.read(s)).collect();
        let exemplars: Vec<Option<ExemplarSample<'_>>> = snapshots
            .iter()
            .zip(found)
            .map(|(snapshot, found)| found.then(|| snapshot.sample()))
            .collect();
        crate::collect::collect_histogram_with_exemplars(
            histogram.handle(),
            labels,
            &exemplars,
            sink,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::{HistogramReading, SummarySample, Value};
    use crate::descriptor::{FamilyDescriptor, MetricKind};
    use crate::metric::NativeBuckets;

    /// What a sink was given for one histogram series.
    #[derive(Default)]
    struct Seen {
        native_count: Option<u64>,
        exemplar_values: Vec<f64>,
    }

    impl SeriesSink for Seen {
        fn counter(&mut self, _: &LabelValues<'_>, _: Value) {}
        fn gauge(&mut self, _: &LabelValues<'_>, _: Value) {}
        fn histogram(&mut self, _: &LabelValues<'_>, reading: &HistogramReading<'_>) {
            self.native_count = reading.native.map(|native| native.count);
            self.exemplar_values = reading.exemplars.iter().flatten().map(|e| e.value).collect();
        }
        fn summary(&mut self, _: &LabelValues<'_>, _: &SummarySample<'_>) {}
        fn unknown(&mut self, _: &LabelValues<'_>, _: Value) {}
    }

    /// A descriptor with native buckets (`#[metric(native(..))]`) keeps both:
    /// observations with an exemplar reach the native buckets too, and the sink gets
    /// natives and exemplars.
    #[test]
    fn native_buckets_are_kept_beside_exemplars() {
        static BOUNDS: [f64; 2] = [0.1, 1.0];
        let native = NativeBuckets::from_schema(3).unwrap();
        let location = crate::source_location!();
        let descriptor: &'static FamilyDescriptor = Box::leak(Box::new(FamilyDescriptor {
            buckets: &BOUNDS,
            native: Some(native),
            ..FamilyDescriptor::new("latency_seconds", "Latency.", MetricKind::Histogram, location)
        }));
        let histogram = HistogramWithExemplars::for_family(descriptor);
        let id = TraceId::from_u128(9).unwrap();
        histogram.observe_with_trace_id(0.5, id);
        histogram.observe_with_exemplar(2.0, &Exemplar::from_trace_id(id));
        histogram.observe(0.05);
        let mut seen = Seen::default();
        histogram.collect_series(&LabelValues::EMPTY, &mut seen);
        assert_eq!(seen.native_count, Some(3));
        assert_eq!(seen.exemplar_values, [0.5, 2.0]);
    }
}
