use metrics_runtime::{Counter, Family, Histogram, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
#[label(name = "le")]
enum Level {
    Low,
    High,
}

#[derive(Metrics)]
struct Jobs {
    /// Jobs by level: `le` is a fine label name on a counter.
    jobs: Family<Level, Counter>,
    /// Latency by level.
    latency: Family<Level, Histogram>,
}

fn main() {}
