use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Api {
    /// Request latency.
    #[metric(native(max_buckets = 100), unit = "seconds")]
    latency: Histogram,
    /// Request size.
    #[metric(native, unit = "bytes")]
    size: Histogram,
}

fn main() {}
