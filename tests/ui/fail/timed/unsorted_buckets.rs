use metrics_runtime::timed;

#[timed(buckets = [0.1, 0.05, 1.0])]
fn handler() {}

fn main() {
    handler();
}
