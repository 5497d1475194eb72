use metrics_runtime::{Counter, DynFamily, Metrics};

#[derive(Metrics)]
struct Http {
    /// Requests by quantile.
    #[metric(labels = ["quantile"])]
    requests: DynFamily<Counter>,
}

fn main() {}
