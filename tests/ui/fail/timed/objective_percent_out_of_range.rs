use metrics_runtime::timed;

#[timed(objective(success = 100))]
fn pay() {}

fn main() {
    pay();
}
