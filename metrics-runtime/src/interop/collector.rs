//! Ours → foreign: our families as a collector of the `prometheus` crate.

use std::sync::Arc;

use prometheus::core::{Collector, Desc};
use prometheus::proto::{self, LabelPair, MetricFamily, MetricType};

use crate::collect::{
    ExpositionSink, FamilyHeader, FamilyShape, HistogramReading, SeriesSink, ShapeSink,
    SummarySample, Value,
};
use crate::descriptor::MetricKind;
use crate::label::LabelValues;
use crate::metrics::Metrics;
use crate::registry::{Registry, RegistryError, default_registry};

/// Our metric families as a [`prometheus::core::Collector`], for a service that
/// already serves a `prometheus::Registry`.
///
/// Counters are named with `_total`, as the `prometheus` crate names them;
/// histograms keep their buckets (without `+Inf`, which that crate's encoders add
/// from the count). The descriptors ([`Collector::desc`]) are built once, here.
///
/// ```
/// use std::sync::Arc;
/// use metrics_runtime::{Counter, Metrics, PrometheusCollector};
///
/// #[derive(Metrics)]
/// #[metrics(namespace = "interop_docs")]
/// struct Jobs {
///     /// Jobs run.
///     runs: Counter,
/// }
///
/// let jobs = Arc::new(Jobs::new_unregistered());
/// let theirs = prometheus::Registry::new();
/// theirs.register(Box::new(PrometheusCollector::new(jobs.clone())?)).unwrap();
/// jobs.runs.inc();
/// let families = theirs.gather();
/// assert_eq!(families[0].name(), "interop_docs_runs_total");
/// # Ok::<(), metrics_runtime::RegistryError>(())
/// ```
pub struct PrometheusCollector {
    source: Box<dyn Source>,
    descs: Vec<Desc>,
}

impl core::fmt::Debug for PrometheusCollector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PrometheusCollector")
            .field("families", &self.descs.iter().map(|d| &d.fq_name).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl PrometheusCollector {
    /// A collector of the families of one metrics struct (no self-metrics, so that
    /// several such collectors can share a `prometheus::Registry`).
    ///
    /// Fails if a family cannot be described to the `prometheus` crate (a name or
    /// label it refuses); the error says which.
    pub fn new<T: Metrics>(metrics: Arc<T>) -> Result<Self, RegistryError> {
        Self::with_source(Box::new(MetricsSource(metrics)))
    }

    /// A collector of every family of `registry` and the runtime's self-metrics,
    /// but not of the `prometheus` registries attached to it (which would gather
    /// themselves).
    ///
    /// The descriptors list the families registered when this is called; families
    /// registered later are collected too, without a descriptor, which the
    /// `prometheus` crate accepts.
    pub fn for_registry(registry: Arc<Registry>) -> Result<Self, RegistryError> {
        Self::with_source(Box::new(RegistrySource::Shared(registry)))
    }

    /// [`PrometheusCollector::for_registry`] for the [`default_registry`].
    pub fn for_default_registry() -> Result<Self, RegistryError> {
        Self::with_source(Box::new(RegistrySource::Default))
    }

    fn with_source(source: Box<dyn Source>) -> Result<Self, RegistryError> {
        let mut shapes = ShapeSink::default();
        source.describe(&mut shapes);
        Ok(Self { descs: descs(shapes.families)?, source })
    }
}

impl Collector for PrometheusCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let mut sink = ProtoSink::default();
        self.source.collect(&mut sink);
        sink.families
    }
}

/// What a collector reads.
trait Source: Send + Sync {
    fn collect(&self, sink: &mut dyn ExpositionSink);

    /// Feeds `sink` what the descriptors need.
    fn describe(&self, sink: &mut ShapeSink) {
        self.collect(sink);
    }
}

struct MetricsSource<T>(Arc<T>);

impl<T: Metrics> Source for MetricsSource<T> {
    fn collect(&self, sink: &mut dyn ExpositionSink) {
        self.0.for_each_family(&mut |descriptor, family| {
            sink.family(&FamilyHeader::of(descriptor));
            family.collect(sink);
        });
    }

    /// A dynamic family may have no series yet: its descriptor names its labels.
    fn describe(&self, sink: &mut ShapeSink) {
        self.0.for_each_family(&mut |descriptor, family| {
            sink.family(&FamilyHeader::of(descriptor));
            if !descriptor.label_names.is_empty() {
                sink.see(&LabelValues { names: descriptor.label_names, values: &[] });
            }
            family.collect(sink);
        });
    }
}

enum RegistrySource {
    Shared(Arc<Registry>),
    Default,
}

impl Source for RegistrySource {
    fn collect(&self, sink: &mut dyn ExpositionSink) {
        match self {
            Self::Shared(registry) => registry.collect_own(sink),
            Self::Default => default_registry().collect_own(sink),
        }
    }
}

/// The name the `prometheus` crate gives a family: a counter's ends with `_total`.
fn proto_name(name: &str, kind: MetricKind) -> String {
    match kind {
        MetricKind::Counter => format!("{name}_total"),
        _ => name.to_owned(),
    }
}

/// The `prometheus` crate refuses an empty help; the name is the best stand-in.
fn proto_help<'a>(name: &'a str, help: &'a str) -> &'a str {
    if help.is_empty() { name } else { help }
}

fn descs(shapes: Vec<FamilyShape>) -> Result<Vec<Desc>, RegistryError> {
    shapes
        .into_iter()
        .map(|family| {
            let name = proto_name(&family.name, family.kind);
            let help = proto_help(&family.name, &family.help).to_owned();
            let const_labels = family.const_labels.into_iter().collect();
            Desc::new(name.clone(), help, family.label_names.unwrap_or_default(), const_labels)
                .map_err(|e| {
                    RegistryError::Prometheus(format!(
                        "the prometheus crate refuses to describe family `{name}`: {e}; \
                         give it a name and label names that `Registry::register` accepts"
                    ))
                })
        })
        .collect()
}

/// An [`ExpositionSink`] that builds `prometheus::proto` families: the collection
/// path that feeds our encoders, ending in the `prometheus` crate's model instead.
///
/// Only calls that both of that crate's models (plain and protobuf) share are used.
/// A family of unknown type is written as a gauge: neither model can be given an
/// untyped value the same way (ours never are; only attached registries' are, and
/// those are not collected here).
#[derive(Debug, Default)]
struct ProtoSink {
    families: Vec<MetricFamily>,
    const_labels: Vec<LabelPair>,
}

fn label_pair(name: &str, value: &str) -> LabelPair {
    let mut pair = LabelPair::default();
    pair.set_name(name.to_owned());
    pair.set_value(value.to_owned());
    pair
}

fn as_f64(value: Value) -> f64 {
    match value {
        Value::UInt(n) => n as f64,
        Value::Int(n) => n as f64,
        Value::Float(f) => f,
    }
}

impl ProtoSink {
    /// A metric with the family's constant labels, then the series' own.
    fn metric(&self, labels: &LabelValues<'_>) -> proto::Metric {
        let mut pairs = self.const_labels.clone();
        pairs.extend(labels.iter().map(|(name, value)| label_pair(name, value)));
        proto::Metric::from_label(pairs)
    }

    fn push(&mut self, metric: proto::Metric) {
        if let Some(family) = self.families.last_mut() {
            family.mut_metric().push(metric);
        }
    }
}

impl ExpositionSink for ProtoSink {
    fn family(&mut self, header: &FamilyHeader<'_>) {
        let mut family = MetricFamily::default();
        family.set_name(proto_name(header.name, header.kind));
        family.set_help(proto_help(header.name, header.help).to_owned());
        family.set_field_type(match header.kind {
            MetricKind::Counter => MetricType::COUNTER,
            MetricKind::Gauge | MetricKind::Unknown => MetricType::GAUGE,
            MetricKind::Histogram => MetricType::HISTOGRAM,
            MetricKind::Summary => MetricType::SUMMARY,
        });
        self.families.push(family);
        self.const_labels = header.const_labels.iter().map(|(k, v)| label_pair(k, v)).collect();
    }
}

impl SeriesSink for ProtoSink {
    fn counter(&mut self, labels: &LabelValues<'_>, value: Value) {
        let mut counter = proto::Counter::default();
        counter.set_value(as_f64(value));
        let mut metric = self.metric(labels);
        metric.set_counter(counter);
        self.push(metric);
    }

    fn gauge(&mut self, labels: &LabelValues<'_>, value: Value) {
        let mut gauge = proto::Gauge::default();
        gauge.set_value(as_f64(value));
        let mut metric = self.metric(labels);
        metric.set_gauge(gauge);
        self.push(metric);
    }

    fn unknown(&mut self, labels: &LabelValues<'_>, value: Value) {
        self.gauge(labels, value);
    }

    /// The classic buckets: what the `prometheus` crate's `Histogram` holds.
    fn histogram(&mut self, labels: &LabelValues<'_>, reading: &HistogramReading<'_>) {
        let sample = &reading.classic;
        let mut histogram = proto::Histogram::default();
        histogram.set_sample_count(sample.count());
        histogram.set_sample_sum(sample.sum);
        histogram.set_bucket(
            sample
                .bounds
                .iter()
                .zip(sample.cumulative)
                .map(|(bound, count)| {
                    let mut bucket = proto::Bucket::default();
                    bucket.set_upper_bound(*bound);
                    bucket.set_cumulative_count(*count);
                    bucket
                })
                .collect(),
        );
        let mut metric = self.metric(labels);
        metric.set_histogram(histogram);
        self.push(metric);
    }

    fn summary(&mut self, labels: &LabelValues<'_>, sample: &SummarySample<'_>) {
        let mut summary = proto::Summary::default();
        summary.set_sample_count(sample.count);
        summary.set_sample_sum(sample.sum);
        summary.set_quantile(
            sample
                .quantiles
                .iter()
                .map(|(q, v)| {
                    let mut quantile = proto::Quantile::default();
                    quantile.set_quantile(*q);
                    quantile.set_value(*v);
                    quantile
                })
                .collect(),
        );
        let mut metric = self.metric(labels);
        metric.set_summary(summary);
        self.push(metric);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use prometheus::core::Collector;
    use prometheus::proto::MetricType;
    use prometheus::{Encoder, TextEncoder};

    use super::super::fixtures::{BASE, Shop, assert_unique_families};
    use super::PrometheusCollector;
    use crate::__private::FamilyField;
    use crate::collect::CollectFamily;
    use crate::{Counter, FamilyDescriptor, Format, Metrics, Registry, RegistryError};

    fn prometheus_text(registry: &prometheus::Registry) -> String {
        let mut out = Vec::new();
        TextEncoder::new().encode(&registry.gather(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn descs_are_built_at_construction() {
        let shop = Arc::new(Shop::new_unregistered());
        let collector = PrometheusCollector::new(shop).unwrap();
        let descs = collector.desc();
        let summary: Vec<(&str, &[String], usize)> = descs
            .iter()
            .map(|d| (d.fq_name.as_str(), d.variable_labels.as_slice(), d.const_label_pairs.len()))
            .collect();
        let labels = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        let (payments, requests) = (labels(&["payment", "express"]), labels(&["route"]));
        assert_eq!(
            summary,
            vec![
                ("shop_orders_total", &[][..], 1),
                ("shop_payments_total", &payments[..], 0),
                ("shop_temperature_celsius", &[][..], 0),
                ("shop_latency_seconds", &[][..], 0),
                ("shop_requests_total", &requests[..], 0),
            ]
        );
        assert_eq!(descs[0].const_label_pairs[0].name(), "shop");
        assert_eq!(descs[0].const_label_pairs[0].value(), "main");
        assert_eq!(descs[0].help, "Orders placed.");
    }

    #[test]
    fn collected_families_have_prometheus_names_and_buckets() {
        let shop = Arc::new(Shop::new_unregistered());
        shop.record();
        let families = PrometheusCollector::new(shop).unwrap().collect();
        let names: Vec<&str> = families.iter().map(|f| f.name()).collect();
        assert_eq!(
            names,
            [
                "shop_orders_total",
                "shop_payments_total",
                "shop_temperature_celsius",
                "shop_latency_seconds",
                "shop_requests_total"
            ]
        );
        assert_eq!(families[0].get_field_type(), MetricType::COUNTER);
        assert_eq!(families[3].get_field_type(), MetricType::HISTOGRAM);
        let histogram = families[3].get_metric()[0].get_histogram();
        let buckets: Vec<(f64, u64)> = histogram
            .get_bucket()
            .iter()
            .map(|b| (b.upper_bound(), b.cumulative_count()))
            .collect();
        // No `+Inf` bucket: the prometheus crate's encoders add it from the count.
        assert_eq!(buckets, [(0.1, 1), (0.5, 1), (1.0, 2)]);
        assert_eq!(histogram.get_sample_count(), 2);
        assert_eq!(histogram.get_sample_sum(), 0.75);
    }

    #[test]
    fn a_prometheus_registry_serves_our_families_beside_its_own() {
        let shop = Arc::new(Shop::new_unregistered());
        let theirs = prometheus::Registry::new();
        theirs.register(Box::new(PrometheusCollector::new(shop.clone()).unwrap())).unwrap();
        theirs
            .register(Box::new(prometheus::process_collector::ProcessCollector::for_self()))
            .unwrap();
        // The same struct twice is refused by the prometheus registry (same descs).
        assert!(
            theirs.register(Box::new(PrometheusCollector::new(shop.clone()).unwrap())).is_err()
        );
        shop.record();

        let text = prometheus_text(&theirs);
        for expected in [
            "# HELP shop_orders_total Orders placed.\n# TYPE shop_orders_total counter\nshop_orders_total{shop=\"main\"} 3\n",
            "shop_payments_total{payment=\"card\",express=\"false\"} 2\n",
            "shop_payments_total{payment=\"transfer\",express=\"true\"} 1\n",
            "# TYPE shop_temperature_celsius gauge\nshop_temperature_celsius 21.5\n",
            "shop_latency_seconds_bucket{le=\"0.1\"} 1\n",
            "shop_latency_seconds_bucket{le=\"1\"} 2\n",
            "shop_latency_seconds_bucket{le=\"+Inf\"} 2\n",
            "shop_latency_seconds_count 2\n",
            "shop_requests_total{route=\"/cart\"} 1\n",
            "# TYPE process_cpu_seconds_total counter\n",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }

        // And back through our encoders, in both formats: ours → theirs → ours.
        let ours = Registry::new();
        ours.attach_prometheus(theirs);
        let text = ours.encode_to_string(Format::Text);
        assert_unique_families(&text);
        for expected in [
            "# TYPE shop_orders_total counter\nshop_orders_total{shop=\"main\"} 3.0\n",
            "shop_latency_seconds_bucket{le=\"1.0\"} 2\nshop_latency_seconds_bucket{le=\"+Inf\"} 2\n",
            "# TYPE process_cpu_seconds_total counter\n",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        let om = ours.encode_to_string(Format::OpenMetrics);
        assert_unique_families(&om);
        for expected in [
            "# TYPE shop_orders counter\n# HELP shop_orders Orders placed.\nshop_orders_total{shop=\"main\"} 3.0\n",
            "# TYPE shop_latency_seconds histogram\n",
            "shop_latency_seconds_bucket{le=\"+Inf\"} 2\nshop_latency_seconds_count 2\nshop_latency_seconds_sum 0.75\n",
            "# TYPE shop_requests counter\n",
            "# TYPE process_cpu_seconds counter\n",
            "\nprocess_cpu_seconds_total ",
            "# EOF\n",
        ] {
            assert!(om.contains(expected), "missing {expected:?} in:\n{om}");
        }
    }

    #[test]
    fn a_whole_registry_brings_its_self_metrics() {
        let registry = Arc::new(Registry::new());
        let shop = Shop::register(&registry).unwrap();
        shop.record();
        for route in ["/a", "/b", "/c"] {
            shop.requests.get(&[route]).inc();
        }
        let theirs = prometheus::Registry::new();
        let collector = PrometheusCollector::for_registry(registry.clone()).unwrap();
        assert!(
            collector
                .desc()
                .iter()
                .any(|d| d.fq_name == "metrics_runtime_refused_increments_total")
        );
        theirs.register(Box::new(collector)).unwrap();
        let text = prometheus_text(&theirs);
        assert!(text.contains("shop_requests_total{route=\"__overflow__\"} 2\n"), "{text}");
        assert!(
            text.contains(
                "metrics_runtime_cardinality_overflow_total{family=\"shop_requests\"} 2\n"
            )
        );
        assert!(text.contains("# TYPE metrics_runtime_refused_increments_total counter\n"));
    }

    static BAD: FamilyDescriptor =
        FamilyDescriptor { name: "bad-name", struct_name: "Bad", field_name: "bad", ..BASE };

    struct Bad(Counter);

    impl Metrics for Bad {
        fn new_unregistered() -> Self {
            Self(FamilyField::for_family(&BAD))
        }
        fn for_each_family(
            &self,
            visit: &mut dyn FnMut(&'static FamilyDescriptor, &dyn CollectFamily),
        ) {
            visit(&BAD, &self.0);
        }
    }

    #[test]
    fn a_family_prometheus_refuses_is_an_error_naming_it() {
        let error = PrometheusCollector::new(Arc::new(Bad::new_unregistered())).unwrap_err();
        assert!(matches!(&error, RegistryError::Prometheus(_)));
        let message = error.to_string();
        assert!(message.contains("`bad-name_total`"), "{message}");
        assert!(message.contains("Registry::register"), "{message}");
    }
}
