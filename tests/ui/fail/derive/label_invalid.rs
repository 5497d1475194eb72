use metrics_runtime::{Counter, DynFamily, Metrics};

#[derive(Metrics)]
struct Http {
    /// Requests by status class.
    #[metric(labels = ["2xx", "status-class"])]
    requests: DynFamily<Counter>,
}

fn main() {}
