//! Whether a timed call's duration keeps the current trace id as its bucket's
//! exemplar: a type chosen at compile time by `#[timed(exemplars)]`, so that a
//! function without the option runs exactly the code it ran before.

use crate::exemplar::{TraceId, current_trace_id};

/// Where a timed call's exemplar comes from, read once when the call ends.
pub trait CallExemplars: 'static {
    /// The trace id to keep with the duration, if any.
    fn current() -> Option<TraceId>;
}

/// No exemplar (`#[timed]`): the call's recording compiles to what it was without
/// exemplars.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoExemplars;

impl CallExemplars for NoExemplars {
    #[inline(always)]
    fn current() -> Option<TraceId> {
        None
    }
}

/// The current trace id, from [`set_trace_id_source`](crate::exemplar::set_trace_id_source)
/// or the `opentelemetry` feature (`#[timed(exemplars)]`).
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceExemplars;

impl CallExemplars for TraceExemplars {
    #[inline]
    fn current() -> Option<TraceId> {
        current_trace_id()
    }
}
