use metrics_runtime::LabelValue;

#[derive(Clone, Copy, LabelValue)]
enum Status {
    Ok,
    Error(u16),
    Other { code: u16 },
}

fn main() {}
