//! Faults: a panic inside a `#[timed]` function or a user collector, and a slow
//! foreign collector, over real HTTP on 127.0.0.1.
//!
//! What happens, by design: a collection that panics gets `500` (the exposition is
//! written in one pass into one buffer, so a half-written family cannot be taken
//! back out; a `500` is honest where a partial exposition would silently drop
//! families). Nothing is poisoned: the registry's locks are only read while
//! collecting, and every lock is taken poison-tolerant, so the next scrape collects
//! afresh. A `#[timed]` panic is counted as `outcome="panicked"` and keeps
//! unwinding. A slow foreign collector is cut off by the scrape timeout (`503`),
//! holding its slot until it returns.
#![cfg(feature = "server")]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use metrics_runtime::serve::MetricsServer;
use metrics_runtime::{Format, Metrics, Registry, default_registry, timed};
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use support::collectors::{Panicking, Slow};
use support::http::get;

const TEST_LIMIT: Duration = Duration::from_secs(30);

async fn bounded<F: std::future::Future<Output = ()>>(test: F) {
    tokio::time::timeout(TEST_LIMIT, test).await.expect("test took longer than its time limit");
}

/// Keeps the panics made on purpose out of the output; any other is shown.
fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let shown = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            if !message.contains("(on purpose, in a test)") {
                shown(info);
            }
        }));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_collector_gets_500_and_the_next_scrape_works() {
    bounded(async {
        quiet_panics();
        let registry = Arc::new(Registry::new());
        registry.register(Slow { delay: Duration::ZERO }).unwrap();
        let panics_left = Arc::new(AtomicUsize::new(0));
        registry.register(Panicking { panics_left: panics_left.clone() }).unwrap();
        // Registered well; its next two collections panic.
        panics_left.store(2, Ordering::Relaxed);

        // Encoding directly: the panic reaches the caller, and leaves nothing behind.
        let direct = std::panic::catch_unwind(|| registry.encode_to_string(Format::Text));
        assert!(direct.is_err());

        let server = MetricsServer::builder().registry(registry.clone()).bind("127.0.0.1:0").await;
        let server = server.unwrap().spawn();
        let addr = server.local_addr();
        let failed = get(addr, "/metrics", &[]).await;
        assert_eq!(failed.status, 500, "{}", failed.text());
        assert!(failed.text().contains("panicked"));
        assert_eq!(panics_left.load(Ordering::Relaxed), 0);
        // The collector is well again: every family, in both formats, valid.
        for (accept, format) in
            [("text/plain", Format::Text), ("application/openmetrics-text", Format::OpenMetrics)]
        {
            let reply = get(addr, "/metrics", &[("Accept", accept)]).await;
            assert_eq!(reply.status, 200);
            let parsed = support::parse(&reply.text(), format);
            assert!(parsed.family("slow_collection_value").is_some());
            assert!(parsed.family("panicking_collection_value").is_some());
        }
        // Registering still works: the registry's lock was not poisoned.
        #[derive(metrics_runtime::Metrics)]
        struct Later {
            /// Registered after the panics.
            later_jobs: metrics_runtime::Counter,
        }
        Later::register(&registry).unwrap();
        assert!(get(addr, "/metrics", &[]).await.text().contains("later_jobs_total 0\n"));
        server.shutdown().await;
    })
    .await;
}

#[timed]
fn explodes(really: bool) -> u32 {
    if really {
        panic!("a timed function failed (on purpose, in a test)");
    }
    1
}

#[timed]
async fn explodes_later(really: bool) -> u32 {
    tokio::task::yield_now().await;
    if really {
        panic!("a timed task failed (on purpose, in a test)");
    }
    1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panics_in_timed_functions_are_counted_and_scrapes_go_on() {
    bounded(async {
        quiet_panics();
        let server = MetricsServer::builder().bind("127.0.0.1:0").await.unwrap().spawn();
        let addr = server.local_addr();
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    for i in 0..100 {
                        let _ = std::panic::catch_unwind(|| explodes(i % 2 == 0));
                    }
                })
            })
            .collect();
        let tasks: Vec<_> = (0..200).map(|i| tokio::spawn(explodes_later(i % 2 == 0))).collect();
        let scrape = get(addr, "/metrics", &[]).await;
        assert_eq!(scrape.status, 200);
        for thread in threads {
            thread.join().unwrap();
        }
        let mut panicked = 0;
        for task in tasks {
            panicked += usize::from(task.await.is_err_and(|e| e.is_panic()));
        }
        assert_eq!(panicked, 100);
        let reply = get(addr, "/metrics", &[]).await;
        assert_eq!(reply.status, 200);
        let parsed = support::parse(&reply.text(), Format::Text);
        let calls = parsed.family("function_calls_total").unwrap();
        let count = |function: &str, outcome: &str| {
            calls
                .samples
                .iter()
                .find(|s| {
                    s.label("function") == Some(function) && s.label("outcome") == Some(outcome)
                })
                .map(|s| s.value)
        };
        for function in ["explodes", "explodes_later"] {
            assert_eq!(
                count(function, "panicked"),
                Some(if function == "explodes" { 200.0 } else { 100.0 })
            );
            assert_eq!(
                count(function, "ok"),
                Some(if function == "explodes" { 200.0 } else { 100.0 })
            );
        }
        // The default registry is not poisoned either.
        assert!(default_registry().encode_to_string(Format::OpenMetrics).ends_with("# EOF\n"));
        server.shutdown().await;
    })
    .await;
}

/// A `prometheus` collector whose first collection takes `delay`.
struct SlowForeign {
    gauge: prometheus::IntGauge,
    delay: Duration,
    slow: AtomicBool,
}

impl Collector for SlowForeign {
    fn desc(&self) -> Vec<&Desc> {
        self.gauge.desc()
    }
    fn collect(&self) -> Vec<MetricFamily> {
        if self.slow.swap(false, Ordering::Relaxed) {
            std::thread::sleep(self.delay);
        }
        self.gauge.collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_foreign_collector_is_cut_off_by_the_scrape_timeout() {
    bounded(async {
        let registry = Arc::new(Registry::new());
        registry.register(Slow { delay: Duration::ZERO }).unwrap();
        let gauge = prometheus::IntGauge::new("foreign_queue_depth", "Jobs waiting.").unwrap();
        gauge.set(3);
        let theirs = prometheus::Registry::new();
        let delay = Duration::from_secs(3);
        theirs
            .register(Box::new(SlowForeign { gauge, delay, slow: AtomicBool::new(true) }))
            .unwrap();
        registry.attach_prometheus(theirs);
        let limit = Duration::from_millis(300);
        let server = MetricsServer::builder()
            .registry(registry)
            .scrape_timeout(limit)
            .bind("127.0.0.1:0")
            .await
            .unwrap()
            .spawn();
        let addr = server.local_addr();
        let started = Instant::now();
        let slow = get(addr, "/metrics", &[]).await;
        let took = started.elapsed();
        assert_eq!(slow.status, 503, "{}", slow.text());
        assert!(took >= limit && took < Duration::from_millis(2500), "{took:?}");
        // The next scrape, with the slow one still running on its slot, is whole.
        let reply = get(addr, "/metrics", &[]).await;
        assert_eq!(reply.status, 200);
        let parsed = support::parse(&reply.text(), Format::Text);
        assert_eq!(parsed.family("foreign_queue_depth").unwrap().samples[0].value, 3.0);
        assert_eq!(parsed.family("slow_collection_value").unwrap().samples[0].value, 7.0);
        server.shutdown().await;
    })
    .await;
}
