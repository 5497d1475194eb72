use metrics_runtime::timed;

#[timed(labels(outcome = "fine"))]
fn handler() {}

fn main() {
    handler();
}
