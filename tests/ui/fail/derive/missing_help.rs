use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
struct Http {
    requests: Counter,
    #[metric(help = "")]
    refused: Counter,
}

fn main() {}
