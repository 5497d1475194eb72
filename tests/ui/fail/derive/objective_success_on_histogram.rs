use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Checkout {
    /// Checkout latency.
    #[metric(unit = "seconds", objective(success = 99.9, latency = "250ms"))]
    latency: Histogram,
}

fn main() {}
