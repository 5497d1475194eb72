//! Counter increment with the handle held, single-threaded and from two threads at
//! once, against prometheus, prometheus-client, fastmetrics, measured and a bare
//! `AtomicU64::fetch_add` (the floor).

use std::hint::black_box;
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use metrics_bench::{OURS, REQUESTS};
use metrics_runtime::{Counter, Metric};

/// One increment of each crate's counter, called through a generic so that every
/// one is inlined into its benchmark loop as it would be in an application.
trait Increment: Sync {
    fn increment(&self);
}

impl Increment for Counter {
    #[inline]
    fn increment(&self) {
        self.inc();
    }
}

impl Increment for prometheus::IntCounter {
    #[inline]
    fn increment(&self) {
        self.inc();
    }
}

impl Increment for prometheus_client::metrics::counter::Counter<u64> {
    #[inline]
    fn increment(&self) {
        self.inc();
    }
}

impl Increment for fastmetrics::metrics::counter::Counter {
    #[inline]
    fn increment(&self) {
        self.inc();
    }
}

impl Increment for measured::Counter {
    #[inline]
    fn increment(&self) {
        self.get_metric().inc();
    }
}

impl Increment for AtomicU64 {
    #[inline]
    fn increment(&self) {
        self.fetch_add(1, Ordering::Relaxed);
    }
}

/// Runs `name`'s increment alone, or on `threads` threads started together, where the
/// figure is the slower thread's time per increment while the others contend.
fn bench<T: Increment>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    counter: &T,
    threads: usize,
) {
    if threads == 1 {
        group.bench_function(name, |b| b.iter(|| black_box(counter).increment()));
        return;
    }
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let barrier = Barrier::new(threads);
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..threads)
                    .map(|_| {
                        s.spawn(|| {
                            barrier.wait();
                            let start = Instant::now();
                            for _ in 0..iters {
                                black_box(counter).increment();
                            }
                            start.elapsed()
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).max().unwrap_or(Duration::ZERO)
            })
        });
    });
}

fn each_crate(group: &mut BenchmarkGroup<'_, WallTime>, threads: usize) {
    bench(group, OURS, &Counter::for_family(&REQUESTS), threads);
    let prometheus = prometheus::IntCounter::new("requests_total", "Requests.").unwrap();
    bench(group, "prometheus", &prometheus, threads);
    bench(
        group,
        "prometheus-client",
        &prometheus_client::metrics::counter::Counter::<u64>::default(),
        threads,
    );
    bench(group, "fastmetrics", &<fastmetrics::metrics::counter::Counter>::default(), threads);
    bench(group, "measured", &measured::Counter::new(), threads);
    bench(group, "floor_atomic_fetch_add", &AtomicU64::new(0), threads);
}

fn counter_inc(c: &mut Criterion) {
    let mut group = c.benchmark_group("counter_inc");
    each_crate(&mut group, 1);
    group.finish();
}

fn counter_inc_2threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("counter_inc_2threads");
    each_crate(&mut group, 2);
    group.finish();
}

criterion_group!(benches, counter_inc, counter_inc_2threads);
criterion_main!(benches);
