//! Every field type and attribute of the derives, under `#![deny(warnings)]`, with
//! the runtime renamed (`crate = renamed`).
#![deny(warnings)]

extern crate metrics_runtime as renamed;

use renamed::{
    Counter, DynFamily, Family, FloatCounter, FloatGauge, Format, Gauge, Histogram, LabelKind,
    LabelSet, LabelValue, MetricKind, Metrics, Registry,
};

#[derive(Clone, Copy, LabelValue)]
#[label(crate = renamed)]
enum Payment {
    Card,
    BankTransfer,
    #[label(rename = "cash-on-delivery")]
    Cash = 7,
}

#[derive(Clone, Copy, LabelValue)]
#[label(rename_all = "SCREAMING_SNAKE_CASE", crate = renamed)]
enum Channel {
    WebShop,
    App,
}

#[derive(Clone, Copy, LabelSet)]
#[label(crate = renamed)]
struct OrderLabels {
    payment: Payment,
    #[label(name = "sales_channel")]
    channel: Channel,
    express: bool,
}

#[derive(Metrics)]
#[metrics(
    namespace = "all",
    subsystem = "kinds",
    labels(service = "checkout", region = "eu"),
    crate = renamed
)]
struct AllKinds {
    /// Orders placed.
    counter: Counter,
    /// Time spent busy,
    /// in seconds.
    #[metric(unit = "seconds")]
    busy: FloatCounter,
    /// Items in carts.
    gauge: Gauge,
    #[metric(name = "fill_ratio", unit = "ratio", help = "How full the cache is.")]
    fill: FloatGauge,
    /// A gauge whose legacy name must stay.
    #[metric(allow_total_suffix)]
    legacy_total: Gauge,
    /// Latency with the default buckets.
    latency: Histogram,
    /// Latency with listed buckets.
    #[metric(buckets = [0.1, 1, 2.5], unit = "seconds")]
    listed_seconds: Histogram,
    /// Sizes in linear buckets.
    #[metric(buckets = linear(0, 10, 3))]
    linear: Histogram,
    /// Orders by payment, channel and speed.
    orders: Family<OrderLabels, Counter>,
    /// Order sizes.
    #[metric(buckets = exponential(1, 2, 4), unit = "bytes")]
    order_sizes: Family<OrderLabels, Histogram>,
    /// Requests by route and method.
    #[metric(labels = ["route", "method"], max_series = 2)]
    requests: DynFamily<Counter>,
    /// Load by tenant.
    #[metric(labels = ["tenant"])]
    tenants: DynFamily<FloatGauge>,
    /// A raw identifier.
    r#type: Gauge,
}

fn main() {
    assert_eq!(Payment::CARDINALITY, 3);
    assert_eq!(Payment::Cash.index(), 2);
    assert_eq!(Payment::value(1), "bank_transfer");
    assert_eq!(Payment::value(2), "cash-on-delivery");
    assert_eq!(Payment::value(3), "");
    assert_eq!(Channel::value(Channel::WebShop.index()), "WEB_SHOP");
    assert_eq!(OrderLabels::NAMES, &["payment", "sales_channel", "express"]);
    assert_eq!(OrderLabels::CARDINALITY, 12);
    for index in 0..OrderLabels::CARDINALITY {
        let labels: Vec<&str> = (0..3).map(|label| OrderLabels::value(index, label)).collect();
        let payment = match labels[0] {
            "card" => Payment::Card,
            "bank_transfer" => Payment::BankTransfer,
            _ => Payment::Cash,
        };
        let channel = if labels[1] == "WEB_SHOP" { Channel::WebShop } else { Channel::App };
        let express = labels[2] == "true";
        assert_eq!(OrderLabels { payment, channel, express }.index(), index);
    }

    let registry = Registry::new();
    let all = AllKinds::register(&registry).unwrap();
    all.counter.inc();
    assert!(all.busy.inc_by(0.5));
    all.gauge.set(3);
    all.fill.set(0.25);
    all.legacy_total.set(1);
    all.latency.observe(0.2);
    all.listed_seconds.observe(2.0);
    all.linear.observe(15.0);
    all.orders
        .get(OrderLabels { payment: Payment::Cash, channel: Channel::App, express: true })
        .inc();
    all.order_sizes
        .get(OrderLabels { payment: Payment::Card, channel: Channel::WebShop, express: false })
        .observe(3.0);
    all.requests.get(&["/cart", "GET"]).inc();
    all.tenants.get(&["acme"]).set(0.5);
    all.r#type.set(2);

    let text = registry.encode_to_string(Format::Text);
    let expected = [
        "# HELP all_kinds_counter_total Orders placed.",
        r#"all_kinds_counter_total{service="checkout",region="eu"} 1"#,
        "# HELP all_kinds_busy_seconds_total Time spent busy, in seconds.",
        r#"all_kinds_busy_seconds_total{service="checkout",region="eu"} 0.5"#,
        r#"all_kinds_gauge{service="checkout",region="eu"} 3"#,
        "# HELP all_kinds_fill_ratio How full the cache is.",
        r#"all_kinds_fill_ratio{service="checkout",region="eu"} 0.25"#,
        "# TYPE all_kinds_legacy_total gauge",
        r#"all_kinds_latency_bucket{service="checkout",region="eu",le="0.005"} 0"#,
        r#"all_kinds_latency_bucket{service="checkout",region="eu",le="10.0"} 1"#,
        r#"all_kinds_listed_seconds_bucket{service="checkout",region="eu",le="2.5"} 1"#,
        r#"all_kinds_linear_bucket{service="checkout",region="eu",le="20.0"} 1"#,
        r#"all_kinds_orders_total{service="checkout",region="eu",payment="cash-on-delivery",sales_channel="APP",express="true"} 1"#,
        r#"all_kinds_orders_total{service="checkout",region="eu",payment="card",sales_channel="WEB_SHOP",express="false"} 0"#,
        r#"all_kinds_order_sizes_bytes_bucket{service="checkout",region="eu",payment="card",sales_channel="WEB_SHOP",express="false",le="4.0"} 1"#,
        r#"all_kinds_requests_total{service="checkout",region="eu",route="/cart",method="GET"} 1"#,
        r#"all_kinds_tenants{service="checkout",region="eu",tenant="acme"} 0.5"#,
        r#"all_kinds_type{service="checkout",region="eu"} 2"#,
    ];
    for line in expected {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }

    let family = |name: &str| {
        renamed::catalogue().iter().find(|d| d.name == name).unwrap_or_else(|| panic!("{name}"))
    };
    let requests = family("all_kinds_requests");
    assert_eq!(requests.kind, MetricKind::Counter);
    assert_eq!(requests.label_kind, LabelKind::Dynamic);
    assert_eq!(requests.label_names, &["route", "method"]);
    assert_eq!(requests.max_series, 2);
    assert_eq!(requests.const_labels, &[("service", "checkout"), ("region", "eu")]);
    assert_eq!((requests.struct_name, requests.field_name), ("AllKinds", "requests"));
    // The field's own position: line 73, column 5 of this file.
    assert_eq!((requests.location.line, requests.location.column), (73, 5));
    assert!(requests.location.file.ends_with("all_kinds.rs"));
    assert_eq!(requests.location.module, module_path!());
    assert_eq!(family("all_kinds_tenants").max_series, 0);
    assert_eq!(family("all_kinds_orders").label_names, OrderLabels::NAMES);
    assert_eq!(family("all_kinds_orders").label_kind, LabelKind::Typed);
    assert_eq!(family("all_kinds_order_sizes_bytes").buckets, &[1.0, 2.0, 4.0, 8.0]);
    assert_eq!(family("all_kinds_order_sizes_bytes").unit, "bytes");
    assert_eq!(family("all_kinds_linear").buckets, &[0.0, 10.0, 20.0]);
    assert_eq!(family("all_kinds_latency").buckets, renamed::DEFAULT_BUCKETS);
    assert_eq!(family("all_kinds_counter").label_kind, LabelKind::None);
    assert_eq!(family("all_kinds_counter").buckets, &[] as &[f64]);
    assert_eq!(family("all_kinds_type").field_name, "type");
}
