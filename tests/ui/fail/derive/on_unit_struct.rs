use metrics_runtime::Metrics;

#[derive(Metrics)]
struct Http;

fn main() {}
