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
    /// Histogram upper bounds, ascending, without `+Inf`; empty for other kinds and for
    /// native-only histograms.
    pub buckets: &'static [f64],
    /// The native bucket layout of a histogram declared with `#[metric(native(..))]`;
    /// `None` for classic-only histograms and other kinds.
    pub native: Option<crate::NativeBuckets>,
    /// The cardinality limit of a dynamic family; 0 otherwise.
    pub max_series: usize,
    /// The struct that declares the family.
    pub struct_name: &'static str,
    /// The field that declares the family.
    pub field_name: &'static str,
    /// Where it was declared.
    pub location: SourceLocation,
    /// The objective declared with `#[metric(objective(..))]` on a histogram, which
    /// [`ops`](crate::ops) turns into burn-rate alerts; `None` for most families.
    pub objective: Option<Objective>,
}

/// The [`SourceLocation`] of the place this macro is written: for descriptors
/// written by hand (families registered at run time, tests).
///
/// ```
/// let here = metrics_runtime::source_location!();
/// assert_eq!(here.file, file!());
/// assert_eq!(here.module, module_path!());
/// ```
#[macro_export]
macro_rules! source_location {
    () => {
        $crate::SourceLocation {
            file: ::core::file!(),
            line: ::core::line!(),
            column: ::core::column!(),
            module: ::core::module_path!(),
        }
    };
}

impl FamilyDescriptor {
    /// A single-series family with no unit, labels, buckets or objective: the base a
    /// hand-written descriptor fills in with struct update syntax (the derive writes
    /// every field itself).
    ///
    /// ```
    /// use metrics_runtime::{FamilyDescriptor, LabelKind, MetricKind, source_location};
    ///
    /// static REQUESTS: FamilyDescriptor = FamilyDescriptor {
    ///     label_kind: LabelKind::Dynamic,
    ///     label_names: &["route"],
    ///     ..FamilyDescriptor::new("requests", "Requests by route.", MetricKind::Counter, source_location!())
    /// };
    /// assert_eq!(REQUESTS.unit, "");
    /// ```
    pub const fn new(
        name: &'static str,
        help: &'static str,
        kind: MetricKind,
        location: SourceLocation,
    ) -> Self {
        Self {
            name,
            help,
            kind,
            unit: "",
            label_kind: LabelKind::None,
            label_names: &[],
            const_labels: &[],
            buckets: &[],
            native: None,
            max_series: 0,
            struct_name: "",
            field_name: "",
            location,
            objective: None,
        }
    }

    /// The name of the samples of a counter (`…_total`) or of other kinds (the name).
    pub fn sample_name(&self) -> std::borrow::Cow<'static, str> {
        match self.kind {
            MetricKind::Counter => format!("{}_total", self.name).into(),
            _ => self.name.into(),
        }
    }
}

/// A service-level objective, declared with `#[timed(objective(..))]` on a function or
/// `#[metric(objective(..))]` on a histogram family.
///
/// `success = 99.9` asks that 99.9 % of calls end well (`ok`; `error` and `panicked`
/// count against it, `cancelled` calls are left out: the caller gave up before the
/// function could succeed or fail). `latency = "250ms", percentile = 99` asks that
/// 99 % of calls (or observations) take at most 250 ms; the latency is one of the
/// histogram's bucket bounds, which the macros check. [`ops`](crate::ops) turns an
/// objective into multi-window, multi-burn-rate alerts over a 30-day budget.
///
/// ```
/// use metrics_runtime::Objective;
/// const FAST: Objective = Objective::latency(0.25, 99.0);
/// assert_eq!(FAST.latency_budget(), Some(0.01));
/// assert_eq!(Objective::success(99.9).error_budget(), Some(0.001));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Objective {
    /// Percent of calls that must succeed, in `(0, 100)`; `None` when not declared.
    pub success: Option<f64>,
    /// The latency bound, in the unit of the histogram (seconds for `#[timed]`): one
    /// of its bucket bounds; `None` when not declared.
    pub latency: Option<f64>,
    /// Percent of calls that must take at most `latency`, in `(0, 100)`.
    pub percentile: f64,
}

impl Objective {
    /// The percentile a latency objective has when none is given.
    pub const DEFAULT_PERCENTILE: f64 = 99.0;

    /// A success objective alone.
    pub const fn success(percent: f64) -> Self {
        Self { success: Some(percent), latency: None, percentile: Self::DEFAULT_PERCENTILE }
    }

    /// A latency objective alone: `percentile` % of calls within `bound`.
    pub const fn latency(bound: f64, percentile: f64) -> Self {
        Self { success: None, latency: Some(bound), percentile }
    }

    /// The share of calls that may fail (`0.001` for 99.9 %), rounded to 12
    /// significant digits so that `100 - 99.9` gives `0.001`, not `0.0010000000000000009`.
    pub fn error_budget(&self) -> Option<f64> {
        self.success.map(budget)
    }

    /// The share of calls that may be slower than `latency`.
    pub fn latency_budget(&self) -> Option<f64> {
        self.latency.map(|_| budget(self.percentile))
    }
}

fn budget(percent: f64) -> f64 {
    let share = (100.0 - percent) / 100.0;
    format!("{share:.11e}").parse().unwrap_or(share)
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
