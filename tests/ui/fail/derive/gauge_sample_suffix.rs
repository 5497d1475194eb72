use metrics_runtime::{Gauge, Metrics};

#[derive(Metrics)]
#[metrics(namespace = "billing")]
struct Billing {
    /// Active subscriptions.
    subscription_count: Gauge,
    /// Invoices waiting.
    #[metric(name = "invoice_bucket")]
    invoices: Gauge,
}

fn main() {}
