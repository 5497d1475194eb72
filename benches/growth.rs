//! How the costs grow with the number of series: for a counter family of 1,000,
//! 10,000, 100,000 and 1,000,000 series (one `route` label, our `DynFamily`), the
//! heap bytes it keeps, the time to encode it (Prometheus text) and the time of a
//! full scrape over HTTP on loopback through our server, without and with gzip,
//! with the bytes on the wire. The 100,000-series scrapes are row 8 of issue #8.
//!
//! Not a criterion bench (a 1,000,000-series scrape takes a good part of a second).
//! The sizes are measured in turn, round after round ([`ROUNDS`]), so that every size
//! sees the same states of a shared machine; within a round each sample repeats the
//! operation over about [`SERIES_PER_SAMPLE`] series (a 1,000-series encode 1,000
//! times, a 1,000,000-series one once), so that samples are equally long at every
//! size, tens of milliseconds, far above the clock's granularity. Each figure is
//! the fastest sample, per operation: on this machine the CPU time of the same work
//! swings between two levels some 1.8x apart in phases of a few hundred
//! milliseconds (another process on the other core: shared cache and memory
//! bandwidth, or the host), at every size; a slow phase can only add time, and a
//! median of a few back-to-back samples landed in one phase or the other by chance
//! (a 10,000-series encode at 88 ns per series next to a 100,000-series one at 53).
//! Times are process CPU time (server, client and the kernel's loopback copy;
//! waits for a core excluded) and wall-clock time. It prints its figures and writes
//! them, tab-separated with a header line, to the file named by
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

/// Samples per figure: rounds over all sizes.
const ROUNDS: usize = 11;
/// Series one sample covers at least: smaller families repeat the operation.
const SERIES_PER_SAMPLE: usize = 1_000_000;

/// The fastest sample of one operation, per operation, and the bytes it produced.
#[derive(Debug, Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Duration,
    bytes: usize,
}

impl Timing {
    /// The fastest so far with `other`, wall-clock and CPU time each on its own.
    fn fastest(self, other: Timing) -> Timing {
        Timing { wall: self.wall.min(other.wall), cpu: self.cpu.min(other.cpu), bytes: other.bytes }
    }
}

/// What is measured of each family.
#[derive(Debug, Clone, Copy)]
enum Operation {
    Encode,
    Scrape,
    ScrapeGzip,
}

const OPERATIONS: [Operation; 3] = [Operation::Encode, Operation::Scrape, Operation::ScrapeGzip];

/// One family of one size, registered and served.
struct Subject {
    series: usize,
    heap_bytes_per_series: f64,
    registry: Arc<Registry>,
    buf: Vec<u8>,
    client: scrape_client::Client,
    // Dropped after the client: stops the server.
    _server: Server,
    fastest: [Option<Timing>; 3],
}

impl Subject {
    fn new(series: usize) -> Self {
        let before = CountingAllocator::live_bytes();
        let metrics = RouteMetrics::<Counter>::filled_to(&GROWTH_COUNTERS, series);
        let heap = (CountingAllocator::live_bytes() - before) as f64 / series as f64;
        let registry = Arc::new(Registry::new());
        registry.register(metrics).expect("register the growth family");
        let server = Server::start(registry.clone());
        let client = server.client();
        let mut subject = Self {
            series,
            heap_bytes_per_series: heap,
            registry,
            buf: Vec::new(),
            client,
            _server: server,
            fastest: [None; 3],
        };
        // Warm up: buffers allocated, pages faulted in, the connection open.
        for operation in OPERATIONS {
            subject.run(operation);
        }
        subject
    }

    /// Runs `operation` once; the bytes it produced.
    fn run(&mut self, operation: Operation) -> usize {
        match operation {
            Operation::Encode => {
                self.buf.clear();
                self.registry.encode(Format::Text, &mut self.buf);
                self.buf.len()
            }
            Operation::Scrape => self.client.scrape(false),
            Operation::ScrapeGzip => self.client.scrape(true),
        }
    }

    /// One sample of `operation`: repeated over [`SERIES_PER_SAMPLE`] series.
    fn sample(&mut self, operation: Operation) {
        let repeats = SERIES_PER_SAMPLE.div_ceil(self.series).max(1);
        let (wall, cpu) = (Instant::now(), process_cpu_time());
        let mut bytes = 0;
        for _ in 0..repeats {
            bytes = black_box(self.run(operation));
        }
        let cpu = process_cpu_time().saturating_sub(cpu) / repeats as u32;
        let timing = Timing { wall: wall.elapsed() / repeats as u32, cpu, bytes };
        let slot = &mut self.fastest[operation as usize];
        *slot = Some(slot.map_or(timing, |fastest| fastest.fastest(timing)));
    }

    fn figures(&self) -> Size {
        let timing = |operation: Operation| {
            self.fastest[operation as usize].expect("every operation was measured")
        };
        Size {
            series: self.series,
            heap_bytes_per_series: self.heap_bytes_per_series,
            encode: timing(Operation::Encode),
            scrape: timing(Operation::Scrape),
            scrape_gzip: timing(Operation::ScrapeGzip),
        }
    }
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

/// Every size measured in [`ROUNDS`] rounds, each round all operations of all sizes.
fn measure() -> Vec<Size> {
    let mut subjects: Vec<Subject> = GROWTH_SERIES.into_iter().map(Subject::new).collect();
    for _ in 0..ROUNDS {
        for operation in OPERATIONS {
            for subject in &mut subjects {
                subject.sample(operation);
            }
        }
    }
    subjects.iter().map(Subject::figures).collect()
}

const HEADER: &str = "series\theap_bytes_per_series\tencode_cpu_ns\tencode_wall_ns\t\
    encode_bytes\tscrape_cpu_ns\tscrape_wall_ns\tscrape_bytes\tgzip_cpu_ns\tgzip_wall_ns\t\
    gzip_bytes";

fn main() {
    let mut tsv = format!("{HEADER}\n");
    for size in measure() {
        let Size { heap_bytes_per_series: heap, encode: e, scrape: s, scrape_gzip: g, .. } = size;
        println!(
            "growth/{}: {heap:.1} heap bytes per series; encode {:?} ({} bytes); \
             scrape {:?} CPU, {:?} wall ({} bytes); gzip {:?} CPU, {:?} wall ({} bytes)",
            size.series, e.cpu, e.bytes, s.cpu, s.wall, s.bytes, g.cpu, g.wall, g.bytes
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
