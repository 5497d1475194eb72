use metrics_runtime::{Gauge, Metrics};

#[derive(Metrics)]
struct Rules {
    /// A recording rule's name.
    #[metric(name = "job:requests:rate5m")]
    rate: Gauge,
}

fn main() {}
