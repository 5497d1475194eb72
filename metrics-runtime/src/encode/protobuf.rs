//! The Prometheus protobuf exposition: `io.prometheus.client.MetricFamily` messages,
//! each preceded by its length as a varint (`encoding=delimited`). The only format that
//! carries native histograms.
//!
//! <https://github.com/prometheus/client_model/blob/master/io/prometheus/client/metrics.proto>
//!
//! Written by hand straight into the buffer (no message structs, no allocation per
//! series); `tests/protobuf_exposition.rs` decodes the output with the official
//! `.proto`. Families without series are left out, as Prometheus skips them anyway.

use super::spans::{FILLED_GAP, Span, spans_and_deltas};
use super::wire::{self, Started};
use crate::collect::{
    ExemplarSample, ExpositionSink, FamilyHeader, HistogramReading, HistogramSample, NativeSample,
    SeriesSink, SummarySample, Value,
};
use crate::descriptor::MetricKind;
use crate::label::LabelValues;

// Field numbers of metrics.proto.
mod field {
    pub(super) const FAMILY_NAME: u32 = 1;
    pub(super) const FAMILY_HELP: u32 = 2;
    pub(super) const FAMILY_TYPE: u32 = 3;
    pub(super) const FAMILY_METRIC: u32 = 4;

    pub(super) const METRIC_LABEL: u32 = 1;
    pub(super) const METRIC_GAUGE: u32 = 2;
    pub(super) const METRIC_COUNTER: u32 = 3;
    pub(super) const METRIC_SUMMARY: u32 = 4;
    pub(super) const METRIC_UNTYPED: u32 = 5;
    pub(super) const METRIC_HISTOGRAM: u32 = 7;

    pub(super) const LABEL_NAME: u32 = 1;
    pub(super) const LABEL_VALUE: u32 = 2;

    /// `value` of Gauge, Counter and Untyped.
    pub(super) const VALUE: u32 = 1;
    pub(super) const COUNTER_EXEMPLAR: u32 = 2;

    pub(super) const EXEMPLAR_LABEL: u32 = 1;
    pub(super) const EXEMPLAR_VALUE: u32 = 2;
    pub(super) const EXEMPLAR_TIMESTAMP: u32 = 3;
    pub(super) const TIMESTAMP_SECONDS: u32 = 1;
    pub(super) const TIMESTAMP_NANOS: u32 = 2;

    pub(super) const SUMMARY_COUNT: u32 = 1;
    pub(super) const SUMMARY_SUM: u32 = 2;
    pub(super) const SUMMARY_QUANTILE: u32 = 3;
    pub(super) const QUANTILE_QUANTILE: u32 = 1;
    pub(super) const QUANTILE_VALUE: u32 = 2;

    pub(super) const HISTOGRAM_COUNT: u32 = 1;
    pub(super) const HISTOGRAM_SUM: u32 = 2;
    pub(super) const HISTOGRAM_BUCKET: u32 = 3;
    pub(super) const HISTOGRAM_SCHEMA: u32 = 5;
    pub(super) const HISTOGRAM_ZERO_THRESHOLD: u32 = 6;
    pub(super) const HISTOGRAM_ZERO_COUNT: u32 = 7;
    pub(super) const HISTOGRAM_NEGATIVE_SPAN: u32 = 9;
    pub(super) const HISTOGRAM_NEGATIVE_DELTA: u32 = 10;
    pub(super) const HISTOGRAM_POSITIVE_SPAN: u32 = 12;
    pub(super) const HISTOGRAM_POSITIVE_DELTA: u32 = 13;
    pub(super) const BUCKET_CUMULATIVE_COUNT: u32 = 1;
    pub(super) const BUCKET_UPPER_BOUND: u32 = 2;
    pub(super) const BUCKET_EXEMPLAR: u32 = 3;
    pub(super) const SPAN_OFFSET: u32 = 1;
    pub(super) const SPAN_LENGTH: u32 = 2;
}

/// `MetricType` of metrics.proto.
fn metric_type(kind: MetricKind) -> u64 {
    match kind {
        MetricKind::Counter => 0,
        MetricKind::Gauge => 1,
        MetricKind::Summary => 2,
        MetricKind::Unknown => 3,
        MetricKind::Histogram => 4,
    }
}

/// The family being written: where its message started and whether it has a series.
#[derive(Debug, Clone, Copy)]
struct OpenFamily {
    started: Started,
    has_series: bool,
}

/// Writes the delimited protobuf exposition into a buffer; [`ProtobufEncoder::finish`]
/// ends the last family.
#[derive(Debug)]
pub struct ProtobufEncoder<'b> {
    out: &'b mut Vec<u8>,
    family: Option<OpenFamily>,
    /// The family's constant labels, already encoded as `Metric.label` fields.
    const_labels: Vec<u8>,
    spans: Vec<Span>,
    deltas: Vec<i64>,
}

impl<'b> ProtobufEncoder<'b> {
    /// An encoder appending to `out`.
    pub fn new(out: &'b mut Vec<u8>) -> Self {
        Self { out, family: None, const_labels: Vec::new(), spans: Vec::new(), deltas: Vec::new() }
    }

    /// Ends the last family.
    pub fn finish(mut self) {
        self.close_family();
    }

    fn close_family(&mut self) {
        match self.family.take() {
            Some(family) if family.has_series => wire::end(self.out, family.started),
            Some(family) => wire::discard_delimited(self.out, family.started),
            None => {}
        }
    }

    /// Starts a `Metric` with the constant and series labels; the caller writes its
    /// value and ends it.
    fn start_metric(&mut self, labels: &LabelValues<'_>) -> Started {
        if let Some(family) = &mut self.family {
            family.has_series = true;
        }
        let metric = wire::start(self.out, field::FAMILY_METRIC);
        self.out.extend_from_slice(&self.const_labels);
        for (name, value) in labels.iter() {
            label_pair(self.out, name, value);
        }
        metric
    }

    /// A metric whose value is one double in message `kind_field` (counter, gauge,
    /// untyped), with a counter's exemplar.
    fn single_value(
        &mut self,
        labels: &LabelValues<'_>,
        kind_field: u32,
        value: Value,
        exemplar: Option<&ExemplarSample<'_>>,
    ) {
        let metric = self.start_metric(labels);
        let inner = wire::start(self.out, kind_field);
        wire::double(self.out, field::VALUE, as_f64(value));
        if let Some(exemplar) = exemplar {
            write_exemplar(self.out, field::COUNTER_EXEMPLAR, exemplar);
        }
        wire::end(self.out, inner);
        wire::end(self.out, metric);
    }

    /// The native part of a histogram, after its classic part.
    fn native_histogram(&mut self, native: &NativeSample<'_>) {
        wire::sint(self.out, field::HISTOGRAM_SCHEMA, i64::from(native.schema));
        // Prometheus 2.42 tells a native histogram from a classic one by a zero
        // threshold or zero count above 0, or by buckets: a threshold of exactly 0
        // with no observation yet reads as classic until the first one.
        wire::double(self.out, field::HISTOGRAM_ZERO_THRESHOLD, native.zero_threshold);
        wire::uint(self.out, field::HISTOGRAM_ZERO_COUNT, native.zero_count);
        self.native_buckets(
            native.negative,
            field::HISTOGRAM_NEGATIVE_SPAN,
            field::HISTOGRAM_NEGATIVE_DELTA,
        );
        self.native_buckets(
            native.positive,
            field::HISTOGRAM_POSITIVE_SPAN,
            field::HISTOGRAM_POSITIVE_DELTA,
        );
        if native.zero_threshold == 0.0 && native.positive.is_empty() && native.negative.is_empty()
        {
            // metrics.proto: "Use a no-op span (offset 0, length 0) for a native
            // histogram without any observations yet and with a zero_threshold of 0.
            // Otherwise, it would be indistinguishable from a classic histogram."
            let span = wire::start(self.out, field::HISTOGRAM_POSITIVE_SPAN);
            wire::sint(self.out, field::SPAN_OFFSET, 0);
            wire::uint(self.out, field::SPAN_LENGTH, 0);
            wire::end(self.out, span);
        }
    }

    /// The classic part of a histogram; `count` is the sample count, which the
    /// cumulative counts never exceed. `exemplars` has one entry per bucket, `+Inf`
    /// last, or none.
    fn classic_histogram(
        &mut self,
        sample: &HistogramSample<'_>,
        count: u64,
        exemplars: &[Option<ExemplarSample<'_>>],
    ) {
        wire::uint(self.out, field::HISTOGRAM_COUNT, count);
        wire::double(self.out, field::HISTOGRAM_SUM, sample.sum);
        let exemplar = |i: usize| exemplars.get(i).and_then(Option::as_ref);
        for (i, (bound, cumulative)) in sample.bounds.iter().zip(sample.cumulative).enumerate() {
            self.bucket(*bound, (*cumulative).min(count), exemplar(i));
        }
        // The `+Inf` bucket is implicit (it is the sample count), unless it has an
        // exemplar to carry, as client_golang writes it.
        if let Some(inf) = exemplar(sample.bounds.len()) {
            self.bucket(f64::INFINITY, count, Some(inf));
        }
    }

    fn bucket(&mut self, bound: f64, cumulative: u64, exemplar: Option<&ExemplarSample<'_>>) {
        let bucket = wire::start(self.out, field::HISTOGRAM_BUCKET);
        wire::uint(self.out, field::BUCKET_CUMULATIVE_COUNT, cumulative);
        wire::double(self.out, field::BUCKET_UPPER_BOUND, bound);
        if let Some(exemplar) = exemplar {
            write_exemplar(self.out, field::BUCKET_EXEMPLAR, exemplar);
        }
        wire::end(self.out, bucket);
    }

    fn native_buckets(&mut self, buckets: &[(i32, u64)], span_field: u32, delta_field: u32) {
        spans_and_deltas(buckets, FILLED_GAP, &mut self.spans, &mut self.deltas);
        for span in &self.spans {
            let message = wire::start(self.out, span_field);
            wire::sint(self.out, field::SPAN_OFFSET, i64::from(span.offset));
            wire::uint(self.out, field::SPAN_LENGTH, u64::from(span.length));
            wire::end(self.out, message);
        }
        // Unpacked, as proto2 repeated scalars are by default: what client_golang
        // writes, and what every decoder reads.
        for delta in &self.deltas {
            wire::sint(self.out, delta_field, *delta);
        }
    }
}

/// An `Exemplar` in `field`: labels, value and a `google.protobuf.Timestamp`.
fn write_exemplar(out: &mut Vec<u8>, field: u32, exemplar: &ExemplarSample<'_>) {
    let message = wire::start(out, field);
    for (name, value) in exemplar.labels.clone() {
        label_pair_in(out, field::EXEMPLAR_LABEL, name, value);
    }
    wire::double(out, field::EXEMPLAR_VALUE, exemplar.value);
    let timestamp = wire::start(out, field::EXEMPLAR_TIMESTAMP);
    wire::uint(out, field::TIMESTAMP_SECONDS, exemplar.timestamp_ms / 1000);
    wire::uint(out, field::TIMESTAMP_NANOS, exemplar.timestamp_ms % 1000 * 1_000_000);
    wire::end(out, timestamp);
    wire::end(out, message);
}

fn label_pair(out: &mut Vec<u8>, name: &str, value: &str) {
    label_pair_in(out, field::METRIC_LABEL, name, value);
}

fn label_pair_in(out: &mut Vec<u8>, field: u32, name: &str, value: &str) {
    let pair = wire::start(out, field);
    wire::bytes(out, field::LABEL_NAME, name.as_bytes());
    wire::bytes(out, field::LABEL_VALUE, value.as_bytes());
    wire::end(out, pair);
}

fn as_f64(value: Value) -> f64 {
    match value {
        Value::UInt(n) => n as f64,
        Value::Int(n) => n as f64,
        Value::Float(f) => f,
    }
}

impl ExpositionSink for ProtobufEncoder<'_> {
    fn family(&mut self, header: &FamilyHeader<'_>) {
        self.close_family();
        let started = wire::start_delimited(self.out);
        self.family = Some(OpenFamily { started, has_series: false });
        // As in the text format 0.0.4, a counter family is named with its `_total`:
        // Prometheus takes the family name as the counter's series name.
        let suffix: &[u8] = if header.kind == MetricKind::Counter { b"_total" } else { b"" };
        wire::bytes_with_suffix(self.out, field::FAMILY_NAME, header.name.as_bytes(), suffix);
        wire::bytes(self.out, field::FAMILY_HELP, header.help.as_bytes());
        wire::uint(self.out, field::FAMILY_TYPE, metric_type(header.kind));
        self.const_labels.clear();
        for (name, value) in header.const_labels {
            label_pair(&mut self.const_labels, name, value);
        }
    }
}

impl SeriesSink for ProtobufEncoder<'_> {
    fn counter(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.single_value(labels, field::METRIC_COUNTER, value, None);
    }

    fn counter_with_exemplar(
        &mut self,
        labels: &LabelValues<'_>,
        value: Value,
        exemplar: Option<&ExemplarSample<'_>>,
    ) {
        self.single_value(labels, field::METRIC_COUNTER, value, exemplar);
    }

    fn gauge(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.single_value(labels, field::METRIC_GAUGE, value, None);
    }

    fn unknown(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.single_value(labels, field::METRIC_UNTYPED, value, None);
    }

    fn histogram(&mut self, labels: &LabelValues<'_>, reading: &HistogramReading<'_>) {
        let metric = self.start_metric(labels);
        let histogram = wire::start(self.out, field::METRIC_HISTOGRAM);
        let count = reading.native.map_or(reading.classic.count(), |native| native.count);
        self.classic_histogram(&reading.classic, count, reading.exemplars);
        if let Some(native) = &reading.native {
            self.native_histogram(native);
        }
        wire::end(self.out, histogram);
        wire::end(self.out, metric);
    }

    fn summary(&mut self, labels: &LabelValues<'_>, sample: &SummarySample<'_>) {
        let metric = self.start_metric(labels);
        let summary = wire::start(self.out, field::METRIC_SUMMARY);
        wire::uint(self.out, field::SUMMARY_COUNT, sample.count);
        wire::double(self.out, field::SUMMARY_SUM, sample.sum);
        for (quantile, value) in sample.quantiles {
            let message = wire::start(self.out, field::SUMMARY_QUANTILE);
            wire::double(self.out, field::QUANTILE_QUANTILE, *quantile);
            wire::double(self.out, field::QUANTILE_VALUE, *value);
            wire::end(self.out, message);
        }
        wire::end(self.out, summary);
        wire::end(self.out, metric);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, kind: MetricKind) -> FamilyHeader<'_> {
        FamilyHeader { name, help: "h", kind, unit: "", const_labels: &[] }
    }

    #[test]
    fn a_counter_family_byte_for_byte() {
        let mut out = Vec::new();
        let mut encoder = ProtobufEncoder::new(&mut out);
        encoder.family(&header("a", MetricKind::Counter));
        encoder.counter(&LabelValues { names: &["k"], values: &["v"] }, Value::UInt(1));
        encoder.finish();
        #[rustfmt::skip]
        let expected = [
            35, // the family's length
            0x0a, 7, b'a', b'_', b't', b'o', b't', b'a', b'l', // name = "a_total"
            0x12, 1, b'h', // help
            0x18, 0, // type = COUNTER
            0x22, 19, // metric
            0x0a, 6, 0x0a, 1, b'k', 0x12, 1, b'v', // label { name: "k", value: "v" }
            0x1a, 9, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, // counter { value: 1.0 }
        ];
        assert_eq!(out, expected);
    }

    #[test]
    fn families_without_series_are_left_out() {
        let mut out = Vec::new();
        let mut encoder = ProtobufEncoder::new(&mut out);
        encoder.family(&header("empty", MetricKind::Gauge));
        encoder.family(&header("full", MetricKind::Gauge));
        encoder.gauge(&LabelValues::EMPTY, Value::Int(-2));
        encoder.family(&header("empty_too", MetricKind::Histogram));
        encoder.finish();
        assert_eq!(out[0] as usize, out.len() - 1, "one family: {out:?}");
        assert_eq!(&out[1..7], b"\x0a\x04full");
    }
}
