use metrics_runtime::timed;

#[timed(exemplars = "opentelemetry")]
fn handle() {}

fn main() {
    handle();
}
