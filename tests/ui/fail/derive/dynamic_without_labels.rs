use metrics_runtime::{Counter, DynFamily, Metrics};

#[derive(Metrics)]
struct Http {
    /// Requests by route.
    requests: DynFamily<Counter>,
    /// Requests refused.
    #[metric(labels = [], max_series = 0)]
    refused: DynFamily<Counter>,
}

fn main() {}
