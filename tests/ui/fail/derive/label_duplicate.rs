use metrics_runtime::{Counter, DynFamily, Metrics};

#[derive(Metrics)]
#[metrics(labels(service = "api"))]
struct Http {
    /// Requests by route.
    #[metric(labels = ["route", "route", "service"])]
    requests: DynFamily<Counter>,
}

fn main() {}
