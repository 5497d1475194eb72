//! One build reports every mistake, and code using the struct type-checks.
use metrics_runtime::{Counter, Gauge, Histogram, Metrics, Registry};

#[derive(Metrics)]
#[metrics(namespace = "shop")]
struct Shop {
    orders_total: Counter,
    /// Items.
    #[metric(buckets = [1.0])]
    items: Gauge,
    /// Latency.
    #[metric(buckets = [2.0, 1.0], unit = "bytes")]
    latency_seconds: Histogram,
}

fn main() {
    let registry = Registry::new();
    let shop = Shop::register(&registry).unwrap();
    shop.orders_total.inc();
    shop.items.set(1);
}
