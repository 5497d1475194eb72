use metrics_runtime::LabelValue;

#[derive(Clone, Copy, LabelValue)]
struct Method {
    get: bool,
}

fn main() {}
