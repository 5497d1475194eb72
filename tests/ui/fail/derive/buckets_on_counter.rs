use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
struct Http {
    /// Requests served.
    #[metric(buckets = [0.1, 1.0])]
    requests: Counter,
}

fn main() {}
