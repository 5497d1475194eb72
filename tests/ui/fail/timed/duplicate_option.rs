use metrics_runtime::timed;

#[timed(name = "checkout", name = "payment")]
fn handler() {}

fn main() {
    handler();
}
