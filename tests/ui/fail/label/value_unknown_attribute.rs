use metrics_runtime::LabelValue;

#[derive(Clone, Copy, LabelValue)]
#[label(renameall = "lowercase")]
enum Method {
    #[label(name = "GET")]
    Get,
}

fn main() {}
