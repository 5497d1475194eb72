use metrics_runtime::LabelValue;

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    #[label(rename = "")]
    Post,
}

fn main() {}
