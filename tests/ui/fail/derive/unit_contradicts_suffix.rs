use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Http {
    /// Request latency.
    #[metric(unit = "seconds")]
    latency_ms: Histogram,
}

fn main() {}
