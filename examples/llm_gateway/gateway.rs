//! The gateway: an axum router with the chat-completions, models and balance routes,
//! behind the metrics layer. Every decision a handler makes comes from the seed in
//! its request, so a run is deterministic however the requests interleave.
//!
//! Where the original wraps calls in `with track_model_inference(..)`,
//! `with track_database_query(..)` and `with track_http_request(..)`, here the layer
//! times the requests, `#[timed]` the handlers and queries, and a histogram timer
//! the inference.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{MatchedPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use examples::{InProgress, Traffic};
use metrics_runtime::layer::HttpMetricsLayer;
use metrics_runtime::{LabelValue, timed};

use crate::metrics::{
    BillingCycle, CacheName, ConnectionType, KeyStatus, METRICS, Operation, PlanType, Provider,
    Query, QueueName, Subscription, Table, TrialStatus,
};

/// The HTTP pair of the original (`http_requests_total`,
/// `http_request_duration_seconds`) with its buckets, and the layer's size and
/// in-flight families beside them.
pub(crate) fn http_layer() -> Result<HttpMetricsLayer, metrics_runtime::layer::BuildError> {
    HttpMetricsLayer::builder()
        .route_template(MatchedPath::as_str)
        .duration_buckets(&[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
        .build()
}

/// Customers: user `n` holds API key `key-n`.
pub(crate) const USERS: usize = 200;
/// The models clients ask for, and who serves them.
pub(crate) const MODELS: &[(Provider, &str)] = &[
    (Provider::Openrouter, "openai/gpt-4o"),
    (Provider::Openrouter, "anthropic/claude-3.5-sonnet"),
    (Provider::Portkey, "openai/gpt-4o-mini"),
    (Provider::Featherless, "meta-llama/llama-3.1-70b-instruct"),
    (Provider::Together, "mistralai/mixtral-8x7b-instruct"),
];
/// Requests a key may make per rate-limit window.
const REQUESTS_PER_WINDOW: i64 = 5;
const RATE_WINDOW: Duration = Duration::from_secs(2);
/// How long the gateway waits for a provider before answering 504.
const PROVIDER_TIMEOUT: Duration = Duration::from_millis(600);

struct Account {
    plan: PlanType,
    balance: f64,
    window_start: Instant,
    requests_in_window: i64,
}

/// What the gateway keeps between requests.
pub(crate) struct Gateway {
    accounts: Mutex<Vec<Account>>,
    /// A moving average of each provider's errors, in `Provider::ALL` order.
    provider_errors: Mutex<[f64; 4]>,
    cached_responses: Mutex<usize>,
}

type Shared = Arc<Gateway>;

fn plan_of(user: usize) -> PlanType {
    match user % 10 {
        0..=4 => PlanType::Free,
        5..=7 => PlanType::Starter,
        8 => PlanType::Pro,
        _ => PlanType::Enterprise,
    }
}

fn starting_balance(plan: PlanType) -> f64 {
    match plan {
        PlanType::Free => 0.01,
        PlanType::Starter => 2.0,
        PlanType::Pro => 20.0,
        PlanType::Enterprise => 200.0,
    }
}

fn user_id(user: usize) -> String {
    format!("user-{user:04}")
}

fn key_id(user: usize) -> String {
    format!("key-{user:04}")
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The router, its accounts and the business gauges as a billing job would set them.
pub(crate) fn app(layer: HttpMetricsLayer) -> Router {
    let now = Instant::now();
    let accounts = (0..USERS)
        .map(|user| {
            let plan = plan_of(user);
            let balance = starting_balance(plan);
            METRICS.user_credit_balance.get(&[&user_id(user), plan.as_str()]).set(balance);
            Account { plan, balance, window_start: now, requests_in_window: 0 }
        })
        .collect();
    METRICS.active_api_keys.get(KeyStatus::Active).set(USERS as i64);
    METRICS.active_api_keys.get(KeyStatus::Inactive).set(17);
    METRICS.trial_active.get(TrialStatus::Active).set(40);
    METRICS.trial_active.get(TrialStatus::Expired).set(12);
    for (plan_type, monthly, yearly) in
        [(PlanType::Starter, 48, 12), (PlanType::Pro, 15, 5), (PlanType::Enterprise, 8, 12)]
    {
        let cycle = |billing_cycle| Subscription { plan_type, billing_cycle };
        METRICS.subscriptions_active.get(cycle(BillingCycle::Monthly)).set(monthly);
        METRICS.subscriptions_active.get(cycle(BillingCycle::Yearly)).set(yearly);
    }
    for provider in Provider::ALL {
        METRICS.provider_availability.get(provider).set(1);
    }
    METRICS.cache_size.get(CacheName::Models).set(48 * 1024);
    METRICS.cache_size.get(CacheName::ApiKeys).set(USERS as i64 * 160);
    let gateway = Gateway {
        accounts: Mutex::new(accounts),
        provider_errors: Mutex::new([0.0; 4]),
        cached_responses: Mutex::new(0),
    };
    Router::new()
        .route("/v1/chat/completions", post(chat_completions))
        .route("/v1/models", get(list_models))
        .route("/v1/user/balance", post(balance))
        .with_state(Arc::new(gateway))
        .layer(layer)
}

#[derive(Debug)]
enum ApiError {
    BadRequest,
    Unauthorized,
    PaymentRequired,
    TooManyRequests,
    BadGateway,
    GatewayTimeout,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, why) = match self {
            Self::BadRequest => (StatusCode::BAD_REQUEST, "malformed request"),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "invalid API key"),
            Self::PaymentRequired => (StatusCode::PAYMENT_REQUIRED, "insufficient credits"),
            Self::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded"),
            Self::BadGateway => (StatusCode::BAD_GATEWAY, "the provider failed"),
            Self::GatewayTimeout => (StatusCode::GATEWAY_TIMEOUT, "the provider timed out"),
        };
        (status, why).into_response()
    }
}

/// A chat request, as the simulated client writes it: `seed key model prompt_tokens`.
struct ChatRequest {
    seed: u64,
    user: usize,
    model: usize,
    prompt_tokens: u64,
}

impl ChatRequest {
    fn parse(body: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(body).ok()?;
        let mut words = text.split_whitespace();
        let seed = words.next()?.parse().ok()?;
        let user = words.next()?.strip_prefix("key-")?.parse().ok()?;
        let model = words.next()?.parse().ok().filter(|&m: &usize| m < MODELS.len())?;
        let prompt_tokens = words.next()?.parse().ok()?;
        Some(Self { seed, user, model, prompt_tokens })
    }
}

fn cache_lookup(cache_name: CacheName, hit: bool) -> bool {
    let _redis = InProgress::enter(METRICS.active_connections.get(ConnectionType::Redis));
    let family = if hit { &METRICS.cache_hits } else { &METRICS.cache_misses };
    family.get(cache_name).inc();
    hit
}

fn count_query(table: Table, operation: Operation) -> InProgress<'static> {
    METRICS.database_queries.get(Query { table, operation }).inc();
    InProgress::enter(METRICS.active_connections.get(ConnectionType::Db))
}

/// Looks a key up in the database after a cache miss; one in thirty keys sent is
/// unknown or revoked.
#[timed(name = "database_query", labels(table = "api_keys"))]
async fn select_api_key(traffic: &mut Traffic) -> bool {
    let _db = count_query(Table::ApiKeys, Operation::Select);
    tokio::time::sleep(Duration::from_millis(1 + traffic.below(8) as u64)).await;
    !traffic.chance(1.0 / 30.0)
}

#[timed(name = "database_query", labels(table = "users"))]
async fn update_balance(gateway: &Gateway, user: usize, credits: f64, traffic: &mut Traffic) {
    let _db = count_query(Table::Users, Operation::Update);
    tokio::time::sleep(Duration::from_millis(1 + traffic.below(4) as u64)).await;
    let mut accounts = lock(&gateway.accounts);
    let account = &mut accounts[user];
    account.balance = (account.balance - credits).max(0.0);
    METRICS.user_credit_balance.get(&[&user_id(user), account.plan.as_str()]).set(account.balance);
}

#[timed(name = "database_query", labels(table = "users"))]
async fn select_balance(gateway: &Gateway, user: usize, traffic: &mut Traffic) -> f64 {
    let _db = count_query(Table::Users, Operation::Select);
    tokio::time::sleep(Duration::from_millis(1 + traffic.below(4) as u64)).await;
    lock(&gateway.accounts)[user].balance
}

#[timed(name = "database_query", labels(table = "usage_records"))]
async fn insert_usage(traffic: &mut Traffic) {
    let _db = count_query(Table::UsageRecords, Operation::Insert);
    tokio::time::sleep(Duration::from_millis(2 + traffic.below(10) as u64)).await;
}

/// Checks the key and its rate limit; counts the key's use either way.
async fn admit(gateway: &Gateway, user: usize, traffic: &mut Traffic) -> Result<(), ApiError> {
    let key = key_id(user);
    let known = if cache_lookup(CacheName::ApiKeys, !traffic.chance(0.15)) {
        user < USERS
    } else {
        select_api_key(traffic).await && user < USERS
    };
    if !known {
        METRICS.api_key_usage.get(&[&key, "invalid"]).inc();
        return Err(ApiError::Unauthorized);
    }
    let remaining = {
        let mut accounts = lock(&gateway.accounts);
        let account = &mut accounts[user];
        if account.window_start.elapsed() >= RATE_WINDOW {
            account.window_start = Instant::now();
            account.requests_in_window = 0;
        }
        account.requests_in_window += 1;
        REQUESTS_PER_WINDOW - account.requests_in_window
    };
    METRICS.current_rate_limit.get(&[&key, "requests_per_window"]).set(remaining.max(0));
    if remaining < 0 {
        METRICS.rate_limited_requests.get(&[&key, "requests_per_window"]).inc();
        METRICS.api_key_usage.get(&[&key, "rate_limited"]).inc();
        return Err(ApiError::TooManyRequests);
    }
    Ok(())
}

/// How each provider behaves: typical latency in ms, and its share of failures.
fn behaviour(provider: Provider) -> (usize, f64) {
    match provider {
        Provider::Openrouter => (120, 0.02),
        Provider::Portkey => (80, 0.05),
        Provider::Featherless => (250, 0.25),
        Provider::Together => (150, 0.03),
    }
}

struct Completion {
    output_tokens: u64,
}

/// One call to a provider: the original's `with track_model_inference(..)`. Most
/// answer in a few hundred milliseconds; one in twenty is slow enough for the
/// gateway's timeout or the client's patience, which drop the call unfinished.
async fn infer(
    gateway: &Gateway,
    model: usize,
    prompt_tokens: u64,
    traffic: &mut Traffic,
) -> Result<Completion, ApiError> {
    let (provider, name) = MODELS[model];
    let (typical_ms, failure_share) = behaviour(provider);
    let _upstream = InProgress::enter(METRICS.active_connections.get(ConnectionType::Provider));
    let _inference = METRICS.model_inference_duration.get(&[provider.as_str(), name]).start_timer();
    let _response = METRICS.provider_response_time.get(provider).start_timer();
    let slow = traffic.chance(0.05);
    let ms =
        if slow { 500 + traffic.below(1500) } else { typical_ms / 2 + traffic.below(typical_ms) };
    let failed = traffic.chance(failure_share);
    let call = tokio::time::sleep(Duration::from_millis(ms as u64));
    let outcome = match tokio::time::timeout(PROVIDER_TIMEOUT, call).await {
        Err(_elapsed) => Err(ApiError::GatewayTimeout),
        Ok(()) if failed => Err(ApiError::BadGateway),
        Ok(()) => {
            Ok(Completion { output_tokens: 20 + prompt_tokens / 2 + traffic.below(400) as u64 })
        }
    };
    let status = if outcome.is_ok() { "success" } else { "error" };
    METRICS.model_inference_requests.get(&[provider.as_str(), name, status]).inc();
    let index = provider.index();
    let error_rate = {
        let mut errors = lock(&gateway.provider_errors);
        errors[index] = 0.9 * errors[index] + if outcome.is_ok() { 0.0 } else { 0.1 };
        errors[index]
    };
    METRICS.provider_error_rate.get(provider).set(error_rate);
    METRICS.provider_availability.get(provider).set(i64::from(error_rate < 0.3));
    outcome
}

/// `POST /v1/chat/completions`.
#[timed]
async fn chat_completions(State(gateway): State<Shared>, body: Bytes) -> Result<String, ApiError> {
    let request = ChatRequest::parse(&body).ok_or(ApiError::BadRequest)?;
    let mut traffic = Traffic::seeded(request.seed);
    let queue_name = match plan_of(request.user) {
        PlanType::Pro | PlanType::Enterprise => QueueName::HighPriority,
        PlanType::Free | PlanType::Starter => QueueName::Standard,
    };
    let _queued = InProgress::enter(METRICS.queue_size.get(queue_name));
    admit(&gateway, request.user, &mut traffic).await?;
    let key = key_id(request.user);
    let (provider, model) = MODELS[request.model];
    let input = request.prompt_tokens;
    let cost_estimate = credits(input, 200);
    if select_balance(&gateway, request.user, &mut traffic).await < cost_estimate {
        METRICS.api_key_usage.get(&[&key, "insufficient_credits"]).inc();
        return Err(ApiError::PaymentRequired);
    }
    if cache_lookup(CacheName::Responses, traffic.chance(0.2)) {
        METRICS.api_key_usage.get(&[&key, "success"]).inc();
        return Ok(format!("{{\"model\":\"{model}\",\"cached\":true}}"));
    }
    let completion = infer(&gateway, request.model, input, &mut traffic).await?;
    let output = completion.output_tokens;
    METRICS.tokens_used.get(&[provider.as_str(), model, "input"]).inc_by(input);
    METRICS.tokens_used.get(&[provider.as_str(), model, "output"]).inc_by(output);
    let spent = credits(input, output);
    METRICS.credits_used.get(&[provider.as_str(), model, &user_id(request.user)]).inc_by(spent);
    update_balance(&gateway, request.user, spent, &mut traffic).await;
    insert_usage(&mut traffic).await;
    METRICS.api_key_usage.get(&[&key, "success"]).inc();
    let cached = {
        let mut cached = lock(&gateway.cached_responses);
        *cached = (*cached + 1).min(5_000);
        *cached as i64
    };
    METRICS.cache_size.get(CacheName::Responses).set(cached * 2_048);
    Ok(format!(
        "{{\"model\":\"{model}\",\"usage\":{{\"prompt_tokens\":{input},\"completion_tokens\":{output}}}}}"
    ))
}

/// Credits for a call: a flat rate per thousand tokens, output dearer.
fn credits(input: u64, output: u64) -> f64 {
    (input as f64 * 0.5 + output as f64 * 1.5) / 1000.0 * 0.01
}

/// `GET /v1/models`: from the cache, or rebuilt.
#[timed]
async fn list_models() -> String {
    if !cache_lookup(CacheName::Models, true) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let names: Vec<String> = MODELS.iter().map(|(_, name)| format!("\"{name}\"")).collect();
    format!("[{}]", names.join(","))
}

/// `POST /v1/user/balance` with `seed key` as the body.
#[timed]
async fn balance(State(gateway): State<Shared>, body: Bytes) -> Result<String, ApiError> {
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::BadRequest)?;
    let mut words = text.split_whitespace();
    let seed = words.next().and_then(|w| w.parse().ok()).ok_or(ApiError::BadRequest)?;
    let user: usize = words
        .next()
        .and_then(|w| w.strip_prefix("key-")?.parse().ok())
        .ok_or(ApiError::BadRequest)?;
    let mut traffic = Traffic::seeded(seed);
    admit(&gateway, user, &mut traffic).await?;
    let balance = select_balance(&gateway, user, &mut traffic).await;
    METRICS.api_key_usage.get(&[&key_id(user), "success"]).inc();
    Ok(format!("{{\"credits\":{balance:.4}}}"))
}
