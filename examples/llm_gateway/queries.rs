//! The guide's PromQL and dashboard panels, adapted to the real names. Valid ones
//! are kept as written.
//!
//! The tower layer labels requests `method`, `route` and `status` where the
//! original's middleware wrote `method`, `endpoint` and `status_code`: the queries
//! use the layer's names (the values are the same: route templates, status codes).

/// Request rate (requests/s).
pub const REQUEST_RATE: &str = "rate(http_requests_total[5m])";
/// Error ratio. Corrected: the guide divides `rate(..{status_code=~"5.."}[5m])` by
/// `rate(..[5m])` without aggregating, so the division matches series label by
/// label and each 5xx series is divided by itself: always 1. Summed first.
pub const ERROR_RATIO: &str =
    "sum(rate(http_requests_total{status=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))";
/// 95th percentile response time. Corrected: the guide's
/// `histogram_quantile(0.95, http_request_duration_seconds_bucket)` reads the raw
/// cumulative buckets, so its quantile covers everything since the process started;
/// a quantile over the last five minutes needs `rate`, and `sum by (le)` to cover
/// every route and instance.
pub const LATENCY_P95: &str =
    "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))";
/// Tokens used over the last day.
pub const DAILY_TOKENS: &str = "increase(tokens_used_total[24h])";
/// Credits used over the last day (the "Credits Used (daily)" panel).
pub const DAILY_CREDITS: &str = "sum(increase(credits_used_total[24h]))";
/// The ten users who used the most credits over a day. Corrected: the guide's
/// `topk(10, increase(credits_used_total[24h]) by (user_id))` is not PromQL; `by`
/// belongs to an aggregation.
pub const TOP_USERS_BY_CREDITS: &str =
    "topk(10, sum by (user_id) (increase(credits_used_total[24h])))";
/// Cache hit ratio, as written: valid, but since each process started (it resets
/// with a restart, and moves ever slower).
pub const CACHE_HIT_RATIO: &str = "cache_hits_total / (cache_hits_total + cache_misses_total)";
/// Cache hit ratio over the last five minutes, by cache: what the panel means.
pub const CACHE_HIT_RATIO_5M: &str = "sum by (cache_name) (rate(cache_hits_total[5m])) / (sum by (cache_name) (rate(cache_hits_total[5m])) + sum by (cache_name) (rate(cache_misses_total[5m])))";
/// Provider availability.
pub const PROVIDER_AVAILABILITY: &str = "provider_availability";
/// The "Top Models by Usage" panel.
pub const TOP_MODELS: &str =
    "topk(10, sum by (model) (increase(model_inference_requests_total[24h])))";
/// The "Top Users by Requests" panel. The original counts requests per API key, not
/// per user (one key per user here).
pub const TOP_KEYS_BY_REQUESTS: &str =
    "topk(10, sum by (api_key_id) (increase(api_key_usage_total[24h])))";
/// The "Rate Limited Requests" panel.
pub const RATE_LIMITED: &str = "sum by (limit_type) (rate(rate_limited_requests_total[5m]))";

/// Every query, as `--queries` prints them.
pub const QUERIES: &[(&str, &str)] = &[
    ("REQUEST_RATE", REQUEST_RATE),
    ("ERROR_RATIO", ERROR_RATIO),
    ("LATENCY_P95", LATENCY_P95),
    ("DAILY_TOKENS", DAILY_TOKENS),
    ("DAILY_CREDITS", DAILY_CREDITS),
    ("TOP_USERS_BY_CREDITS", TOP_USERS_BY_CREDITS),
    ("CACHE_HIT_RATIO", CACHE_HIT_RATIO),
    ("CACHE_HIT_RATIO_5M", CACHE_HIT_RATIO_5M),
    ("PROVIDER_AVAILABILITY", PROVIDER_AVAILABILITY),
    ("TOP_MODELS", TOP_MODELS),
    ("TOP_KEYS_BY_REQUESTS", TOP_KEYS_BY_REQUESTS),
    ("RATE_LIMITED", RATE_LIMITED),
];
