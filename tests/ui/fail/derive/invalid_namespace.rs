use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(namespace = "my-shop")]
struct Shop {
    /// Orders placed.
    orders: Counter,
    /// Orders refused.
    refusals: Counter,
}

fn main() {}
