use metrics_runtime::{Counter, HistogramWithExemplars, Metrics};

#[derive(Metrics)]
struct Api {
    /// Requests served.
    #[metric(native(schema = 3))]
    requests: Counter,
    /// Request latency, with traces.
    #[metric(native(schema = 3), unit = "seconds")]
    latency: HistogramWithExemplars,
}

fn main() {}
