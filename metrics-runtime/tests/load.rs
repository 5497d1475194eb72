//! Load with concurrent scrapes: OS threads and tokio tasks make millions of
//! `#[timed]` calls and labelled increments (typed and dynamic labels) while
//! another task scrapes `/metrics` over real HTTP on 127.0.0.1 every few
//! milliseconds. Every scrape must parse with the independent parser, its counters
//! must never go backwards and its histograms must be cumulative with `+Inf` equal
//! to `_count`; at the end every count is exact: calls made == `function_calls_total`
//! == `function_duration_seconds_count`, and increments made == the families' sums.
//!
//! Bounded in count and in time: each worker stops at its count or at
//! [`LOAD_TIME`], whichever comes first (the counts are exact either way), and debug
//! builds make a tenth of the calls. Prints calls per second and the scrape
//! latency p50/p99 while loaded as figures for `cargo xtask reliability`.
#![cfg(feature = "server")]

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use metrics_runtime::serve::MetricsServer;
use metrics_runtime::{
    Counter, DynFamily, Family, Format, Global, LabelSet, LabelValue, Metrics, timed,
};
use support::http::KeptAlive;
use support::parser::{Exposition, check_histograms};

#[derive(Clone, Copy, LabelValue)]
enum Shard {
    North,
    East,
    South,
    West,
}

const SHARDS: [Shard; 4] = [Shard::North, Shard::East, Shard::South, Shard::West];

#[derive(Clone, Copy, LabelSet)]
struct ShardLabels {
    shard: Shard,
}

#[derive(Metrics)]
#[metrics(namespace = "load")]
struct Load {
    /// Increments by shard (typed labels).
    typed: Family<ShardLabels, Counter>,
    /// Increments by worker (dynamic labels).
    #[metric(labels = ["worker"], max_series = 64)]
    dynamic: DynFamily<Counter>,
}

static LOAD: Global<Load> = Global::new();

#[timed]
fn sync_call(i: u64) -> u64 {
    std::hint::black_box(i).wrapping_mul(31)
}

#[timed]
async fn async_call(i: u64) -> u64 {
    // Hand the worker back now and then, as real handlers do at their awaits.
    if i.is_multiple_of(256) {
        tokio::task::yield_now().await;
    }
    std::hint::black_box(i).wrapping_mul(17)
}

const THREADS: usize = 2;
const TASKS: usize = 4;
/// Calls per worker in a release build; debug builds make a tenth.
const CALLS_PER_THREAD: u64 = 2_000_000;
const CALLS_PER_TASK: u64 = 1_000_000;
/// Workers stop here even short of their count.
const LOAD_TIME: Duration = Duration::from_secs(8);
/// Scrapes made at the least, after the load if it was over sooner.
const MIN_SCRAPES: usize = 20;
const SCRAPE_EVERY: Duration = Duration::from_millis(3);
const TEST_LIMIT: Duration = Duration::from_secs(120);

fn scaled(calls: u64) -> u64 {
    if cfg!(debug_assertions) { calls / 10 } else { calls }
}

/// A worker's calls: up to `calls`, or fewer if `deadline` passes first.
struct Quota {
    made: u64,
    calls: u64,
    deadline: Instant,
}

impl Quota {
    /// The index of the next call to make, if any.
    fn next(&mut self) -> Option<u64> {
        let over = self.made % 4096 == 4095 && Instant::now() >= self.deadline;
        if self.made >= self.calls || over {
            return None;
        }
        self.made += 1;
        Some(self.made - 1)
    }
}

/// One increment of each family, as each timed call makes.
fn increments(i: u64, worker: &str) {
    LOAD.typed.get(ShardLabels { shard: SHARDS[(i % 4) as usize] }).inc();
    LOAD.dynamic.get(&[worker]).inc();
}

/// Counter and histogram samples of a scrape by series (name and labels), to check
/// that none goes backwards from one scrape to the next. Sums are left out.
fn monotonic_samples(exposition: &Exposition) -> HashMap<String, f64> {
    let mut out = HashMap::new();
    for family in &exposition.families {
        if family.kind != "counter" && family.kind != "histogram" {
            continue;
        }
        for sample in family.samples.iter().filter(|s| !s.name.ends_with("_sum")) {
            let key = format!("{}{:?}", sample.name, sample.labels);
            out.insert(key, sample.value);
        }
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// The value of the one sample named `name` with these labels.
fn value(exposition: &Exposition, family: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    exposition
        .family(family)
        .unwrap_or_else(|| panic!("no family {family}"))
        .samples
        .iter()
        .find(|s| s.name == name && labels.iter().all(|(k, v)| s.label(k) == Some(*v)))
        .unwrap_or_else(|| panic!("no sample {name} {labels:?}"))
        .value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_are_exact_and_every_scrape_is_valid_under_load() {
    tokio::time::timeout(TEST_LIMIT, run()).await.expect("the load test took too long");
}

async fn run() {
    // Registers the families before the first scrape.
    let _ = &*LOAD;
    let server = MetricsServer::builder().bind("127.0.0.1:0").await.unwrap().spawn();
    let addr = server.local_addr();
    let loaded = Arc::new(AtomicBool::new(true));
    let started = Instant::now();
    let deadline = started + LOAD_TIME;

    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            tokio::task::spawn_blocking(move || {
                let worker = format!("thread-{t}");
                let mut quota = Quota { made: 0, calls: scaled(CALLS_PER_THREAD), deadline };
                while let Some(i) = quota.next() {
                    std::hint::black_box(sync_call(i));
                    increments(i, &worker);
                }
                (worker, quota.made)
            })
        })
        .collect();
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            tokio::spawn(async move {
                let worker = format!("task-{t}");
                let mut quota = Quota { made: 0, calls: scaled(CALLS_PER_TASK), deadline };
                while let Some(i) = quota.next() {
                    std::hint::black_box(async_call(i).await);
                    increments(i, &worker);
                }
                (worker, quota.made)
            })
        })
        .collect();

    let scraper = tokio::spawn({
        let loaded = loaded.clone();
        async move {
            let mut connection = KeptAlive::connect(addr).await;
            let mut previous: HashMap<String, f64> = HashMap::new();
            let mut latencies = Vec::new();
            let mut scrapes = 0;
            while loaded.load(Ordering::Relaxed) || scrapes < MIN_SCRAPES {
                let format = if scrapes % 2 == 0 { Format::Text } else { Format::OpenMetrics };
                let accept = match format {
                    Format::Text => "text/plain;version=0.0.4",
                    Format::OpenMetrics => "application/openmetrics-text;version=1.0.0",
                    _ => unreachable!("the text formats alternate"),
                };
                let asked = Instant::now();
                let reply = connection.get("/metrics", &[("Accept", accept)]).await;
                let took = asked.elapsed();
                assert_eq!(reply.status, 200, "scrape {scrapes}");
                if loaded.load(Ordering::Relaxed) {
                    latencies.push(took);
                }
                let parsed = support::parse(&reply.text(), format);
                check_histograms(&parsed).unwrap_or_else(|e| panic!("scrape {scrapes}: {e}"));
                let now = monotonic_samples(&parsed);
                for (series, before) in &previous {
                    let after = now.get(series).copied().unwrap_or(0.0);
                    assert!(
                        after >= *before,
                        "scrape {scrapes}: {series} went from {before} to {after}"
                    );
                }
                previous = now;
                scrapes += 1;
                tokio::time::sleep(SCRAPE_EVERY).await;
            }
            (scrapes, latencies)
        }
    });

    let mut made: Vec<(String, u64)> = Vec::new();
    for thread in threads {
        made.push(thread.await.unwrap());
    }
    let sync_calls: u64 = made.iter().map(|(_, n)| n).sum();
    for task in tasks {
        made.push(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    loaded.store(false, Ordering::Relaxed);
    let (scrapes, mut latencies) = scraper.await.unwrap();
    let total: u64 = made.iter().map(|(_, n)| n).sum();
    let async_calls = total - sync_calls;

    // The final exposition, over HTTP too.
    let reply = KeptAlive::connect(addr).await.get("/metrics", &[]).await;
    let last = support::parse(&reply.text(), Format::Text);
    for (function, calls) in [("sync_call", sync_calls), ("async_call", async_calls)] {
        let ok = [("function", function), ("outcome", "ok")];
        let counted = value(&last, "function_calls_total", "function_calls_total", &ok);
        let timed = value(
            &last,
            "function_duration_seconds",
            "function_duration_seconds_count",
            &[("function", function)],
        );
        assert_eq!((counted, timed), (calls as f64, calls as f64), "{function}");
    }
    let typed: f64 = last.family("load_typed_total").unwrap().samples.iter().map(|s| s.value).sum();
    assert_eq!(typed, total as f64);
    for (worker, calls) in &made {
        let counted =
            value(&last, "load_dynamic_total", "load_dynamic_total", &[("worker", worker)]);
        assert_eq!(counted, *calls as f64, "{worker}");
    }
    server.shutdown().await;

    assert!(!latencies.is_empty(), "no scrape while loaded");
    latencies.sort();
    let p50 = percentile(&latencies, 0.50);
    let p99 = percentile(&latencies, 0.99);
    let per_second = total as f64 / elapsed.as_secs_f64();
    println!(
        "{total} timed calls ({sync_calls} on {THREADS} threads, {async_calls} in {TASKS} tasks), \
         each with a typed and a dynamic increment, in {:.2} s: {per_second:.0} calls/s; \
         {scrapes} scrapes, {} while loaded: p50 {p50:?}, p99 {p99:?}",
        elapsed.as_secs_f64(),
        latencies.len(),
    );
    support::figure("load: timed calls made (each with 2 labelled increments)", total, "calls");
    support::figure(
        "load: timed calls per second while scraped",
        format!("{per_second:.0}"),
        "calls/s",
    );
    support::figure("load: scrapes while loaded", latencies.len(), "scrapes");
    support::figure(
        "load: scrape latency p50 under load",
        format!("{:.2}", p50.as_secs_f64() * 1e3),
        "ms",
    );
    support::figure(
        "load: scrape latency p99 under load",
        format!("{:.2}", p99.as_secs_f64() * 1e3),
        "ms",
    );
}
