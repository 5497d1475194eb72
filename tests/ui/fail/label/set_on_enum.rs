use metrics_runtime::LabelSet;

#[derive(Clone, Copy, LabelSet)]
enum Labels {
    Get,
}

fn main() {}
