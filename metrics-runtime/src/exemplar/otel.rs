//! The trace id of the current `tracing` span's OpenTelemetry context (feature
//! `opentelemetry`).

use opentelemetry::trace::TraceContextExt as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use super::TraceId;

/// The trace id of the current `tracing` span, through tracing-opentelemetry's
/// layer; failing that, of OpenTelemetry's own current context (code that uses
/// OpenTelemetry without `tracing`). `None` outside any sampled trace.
pub(super) fn span_trace_id() -> Option<TraceId> {
    let from_span = tracing::Span::current().context();
    valid(&from_span).or_else(|| opentelemetry::Context::map_current(valid))
}

fn valid(cx: &opentelemetry::Context) -> Option<TraceId> {
    let span = cx.span();
    let context = span.span_context();
    if context.is_valid() { TraceId::from_bytes(context.trace_id().to_bytes()) } else { None }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{
        SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId as OtelTraceId, TraceState,
        noop::NoopTracer,
    };
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::span_trace_id;
    use crate::exemplar::TraceId;

    /// A span whose parent is a remote trace (as a propagator would extract from a
    /// `traceparent` header) carries that trace id; the no-op tracer keeps the test
    /// free of an SDK.
    #[test]
    fn the_current_span_gives_its_trace_id() {
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(NoopTracer::new()));
        tracing::subscriber::with_default(subscriber, || {
            assert_eq!(span_trace_id(), None, "no span, no trace");
            let id = 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736u128;
            let remote = SpanContext::new(
                OtelTraceId::from_bytes(id.to_be_bytes()),
                SpanId::from_bytes([1; 8]),
                TraceFlags::SAMPLED,
                true,
                TraceState::default(),
            );
            let span = tracing::info_span!("request");
            let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(remote));
            let _entered = span.enter();
            assert_eq!(span_trace_id(), TraceId::from_u128(id));
            let child = tracing::info_span!("inner");
            assert_eq!(child.in_scope(span_trace_id), TraceId::from_u128(id), "inherited");
        });
        assert_eq!(span_trace_id(), None);
    }
}
