use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
#[metrics(labels(le = "x"))]
struct Http {
    /// Latency.
    latency: Histogram,
}

fn main() {}
