use metrics_runtime::timed;

#[timed(objective(success = 99.9, percentile = 95))]
fn pay() {}

fn main() {
    pay();
}
