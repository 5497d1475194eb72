//! Trace ids for the examples' exemplars: each simulated request runs in a trace of
//! its own, carried in a task-local that the source given to
//! [`set_trace_id_source`](metrics_runtime::exemplar::set_trace_id_source) reads, the
//! way a service without OpenTelemetry would carry the id of an incoming
//! `traceparent` header.

use std::future::Future;

use metrics_runtime::exemplar::{self, TraceId};

use crate::Traffic;

tokio::task_local! {
    static TRACE: TraceId;
}

/// The trace of the request being served on this task, if any: the source of the
/// examples' exemplars.
pub fn current_trace() -> Option<TraceId> {
    TRACE.try_with(|id| *id).ok()
}

/// Makes [`current_trace`] the source of exemplar trace ids (for the HTTP layer's
/// `exemplars(true)` and `#[timed(exemplars)]`).
pub fn trace_requests() {
    exemplar::set_trace_id_source(current_trace);
}

/// A new trace id: the process id in the high bits (instances of one example trace
/// apart), random low bits.
pub fn new_trace_id(traffic: &mut Traffic) -> TraceId {
    let id = u128::from(std::process::id()) << 64 | u128::from(traffic.next_u64() | 1);
    // The low bits have their lowest bit set, so the id is never the invalid zero.
    TraceId::from_u128(id).unwrap_or_else(|| unreachable!("a non-zero id"))
}

/// Runs `request` in the trace `id`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let id = examples::new_trace_id(&mut examples::Traffic::seeded(1));
/// assert_eq!(examples::in_trace(id, async { examples::current_trace() }).await, Some(id));
/// assert_eq!(examples::current_trace(), None);
/// # }
/// ```
pub async fn in_trace<F: Future>(id: TraceId, request: F) -> F::Output {
    TRACE.scope(id, request).await
}
