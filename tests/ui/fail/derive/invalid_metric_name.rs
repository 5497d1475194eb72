use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
struct Http {
    /// Requests served.
    #[metric(name = "http-requests")]
    requests: Counter,
}

fn main() {}
