use metrics_runtime::{Gauge, Metrics};

#[derive(Metrics)]
struct Pool {
    /// Connections open.
    #[metric(name = "connections_total")]
    connections: Gauge,
}

fn main() {}
