//! OpenMetrics 1.0.0 text format.
//!
//! <https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md>

use super::buckets::BucketLabels;
use super::sample::{SampleWriter, push_pair};
use super::{escape, number};
use crate::collect::{
    ExemplarSample, ExpositionSink, FamilyHeader, HistogramReading, SeriesSink, SummarySample,
    Value,
};
use crate::label::LabelValues;

/// Writes OpenMetrics into a buffer; [`OpenMetricsEncoder::finish`] writes `# EOF`.
#[derive(Debug)]
pub struct OpenMetricsEncoder<'b> {
    out: &'b mut Vec<u8>,
    writer: SampleWriter,
    buckets: BucketLabels,
    le: Vec<u8>,
}

impl<'b> OpenMetricsEncoder<'b> {
    /// An encoder appending to `out`.
    pub fn new(out: &'b mut Vec<u8>) -> Self {
        Self {
            out,
            writer: SampleWriter::default(),
            buckets: BucketLabels::default(),
            le: Vec::new(),
        }
    }

    /// Writes the mandatory `# EOF` line.
    pub fn finish(self) {
        self.out.extend_from_slice(b"# EOF\n");
    }

    fn meta(&mut self, keyword: &[u8]) {
        self.out.extend_from_slice(keyword);
        self.out.extend_from_slice(self.writer.name());
        self.out.push(b' ');
    }
}

impl ExpositionSink for OpenMetricsEncoder<'_> {
    fn family(&mut self, header: &FamilyHeader<'_>) {
        // The family name is the counter's name without `_total` (section "Counter").
        self.writer.start_family(header.name, header.const_labels);
        self.meta(b"# TYPE ");
        self.out.extend_from_slice(header.kind.as_str().as_bytes());
        self.out.push(b'\n');
        // "An underscore and the unit MUST be the suffix of the MetricFamily name"
        // (section "UNIT"): `latency_seconds` has unit `seconds`, `xseconds` has none.
        if has_unit_suffix(header.name, header.unit) {
            self.meta(b"# UNIT ");
            self.out.extend_from_slice(header.unit.as_bytes());
            self.out.push(b'\n');
        }
        self.meta(b"# HELP ");
        escape::openmetrics_help(self.out, header.help);
        self.out.push(b'\n');
    }
}

impl SeriesSink for OpenMetricsEncoder<'_> {
    fn counter(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.counter_with_exemplar(labels, value, None);
    }

    fn counter_with_exemplar(
        &mut self,
        labels: &LabelValues<'_>,
        value: Value,
        exemplar: Option<&ExemplarSample<'_>>,
    ) {
        self.writer.single_unended(self.out, "_total", labels, value);
        end_sample(self.out, exemplar);
    }

    fn gauge(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.writer.single(self.out, "", labels, value);
    }

    fn unknown(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.gauge(labels, value);
    }

    /// The classic buckets with their exemplars: OpenMetrics 1.0 has no native
    /// buckets.
    fn histogram(&mut self, labels: &LabelValues<'_>, reading: &HistogramReading<'_>) {
        let (sample, exemplars) = (&reading.classic, reading.exemplars);
        self.writer.start_series(labels);
        self.buckets.write(&self.writer, self.out, sample, |out, i| {
            end_sample(out, exemplars.get(i).and_then(Option::as_ref));
        });
        // "Sum, and buckets values are counters so MUST NOT be NaN or negative.
        // Negative threshold buckets MAY be used, but then the Histogram MetricPoint
        // MUST NOT contain a sum value", and `_count` is there "if and only if a Sum
        // Value is present" (section "Histogram"): both go, together, when the sum
        // cannot be a counter. The text format has no such rule and keeps them.
        let negative_bounds = sample.bounds.first().is_some_and(|b| *b < 0.0);
        if is_counter_value(sample.sum) && !negative_bounds {
            self.writer.sample(self.out, "_count", None, Value::UInt(sample.count()));
            self.writer.sample(self.out, "_sum", None, Value::Float(sample.sum));
        }
    }

    fn summary(&mut self, labels: &LabelValues<'_>, sample: &SummarySample<'_>) {
        self.writer.start_series(labels);
        for (quantile, value) in sample.quantiles {
            self.le.clear();
            number::float(&mut self.le, *quantile);
            self.writer.sample(self.out, "", Some(("quantile", &self.le)), Value::Float(*value));
        }
        self.writer.sample(self.out, "_count", None, Value::UInt(sample.count));
        // "Count and Sum values are counters so MUST NOT be NaN or negative" (section
        // "Summary"); unlike a histogram's, a summary's count stands without its sum.
        if is_counter_value(sample.sum) {
            self.writer.sample(self.out, "_sum", None, Value::Float(sample.sum));
        }
    }
}

/// Ends a sample line, with ` # {labels} value timestamp` before the newline when
/// there is an exemplar (section "Exemplars").
#[inline]
fn end_sample(out: &mut Vec<u8>, exemplar: Option<&ExemplarSample<'_>>) {
    if let Some(exemplar) = exemplar {
        out.extend_from_slice(b" # {");
        for (i, (name, value)) in exemplar.labels.clone().enumerate() {
            push_pair(out, i > 0, name, value);
        }
        out.extend_from_slice(b"} ");
        number::float(out, exemplar.value);
        out.push(b' ');
        number::millis_as_seconds(out, exemplar.timestamp_ms);
    }
    out.push(b'\n');
}

/// Whether `name` ends with `_` and `unit`.
fn has_unit_suffix(name: &str, unit: &str) -> bool {
    !unit.is_empty()
        && name.strip_suffix(unit).is_some_and(|stem| stem.len() > 1 && stem.ends_with('_'))
}

/// Whether `v` can be a counter's value: not NaN, not negative (`+Inf` can).
fn is_counter_value(v: f64) -> bool {
    v >= 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::HistogramSample;
    use crate::descriptor::MetricKind;
    use crate::exemplar::Exemplar;

    fn header<'a>(name: &'a str, kind: MetricKind, unit: &'a str) -> FamilyHeader<'a> {
        FamilyHeader { name, help: "h", kind, unit, const_labels: &[] }
    }

    fn histogram(bounds: &[f64], cumulative: &[u64], sum: f64) -> String {
        let mut out = Vec::new();
        let mut encoder = OpenMetricsEncoder::new(&mut out);
        encoder.family(&header("h_seconds", MetricKind::Histogram, "seconds"));
        let sample = HistogramSample { bounds, cumulative, sum };
        encoder.histogram(&LabelValues::EMPTY, &HistogramReading::classic(sample));
        encoder.finish();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn unit_is_written_only_after_an_underscore() {
        assert!(has_unit_suffix("latency_seconds", "seconds"));
        assert!(!has_unit_suffix("latency_xseconds", "seconds"));
        assert!(!has_unit_suffix("seconds", "seconds"));
        assert!(!has_unit_suffix("_seconds", "seconds"));
        assert!(!has_unit_suffix("latency_seconds", ""));
        let mut out = Vec::new();
        let mut encoder = OpenMetricsEncoder::new(&mut out);
        encoder.family(&header("disk_xbytes", MetricKind::Gauge, "bytes"));
        encoder.family(&header("disk_bytes", MetricKind::Gauge, "bytes"));
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains("# UNIT disk_xbytes"), "{out}");
        assert!(out.contains("# TYPE disk_bytes gauge\n# UNIT disk_bytes bytes\n"), "{out}");
    }

    #[test]
    fn histogram_sum_and_count_go_together_and_only_when_the_sum_is_a_counter() {
        let ok = histogram(&[1.0], &[1, 2], 2.5);
        assert!(ok.ends_with("h_seconds_count 2\nh_seconds_sum 2.5\n# EOF\n"), "{ok}");
        let inf = histogram(&[1.0], &[1, 2], f64::INFINITY);
        assert!(inf.contains("h_seconds_sum +Inf\n"), "{inf}");
        for (bounds, sum) in [(&[1.0][..], f64::NAN), (&[1.0][..], -0.5), (&[-1.0, 1.0][..], 3.0)] {
            let cumulative: Vec<u64> = (1..=bounds.len() as u64 + 1).collect();
            let out = histogram(bounds, &cumulative, sum);
            assert!(!out.contains("_sum") && !out.contains("_count"), "{out}");
            assert!(out.contains("h_seconds_bucket{le=\"+Inf\"}"), "{out}");
        }
    }

    fn exemplar_sample(exemplar: &Exemplar, value: f64, timestamp_ms: u64) -> ExemplarSample<'_> {
        ExemplarSample { labels: exemplar.labels(), value, timestamp_ms }
    }

    /// The histogram of the spec's section "Exemplars" (and its example "Histogram
    /// with exemplars"): the exemplar follows the bucket its value falls in.
    #[test]
    fn histogram_bucket_exemplars_as_in_the_spec() {
        let empty = Exemplar::empty();
        let koo = Exemplar::new(&[("trace_id", "KOO5S4vxi0o")]).unwrap();
        let ohg = Exemplar::new(&[("trace_id", "oHg5SJYRHA0")]).unwrap();
        let exemplars = [
            None,
            Some(exemplar_sample(&empty, 0.054, 1_520_879_607_000)),
            Some(exemplar_sample(&koo, 0.67, 1_520_879_607_000)),
            Some(exemplar_sample(&ohg, 9.8, 1_520_879_607_789)),
            None,
        ];
        let mut out = Vec::new();
        let mut encoder = OpenMetricsEncoder::new(&mut out);
        encoder.family(&header("foo", MetricKind::Histogram, ""));
        let sample = HistogramSample {
            bounds: &[0.01, 0.1, 1.0, 10.0],
            cumulative: &[0, 8, 11, 17, 17],
            sum: 324_789.3,
        };
        let reading = HistogramReading { classic: sample, native: None, exemplars: &exemplars };
        encoder.histogram(&LabelValues::EMPTY, &reading);
        encoder.finish();
        let out = String::from_utf8(out).unwrap();
        let expected = "foo_bucket{le=\"0.01\"} 0\n\
                        foo_bucket{le=\"0.1\"} 8 # {} 0.054 1520879607.000\n\
                        foo_bucket{le=\"1.0\"} 11 # {trace_id=\"KOO5S4vxi0o\"} 0.67 1520879607.000\n\
                        foo_bucket{le=\"10.0\"} 17 # {trace_id=\"oHg5SJYRHA0\"} 9.8 1520879607.789\n\
                        foo_bucket{le=\"+Inf\"} 17\n\
                        foo_count 17\n\
                        foo_sum 324789.3\n";
        assert!(out.contains(expected), "{out}");
    }

    /// The spec's counter example, `foo_total 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 1`,
    /// as this encoder writes it (no sample timestamp; the exemplar's after its value).
    #[test]
    fn counter_exemplar_as_in_the_spec() {
        let koo = Exemplar::new(&[("trace_id", "KOO5S4vxi0o")]).unwrap();
        let mut out = Vec::new();
        let mut encoder = OpenMetricsEncoder::new(&mut out);
        encoder.family(&header("foo", MetricKind::Counter, ""));
        let labels = LabelValues { names: &["a"], values: &["x\"y"] };
        let exemplar = exemplar_sample(&koo, 1.0, 1_520_879_607_789);
        encoder.counter_with_exemplar(&labels, Value::Float(17.0), Some(&exemplar));
        encoder.counter_with_exemplar(&labels, Value::UInt(3), None);
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.ends_with(
                "foo_total{a=\"x\\\"y\"} 17.0 # {trace_id=\"KOO5S4vxi0o\"} 1.0 1520879607.789\n\
                 foo_total{a=\"x\\\"y\"} 3\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn exemplar_label_values_are_escaped() {
        let exemplar = Exemplar::new(&[("trace_id", "a\"b\\c\nd"), ("span_id", "1")]).unwrap();
        let mut out = Vec::new();
        let mut encoder = OpenMetricsEncoder::new(&mut out);
        encoder.family(&header("foo", MetricKind::Counter, ""));
        let sample = exemplar_sample(&exemplar, 2.0, 0);
        encoder.counter_with_exemplar(&LabelValues::EMPTY, Value::UInt(2), Some(&sample));
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.ends_with("foo_total 2 # {trace_id=\"a\\\"b\\\\c\\nd\",span_id=\"1\"} 2.0 0.000\n"),
            "{out}"
        );
    }

    #[test]
    fn summary_keeps_its_count_without_a_nan_sum() {
        let mut out = Vec::new();
        let mut encoder = OpenMetricsEncoder::new(&mut out);
        encoder.family(&header("s", MetricKind::Summary, ""));
        encoder.summary(
            &LabelValues::EMPTY,
            &SummarySample { quantiles: &[(0.5, 1.0)], sum: f64::NAN, count: 3 },
        );
        let out = String::from_utf8(out).unwrap();
        assert!(out.ends_with("s{quantile=\"0.5\"} 1.0\ns_count 3\n"), "{out}");
    }
}
