use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
#[metric(name = "http")]
struct Http {
    /// Requests served.
    #[metrics(namespace = "shop")]
    requests: Counter,
}

fn main() {}
