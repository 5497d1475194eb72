use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Http {
    /// Request latency.
    #[metric(buckets = [0.1, 1.0, 0.5])]
    latency: Histogram,
}

fn main() {}
