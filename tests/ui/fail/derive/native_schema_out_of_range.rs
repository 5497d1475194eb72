use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Api {
    /// Request latency.
    #[metric(native(schema = 9), unit = "seconds")]
    latency: Histogram,
    /// Response sizes.
    #[metric(native(schema = -5), unit = "bytes")]
    response: Histogram,
}

fn main() {}
