use metrics_runtime::Metrics;

#[derive(Metrics)]
enum Http {
    Requests,
}

fn main() {}
