//! Static descriptions of metric families: what the catalogue lists and the
//! encoders print in `# HELP`, `# TYPE` and `# UNIT`.

use core::fmt;

/// The type of a metric family, as written after `# TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricKind {
    /// A monotonically increasing count.
    Counter,
    /// A value that goes up and down.
    Gauge,
    /// Observations counted in buckets, with their sum and count.
    Histogram,
    /// Precomputed quantiles with their sum and count; only from attached
    /// `prometheus` registries (declare histograms instead).
    Summary,
    /// A sample of unknown type (`untyped` in the `prometheus` crate).
    Unknown,
}

impl MetricKind {
    /// The lowercase word the exposition formats use.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
            Self::Summary => "summary",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for MetricKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a family's series are labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    /// One series, no labels of its own.
    None,
    /// Label values from a `#[derive(LabelSet)]` type: every combination exists from
    /// registration, indexed densely.
    Typed,
    /// String label values known at run time, capped at `max_series`.
    Dynamic,
}

/// Where a family was declared in the user's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLocation {
    /// `file!()` of the declaration.
    pub file: &'static str,
    /// `line!()` of the declaring field.
    pub line: u32,
    /// `column!()` of the declaring field.
    pub column: u32,
    /// `module_path!()` of the declaration.
    pub module: &'static str,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Everything known about a metric family before any of its code runs.
///
/// `#[derive(Metrics)]` writes one per field as a `static`, in the link-time
/// [`catalogue`](crate::catalogue()).
#[derive(Debug, Clone, Copy)]
pub struct FamilyDescriptor {
    /// Full name (namespace and subsystem included), without a counter's `_total`.
    pub name: &'static str,
    /// The `# HELP` text.
    pub help: &'static str,
    /// Counter, gauge or histogram.
    pub kind: MetricKind,
    /// The unit (`seconds`, `bytes`...), which the name ends with; `""` for none.
    pub unit: &'static str,
    /// How the series are labelled.
    pub label_kind: LabelKind,
    /// The names of the labels each series has (constant labels not included).
    /// Empty in the catalogue when they come from a generic type parameter.
    pub label_names: &'static [&'static str],
    /// Labels with the same value on every series of the family.
    pub const_labels: &'static [(&'static str, &'static str)],
    /// Histogram upper bounds, ascending, without `+Inf`; empty for other kinds.
    pub buckets: &'static [f64],
    /// The cardinality limit of a dynamic family; 0 otherwise.
    pub max_series: usize,
    /// The struct that declares the family.
    pub struct_name: &'static str,
    /// The field that declares the family.
    pub field_name: &'static str,
    /// Where it was declared.
    pub location: SourceLocation,
}

impl FamilyDescriptor {
    /// The name of the samples of a counter (`…_total`) or of other kinds (the name).
    pub fn sample_name(&self) -> std::borrow::Cow<'static, str> {
        match self.kind {
            MetricKind::Counter => format!("{}_total", self.name).into(),
            _ => self.name.into(),
        }
    }
}

/// Why a list of histogram bounds was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BucketsError {
    /// No bound at all.
    #[error("a histogram needs at least one bucket bound; give e.g. `[0.1, 0.5, 1.0]`")]
    Empty,
    /// NaN or an infinity among the bounds.
    #[error("bucket bound {0} is not finite; `+Inf` is implicit, leave it out")]
    NotFinite(f64),
    /// Bounds out of order or repeated.
    #[error("bucket bounds must be strictly ascending, but {next} follows {previous}")]
    NotAscending {
        /// The earlier bound.
        previous: f64,
        /// The bound that is not greater than it.
        next: f64,
    },
}

pub(crate) fn check_buckets(bounds: &[f64]) -> Result<(), BucketsError> {
    if bounds.is_empty() {
        return Err(BucketsError::Empty);
    }
    for (i, b) in bounds.iter().enumerate() {
        if !b.is_finite() {
            return Err(BucketsError::NotFinite(*b));
        }
        if i > 0 && bounds[i - 1] >= *b {
            return Err(BucketsError::NotAscending { previous: bounds[i - 1], next: *b });
        }
    }
    Ok(())
}
