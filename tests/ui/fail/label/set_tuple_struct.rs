use metrics_runtime::LabelSet;

#[derive(Clone, Copy, LabelSet)]
struct Labels(bool);

fn main() {}
