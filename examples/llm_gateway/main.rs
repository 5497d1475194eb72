//! Reference system 004: an LLM API gateway (Python, FastAPI) in front of several
//! model providers. Its hand-written module of 23 families and context managers
//! becomes one struct (`metrics.rs`), the tower layer and a few `#[timed]`
//! functions (`gateway.rs`); the guide's PromQL, corrected, is in `queries.rs`.
//!
//! ```text
//! cargo run --example llm_gateway                      # traffic, then the exposition
//! cargo run --example llm_gateway -- --listen 127.0.0.1:8000 --duration 30
//! cargo run --example llm_gateway -- --queries
//! ```
//!
//! What differs from the original, and why:
//! - the layer labels HTTP requests `route` and `status` where the original wrote
//!   `endpoint` and `status_code` (same values: route templates, status codes), and
//!   adds request and response size histograms and an in-flight gauge;
//! - `database_query_duration_seconds` was a summary without quantiles (only `_sum`
//!   and `_count`); it is a histogram from `#[timed]`, so percentiles exist and
//!   aggregate across instances;
//! - `subscription_count` is `subscriptions_active` (see `metrics.rs`);
//! - `model`, `user_id`, `api_key` and `api_key_id` are dynamic labels with a cap.

mod gateway;
mod metrics;
mod queries;

use std::process::ExitCode;
use std::time::Duration;

use axum::Router;
use axum::http::Method;
use examples::{Example, Load, Traffic, send};

/// How long a simulated client waits for an answer before it hangs up: most
/// outwait the gateway's 600 ms provider timeout, the impatient ones do not.
const PATIENCE: Duration = Duration::from_millis(900);
const IMPATIENCE: Duration = Duration::from_millis(200);

#[tokio::main]
async fn main() -> ExitCode {
    let layer = match gateway::http_layer() {
        Ok(layer) => layer,
        Err(error) => {
            eprintln!("llm_gateway: {error}");
            return ExitCode::FAILURE;
        }
    };
    let app = gateway::app(layer.clone());
    Example::new("llm_gateway", queries::QUERIES)
        .http(layer)
        .run(|load: Load| load.run(move |n| client(app.clone(), n)))
        .await
}

/// One client request, seeded by its number: mostly chat completions, some from a
/// few heavy users who hit their rate limit, some with unknown keys or malformed
/// bodies, and a few other routes.
async fn client(app: Router, n: u32) {
    let mut traffic = Traffic::seeded(0x004_6A7E ^ u64::from(n));
    let seed = traffic.next_u64();
    let user = if traffic.chance(0.3) {
        traffic.pick(&[9, 19, 29])
    } else if traffic.chance(0.02) {
        9_999 // an unknown key
    } else {
        traffic.below(gateway::USERS)
    };
    let key = format!("key-{user:04}");
    let (method, uri, body) = match traffic.below(100) {
        0..=74 => {
            let model = traffic.below(gateway::MODELS.len());
            let prompt_tokens = 50 + traffic.below(1_500);
            (Method::POST, "/v1/chat/completions", format!("{seed} {key} {model} {prompt_tokens}"))
        }
        75..=84 => (Method::GET, "/v1/models", String::new()),
        85..=94 => (Method::POST, "/v1/user/balance", format!("{seed} {key}")),
        95..=97 => {
            (Method::POST, "/v1/chat/completions", "{\"not\": \"what we expect\"}".to_owned())
        }
        _ => (Method::GET, "/v1/engines", String::new()),
    };
    let patience = if traffic.chance(0.25) { IMPATIENCE } else { PATIENCE };
    send(&app, method, uri, body, patience).await;
}
