use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Http {
    /// Request latency.
    #[metric(unit = "Seconds")]
    latency: Histogram,
}

fn main() {}
