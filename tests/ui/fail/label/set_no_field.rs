use metrics_runtime::LabelSet;

#[derive(Clone, Copy, LabelSet)]
struct Labels {}

fn main() {}
