//! OpenMetrics 1.0.0 text format.
//!
//! <https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md>

use super::sample::SampleWriter;
use super::{escape, number};
use crate::collect::{
    ExpositionSink, FamilyHeader, HistogramSample, SeriesSink, SummarySample, Value,
};
use crate::label::LabelValues;

/// Writes OpenMetrics into a buffer; [`OpenMetricsEncoder::finish`] writes `# EOF`.
#[derive(Debug)]
pub struct OpenMetricsEncoder<'b> {
    out: &'b mut Vec<u8>,
    writer: SampleWriter,
    le: Vec<u8>,
}

impl<'b> OpenMetricsEncoder<'b> {
    /// An encoder appending to `out`.
    pub fn new(out: &'b mut Vec<u8>) -> Self {
        Self { out, writer: SampleWriter::default(), le: Vec::new() }
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
        // A unit must be a suffix of the family name (section "UNIT").
        if !header.unit.is_empty() && header.name.ends_with(header.unit) {
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
        self.writer.start_series(labels);
        self.writer.sample(self.out, "_total", None, value);
    }

    fn gauge(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.writer.start_series(labels);
        self.writer.sample(self.out, "", None, value);
    }

    fn unknown(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.gauge(labels, value);
    }

    fn histogram(&mut self, labels: &LabelValues<'_>, sample: &HistogramSample<'_>) {
        self.writer.start_series(labels);
        for (i, count) in sample.cumulative.iter().enumerate() {
            self.le.clear();
            match sample.bounds.get(i) {
                Some(bound) => number::float(&mut self.le, *bound),
                None => self.le.extend_from_slice(b"+Inf"),
            }
            self.writer.sample(self.out, "_bucket", Some(("le", &self.le)), Value::UInt(*count));
        }
        self.writer.sample(self.out, "_count", None, Value::UInt(sample.count()));
        self.writer.sample(self.out, "_sum", None, Value::Float(sample.sum));
    }

    fn summary(&mut self, labels: &LabelValues<'_>, sample: &SummarySample<'_>) {
        self.writer.start_series(labels);
        for (quantile, value) in sample.quantiles {
            self.le.clear();
            number::float(&mut self.le, *quantile);
            self.writer.sample(self.out, "", Some(("quantile", &self.le)), Value::Float(*value));
        }
        self.writer.sample(self.out, "_count", None, Value::UInt(sample.count));
        self.writer.sample(self.out, "_sum", None, Value::Float(sample.sum));
    }
}
