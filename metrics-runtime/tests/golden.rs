//! Golden expositions: one registry with every kind of family, encoded in both
//! formats and compared byte for byte with `tests/golden/registry.{txt,om.txt}`.
//!
//! `BLESS=1 cargo test -p metrics-runtime --test golden` rewrites the files; read
//! the diff against the specs before committing it.

mod support;

use std::path::Path;

use metrics_runtime::{
    Counter, DynFamily, Family, FloatCounter, FloatGauge, Format, Gauge, Histogram, LabelSet,
    LabelValue, Metrics, Registry,
};
use support::parser::check_histograms;

#[derive(Clone, Copy, LabelValue)]
enum Payment {
    Card,
    Transfer,
}

#[derive(Clone, Copy, LabelSet)]
struct OrderLabels {
    payment: Payment,
    express: bool,
}

/// Every kind of family, with constant labels on all of them.
#[derive(Metrics)]
#[metrics(namespace = "shop", labels(service = "checkout", region = "eu-west"))]
struct Checkout {
    /// Orders placed.
    orders: Counter,
    /// Credits spent.
    #[metric(unit = "euros")]
    credits: FloatCounter,
    /// Items in carts right now.
    cart_items: Gauge,
    /// Share of the stock that is reserved.
    stock_reserved_ratio: FloatGauge,
    /// Checkout latency.
    #[metric(buckets = [0.005, 0.1, 1.0, 2.5], unit = "seconds")]
    latency: Histogram,
    /// Orders by payment method and delivery speed.
    by_payment: Family<OrderLabels, Counter>,
    /// Requests by route and method.
    #[metric(labels = ["route", "method"], max_series = 3)]
    requests: DynFamily<Counter>,
}

/// Families without constant labels, and help text that needs escaping.
#[derive(Metrics)]
#[metrics(namespace = "storage")]
struct Storage {
    #[metric(unit = "bytes", help = "Bytes used, by \"tier\"; paths like C:\\data.\nSecond line.")]
    used: Gauge,
    /// Free space by volume.
    #[metric(labels = ["volume"], unit = "ratio")]
    free: DynFamily<FloatGauge>,
}

fn registry() -> Registry {
    let registry = Registry::new();
    let checkout = Checkout::register(&registry).unwrap();
    checkout.orders.inc_by(42);
    checkout.credits.inc_by(12.5);
    checkout.cart_items.set(-3);
    checkout.stock_reserved_ratio.set(0.125);
    for v in [0.001, 0.05, 0.05, 0.7, 3.0] {
        checkout.latency.observe(v);
    }
    checkout.by_payment.get(OrderLabels { payment: Payment::Transfer, express: true }).inc_by(2);
    checkout.by_payment.get(OrderLabels { payment: Payment::Card, express: false }).inc();
    for (route, method) in [("/cart", "GET"), ("/cart", "POST"), ("/say \"hi\"\\\n", "GET")] {
        checkout.requests.get(&[route, method]).inc();
    }
    checkout.requests.get(&["/over/the/limit", "GET"]).inc_by(5);
    let storage = Storage::register(&registry).unwrap();
    storage.used.set(1 << 40);
    storage.free.get(&["/"]).set(0.25);
    storage.free.get(&["/var"]).set(1e-7);
    registry
}

fn check_golden(file: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(file);
    if std::env::var_os("BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("cannot read {}: {e}; run with BLESS=1 to write it", path.display())
    });
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(e, a)| e != a);
        let line = line.unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the exposition at line {}:\n  golden: {:?}\n  actual: {:?}\n\
             whole exposition:\n{actual}\n(BLESS=1 rewrites the golden file)",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line),
        );
    }
}

#[test]
fn text_exposition_matches_golden() {
    let out = registry().encode_to_string(Format::Text);
    check_golden("registry.txt", &out);
    let parsed = support::parse(&out, Format::Text);
    assert_eq!(check_histograms(&parsed), Ok(1));
}

#[test]
fn openmetrics_exposition_matches_golden() {
    let out = registry().encode_to_string(Format::OpenMetrics);
    check_golden("registry.om.txt", &out);
    let parsed = support::parse(&out, Format::OpenMetrics);
    assert_eq!(check_histograms(&parsed), Ok(1));
}

/// The families every format must show, whatever the golden files say.
#[test]
fn every_format_shows_every_family() {
    for format in [Format::Text, Format::OpenMetrics, Format::Protobuf] {
        let (_, parsed) = support::scrape(&registry(), format);
        let counter = |name: &str| match format {
            Format::OpenMetrics => name.to_owned(),
            _ => format!("{name}_total"),
        };
        for (name, kind) in [
            (counter("shop_orders"), "counter"),
            (counter("shop_credits_euros"), "counter"),
            ("shop_cart_items".to_owned(), "gauge"),
            ("shop_stock_reserved_ratio".to_owned(), "gauge"),
            ("shop_latency_seconds".to_owned(), "histogram"),
            (counter("shop_by_payment"), "counter"),
            (counter("shop_requests"), "counter"),
            ("storage_used_bytes".to_owned(), "gauge"),
            ("storage_free_ratio".to_owned(), "gauge"),
            (counter("metrics_runtime_cardinality_overflow"), "counter"),
        ] {
            let family = parsed.family(&name).unwrap_or_else(|| panic!("{format:?}: no {name}"));
            assert_eq!(family.kind, kind, "{format:?} {name}");
            assert!(!family.samples.is_empty(), "{format:?} {name} has no sample");
        }
        let used = parsed.family("storage_used_bytes").unwrap();
        assert_eq!(
            used.help.as_deref(),
            Some("Bytes used, by \"tier\"; paths like C:\\data.\nSecond line.")
        );
        if format == Format::OpenMetrics {
            assert_eq!(used.unit.as_deref(), Some("bytes"));
            assert_eq!(parsed.family("shop_credits_euros").unwrap().unit.as_deref(), Some("euros"));
        }
    }
}
