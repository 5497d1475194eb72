use metrics_runtime::{Family, Histogram, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Level {
    Low,
    High,
}

#[derive(Clone, Copy, LabelSet)]
struct Labels {
    le: Level,
}

#[derive(Metrics)]
struct Http {
    /// Latency by level.
    latency: Family<Labels, Histogram>,
}

fn main() {}
