use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
struct Transfer {
    /// Bytes sent.
    bytes_sum: Counter,
}

fn main() {}
