//! Two threads working on the same series at once, timed over the batches during
//! which both really were.
//!
//! On this shared two-core machine the two threads of a benchmark are often not on
//! cores at the same time: timing each thread's whole loop counted its waits for a
//! core (wall-clock time; the rows swung by 2x between runs), and timing it in CPU
//! time mostly measured each thread while the other was off its core, uncontended.
//! So each thread times batches of [`BATCH`] operations (wall-clock, a few
//! microseconds each) and publishes how many it has finished. A batch is *side by
//! side* when its thread kept its core throughout (its CPU time is at least 90% of
//! its wall-clock time) and the other thread finished a batch meanwhile. A sample's
//! figure is the median side-by-side batch, per operation; with fewer than
//! [`MIN_SIDE_BY_SIDE`] of them, the median of the batches that kept their core
//! (then mostly one thread alone). How many batches were side by side is printed
//! and, when `METRICS_BENCH_TWO_THREADS` names a file, appended to it as
//! `group name side_by_side batches` lines (as `cargo xtask bench` does).

use std::io::Write as _;
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::BenchmarkGroup;

use crate::cpu_time::{ThreadTime, thread_cpu_time};

/// How many threads share the series.
pub const THREADS: usize = 2;

/// Operations per timed batch: long enough that the clock reads around a batch cost
/// about 1% of the fastest row, short enough to fit between two preemptions.
pub const BATCH: u64 = 4096;

/// Side-by-side batches a sample needs for their median to be its figure.
pub const MIN_SIDE_BY_SIDE: usize = 16;

/// A thread's count of finished batches, alone on its cache line so that publishing
/// it does not disturb the series.
#[repr(align(128))]
#[derive(Debug, Default)]
struct Progress(AtomicU64);

/// One batch: its wall-clock time, whether its thread kept its core, and whether
/// the other thread finished a batch meanwhile.
#[derive(Debug, Clone, Copy)]
struct Batch {
    wall: Duration,
    kept_core: bool,
    other_ran: bool,
}

/// Benchmarks `op(i)` as `name` in `group` (called `group_name`): [`THREADS`]
/// threads started together, each calling it for `i` in `0..iters` (rounded up to
/// whole batches) on the same series.
pub fn bench_two_threads(
    group: &mut BenchmarkGroup<'_, ThreadTime>,
    group_name: &str,
    name: &str,
    op: impl Fn(u64) + Sync,
) {
    let (side_by_side, batches) = (AtomicU64::new(0), AtomicU64::new(0));
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let all = run(iters.div_ceil(BATCH), &op);
            let together: Vec<Duration> =
                all.iter().filter(|b| b.kept_core && b.other_ran).map(|b| b.wall).collect();
            side_by_side.fetch_add(together.len() as u64, Ordering::Relaxed);
            batches.fetch_add(all.len() as u64, Ordering::Relaxed);
            let per_batch = if together.len() >= MIN_SIDE_BY_SIDE {
                median(together)
            } else {
                let kept = all.iter().filter(|b| b.kept_core).map(|b| b.wall).collect();
                median(kept)
            };
            per_batch.mul_f64(iters as f64 / BATCH as f64)
        })
    });
    let (side_by_side, batches) = (side_by_side.into_inner(), batches.into_inner());
    if batches == 0 {
        return; // filtered out
    }
    println!("{group_name}/{name}: {side_by_side} of {batches} batches side by side");
    if let Some(path) = std::env::var_os("METRICS_BENCH_TWO_THREADS") {
        let mut file = std::fs::File::options()
            .create(true)
            .append(true)
            .open(&path)
            .expect("open the two-thread figures file");
        writeln!(file, "{group_name}\t{name}\t{side_by_side}\t{batches}")
            .expect("write the two-thread figures");
    }
}

/// Both threads' batches.
fn run(batches: u64, op: &(impl Fn(u64) + Sync)) -> Vec<Batch> {
    let barrier = Barrier::new(THREADS);
    let progress: [Progress; THREADS] = Default::default();
    std::thread::scope(|s| {
        let threads: Vec<_> = (0..THREADS)
            .map(|me| {
                let (barrier, progress) = (&barrier, &progress);
                s.spawn(move || {
                    barrier.wait();
                    run_batches(batches, op, &progress[me].0, &progress[(me + 1) % THREADS].0)
                })
            })
            .collect();
        threads.into_iter().flat_map(|t| t.join().expect("a bench thread panicked")).collect()
    })
}

/// One thread's batches.
fn run_batches(
    batches: u64,
    op: &(impl Fn(u64) + Sync),
    mine: &AtomicU64,
    other: &AtomicU64,
) -> Vec<Batch> {
    let mut out = Vec::with_capacity(batches as usize);
    for batch in 0..batches {
        let cpu = thread_cpu_time();
        let before = other.load(Ordering::Acquire);
        let start = Instant::now();
        for i in batch * BATCH..(batch + 1) * BATCH {
            op(std::hint::black_box(i));
        }
        let wall = start.elapsed();
        let other_ran = other.load(Ordering::Acquire) != before;
        let cpu = thread_cpu_time().saturating_sub(cpu);
        out.push(Batch { wall, kept_core: cpu.as_nanos() * 10 >= wall.as_nanos() * 9, other_ran });
        mine.store(batch + 1, Ordering::Release);
    }
    out
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times.get(times.len() / 2).copied().unwrap_or(Duration::ZERO)
}
