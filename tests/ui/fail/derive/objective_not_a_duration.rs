use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Checkout {
    /// Cart sizes.
    #[metric(unit = "bytes", objective(latency = "250ms"))]
    cart: Histogram,
}

fn main() {}
