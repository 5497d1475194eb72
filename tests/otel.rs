//! With the `opentelemetry` feature and no source of its own, `#[timed(exemplars)]`
//! and the HTTP layer's exemplars take the trace id of the current `tracing` span,
//! through tracing-opentelemetry. Each span here has a remote parent, as a
//! propagator makes from an incoming `traceparent` header; the no-op tracer keeps
//! the test free of an OpenTelemetry SDK. (No test of this binary sets a trace-id
//! source: one would take precedence.)

use metrics_runtime::layer::HttpMetricsLayer;
use metrics_runtime::{Format, Registry, default_registry, timed};
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState, noop::NoopTracer,
};
use tower::ServiceExt as _;
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt as _;

/// A span in the trace `id`, as a server opens for a traced request.
fn request_span(id: u128) -> tracing::Span {
    let remote = SpanContext::new(
        TraceId::from_bytes(id.to_be_bytes()),
        SpanId::from_bytes([7; 8]),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    let span = tracing::info_span!("request");
    let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(remote));
    span
}

#[timed(exemplars, buckets = [60.0])]
fn traced_sync() {}

#[timed(exemplars, buckets = [60.0])]
async fn traced_async() {
    tokio::task::yield_now().await;
}

fn bucket_line(text: &str, function: &str) -> String {
    let prefix = format!("function_duration_seconds_bucket{{function=\"{function}\",");
    text.lines().find(|l| l.starts_with(&prefix)).unwrap_or_default().to_owned()
}

#[test]
fn timed_and_the_layer_take_the_trace_id_of_the_current_span() {
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(NoopTracer::new()));
    tracing::subscriber::with_default(subscriber, || {
        request_span(0xa1).in_scope(traced_sync);
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(traced_async().instrument(request_span(0xa2)));

        let registry = Registry::new();
        let layer = HttpMetricsLayer::builder().exemplars(true).registry(&registry).build();
        let app = axum::Router::new()
            .route("/", axum::routing::get(|| async { "ok" }))
            .layer(layer.unwrap());
        let request = axum::http::Request::get("/").body(axum::body::Body::empty()).unwrap();
        runtime.block_on(app.oneshot(request).instrument(request_span(0xa3))).unwrap();

        let text = default_registry().encode_to_string(Format::OpenMetrics);
        let sync = bucket_line(&text, "traced_sync");
        assert!(sync.contains(&format!("}} 1 # {{trace_id=\"{:032x}\"}} ", 0xa1)), "{sync}");
        let async_line = bucket_line(&text, "traced_async");
        assert!(async_line.contains(&format!("# {{trace_id=\"{:032x}\"}} ", 0xa2)), "{async_line}");
        let layer_text = registry.encode_to_string(Format::OpenMetrics);
        let trace = format!("# {{trace_id=\"{:032x}\"}} ", 0xa3);
        assert_eq!(layer_text.matches(&trace).count(), 1, "{layer_text}");
    });
}
