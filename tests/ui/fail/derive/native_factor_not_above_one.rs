use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Api {
    /// Request latency.
    #[metric(native(factor = 1.0), unit = "seconds")]
    latency: Histogram,
    /// Response sizes.
    #[metric(native(factor = 1e400), unit = "bytes")]
    response: Histogram,
}

fn main() {}
