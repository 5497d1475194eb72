//! A `#[derive(LabelValue)]` enum with `#[label(name = "..")]` is its own one-label
//! `LabelSet`: `Family<Status, M>` with no struct around it, for any kind, with the
//! exposition a one-field `LabelSet` gives. The enum is still a `LabelValue` field of
//! larger sets, and `as_str` gives its exposed value.
#![deny(warnings)]

use metrics_runtime::{
    Counter, Family, Format, Histogram, LabelSet, LabelValue, Metrics, Registry,
};

#[derive(Clone, Copy, LabelValue)]
#[label(name = "status", rename_all = "SCREAMING_SNAKE_CASE")]
enum Status {
    Paid,
    #[label(rename = "refused")]
    Refused,
    TimedOut,
}

/// The same family through the one-field struct it replaces.
#[derive(Clone, Copy, LabelSet)]
struct ByStatus {
    status: Status,
}

#[derive(Clone, Copy, LabelSet)]
struct Checkout {
    #[label(name = "outcome")]
    status: Status,
    express: bool,
}

#[derive(Metrics)]
#[metrics(namespace = "single", labels(service = "shop"))]
struct Shop {
    /// Orders by status.
    orders: Family<Status, Counter>,
    /// Orders by status, through a struct.
    orders_wrapped: Family<ByStatus, Counter>,
    /// Checkout latency by status.
    #[metric(unit = "seconds", buckets = [0.1, 1.0])]
    latency: Family<Status, Histogram>,
    /// Checkouts by outcome and delivery.
    checkouts: Family<Checkout, Counter>,
}

fn main() {
    assert_eq!(<Status as LabelSet>::NAMES, &["status"]);
    assert_eq!(<Status as LabelSet>::CARDINALITY, 3);
    assert_eq!(<Status as LabelValue>::CARDINALITY, 3);
    assert_eq!(<Status as LabelSet>::index(&Status::TimedOut), 2);
    assert_eq!(<Status as LabelSet>::value(1, 0), "refused");
    // The method call takes `self` by value: `LabelValue::index`, with no ambiguity.
    assert_eq!(Status::Refused.index(), 1);
    assert_eq!(Status::TimedOut.as_str(), "TIMED_OUT");
    assert_eq!(true.as_str(), "true");

    let registry = Registry::new();
    let shop = Shop::register(&registry).unwrap();
    shop.orders.get(Status::Paid).inc_by(2);
    shop.orders_wrapped.get(ByStatus { status: Status::Paid }).inc_by(2);
    shop.latency.get(Status::TimedOut).observe(0.5);
    shop.checkouts.get(Checkout { status: Status::Refused, express: true }).inc();

    let text = registry.encode_to_string(Format::Text);
    let family = |name: &str| -> Vec<String> {
        text.lines()
            .filter(|line| line.starts_with(name) && !line.starts_with(&format!("{name}_wrapped")))
            .map(|line| line.replacen(name, "", 1))
            .collect()
    };
    // Every value exposed, at zero until used, as a one-field struct exposes them.
    let orders = family("single_orders");
    assert_eq!(
        orders,
        [
            r#"_total{service="shop",status="PAID"} 2"#,
            r#"_total{service="shop",status="refused"} 0"#,
            r#"_total{service="shop",status="TIMED_OUT"} 0"#,
        ],
        "{text}"
    );
    assert_eq!(orders, family("single_orders_wrapped"), "{text}");
    let latency = family("single_latency_seconds");
    for line in [
        r#"_bucket{service="shop",status="TIMED_OUT",le="0.1"} 0"#,
        r#"_bucket{service="shop",status="TIMED_OUT",le="1.0"} 1"#,
        r#"_count{service="shop",status="TIMED_OUT"} 1"#,
        r#"_count{service="shop",status="PAID"} 0"#,
    ] {
        assert!(latency.iter().any(|sample| sample == line), "{line} in {text}");
    }
    assert_eq!(latency.len(), 3 * 5, "{text}");
    let checkout = r#"single_checkouts_total{service="shop",outcome="refused",express="true"} 1"#;
    assert!(text.contains(checkout), "{text}");
    assert!(text.contains("# TYPE single_latency_seconds histogram"));
}
