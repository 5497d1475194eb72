use metrics_runtime::LabelValue;

#[derive(Clone, Copy, LabelValue)]
#[label(rename_all = "snake-case")]
enum Method {
    Get,
}

fn main() {}
