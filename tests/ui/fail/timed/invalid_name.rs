use metrics_runtime::timed;

#[timed(name = "http-request")]
fn handler() {}

fn main() {
    handler();
}
