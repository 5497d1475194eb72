use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
struct Http(Counter);

fn main() {}
