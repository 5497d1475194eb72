use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
struct Checkout {
    /// Checkouts.
    #[metric(objective(latency = "250ms"))]
    checkouts: Counter,
}

fn main() {}
