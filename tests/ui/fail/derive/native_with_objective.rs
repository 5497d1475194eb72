use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Api {
    /// Request latency.
    #[metric(buckets = [0.1, 0.25, 1.0], native(schema = 3), objective(latency = "250ms"), unit = "seconds")]
    latency: Histogram,
}

fn main() {}
