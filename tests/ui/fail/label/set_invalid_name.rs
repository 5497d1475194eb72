use metrics_runtime::LabelSet;

#[derive(Clone, Copy, LabelSet)]
struct Labels {
    #[label(name = "__cached")]
    cached: bool,
    #[label(name = "cache-hit")]
    hit: bool,
    quantile: bool,
}

fn main() {}
