//! Objectives on `#[timed]` functions and histogram families reach their descriptors,
//! with the latency as the bucket bound it names.
#![deny(warnings)]

use metrics_runtime::{Histogram, Metrics, Objective, catalogue, timed, timed::timed_functions};

#[timed(objective(success = 99.9, latency = "250ms", percentile = 99))]
fn checkout() {}

#[timed(buckets = [0.001, 0.002, 0.004], objective(latency = "2ms"))]
async fn lookup() {}

struct Cart;

#[timed(buckets = [0.5, 1.0])]
impl Cart {
    #[timed(objective(latency = "1s", percentile = 95))]
    fn pay(&self) {}
}

#[derive(Metrics)]
#[metrics(namespace = "objectives")]
struct Shop {
    /// Checkout latency.
    #[metric(unit = "seconds", objective(latency = "500ms", percentile = 99.5))]
    checkout: Histogram,
    /// Render time in milliseconds.
    #[metric(unit = "milliseconds", buckets = [10, 50, 100], objective(latency = "50ms"))]
    render: Histogram,
}

fn objective_of(function: &str) -> Option<Objective> {
    timed_functions().find(|d| d.function == function).and_then(|d| d.objective)
}

fn family(name: &str) -> Option<Objective> {
    catalogue().iter().find(|d| d.name == name).and_then(|d| d.objective)
}

fn main() {
    checkout();
    let _ = lookup();
    Cart.pay();
    assert_eq!(
        objective_of("checkout"),
        Some(Objective { success: Some(99.9), latency: Some(0.25), percentile: 99.0 })
    );
    assert_eq!(objective_of("lookup"), Some(Objective::latency(0.002, 99.0)));
    assert_eq!(objective_of("pay"), Some(Objective::latency(1.0, 95.0)));
    assert_eq!(family("objectives_checkout_seconds"), Some(Objective::latency(0.5, 99.5)));
    assert_eq!(family("objectives_render_milliseconds"), Some(Objective::latency(50.0, 99.0)));
}
