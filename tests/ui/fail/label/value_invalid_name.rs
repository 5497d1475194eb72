use metrics_runtime::{Counter, Family, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
#[label(name = "__status")]
enum Status {
    Paid,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "http-method")]
enum Method {
    Get,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "quantile")]
enum Quantile {
    Median,
}

// The families type-check: the errors above are the only ones.
#[derive(Metrics)]
struct Http {
    /// Requests by status.
    requests: Family<Status, Counter>,
    /// Requests by method.
    methods: Family<Method, Counter>,
    /// Requests by quantile.
    quantiles: Family<Quantile, Counter>,
}

fn main() {}
