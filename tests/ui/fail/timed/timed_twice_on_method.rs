use metrics_runtime::timed;

struct Service;

#[timed]
impl Service {
    #[timed(skip)]
    #[timed]
    fn handler(&self) {}
}

fn main() {
    Service.handler();
}
