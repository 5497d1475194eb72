//! The HTTP middleware through an axum router, driven with `oneshot` (no sockets):
//! route templates and `unmatched`, methods, statuses exact and by class, body
//! sizes known and streamed, requests dropped or panicking, the path normaliser,
//! configurable names and buckets, collisions, the catalogue and the exposition.

mod support;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::MatchedPath;
use axum::http::{Request, Response, StatusCode};
use axum::routing::get;
use http_body::{Body as _, Frame};
use metrics_runtime::layer::{BuildError, HttpFamily, HttpMetricsLayer, PathNormalizer};
use metrics_runtime::{Counter, Format, Metrics, Registry, RegistryError};
use support::parser::{Exposition, check_histograms};
use tower::{Layer, ServiceExt};

/// A response body of unknown length: three chunks of 10, 20 and 30 bytes.
struct Chunks(VecDeque<Bytes>);

impl Chunks {
    fn body() -> Body {
        Body::new(Chunks([10, 20, 30].map(|n| Bytes::from(vec![b'x'; n])).into()))
    }
}

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|chunk| Ok(Frame::data(chunk))))
    }
}

fn app(layer: HttpMetricsLayer) -> Router {
    Router::new()
        .route("/users/{id}", get(|| async { "alice" }).post(|body: Bytes| async move { body }))
        .route("/health", get(|| async { StatusCode::NO_CONTENT }))
        .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
        .route("/stream", get(|| async { Chunks::body() }))
        .route("/slow", get(std::future::pending::<&'static str>))
        .route("/panic", get(panics))
        .layer(layer)
}

async fn panics() -> StatusCode {
    panic!("the handler panics, as planned")
}

fn layer(registry: &Registry) -> HttpMetricsLayer {
    HttpMetricsLayer::builder()
        .route_template(MatchedPath::as_str)
        .registry(registry)
        .build()
        .unwrap()
}

fn request(method: &str, uri: &str) -> Request<Body> {
    Request::builder().method(method).uri(uri).body(Body::empty()).unwrap()
}

async fn send(app: &Router, request: Request<Body>) -> Response<Body> {
    app.clone().oneshot(request).await.unwrap()
}

/// Sends a request and reads its whole response body.
async fn call(app: &Router, method: &str, uri: &str) -> (StatusCode, Bytes) {
    let response = send(app, request(method, uri)).await;
    let status = response.status();
    (status, axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap())
}

/// Both formats, checked by the independent parser; the text one returned.
fn scrape(registry: &Registry) -> (String, Exposition) {
    let (_, open_metrics) = support::scrape(registry, Format::OpenMetrics);
    check_histograms(&open_metrics).unwrap();
    let (text, exposition) = support::scrape(registry, Format::Text);
    check_histograms(&exposition).unwrap();
    (text, exposition)
}

/// The value of the sample `name` with exactly `labels`.
fn value(exposition: &Exposition, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let sample = exposition.families.iter().flat_map(|f| &f.samples).find(|s| {
        s.name == name
            && s.labels.len() == labels.len()
            && labels.iter().all(|(k, v)| s.label(k) == Some(v))
    })?;
    Some(sample.value)
}

#[track_caller]
fn requests(exposition: &Exposition, method: &str, route: &str, status: &str) -> f64 {
    let labels = [("method", method), ("route", route), ("status", status)];
    value(exposition, "http_requests_total", &labels).unwrap_or(0.0)
}

#[track_caller]
fn route_value(exposition: &Exposition, name: &str, method: &str, route: &str) -> f64 {
    value(exposition, name, &[("method", method), ("route", route)])
        .unwrap_or_else(|| panic!("no {name}{{method={method},route={route}}}"))
}

/// Polls `future` once, with a waker that does nothing.
fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

#[tokio::test]
async fn route_templates_methods_and_exact_statuses() {
    let registry = Registry::new();
    let app = app(layer(&registry));
    assert_eq!(call(&app, "GET", "/users/7").await.0, StatusCode::OK);
    assert_eq!(call(&app, "GET", "/users/8").await.0, StatusCode::OK);
    assert_eq!(call(&app, "POST", "/users/9").await.0, StatusCode::OK);
    assert_eq!(call(&app, "GET", "/health").await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&app, "GET", "/missing").await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(&app, "GET", "/no/such/path/123").await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(&app, "PURGE", "/users/1").await.0, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(call(&app, "PURGE", "/elsewhere").await.0, StatusCode::NOT_FOUND);

    let (text, exposition) = scrape(&registry);
    assert_eq!(requests(&exposition, "GET", "/users/{id}", "200"), 2.0, "{text}");
    assert_eq!(requests(&exposition, "POST", "/users/{id}", "200"), 1.0);
    assert_eq!(requests(&exposition, "GET", "/health", "204"), 1.0);
    assert_eq!(requests(&exposition, "GET", "/missing", "404"), 1.0);
    assert_eq!(requests(&exposition, "GET", "unmatched", "404"), 1.0);
    assert_eq!(requests(&exposition, "other", "/users/{id}", "405"), 1.0);
    assert_eq!(requests(&exposition, "other", "unmatched", "404"), 1.0);
    assert!(!text.contains("/no/such/path") && !text.contains("/elsewhere"), "{text}");
    assert!(!text.contains("PURGE"), "{text}");

    let duration = "http_request_duration_seconds_count";
    assert_eq!(route_value(&exposition, duration, "GET", "/users/{id}"), 2.0);
    assert_eq!(route_value(&exposition, duration, "GET", "unmatched"), 1.0);
    for (method, route) in [("GET", "/users/{id}"), ("POST", "/users/{id}"), ("other", "unmatched")]
    {
        assert_eq!(route_value(&exposition, "http_requests_in_flight", method, route), 0.0);
    }
}

/// With the `axum` feature, a layer given no route source labels an axum router's
/// requests by their `MatchedPath`; without it, `unmatched`.
#[tokio::test]
async fn axum_feature_makes_matched_path_the_default_template() {
    let registry = Registry::new();
    let app = app(HttpMetricsLayer::builder().registry(&registry).build().unwrap());
    call(&app, "GET", "/users/7").await;
    call(&app, "GET", "/no/such/path").await;
    let (text, exposition) = scrape(&registry);
    let users = if cfg!(feature = "axum") { "/users/{id}" } else { "unmatched" };
    assert_eq!(requests(&exposition, "GET", users, "200"), 1.0, "{text}");
    assert_eq!(requests(&exposition, "GET", "unmatched", "404"), 1.0, "{text}");
}

#[tokio::test]
async fn status_classes() {
    let registry = Registry::new();
    let layer = HttpMetricsLayer::builder()
        .route_template(MatchedPath::as_str)
        .status_class(true)
        .registry(&registry)
        .build()
        .unwrap();
    let app = app(layer);
    for uri in ["/users/1", "/users/2", "/health", "/missing", "/nowhere"] {
        call(&app, "GET", uri).await;
    }
    let (text, exposition) = scrape(&registry);
    assert_eq!(requests(&exposition, "GET", "/users/{id}", "2xx"), 2.0, "{text}");
    assert_eq!(requests(&exposition, "GET", "/health", "2xx"), 1.0);
    assert_eq!(requests(&exposition, "GET", "/missing", "4xx"), 1.0);
    assert_eq!(requests(&exposition, "GET", "unmatched", "4xx"), 1.0);
    assert!(!text.contains(r#"status="200""#) && !text.contains(r#"status="404""#), "{text}");
}

#[tokio::test]
async fn body_sizes_known_streamed_and_cut_short() {
    let registry = Registry::new();
    let app = app(layer(&registry));
    let post = Request::post("/users/1").body(Body::from("hello world")).unwrap();
    let echoed = axum::body::to_bytes(send(&app, post).await.into_body(), usize::MAX).await;
    assert_eq!(echoed.unwrap(), "hello world");
    assert_eq!(call(&app, "GET", "/users/1").await.1, "alice");
    assert_eq!(call(&app, "GET", "/stream").await.1.len(), 60);
    // HEAD goes to the GET handler, whose body is not sent.
    call(&app, "HEAD", "/users/1").await;

    let (_, exposition) = scrape(&registry);
    let sum = |name: &str, method: &str, route: &str| {
        route_value(&exposition, &format!("{name}_sum"), method, route)
    };
    assert_eq!(sum("http_request_size_bytes", "POST", "/users/{id}"), 11.0);
    assert_eq!(sum("http_response_size_bytes", "POST", "/users/{id}"), 11.0);
    assert_eq!(sum("http_request_size_bytes", "GET", "/users/{id}"), 0.0);
    assert_eq!(sum("http_response_size_bytes", "GET", "/users/{id}"), 5.0);
    assert_eq!(sum("http_response_size_bytes", "GET", "/stream"), 60.0);
    assert_eq!(sum("http_response_size_bytes", "HEAD", "/users/{id}"), 0.0);
    let buckets = [("method", "GET"), ("route", "/stream"), ("le", "64.0")];
    assert_eq!(value(&exposition, "http_response_size_bytes_bucket", &buckets), Some(1.0));

    // A client that goes away after the first chunk: what was sent is observed, once
    // the body is dropped; the request itself had finished with its headers.
    let mut body = send(&app, request("GET", "/stream")).await.into_body();
    let first = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await.unwrap().unwrap();
    assert_eq!(first.into_data().unwrap().len(), 10);
    let (_, exposition) = scrape(&registry);
    assert_eq!(route_value(&exposition, "http_response_size_bytes_count", "GET", "/stream"), 1.0);
    drop(body);
    let (_, exposition) = scrape(&registry);
    assert_eq!(requests(&exposition, "GET", "/stream", "200"), 2.0);
    assert_eq!(route_value(&exposition, "http_response_size_bytes_sum", "GET", "/stream"), 70.0);
}

#[tokio::test]
async fn dropped_response_future_is_cancelled_and_leaves_flight() {
    let registry = Registry::new();
    let app = app(layer(&registry));
    let mut pending = Box::pin(app.clone().oneshot(request("GET", "/slow")));
    assert!(poll_once(pending.as_mut()).is_pending());
    let (_, exposition) = scrape(&registry);
    assert_eq!(route_value(&exposition, "http_requests_in_flight", "GET", "/slow"), 1.0);
    assert_eq!(requests(&exposition, "GET", "/slow", "cancelled"), 0.0);

    drop(pending); // the client disconnected
    let (text, exposition) = scrape(&registry);
    assert_eq!(route_value(&exposition, "http_requests_in_flight", "GET", "/slow"), 0.0);
    assert_eq!(requests(&exposition, "GET", "/slow", "cancelled"), 1.0, "{text}");
    let duration = "http_request_duration_seconds_count";
    assert_eq!(route_value(&exposition, duration, "GET", "/slow"), 1.0);
    // No response, so no response size.
    assert_eq!(route_value(&exposition, "http_response_size_bytes_count", "GET", "/slow"), 0.0);

    // The same through a timeout, as a client library would give up.
    let timed_out = tokio::time::timeout(
        Duration::from_millis(20),
        app.clone().oneshot(request("GET", "/slow")),
    );
    assert!(timed_out.await.is_err());
    let (_, exposition) = scrape(&registry);
    assert_eq!(requests(&exposition, "GET", "/slow", "cancelled"), 2.0);
    assert_eq!(route_value(&exposition, "http_requests_in_flight", "GET", "/slow"), 0.0);
}

#[tokio::test]
async fn panicking_handler_is_recorded_as_panicked() {
    let registry = Registry::new();
    let app = app(layer(&registry));
    let mut future = Box::pin(app.clone().oneshot(request("GET", "/panic")));
    assert!(catch_unwind(AssertUnwindSafe(|| poll_once(future.as_mut()))).is_err());
    drop(future);
    let (_, exposition) = scrape(&registry);
    assert_eq!(requests(&exposition, "GET", "/panic", "panicked"), 1.0);
    assert_eq!(route_value(&exposition, "http_requests_in_flight", "GET", "/panic"), 0.0);
}

#[tokio::test]
async fn normaliser_names_routes_of_a_service_without_templates() {
    let registry = Registry::new();
    let layer = HttpMetricsLayer::builder()
        .normalize_paths(PathNormalizer::new())
        .max_routes(5)
        .registry(&registry)
        .build()
        .unwrap();
    // A bare service: no router, no templates.
    let service = layer.layer(tower::service_fn(|_: Request<Body>| async {
        Ok::<_, Infallible>(Response::new(Body::from("ok")))
    }));
    for uri in [
        "/api/v1/accounts/123",
        "/api/v1/accounts/456?expand=1",
        "/orders/0f8fad5b-d9cb-469f-a165-70867728950e/items/2",
        "/blobs/da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "/health",
        "/one/more",
        "/and/another",
    ] {
        service.clone().oneshot(request("GET", uri)).await.unwrap();
    }
    let (text, exposition) = scrape(&registry);
    assert_eq!(requests(&exposition, "GET", "/api/v1/accounts/{id}", "200"), 2.0, "{text}");
    assert_eq!(requests(&exposition, "GET", "/orders/{uuid}/items/{id}", "200"), 1.0);
    assert_eq!(requests(&exposition, "GET", "/blobs/{hex}", "200"), 1.0);
    assert_eq!(requests(&exposition, "GET", "/health", "200"), 1.0);
    assert_eq!(requests(&exposition, "GET", "/one/more", "200"), 1.0);
    // Past five routes: folded, and the folding counted.
    assert_eq!(requests(&exposition, "GET", "__overflow__", "200"), 1.0);
    let overflow = [("family", "http_requests")];
    assert_eq!(
        value(&exposition, "metrics_runtime_cardinality_overflow_total", &overflow),
        Some(1.0)
    );
    // The raw id as a path segment: a duration's sum may well hold the digits `123`.
    assert!(!text.contains("/and/another") && !text.contains("/123"), "{text}");
}

#[tokio::test]
async fn families_in_the_catalogue_and_the_exposition() {
    let expected = [
        ("http_requests", "counter", "", &["method", "route", "status"][..]),
        ("http_request_duration_seconds", "histogram", "seconds", &["method", "route"]),
        ("http_request_size_bytes", "histogram", "bytes", &["method", "route"]),
        ("http_response_size_bytes", "histogram", "bytes", &["method", "route"]),
        ("http_requests_in_flight", "gauge", "", &["method", "route"]),
    ];
    for (name, kind, unit, labels) in expected {
        let descriptor = metrics_runtime::catalogue().iter().find(|d| d.name == name);
        let descriptor = descriptor.unwrap_or_else(|| panic!("{name} not in the catalogue"));
        assert_eq!(descriptor.kind.as_str(), kind);
        assert_eq!(descriptor.unit, unit);
        assert_eq!(descriptor.label_names, labels);
        assert!(!descriptor.help.is_empty());
    }

    let registry = Registry::new();
    let layer = layer(&registry);
    // The defaults are registered with their catalogue entries themselves.
    let catalogued = metrics_runtime::catalogue().iter().find(|d| d.name == "http_requests");
    assert!(std::ptr::eq(layer.descriptor(HttpFamily::Requests), catalogued.unwrap()));
    call(&app(layer), "GET", "/users/1").await;
    let text = registry.encode_to_string(Format::Text);
    for line in [
        "# TYPE http_requests_total counter\n",
        "http_requests_total{method=\"GET\",route=\"/users/{id}\",status=\"200\"} 1\n",
        "# TYPE http_request_duration_seconds histogram\n",
        "http_request_duration_seconds_bucket{method=\"GET\",route=\"/users/{id}\",le=\"10.0\"} 1\n",
        "http_request_size_bytes_bucket{method=\"GET\",route=\"/users/{id}\",le=\"64.0\"} 1\n",
        "http_response_size_bytes_sum{method=\"GET\",route=\"/users/{id}\"} 5.0\n",
        "# TYPE http_requests_in_flight gauge\n",
        "http_requests_in_flight{method=\"GET\",route=\"/users/{id}\"} 0\n",
    ] {
        assert!(text.contains(line), "{line:?} missing from\n{text}");
    }
    let om = registry.encode_to_string(Format::OpenMetrics);
    assert!(om.contains("# UNIT http_request_duration_seconds seconds\n"), "{om}");
    assert!(om.contains("# UNIT http_response_size_bytes bytes\n"), "{om}");
}

#[tokio::test]
async fn names_and_buckets_are_configurable() {
    let registry = Registry::new();
    let layer = HttpMetricsLayer::builder()
        .route_template(MatchedPath::as_str)
        .prefix("aster")
        .name(HttpFamily::Duration, "latency")
        .name(HttpFamily::Requests, "calls_total")
        .duration_buckets(&[0.5, 1.0])
        .size_buckets(&[100.0])
        .registry(&registry)
        .build()
        .unwrap();
    assert_eq!(layer.descriptor(HttpFamily::Requests).name, "aster_calls");
    assert_eq!(layer.descriptor(HttpFamily::Duration).name, "aster_latency_seconds");
    assert_eq!(layer.descriptor(HttpFamily::Duration).buckets, [0.5, 1.0]);
    assert_eq!(layer.descriptor(HttpFamily::InFlight).name, "aster_http_requests_in_flight");
    call(&app(layer), "GET", "/users/1").await;
    let (text, exposition) = scrape(&registry);
    let labels = [("method", "GET"), ("route", "/users/{id}"), ("status", "200")];
    assert_eq!(value(&exposition, "aster_calls_total", &labels), Some(1.0), "{text}");
    let le: Vec<_> = exposition
        .family("aster_latency_seconds")
        .unwrap()
        .samples
        .iter()
        .filter_map(|s| s.label("le"))
        .collect();
    assert_eq!(le, ["0.5", "1.0", "+Inf"]);
    assert!(text.contains(
        r#"aster_http_response_size_bytes_bucket{method="GET",route="/users/{id}",le="100.0"} 1"#
    ));
    assert!(!text.contains("\nhttp_"), "{text}");
}

#[derive(Metrics)]
#[metrics(namespace = "clash")]
struct Clash {
    /// Requests counted by the application itself.
    http_requests: Counter,
}

#[test]
fn collisions_and_bad_options_are_build_errors() {
    let registry = Registry::new();
    let _first = layer(&registry);
    let second = HttpMetricsLayer::builder().registry(&registry).build();
    assert!(
        matches!(&second, Err(BuildError::Registry(RegistryError::AlreadyRegistered { name, .. })) if name == "http_requests"),
        "{second:?}"
    );
    // A second layer in one registry takes a prefix.
    HttpMetricsLayer::builder().prefix("admin").registry(&registry).build().unwrap();

    // The same name as a derived family of the binary: both places are named, the
    // layer's being the `build()` call.
    let line = line!() + 1;
    let clash = HttpMetricsLayer::builder().prefix("clash").registry(&Registry::new()).build();
    match clash {
        Err(BuildError::Registry(RegistryError::DeclaredTwice { name, first, second })) => {
            assert_eq!(name, "clash_http_requests");
            let places = [first, second];
            assert!(
                places.iter().any(|p| p.file.ends_with("layer.rs") && p.line == line),
                "{places:?}"
            );
            assert!(places.iter().any(|p| p.line != line), "{places:?}");
        }
        other => panic!("{other:?}"),
    }
    let _ = Clash::new_unregistered().http_requests.get();

    let bad = HttpMetricsLayer::builder().duration_buckets(&[1.0, 0.5]).registry(&registry).build();
    assert!(matches!(
        bad,
        Err(BuildError::Buckets { family: "http_request_duration_seconds", .. })
    ));
    let bad = HttpMetricsLayer::builder().size_buckets(&[]).registry(&registry).build();
    assert!(matches!(bad, Err(BuildError::Buckets { family: "http_request_size_bytes", .. })));
    let bad = HttpMetricsLayer::builder().prefix("9lives").registry(&registry).build();
    assert!(matches!(bad, Err(BuildError::Registry(RegistryError::InvalidName { .. }))), "{bad:?}");
    let message = HttpMetricsLayer::builder().registry(&registry).build().unwrap_err().to_string();
    assert!(
        message.contains("http_requests") && message.contains("already registered"),
        "{message}"
    );
}

#[tokio::test]
async fn default_registry_when_none_is_given() {
    let layer = HttpMetricsLayer::builder()
        .route_template(MatchedPath::as_str)
        .prefix("default_registry_test")
        .build()
        .unwrap();
    call(&app(layer), "GET", "/health").await;
    let text = metrics_runtime::default_registry().encode_to_string(Format::Text);
    let line =
        r#"default_registry_test_http_requests_total{method="GET",route="/health",status="204"} 1"#;
    assert!(text.contains(line), "{text}");
}

tokio::task_local! {
    static TRACE: Option<metrics_runtime::exemplar::TraceId>;
}

fn trace_of_task() -> Option<metrics_runtime::exemplar::TraceId> {
    TRACE.try_with(|t| *t).ok().flatten()
}

/// With `exemplars(true)` the duration bucket a request fell in keeps the trace id
/// current when its response was ready; without, nothing changes.
#[tokio::test]
async fn exemplars_carry_the_trace_id_of_the_request() {
    use metrics_runtime::exemplar::{self, TraceId};
    exemplar::set_trace_id_source(trace_of_task);
    let with = Registry::new();
    let without = Registry::new();
    let build = |registry, on| {
        HttpMetricsLayer::builder()
            .route_template(MatchedPath::as_str)
            .exemplars(on)
            .registry(registry)
            .build()
            .unwrap()
    };
    let apps = [app(build(&with, true)), app(build(&without, false))];
    for app in &apps {
        let id = TraceId::from_u128(0x5eed);
        TRACE.scope(id, call(app, "GET", "/health")).await;
        // A request outside any trace leaves the bucket's exemplar as it was.
        call(app, "GET", "/health").await;
    }
    let (om, parsed) = support::scrape(&with, Format::OpenMetrics);
    let family = parsed.family("http_request_duration_seconds").unwrap();
    let exemplars: Vec<_> = family.samples.iter().filter_map(|s| s.exemplar.as_ref()).collect();
    assert_eq!(exemplars.len(), 1, "{om}");
    let trace_id = ("trace_id".to_owned(), format!("{:032x}", 0x5eed));
    assert_eq!(exemplars[0].labels, vec![trace_id], "{om}");
    assert!(exemplars[0].value < 1.0, "{om}");
    let (om, _) = support::scrape(&without, Format::OpenMetrics);
    assert!(!om.contains("trace_id"), "{om}");
    assert!(!with.encode_to_string(Format::Text).contains("trace_id"));
}
