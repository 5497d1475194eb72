//! Two threads working on the same series at once, as the median of short batches.
//!
//! On this shared two-core machine a thread often waits for a core: timing each
//! thread's whole loop in wall-clock time counted those waits (the rows swung by 2x
//! between runs), and timing it in CPU time mostly measured each thread while the
//! other was off its core, uncontended. So each thread times batches of [`BATCH`]
//! operations, a few microseconds each, and a sample's figure is the median batch
//! of both threads, per operation: a batch during which its thread lost its core is
//! an outlier the median ignores, and while both threads run, every batch pays for
//! the cache line they share. On a busy machine, batches that ran while the other
//! thread was off its core pull the median down: compare these rows within a run.

use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::Bencher;

use crate::cpu_time::ThreadTime;

/// How many threads share the series.
pub const THREADS: usize = 2;

/// Operations per timed batch: long enough that the two clock reads around a batch
/// cost about 1% of the fastest row, short enough to fit between two preemptions.
pub const BATCH: u64 = 4096;

/// Benchmarks `op(i)` on [`THREADS`] threads started together, each calling it for
/// `i` in `0..iters` (rounded up to whole batches).
pub fn bench_two_threads(b: &mut Bencher<'_, ThreadTime>, op: impl Fn(u64) + Sync) {
    b.iter_custom(|iters| {
        let batches = iters.div_ceil(BATCH);
        let barrier = Barrier::new(THREADS);
        let mut times: Vec<Duration> = std::thread::scope(|s| {
            let threads: Vec<_> =
                (0..THREADS).map(|_| s.spawn(|| run_batches(batches, &op, &barrier))).collect();
            threads.into_iter().flat_map(|t| t.join().expect("a bench thread panicked")).collect()
        });
        times.sort_unstable();
        let median = times.get(times.len() / 2).copied().unwrap_or(Duration::ZERO);
        median.mul_f64(iters as f64 / BATCH as f64)
    });
}

/// One thread's batch times.
fn run_batches(batches: u64, op: &(impl Fn(u64) + Sync), barrier: &Barrier) -> Vec<Duration> {
    let mut times = Vec::with_capacity(batches as usize);
    barrier.wait();
    for batch in 0..batches {
        let start = Instant::now();
        for i in batch * BATCH..(batch + 1) * BATCH {
            op(std::hint::black_box(i));
        }
        times.push(start.elapsed());
    }
    times
}
