//! Reference system 002: the admin backend of a fleet of chat accounts (Python,
//! FastAPI, `prometheus_client`). Its guide declares about 35 families: HTTP
//! metrics with paths normalised (`/api/v1/accounts/123` to
//! `/api/v1/accounts/{id}`, UUIDs to `{uuid}`), accounts by status and per
//! account, session files, database, Redis, system resources, business totals,
//! errors and alerts; plus five dashboard queries. Here: one derived struct, the
//! tower layer (route templates, and the path normaliser for requests no route
//! matched), `#[timed]` handlers and simulated clients and accounts.
//!
//! ```text
//! cargo run --example admin_backend                  # traffic, then the exposition
//! cargo run --example admin_backend -- --listen 127.0.0.1:9465 --duration 60
//! cargo run --example admin_backend -- --queries     # the PromQL below
//! ```
//!
//! Label names and buckets the guide leaves out are those of the module it lists
//! under 相关文件, `admin-backend/app/monitoring/prometheus_metrics.py` of
//! victor2025PH/liaotianai1201. What differs, and why:
//! - the five gauges named `..._total` are renamed without it (see `accounts`);
//! - `account_id` and `task_id` are unbounded: dynamic labels, capped;
//! - the layer labels `route` and `status`, not `endpoint` and `status_code`, and
//!   its duration and response-size histograms have no status label; it has one
//!   list of size buckets where the original has two;
//! - one process, so no `PROMETHEUS_MULTIPROC_DIR`: the layer and the derived
//!   families are lock-free and shared by every task.

use std::process::ExitCode;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{MatchedPath, Path};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use examples::{Example, Load, Traffic, send};
use metrics_runtime::layer::{HttpMetricsLayer, PathNormalizer};
use metrics_runtime::{
    Counter, DynFamily, Family, FloatGauge, Gauge, Global, Histogram, LabelSet, LabelValue,
    Metrics, timed,
};

#[derive(Clone, Copy, LabelValue)]
#[label(name = "status")]
enum AccountStatus {
    Online,
    Offline,
    Error,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "status")]
enum Outcome {
    Success,
    Failure,
}

/// A session file as uploaded: plain or encrypted.
#[derive(Clone, Copy, LabelValue)]
#[label(name = "type")]
enum FileKind {
    Plain,
    Encrypted,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "action")]
enum SessionAction {
    Upload,
    Download,
    View,
    Delete,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "state")]
enum ConnectionState {
    Active,
    Idle,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "operation")]
enum DbOperation {
    Select,
    Insert,
    Update,
    Delete,
}

#[derive(Clone, Copy, LabelSet)]
struct DbQuery {
    operation: DbOperation,
    status: Outcome,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "operation")]
enum RedisOperation {
    Get,
    Set,
    Delete,
}

#[derive(Clone, Copy, LabelSet)]
struct RedisCall {
    operation: RedisOperation,
    status: Outcome,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "status")]
enum Activity {
    Active,
    Inactive,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "status")]
enum Enablement {
    Enabled,
    Disabled,
}

/// The dependency behind a system error.
#[derive(Debug, Clone, Copy, LabelValue)]
enum ErrorType {
    Database,
    Redis,
    Telegram,
}

#[derive(Clone, Copy, LabelValue)]
enum Severity {
    Warning,
    Error,
    Critical,
}

#[derive(Clone, Copy, LabelSet)]
struct SystemError {
    error_type: ErrorType,
    severity: Severity,
}

#[derive(Clone, Copy, LabelValue)]
enum AlertLevel {
    Warning,
    Critical,
}

#[derive(Clone, Copy, LabelValue)]
enum AlertType {
    Account,
    System,
}

#[derive(Clone, Copy, LabelSet)]
struct Alert {
    level: AlertLevel,
    #[label(name = "type")]
    kind: AlertType,
}

/// The admin backend's families: its `prometheus_metrics.py` (the HTTP ones come
/// from the layer), with its label names and buckets.
#[derive(Metrics)]
struct AdminMetrics {
    /// Accounts by status.
    // The original's `accounts_total` (and `session_files_total`, `scripts_total`,
    // `role_assignment_schemes_total`, `automation_tasks_total`) are gauges. Declared
    // with `_total`, the build fails: "`_total` is for counters; rename this gauge
    // (or add `#[metric(allow_total_suffix)]` to keep a legacy name)". Renamed rather
    // than kept: promtool's lint rejects a gauge ending in `_total`, and none of the
    // guide's queries uses them.
    accounts: Family<AccountStatus, Gauge>,
    /// Accounts online.
    accounts_online: Gauge,
    /// Accounts offline.
    accounts_offline: Gauge,
    /// Accounts in error.
    accounts_error: Gauge,
    /// Messages of each account, sent or received (`type`).
    // `account_id` is unbounded (one value per account the fleet ever had): a
    // dynamic label, capped; past the cap, series fold into `__overflow__` and
    // `metrics_runtime_cardinality_overflow_total` counts them.
    #[metric(labels = ["account_id", "type"], max_series = 400)]
    account_messages: DynFamily<Counter>,
    /// Replies sent by each account.
    #[metric(labels = ["account_id"], max_series = 200)]
    account_replies: DynFamily<Counter>,
    /// Red packets each account took part in, by result.
    #[metric(labels = ["account_id", "status"], max_series = 400)]
    account_redpackets: DynFamily<Counter>,
    /// Errors of each account, by kind.
    #[metric(labels = ["account_id", "error_type"], max_series = 400)]
    account_errors: DynFamily<Counter>,
    /// Time each account takes to answer a message.
    // A histogram per account is the costliest family here (nine series each):
    // capped at 50 accounts, below the simulated fleet, to show the fold.
    #[metric(
        labels = ["account_id"], max_series = 50, unit = "seconds",
        buckets = [0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0],
    )]
    account_response_time_seconds: DynFamily<Histogram>,
    /// Session files, by type (renamed from `session_files_total`).
    session_files: Family<FileKind, Gauge>,
    /// Session file uploads, by result.
    session_uploads: Family<Outcome, Counter>,
    /// Session file accesses, by action.
    session_access: Family<SessionAction, Counter>,
    /// Database connections, active or idle.
    database_connections: Family<ConnectionState, Gauge>,
    /// Database queries, by operation and result.
    database_queries: Family<DbQuery, Counter>,
    /// Duration of the database queries that succeeded, by operation.
    #[metric(unit = "seconds", buckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0])]
    database_query_duration_seconds: Family<DbOperation, Histogram>,
    /// Whether Redis is connected (1) or not (0).
    redis_connected: Gauge,
    /// Redis operations, by operation and result.
    redis_operations: Family<RedisCall, Counter>,
    /// Duration of the Redis operations that succeeded, by operation.
    #[metric(unit = "seconds", buckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5])]
    redis_operation_duration_seconds: Family<RedisOperation, Histogram>,
    /// Host CPU usage, in percent.
    system_cpu_usage_percent: FloatGauge,
    /// Host memory in use.
    #[metric(unit = "bytes")]
    system_memory_usage_bytes: Gauge,
    /// Host memory in use, in percent.
    system_memory_usage_percent: FloatGauge,
    /// Disk space in use.
    #[metric(unit = "bytes")]
    system_disk_usage_bytes: Gauge,
    /// Disk space in use, in percent.
    system_disk_usage_percent: FloatGauge,
    /// Scripts, active or not (renamed from `scripts_total`).
    scripts: Family<Activity, Gauge>,
    /// Role assignment schemes (renamed from `role_assignment_schemes_total`).
    role_assignment_schemes: Gauge,
    /// Automation tasks, enabled or not (renamed from `automation_tasks_total`).
    automation_tasks: Family<Enablement, Gauge>,
    /// Automation task runs, by task and result.
    // `task_id` grows with the tasks users create: dynamic, capped.
    #[metric(labels = ["task_id", "status"], max_series = 200)]
    automation_task_executions: DynFamily<Counter>,
    /// Errors of the backend's dependencies, by kind and severity.
    system_errors: Family<SystemError, Counter>,
    /// Alerts raised, by level and type.
    alerts: Family<Alert, Counter>,
    /// Alerts not yet resolved, by level and type.
    alerts_active: Family<Alert, Gauge>,
}

static METRICS: Global<AdminMetrics> = Global::new();

/// HTTP request rate, per method, route and status. As in the guide.
pub const HTTP_REQUEST_RATE: &str = "rate(http_requests_total[5m])";
/// Share of requests answered 5xx, per method and route.
///
/// Corrected: the guide's `rate(http_requests_total{status_code=~"5.."}[5m]) /
/// rate(http_requests_total[5m])` matches series on every label, the status
/// included, so each 5xx series is divided by itself (a "ratio" of 1). Summing the
/// status away on both sides divides errors by all requests of the route.
pub const HTTP_ERROR_RATIO: &str = "sum without (status) (rate(http_requests_total{status=~\"5..\"}[5m])) \
     / sum without (status) (rate(http_requests_total[5m]))";
/// p95 request duration, per method and route. As in the guide.
pub const HTTP_LATENCY_P95: &str =
    "histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m]))";
/// Accounts online. As in the guide.
pub const ACCOUNTS_ONLINE: &str = "accounts_online";
/// Account error rate, per account and kind. As in the guide.
pub const ACCOUNT_ERROR_RATE: &str = "rate(account_errors_total[5m])";

/// What `--queries` prints.
const QUERIES: &[(&str, &str)] = &[
    ("http_request_rate", HTTP_REQUEST_RATE),
    ("http_error_ratio", HTTP_ERROR_RATIO),
    ("http_latency_p95", HTTP_LATENCY_P95),
    ("accounts_online", ACCOUNTS_ONLINE),
    ("account_error_rate", ACCOUNT_ERROR_RATE),
];

/// The original's HTTP duration buckets.
const DURATION_BUCKETS: &[f64] = &[0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0];
/// The original's response size buckets. The layer has one list for both sizes;
/// the original's request sizes stop at 100 kB, one bucket fewer.
const SIZE_BUCKETS: &[f64] = &[100.0, 500.0, 1000.0, 5000.0, 10000.0, 50000.0, 100000.0, 500000.0];

/// The simulated fleet: more accounts than `account_response_time_seconds` keeps.
const ACCOUNTS: u64 = 60;
/// Database connections in the pool.
const POOL: i64 = 10;
/// How long a simulated client waits for a whole response before it gives up.
const PATIENCE: Duration = Duration::from_secs(1);

#[tokio::main]
async fn main() -> ExitCode {
    let layer = match HttpMetricsLayer::builder()
        .route_template(MatchedPath::as_str)
        // Requests no route matched (old clients, probes) get their path with ids
        // replaced, as the original's middleware did, rather than `unmatched`.
        .normalize_paths(PathNormalizer::new())
        .max_routes(100)
        .duration_buckets(DURATION_BUCKETS)
        .size_buckets(SIZE_BUCKETS)
        .build()
    {
        Ok(layer) => layer,
        Err(error) => {
            eprintln!("admin_backend: {error}");
            return ExitCode::FAILURE;
        }
    };
    let app = app(layer.clone());
    Example::new("admin_backend", QUERIES).http(layer).run(|load| simulate(app, load)).await
}

fn app(layer: HttpMetricsLayer) -> Router {
    let m = &*METRICS;
    m.redis_connected.set(1);
    m.scripts.get(Activity::Active).set(18);
    m.scripts.get(Activity::Inactive).set(6);
    m.role_assignment_schemes.set(6);
    m.automation_tasks.get(Enablement::Enabled).set(9);
    m.automation_tasks.get(Enablement::Disabled).set(3);
    m.session_files.get(FileKind::Plain).set(40);
    m.session_files.get(FileKind::Encrypted).set(20);
    m.database_connections.get(ConnectionState::Idle).set(POOL);
    Router::new()
        .route("/api/v1/accounts", get(list_accounts))
        .route("/api/v1/accounts/{id}", get(get_account))
        .route("/api/v1/accounts/{id}/start", post(start_account))
        .route("/api/v1/accounts/{id}/session", post(upload_session))
        .route("/api/v1/scripts/{uuid}", get(get_script).put(update_script))
        .route("/api/v1/automation/tasks/{id}/run", post(run_task))
        .route("/api/v1/dashboard", get(dashboard))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(layer)
}

/// Why a handler refused a request.
#[derive(Debug)]
enum AdminError {
    BadRequest(&'static str),
    NotFound,
    /// A dependency failed: the database, Redis, Telegram.
    Unavailable(ErrorType),
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        match self {
            Self::BadRequest(why) => (StatusCode::BAD_REQUEST, why).into_response(),
            Self::NotFound => StatusCode::NOT_FOUND.into_response(),
            Self::Unavailable(error_type) => {
                let severity = match error_type {
                    ErrorType::Database => Severity::Critical,
                    ErrorType::Redis | ErrorType::Telegram => Severity::Error,
                };
                METRICS.system_errors.get(SystemError { error_type, severity }).inc();
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            }
        }
    }
}

/// A pooled database connection: active while held, idle again when dropped.
struct Connection;

impl Connection {
    fn take() -> Self {
        let connections = &METRICS.database_connections;
        connections.get(ConnectionState::Active).inc();
        connections.get(ConnectionState::Idle).dec();
        Self
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let connections = &METRICS.database_connections;
        connections.get(ConnectionState::Active).dec();
        connections.get(ConnectionState::Idle).inc();
    }
}

/// A database round trip of `millis`, holding a connection; `fail` makes it fail.
/// Counted by result, timed when it succeeds (as the original does).
async fn query(operation: DbOperation, millis: u64, fail: bool) -> Result<(), AdminError> {
    let _connection = Connection::take();
    let timer = METRICS.database_query_duration_seconds.get(operation);
    let timer = timer.start_timer();
    tokio::time::sleep(Duration::from_millis(millis)).await;
    let status = if fail { Outcome::Failure } else { Outcome::Success };
    METRICS.database_queries.get(DbQuery { operation, status }).inc();
    if fail {
        timer.discard();
        return Err(AdminError::Unavailable(ErrorType::Database));
    }
    Ok(())
}

/// A Redis round trip, counted and timed.
async fn redis(operation: RedisOperation) {
    let timer = METRICS.redis_operation_duration_seconds.get(operation);
    let _timer = timer.start_timer();
    tokio::time::sleep(Duration::from_millis(1)).await;
    METRICS.redis_operations.get(RedisCall { operation, status: Outcome::Success }).inc();
}

#[timed]
async fn list_accounts() -> Result<String, AdminError> {
    query(DbOperation::Select, 8, false).await?;
    let ids: Vec<String> = (0..ACCOUNTS).map(|n| account_id(n).to_string()).collect();
    Ok(format!("[{}]", ids.join(",")))
}

#[timed]
async fn get_account(Path(id): Path<u64>) -> Result<String, AdminError> {
    redis(RedisOperation::Get).await;
    query(DbOperation::Select, 2, false).await?;
    if id % 17 == 0 {
        return Err(AdminError::NotFound);
    }
    METRICS.session_access.get(SessionAction::View).inc();
    Ok(format!("{{\"id\":{id},\"status\":\"online\"}}"))
}

/// Starting an account logs it in to Telegram; one in nine fails.
#[timed]
async fn start_account(Path(id): Path<u64>) -> Result<StatusCode, AdminError> {
    query(DbOperation::Update, 4, false).await?;
    tokio::time::sleep(Duration::from_millis(30 + id % 7 * 10)).await;
    if id % 9 == 0 {
        return Err(AdminError::Unavailable(ErrorType::Telegram));
    }
    Ok(StatusCode::ACCEPTED)
}

#[timed]
async fn upload_session(Path(id): Path<u64>, body: Bytes) -> Result<StatusCode, AdminError> {
    METRICS.session_access.get(SessionAction::Upload).inc();
    let uploads = |status| METRICS.session_uploads.get(status);
    if body.is_empty() {
        uploads(Outcome::Failure).inc();
        return Err(AdminError::BadRequest("empty session file"));
    }
    query(DbOperation::Insert, 3, false).await?;
    uploads(Outcome::Success).inc();
    let kind = if id % 3 == 0 { FileKind::Encrypted } else { FileKind::Plain };
    METRICS.session_files.get(kind).inc();
    Ok(StatusCode::CREATED)
}

#[timed]
async fn get_script(Path(uuid): Path<String>) -> Result<String, AdminError> {
    redis(RedisOperation::Get).await;
    if uuid.ends_with('0') {
        // Not cached.
        query(DbOperation::Select, 5, false).await?;
        redis(RedisOperation::Set).await;
    }
    Ok(format!("{{\"id\":\"{uuid}\",\"scenes\":[\"greeting\",\"chat\",\"farewell\"]}}"))
}

#[timed]
async fn update_script(Path(uuid): Path<String>, body: Bytes) -> Result<StatusCode, AdminError> {
    if !body.starts_with(b"{") {
        return Err(AdminError::BadRequest("a script is a JSON object"));
    }
    query(DbOperation::Update, 6, false).await?;
    redis(RedisOperation::Delete).await;
    let _ = uuid;
    Ok(StatusCode::NO_CONTENT)
}

/// An automation task: 100 ms to 1.3 s (past the client's patience sometimes); one
/// in eight fails to record its result.
#[timed]
async fn run_task(Path(id): Path<u64>) -> Result<String, AdminError> {
    query(DbOperation::Select, 3, false).await?;
    tokio::time::sleep(Duration::from_millis(100 + id % 7 * 200)).await;
    let failed = id % 8 == 0;
    let task = id.to_string();
    let status = if failed { "failure" } else { "success" };
    METRICS.automation_task_executions.get(&[&task, status]).inc();
    query(DbOperation::Insert, 4, failed).await?;
    Ok(format!("{{\"task\":{id},\"status\":\"done\"}}"))
}

/// The dashboard reads several tables; now and then the database fails.
#[timed]
async fn dashboard(body: Bytes) -> Result<String, AdminError> {
    for _ in 0..2 {
        query(DbOperation::Select, 3, false).await?;
    }
    redis(RedisOperation::Get).await;
    query(DbOperation::Select, 3, body.len() % 13 == 5).await?;
    let online = METRICS.accounts_online.get();
    Ok(format!("{{\"accounts_online\":{online}}}"))
}

/// A Telegram account id of the simulated fleet.
fn account_id(n: u64) -> u64 {
    6_281_234_000 + n
}

/// Simulated admins using the API, and the fleet of accounts at work. Seeded, so
/// every run does the same.
async fn simulate(app: Router, load: Load) -> u32 {
    let mut traffic = Traffic::seeded(0x002_ad31);
    let mut fleet = Fleet::default();
    load.run(|n| {
        fleet.step(&mut traffic, n);
        let (method, uri, body) = next_request(&mut traffic);
        let app = app.clone();
        async move {
            send(&app, method, &uri, body, PATIENCE).await;
        }
    })
    .await
}

fn next_request(traffic: &mut Traffic) -> (Method, String, String) {
    let account = account_id(traffic.below(ACCOUNTS as usize + 5) as u64);
    let uuid = format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        traffic.next_u64() as u32,
        traffic.below(0x10000),
        traffic.below(0x1000),
        traffic.below(0x1000),
        traffic.next_u64() >> 16
    );
    let empty = String::new;
    match traffic.unit() {
        r if r < 0.15 => (Method::GET, "/api/v1/accounts".to_owned(), empty()),
        r if r < 0.35 => (Method::GET, format!("/api/v1/accounts/{account}"), empty()),
        r if r < 0.42 => (Method::POST, format!("/api/v1/accounts/{account}/start"), empty()),
        r if r < 0.48 => {
            let file = if traffic.chance(0.1) { empty() } else { "s".repeat(2048) };
            (Method::POST, format!("/api/v1/accounts/{account}/session"), file)
        }
        r if r < 0.63 => (Method::GET, format!("/api/v1/scripts/{uuid}"), empty()),
        r if r < 0.68 => {
            let script = if traffic.chance(0.1) { "[]".to_owned() } else { "{}".repeat(64) };
            (Method::PUT, format!("/api/v1/scripts/{uuid}"), script)
        }
        r if r < 0.78 => {
            let task = 1 + traffic.below(40);
            (Method::POST, format!("/api/v1/automation/tasks/{task}/run"), empty())
        }
        r if r < 0.92 => {
            (Method::GET, "/api/v1/dashboard".to_owned(), "x".repeat(traffic.below(20)))
        }
        // Paths the router does not know, from old clients: the layer names them by
        // their normalised path, `{id}` and `{uuid}` in place of the identifiers.
        r if r < 0.96 => (Method::GET, format!("/api/v1/accounts/{account}/avatar"), empty()),
        _ => (Method::GET, format!("/api/v1/sessions/{uuid}/download"), empty()),
    }
}

/// The account manager's side: accounts going online and offline, sending and
/// receiving messages, replying, taking part in red packets, failing; alerts; the
/// host's resources.
#[derive(Debug)]
struct Fleet {
    online: Vec<bool>,
    failed: Vec<bool>,
}

impl Default for Fleet {
    fn default() -> Self {
        Self { online: vec![false; ACCOUNTS as usize], failed: vec![false; ACCOUNTS as usize] }
    }
}

impl Fleet {
    fn step(&mut self, traffic: &mut Traffic, round: u32) {
        let m = &*METRICS;
        let n = traffic.below(ACCOUNTS as usize);
        let id = account_id(n as u64).to_string();
        match traffic.unit() {
            r if r < 0.10 => self.online[n] = !self.online[n],
            r if r < 0.13 => {
                self.failed[n] = !self.failed[n];
                let error_type = traffic.pick(&["flood_wait", "auth_key_invalid", "network"]);
                m.account_errors.get(&[&id, error_type]).inc();
            }
            _ => {}
        }
        let direction = traffic.pick(&["sent", "received"]);
        m.account_messages.get(&[&id, direction]).inc();
        if traffic.chance(0.6) {
            m.account_replies.get(&[&id]).inc();
            m.account_response_time_seconds.get(&[&id]).observe(0.05 + traffic.unit() * 3.0);
        }
        if traffic.chance(0.05) {
            let status = traffic.pick(&["success", "failure"]);
            m.account_redpackets.get(&[&id, status]).inc();
        }
        let alert = Alert {
            level: traffic.pick(&[AlertLevel::Warning, AlertLevel::Critical]),
            kind: traffic.pick(&[AlertType::Account, AlertType::System]),
        };
        if traffic.chance(0.02) {
            m.alerts.get(alert).inc();
            m.alerts_active.get(alert).inc();
        } else if traffic.chance(0.02) && m.alerts_active.get(alert).get() > 0 {
            // An operator resolves one.
            m.alerts_active.get(alert).dec();
        }
        self.count(round, traffic);
    }

    /// Sets the account gauges, and every tenth round the host's resources.
    fn count(&self, round: u32, traffic: &mut Traffic) {
        let m = &*METRICS;
        let mut by_status = [0i64; 3];
        for (online, failed) in self.online.iter().zip(&self.failed) {
            by_status[match (failed, online) {
                (true, _) => 2,
                (false, true) => 0,
                (false, false) => 1,
            }] += 1;
        }
        let [online, offline, failed] = by_status;
        for (status, count) in [
            (AccountStatus::Online, online),
            (AccountStatus::Offline, offline),
            (AccountStatus::Error, failed),
        ] {
            m.accounts.get(status).set(count);
        }
        m.accounts_online.set(online);
        m.accounts_offline.set(offline);
        m.accounts_error.set(failed);
        if round.is_multiple_of(10) {
            m.session_access.get(SessionAction::Download).inc();
            m.system_cpu_usage_percent.set(5.0 + traffic.unit() * 60.0);
            let memory = (6 << 30) + traffic.below(1 << 30) as i64;
            m.system_memory_usage_bytes.set(memory);
            m.system_memory_usage_percent.set(memory as f64 / (16u64 << 30) as f64 * 100.0);
            let disk = (120 << 30) + i64::from(round) * 4096;
            m.system_disk_usage_bytes.set(disk);
            m.system_disk_usage_percent.set(disk as f64 / (500u64 << 30) as f64 * 100.0);
        }
        if round.is_multiple_of(50) {
            m.session_access.get(SessionAction::Delete).inc();
            // A Redis timeout now and then.
            let call = RedisCall { operation: RedisOperation::Get, status: Outcome::Failure };
            m.redis_operations.get(call).inc();
        }
    }
}
