use metrics_runtime::LabelSet;

#[derive(Clone, Copy, LabelSet)]
struct Labels {
    #[label(rename = "cache_hit")]
    hit: bool,
}

fn main() {}
