use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(namespace = "shop")]
#[metrics(namespace = "store")]
struct Http {
    /// Requests served.
    #[metric(name = "requests", name = "served")]
    requests: Counter,
}

fn main() {}
