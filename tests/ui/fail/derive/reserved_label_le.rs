use metrics_runtime::{DynFamily, Histogram, Metrics};

#[derive(Metrics)]
struct Http {
    /// Latency by route and level.
    #[metric(labels = ["route", "le"])]
    latency: DynFamily<Histogram>,
}

fn main() {}
