use metrics_runtime::timed;

#[timed(objective(sucess = 99.9))]
fn refund() {}

fn main() {
    refund();
}
