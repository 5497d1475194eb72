use metrics_runtime::Metrics;

/// A type of the user's own that happens to be called `Counter`.
struct Counter;

#[derive(Metrics)]
struct Http {
    /// Requests served.
    requests: Counter,
}

fn main() {}
