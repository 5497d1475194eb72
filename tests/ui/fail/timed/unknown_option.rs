use metrics_runtime::timed;

#[timed(in_flihgt)]
fn handler() {}

fn main() {
    handler();
}
