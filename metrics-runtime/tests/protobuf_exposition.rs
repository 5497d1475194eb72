//! The protobuf exposition decoded with the official `metrics.proto` (see
//! `support/protobuf.rs`): every kind of family says what the text format says,
//! native histograms carry the spec's fields, and a scrape under load is consistent.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};

use metrics_runtime::exemplar::Exemplar;
use metrics_runtime::{
    Counter, CounterWithExemplar, DynFamily, FloatGauge, Format, Gauge, Histogram,
    HistogramWithExemplars, Metrics, NativeBuckets, Registry,
};
use support::protobuf::{self as pb, MetricFamily};

#[derive(Metrics)]
#[metrics(namespace = "pb", labels(service = "checkout"))]
struct Shop {
    /// Orders placed.
    orders: Counter,
    /// Items in carts, "quoted" \ and
    /// on two lines.
    cart_items: Gauge,
    /// Checkout latency.
    #[metric(buckets = [0.005, 0.1, 1.0], unit = "seconds")]
    latency: Histogram,
    /// Free space by volume.
    #[metric(labels = ["volume"], unit = "ratio")]
    free: DynFamily<FloatGauge>,
}

/// Native histograms: one with native buckets only, one with classic buckets too.
#[derive(Metrics)]
#[metrics(namespace = "pb")]
struct Native {
    /// A native histogram.
    #[metric(name = "native", native(schema = 0), unit = "seconds")]
    native_only: Histogram,
    /// A native histogram.
    #[metric(buckets = [0.5, 2.0], native(schema = 3), unit = "seconds")]
    both: Histogram,
}

fn decode(registry: &Registry) -> Vec<MetricFamily> {
    let mut bytes = Vec::new();
    registry.encode(Format::Protobuf, &mut bytes);
    pb::decode(&bytes).unwrap_or_else(|e| panic!("undecodable exposition: {e}"))
}

fn family<'a>(families: &'a [MetricFamily], name: &str) -> &'a MetricFamily {
    families.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no family {name}"))
}

/// A `prometheus` registry with the kinds only attached registries bring: a summary
/// and an untyped metric.
fn foreign() -> prometheus::Registry {
    use prometheus::core::{Collector, Desc};
    use prometheus::proto::{Metric as PMetric, MetricFamily as PFamily, MetricType, Quantile};

    #[derive(Debug)]
    struct Handmade;
    impl Collector for Handmade {
        fn desc(&self) -> Vec<&Desc> {
            Vec::new()
        }
        #[allow(deprecated)] // Untyped has no other setter in the plain model.
        fn collect(&self) -> Vec<PFamily> {
            let mut summary = prometheus::proto::Summary::default();
            summary.set_sample_sum(12.5);
            summary.set_sample_count(4);
            let mut quantile = Quantile::default();
            quantile.set_quantile(0.99);
            quantile.set_value(7.25);
            summary.set_quantile(vec![quantile]);
            let mut with_summary = PMetric::default();
            with_summary.set_summary(summary);
            let mut untyped = prometheus::proto::Untyped::default();
            untyped.set_value(-3.5);
            let mut with_untyped = PMetric::default();
            with_untyped.set_untyped(untyped);
            let family = |name: &str, kind, metric| {
                let mut family = PFamily::default();
                family.set_name(name.to_owned());
                family.set_help(format!("Legacy {name}."));
                family.set_field_type(kind);
                family.set_metric(vec![metric]);
                family
            };
            vec![
                family("legacy_jobs_seconds", MetricType::SUMMARY, with_summary),
                family("legacy_temperature", MetricType::UNTYPED, with_untyped),
            ]
        }
    }
    let registry = prometheus::Registry::new();
    registry.register(Box::new(Handmade)).unwrap();
    registry
}

fn full_registry() -> Registry {
    let registry = Registry::new();
    let shop = Shop::register(&registry).unwrap();
    shop.orders.inc_by(42);
    shop.cart_items.set(-3);
    for v in [0.001, 0.05, 0.7, 3.0] {
        shop.latency.observe(v);
    }
    shop.free.get(&["/"]).set(0.25);
    shop.free.get(&["quote \" backslash \\ newline \n 🦀"]).set(1e-7);
    let native = Native::register(&registry).unwrap();
    for v in [0.1, 1.0, 1.5, 2.0, 3.0, -1.5, 0.0, f64::NAN] {
        native.native_only.observe(v);
    }
    for v in [0.3, 0.9, 1.0, 5.0] {
        native.both.observe(v);
    }
    registry.attach_prometheus(foreign());
    registry
}

#[test]
fn every_kind_decodes_with_the_official_proto_and_says_what_the_text_format_says() {
    let registry = full_registry();
    let (text, from_text) = support::scrape(&registry, Format::Text);
    let (decoded, from_protobuf) = support::scrape(&registry, Format::Protobuf);
    let (from_text, from_protobuf) = (pb::normalized(&from_text), pb::normalized(&from_protobuf));
    let names = |e: &support::parser::Exposition| -> Vec<String> {
        e.families.iter().map(|f| f.name.clone()).collect()
    };
    assert_eq!(names(&from_protobuf), names(&from_text), "{decoded}");
    for (ours, theirs) in from_protobuf.families.iter().zip(&from_text.families) {
        assert_eq!(ours, theirs, "family {}\n{text}\n{decoded}", theirs.name);
    }
    // Families the comparison must have covered.
    for name in ["pb_orders_total", "pb_free_ratio", "pb_native_seconds", "legacy_jobs_seconds"] {
        assert!(from_protobuf.family(name).is_some(), "{name}: {decoded}");
    }
    let families = decode(&registry);
    assert_eq!(family(&families, "legacy_temperature").kind, "UNTYPED");
    assert_eq!(family(&families, "legacy_jobs_seconds").kind, "SUMMARY");
    assert_eq!(
        family(&families, "pb_cart_items").help,
        "Items in carts, \"quoted\" \\ and on two lines."
    );
}

#[test]
fn label_values_and_help_travel_as_they_are() {
    let families = decode(&full_registry());
    let free = family(&families, "pb_free_ratio");
    let values: Vec<&str> = free.metrics.iter().map(|m| m.labels[1].1.as_str()).collect();
    assert!(values.contains(&"quote \" backslash \\ newline \n 🦀"), "{values:?}");
    // Constant labels come first on every series.
    assert!(free.metrics.iter().all(|m| m.labels[0] == ("service".into(), "checkout".into())));
}

#[test]
fn native_histograms_carry_the_spec_fields() {
    let families = decode(&full_registry());
    let native = &family(&families, "pb_native_seconds").metrics[0];
    assert_eq!(native.field, "histogram");
    let h = native.histogram.as_ref().unwrap();
    assert!(h.is_native(), "{h:?}");
    assert_eq!(h.schema, Some(0));
    assert_eq!(h.zero_threshold, Some(NativeBuckets::DEFAULT_ZERO_THRESHOLD));
    assert_eq!(h.zero_count, Some(1));
    // Schema 0: 0.1 in (1/16, 1/8] (-3), 1.0 in (1/2, 1] (0), 1.5 and 2.0 in (1, 2] (1),
    // 3.0 in (2, 4] (2); -1.5 is negative bucket 1; NaN is in the count only.
    assert_eq!(h.positive(), vec![(-3, 1), (0, 1), (1, 2), (2, 1)]);
    assert_eq!(h.negative(), vec![(1, 1)]);
    assert_eq!(h.count, 8);
    assert!(h.sum.is_nan());
    assert!(h.buckets.is_empty(), "no classic buckets: the +Inf one is implicit");
    // Small gaps are filled, as client_golang does: one span from -3 to 2.
    assert_eq!(h.positive_spans, vec![(-3, 6)]);
    assert_eq!(h.positive_deltas, vec![1, -1, 0, 1, 1, -1]);

    let both = family(&families, "pb_both_seconds").metrics[0].histogram.clone().unwrap();
    assert_eq!(both.buckets, vec![(0.5, 1), (2.0, 3)]);
    assert_eq!(both.count, 4);
    assert_eq!(both.sum, 7.2);
    assert_eq!(both.schema, Some(3));
    let buckets: u64 = both.positive().iter().map(|(_, c)| c).sum();
    assert_eq!(buckets + both.zero_count.unwrap(), 4);
    // 1.0 is the upper bound of bucket 0 at every schema.
    assert!(both.positive().contains(&(0, 1)), "{:?}", both.positive());
}

#[test]
fn a_native_histogram_without_observations_is_still_native() {
    #[derive(Metrics)]
    #[metrics(namespace = "pb")]
    struct Empty {
        /// A native histogram whose zero bucket holds exact zeros only.
        #[metric(native(schema = 2, zero_threshold = 0), unit = "seconds")]
        exact_zero: Histogram,
    }
    let registry = Registry::new();
    Native::register(&registry).unwrap();
    Empty::register(&registry).unwrap();
    let families = decode(&registry);
    for name in ["pb_native_seconds", "pb_exact_zero_seconds"] {
        let h = family(&families, name).metrics[0].histogram.clone().unwrap();
        assert!(h.is_native(), "{name}: {h:?}");
        assert_eq!((h.count, h.positive(), h.negative()), (0, vec![], vec![]));
    }
    // A zero threshold of 0 needs the spec's no-op span to be told from a classic one.
    let exact = family(&families, "pb_exact_zero_seconds").metrics[0].histogram.clone().unwrap();
    assert_eq!(exact.positive_spans, vec![(0, 0)]);
}

#[derive(Metrics)]
#[metrics(namespace = "traced")]
struct Traced {
    /// Requests, with the latest trace.
    requests: CounterWithExemplar,
    /// Latency, with a trace per bucket.
    #[metric(buckets = [0.1, 1.0], unit = "seconds")]
    latency: HistogramWithExemplars,
    /// Latency in classic and native buckets, with a trace per classic bucket.
    #[metric(buckets = [0.1, 1.0], native(schema = 3), unit = "seconds")]
    native_latency: HistogramWithExemplars,
}

/// Prometheus asks for protobuf first when native histograms are on, so exemplars
/// must be there too for its exemplar storage.
#[test]
fn exemplars_travel_on_counters_and_buckets() {
    let registry = Registry::new();
    let traced = Traced::register(&registry).unwrap();
    let trace = |id: &str| Exemplar::new(&[("trace_id", id)]).unwrap();
    traced.requests.inc_by_with_exemplar(3, &trace("aaa"));
    traced.latency.observe_with_exemplar(0.5, &trace("bbb"));
    traced.latency.observe_with_exemplar(7.0, &trace("ccc"));
    traced.latency.observe(0.05);
    traced.native_latency.observe_with_exemplar(0.5, &trace("ddd"));
    traced.native_latency.observe(2.0);
    let families = decode(&registry);

    let requests = &family(&families, "traced_requests_total").metrics[0];
    assert_eq!(requests.value, Some(3.0));
    let exemplar = requests.exemplar.as_ref().expect("the counter's exemplar");
    assert_eq!(exemplar.labels, vec![("trace_id".to_owned(), "aaa".to_owned())]);
    assert_eq!(exemplar.value, 3.0);
    let (seconds, nanos) = exemplar.timestamp.expect("a timestamp");
    assert!(seconds > 1_600_000_000 && (0..1_000_000_000).contains(&nanos), "{seconds} {nanos}");

    let latency = family(&families, "traced_latency_seconds").metrics[0].histogram.clone().unwrap();
    // The `+Inf` bucket is written out to carry its exemplar.
    assert_eq!(latency.buckets, vec![(0.1, 1), (1.0, 2), (f64::INFINITY, 3)]);
    let traces: Vec<Option<(&str, f64)>> = latency
        .exemplars
        .iter()
        .map(|e| e.as_ref().map(|e| (e.labels[0].1.as_str(), e.value)))
        .collect();
    assert_eq!(traces, vec![None, Some(("bbb", 0.5)), Some(("ccc", 7.0))]);

    // Native buckets beside the exemplars: schema 3 puts 0.5 in bucket -8, 2.0 in 8.
    let native =
        family(&families, "traced_native_latency_seconds").metrics[0].histogram.clone().unwrap();
    assert!(native.is_native(), "{native:?}");
    assert_eq!((native.schema, native.count), (Some(3), 2));
    assert_eq!(native.positive(), vec![(-8, 1), (8, 1)]);
    let traces: Vec<Option<&str>> =
        native.exemplars.iter().map(|e| e.as_ref().map(|e| e.labels[0].1.as_str())).collect();
    assert_eq!(traces, vec![None, Some("ddd")]);
    // And the samples are still those of the text format.
    let (_, text) = support::scrape(&registry, Format::Text);
    let (_, protobuf) = support::scrape(&registry, Format::Protobuf);
    assert_eq!(pb::normalized(&protobuf), pb::normalized(&text));
}

#[test]
fn scrapes_during_observation_are_consistent_and_only_grow() {
    let registry = Registry::new();
    let native = Native::register(&registry).unwrap();
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        for t in 0..2u32 {
            let (native, done) = (&native, &done);
            s.spawn(move || {
                let mut i = 0u32;
                while !done.load(Ordering::Relaxed) || i < 1_000 {
                    let v = f64::from((i * 13 + t) % 977) / 97.0 - 1.0;
                    native.both.observe(v);
                    native.native_only.observe(v * 1e3);
                    i = i.wrapping_add(1);
                }
            });
        }
        let mut last = [0u64; 2];
        for _ in 0..200 {
            let families = decode(&registry);
            for (slot, name) in ["pb_native_seconds", "pb_both_seconds"].iter().enumerate() {
                let h = family(&families, name).metrics[0].histogram.clone().unwrap();
                let buckets: u64 = h.positive().iter().chain(&h.negative()).map(|(_, c)| c).sum();
                assert_eq!(h.count, buckets + h.zero_count.unwrap(), "{name}");
                assert!(h.buckets.iter().all(|(_, c)| *c <= h.count), "{name}: {h:?}");
                assert!(h.buckets.windows(2).all(|w| w[0].1 <= w[1].1), "{name}: {h:?}");
                assert!(h.count >= last[slot], "{name} went down");
                last[slot] = h.count;
            }
        }
        done.store(true, Ordering::Relaxed);
    });
}
