use metrics_runtime::timed;

#[timed]
struct NotAFunction;

fn main() {
    let _ = NotAFunction;
}
