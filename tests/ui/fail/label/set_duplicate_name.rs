use metrics_runtime::LabelSet;

#[derive(Clone, Copy, LabelSet)]
struct Labels {
    hit: bool,
    #[label(name = "hit")]
    cached: bool,
}

fn main() {}
