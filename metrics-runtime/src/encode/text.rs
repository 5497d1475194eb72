//! The Prometheus text exposition format, version 0.0.4.
//!
//! <https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format>

use super::buckets::BucketLabels;
use super::sample::SampleWriter;
use super::{escape, number};
use crate::collect::{
    ExpositionSink, FamilyHeader, HistogramReading, SeriesSink, SummarySample, Value,
};
use crate::descriptor::MetricKind;
use crate::label::LabelValues;

/// Writes the text format into a buffer.
#[derive(Debug)]
pub struct TextEncoder<'b> {
    out: &'b mut Vec<u8>,
    writer: SampleWriter,
    buckets: BucketLabels,
    le: Vec<u8>,
}

impl<'b> TextEncoder<'b> {
    /// An encoder appending to `out`.
    pub fn new(out: &'b mut Vec<u8>) -> Self {
        Self {
            out,
            writer: SampleWriter::default(),
            buckets: BucketLabels::default(),
            le: Vec::new(),
        }
    }

    /// Ends the exposition (the text format has no end marker).
    pub fn finish(self) {}
}

impl ExpositionSink for TextEncoder<'_> {
    fn family(&mut self, header: &FamilyHeader<'_>) {
        self.writer.start_family(header.name, header.const_labels);
        let counter = header.kind == MetricKind::Counter;
        // In 0.0.4 a counter family is named with its `_total` suffix.
        for line in [&b"# HELP "[..], &b"# TYPE "[..]] {
            self.out.extend_from_slice(line);
            self.out.extend_from_slice(self.writer.name());
            if counter {
                self.out.extend_from_slice(b"_total");
            }
            self.out.push(b' ');
            if line[2] == b'H' {
                escape::text_help(self.out, header.help);
            } else {
                self.out.extend_from_slice(match header.kind {
                    MetricKind::Unknown => b"untyped",
                    kind => kind.as_str().as_bytes(),
                });
            }
            self.out.push(b'\n');
        }
    }
}

impl SeriesSink for TextEncoder<'_> {
    fn counter(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.writer.single(self.out, "_total", labels, value);
    }

    fn gauge(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.writer.single(self.out, "", labels, value);
    }

    fn unknown(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.gauge(labels, value);
    }

    /// The classic buckets: the format has neither native buckets nor exemplars.
    fn histogram(&mut self, labels: &LabelValues<'_>, reading: &HistogramReading<'_>) {
        let sample = &reading.classic;
        self.writer.start_series(labels);
        self.buckets.write(&self.writer, self.out, sample, |out, _| out.push(b'\n'));
        self.writer.sample(self.out, "_sum", None, Value::Float(sample.sum));
        self.writer.sample(self.out, "_count", None, Value::UInt(sample.count()));
    }

    fn summary(&mut self, labels: &LabelValues<'_>, sample: &SummarySample<'_>) {
        self.writer.start_series(labels);
        for (quantile, value) in sample.quantiles {
            self.le.clear();
            number::float(&mut self.le, *quantile);
            self.writer.sample(self.out, "", Some(("quantile", &self.le)), Value::Float(*value));
        }
        self.writer.sample(self.out, "_sum", None, Value::Float(sample.sum));
        self.writer.sample(self.out, "_count", None, Value::UInt(sample.count));
    }
}
