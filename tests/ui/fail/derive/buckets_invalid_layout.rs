use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Http {
    /// Request latency.
    #[metric(buckets = exponential(0, 1, 0))]
    latency: Histogram,
    /// Request size.
    #[metric(buckets = linear(1, 0, 5))]
    size: Histogram,
    /// Response size.
    #[metric(buckets = expnential(1, 2, 5))]
    response: Histogram,
}

fn main() {}
