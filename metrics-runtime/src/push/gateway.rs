//! [`Pushgateway`] and its builder: the URL, job, grouping labels, credentials and
//! timeout are checked once, when built; each push is then one HTTP request.

use std::fmt;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Uri};

use super::error::PushError;
use super::exchange::{Answer, Failure, exchange};
use super::grouping::grouping_path;
use crate::base64::{self, Alphabet};
use crate::encode::Format;
use crate::names::is_valid_label_name;
use crate::registry::Registry;

/// How long a push may take by default, connecting included.
pub const DEFAULT_PUSH_TIMEOUT: Duration = Duration::from_secs(10);

/// A Pushgateway group, as a client sees it: where to send, under which grouping
/// key, with which credentials. Made by [`Pushgateway::builder`]; cloning is cheap
/// enough for a batch job (a few strings).
///
/// Each call is one HTTP/1 request on a connection of its own, bounded by the
/// builder's [`timeout`](PushgatewayBuilder::timeout). Nothing blocks the calling
/// task's thread (the host name is resolved on tokio's blocking pool), nothing is
/// spawned, and every failure is a [`PushError`], never a panic.
#[derive(Clone)]
pub struct Pushgateway {
    /// `host` or `[v6]`, then `:port` if given: the `Host` header.
    authority: HeaderValue,
    /// What to connect to.
    host: String,
    port: u16,
    /// The URL prefix, `/metrics/job/..` and the grouping labels.
    path: Uri,
    /// `http://authority/path`, for messages.
    url: String,
    authorization: Option<HeaderValue>,
    timeout: Duration,
}

impl fmt::Debug for Pushgateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pushgateway")
            .field("url", &self.url)
            .field("basic_auth", &self.authorization.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Pushgateway {
    /// Starts configuring a client for the Pushgateway at `url` (`http://host:9091`,
    /// with a path prefix if the Pushgateway has one; `host:9091` alone means
    /// `http://host:9091`), pushing under the job name `job`.
    ///
    /// ```
    /// use metrics_runtime::push::Pushgateway;
    ///
    /// let gateway = Pushgateway::builder("http://127.0.0.1:9091", "nightly_backup").build()?;
    /// assert_eq!(gateway.url(), "http://127.0.0.1:9091/metrics/job/nightly_backup");
    /// # Ok::<(), metrics_runtime::push::PushError>(())
    /// ```
    pub fn builder(url: &str, job: &str) -> PushgatewayBuilder {
        PushgatewayBuilder {
            url: url.to_owned(),
            job: job.to_owned(),
            grouping: Vec::new(),
            basic_auth: None,
            timeout: DEFAULT_PUSH_TIMEOUT,
        }
    }

    /// The URL of the group: the base URL, `/metrics/job/<job>` and the grouping
    /// labels, encoded.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Replaces every family of the group with `registry`'s exposition (`PUT`):
    /// what a batch job does when it ends, so that a family it no longer has does
    /// not linger.
    ///
    /// ```no_run
    /// use metrics_runtime::{default_registry, push::Pushgateway};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), metrics_runtime::push::PushError> {
    /// let gateway = Pushgateway::builder("http://pushgateway:9091", "nightly_backup").build()?;
    /// gateway.push(default_registry()).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn push(&self, registry: &Registry) -> Result<(), PushError> {
        self.send(Action::Push, Some(registry)).await
    }

    /// Replaces only the group's families that `registry` also has (`POST`),
    /// leaving the others: for several jobs or stages pushing to one group.
    ///
    /// ```no_run
    /// use metrics_runtime::{Registry, push::Pushgateway};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), metrics_runtime::push::PushError> {
    /// let stage = Registry::new();
    /// let gateway = Pushgateway::builder("http://pushgateway:9091", "etl")
    ///     .grouping("stage", "extract")
    ///     .build()?;
    /// gateway.push_add(&stage).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn push_add(&self, registry: &Registry) -> Result<(), PushError> {
        self.send(Action::PushAdd, Some(registry)).await
    }

    /// Deletes the group and every family in it (`DELETE`).
    ///
    /// ```no_run
    /// use metrics_runtime::push::Pushgateway;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), metrics_runtime::push::PushError> {
    /// Pushgateway::builder("http://pushgateway:9091", "nightly_backup").build()?.delete().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delete(&self) -> Result<(), PushError> {
        self.send(Action::Delete, None).await
    }

    async fn send(&self, action: Action, registry: Option<&Registry>) -> Result<(), PushError> {
        let (method, name) = match action {
            Action::Push => (Method::PUT, "PUT"),
            Action::PushAdd => (Method::POST, "POST"),
            Action::Delete => (Method::DELETE, "DELETE"),
        };
        // Checked first: outside a runtime, tokio's sockets and timers panic.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(PushError::NoRuntime);
        }
        let mut request = Request::new(Full::new(Bytes::new()));
        if let Some(registry) = registry {
            // Encoding is in memory and proportional to the series; a push is
            // made once per job run, not on a hot path.
            let mut body = Vec::new();
            registry.encode(Format::Text, &mut body);
            *request.body_mut() = Full::new(Bytes::from(body));
            let content_type = HeaderValue::from_static(Format::Text.content_type());
            request.headers_mut().insert(header::CONTENT_TYPE, content_type);
        }
        *request.method_mut() = method;
        *request.uri_mut() = self.path.clone();
        let headers = request.headers_mut();
        headers.insert(header::HOST, self.authority.clone());
        headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        if let Some(authorization) = &self.authorization {
            headers.insert(header::AUTHORIZATION, authorization.clone());
        }
        let url = || self.url.clone();
        let answer = tokio::time::timeout(self.timeout, exchange(&self.host, self.port, request))
            .await
            .map_err(|_| PushError::Timeout { method: name, url: url(), timeout: self.timeout })?;
        match answer {
            Ok(Answer { status, .. }) if status.is_success() => Ok(()),
            Ok(Answer { status, body }) => Err(PushError::Rejected {
                method: name,
                url: url(),
                status: status.as_u16(),
                body: String::from_utf8_lossy(&body).trim().to_owned(),
            }),
            Err(Failure::Connect(source)) => {
                Err(PushError::Connect { method: name, url: url(), source })
            }
            Err(Failure::Http(source)) => {
                Err(PushError::Http { method: name, url: url(), source: Box::new(source) })
            }
        }
    }
}

/// The Pushgateway's three operations on a group.
#[derive(Debug, Clone, Copy)]
enum Action {
    Push,
    PushAdd,
    Delete,
}

const USER_AGENT: &str = concat!("metrics-runtime/", env!("CARGO_PKG_VERSION"));

/// Configures a [`Pushgateway`]; made by [`Pushgateway::builder`].
///
/// ```
/// use std::time::Duration;
/// use metrics_runtime::push::Pushgateway;
///
/// let gateway = Pushgateway::builder("http://127.0.0.1:9091/gateway", "backup")
///     .grouping("instance", "db-1")
///     .grouping("path", "/var/lib/db") // a `/`: sent as `path@base64/L3Zhci9saWIvZGI`
///     .basic_auth("pusher", "correct horse battery staple")
///     .timeout(Duration::from_secs(5))
///     .build()?;
/// assert_eq!(
///     gateway.url(),
///     "http://127.0.0.1:9091/gateway/metrics/job/backup/instance/db-1/path@base64/L3Zhci9saWIvZGI"
/// );
/// # Ok::<(), metrics_runtime::push::PushError>(())
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct PushgatewayBuilder {
    url: String,
    job: String,
    grouping: Vec<(String, String)>,
    basic_auth: Option<(String, String)>,
    timeout: Duration,
}

impl fmt::Debug for PushgatewayBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushgatewayBuilder")
            .field("url", &self.url)
            .field("job", &self.job)
            .field("grouping", &self.grouping)
            .field("basic_auth", &self.basic_auth.as_ref().map(|(user, _)| user))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl PushgatewayBuilder {
    /// Adds a grouping label: the group is identified by the job and these
    /// labels, and the Pushgateway adds them to every pushed series. Any value
    /// works: it is percent-encoded, or sent in the `@base64` form when it holds a
    /// `/` or is empty.
    pub fn grouping(mut self, name: &str, value: &str) -> Self {
        self.grouping.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sends these Basic credentials (a Pushgateway started with
    /// `--web.config.file`, or a proxy before it). Never logged or shown by `Debug`.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.basic_auth = Some((user.to_owned(), password.to_owned()));
        self
    }

    /// How long a call may take, from connecting to the end of the answer; then
    /// it fails with [`PushError::Timeout`]. Default 10 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Checks the settings and makes the client; nothing is sent yet.
    pub fn build(self) -> Result<Pushgateway, PushError> {
        let invalid = |setting, reason: String| PushError::InvalidSetting { setting, reason };
        if self.job.is_empty() {
            return Err(invalid("job", "the job name is empty; name the job that pushes".into()));
        }
        for (i, (name, _)) in self.grouping.iter().enumerate() {
            if !is_valid_label_name(name) {
                let reason = format!(
                    "`{name}` is not a label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`"
                );
                return Err(invalid("grouping", reason));
            }
            if name == "job" {
                let reason = "`job` is the job name given to `builder`, not a grouping label";
                return Err(invalid("grouping", reason.into()));
            }
            if self.grouping[..i].iter().any(|(earlier, _)| earlier == name) {
                return Err(invalid("grouping", format!("the label `{name}` is given twice")));
            }
        }
        if self.timeout.is_zero() {
            return Err(invalid(
                "timeout",
                "the timeout is zero; give one of a few seconds".into(),
            ));
        }
        let authorization = match &self.basic_auth {
            None => None,
            Some((user, password)) => Some(basic_authorization(user, password)?),
        };
        let base = parse_base_url(&self.url)
            .map_err(|reason| PushError::InvalidUrl { url: self.url.clone(), reason })?;
        let mut path = base.prefix;
        grouping_path(&mut path, &self.job, &self.grouping);
        // Every part was checked or encoded above; a failure here would be a bug.
        let unexpected = |_| PushError::InvalidUrl {
            url: self.url.clone(),
            reason: "the URL with the grouping key is not a valid URI",
        };
        let authority = HeaderValue::from_str(&base.authority).map_err(|_| unexpected(()))?;
        let url = format!("http://{}{path}", base.authority);
        let path = Uri::try_from(path).map_err(|_| unexpected(()))?;
        Ok(Pushgateway {
            authority,
            host: base.host,
            port: base.port,
            path,
            url,
            authorization,
            timeout: self.timeout,
        })
    }
}

/// `Basic base64(user:password)`, marked sensitive so hyper never logs it.
fn basic_authorization(user: &str, password: &str) -> Result<HeaderValue, PushError> {
    let invalid = |reason: &str| PushError::InvalidSetting {
        setting: "basic_auth",
        reason: reason.to_owned(),
    };
    if user.contains(':') {
        return Err(invalid("the user name contains `:`, which Basic authentication cannot carry"));
    }
    if user.chars().chain(password.chars()).any(char::is_control) {
        return Err(invalid("the user name or password contains control characters"));
    }
    let mut value = b"Basic ".to_vec();
    value.extend(base64::encode(format!("{user}:{password}").as_bytes(), Alphabet::Standard));
    let mut value =
        HeaderValue::from_bytes(&value).map_err(|_| invalid("not a valid header value"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// The parts of a Pushgateway base URL.
#[derive(Debug, PartialEq)]
struct BaseUrl {
    authority: String,
    /// The host to connect to, without an IPv6 address's brackets.
    host: String,
    port: u16,
    /// The path before `/metrics`, without a trailing `/`: empty, or `/prefix`.
    prefix: String,
}

fn parse_base_url(url: &str) -> Result<BaseUrl, &'static str> {
    let full;
    let url = if url.contains("://") {
        url
    } else {
        full = format!("http://{url}");
        &full
    };
    let uri: Uri =
        url.parse().map_err(|_| "not a URL; give one such as `http://pushgateway:9091`")?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err("this client speaks plain HTTP only; use an `http://` URL (on an \
                        untrusted network, a TLS-terminating proxy beside the job can \
                        forward to an HTTPS Pushgateway)");
        }
        _ => return Err("the scheme must be `http://`"),
    }
    let Some(authority) = uri.authority() else {
        return Err("no host; give one such as `http://pushgateway:9091`");
    };
    if authority.as_str().contains('@') {
        return Err("credentials go to the builder's `basic_auth`, not into the URL");
    }
    if uri.query().is_some() {
        return Err("a base URL has no query (`?..`); give `http://host:port` and a prefix if any");
    }
    let prefix = uri.path().trim_end_matches('/');
    if prefix.contains("/metrics/job") {
        return Err("give the base URL only: the client appends `/metrics/job/<job>` and the \
                    grouping labels");
    }
    let host = authority.host();
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    Ok(BaseUrl {
        authority: authority.as_str().to_owned(),
        host: host.to_owned(),
        port: authority.port_u16().unwrap_or(80),
        prefix: prefix.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(url: &str) -> BaseUrl {
        parse_base_url(url).unwrap()
    }

    #[test]
    fn base_urls_with_and_without_scheme_port_and_prefix() {
        let expected = |authority: &str, host: &str, port, prefix: &str| BaseUrl {
            authority: authority.to_owned(),
            host: host.to_owned(),
            port,
            prefix: prefix.to_owned(),
        };
        assert_eq!(base("http://pg:9091"), expected("pg:9091", "pg", 9091, ""));
        assert_eq!(base("pg:9091/"), expected("pg:9091", "pg", 9091, ""));
        assert_eq!(base("http://pg/gw/"), expected("pg", "pg", 80, "/gw"));
        assert_eq!(base("http://[::1]:9091"), expected("[::1]:9091", "::1", 9091, ""));
    }

    #[test]
    fn unusable_urls_say_why() {
        for (url, says) in [
            ("https://pg:9091", "plain HTTP"),
            ("ftp://pg:9091", "`http://`"),
            ("http://user:pw@pg:9091", "basic_auth"),
            ("http://pg:9091/?x=1", "query"),
            ("http://pg:9091/metrics/job/backup", "base URL only"),
            ("http://pg 9091", "not a URL"),
        ] {
            let reason = parse_base_url(url).unwrap_err();
            assert!(reason.contains(says), "{url}: {reason}");
        }
    }

    #[test]
    fn settings_are_checked_with_a_reason() {
        let error = |builder: PushgatewayBuilder| builder.build().unwrap_err().to_string();
        let builder = || Pushgateway::builder("http://127.0.0.1:9091", "job");
        assert!(error(Pushgateway::builder("pg:9091", "")).contains("`job`"));
        assert!(error(builder().grouping("2xx", "a")).contains("not a label name"));
        assert!(error(builder().grouping("__x", "a")).contains("not a label name"));
        assert!(error(builder().grouping("job", "a")).contains("not a grouping label"));
        assert!(error(builder().grouping("a", "1").grouping("a", "2")).contains("twice"));
        assert!(error(builder().timeout(Duration::ZERO)).contains("`timeout`"));
        assert!(error(builder().basic_auth("a:b", "c")).contains("`basic_auth`"));
        assert!(error(Pushgateway::builder("https://pg", "job")).contains("https://pg"));
    }

    #[test]
    fn debug_hides_the_password() {
        let builder = Pushgateway::builder("pg:9091", "job").basic_auth("pusher", "hunter2");
        let gateway = builder.clone().build().unwrap();
        let shown = format!("{builder:?} {gateway:?}");
        assert!(!shown.contains("hunter2") && shown.contains("pusher"), "{shown}");
    }
}
