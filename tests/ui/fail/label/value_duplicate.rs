use metrics_runtime::LabelValue;

#[derive(Clone, Copy, LabelValue)]
#[label(rename_all = "lowercase")]
enum Method {
    Get,
    Post,
    #[label(rename = "get")]
    Fetch,
}

fn main() {}
