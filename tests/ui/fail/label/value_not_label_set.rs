use metrics_runtime::{Counter, Family, LabelValue, Metrics};

/// No `#[label(name = "..")]`: a label value, not a set of labels.
#[derive(Clone, Copy, LabelValue)]
enum Status {
    Paid,
    Refused,
}

#[derive(Metrics)]
struct Orders {
    /// Orders by status.
    orders: Family<Status, Counter>,
}

fn main() {}
