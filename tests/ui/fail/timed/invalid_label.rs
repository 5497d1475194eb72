use metrics_runtime::timed;

#[timed(labels(__team = "payments"))]
fn handler() {}

fn main() {
    handler();
}
