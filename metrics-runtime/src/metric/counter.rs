use core::sync::atomic::{AtomicU64, Ordering};

use super::Metric;
use crate::collect::{SeriesSink, Value};
use crate::descriptor::{FamilyDescriptor, MetricKind};
use crate::label::LabelValues;
use crate::self_metrics;

/// A monotonically increasing integer count: one `Relaxed` atomic add per increment.
///
/// Declare it without the `_total` suffix; the encoders add it.
///
/// ```
/// let requests = metrics_runtime::Counter::new();
/// requests.inc();
/// requests.inc_by(2);
/// assert_eq!(requests.get(), 3);
/// ```
#[derive(Debug, Default)]
pub struct Counter {
    value: AtomicU64,
}

impl Counter {
    /// A counter at zero.
    pub const fn new() -> Self {
        Self { value: AtomicU64::new(0) }
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.value.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `n`.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        self.value.fetch_add(n, Ordering::Relaxed);
    }

    /// The current count.
    #[inline]
    pub fn get(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
}

impl Metric for Counter {
    const KIND: MetricKind = MetricKind::Counter;

    crate::metric::kept_whole!();

    fn for_family(_: &'static FamilyDescriptor) -> Self {
        Self::new()
    }

    fn collect_series(&self, labels: &LabelValues<'_>, sink: &mut dyn SeriesSink) {
        sink.counter(labels, Value::UInt(self.get()));
    }
}

/// A monotonically increasing floating-point count (seconds spent, credits used...).
///
/// An increment that is negative or NaN would break monotonicity: it is refused,
/// not applied, and counted in the self-metric
/// `metrics_runtime_refused_increments_total`.
///
/// ```
/// let credits = metrics_runtime::FloatCounter::new();
/// credits.inc_by(1.5);
/// credits.inc_by(-3.0); // refused
/// assert_eq!(credits.get(), 1.5);
/// ```
#[derive(Debug, Default)]
pub struct FloatCounter {
    bits: AtomicU64,
}

impl FloatCounter {
    /// A counter at zero.
    pub const fn new() -> Self {
        Self { bits: AtomicU64::new(0) }
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.inc_by(1.0);
    }

    /// Adds `v`; returns `false` (and counts the refusal) when `v` is negative or NaN.
    #[inline]
    pub fn inc_by(&self, v: f64) -> bool {
        if v.is_nan() || v < 0.0 {
            self_metrics::refused_increment();
            return false;
        }
        super::atomic_f64::add(&self.bits, v);
        true
    }

    /// The current count.
    #[inline]
    pub fn get(&self) -> f64 {
        f64::from_bits(self.bits.load(Ordering::Relaxed))
    }
}

impl Metric for FloatCounter {
    const KIND: MetricKind = MetricKind::Counter;

    crate::metric::kept_whole!();

    fn for_family(_: &'static FamilyDescriptor) -> Self {
        Self::new()
    }

    fn collect_series(&self, labels: &LabelValues<'_>, sink: &mut dyn SeriesSink) {
        sink.counter(labels, Value::Float(self.get()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_counter_refuses_negative_and_nan() {
        let c = FloatCounter::new();
        assert!(c.inc_by(0.25));
        assert!(!c.inc_by(-1.0));
        assert!(!c.inc_by(f64::NAN));
        assert!(c.inc_by(f64::INFINITY));
        assert_eq!(c.get(), f64::INFINITY);
    }

    #[test]
    fn counter_counts_across_threads() {
        let c = Counter::new();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..10_000 {
                        c.inc();
                    }
                });
            }
        });
        assert_eq!(c.get(), 40_000);
    }
}
