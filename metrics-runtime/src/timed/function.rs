//! The static storage of one `#[timed]` function, and the link-time list of them.

use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use super::exemplar::CallExemplars;
use super::outcome::Outcome;
use crate::descriptor::{Objective, SourceLocation};
use crate::exemplar::{ExemplarCell, ExemplarSnapshot};

/// What `#[timed]` knows about a function at compile time.
#[derive(Debug, Clone, Copy)]
pub struct TimedDescriptor {
    /// The `function` label: the function's name.
    pub function: &'static str,
    /// The `module` label: `module_path!()`.
    pub module: &'static str,
    /// `Some(name)` for `#[timed(name = "..")]`: the function's own families
    /// `{name}_calls_total` and `{name}_duration_seconds`; `None` for the shared
    /// `function_calls_total` and `function_duration_seconds`.
    pub family: Option<&'static str>,
    /// Extra constant labels from `#[timed(labels(..))]`.
    pub labels: &'static [(&'static str, &'static str)],
    /// Histogram upper bounds in seconds, without `+Inf`.
    pub buckets: &'static [f64],
    /// Whether an in-flight gauge is kept.
    pub in_flight: bool,
    /// Whether errors are also counted by kind (`#[timed(error_kind)]`), in
    /// `function_errors_total{error_kind}`.
    pub error_kind: bool,
    /// The objective declared with `#[timed(objective(..))]`, for
    /// [`ops`](crate::ops)'s burn-rate alerts.
    pub objective: Option<Objective>,
    /// Where the function is.
    pub location: SourceLocation,
}

/// A reading of one timed function.
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct TimedReading {
    /// Calls by outcome, in [`Outcome::ALL`] order.
    pub calls: [u64; 4],
    /// Cumulative, one per bound then `+Inf`.
    pub cumulative: Vec<u64>,
    /// Sum of the durations in seconds.
    pub sum: f64,
    /// Calls under way.
    pub in_flight: i64,
    /// Errors by kind (with `error_kind`).
    pub error_kinds: Vec<(&'static str, u64)>,
    /// The latest exemplar of each bucket (with `exemplars`; empty without).
    pub(crate) exemplars: Vec<Option<ExemplarSnapshot>>,
}

/// A `#[timed]` function's series as the registry reads them.
pub trait TimedSeries: Sync {
    /// The function's descriptor.
    fn descriptor(&self) -> &'static TimedDescriptor;
    #[doc(hidden)]
    fn read_into(&self, reading: &mut TimedReading);
}

/// Every `#[timed]` function in the binary.
#[doc(hidden)]
#[linkme::distributed_slice]
pub static TIMED_FUNCTIONS: [&'static dyn TimedSeries];

/// Every `#[timed]` function in this binary, listed without running any user code.
pub fn timed_functions() -> impl Iterator<Item = &'static TimedDescriptor> {
    TIMED_FUNCTIONS.iter().map(|f| f.descriptor())
}

/// The counters, histogram and in-flight gauge of one timed function, in a `static`
/// that `#[timed]` writes inside the function: resolved at compile time, so a call
/// does no lookup, no hashing and no allocation. `B` is the bucket count plus one.
#[derive(Debug)]
pub struct TimedFunction<const B: usize> {
    descriptor: &'static TimedDescriptor,
    bounds: &'static [f64],
    calls: [AtomicU64; 4],
    buckets: [AtomicU64; B],
    sum: AtomicU64,
    in_flight: AtomicI64,
    /// Errors by kind: written on the error path only, so a lock is fine here.
    error_kinds: Mutex<Vec<(&'static str, u64)>>,
    /// One per bucket, written by `#[timed(exemplars)]` only: eight bytes each
    /// until the first exemplar.
    exemplars: [ExemplarCell; B],
}

/// How many error kinds one function keeps apart; further kinds count as `other`.
pub const MAX_ERROR_KINDS: usize = 32;

impl<const B: usize> TimedFunction<B> {
    /// Storage at zero. `descriptor.buckets.len() + 1` must equal `B`.
    pub const fn new(descriptor: &'static TimedDescriptor) -> Self {
        assert!(descriptor.buckets.len() + 1 == B, "bucket count mismatch");
        Self {
            descriptor,
            bounds: descriptor.buckets,
            calls: [const { AtomicU64::new(0) }; 4],
            buckets: [const { AtomicU64::new(0) }; B],
            sum: AtomicU64::new(0),
            in_flight: AtomicI64::new(0),
            error_kinds: Mutex::new(Vec::new()),
            exemplars: [const { ExemplarCell::new() }; B],
        }
    }

    /// Whether the in-flight gauge is kept.
    #[inline]
    pub fn tracks_in_flight(&self) -> bool {
        self.descriptor.in_flight
    }

    #[inline]
    pub(crate) fn enter(&self) {
        if self.descriptor.in_flight {
            self.in_flight.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Records one finished call, with the exemplar `E` gives (none for
    /// [`NoExemplars`](super::NoExemplars), whose `current()` is a constant `None`:
    /// the code is then what it was before exemplars).
    #[inline]
    pub(crate) fn record_with<E: CallExemplars>(&self, outcome: Outcome, seconds: f64) {
        if self.descriptor.in_flight {
            self.in_flight.fetch_sub(1, Ordering::Relaxed);
        }
        self.calls[outcome.index()].fetch_add(1, Ordering::Relaxed);
        let mut index = 0;
        while index < self.bounds.len() && seconds > self.bounds[index] {
            index += 1;
        }
        self.buckets[index].fetch_add(1, Ordering::Relaxed);
        crate::metric::atomic_f64::add(&self.sum, seconds);
        if let Some(id) = E::current() {
            self.exemplars[index].record_trace_id(id, seconds);
        }
    }

    /// Counts one error of kind `kind` (the error path of `#[timed(error_kind)]`).
    #[cold]
    pub fn record_error_kind(&self, kind: &'static str) {
        let mut kinds = self.error_kinds.lock().unwrap_or_else(PoisonError::into_inner);
        let kind = if kinds.len() >= MAX_ERROR_KINDS && !kinds.iter().any(|(k, _)| *k == kind) {
            "other"
        } else {
            kind
        };
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, count)) => *count += 1,
            None => kinds.push((kind, 1)),
        }
    }

    /// Calls recorded with `outcome`.
    pub fn calls(&self, outcome: Outcome) -> u64 {
        self.calls[outcome.index()].load(Ordering::Relaxed)
    }

    /// Observations in the duration histogram (every ended call).
    pub fn duration_count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }

    /// Calls under way now (0 unless `in_flight` is on).
    pub fn in_flight(&self) -> i64 {
        self.in_flight.load(Ordering::Relaxed)
    }
}

impl<const B: usize> TimedSeries for TimedFunction<B> {
    fn descriptor(&self) -> &'static TimedDescriptor {
        self.descriptor
    }

    fn read_into(&self, reading: &mut TimedReading) {
        for (slot, calls) in reading.calls.iter_mut().zip(&self.calls) {
            *slot = calls.load(Ordering::Relaxed);
        }
        reading.cumulative.clear();
        let mut running = 0u64;
        for bucket in &self.buckets {
            running = running.wrapping_add(bucket.load(Ordering::Relaxed));
            reading.cumulative.push(running);
        }
        reading.sum = f64::from_bits(self.sum.load(Ordering::Relaxed));
        reading.in_flight = self.in_flight.load(Ordering::Relaxed);
        reading.error_kinds.clear();
        reading
            .error_kinds
            .extend_from_slice(&self.error_kinds.lock().unwrap_or_else(PoisonError::into_inner));
        reading.exemplars.clear();
        if self.exemplars.iter().any(ExemplarCell::is_used) {
            let mut snapshot = ExemplarSnapshot::new();
            for cell in &self.exemplars {
                reading.exemplars.push(cell.read(&mut snapshot).then(|| snapshot.clone()));
            }
        }
    }
}
