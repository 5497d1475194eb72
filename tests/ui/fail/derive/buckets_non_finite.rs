use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Http {
    /// Request latency.
    #[metric(buckets = [0.1, 1.0, f64::INFINITY])]
    latency: Histogram,
}

fn main() {}
