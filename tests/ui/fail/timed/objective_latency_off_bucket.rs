use metrics_runtime::timed;

#[timed(buckets = [0.1, 0.25, 0.5], objective(success = 99.9, latency = "300ms"))]
fn checkout() {}

fn main() {
    checkout();
}
