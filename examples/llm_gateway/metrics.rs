//! The gateway's catalogue: 20 families in one struct, the HTTP pair from the tower
//! layer, and `database_query_duration_seconds` from `#[timed]` (see `gateway.rs`).
//!
//! The original declares every counter with `_total`; we declare them without it
//! (our check refuses `_total` on a counter and the encoders add it), so the exposed
//! names are the original's. Its gauges do not end with `_total`, but one ends with
//! `_count` (below).

use metrics_runtime::{
    Counter, DynFamily, Family, FloatCounter, FloatGauge, Gauge, Global, Histogram, LabelSet,
    LabelValue, Metrics,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(name = "provider")]
pub(crate) enum Provider {
    Openrouter,
    Portkey,
    Featherless,
    Together,
}

impl Provider {
    pub(crate) const ALL: [Self; 4] =
        [Self::Openrouter, Self::Portkey, Self::Featherless, Self::Together];
}

#[derive(Clone, Copy, LabelValue)]
pub(crate) enum Table {
    Users,
    ApiKeys,
    UsageRecords,
}

#[derive(Clone, Copy, LabelValue)]
pub(crate) enum Operation {
    Select,
    Insert,
    Update,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "cache_name")]
pub(crate) enum CacheName {
    ApiKeys,
    Responses,
    Models,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "status")]
pub(crate) enum KeyStatus {
    Active,
    Inactive,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "status")]
pub(crate) enum TrialStatus {
    Active,
    Expired,
    Converted,
}

#[derive(Clone, Copy, Debug, LabelValue)]
pub(crate) enum PlanType {
    Free,
    Starter,
    Pro,
    Enterprise,
}

#[derive(Clone, Copy, LabelValue)]
pub(crate) enum BillingCycle {
    Monthly,
    Yearly,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "connection_type")]
pub(crate) enum ConnectionType {
    Db,
    Redis,
    Provider,
}

#[derive(Clone, Copy, LabelValue)]
#[label(name = "queue_name")]
pub(crate) enum QueueName {
    HighPriority,
    Standard,
}

#[derive(Clone, Copy, LabelSet)]
pub(crate) struct Query {
    pub(crate) table: Table,
    pub(crate) operation: Operation,
}

#[derive(Clone, Copy, LabelSet)]
pub(crate) struct Subscription {
    pub(crate) plan_type: PlanType,
    pub(crate) billing_cycle: BillingCycle,
}

/// The gateway's families, the original's names unprefixed.
///
/// Dynamic labels, each family capped (past the cap, new label values are folded
/// into one overflow series and counted): `model` is whatever model name a client
/// asks for; `user_id`, `api_key` and `api_key_id` grow with the customer base, and
/// the guide itself warns about `credits_used_total` and `api_key_usage_total`.
#[derive(Metrics)]
pub(crate) struct GatewayMetrics {
    /// Total model inference requests.
    #[metric(labels = ["provider", "model", "status"], max_series = 1000)]
    pub(crate) model_inference_requests: DynFamily<Counter>,
    /// Model inference duration in seconds.
    #[metric(
        labels = ["provider", "model"],
        max_series = 500,
        unit = "seconds",
        buckets = [0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 60.0]
    )]
    pub(crate) model_inference_duration: DynFamily<Histogram>,
    /// Total tokens used (input + output).
    #[metric(labels = ["provider", "model", "token_type"], max_series = 1000)]
    pub(crate) tokens_used: DynFamily<Counter>,
    /// Total credits consumed.
    // One series per user and model: `user_id` is unbounded, capped here.
    #[metric(labels = ["provider", "model", "user_id"], max_series = 2000)]
    pub(crate) credits_used: DynFamily<FloatCounter>,
    /// Total database queries.
    pub(crate) database_queries: Family<Query, Counter>,
    /// Total cache hits.
    pub(crate) cache_hits: Family<CacheName, Counter>,
    /// Total cache misses.
    pub(crate) cache_misses: Family<CacheName, Counter>,
    /// Cache size in bytes.
    #[metric(unit = "bytes")]
    pub(crate) cache_size: Family<CacheName, Gauge>,
    /// Total rate-limited requests.
    // `api_key` holds the key's public id, never the secret: a label value is shown
    // to anyone who can query Prometheus. Unbounded, capped.
    #[metric(labels = ["api_key", "limit_type"], max_series = 1000)]
    pub(crate) rate_limited_requests: DynFamily<Counter>,
    /// Current rate limit status.
    #[metric(labels = ["api_key", "limit_type"], max_series = 1000)]
    pub(crate) current_rate_limit: DynFamily<Gauge>,
    /// Provider availability status (1=available, 0=unavailable).
    pub(crate) provider_availability: Family<Provider, Gauge>,
    /// Provider error rate (0-1).
    // Kept as named: a ratio computed in the process (a moving average here).
    // `rate()` of `model_inference_requests_total{status="error"}` over all is the
    // Prometheus way, and aggregates across instances where this gauge cannot.
    pub(crate) provider_error_rate: Family<Provider, FloatGauge>,
    /// Provider response time in seconds.
    #[metric(unit = "seconds", buckets = [0.1, 0.5, 1.0, 2.5, 5.0, 10.0])]
    pub(crate) provider_response_time: Family<Provider, Histogram>,
    /// Total API key usage.
    #[metric(labels = ["api_key_id", "status"], max_series = 1000)]
    pub(crate) api_key_usage: DynFamily<Counter>,
    /// Number of active API keys.
    pub(crate) active_api_keys: Family<KeyStatus, Gauge>,
    /// User credit balance.
    // One series per user for as long as the process lives: `user_id` unbounded,
    // capped (the original later dropped the label for `plan_type` alone).
    #[metric(labels = ["user_id", "plan_type"], max_series = 1000)]
    pub(crate) user_credit_balance: DynFamily<FloatGauge>,
    /// Active trials count.
    pub(crate) trial_active: Family<TrialStatus, Gauge>,
    /// Active subscriptions.
    // Renamed from `subscription_count`: `_count` is a histogram's and a summary's
    // sample suffix, and `promtool check metrics` refuses it on a gauge; so does our
    // derive ("a gauge's name may not end with `_count`").
    pub(crate) subscriptions_active: Family<Subscription, Gauge>,
    /// Number of active connections.
    pub(crate) active_connections: Family<ConnectionType, Gauge>,
    /// Queue size for prioritization.
    pub(crate) queue_size: Family<QueueName, Gauge>,
}

pub(crate) static METRICS: Global<GatewayMetrics> = Global::new();
