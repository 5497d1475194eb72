//! Foreign → ours: the families of attached `prometheus::Registry`s, gathered at
//! each collection and sent to our sink after our own families.
//!
//! A family is checked whole before its header is sent, because once sent it cannot
//! be taken back. It is left out when it would make the exposition invalid:
//!
//! - `name_collision`: its family name or one of its sample names is already used by
//!   one of our families, the runtime's own, or an earlier attached family. Two
//!   families with one name, or one sample name in two families, are invalid
//!   OpenMetrics, and Prometheus would reject the whole scrape; ours win because
//!   they are declared and checked at registration, while the foreign side can
//!   change from scrape to scrape.
//! - `reserved_name`: it starts with `metrics_runtime_`, the runtime's own prefix.
//! - `invalid_name`, `invalid_label`, `duplicate_series`, `invalid_value`: a name or
//!   label name outside the Prometheus grammar (or `le`/`quantile` where reserved),
//!   two series with one label set, a negative or NaN counter, histogram buckets
//!   out of order or not cumulative, a quantile outside `[0, 1]`.
//! - `unreadable`: an untyped sample when the `prometheus` crate is built with its
//!   `protobuf` feature, which gives no way to read it (see `interop::model`).
//!
//! Every family left out is shown, with its series count, in the gauge
//! [`FOREIGN_SKIPPED_NAME`]`{family="…",reason="…"}`, written last.
//!
//! Names: a counter family `x_total` becomes our counter `x` (our encoders add the
//! `_total` back, and OpenMetrics names the family without it); a counter not named
//! `…_total` gains the suffix, as OpenMetrics requires and client_golang does.
//! Timestamps on foreign samples are dropped: neither of our encoders writes them.

use std::collections::{BTreeMap, HashSet};

use prometheus::proto::{self, MetricFamily, MetricType};

// `ValueFromGet` is reached only under the plain model (see `interop::model`).
#[allow(unused_imports)]
use super::model::{self, ValueFromGet};
use crate::collect::{
    ExpositionSink, FamilyHeader, HistogramReading, HistogramSample, SeriesSink, SummarySample,
    Value,
};
use crate::descriptor::MetricKind;
use crate::label::LabelValues;
use crate::names;

/// Name of the gauge of series left out of an exposition, by foreign family and
/// reason. See [`Registry::attach_prometheus`](crate::Registry::attach_prometheus).
pub const FOREIGN_SKIPPED_NAME: &str = "metrics_runtime_foreign_skipped_series";

/// Why a foreign family was left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Skip {
    NameCollision,
    ReservedName,
    InvalidName,
    InvalidLabel,
    DuplicateSeries,
    InvalidValue,
    Unreadable,
}

impl Skip {
    fn as_str(self) -> &'static str {
        match self {
            Self::NameCollision => "name_collision",
            Self::ReservedName => "reserved_name",
            Self::InvalidName => "invalid_name",
            Self::InvalidLabel => "invalid_label",
            Self::DuplicateSeries => "duplicate_series",
            Self::InvalidValue => "invalid_value",
            Self::Unreadable => "unreadable",
        }
    }
}

/// Collects our families through `own`, then those of `foreign`, into `sink`.
pub(crate) fn collect_with_foreign(
    foreign: &[prometheus::Registry],
    sink: &mut dyn ExpositionSink,
    own: impl FnOnce(&mut dyn ExpositionSink),
) {
    let mut recorder = NameRecorder { sink, taken: HashSet::new() };
    own(&mut recorder);
    let NameRecorder { sink, mut taken } = recorder;

    let mut skipped: BTreeMap<(String, Skip), u64> = BTreeMap::new();
    let mut writer = FamilyWriter::default();
    for registry in foreign {
        for family in registry.gather() {
            let series = family.get_metric().len() as u64;
            let checked = check_family(&family).and_then(|checked| {
                if checked.names().any(|name| taken.contains(&name)) {
                    Err(Skip::NameCollision)
                } else {
                    Ok(checked)
                }
            });
            match checked {
                Ok(checked) => {
                    taken.extend(checked.names());
                    writer.write(&family, &checked, sink);
                }
                Err(reason) => {
                    *skipped.entry((family.name().to_owned(), reason)).or_default() += series;
                }
            }
        }
    }
    if !skipped.is_empty() {
        write_skipped(&skipped, sink);
    }
}

fn write_skipped(skipped: &BTreeMap<(String, Skip), u64>, sink: &mut dyn ExpositionSink) {
    sink.family(&FamilyHeader {
        name: FOREIGN_SKIPPED_NAME,
        help: "Series of attached prometheus registries left out of this exposition, by family \
               and reason: the name collides with another family's, or the family is invalid.",
        kind: MetricKind::Gauge,
        unit: "",
        const_labels: &[],
    });
    for ((family, reason), series) in skipped {
        let values = [family.as_str(), reason.as_str()];
        let labels = LabelValues { names: &["family", "reason"], values: &values };
        sink.gauge(&labels, Value::UInt(*series));
    }
}

/// The names a family takes in an exposition: its family name and each sample name.
fn taken_names(name: &str, kind: MetricKind) -> impl Iterator<Item = String> + '_ {
    let suffixes: &[&str] = match kind {
        MetricKind::Counter => &["", "_total"],
        MetricKind::Gauge | MetricKind::Unknown => &[""],
        MetricKind::Histogram => &["", "_bucket", "_sum", "_count"],
        MetricKind::Summary => &["", "_sum", "_count"],
    };
    suffixes.iter().map(move |suffix| format!("{name}{suffix}"))
}

/// Forwards everything to the sink and notes the names our families take.
struct NameRecorder<'s> {
    sink: &'s mut dyn ExpositionSink,
    taken: HashSet<String>,
}

impl ExpositionSink for NameRecorder<'_> {
    fn family(&mut self, header: &FamilyHeader<'_>) {
        self.taken.extend(taken_names(header.name, header.kind));
        self.sink.family(header);
    }
}

impl SeriesSink for NameRecorder<'_> {
    fn counter(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.sink.counter(labels, value);
    }
    fn gauge(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.sink.gauge(labels, value);
    }
    fn histogram(&mut self, labels: &LabelValues<'_>, reading: &HistogramReading<'_>) {
        self.sink.histogram(labels, reading);
    }
    fn summary(&mut self, labels: &LabelValues<'_>, sample: &SummarySample<'_>) {
        self.sink.summary(labels, sample);
    }
    fn unknown(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.sink.unknown(labels, value);
    }
}

/// A foreign family that passed every check.
struct Checked<'f> {
    /// The family name in our terms (a counter's without `_total`).
    name: &'f str,
    kind: MetricKind,
}

impl Checked<'_> {
    fn names(&self) -> impl Iterator<Item = String> + '_ {
        taken_names(self.name, self.kind)
    }
}

/// The exposition grammar, colons included: `[a-zA-Z_:][a-zA-Z0-9_:]*`. Colons are
/// legal in an exposition even though our own declarations may not use them.
fn is_exposition_metric_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b':')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
}

fn check_family(family: &MetricFamily) -> Result<Checked<'_>, Skip> {
    let full = family.name();
    if !is_exposition_metric_name(full) {
        return Err(Skip::InvalidName);
    }
    if full.starts_with("metrics_runtime_") {
        return Err(Skip::ReservedName);
    }
    #[allow(unreachable_patterns)] // The protobuf model's enum may grow.
    let kind = match family.get_field_type() {
        MetricType::COUNTER => MetricKind::Counter,
        MetricType::GAUGE => MetricKind::Gauge,
        MetricType::HISTOGRAM => MetricKind::Histogram,
        MetricType::SUMMARY => MetricKind::Summary,
        MetricType::UNTYPED => MetricKind::Unknown,
        _ => return Err(Skip::Unreadable),
    };
    let name = match full.strip_suffix("_total") {
        Some(stem) if kind == MetricKind::Counter && is_exposition_metric_name(stem) => stem,
        _ => full,
    };
    let reserved = match kind {
        MetricKind::Histogram => "le",
        MetricKind::Summary => "quantile",
        _ => "",
    };
    let mut label_sets: HashSet<Vec<(&str, &str)>> = HashSet::new();
    for metric in family.get_metric() {
        let mut set: Vec<(&str, &str)> =
            metric.get_label().iter().map(|pair| (pair.name(), pair.value())).collect();
        set.sort_unstable();
        for (i, (label, _)) in set.iter().enumerate() {
            let repeated = i > 0 && set[i - 1].0 == *label;
            if !names::is_valid_label_name(label) || *label == reserved || repeated {
                return Err(Skip::InvalidLabel);
            }
        }
        if !label_sets.insert(set) {
            return Err(Skip::DuplicateSeries);
        }
        check_values(kind, metric)?;
    }
    Ok(Checked { name, kind })
}

fn check_values(kind: MetricKind, metric: &proto::Metric) -> Result<(), Skip> {
    match kind {
        MetricKind::Counter => {
            // OpenMetrics: "A Total is a non-NaN and MUST be monotonically
            // non-decreasing over time, starting from 0."
            let value = metric.get_counter().value();
            if value.is_nan() || value < 0.0 {
                return Err(Skip::InvalidValue);
            }
        }
        MetricKind::Gauge => {}
        MetricKind::Unknown => {
            if model::untyped_value(metric).is_none() {
                return Err(Skip::Unreadable);
            }
        }
        MetricKind::Histogram => {
            let histogram = metric.get_histogram();
            let buckets = histogram.get_bucket();
            let mut previous: Option<(f64, u64)> = None;
            for (i, bucket) in buckets.iter().enumerate() {
                let (bound, count) = (bucket.upper_bound(), bucket.cumulative_count());
                let last_is_inf = i + 1 == buckets.len() && bound == f64::INFINITY;
                if bound.is_nan() || (bound == f64::INFINITY && !last_is_inf) {
                    return Err(Skip::InvalidValue);
                }
                // NaN bounds were refused above, so `<=` is "not ascending".
                if previous.is_some_and(|(p_bound, p_count)| bound <= p_bound || count < p_count) {
                    return Err(Skip::InvalidValue);
                }
                if !last_is_inf {
                    previous = Some((bound, count));
                }
            }
            // The `+Inf` bucket is the count (see `FamilyWriter::histogram`), so the
            // count must cover every finite bucket.
            if previous.is_some_and(|(_, count)| histogram.get_sample_count() < count) {
                return Err(Skip::InvalidValue);
            }
        }
        MetricKind::Summary => {
            let mut quantiles: Vec<f64> =
                metric.get_summary().get_quantile().iter().map(|q| q.quantile()).collect();
            // OpenMetrics: "Quantiles MUST be between 0 and 1 inclusive."
            if quantiles.iter().any(|q| !(0.0..=1.0).contains(q)) {
                return Err(Skip::InvalidValue);
            }
            quantiles.sort_by(f64::total_cmp);
            if quantiles.windows(2).any(|w| w[0] == w[1]) {
                return Err(Skip::DuplicateSeries);
            }
        }
    }
    Ok(())
}

/// Sends a checked foreign family to a sink; its buffers are reused between
/// families.
#[derive(Default)]
struct FamilyWriter {
    bounds: Vec<f64>,
    cumulative: Vec<u64>,
    quantiles: Vec<(f64, f64)>,
}

impl FamilyWriter {
    fn write(
        &mut self,
        family: &MetricFamily,
        checked: &Checked<'_>,
        sink: &mut dyn ExpositionSink,
    ) {
        sink.family(&FamilyHeader {
            name: checked.name,
            help: family.help(),
            kind: checked.kind,
            unit: "",
            const_labels: &[],
        });
        let mut names: Vec<&str> = Vec::new();
        let mut values: Vec<&str> = Vec::new();
        for metric in family.get_metric() {
            names.clear();
            values.clear();
            for pair in metric.get_label() {
                names.push(pair.name());
                values.push(pair.value());
            }
            let labels = LabelValues { names: &names, values: &values };
            match checked.kind {
                MetricKind::Counter => {
                    sink.counter(&labels, Value::Float(metric.get_counter().value()));
                }
                MetricKind::Gauge => sink.gauge(&labels, Value::Float(metric.get_gauge().value())),
                MetricKind::Unknown => {
                    // Checked readable in `check_values`.
                    let value = model::untyped_value(metric).unwrap_or(f64::NAN);
                    sink.unknown(&labels, Value::Float(value));
                }
                MetricKind::Histogram => self.histogram(metric, &labels, sink),
                MetricKind::Summary => self.summary(metric, &labels, sink),
            }
        }
    }

    /// The `prometheus` crate leaves the `+Inf` bucket out (its encoders add it from
    /// the count); another collector may include it. Either way the `+Inf` bucket
    /// written is the count, as both formats require.
    fn histogram(
        &mut self,
        metric: &proto::Metric,
        labels: &LabelValues<'_>,
        sink: &mut dyn SeriesSink,
    ) {
        let histogram = metric.get_histogram();
        self.bounds.clear();
        self.cumulative.clear();
        for bucket in histogram.get_bucket() {
            if bucket.upper_bound() != f64::INFINITY {
                self.bounds.push(bucket.upper_bound());
                self.cumulative.push(bucket.cumulative_count());
            }
        }
        self.cumulative.push(histogram.get_sample_count());
        let sample = HistogramSample {
            bounds: &self.bounds,
            cumulative: &self.cumulative,
            sum: histogram.get_sample_sum(),
        };
        sink.histogram(labels, &HistogramReading::classic(sample));
    }

    fn summary(
        &mut self,
        metric: &proto::Metric,
        labels: &LabelValues<'_>,
        sink: &mut dyn SeriesSink,
    ) {
        let summary = metric.get_summary();
        self.quantiles.clear();
        self.quantiles.extend(summary.get_quantile().iter().map(|q| (q.quantile(), q.value())));
        let sample = SummarySample {
            quantiles: &self.quantiles,
            sum: summary.sample_sum(),
            count: summary.sample_count(),
        };
        sink.summary(labels, &sample);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use prometheus::core::{Collector, Desc};
    use prometheus::proto::{Bucket, LabelPair, Metric, MetricFamily, MetricType, Quantile};
    use prometheus::{HistogramOpts, IntCounterVec, Opts};

    use super::super::fixtures::{Shop, assert_unique_families};
    use crate::{FOREIGN_SKIPPED_NAME, Format, Metrics, Registry};

    /// Families the `prometheus` crate's own metric types cannot make: a summary,
    /// an untyped sample, and broken ones. Written for the plain model, the one this
    /// workspace builds.
    #[derive(Debug)]
    struct Handmade(Vec<MetricFamily>);

    impl Collector for Handmade {
        fn desc(&self) -> Vec<&Desc> {
            Vec::new()
        }
        fn collect(&self) -> Vec<MetricFamily> {
            self.0.clone()
        }
    }

    fn labels(pairs: &[(&str, &str)]) -> Vec<LabelPair> {
        pairs
            .iter()
            .map(|(k, v)| {
                let mut pair = LabelPair::default();
                pair.set_name((*k).to_owned());
                pair.set_value((*v).to_owned());
                pair
            })
            .collect()
    }

    fn family(name: &str, kind: MetricType, metrics: Vec<Metric>) -> MetricFamily {
        let mut family = MetricFamily::default();
        family.set_name(name.to_owned());
        family.set_help(format!("Help of {name}."));
        family.set_field_type(kind);
        family.set_metric(metrics);
        family
    }

    fn counter(pairs: &[(&str, &str)], value: f64) -> Metric {
        let mut counter = prometheus::proto::Counter::default();
        counter.set_value(value);
        let mut metric = Metric::from_label(labels(pairs));
        metric.set_counter(counter);
        metric
    }

    #[allow(deprecated)] // Untyped has no other setter in the plain model.
    fn untyped(value: f64) -> Metric {
        let mut untyped = prometheus::proto::Untyped::default();
        untyped.set_value(value);
        let mut metric = Metric::default();
        metric.set_untyped(untyped);
        metric
    }

    fn summary(quantiles: &[(f64, f64)], sum: f64, count: u64) -> Metric {
        let mut summary = prometheus::proto::Summary::default();
        summary.set_sample_sum(sum);
        summary.set_sample_count(count);
        summary.set_quantile(
            quantiles
                .iter()
                .map(|(q, v)| {
                    let mut quantile = Quantile::default();
                    quantile.set_quantile(*q);
                    quantile.set_value(*v);
                    quantile
                })
                .collect(),
        );
        let mut metric = Metric::from_label(labels(&[("queue", "default")]));
        metric.set_summary(summary);
        metric
    }

    fn histogram(buckets: &[(f64, u64)], sum: f64, count: u64) -> Metric {
        let mut histogram = prometheus::proto::Histogram::default();
        histogram.set_sample_sum(sum);
        histogram.set_sample_count(count);
        histogram.set_bucket(
            buckets
                .iter()
                .map(|(bound, count)| {
                    let mut bucket = Bucket::default();
                    bucket.set_upper_bound(*bound);
                    bucket.set_cumulative_count(*count);
                    bucket
                })
                .collect(),
        );
        let mut metric = Metric::default();
        metric.set_histogram(histogram);
        metric
    }

    /// A prometheus registry with the crate's own types, its process collector, and
    /// `handmade` families.
    fn foreign(handmade: Vec<MetricFamily>) -> prometheus::Registry {
        let registry = prometheus::Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("legacy_requests_total", "Requests served by the legacy stack."),
            &["code"],
        )
        .unwrap();
        requests.with_label_values(&["200"]).inc_by(7);
        registry.register(Box::new(requests)).unwrap();
        let queue = prometheus::Gauge::new("legacy_queue_depth", "Jobs waiting.").unwrap();
        queue.set(2.5);
        registry.register(Box::new(queue)).unwrap();
        let latency = prometheus::Histogram::with_opts(
            HistogramOpts::new("legacy_latency_seconds", "Legacy latency.").buckets(vec![0.1, 1.0]),
        )
        .unwrap();
        latency.observe(0.05);
        latency.observe(3.0);
        registry.register(Box::new(latency)).unwrap();
        registry
            .register(Box::new(prometheus::process_collector::ProcessCollector::for_self()))
            .unwrap();
        registry.register(Box::new(Handmade(handmade))).unwrap();
        registry
    }

    fn ours_with(foreign: prometheus::Registry) -> (Registry, Arc<Shop>) {
        let registry = Registry::new();
        let shop = Shop::register(&registry).unwrap();
        shop.record();
        registry.attach_prometheus(foreign);
        (registry, shop)
    }

    #[test]
    fn foreign_families_appear_in_text_format() {
        let handmade = vec![
            family(
                "legacy_jobs_seconds",
                MetricType::SUMMARY,
                vec![summary(&[(0.5, 0.2), (0.99, 1.5)], 12.0, 40)],
            ),
            family("legacy_temperature", MetricType::UNTYPED, vec![untyped(-3.25)]),
        ];
        let (registry, _shop) = ours_with(foreign(handmade));
        let text = registry.encode_to_string(Format::Text);
        assert_unique_families(&text);
        for expected in [
            // Ours first, untouched.
            "# TYPE shop_orders_total counter\nshop_orders_total{shop=\"main\"} 3\n",
            // A counter named `…_total` keeps its sample name.
            "# HELP legacy_requests_total Requests served by the legacy stack.\n\
             # TYPE legacy_requests_total counter\n\
             legacy_requests_total{code=\"200\"} 7.0\n",
            "# TYPE legacy_queue_depth gauge\nlegacy_queue_depth 2.5\n",
            // Cumulative buckets, with `+Inf` equal to the count.
            "# TYPE legacy_latency_seconds histogram\n\
             legacy_latency_seconds_bucket{le=\"0.1\"} 1\n\
             legacy_latency_seconds_bucket{le=\"1.0\"} 1\n\
             legacy_latency_seconds_bucket{le=\"+Inf\"} 2\n\
             legacy_latency_seconds_sum 3.05\n\
             legacy_latency_seconds_count 2\n",
            "# TYPE legacy_jobs_seconds summary\n\
             legacy_jobs_seconds{queue=\"default\",quantile=\"0.5\"} 0.2\n\
             legacy_jobs_seconds{queue=\"default\",quantile=\"0.99\"} 1.5\n\
             legacy_jobs_seconds_sum{queue=\"default\"} 12.0\n\
             legacy_jobs_seconds_count{queue=\"default\"} 40\n",
            "# TYPE legacy_temperature untyped\nlegacy_temperature -3.25\n",
            // The process collector.
            "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ",
            "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ",
            "# TYPE process_open_fds gauge\nprocess_open_fds ",
            "# TYPE process_start_time_seconds gauge\n",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        assert!(!text.contains(FOREIGN_SKIPPED_NAME), "nothing was skipped:\n{text}");
    }

    #[test]
    fn foreign_families_appear_in_openmetrics() {
        let handmade = vec![
            family(
                "legacy_jobs_seconds",
                MetricType::SUMMARY,
                vec![summary(&[(0.5, 0.2)], 12.0, 40)],
            ),
            family("legacy_temperature", MetricType::UNTYPED, vec![untyped(-3.25)]),
        ];
        let (registry, _shop) = ours_with(foreign(handmade));
        let om = registry.encode_to_string(Format::OpenMetrics);
        assert_unique_families(&om);
        for expected in [
            // The counter family is named without `_total`; its sample keeps it.
            "# TYPE legacy_requests counter\n\
             # HELP legacy_requests Requests served by the legacy stack.\n\
             legacy_requests_total{code=\"200\"} 7.0\n",
            "# TYPE legacy_latency_seconds histogram\n\
             # HELP legacy_latency_seconds Legacy latency.\n\
             legacy_latency_seconds_bucket{le=\"0.1\"} 1\n\
             legacy_latency_seconds_bucket{le=\"1.0\"} 1\n\
             legacy_latency_seconds_bucket{le=\"+Inf\"} 2\n\
             legacy_latency_seconds_count 2\n\
             legacy_latency_seconds_sum 3.05\n",
            "# TYPE legacy_jobs_seconds summary\n",
            "legacy_jobs_seconds{queue=\"default\",quantile=\"0.5\"} 0.2\n",
            "# TYPE legacy_temperature unknown\n",
            "# TYPE process_cpu_seconds counter\n",
            "\nprocess_cpu_seconds_total ",
            "# TYPE process_virtual_memory_bytes gauge\n",
            "# TYPE process_threads gauge\n",
        ] {
            assert!(om.contains(expected), "missing {expected:?} in:\n{om}");
        }
        assert!(om.ends_with("# EOF\n"));
        assert_eq!(om.matches("# EOF").count(), 1);
    }

    #[test]
    fn a_counter_without_total_gains_it() {
        let handmade =
            vec![family("legacy_restarts", MetricType::COUNTER, vec![counter(&[], 2.0)])];
        let (registry, _shop) = ours_with(foreign(handmade));
        let text = registry.encode_to_string(Format::Text);
        assert!(text.contains("# TYPE legacy_restarts_total counter\nlegacy_restarts_total 2.0\n"));
        let om = registry.encode_to_string(Format::OpenMetrics);
        assert!(om.contains("# TYPE legacy_restarts counter\n"));
        assert!(om.contains("\nlegacy_restarts_total 2.0\n"));
    }

    #[test]
    fn histogram_gets_its_inf_bucket_from_the_count() {
        let handmade = vec![
            // With a `+Inf` bucket of its own that disagrees with the count: the count wins.
            family(
                "custom_sizes_bytes",
                MetricType::HISTOGRAM,
                vec![histogram(&[(10.0, 1), (100.0, 4), (f64::INFINITY, 5)], 321.0, 6)],
            ),
            // No bucket at all: `+Inf` alone.
            family("custom_empty", MetricType::HISTOGRAM, vec![histogram(&[], 0.0, 3)]),
        ];
        let (registry, _shop) = ours_with(foreign(handmade));
        for format in [Format::Text, Format::OpenMetrics] {
            let out = registry.encode_to_string(format);
            assert!(out.contains("custom_sizes_bytes_bucket{le=\"100.0\"} 4\ncustom_sizes_bytes_bucket{le=\"+Inf\"} 6\n"), "{out}");
            assert_eq!(out.matches("custom_sizes_bytes_bucket{le=\"+Inf\"}").count(), 1);
            assert!(out.contains("custom_sizes_bytes_count 6\n"));
            assert!(out.contains("custom_empty_bucket{le=\"+Inf\"} 3\n"));
        }
    }

    #[test]
    fn colliding_and_invalid_families_are_skipped_and_counted() {
        let handmade = vec![
            // `shop_orders` is ours: a foreign counter `shop_orders_total` is the same family.
            family("shop_orders_total", MetricType::COUNTER, vec![counter(&[], 1.0)]),
            // A gauge whose name is our counter's sample name.
            family("shop_requests_total", MetricType::GAUGE, vec![Metric::default()]),
            // A gauge named like our histogram's buckets.
            family("shop_latency_seconds_bucket", MetricType::GAUGE, vec![Metric::default()]),
            family("metrics_runtime_fake", MetricType::GAUGE, vec![Metric::default()]),
            family("bad-name", MetricType::GAUGE, vec![Metric::default()]),
            family("bad_label", MetricType::COUNTER, vec![counter(&[("__reserved", "x")], 1.0)]),
            family(
                "dup_labels",
                MetricType::COUNTER,
                vec![counter(&[("a", "1"), ("a", "2")], 1.0)],
            ),
            family(
                "dup_series",
                MetricType::COUNTER,
                vec![counter(&[("a", "1")], 1.0), counter(&[("a", "1")], 2.0)],
            ),
            family("negative", MetricType::COUNTER, vec![counter(&[], -1.0)]),
            family("nan_counter", MetricType::COUNTER, vec![counter(&[], f64::NAN)]),
            family(
                "not_cumulative",
                MetricType::HISTOGRAM,
                vec![histogram(&[(1.0, 5), (2.0, 3)], 1.0, 5)],
            ),
            family("count_too_low", MetricType::HISTOGRAM, vec![histogram(&[(1.0, 5)], 1.0, 4)]),
            family(
                "unsorted_bounds",
                MetricType::HISTOGRAM,
                vec![histogram(&[(2.0, 1), (1.0, 1)], 1.0, 1)],
            ),
            family(
                "le_label",
                MetricType::HISTOGRAM,
                vec![{
                    let mut m = histogram(&[(1.0, 1)], 1.0, 1);
                    m.set_label(labels(&[("le", "1")]));
                    m
                }],
            ),
            family("bad_quantile", MetricType::SUMMARY, vec![summary(&[(1.5, 1.0)], 1.0, 1)]),
            // Valid, and kept.
            family("custom_ok", MetricType::GAUGE, vec![Metric::default()]),
        ];
        let (registry, _shop) = ours_with(foreign(handmade));
        // A second attached registry with a family the first already exposed.
        let second = prometheus::Registry::new();
        let queue = prometheus::Gauge::new("legacy_queue_depth", "Jobs waiting, again.").unwrap();
        second.register(Box::new(queue)).unwrap();
        registry.attach_prometheus(second);

        let expected_skips = [
            ("bad-name", "invalid_name", 1),
            ("bad_label", "invalid_label", 1),
            ("bad_quantile", "invalid_value", 1),
            ("count_too_low", "invalid_value", 1),
            ("dup_labels", "invalid_label", 1),
            ("dup_series", "duplicate_series", 2),
            ("le_label", "invalid_label", 1),
            ("legacy_queue_depth", "name_collision", 1),
            ("metrics_runtime_fake", "reserved_name", 1),
            ("nan_counter", "invalid_value", 1),
            ("negative", "invalid_value", 1),
            ("not_cumulative", "invalid_value", 1),
            ("shop_latency_seconds_bucket", "name_collision", 1),
            ("shop_orders_total", "name_collision", 1),
            ("shop_requests_total", "name_collision", 1),
            ("unsorted_bounds", "invalid_value", 1),
        ];
        for format in [Format::Text, Format::OpenMetrics] {
            let out = registry.encode_to_string(format);
            assert_unique_families(&out);
            assert!(out.contains("custom_ok 0.0\n"), "{out}");
            // Ours are intact, once.
            assert_eq!(out.matches("shop_orders_total{").count(), 1, "{out}");
            assert_eq!(out.matches("\nshop_orders_total").count(), 1, "{out}");
            assert!(out.contains("legacy_queue_depth 2.5\n"));
            assert!(!out.contains("Jobs waiting, again."));
            for (family, reason, series) in expected_skips {
                let line = format!(
                    "{FOREIGN_SKIPPED_NAME}{{family=\"{family}\",reason=\"{reason}\"}} {series}\n"
                );
                assert!(out.contains(&line), "missing {line:?} in:\n{out}");
                if family != "legacy_queue_depth" {
                    assert!(!out.contains(&format!("\n{family} ")), "{family} exposed:\n{out}");
                }
            }
            assert_eq!(
                out.matches(&format!("\n{FOREIGN_SKIPPED_NAME}{{")).count(),
                expected_skips.len()
            );
        }
    }

    #[test]
    fn a_registry_attached_to_itself_through_a_collector_does_not_loop() {
        let registry = Arc::new(Registry::new());
        let shop = Shop::register(&registry).unwrap();
        shop.record();
        let theirs = prometheus::Registry::new();
        theirs
            .register(Box::new(crate::PrometheusCollector::for_registry(registry.clone()).unwrap()))
            .unwrap();
        registry.attach_prometheus(theirs);
        let out = registry.encode_to_string(Format::OpenMetrics);
        assert_unique_families(&out);
        // Everything came back as itself, so every foreign family collides.
        assert!(out.contains(&format!(
            "{FOREIGN_SKIPPED_NAME}{{family=\"shop_orders_total\",reason=\"name_collision\"}} 1\n"
        )));
        assert!(out.contains(&format!(
            "{FOREIGN_SKIPPED_NAME}{{family=\"metrics_runtime_refused_increments_total\",reason=\"reserved_name\"}} 1\n"
        )));
    }
}
