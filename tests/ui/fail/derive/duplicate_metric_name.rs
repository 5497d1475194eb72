use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
struct Http {
    /// Requests served.
    requests: Counter,
    /// Requests served, again.
    #[metric(name = "requests")]
    served: Counter,
}

fn main() {}
