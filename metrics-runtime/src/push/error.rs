//! Why a push failed.

use std::io;
use std::time::Duration;

/// Why a [`Pushgateway`](super::Pushgateway) could not be built, or a push or
/// delete failed. Each message says what to change or check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// The Pushgateway URL given to the builder is not one this client can use.
    #[error("invalid Pushgateway URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong and what would do.
        reason: &'static str,
    },
    /// The job, a grouping label or the timeout is out of range.
    #[error("invalid Pushgateway setting `{setting}`: {reason}")]
    InvalidSetting {
        /// The builder method.
        setting: &'static str,
        /// What is wrong and what would do.
        reason: String,
    },
    /// `push`, `push_add` or `delete` was awaited outside a tokio runtime.
    #[error(
        "pushing metrics needs a tokio runtime with IO and time enabled: await it in async \
         code running on one (`#[tokio::main]` builds such a runtime)"
    )]
    NoRuntime,
    /// No TCP connection to the Pushgateway.
    #[error(
        "{method} {url}: could not connect to the Pushgateway: {source}; check that it runs \
         and that the URL's host and port are right (a Pushgateway listens on 9091 by default)"
    )]
    Connect {
        /// The HTTP method: `PUT`, `POST` or `DELETE`.
        method: &'static str,
        /// The URL of the group.
        url: String,
        /// What the operating system or the resolver said.
        source: io::Error,
    },
    /// The connection failed mid-request: reset, closed early, or not HTTP.
    #[error(
        "{method} {url}: the exchange with the Pushgateway failed: {source}; check that the \
         address is a Pushgateway speaking plain HTTP (this client has no TLS)"
    )]
    Http {
        /// The HTTP method.
        method: &'static str,
        /// The URL of the group.
        url: String,
        /// What hyper said.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// No complete answer within the builder's timeout (connecting included).
    #[error(
        "{method} {url}: no answer from the Pushgateway within {timeout:?}; raise the builder's \
         `timeout` if it is slow, or check that the address is the Pushgateway's"
    )]
    Timeout {
        /// The HTTP method.
        method: &'static str,
        /// The URL of the group.
        url: String,
        /// The limit that passed.
        timeout: Duration,
    },
    /// The Pushgateway answered with a status other than 2xx.
    #[error("{method} {url}: the Pushgateway answered {status}: {body:?}; {}", advice(*.status))]
    Rejected {
        /// The HTTP method.
        method: &'static str,
        /// The URL of the group.
        url: String,
        /// The status code.
        status: u16,
        /// The start of the answer's body (the Pushgateway says there what it
        /// refused), lossily decoded, at most 1 KiB.
        body: String,
    },
}

/// What to look at, given the status the Pushgateway answered.
fn advice(status: u16) -> &'static str {
    match status {
        400 => {
            "it refused the exposition or the grouping key, for the reason in its answer \
             (such as a family inconsistent with one pushed before, or a sample carrying a \
             grouping label with another value)"
        }
        401 | 403 => "check the credentials given to `basic_auth`",
        404 => "check the URL's path prefix (the Pushgateway's `--web.route-prefix`)",
        405 => "check that the URL points at a Pushgateway, not Prometheus or a proxy",
        500..=599 => "the Pushgateway or a proxy before it failed; retry later",
        _ => "see the Pushgateway's documentation for this status",
    }
}
