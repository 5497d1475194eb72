use metrics_runtime::LabelValue;

#[derive(Clone, Copy, LabelValue)]
enum Never {}

fn main() {}
