use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct Batches {
    /// Items per batch.
    batch_count: Histogram,
}

fn main() {}
