use metrics_runtime::timed;

#[timed(error_kind)]
fn handler() -> u32 {
    1
}

fn main() {
    let _ = handler();
}
