use metrics_runtime::{Counter, DynFamily, Metrics};

#[derive(Metrics)]
struct Http {
    /// Requests served.
    requests: u64,
    /// Requests refused.
    refused: Countr,
    /// Requests by route.
    #[metric(labels = ["route"])]
    routes: DynFamily<u64>,
    /// Fine.
    served: Counter,
}

fn main() {}
