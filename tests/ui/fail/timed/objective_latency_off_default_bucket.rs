use metrics_runtime::timed;

#[timed(objective(latency = "200ms", percentile = 99))]
async fn search() {}

fn main() {
    let _ = search();
}
