//! The Prometheus grammar for metric names, label names and units, the naming
//! conventions the macros enforce, and "did you mean" suggestions. Used by both
//! `#[derive(Metrics)]` and `#[timed]`; every check returns the message to report,
//! the caller picks the token to span it on.
//!
//! Grammar: <https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels>;
//! conventions: <https://prometheus.io/docs/practices/naming/>.

/// A metric kind as the naming rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    /// The word Prometheus uses (`# TYPE`).
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
        }
    }
}

/// The prefix of the runtime's own metrics; user families may not start with it.
pub(crate) const RESERVED_PREFIX: &str = "metrics_runtime_";

/// Units a name may end with (`_seconds`, `_bytes`, ...): a name ending with one of
/// them and given another `unit` contradicts itself.
pub(crate) const UNIT_SUFFIXES: &[&str] = &[
    "seconds",
    "milliseconds",
    "microseconds",
    "nanoseconds",
    "ms",
    "us",
    "ns",
    "minutes",
    "hours",
    "days",
    "bytes",
    "kilobytes",
    "megabytes",
    "gigabytes",
    "terabytes",
    "kibibytes",
    "mebibytes",
    "gibibytes",
    "bits",
    "ratio",
    "percent",
    "celsius",
    "fahrenheit",
    "kelvin",
    "meters",
    "kilometers",
    "millimeters",
    "volts",
    "amperes",
    "joules",
    "watts",
    "hertz",
    "grams",
    "kilograms",
];

/// Suffixes a histogram's samples add to its name (a summary's add the last two): a
/// family of another kind may not end with one either.
const SAMPLE_SUFFIXES: &[&str] = &["_bucket", "_count", "_sum"];

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Why `name` is not a valid metric name (or part of one): it must match
/// `[a-zA-Z_][a-zA-Z0-9_]*`. Colons are valid in Prometheus but reserved for
/// recording rules, so instrumented code may not use them.
pub(crate) fn metric_name_error(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a metric name cannot be empty".to_owned());
    }
    if name.contains(':') {
        return Some(format!(
            "`{name}` is not a valid metric name: `:` is reserved for recording rules; use `_`"
        ));
    }
    if is_identifier(name) {
        return None;
    }
    Some(format!(
        "`{name}` is not a valid metric name: use ASCII letters, digits and `_`, not starting with a digit"
    ))
}

/// Why a full family name is reserved.
pub(crate) fn reserved_name_error(full_name: &str) -> Option<String> {
    full_name.starts_with(RESERVED_PREFIX).then(|| {
        format!(
            "`{full_name}` uses the prefix `{RESERVED_PREFIX}`, reserved for the runtime's own metrics; choose another name"
        )
    })
}

/// Why `name` cannot label a family of `kind` (`None` when the kind is not known,
/// as for a `LabelSet`, whose use on histograms is checked where it is used).
pub(crate) fn label_name_error(name: &str, kind: Option<Kind>) -> Option<String> {
    if name.is_empty() {
        return Some("a label name cannot be empty".to_owned());
    }
    if !is_identifier(name) {
        return Some(format!(
            "`{name}` is not a valid label name: use ASCII letters, digits and `_`, not starting with a digit"
        ));
    }
    if name.starts_with("__") {
        return Some(format!(
            "`{name}` is not a valid label name: names starting with `__` are reserved for Prometheus' internal use"
        ));
    }
    if name == "quantile" {
        return Some(
            "the label name `quantile` is reserved for summaries; choose another name".to_owned(),
        );
    }
    if name == "le" && kind == Some(Kind::Histogram) {
        return Some(
            "the label name `le` is reserved on histograms for bucket bounds; choose another name"
                .to_owned(),
        );
    }
    None
}

/// Why `unit` is not a valid unit: `[a-z][a-z0-9_]*`, and not `total`.
pub(crate) fn unit_error(unit: &str) -> Option<String> {
    let mut chars = unit.chars();
    let valid = matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        let mut msg = format!(
            "`{unit}` is not a valid unit: use lowercase ASCII letters, digits and `_`, starting with a letter"
        );
        let lower = unit.to_ascii_lowercase();
        if let Some(known) = did_you_mean(&lower, UNIT_SUFFIXES.iter().copied()) {
            msg.push_str(&format!("; did you mean `{known}`?"));
        }
        return Some(msg);
    }
    if unit == "total" {
        return Some(
            "`total` is not a unit: counters are declared without `_total` and the encoders add it"
                .to_owned(),
        );
    }
    None
}

/// The known unit `name` ends with (`_seconds` -> `seconds`), if any.
pub(crate) fn unit_suffix(name: &str) -> Option<&'static str> {
    UNIT_SUFFIXES.iter().copied().find(|unit| ends_with_unit(name, unit))
}

/// Whether `name` is `unit` or ends with `_unit`.
fn ends_with_unit(name: &str, unit: &str) -> bool {
    name.strip_suffix(unit).is_some_and(|rest| rest.is_empty() || rest.ends_with('_'))
}

/// Why `name` and `unit` contradict each other: the name ends with a known unit
/// other than `unit`.
pub(crate) fn unit_conflict_error(name: &str, unit: &str) -> Option<String> {
    let suffix = unit_suffix(name)?;
    (suffix != unit && !ends_with_unit(name, unit)).then(|| {
        format!(
            "unit `{unit}` contradicts the name `{name}`, which ends with the unit `{suffix}`; \
             make the name and the unit agree"
        )
    })
}

/// `name` with `_unit` appended, unless it already ends with it; `name` when
/// `unit` is empty.
pub(crate) fn with_unit(name: &str, unit: &str) -> String {
    if unit.is_empty() || ends_with_unit(name, unit) {
        name.to_owned()
    } else {
        format!("{name}_{unit}")
    }
}

/// `namespace_subsystem_name`, leaving out the parts not given.
pub(crate) fn prefixed(namespace: Option<&str>, subsystem: Option<&str>, name: &str) -> String {
    let mut full = String::new();
    for part in [namespace, subsystem].into_iter().flatten() {
        full.push_str(part);
        full.push('_');
    }
    full.push_str(name);
    full
}

/// Why a family of `kind` may not be called `name` (as declared, before the
/// namespace and `unit`) or `full_name` (complete):
///
/// - counters are declared without `_total`, which the encoders add;
/// - `_total` is for counters, unless `allow_total_suffix` keeps a legacy name;
/// - a name may not end with a suffix a histogram's samples add: on a histogram they
///   would clash with its own samples, on a counter or gauge `promtool check metrics`
///   rejects them (its lint reserves them for histograms and summaries).
pub(crate) fn suffix_error(
    name: &str,
    unit: &str,
    full_name: &str,
    kind: Kind,
    allow_total_suffix: bool,
) -> Option<String> {
    if let Some(stem) = name.strip_suffix("_total") {
        if kind == Kind::Counter {
            return Some(format!(
                "a counter is declared without `_total` (the encoders add it to its samples); use `{stem}`"
            ));
        }
        if !allow_total_suffix {
            return Some(format!(
                "`_total` is for counters; rename this {} (or add `#[metric(allow_total_suffix)]` to keep a legacy name)",
                kind.as_str(),
            ));
        }
    }
    let suffix = sample_suffix(full_name)?;
    if kind == Kind::Histogram {
        return Some(format!(
            "a histogram's name may not end with `{suffix}`: its samples add `_bucket`, `_count` and `_sum`"
        ));
    }
    let advice = match name.strip_suffix(suffix) {
        Some(stem) if !stem.is_empty() && kind == Kind::Counter => {
            format!("use `{stem}` (exposed as `{stem}_total`)")
        }
        Some(stem) if !stem.is_empty() => format!("use `{stem}`"),
        _ if sample_suffix_from_unit(name, unit) => "choose another unit".to_owned(),
        _ => "choose another name".to_owned(),
    };
    Some(format!(
        "a {}'s name may not end with `{suffix}`, the suffix of histogram and summary samples \
         (`promtool check metrics` rejects it on other kinds); {advice}",
        kind.as_str()
    ))
}

/// The histogram sample suffix `full_name` ends with, if any.
pub(crate) fn sample_suffix(full_name: &str) -> Option<&'static str> {
    SAMPLE_SUFFIXES.iter().copied().find(|suffix| full_name.ends_with(suffix))
}

/// Whether the unit, not the name, gives a full name its sample suffix (`unit = "count"`).
pub(crate) fn sample_suffix_from_unit(name: &str, unit: &str) -> bool {
    !unit.is_empty()
        && sample_suffix(&format!("_{unit}")).is_some_and(|suffix| !name.ends_with(suffix))
}

/// The optimal string alignment distance: insertions, deletions, substitutions and
/// transpositions of adjacent characters each cost one.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the dynamic-programming table: two back, one back, current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            current[j] = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                current[j] = current[j].min(before[j - 2] + 1);
            }
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidate closest to `word`, if close enough to be a likely typo: at most
/// one edit per three characters (and always one).
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names() {
        assert_eq!(metric_name_error("http_requests"), None);
        assert_eq!(metric_name_error("_private"), None);
        assert!(metric_name_error("").is_some());
        assert!(metric_name_error("2xx").unwrap().contains("not starting with a digit"));
        assert!(metric_name_error("http-requests").is_some());
        assert!(metric_name_error("größe").is_some());
        assert!(metric_name_error("job:requests:rate5m").unwrap().contains("recording rules"));
        assert!(reserved_name_error("metrics_runtime_x").is_some());
        assert!(reserved_name_error("metrics_x").is_none());
    }

    #[test]
    fn label_names() {
        assert_eq!(label_name_error("route", Some(Kind::Counter)), None);
        assert!(label_name_error("__name__", None).unwrap().contains("`__`"));
        assert!(label_name_error("quantile", Some(Kind::Gauge)).is_some());
        assert!(label_name_error("le", Some(Kind::Histogram)).is_some());
        assert_eq!(label_name_error("le", Some(Kind::Counter)), None);
        assert_eq!(label_name_error("le", None), None);
        assert!(label_name_error("a-b", None).is_some());
        assert!(label_name_error("", None).is_some());
    }

    #[test]
    fn units() {
        assert_eq!(unit_error("seconds"), None);
        assert_eq!(unit_error("kilo_bytes2"), None);
        assert!(unit_error("Seconds").unwrap().contains("did you mean `seconds`?"));
        assert!(unit_error("").is_some());
        assert!(unit_error("_s").is_some());
        assert!(unit_error("total").is_some());

        assert_eq!(unit_suffix("latency_seconds"), Some("seconds"));
        assert_eq!(unit_suffix("size_kilobytes"), Some("kilobytes"));
        assert_eq!(unit_suffix("seconds"), Some("seconds"));
        assert_eq!(unit_suffix("nanoseconds_x"), None);
        assert_eq!(unit_suffix("thunderbolts"), None);

        assert_eq!(with_unit("checkout", "seconds"), "checkout_seconds");
        assert_eq!(with_unit("checkout_seconds", "seconds"), "checkout_seconds");
        assert_eq!(with_unit("seconds", "seconds"), "seconds");
        assert_eq!(with_unit("fooseconds", "seconds"), "fooseconds_seconds");
        assert_eq!(with_unit("checkout", ""), "checkout");

        assert_eq!(unit_conflict_error("latency_seconds", "seconds"), None);
        assert_eq!(unit_conflict_error("latency", "seconds"), None);
        assert!(unit_conflict_error("latency_ms", "seconds").is_some());
        assert!(unit_conflict_error("size_bytes", "kilobytes").is_some());
        // A custom unit the name ends with is no contradiction.
        assert_eq!(unit_conflict_error("queue_items_ratio", "items_ratio"), None);
    }

    #[test]
    fn prefixes() {
        assert_eq!(prefixed(Some("shop"), Some("api"), "orders"), "shop_api_orders");
        assert_eq!(prefixed(None, Some("api"), "orders"), "api_orders");
        assert_eq!(prefixed(None, None, "orders"), "orders");
    }

    #[test]
    fn suffixes() {
        let counter = suffix_error("orders_total", "", "shop_orders_total", Kind::Counter, false);
        assert!(counter.unwrap().contains("use `orders`"));
        assert!(suffix_error("orders_total", "", "orders_total", Kind::Counter, true).is_some());
        assert!(suffix_error("items_total", "", "items_total", Kind::Gauge, false).is_some());
        assert_eq!(suffix_error("items_total", "", "items_total", Kind::Gauge, true), None);
        assert!(
            suffix_error("latency_count", "", "latency_count", Kind::Histogram, false).is_some()
        );
        assert!(suffix_error("latency", "", "latency_sum", Kind::Histogram, false).is_some());
        let gauge =
            suffix_error("connections_count", "", "pool_connections_count", Kind::Gauge, false);
        assert!(gauge.unwrap().ends_with("use `connections`"));
        let counter = suffix_error("bytes_sum", "", "bytes_sum", Kind::Counter, false);
        assert!(counter.unwrap().ends_with("use `bytes` (exposed as `bytes_total`)"));
        let unit = suffix_error("items", "count", "items_count", Kind::Gauge, false);
        assert!(unit.unwrap().ends_with("choose another unit"));
        let bare = suffix_error("count", "", "jobs_count", Kind::Gauge, false);
        assert!(bare.unwrap().ends_with("choose another name"));
        assert_eq!(suffix_error("accounts", "", "accounts", Kind::Gauge, false), None);
        assert_eq!(suffix_error("orders", "", "orders", Kind::Counter, false), None);
        assert_eq!(suffix_error("discount", "", "discount", Kind::Gauge, false), None);

        assert!(sample_suffix_from_unit("items", "count"));
        assert!(sample_suffix_from_unit("items", "item_count"));
        assert!(!sample_suffix_from_unit("items_count", "count"));
        assert!(!sample_suffix_from_unit("items", "seconds"));
        assert!(!sample_suffix_from_unit("items", ""));
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("hlep", "help"), 1);
        assert_eq!(edit_distance("bucket", "buckets"), 1);
        assert_eq!(edit_distance("name", "name"), 0);
    }

    #[test]
    fn suggestions() {
        let keys = ["name", "help", "unit", "buckets", "labels", "max_series"];
        assert_eq!(did_you_mean("hlep", keys), Some("help"));
        assert_eq!(did_you_mean("bucket", keys), Some("buckets"));
        assert_eq!(did_you_mean("maxseries", keys), Some("max_series"));
        assert_eq!(did_you_mean("label", keys), Some("labels"));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(did_you_mean("x", keys), None);
    }
}
