use metrics_runtime::{Gauge, Histogram, Metrics};

#[derive(Metrics)]
struct Jobs {
    /// Jobs waiting.
    latency_sum: Gauge,
    /// Job latency.
    latency: Histogram,
}

fn main() {}
