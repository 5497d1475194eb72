//! The runtime's own metrics: what it refused or folded, so that nothing is lost
//! silently.

use core::sync::atomic::{AtomicU64, Ordering};

use crate::collect::{ExpositionSink, FamilyHeader, Value};
use crate::descriptor::MetricKind;
use crate::label::LabelValues;

static REFUSED_INCREMENTS: AtomicU64 = AtomicU64::new(0);

/// Name of the counter of refused float-counter increments (negative or NaN).
pub const REFUSED_INCREMENTS_NAME: &str = "metrics_runtime_refused_increments";
/// Name of the counter of lookups folded into overflow series, by family.
pub const CARDINALITY_OVERFLOW_NAME: &str = "metrics_runtime_cardinality_overflow";

pub(crate) fn refused_increment() {
    REFUSED_INCREMENTS.fetch_add(1, Ordering::Relaxed);
}

/// Process-wide count of refused float-counter increments.
pub fn refused_increments() -> u64 {
    REFUSED_INCREMENTS.load(Ordering::Relaxed)
}

/// Writes the self-metrics; `overflow` lists each dynamic family's folded lookups.
pub(crate) fn collect(overflow: &[(&str, u64)], sink: &mut dyn ExpositionSink) {
    sink.family(&FamilyHeader {
        name: REFUSED_INCREMENTS_NAME,
        help: "Float counter increments refused because they were negative or NaN.",
        kind: MetricKind::Counter,
        unit: "",
        const_labels: &[],
    });
    sink.counter(&LabelValues::EMPTY, Value::UInt(refused_increments()));
    if overflow.is_empty() {
        return;
    }
    sink.family(&FamilyHeader {
        name: CARDINALITY_OVERFLOW_NAME,
        help: "Lookups folded into a dynamic family's overflow series after it reached its cardinality limit.",
        kind: MetricKind::Counter,
        unit: "",
        const_labels: &[],
    });
    for (family, folded) in overflow {
        let values = [*family];
        sink.counter(&LabelValues { names: &["family"], values: &values }, Value::UInt(*folded));
    }
}
