//! Collection: reads the atomics into format-neutral samples for an encoder.
//!
//! Metric types know no format and encoders know no atomics; they meet here.

use crate::descriptor::{FamilyDescriptor, MetricKind};
use crate::exemplar::ExemplarLabels;
use crate::label::{DynFamily, Family, LabelSet, LabelValues};
use crate::metric::{HistogramRef, Metric};

/// A sample value as read from a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// An integer counter.
    UInt(u64),
    /// An integer gauge.
    Int(i64),
    /// A floating-point counter or gauge.
    Float(f64),
}

/// A consistent reading of one histogram series.
#[derive(Debug, Clone, Copy)]
pub struct HistogramSample<'a> {
    /// Upper bounds, without `+Inf`.
    pub bounds: &'a [f64],
    /// Cumulative counts, one per bound, then the `+Inf` bucket (which is the count).
    pub cumulative: &'a [u64],
    /// The sum of observations.
    pub sum: f64,
}

impl HistogramSample<'_> {
    /// The number of observations (the `+Inf` bucket).
    pub fn count(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }
}

/// A consistent reading of one histogram series: its classic buckets, and its
/// native buckets and exemplars where its family keeps them. Each format writes what
/// it can carry: text only the classic buckets, OpenMetrics their exemplars too,
/// protobuf all of it.
#[derive(Debug, Clone, Copy)]
pub struct HistogramReading<'a> {
    /// The classic buckets (only `+Inf` for a native-only histogram).
    pub classic: HistogramSample<'a>,
    /// The native buckets, `None` for a histogram without them.
    pub native: Option<NativeSample<'a>>,
    /// One exemplar per classic bucket (the `+Inf` one last), `None` where a bucket
    /// has none yet; empty for a family that keeps no exemplars.
    pub exemplars: &'a [Option<ExemplarSample<'a>>],
}

impl<'a> HistogramReading<'a> {
    /// A reading of classic buckets only: no native buckets, no exemplars.
    ///
    /// ```
    /// use metrics_runtime::collect::{HistogramReading, HistogramSample};
    /// let sample = HistogramSample { bounds: &[0.5], cumulative: &[1, 3], sum: 2.25 };
    /// let reading = HistogramReading::classic(sample);
    /// assert_eq!(reading.classic.count(), 3);
    /// assert!(reading.native.is_none() && reading.exemplars.is_empty());
    /// ```
    pub fn classic(classic: HistogramSample<'a>) -> Self {
        Self { classic, native: None, exemplars: &[] }
    }
}

/// A consistent reading of the native buckets of one histogram series.
///
/// Buckets are `(index, count)` pairs, ascending by index, populated ones only;
/// bucket `i` holds `(base^(i-1), base^i]` (negated for `negative`) with
/// `base = 2^(2^-schema)`.
#[derive(Debug, Clone, Copy)]
pub struct NativeSample<'a> {
    /// The resolution, -4 to 8.
    pub schema: i8,
    /// Observations within `±zero_threshold` are in the zero bucket.
    pub zero_threshold: f64,
    /// The zero bucket's count.
    pub zero_count: u64,
    /// Every observation: the zero bucket, the other buckets, and NaN observations
    /// (which go in no bucket).
    pub count: u64,
    /// Buckets of positive observations.
    pub positive: &'a [(i32, u64)],
    /// Buckets of negative observations.
    pub negative: &'a [(i32, u64)],
}

/// The header of one family in an exposition.
#[derive(Debug, Clone, Copy)]
pub struct FamilyHeader<'a> {
    /// Full name, without a counter's `_total`.
    pub name: &'a str,
    /// The `# HELP` text.
    pub help: &'a str,
    /// Counter, gauge or histogram.
    pub kind: MetricKind,
    /// The unit, `""` for none.
    pub unit: &'a str,
    /// Labels written first on every sample of the family.
    pub const_labels: &'a [(&'a str, &'a str)],
}

impl FamilyHeader<'static> {
    /// The header of a declared family.
    pub fn of(descriptor: &'static FamilyDescriptor) -> Self {
        Self {
            name: descriptor.name,
            help: descriptor.help,
            kind: descriptor.kind,
            unit: descriptor.unit,
            const_labels: descriptor.const_labels,
        }
    }
}

/// Receives the series of one family, in order.
pub trait SeriesSink {
    /// One counter series.
    fn counter(&mut self, labels: &LabelValues<'_>, value: Value);
    /// One gauge series.
    fn gauge(&mut self, labels: &LabelValues<'_>, value: Value);
    /// One histogram series, already made consistent, with its native buckets and
    /// exemplars if it has them.
    fn histogram(&mut self, labels: &LabelValues<'_>, reading: &HistogramReading<'_>);
    /// One summary series (from attached `prometheus` registries only).
    fn summary(&mut self, labels: &LabelValues<'_>, sample: &SummarySample<'_>);
    /// One series of unknown type (from attached `prometheus` registries only).
    fn unknown(&mut self, labels: &LabelValues<'_>, value: Value);

    /// One counter series of a family that keeps exemplars, with its latest one.
    /// Sinks for formats without exemplars keep the default: the plain counter.
    fn counter_with_exemplar(
        &mut self,
        labels: &LabelValues<'_>,
        value: Value,
        exemplar: Option<&ExemplarSample<'_>>,
    ) {
        let _ = exemplar;
        self.counter(labels, value);
    }
}

/// An exemplar as read at a scrape: its labels, the value observed and when.
#[derive(Debug, Clone)]
pub struct ExemplarSample<'a> {
    /// The exemplar's labels (already checked: at most 128 characters, valid names).
    pub labels: ExemplarLabels<'a>,
    /// The observation (a histogram's) or the increment (a counter's).
    pub value: f64,
    /// When it was recorded, in milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
}

/// A reading of one summary series.
#[derive(Debug, Clone, Copy)]
pub struct SummarySample<'a> {
    /// `(quantile, value)` pairs.
    pub quantiles: &'a [(f64, f64)],
    /// The sum of observations.
    pub sum: f64,
    /// The number of observations.
    pub count: u64,
}

/// Receives a whole exposition: family headers, each followed by its series.
pub trait ExpositionSink: SeriesSink {
    /// Starts a family; the series that follow belong to it.
    fn family(&mut self, header: &FamilyHeader<'_>);
}

/// A field of a `#[derive(Metrics)]` struct: one family's worth of series.
pub trait CollectFamily: Send + Sync {
    /// Sends every series of the family to `sink`.
    fn collect(&self, sink: &mut dyn SeriesSink);
    /// Lookups folded into the overflow series (dynamic families only).
    fn folded(&self) -> u64 {
        0
    }
}

macro_rules! single_series {
    ($($ty:ty),*) => {$(
        impl CollectFamily for $ty {
            fn collect(&self, sink: &mut dyn SeriesSink) {
                self.collect_series(&LabelValues::EMPTY, sink);
            }
        }
    )*};
}
crate::metric::with_single_series_types!(single_series);

impl<L: LabelSet, M: Metric> CollectFamily for Family<L, M> {
    fn collect(&self, sink: &mut dyn SeriesSink) {
        Family::collect(self, sink);
    }
}

impl<M: Metric> CollectFamily for DynFamily<M> {
    fn collect(&self, sink: &mut dyn SeriesSink) {
        DynFamily::collect(self, sink);
    }
    fn folded(&self) -> u64 {
        DynFamily::folded(self)
    }
}

/// Reads a histogram into a stack buffer (a heap one past 63 bounds) and hands the
/// consistent sample to `sink`: no allocation per series in the common case.
pub(crate) fn collect_histogram(
    histogram: HistogramRef<'_>,
    labels: &LabelValues<'_>,
    sink: &mut dyn SeriesSink,
) {
    collect_histogram_with_exemplars(histogram, labels, &[], sink);
}

/// [`collect_histogram`] with the buckets' exemplars (one per bucket, `+Inf` last),
/// or none (`&[]`).
pub(crate) fn collect_histogram_with_exemplars(
    histogram: HistogramRef<'_>,
    labels: &LabelValues<'_>,
    exemplars: &[Option<ExemplarSample<'_>>],
    sink: &mut dyn SeriesSink,
) {
    read_histogram(histogram, |classic| {
        let (mut positive, mut negative) = (Vec::new(), Vec::new());
        let native =
            histogram.read_native(&mut positive, &mut negative).map(|reading| NativeSample {
                schema: reading.schema,
                zero_threshold: reading.zero_threshold,
                zero_count: reading.zero_count,
                count: reading.count,
                positive: &positive,
                negative: &negative,
            });
        sink.histogram(labels, &HistogramReading { classic: *classic, native, exemplars });
    });
}

/// Reads a histogram as [`collect_histogram`] does and calls `with` on the sample.
pub(crate) fn read_histogram(histogram: HistogramRef<'_>, with: impl FnOnce(&HistogramSample<'_>)) {
    let bounds = histogram.bounds();
    let mut stack = [0u64; 64];
    let mut heap;
    let cumulative: &mut [u64] = if bounds.len() < stack.len() {
        &mut stack[..=bounds.len()]
    } else {
        heap = vec![0u64; bounds.len() + 1];
        &mut heap
    };
    let sum = histogram.cumulative_into(cumulative);
    with(&HistogramSample { bounds, cumulative, sum });
}

/// What one family looks like in an exposition: its header, owned, and the label
/// names its series carry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FamilyShape {
    pub(crate) name: String,
    pub(crate) help: String,
    pub(crate) kind: MetricKind,
    pub(crate) const_labels: Vec<(String, String)>,
    /// The label names of the first series; `None` while the family has none.
    pub(crate) label_names: Option<Vec<String>>,
}

/// An [`ExpositionSink`] that keeps each family's [`FamilyShape`] and no values: a
/// typed family's label names come from its type, which only its series show.
#[derive(Debug, Default)]
pub(crate) struct ShapeSink {
    pub(crate) families: Vec<FamilyShape>,
}

impl ShapeSink {
    /// Gives the current family these label names, unless it already has some.
    pub(crate) fn see(&mut self, labels: &LabelValues<'_>) {
        if let Some(family) = self.families.last_mut() {
            family
                .label_names
                .get_or_insert_with(|| labels.names.iter().map(|n| (*n).to_owned()).collect());
        }
    }
}

impl ExpositionSink for ShapeSink {
    fn family(&mut self, header: &FamilyHeader<'_>) {
        self.families.push(FamilyShape {
            name: header.name.to_owned(),
            help: header.help.to_owned(),
            kind: header.kind,
            const_labels: header
                .const_labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            label_names: None,
        });
    }
}

impl SeriesSink for ShapeSink {
    fn counter(&mut self, labels: &LabelValues<'_>, _: Value) {
        self.see(labels);
    }
    fn gauge(&mut self, labels: &LabelValues<'_>, _: Value) {
        self.see(labels);
    }
    fn histogram(&mut self, labels: &LabelValues<'_>, _: &HistogramReading<'_>) {
        self.see(labels);
    }
    fn summary(&mut self, labels: &LabelValues<'_>, _: &SummarySample<'_>) {
        self.see(labels);
    }
    fn unknown(&mut self, labels: &LabelValues<'_>, _: Value) {
        self.see(labels);
    }
}
