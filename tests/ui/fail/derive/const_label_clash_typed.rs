use metrics_runtime::{Counter, Family, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Service {
    Api,
    Web,
}

#[derive(Clone, Copy, LabelSet)]
struct Labels {
    service: Service,
}

#[derive(Metrics)]
#[metrics(labels(service = "checkout"))]
struct Http {
    /// Requests by service.
    requests: Family<Labels, Counter>,
}

fn main() {}
