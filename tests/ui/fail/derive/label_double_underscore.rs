use metrics_runtime::{Counter, DynFamily, Metrics};

#[derive(Metrics)]
struct Http {
    /// Requests by name.
    #[metric(labels = ["__name__"])]
    requests: DynFamily<Counter>,
}

fn main() {}
