//! The server's limits, their defaults, and the slots that bound concurrent scrapes.

use std::sync::Arc;
use std::time::Duration;

use hyper::header::HeaderValue;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Default for [`max_concurrent_scrapes`](super::MetricsServerBuilder::max_concurrent_scrapes).
pub const DEFAULT_MAX_CONCURRENT_SCRAPES: usize = 8;
/// Default for [`header_read_timeout`](super::MetricsServerBuilder::header_read_timeout):
/// longer than Prometheus' default 15 s scrape interval, so its kept-alive connection
/// survives between scrapes.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default for [`scrape_timeout`](super::MetricsServerBuilder::scrape_timeout), as
/// Prometheus' own default `scrape_timeout`.
pub const DEFAULT_SCRAPE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default for [`max_header_bytes`](super::MetricsServerBuilder::max_header_bytes).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 8 * 1024;
/// Default for [`max_connections`](super::MetricsServerBuilder::max_connections): a
/// thousand idle connections still leave room for scrapes.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default for [`shutdown_timeout`](super::MetricsServerBuilder::shutdown_timeout).
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// What the builder set, checked by [`Limits::check`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_concurrent_scrapes: usize,
    pub(crate) max_connections: usize,
    pub(crate) header_read_timeout: Duration,
    pub(crate) scrape_timeout: Duration,
    pub(crate) max_header_bytes: usize,
    pub(crate) shutdown_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_concurrent_scrapes: DEFAULT_MAX_CONCURRENT_SCRAPES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            scrape_timeout: DEFAULT_SCRAPE_TIMEOUT,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
        }
    }
}

impl Limits {
    /// The first setting out of range, with what to do about it.
    pub(crate) fn check(&self) -> Result<(), (&'static str, String)> {
        if self.max_concurrent_scrapes == 0 || self.max_concurrent_scrapes > Semaphore::MAX_PERMITS
        {
            return Err(("max_concurrent_scrapes", "give at least 1".to_owned()));
        }
        if self.max_connections == 0 || self.max_connections > Semaphore::MAX_PERMITS {
            return Err(("max_connections", "give at least 1".to_owned()));
        }
        if self.header_read_timeout.is_zero() {
            return Err((
                "header_read_timeout",
                "give a duration above zero, e.g. 30 s".to_owned(),
            ));
        }
        if self.scrape_timeout.is_zero() {
            return Err(("scrape_timeout", "give a duration above zero, e.g. 10 s".to_owned()));
        }
        // Smaller than a request line with a few ordinary headers is surely a mistake.
        if self.max_header_bytes < 1024 {
            return Err((
                "max_header_bytes",
                format!(
                    "{} bytes cannot hold ordinary request headers; give at least 1024",
                    self.max_header_bytes
                ),
            ));
        }
        Ok(())
    }

    /// The time a scrape may take: the configured limit, or less if Prometheus says
    /// (in `X-Prometheus-Scrape-Timeout-Seconds`) that it will give up sooner.
    pub(crate) fn scrape_timeout_for(&self, prometheus_header: Option<&HeaderValue>) -> Duration {
        prometheus_header
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            // Under a nanosecond rounds to zero, which would time every scrape out.
            .filter(|d| !d.is_zero())
            .map_or(self.scrape_timeout, |d| d.min(self.scrape_timeout))
    }
}

/// Slots for scrapes in progress; a scrape holds one until its exposition is written,
/// even past its timeout, so slow collections cannot pile up.
#[derive(Debug, Clone)]
pub(crate) struct ScrapeSlots(Arc<Semaphore>);

impl ScrapeSlots {
    pub(crate) fn new(max: usize) -> Self {
        Self(Arc::new(Semaphore::new(max)))
    }

    /// A slot, or `None` when all are taken.
    pub(crate) fn try_take(&self) -> Option<OwnedSemaphorePermit> {
        self.0.clone().try_acquire_owned().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_may_only_shorten_the_scrape_timeout() {
        let limits = Limits::default();
        let h = |s: &'static str| HeaderValue::from_static(s);
        assert_eq!(limits.scrape_timeout_for(None), DEFAULT_SCRAPE_TIMEOUT);
        assert_eq!(limits.scrape_timeout_for(Some(&h("2.5"))), Duration::from_millis(2500));
        assert_eq!(limits.scrape_timeout_for(Some(&h("60"))), DEFAULT_SCRAPE_TIMEOUT);
        for bad in ["0", "-1", "NaN", "inf", "abc", "", "1e400", "1e-10", "0.0000000001"] {
            assert_eq!(limits.scrape_timeout_for(Some(&h(bad))), DEFAULT_SCRAPE_TIMEOUT, "{bad}");
        }
    }

    #[test]
    fn slots_run_out_and_come_back() {
        let slots = ScrapeSlots::new(1);
        let first = slots.try_take();
        assert!(first.is_some());
        assert!(slots.try_take().is_none());
        drop(first);
        assert!(slots.try_take().is_some());
    }

    #[test]
    fn out_of_range_settings_are_named() {
        let zero = Limits { max_concurrent_scrapes: 0, ..Limits::default() };
        assert_eq!(zero.check().unwrap_err().0, "max_concurrent_scrapes");
        let none = Limits { max_connections: 0, ..Limits::default() };
        assert_eq!(none.check().unwrap_err().0, "max_connections");
        let tiny = Limits { max_header_bytes: 10, ..Limits::default() };
        assert_eq!(tiny.check().unwrap_err().0, "max_header_bytes");
        assert!(Limits::default().check().is_ok());
    }
}
