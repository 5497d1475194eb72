use metrics_runtime::timed;

#[timed(name = "http_requests_total")]
fn handler() {}

fn main() {
    handler();
}
