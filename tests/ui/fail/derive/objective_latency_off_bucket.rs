use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Checkout {
    /// Checkout latency.
    #[metric(unit = "seconds", buckets = exponential(0.001, 2.0, 14), objective(latency = "250ms", percentile = 99))]
    latency: Histogram,
}

fn main() {}
