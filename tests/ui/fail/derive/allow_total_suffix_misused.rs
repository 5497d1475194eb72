use metrics_runtime::{Counter, Gauge, Metrics};

#[derive(Metrics)]
struct Pool {
    /// Connections opened.
    #[metric(allow_total_suffix)]
    opened: Counter,
    /// Connections open.
    #[metric(allow_total_suffix)]
    open: Gauge,
}

fn main() {}
