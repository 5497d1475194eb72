use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(namespace = "metrics_runtime")]
struct Mine {
    /// Series folded.
    folded: Counter,
}

fn main() {}
