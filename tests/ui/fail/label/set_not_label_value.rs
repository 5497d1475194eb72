use metrics_runtime::LabelSet;

#[derive(Clone, Copy, LabelSet)]
struct Labels {
    hit: bool,
    code: u16,
}

fn main() {}
