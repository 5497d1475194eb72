use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use super::Metric;
use crate::collect::{SeriesSink, Value};
use crate::descriptor::{FamilyDescriptor, MetricKind};
use crate::label::LabelValues;

/// An integer value that goes up and down (connections open, queue depth).
///
/// ```
/// let open = metrics_runtime::Gauge::new();
/// open.inc();
/// open.add(4);
/// open.dec();
/// assert_eq!(open.get(), 4);
/// open.set(-2);
/// assert_eq!(open.get(), -2);
/// ```
#[derive(Debug, Default)]
pub struct Gauge {
    value: AtomicI64,
}

impl Gauge {
    /// A gauge at zero.
    pub const fn new() -> Self {
        Self { value: AtomicI64::new(0) }
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.value.fetch_add(1, Ordering::Relaxed);
    }

    /// Subtracts one.
    #[inline]
    pub fn dec(&self) {
        self.value.fetch_sub(1, Ordering::Relaxed);
    }

    /// Adds `n` (which may be negative).
    #[inline]
    pub fn add(&self, n: i64) {
        self.value.fetch_add(n, Ordering::Relaxed);
    }

    /// Subtracts `n`.
    #[inline]
    pub fn sub(&self, n: i64) {
        self.value.fetch_sub(n, Ordering::Relaxed);
    }

    /// Replaces the value.
    #[inline]
    pub fn set(&self, n: i64) {
        self.value.store(n, Ordering::Relaxed);
    }

    /// The current value.
    #[inline]
    pub fn get(&self) -> i64 {
        self.value.load(Ordering::Relaxed)
    }
}

impl Metric for Gauge {
    const KIND: MetricKind = MetricKind::Gauge;

    crate::metric::kept_whole!();

    fn for_family(_: &'static FamilyDescriptor) -> Self {
        Self::new()
    }

    fn collect_series(&self, labels: &LabelValues<'_>, sink: &mut dyn SeriesSink) {
        sink.gauge(labels, Value::Int(self.get()));
    }
}

/// A floating-point value that goes up and down (memory ratio, temperature, balance).
///
/// NaN and infinities are stored and exposed as the formats spell them.
///
/// ```
/// let ratio = metrics_runtime::FloatGauge::new();
/// ratio.set(0.5);
/// ratio.add(0.25);
/// assert_eq!(ratio.get(), 0.75);
/// ```
#[derive(Debug, Default)]
pub struct FloatGauge {
    bits: AtomicU64,
}

impl FloatGauge {
    /// A gauge at zero.
    pub const fn new() -> Self {
        Self { bits: AtomicU64::new(0) }
    }

    /// Replaces the value.
    #[inline]
    pub fn set(&self, v: f64) {
        self.bits.store(v.to_bits(), Ordering::Relaxed);
    }

    /// Adds `v` (which may be negative).
    #[inline]
    pub fn add(&self, v: f64) {
        super::atomic_f64::add(&self.bits, v);
    }

    /// Subtracts `v`.
    #[inline]
    pub fn sub(&self, v: f64) {
        self.add(-v);
    }

    /// The current value.
    #[inline]
    pub fn get(&self) -> f64 {
        f64::from_bits(self.bits.load(Ordering::Relaxed))
    }
}

impl Metric for FloatGauge {
    const KIND: MetricKind = MetricKind::Gauge;

    crate::metric::kept_whole!();

    fn for_family(_: &'static FamilyDescriptor) -> Self {
        Self::new()
    }

    fn collect_series(&self, labels: &LabelValues<'_>, sink: &mut dyn SeriesSink) {
        sink.gauge(labels, Value::Float(self.get()));
    }
}
