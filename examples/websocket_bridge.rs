//! Reference system 000: a WebSocket relay bridge between phones and AI coding tools
//! (`zhineng_bridge_`). Its hand-written Python catalogue of 19 families becomes one
//! struct of 17 and two `#[timed]` impl blocks, one per timed histogram.
//!
//! ```text
//! cargo run --example websocket_bridge                      # print the exposition once
//! METRICS_BASIC_AUTH=prometheus:secret \
//!   cargo run --example websocket_bridge -- --listen 127.0.0.1:8000 --duration 30
//! ```
//!
//! Served like the original: the exposition on `/prometheus` beside `/health`, behind
//! Basic authentication when `METRICS_BASIC_AUTH=user:password` is set (the health
//! path stays open for probes). `--queries` prints the guide's PromQL, corrected.

use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use examples::{Example, InProgress, Load, ServeArgs, Traffic};
use metrics_runtime::serve::MetricsServer;
use metrics_runtime::{
    Counter, DynFamily, Family, FloatGauge, Gauge, Global, Histogram, LabelSet, LabelValue,
    Metrics, timed,
};

// ---------------------------------------------------------------------------------
// The catalogue. The guide names every counter `..._total`; we declare them without
// it (our check refuses `_total` on a counter and the encoders add it), so the
// exposed names are the guide's. No gauge of this guide ends with `_total`.
// ---------------------------------------------------------------------------------

#[derive(Clone, Copy, LabelValue)]
#[label(name = "status")]
enum ConnectionStatus {
    Success,
    Error,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "status")]
enum AuthStatus {
    Success,
    Failed,
}

#[derive(Clone, Copy, PartialEq, LabelValue)]
#[label(name = "message_type")]
enum MessageType {
    Chat,
    Command,
    Ping,
    FileTransfer,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "tool_name")]
enum ToolName {
    ClaudeCode,
    Cursor,
    Copilot,
    Aider,
}

#[derive(Clone, Copy, LabelValue)]
enum ErrorType {
    Auth,
    RateLimit,
    SessionCreate,
    MessageHandler,
    Timeout,
}

#[derive(Clone, Copy, LabelValue)]
enum Severity {
    Warning,
    Error,
    Critical,
}

#[derive(Clone, Copy, LabelSet)]
struct SessionOutcome {
    tool_name: ToolName,
    status: ConnectionStatus,
}

#[derive(Clone, Copy, LabelSet)]
struct ErrorKind {
    error_type: ErrorType,
    severity: Severity,
}

/// The bridge's families. Two more come from `#[timed]` below:
/// `zhineng_bridge_request_duration_seconds{request_type}` and
/// `zhineng_bridge_message_processing_duration_seconds{message_type}`, with the
/// guide's buckets (and `function`, `module` labels, and a `..._calls_total` counter
/// by outcome beside each).
#[derive(Metrics)]
#[metrics(namespace = "zhineng_bridge")]
struct BridgeMetrics {
    /// Total number of WebSocket connections.
    websocket_connections: Family<ConnectionStatus, Counter>,
    /// Total number of messages received.
    messages_received: Family<MessageType, Counter>,
    /// Total number of messages sent.
    messages_sent: Family<MessageType, Counter>,
    /// Total number of sessions created.
    sessions_created: Family<SessionOutcome, Counter>,
    /// Total number of errors.
    errors: Family<ErrorKind, Counter>,
    /// Total number of authentication attempts.
    authentication_attempts: Family<AuthStatus, Counter>,
    /// Total number of rate limit violations.
    // `client_id` is unbounded (one value per client ever seen): a dynamic label,
    // capped; past the cap new clients are folded into one overflow series.
    #[metric(labels = ["client_id"], max_series = 500)]
    rate_limit_violations: DynFamily<Counter>,
    /// Current number of active WebSocket connections.
    active_websocket_connections: Gauge,
    /// Current number of active sessions.
    active_sessions: Family<ToolName, Gauge>,
    /// Number of messages pending to be sent.
    pending_messages: Gauge,
    /// Memory usage in bytes.
    // The same reading as `process_resident_memory_bytes`, which the server exposes
    // too; kept for the guide's dashboards and alert.
    #[metric(unit = "bytes")]
    memory_usage: Gauge,
    /// CPU usage percentage.
    // Kept as the guide names it; Prometheus prefers a 0-1 `_ratio`, or
    // `rate(process_cpu_seconds_total[1m])`, which the server exposes.
    cpu_usage_percent: FloatGauge,
    /// Server uptime in seconds.
    #[metric(unit = "seconds")]
    uptime: FloatGauge,
    /// Current message queue depth.
    message_queue_depth: Gauge,
    /// Session manager status (1=connected, 0=disconnected).
    session_manager_status: Gauge,
    /// Session creation duration in seconds.
    #[metric(unit = "seconds", buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0])]
    session_creation_duration: Family<ToolName, Histogram>,
    /// WebSocket connection duration in seconds.
    #[metric(unit = "seconds", buckets = [1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0, 1800.0, 3600.0])]
    websocket_connection_duration: Histogram,
}

static METRICS: Global<BridgeMetrics> = Global::new();

// ---------------------------------------------------------------------------------
// The guide's PromQL, adapted to the names above. Valid ones are kept as written.
// ---------------------------------------------------------------------------------

/// Current active WebSocket connections.
pub const ACTIVE_CONNECTIONS: &str = "zhineng_bridge_active_websocket_connections";
/// Current active sessions.
pub const ACTIVE_SESSIONS: &str = "sum(zhineng_bridge_active_sessions)";
/// Messages received per second.
pub const MESSAGE_RATE: &str = "rate(zhineng_bridge_messages_received_total[5m])";
/// Messages sent per second, by type (the "Message Rate" panel's other half).
pub const MESSAGES_SENT_RATE: &str =
    "sum by (message_type) (rate(zhineng_bridge_messages_sent_total[5m]))";
/// Errors per second.
pub const ERROR_RATE: &str = "rate(zhineng_bridge_errors_total[5m])";
/// 95th percentile of request duration. Corrected: the guide's
/// `histogram_quantile(0.95, rate(..._bucket[5m]))` gives one quantile per series
/// (per request type and instance); the buckets are summed by `le` first.
pub const REQUEST_P95: &str = "histogram_quantile(0.95, sum by (le) (rate(zhineng_bridge_request_duration_seconds_bucket[5m])))";
/// Error rate by error type. Corrected: the guide's `rate(x[5m]) by (error_type,
/// severity)` is not PromQL; `by` belongs to an aggregation.
pub const ERRORS_BY_TYPE: &str =
    "sum by (error_type, severity) (rate(zhineng_bridge_errors_total[5m]))";
/// Sessions created by tool. Corrected as above.
pub const SESSIONS_CREATED_BY_TOOL: &str =
    "sum by (tool_name) (rate(zhineng_bridge_sessions_created_total[5m]))";
/// Mean message processing duration by message type. Corrected as above, on both
/// sides of the division.
pub const MESSAGE_PROCESSING_MEAN: &str = "sum by (message_type) (rate(zhineng_bridge_message_processing_duration_seconds_sum[5m])) / sum by (message_type) (rate(zhineng_bridge_message_processing_duration_seconds_count[5m]))";
/// Authentication success ratio. Corrected: the guide's `rate(x[5m]{status="success"})`
/// puts the selector after the range, which is not PromQL; and without `sum` the
/// division matches series label by label, so `success / (success and failed)`
/// would divide the success series by itself and always give 1.
pub const AUTH_SUCCESS_RATIO: &str = "sum(rate(zhineng_bridge_authentication_attempts_total{status=\"success\"}[5m])) / sum(rate(zhineng_bridge_authentication_attempts_total[5m]))";
/// Rate limit violations by client. Corrected: `by` needs an aggregation.
pub const RATE_LIMIT_BY_CLIENT: &str =
    "sum by (client_id) (rate(zhineng_bridge_rate_limit_violations_total[5m]))";
/// CPU usage panel.
pub const CPU_USAGE: &str = "zhineng_bridge_cpu_usage_percent";
/// Memory usage panel.
pub const MEMORY_USAGE: &str = "zhineng_bridge_memory_usage_bytes";
/// Alert `HighErrorRate` (for 5m): as written, per error type and severity.
pub const ALERT_HIGH_ERROR_RATE: &str = "rate(zhineng_bridge_errors_total[5m]) > 10";
/// Alert `HighMemoryUsage` (for 5m): over 1 GiB.
pub const ALERT_HIGH_MEMORY_USAGE: &str = "zhineng_bridge_memory_usage_bytes > 1073741824";
/// Alert `LowActiveConnections` (for 10m).
pub const ALERT_LOW_ACTIVE_CONNECTIONS: &str = "zhineng_bridge_active_websocket_connections == 0";
/// Alert `HighRateLimitViolations` (for 5m): as written, per client.
pub const ALERT_HIGH_RATE_LIMIT_VIOLATIONS: &str =
    "rate(zhineng_bridge_rate_limit_violations_total[5m]) > 5";

/// Every query, as `--queries` prints them.
pub const QUERIES: &[(&str, &str)] = &[
    ("ACTIVE_CONNECTIONS", ACTIVE_CONNECTIONS),
    ("ACTIVE_SESSIONS", ACTIVE_SESSIONS),
    ("MESSAGE_RATE", MESSAGE_RATE),
    ("MESSAGES_SENT_RATE", MESSAGES_SENT_RATE),
    ("ERROR_RATE", ERROR_RATE),
    ("REQUEST_P95", REQUEST_P95),
    ("ERRORS_BY_TYPE", ERRORS_BY_TYPE),
    ("SESSIONS_CREATED_BY_TOOL", SESSIONS_CREATED_BY_TOOL),
    ("MESSAGE_PROCESSING_MEAN", MESSAGE_PROCESSING_MEAN),
    ("AUTH_SUCCESS_RATIO", AUTH_SUCCESS_RATIO),
    ("RATE_LIMIT_BY_CLIENT", RATE_LIMIT_BY_CLIENT),
    ("CPU_USAGE", CPU_USAGE),
    ("MEMORY_USAGE", MEMORY_USAGE),
    ("alert:HighErrorRate", ALERT_HIGH_ERROR_RATE),
    ("alert:HighMemoryUsage", ALERT_HIGH_MEMORY_USAGE),
    ("alert:LowActiveConnections", ALERT_LOW_ACTIVE_CONNECTIONS),
    ("alert:HighRateLimitViolations", ALERT_HIGH_RATE_LIMIT_VIOLATIONS),
];

// ---------------------------------------------------------------------------------
// The handlers. Requests and messages are timed by `#[timed]` into the guide's two
// histograms; the guide's Python did it with six hand-written context managers.
// ---------------------------------------------------------------------------------

#[derive(Debug)]
struct Refused;

/// The bridge's requests, one `request_type` each, timed into
/// `zhineng_bridge_request_duration_seconds` with the guide's buckets.
struct Requests;

#[timed(
    name = "zhineng_bridge_request",
    buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]
)]
impl Requests {
    /// Checks a client's token; one in ten is refused.
    #[timed(labels(request_type = "auth"))]
    async fn authenticate(traffic: &mut Traffic) -> Result<(), Refused> {
        pause(traffic, 3).await;
        let accepted = !traffic.chance(0.1);
        let status = if accepted { AuthStatus::Success } else { AuthStatus::Failed };
        METRICS.authentication_attempts.get(status).inc();
        if accepted { Ok(()) } else { Err(Refused) }
    }

    /// Starts a session with a coding tool; some are slow (cancelled by the
    /// caller's timeout), some fail.
    #[timed(labels(request_type = "create_session"))]
    async fn create_session(tool_name: ToolName, traffic: &mut Traffic) -> Result<(), Refused> {
        let _timer = METRICS.session_creation_duration.get(tool_name).start_timer();
        let slow = traffic.chance(0.05);
        pause(traffic, if slow { 400 } else { 20 }).await;
        let created = !traffic.chance(0.08);
        let status = if created { ConnectionStatus::Success } else { ConnectionStatus::Error };
        METRICS.sessions_created.get(SessionOutcome { tool_name, status }).inc();
        if created { Ok(()) } else { Err(Refused) }
    }

    /// Lists the client's sessions.
    #[timed(labels(request_type = "list_sessions"))]
    async fn list_sessions(traffic: &mut Traffic) {
        pause(traffic, 2).await;
    }
}

/// The message handlers, one `message_type` each, timed into
/// `zhineng_bridge_message_processing_duration_seconds` with the guide's buckets.
struct Messages;

#[timed(
    name = "zhineng_bridge_message_processing",
    buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0]
)]
impl Messages {
    /// Relays a chat message to the tool.
    #[timed(labels(message_type = "chat"))]
    async fn relay_chat(traffic: &mut Traffic) -> Result<(), Refused> {
        pause(traffic, 8).await;
        if traffic.chance(0.02) { Err(Refused) } else { Ok(()) }
    }

    /// Runs a command in the tool; the slowest kind, sometimes past the deadline.
    #[timed(labels(message_type = "command"))]
    async fn run_command(traffic: &mut Traffic) -> Result<(), Refused> {
        let slow = traffic.chance(0.06);
        pause(traffic, if slow { 300 } else { 30 }).await;
        if traffic.chance(0.1) { Err(Refused) } else { Ok(()) }
    }

    /// Answers a ping.
    #[timed(labels(message_type = "ping"))]
    async fn pong() {
        tokio::task::yield_now().await;
    }

    /// Forwards a file chunk.
    #[timed(labels(message_type = "file_transfer"))]
    async fn forward_file(traffic: &mut Traffic) -> Result<(), Refused> {
        pause(traffic, 40).await;
        if traffic.chance(0.03) { Err(Refused) } else { Ok(()) }
    }
}

/// Sleeps up to `max_ms` milliseconds, as the generator decides.
async fn pause(traffic: &mut Traffic, max_ms: usize) {
    tokio::time::sleep(Duration::from_millis(traffic.below(max_ms + 1) as u64)).await;
}

fn error(error_type: ErrorType, severity: Severity) {
    METRICS.errors.get(ErrorKind { error_type, severity }).inc();
}

/// Deadline of a command or a session creation: slower ones are cancelled.
const DEADLINE: Duration = Duration::from_millis(150);

/// One client's visit, seeded by its number: connect, authenticate, perhaps open a
/// session, exchange a few messages, disconnect.
async fn client(n: u32) {
    let mut traffic = Traffic::seeded(0xB21D_6E00 ^ u64::from(n));
    let client_id = format!("client-{:03}", traffic.below(60));
    if n.is_multiple_of(10) {
        sample_host();
    }
    // The session manager drops out now and then, and comes back.
    METRICS.session_manager_status.set(i64::from(!n.is_multiple_of(97)));

    if Requests::authenticate(&mut traffic).await.is_err() {
        METRICS.websocket_connections.get(ConnectionStatus::Error).inc();
        error(ErrorType::Auth, Severity::Warning);
        return;
    }
    METRICS.websocket_connections.get(ConnectionStatus::Success).inc();
    let _connected = InProgress::enter(&METRICS.active_websocket_connections);

    if traffic.chance(0.05) {
        METRICS.rate_limit_violations.get(&[&client_id]).inc();
        error(ErrorType::RateLimit, Severity::Warning);
    }
    if traffic.chance(0.2) {
        Requests::list_sessions(&mut traffic).await;
    }
    let tool_name =
        traffic.pick(&[ToolName::ClaudeCode, ToolName::Cursor, ToolName::Copilot, ToolName::Aider]);
    let session = if traffic.chance(0.4) {
        match tokio::time::timeout(DEADLINE, Requests::create_session(tool_name, &mut traffic))
            .await
        {
            Ok(Ok(())) => Some(InProgress::enter(METRICS.active_sessions.get(tool_name))),
            Ok(Err(Refused)) => {
                error(ErrorType::SessionCreate, Severity::Error);
                None
            }
            Err(_elapsed) => {
                error(ErrorType::Timeout, Severity::Critical);
                None
            }
        }
    } else {
        None
    };

    for _ in 0..1 + traffic.below(5) {
        let message_type = traffic.pick(&[
            MessageType::Chat,
            MessageType::Chat,
            MessageType::Command,
            MessageType::Ping,
            MessageType::FileTransfer,
        ]);
        METRICS.messages_received.get(message_type).inc();
        let _queued = InProgress::enter(&METRICS.message_queue_depth);
        let handled = match message_type {
            MessageType::Chat => Messages::relay_chat(&mut traffic).await,
            MessageType::Command => {
                tokio::time::timeout(DEADLINE, Messages::run_command(&mut traffic))
                    .await
                    .unwrap_or_else(|_elapsed| {
                        error(ErrorType::Timeout, Severity::Error);
                        Ok(())
                    })
            }
            MessageType::Ping => {
                Messages::pong().await;
                Ok(())
            }
            MessageType::FileTransfer => Messages::forward_file(&mut traffic).await,
        };
        if handled.is_err() {
            error(ErrorType::MessageHandler, Severity::Error);
            continue;
        }
        let _pending = InProgress::enter(&METRICS.pending_messages);
        pause(&mut traffic, 2).await;
        METRICS.messages_sent.get(message_type).inc();
    }
    drop(session);
    // Real connections last seconds to hours: the simulated length is drawn, not
    // waited for.
    METRICS.websocket_connection_duration.observe(1.0 + 3600.0 * traffic.unit().powi(3));
}

/// Uptime, memory and CPU of this process, as the guide's updater thread read them
/// with `psutil` (on Linux; elsewhere only the uptime).
fn sample_host() {
    static STARTED: OnceLock<(Instant, f64)> = OnceLock::new();
    let (started, cpu_at_start) = *STARTED.get_or_init(|| (Instant::now(), cpu_seconds()));
    let uptime = started.elapsed().as_secs_f64();
    METRICS.uptime.set(uptime);
    if uptime > 0.0 {
        METRICS.cpu_usage_percent.set(100.0 * (cpu_seconds() - cpu_at_start) / uptime);
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let rss_kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<i64>().ok());
    if let Some(kib) = rss_kib {
        METRICS.memory_usage.set(kib * 1024);
    }
}

/// CPU time used by this process (user and system), from `/proc/self/stat` in
/// Linux's `USER_HZ` ticks (100 a second on every architecture Linux supports).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are the 14th and 15th fields, 12th and 13th after `)`.
    (ticks(11) + ticks(12)) / 100.0
}

/// `METRICS_BASIC_AUTH=user:password`: `Ok(None)` when unset, `Err` saying what is
/// wrong when malformed.
fn basic_auth_from_env() -> Result<Option<(String, String)>, String> {
    const VAR: &str = "METRICS_BASIC_AUTH";
    let value = match std::env::var(VAR) {
        Ok(value) => value,
        Err(std::env::VarError::NotPresent) => return Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => return Err(format!("{VAR} is not UTF-8")),
    };
    let Some((user, password)) = value.split_once(':') else {
        return Err(format!("{VAR} must be `user:password`; it has no `:`"));
    };
    if user.is_empty() || password.is_empty() {
        return Err(format!("{VAR} must be `user:password` with neither part empty"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{VAR} holds control characters"));
    }
    Ok(Some((user.to_owned(), password.to_owned())))
}

#[tokio::main]
async fn main() -> ExitCode {
    const NAME: &str = "websocket_bridge";
    let credentials = match basic_auth_from_env() {
        Ok(credentials) => credentials,
        Err(message) => {
            eprintln!("{NAME}: refusing to start: {message}");
            return ExitCode::from(2);
        }
    };
    let mut server = MetricsServer::builder().path("/prometheus").health(Some("/health"));
    match &credentials {
        Some((user, password)) => server = server.basic_auth(user, password),
        None if ServeArgs::from_env().is_ok_and(|args| args.listen.is_some()) => {
            eprintln!(
                "{NAME}: METRICS_BASIC_AUTH is not set: serving /prometheus without authentication"
            );
        }
        None => {}
    }
    let example =
        Example { server, path: "/prometheus", basic_auth: true, ..Example::new(NAME, QUERIES) };
    example.run(|load: Load| load.run(client)).await
}
