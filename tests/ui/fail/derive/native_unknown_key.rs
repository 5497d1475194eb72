use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Api {
    /// Request latency.
    #[metric(native(schema = 3, max_bucket = 100), unit = "seconds")]
    latency: Histogram,
}

fn main() {}
