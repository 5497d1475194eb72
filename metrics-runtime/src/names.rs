//! The Prometheus grammar for metric and label names, as `const fn`s so that
//! generated code can check names at compile time too.

/// Whether `name` is a valid metric name: `[a-zA-Z_][a-zA-Z0-9_]*`.
///
/// Colons are valid in Prometheus but reserved for recording rules, so instrumented
/// code may not use them.
///
/// ```
/// use metrics_runtime::names::is_valid_metric_name;
/// assert!(is_valid_metric_name("http_requests"));
/// assert!(!is_valid_metric_name("http-requests"));
/// assert!(!is_valid_metric_name("job:http_requests:rate5m"));
/// ```
pub const fn is_valid_metric_name(name: &str) -> bool {
    is_identifier(name.as_bytes())
}

/// Whether `name` is a valid label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting
/// with the reserved `__`.
///
/// ```
/// use metrics_runtime::names::is_valid_label_name;
/// assert!(is_valid_label_name("route"));
/// assert!(!is_valid_label_name("__name__"));
/// assert!(!is_valid_label_name("2xx"));
/// ```
pub const fn is_valid_label_name(name: &str) -> bool {
    let b = name.as_bytes();
    is_identifier(b) && !(b.len() >= 2 && b[0] == b'_' && b[1] == b'_')
}

/// Whether `labels` contains `name`.
pub const fn contains(labels: &[&str], name: &str) -> bool {
    let mut i = 0;
    while i < labels.len() {
        if bytes_eq(labels[i].as_bytes(), name.as_bytes()) {
            return true;
        }
        i += 1;
    }
    false
}

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn is_identifier(b: &[u8]) -> bool {
    if b.is_empty() || b[0].is_ascii_digit() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !(c.is_ascii_alphanumeric() || c == b'_') {
            return false;
        }
        i += 1;
    }
    true
}
