use metrics_runtime::{Gauge, Metrics};

#[derive(Metrics)]
struct Queue {
    /// Items waiting.
    #[metric(unit = "count")]
    items: Gauge,
}

fn main() {}
