//! Histograms stay consistent while other threads observe: every exposition, in
//! both formats, parses, and each histogram series in it is cumulative with its
//! `+Inf` bucket equal to `_count`.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use metrics_runtime::{DynFamily, Format, Histogram, Metrics, Registry};
use support::parser::check_histograms;

#[derive(Metrics)]
#[metrics(namespace = "race")]
struct Race {
    /// One series, many buckets.
    #[metric(buckets = linear(0.0, 0.5, 20), unit = "seconds")]
    latency: Histogram,
    /// Several series, created while scraping.
    #[metric(labels = ["worker"], buckets = [1.0, 2.0, 4.0, 8.0])]
    per_worker: DynFamily<Histogram>,
}

#[test]
fn every_exposition_is_consistent_while_threads_observe() {
    let registry = Registry::new();
    let race = Race::register(&registry).unwrap();
    let stop = AtomicBool::new(false);
    const SCRAPES: usize = 200;
    let started = Instant::now();
    let observed = std::thread::scope(|s| {
        let observers: Vec<_> = (0..3u32)
            .map(|t| {
                let (race, stop) = (&race, &stop);
                s.spawn(move || {
                    let worker = t.to_string();
                    let mut n = 0u64;
                    // At least one observation each, even if the scrapes are over
                    // before this thread starts (a fast release build): the final
                    // check counts every worker's series.
                    loop {
                        let v =
                            f64::from((n as u32).wrapping_mul(7919).wrapping_add(t) % 1100) / 100.0;
                        race.latency.observe(v);
                        race.per_worker.get(&[&worker]).observe(v);
                        n += 1;
                        if stop.load(Ordering::Relaxed) {
                            break n;
                        }
                    }
                })
            })
            .collect();
        let mut last_count = 0.0;
        for i in 0..SCRAPES {
            let format = if i % 2 == 0 { Format::Text } else { Format::OpenMetrics };
            let (_, parsed) = support::scrape(&registry, format);
            let series = check_histograms(&parsed).unwrap_or_else(|e| panic!("scrape {i}: {e}"));
            assert!(series >= 1);
            // Counts never go backwards between scrapes.
            let count = parsed
                .family("race_latency_seconds")
                .and_then(|f| f.samples.iter().find(|s| s.name == "race_latency_seconds_count"))
                .map_or(0.0, |s| s.value);
            assert!(count >= last_count, "scrape {i}: count {count} < {last_count}");
            last_count = count;
            assert!(started.elapsed() < Duration::from_secs(120), "scraping too slow");
        }
        stop.store(true, Ordering::Relaxed);
        observers.into_iter().map(|h| h.join().unwrap()).sum::<u64>()
    });
    assert_eq!(race.latency.count(), observed);
    let (_, parsed) = support::scrape(&registry, Format::OpenMetrics);
    assert_eq!(check_histograms(&parsed), Ok(4));
}
