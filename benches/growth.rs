//! How the costs grow with the number of series: for a counter family of 1,000,
//! 10,000, 100,000 and 1,000,000 series (one `route` label, our `DynFamily`), the
//! heap bytes it keeps, the time to encode it (Prometheus text) and the time of a
//! full scrape over HTTP on loopback through our server, without and with gzip,
//! with the bytes on the wire. The 100,000-series scrapes are row 8 of issue #8.
//!
//! Not a criterion bench (a 1,000,000-series scrape takes a good part of a second):
//! each figure is the median of runs repeated for about [`BUDGET`], at least
//! [`MIN_RUNS`] of them. Times are process CPU time (server, client and the kernel's
//! loopback copy; waits for a core excluded) and wall-clock time. It prints its
//! figures and writes them, tab-separated with a header line, to the file named by
//! `METRICS_BENCH_GROWTH` when that is set (as `cargo xtask bench` does).

mod scrape_client;

use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use metrics_bench::{CountingAllocator, GROWTH_COUNTERS, GROWTH_SERIES, RouteMetrics};
use metrics_runtime::{Counter, Format, Registry};
use scrape_client::{Server, process_cpu_time};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// About how long each figure's runs take, past the first run.
const BUDGET: Duration = Duration::from_millis(1000);
/// Runs per figure at least (a 1,000,000-series scrape runs this many times).
const MIN_RUNS: usize = 3;
/// Runs per figure at most.
const MAX_RUNS: usize = 31;

/// The medians of one operation, and the bytes it produced.
#[derive(Debug, Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Duration,
    bytes: usize,
}

/// Runs `op` once to warm up, then repeatedly, and returns the medians.
fn measure(mut op: impl FnMut() -> usize) -> Timing {
    let bytes = op();
    let started = Instant::now();
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    while walls.len() < MIN_RUNS || (walls.len() < MAX_RUNS && started.elapsed() < BUDGET) {
        let (wall, cpu) = (Instant::now(), process_cpu_time());
        black_box(op());
        cpus.push(process_cpu_time().saturating_sub(cpu));
        walls.push(wall.elapsed());
    }
    Timing { wall: median(walls), cpu: median(cpus), bytes }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

/// The figures at one size.
#[derive(Debug)]
struct Size {
    series: usize,
    heap_bytes_per_series: f64,
    encode: Timing,
    scrape: Timing,
    scrape_gzip: Timing,
}

fn measure_size(series: usize) -> Size {
    let before = CountingAllocator::live_bytes();
    let metrics = RouteMetrics::<Counter>::filled_to(&GROWTH_COUNTERS, series);
    let heap_bytes_per_series = (CountingAllocator::live_bytes() - before) as f64 / series as f64;
    let registry = Arc::new(Registry::new());
    registry.register(metrics).expect("register the growth family");

    let mut buf = Vec::new();
    let encode = measure(|| {
        buf.clear();
        registry.encode(Format::Text, &mut buf);
        buf.len()
    });
    drop(buf);

    let server = Server::start(registry);
    let mut client = server.client();
    let scrape = measure(|| client.scrape(false));
    let scrape_gzip = measure(|| client.scrape(true));
    Size { series, heap_bytes_per_series, encode, scrape, scrape_gzip }
}

const HEADER: &str = "series\theap_bytes_per_series\tencode_cpu_ns\tencode_wall_ns\t\
    encode_bytes\tscrape_cpu_ns\tscrape_wall_ns\tscrape_bytes\tgzip_cpu_ns\tgzip_wall_ns\t\
    gzip_bytes";

fn main() {
    let mut tsv = format!("{HEADER}\n");
    for series in GROWTH_SERIES {
        let size = measure_size(series);
        let Size { heap_bytes_per_series: heap, encode: e, scrape: s, scrape_gzip: g, .. } = size;
        println!(
            "growth/{series}: {heap:.1} heap bytes per series; encode {:?} ({} bytes); \
             scrape {:?} CPU, {:?} wall ({} bytes); gzip {:?} CPU, {:?} wall ({} bytes)",
            e.cpu, e.bytes, s.cpu, s.wall, s.bytes, g.cpu, g.wall, g.bytes
        );
        let ns = |d: Duration| d.as_nanos();
        writeln!(
            tsv,
            "{}\t{heap:.1}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            size.series,
            ns(e.cpu),
            ns(e.wall),
            e.bytes,
            ns(s.cpu),
            ns(s.wall),
            s.bytes,
            ns(g.cpu),
            ns(g.wall),
            g.bytes
        )
        .expect("writing to a String");
    }
    if let Some(path) = std::env::var_os("METRICS_BENCH_GROWTH") {
        std::fs::write(&path, tsv).expect("write the growth figures");
    }
}
