use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Http {
    /// Request latency.
    #[metric(buckets = [])]
    latency: Histogram,
}

fn main() {}
