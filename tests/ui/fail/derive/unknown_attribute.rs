use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(namespce = "shop", colour = "red")]
struct Http {
    /// Requests served.
    #[metric(hlep = "Requests.", bucket = [1.0])]
    requests: Counter,
}

fn main() {}
