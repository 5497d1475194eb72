//! The metric types: atomics and the operations on them, nothing about formats.

pub(crate) mod atomic_f64;
mod counter;
mod counter_exemplar;
mod gauge;
mod histogram;
mod histogram_exemplars;
mod histogram_ref;
mod native;

pub use counter::{Counter, FloatCounter};
pub use counter_exemplar::CounterWithExemplar;
pub use gauge::{FloatGauge, Gauge};
pub use histogram::{DEFAULT_BUCKETS, Histogram, HistogramTimer};
#[cfg(feature = "tower")]
pub(crate) use histogram_exemplars::BucketExemplars;
pub use histogram_exemplars::HistogramWithExemplars;
pub use histogram_ref::HistogramRef;
pub use native::{NativeBuckets, NativeBucketsError};

/// Calls `$callback!` with every type that is one series on its own (a field of a
/// derived struct without labels), so that the impls over them (`CollectFamily`,
/// `FamilyField`) share one list and a new metric type is added in one place.
macro_rules! with_single_series_types {
    ($callback:ident) => {
        $callback!(
            $crate::metric::Counter,
            $crate::metric::FloatCounter,
            $crate::metric::Gauge,
            $crate::metric::FloatGauge,
            $crate::metric::Histogram,
            $crate::metric::CounterWithExemplar,
            $crate::metric::HistogramWithExemplars
        );
    };
}
pub(crate) use with_single_series_types;

use crate::collect::SeriesSink;
use crate::descriptor::{FamilyDescriptor, MetricKind};
use crate::label::LabelValues;

/// A type that can be one series of a metric family.
///
/// Implemented by [`Counter`], [`FloatCounter`], [`Gauge`], [`FloatGauge`],
/// [`Histogram`], and [`CounterWithExemplar`] and [`HistogramWithExemplars`]; the families ([`Family`](crate::Family),
/// [`DynFamily`](crate::DynFamily)) hold one value of it per label set.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a metric type",
    label = "not a metric type",
    note = "a series is one of `Counter`, `FloatCounter`, `Gauge`, `FloatGauge`, `Histogram`, `CounterWithExemplar` or `HistogramWithExemplars`"
)]
pub trait Metric: Send + Sync + 'static {
    /// The kind written in `# TYPE`.
    const KIND: MetricKind;

    /// Creates a series at zero for the family `descriptor` (which gives buckets).
    fn for_family(descriptor: &'static FamilyDescriptor) -> Self;

    /// Reads the series' current value into `sink`.
    fn collect_series(&self, labels: &LabelValues<'_>, sink: &mut dyn SeriesSink);
}
