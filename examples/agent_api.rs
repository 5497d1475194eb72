//! Reference system 001: an agent and workflow API server (Go, gin, `client_golang`),
//! prefix `aster_`. Its guide lists HTTP middleware metrics with the status by class
//! (`status="2xx"`), three business gauges, Go runtime and process metrics, four
//! dashboard queries and three alert rules; its metric code is
//! `server/observability/metrics.go` of wordflowlab/agentsdk. Here: one derived
//! struct, the tower layer on an axum router, `#[timed]` handlers, and simulated
//! clients. Each simulated request runs in a trace of its own, whose id the layer's
//! duration buckets and the workflow handler's keep as exemplars (OpenMetrics).
//!
//! ```text
//! cargo run --example agent_api                      # traffic, then the exposition
//! cargo run --example agent_api -- --listen 127.0.0.1:9464 --duration 60
//! cargo run --example agent_api -- --queries         # the PromQL below
//! ```
//!
//! What differs from the guide, and why:
//! - `aster_agents_total` is a gauge; `_total` is for counters, so it is `aster_agents`
//!   (see the field);
//! - the layer's route label is `route`, not the guide's `path`; its values are the
//!   router's templates (`/v1/agents/{id}`), which is what the guide's `path` held;
//! - requests the client gave up on are `status="cancelled"`, beside the classes;
//! - request sizes are body sizes (the original added the URL, method, protocol and
//!   headers);
//! - Go runtime metrics (`go_goroutines`, `go_memstats_*`, `go_gc_*`) have no Rust
//!   equivalent; the tokio runtime's (`tokio_workers`, `tokio_alive_tasks`, ...) and
//!   the process metrics (`process_cpu_seconds_total`,
//!   `process_resident_memory_bytes`, ...) stand in.

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{MatchedPath, Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use examples::{
    Example, InProgress, Load, Traffic, in_trace, new_trace_id, send, set_timed_prefix,
    trace_requests,
};
use metrics_runtime::layer::HttpMetricsLayer;
use metrics_runtime::{Counter, Gauge, Global, Metrics, timed};

/// The aster server's business metrics (the HTTP ones come from the layer).
#[derive(Metrics)]
#[metrics(namespace = "aster")]
struct AsterMetrics {
    /// Agents in the system.
    // The guide's `aster_agents_total` is a gauge. Declared `agents_total: Gauge`, the
    // build fails: "`_total` is for counters; rename this gauge (or add
    // `#[metric(allow_total_suffix)]` to keep a legacy name)". Renamed rather than
    // kept: promtool's lint rejects a gauge ending in `_total`, and the guide's
    // dashboards never query it.
    agents: Gauge,
    /// Sessions open now.
    sessions_active: Gauge,
    /// Workflows running now.
    workflows_running: Gauge,
    /// Workflow steps executed: the guide's example of a custom counter,
    /// `aster_custom_operations_total`.
    custom_operations: Counter,
}

static METRICS: Global<AsterMetrics> = Global::new();

/// Request rate per method, route and status class. As in the guide.
pub const REQUEST_RATE: &str = "rate(aster_http_requests_total[5m])";
/// p99 latency per method and route. As in the guide (per instance; sum the buckets
/// `by (le, ...)` first to get one quantile across instances).
pub const LATENCY_P99: &str =
    "histogram_quantile(0.99, rate(aster_http_request_duration_seconds_bucket[5m]))";
/// Share of requests answered 5xx, per method and route.
///
/// Corrected: the guide's `rate(aster_http_requests_total{status="5xx"}[5m]) /
/// rate(aster_http_requests_total[5m])` matches series on every label, `status`
/// included, so each 5xx series is divided by itself: the "ratio" is 1 wherever
/// there is any error. Summing away `status` on both sides divides errors by all
/// requests of the same method, route and instance.
pub const ERROR_RATIO: &str = "sum without (status) (rate(aster_http_requests_total{status=\"5xx\"}[5m])) \
     / sum without (status) (rate(aster_http_requests_total[5m]))";
/// Mean response size per method and route. As in the guide.
pub const MEAN_RESPONSE_SIZE: &str = "rate(aster_http_response_size_bytes_sum[5m]) \
     / rate(aster_http_response_size_bytes_count[5m])";
/// Alert `HighErrorRate` (for 5m): the error ratio above 5%, with the correction of
/// [`ERROR_RATIO`].
pub const ALERT_HIGH_ERROR_RATE: &str = "sum without (status) (rate(aster_http_requests_total{status=\"5xx\"}[5m])) \
     / sum without (status) (rate(aster_http_requests_total[5m])) > 0.05";
/// Alert `HighLatency` (for 5m): p99 above one second. As in the guide.
pub const ALERT_HIGH_LATENCY: &str =
    "histogram_quantile(0.99, rate(aster_http_request_duration_seconds_bucket[5m])) > 1.0";
/// Alert `HighMemoryUsage` (for 5m): resident memory above 1 GB. As in the guide.
pub const ALERT_HIGH_MEMORY: &str = "process_resident_memory_bytes > 1e9";

/// What `--queries` prints.
const QUERIES: &[(&str, &str)] = &[
    ("request_rate", REQUEST_RATE),
    ("latency_p99", LATENCY_P99),
    ("error_ratio", ERROR_RATIO),
    ("mean_response_size", MEAN_RESPONSE_SIZE),
    ("alert:HighErrorRate", ALERT_HIGH_ERROR_RATE),
    ("alert:HighLatency", ALERT_HIGH_LATENCY),
    ("alert:HighMemoryUsage", ALERT_HIGH_MEMORY),
];

/// The original's size buckets, `prometheus.ExponentialBuckets(100, 10, 8)`. Its
/// duration buckets are `prometheus.DefBuckets`, the layer's default.
const SIZE_BUCKETS: &[f64] = &[1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/// How long a simulated client waits for a whole response before it gives up.
const PATIENCE: Duration = Duration::from_secs(1);

#[tokio::main]
async fn main() -> ExitCode {
    set_timed_prefix("aster");
    trace_requests();
    let layer = match HttpMetricsLayer::builder()
        .prefix("aster")
        .exemplars(true)
        .route_template(MatchedPath::as_str)
        .status_class(true)
        .size_buckets(SIZE_BUCKETS)
        .build()
    {
        Ok(layer) => layer,
        Err(error) => {
            eprintln!("agent_api: {error}");
            return ExitCode::FAILURE;
        }
    };
    let app = app(layer.clone());
    Example::new("agent_api", QUERIES).http(layer).run(|load| simulate(app, load)).await
}

/// The server's state: which agents and sessions exist.
#[derive(Debug, Default)]
struct Store {
    agents: Mutex<BTreeSet<u32>>,
    sessions: Mutex<BTreeSet<u32>>,
}

type Shared = Arc<Store>;

fn app(layer: HttpMetricsLayer) -> Router {
    let store = Store::default();
    // Agents 1..=40 exist at start.
    store.agents.lock().unwrap_or_else(PoisonError::into_inner).extend(1..=40);
    METRICS.agents.set(40);
    Router::new()
        .route("/v1/agents", get(list_agents).post(create_agent))
        .route("/v1/agents/{id}", get(get_agent).delete(delete_agent))
        .route("/v1/agents/{id}/sessions", post(create_session))
        .route("/v1/sessions/{id}", axum::routing::delete(close_session))
        .route("/v1/sessions/{id}/messages", post(send_message))
        .route("/v1/workflows/{id}/run", post(run_workflow))
        .with_state(Arc::new(store))
        .layer(layer)
}

/// Why a handler refused a request.
#[derive(Debug)]
enum ApiError {
    BadRequest(&'static str),
    NotFound,
    /// The model provider behind a chat message failed.
    Upstream,
    /// A workflow step failed.
    Internal,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::BadRequest(why) => (StatusCode::BAD_REQUEST, why).into_response(),
            Self::NotFound => StatusCode::NOT_FOUND.into_response(),
            Self::Upstream => (StatusCode::BAD_GATEWAY, "model provider failed").into_response(),
            Self::Internal => {
                (StatusCode::INTERNAL_SERVER_ERROR, "workflow step failed").into_response()
            }
        }
    }
}

fn lock(set: &Mutex<BTreeSet<u32>>) -> std::sync::MutexGuard<'_, BTreeSet<u32>> {
    set.lock().unwrap_or_else(PoisonError::into_inner)
}

#[timed]
async fn list_agents(State(store): State<Shared>) -> String {
    let agents = lock(&store.agents);
    let items: Vec<String> = agents.iter().map(|id| format!("{{\"id\":{id}}}")).collect();
    format!("[{}]", items.join(","))
}

#[timed]
async fn create_agent(State(store): State<Shared>, body: Bytes) -> Result<StatusCode, ApiError> {
    if !body.starts_with(b"{") {
        return Err(ApiError::BadRequest("an agent is a JSON object"));
    }
    let mut agents = lock(&store.agents);
    let id = agents.last().map_or(1, |last| last + 1);
    agents.insert(id);
    // As the guide's handler does: the gauge is set from the store's count.
    METRICS.agents.set(agents.len() as i64);
    Ok(StatusCode::CREATED)
}

#[timed]
async fn get_agent(State(store): State<Shared>, Path(id): Path<u32>) -> Result<String, ApiError> {
    tokio::time::sleep(Duration::from_millis(u64::from(id % 5))).await;
    if lock(&store.agents).contains(&id) {
        Ok(format!("{{\"id\":{id},\"model\":\"gpt\",\"tools\":[\"search\",\"code\"]}}"))
    } else {
        Err(ApiError::NotFound)
    }
}

#[timed]
async fn delete_agent(
    State(store): State<Shared>,
    Path(id): Path<u32>,
) -> Result<StatusCode, ApiError> {
    let mut agents = lock(&store.agents);
    if !agents.remove(&id) {
        return Err(ApiError::NotFound);
    }
    METRICS.agents.set(agents.len() as i64);
    Ok(StatusCode::NO_CONTENT)
}

#[timed]
async fn create_session(
    State(store): State<Shared>,
    Path(agent): Path<u32>,
) -> Result<(StatusCode, String), ApiError> {
    if !lock(&store.agents).contains(&agent) {
        return Err(ApiError::NotFound);
    }
    let mut sessions = lock(&store.sessions);
    let id = sessions.last().map_or(1, |last| last + 1);
    sessions.insert(id);
    METRICS.sessions_active.set(sessions.len() as i64);
    Ok((StatusCode::CREATED, format!("{{\"session\":{id}}}")))
}

#[timed]
async fn close_session(
    State(store): State<Shared>,
    Path(id): Path<u32>,
) -> Result<StatusCode, ApiError> {
    let mut sessions = lock(&store.sessions);
    if !sessions.remove(&id) {
        return Err(ApiError::NotFound);
    }
    METRICS.sessions_active.set(sessions.len() as i64);
    Ok(StatusCode::NO_CONTENT)
}

/// A chat message: the model's answer takes 20 to 200 ms, one in seven takes half
/// a second, one in eleven two seconds (the client gives up first), and one in
/// thirteen fails upstream.
#[timed]
async fn send_message(Path(session): Path<u32>, body: Bytes) -> Result<String, ApiError> {
    let think = match session {
        s if s % 11 == 0 => 2_000,
        s if s % 7 == 0 => 500,
        s => 20 + u64::from(s % 10) * 20,
    };
    tokio::time::sleep(Duration::from_millis(think)).await;
    if session % 13 == 0 {
        return Err(ApiError::Upstream);
    }
    Ok(format!("{{\"reply\":\"{}\"}}", "token ".repeat(body.len() / 4 + 8)))
}

/// A workflow of a few steps, 50 to 250 ms each; one in eleven fails at a step.
/// Its duration buckets keep the trace id of their latest call.
#[timed(exemplars)]
async fn run_workflow(Path(workflow): Path<u32>) -> Result<String, ApiError> {
    let _running = InProgress::enter(&METRICS.workflows_running);
    let steps = 1 + workflow % 4;
    for step in 0..steps {
        tokio::time::sleep(Duration::from_millis(50 + u64::from((workflow + step) % 5) * 50)).await;
        METRICS.custom_operations.inc();
        if workflow % 11 == 0 && step == steps - 1 {
            return Err(ApiError::Internal);
        }
    }
    Ok(format!("{{\"workflow\":{workflow},\"steps\":{steps}}}"))
}

/// Clients of the API: listing and reading agents most of the time, creating and
/// deleting some, opening sessions and chatting, running workflows. Seeded, so
/// every run sends the same requests.
async fn simulate(app: Router, load: Load) -> u32 {
    let mut traffic = Traffic::seeded(0x001_a57e);
    load.run(|_| {
        let (method, uri, body) = next_request(&mut traffic);
        let trace = new_trace_id(&mut traffic);
        let app = app.clone();
        async move {
            in_trace(trace, send(&app, method, &uri, body, PATIENCE)).await;
        }
    })
    .await
}

fn next_request(traffic: &mut Traffic) -> (Method, String, String) {
    let agent = 1 + traffic.below(60) as u32;
    let roll = traffic.unit();
    match roll {
        r if r < 0.20 => (Method::GET, "/v1/agents".to_owned(), String::new()),
        r if r < 0.40 => (Method::GET, format!("/v1/agents/{agent}"), String::new()),
        r if r < 0.48 => {
            // One creation in ten sends no body: 400.
            let body = if traffic.chance(0.1) {
                String::new()
            } else {
                format!("{{\"name\":\"agent-{agent}\",\"model\":\"gpt\"}}")
            };
            (Method::POST, "/v1/agents".to_owned(), body)
        }
        r if r < 0.52 => (Method::DELETE, format!("/v1/agents/{agent}"), String::new()),
        r if r < 0.62 => (Method::POST, format!("/v1/agents/{agent}/sessions"), String::new()),
        r if r < 0.85 => {
            let session = 1 + traffic.below(200) as u32;
            let text = "hello ".repeat(1 + traffic.below(40));
            (Method::POST, format!("/v1/sessions/{session}/messages"), text)
        }
        r if r < 0.90 => {
            let session = 1 + traffic.below(40);
            (Method::DELETE, format!("/v1/sessions/{session}"), String::new())
        }
        _ => {
            let workflow = 1 + traffic.below(100) as u32;
            (Method::POST, format!("/v1/workflows/{workflow}/run"), String::new())
        }
    }
}
