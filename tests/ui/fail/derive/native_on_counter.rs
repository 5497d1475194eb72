use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
struct Api {
    /// Requests served.
    #[metric(native(schema = 3))]
    requests: Counter,
}

fn main() {}
