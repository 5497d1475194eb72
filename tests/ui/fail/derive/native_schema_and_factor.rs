use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Api {
    /// Request latency.
    #[metric(native(schema = 3, factor = 1.1), unit = "seconds")]
    latency: Histogram,
}

fn main() {}
