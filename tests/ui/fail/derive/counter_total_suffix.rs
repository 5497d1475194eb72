use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
struct Http {
    /// Requests served.
    requests_total: Counter,
}

fn main() {}
