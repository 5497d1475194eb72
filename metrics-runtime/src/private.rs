//! Everything generated code names, reached as `::metrics_runtime::__private`.
//! Not a public API: it changes with the macros.

pub use core;
pub use linkme;

pub use crate::catalogue::CATALOGUE;
pub use crate::collect::CollectFamily;
pub use crate::descriptor::{FamilyDescriptor, LabelKind, MetricKind, Objective, SourceLocation};
pub use crate::label::{DynFamily, Family, LabelSet, LabelValue};
pub use crate::metric::Metric;
pub use crate::metric::{DEFAULT_BUCKETS, NativeBuckets};
pub use crate::metrics::Metrics;
pub use crate::names::{contains, is_valid_label_name};
pub use crate::timed::{
    KindProbe, NoExemplars, Outcome, Probe, StdClock, TIMED_FUNCTIONS, TimedCall, TimedDescriptor,
    TimedFunction, TimedSeries, TraceExemplars, TscClock, ViaDefault, ViaErrorKind,
    ViaTimedOutcome, ViaTypeName, timed_future,
};

/// A field type of a `#[derive(Metrics)]` struct: how it is created and what its
/// descriptor says about it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of a `#[derive(Metrics)]` struct",
    label = "not a metric family type",
    note = "use `Counter`, `FloatCounter`, `Gauge`, `FloatGauge`, `Histogram`, `CounterWithExemplar`, `HistogramWithExemplars`, `Family<Labels, M>` or `DynFamily<M>`"
)]
pub trait FamilyField: CollectFamily + Sized {
    /// The family's kind.
    const KIND: MetricKind;
    /// How its series are labelled.
    const LABEL_KIND: LabelKind;
    /// Label names that come from the type (typed families); empty otherwise.
    const TYPE_LABEL_NAMES: &'static [&'static str];
    /// Creates the family at zero.
    fn for_family(descriptor: &'static FamilyDescriptor) -> Self;
    /// The family as its collector. Generated code calls it through this trait so
    /// that a field type that is no family gets one error, this trait's.
    fn as_collect(&self) -> &dyn CollectFamily {
        self
    }
}

macro_rules! single_series_field {
    ($($ty:ty),*) => {$(
        impl FamilyField for $ty {
            const KIND: MetricKind = <$ty as Metric>::KIND;
            const LABEL_KIND: LabelKind = LabelKind::None;
            const TYPE_LABEL_NAMES: &'static [&'static str] = &[];
            fn for_family(descriptor: &'static FamilyDescriptor) -> Self {
                <$ty as Metric>::for_family(descriptor)
            }
        }
    )*};
}
crate::metric::with_single_series_types!(single_series_field);

impl<L: LabelSet, M: Metric> FamilyField for Family<L, M> {
    const KIND: MetricKind = M::KIND;
    const LABEL_KIND: LabelKind = LabelKind::Typed;
    const TYPE_LABEL_NAMES: &'static [&'static str] = L::NAMES;
    fn for_family(descriptor: &'static FamilyDescriptor) -> Self {
        Family::for_family(descriptor)
    }
}

impl<M: Metric> FamilyField for DynFamily<M> {
    const KIND: MetricKind = M::KIND;
    const LABEL_KIND: LabelKind = LabelKind::Dynamic;
    const TYPE_LABEL_NAMES: &'static [&'static str] = &[];
    fn for_family(descriptor: &'static FamilyDescriptor) -> Self {
        DynFamily::for_family(descriptor)
    }
}

/// Compile-time check of a typed family's label names (the `LabelSet` derive cannot
/// know whether the set labels a histogram). Used in a `const` item, so a failure
/// is a compile error.
pub const fn check_type_labels(kind: MetricKind, names: &[&str]) {
    let mut i = 0;
    while i < names.len() {
        if !is_valid_label_name(names[i]) {
            panic!(
                "invalid label name in a LabelSet: use letters, digits and `_`, not starting with `__`"
            );
        }
        i += 1;
    }
    if contains(names, "quantile") {
        panic!(
            "the label name `quantile` is reserved for summaries; rename the LabelSet field with #[label(name = \"...\")]"
        );
    }
    if matches!(kind, MetricKind::Histogram) && contains(names, "le") {
        panic!(
            "the label name `le` is reserved on histograms for bucket bounds; rename the LabelSet field, or the LabelValue enum that is its own set, with #[label(name = \"...\")]"
        );
    }
}

/// Compile-time check that a latency objective is one of the histogram's bounds.
/// The macros check it with their own copy of the default bounds and name the
/// nearest ones; this catches the copy drifting from [`DEFAULT_BUCKETS`].
pub const fn check_objective_bound(bounds: &[f64], latency: f64) {
    let mut i = 0;
    while i < bounds.len() {
        if bounds[i] == latency {
            return;
        }
        i += 1;
    }
    panic!(
        "the latency objective is not a bucket bound of the histogram; choose one of its bounds"
    );
}

/// [`check_type_labels`], and no label of the set is also a constant label of the
/// struct (`#[metrics(labels(..))]`): the check of each typed family field.
pub const fn check_typed_family(kind: MetricKind, names: &[&str], const_labels: &[&str]) {
    check_type_labels(kind, names);
    let mut i = 0;
    while i < const_labels.len() {
        if contains(names, const_labels[i]) {
            panic!(
                "a LabelSet field has the name of a constant label of the struct (#[metrics(labels(..))]); rename one of them"
            );
        }
        i += 1;
    }
}
