use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
struct Http {
    /// Requests served.
    #[metric(labels = ["route"], max_series = 10)]
    requests: Counter,
}

fn main() {}
