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
///
/// The hidden items say how a [`DynFamily`](crate::DynFamily) keeps a series in its
/// records; they are the runtime's own, not for implementors outside it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a metric type",
    label = "not a metric type",
    note = "a series is one of `Counter`, `FloatCounter`, `Gauge`, `FloatGauge`, `Histogram`, `CounterWithExemplar` or `HistogramWithExemplars`"
)]
pub trait Metric: Send + Sync + Sized + 'static {
    /// The kind written in `# TYPE`.
    const KIND: MetricKind;

    /// What a [`DynFamily`](crate::DynFamily) lookup returns for one series:
    /// `&'a Self`, but a [`HistogramRef`] for a [`Histogram`], whose series a dynamic
    /// family keeps as bare counters in its own storage (the bounds once per family).
    type Handle<'a>: Copy;

    /// Creates a series at zero for the family `descriptor` (which gives buckets).
    fn for_family(descriptor: &'static FamilyDescriptor) -> Self;

    /// Reads the series' current value into `sink`.
    fn collect_series(&self, labels: &LabelValues<'_>, sink: &mut dyn SeriesSink);

    /// This series as a lookup would hand it out (a dynamic family's overflow one).
    #[doc(hidden)]
    fn handle(&self) -> Self::Handle<'_>;

    /// [`Metric::collect_series`] of a handle.
    #[doc(hidden)]
    fn collect_handle(
        handle: Self::Handle<'_>,
        labels: &LabelValues<'_>,
        sink: &mut dyn SeriesSink,
    );

    /// The alignment a series needs in a dynamic family's record.
    #[doc(hidden)]
    const RECORD_ALIGN: usize = align_of::<Self>();

    /// The bytes a series of the family of `descriptor` takes in a dynamic family's
    /// record: a multiple of 4 and of [`Metric::RECORD_ALIGN`].
    #[doc(hidden)]
    #[inline]
    fn record_size(_descriptor: &'static FamilyDescriptor) -> usize {
        size_of::<Self>().next_multiple_of(4)
    }

    /// Writes a new series of the family of `descriptor` at `at`.
    ///
    /// # Safety
    /// `at` is aligned to [`Metric::RECORD_ALIGN`], and valid for writes of
    /// [`Metric::record_size`] bytes that hold nothing yet.
    #[doc(hidden)]
    unsafe fn record_write(at: *mut u8, descriptor: &'static FamilyDescriptor) {
        // SAFETY: the caller gives room for a `Self`, aligned.
        unsafe { at.cast::<Self>().write(Self::for_family(descriptor)) }
    }

    /// The handle of the series at `at`.
    ///
    /// # Safety
    /// `at` holds a series written by [`Metric::record_write`] with the same
    /// `descriptor`, not yet dropped, which lives unmoved for `'a`.
    #[doc(hidden)]
    unsafe fn record_handle<'a>(
        at: *mut u8,
        descriptor: &'static FamilyDescriptor,
    ) -> Self::Handle<'a>;

    /// Drops the series at `at`.
    ///
    /// # Safety
    /// As for [`Metric::record_handle`], and the series is never used again.
    #[doc(hidden)]
    unsafe fn record_drop(at: *mut u8, _descriptor: &'static FamilyDescriptor) {
        // SAFETY: a `Self`, written by `record_write`, dropped once.
        unsafe { at.cast::<Self>().drop_in_place() }
    }
}

/// The items of [`Metric`] for a type that a dynamic family keeps whole in its
/// records and hands out by reference: every metric type but [`Histogram`].
macro_rules! kept_whole {
    () => {
        type Handle<'a> = &'a Self;

        fn handle(&self) -> &Self {
            self
        }

        fn collect_handle(
            handle: &Self,
            labels: &$crate::label::LabelValues<'_>,
            sink: &mut dyn $crate::collect::SeriesSink,
        ) {
            $crate::metric::Metric::collect_series(handle, labels, sink);
        }

        #[inline]
        unsafe fn record_handle<'a>(
            at: *mut u8,
            _: &'static $crate::descriptor::FamilyDescriptor,
        ) -> &'a Self {
            // SAFETY: `record_write` put a `Self` at `at` (the caller's contract).
            unsafe { &*at.cast::<Self>() }
        }
    };
}
pub(crate) use kept_whole;
