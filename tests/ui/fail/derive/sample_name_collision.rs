use metrics_runtime::{Counter, Gauge, Metrics};

#[derive(Metrics)]
struct Jobs {
    /// Jobs finished.
    jobs: Counter,
    /// Jobs, under a legacy name.
    #[metric(allow_total_suffix)]
    jobs_total: Gauge,
}

fn main() {}
