//! `cargo xtask bench [--quick] [--no-run]`: runs the `metrics-bench` benchmarks once
//! and writes `BENCHMARKS.md` from that run alone: criterion's medians, our ratios to
//! each peer, the heap bytes per series, and the performance targets, met or missed.
//!
//! Every figure in the report is read back from the run's output: criterion's
//! `<criterion dir>/<group>/<bench>/new/{benchmark,estimates}.json` files written
//! since the run started, and the tab-separated figures `benches/memory.rs` writes to
//! the file named by `METRICS_BENCH_MEMORY`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::json::Json;

mod compile_time;
mod growth;
mod plot;
mod targets;
mod two_threads;

/// The id of our crate in every benchmark group (`metrics_bench::OURS`).
const OURS: &str = "metrics-runtime";
/// The peers, in the order of the report's columns.
const PEERS: [&str; 5] =
    ["prometheus", "prometheus-client", "fastmetrics", "measured", "autometrics"];
/// The column of the floor rows (benchmarks named `floor_*`).
const FLOOR: &str = "floor";

/// Criterion settings for `--quick`: a run of minutes instead of tens of minutes.
/// Criterion's own `--quick` keeps only two samples, too few on a noisy machine.
const QUICK_ARGS: [&str; 7] =
    ["--warm-up-time", "1", "--measurement-time", "2", "--sample-size", "20", "--noplot"];

/// The benchmark groups, in report order, with what each measures.
const GROUPS: [(&str, &str); 22] = [
    ("counter_inc", "counter increment, handle held"),
    ("counter_inc_2threads", "counter increment, 2 threads on one counter"),
    ("family_typed_2labels", "counter increment, 2 enum labels resolved per call"),
    ("family_dynamic_2labels", "counter increment, 2 string labels resolved per call"),
    ("histogram_observe", "histogram observe (12 buckets), handle held"),
    ("histogram_observe_2threads", "histogram observe, 2 threads on one histogram"),
    ("histogram_typed_2labels", "histogram observe, 2 enum labels resolved per call"),
    ("histogram_dynamic_2labels", "histogram observe, 2 string labels resolved per call"),
    (
        "native_histogram_observe",
        "native histogram observe, schema 3, handle held (floor: a classic one)",
    ),
    (
        "native_and_classic_histogram_observe",
        "native and classic (12 buckets) histogram observe (floor: classic alone)",
    ),
    ("histogram_timer", "histogram timer: start, stop, observe"),
    ("timed_trivial_function", "a trivial function timed the idiomatic way (ours: `#[timed]`)"),
    ("timed_trivial_function_fast_clock", "a trivial function under `#[timed(fast_clock)]`"),
    ("http_layer_axum_request", "one request through an axum router (floor: a no-op layer)"),
    ("http_layer_bare_service", "one request through a bare tower service, paths normalised"),
    (
        "exemplars_histogram_observe_off",
        "`HistogramWithExemplars::observe`, no exemplar (floor: `Histogram::observe`)",
    ),
    (
        "exemplars_histogram_observe_on",
        "histogram observe with a trace id exemplar (floor: `Histogram::observe`)",
    ),
    (
        "exemplars_histogram_observe_on_labels",
        "histogram observe with an `Exemplar` made once (floor: `Histogram::observe`)",
    ),
    ("exemplars_timed_on", "`#[timed(exemplars)]` in a trace (floor: `#[timed]`)"),
    ("exemplars_timed_no_trace", "`#[timed(exemplars)]` outside any trace (floor: `#[timed]`)"),
    ("encode_counter_10k", "encode a 10,000-series counter family"),
    ("encode_histogram_1k", "encode a 1,000-series histogram family (12 buckets)"),
];

/// The families of `benches/memory.rs`, in report order, with what each is.
const MEMORY_FAMILIES: [(&str, &str); 4] = [
    ("counter", "counter, one string label (ours: `DynFamily`)"),
    ("counter_typed", "counter, two enum labels (ours: typed `Family`)"),
    ("histogram_12_buckets", "histogram (12 buckets), one string label (ours: `DynFamily`)"),
    (
        "histogram_12_buckets_typed",
        "histogram (12 buckets), two enum labels (ours: typed `Family`)",
    ),
];

/// How each crate is driven, so that a reader can judge the rows.
const NOTES: &str = "\
How each crate is used (`benches/`):

- Times are the benchmark thread's CPU time (`benches/cpu_time.rs`): on this shared
  machine wall-clock time also counts the moments the thread waits for a core, which
  lands in whichever row happens to be running.
- The 2-thread rows (`benches/two_threads.rs`): two threads started together on the
  same series each time batches of 4096 operations (wall-clock, a few microseconds);
  a batch counts when its thread kept its core throughout and the other thread
  finished a batch meanwhile (side by side), and the figure is the median of those,
  per operation. Timing whole loops made these rows swing by 2x between runs (waits
  for a core), and CPU time measured each thread mostly alone. A sample with fewer
  than 16 side-by-side batches falls back to the batches that kept their core, i.e.
  mostly uncontended: see the share of side-by-side batches below the ratios.
- Every crate runs the same operations on the same label values, 12 bucket bounds and
  observations; labelled benches cycle through 8 label sets created beforehand.
- Typed labels: our `Family<L, Counter>` (a dense array), measured's `LabelGroup` of
  `FixedCardinalityLabel` enums, prometheus-client's and fastmetrics' families keyed by
  the same enum struct (hashed).
- String labels: our `DynFamily::get(&[route, method])`, prometheus
  `with_label_values`, measured's `LabelGroup` with `ParaCord`-interned values;
  prometheus-client and fastmetrics families are keyed by an owned struct, so each
  lookup allocates two `String`s.
- Encoding writes into a buffer reused between iterations; prometheus includes its
  `gather()`. prometheus and measured write Prometheus text only; fastmetrics' text
  0.0.4 profile leaves the `_total` suffix off counters (see the sizes).
- Floors: a bare `AtomicU64::fetch_add(1, Relaxed)`; two `Instant::now()` reads. In the
  exemplar rows (`benches/exemplars.rs`) the floor is the same operation without
  exemplars in the same run: exemplars off is the plain type, on adds the trace id,
  its timestamp (a wall-clock read) and the lock-free store.

";

const USAGE: &str = "usage: cargo xtask bench [--quick] [--no-run]
  --quick   criterion's short settings (1 s warm-up, 2 s measurement, 20 samples)
  --no-run  write BENCHMARKS.md from the last run's results without running again";

/// Runs the benchmarks (unless `--no-run`) and writes `BENCHMARKS.md`.
pub fn run(args: &[String]) -> ExitCode {
    let mut quick = false;
    let mut no_run = false;
    for arg in args {
        match arg.as_str() {
            "--quick" => quick = true,
            "--no-run" => no_run = true,
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    match bench(quick, no_run) {
        Ok(path) => {
            eprintln!("xtask bench: wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("xtask bench: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Where the growth plot goes, relative to the workspace root.
const GROWTH_PLOT: &str = "docs/bench-growth.svg";

/// Compile-time runs per crate (the fastest counts).
fn compile_runs(quick: bool) -> usize {
    if quick { 2 } else { 5 }
}

fn bench(quick: bool, no_run: bool) -> Result<PathBuf, String> {
    let root = workspace_root();
    let criterion = criterion_dir(&root);
    let stamp_file = criterion.join("metrics-bench-run");
    let files = Files {
        memory: criterion.join("metrics-bench-memory.tsv"),
        growth: criterion.join("metrics-bench-growth.tsv"),
        two_threads: criterion.join("metrics-bench-two-threads.tsv"),
    };
    let compile_file = criterion.join("metrics-bench-compile-time.tsv");
    if !no_run {
        let started = Instant::now();
        std::fs::create_dir_all(&criterion).map_err(|e| format!("{}: {e}", criterion.display()))?;
        let mode = if quick { "quick" } else { "full" };
        let stamp = format!("{} {mode}\n", now_secs());
        std::fs::write(&stamp_file, stamp).map_err(|e| format!("{}: {e}", stamp_file.display()))?;
        for file in [&files.memory, &files.growth, &files.two_threads, &compile_file] {
            let _ = std::fs::remove_file(file);
        }
        run_cargo_bench(&root, quick, &files)?;
        let generated = criterion.parent().unwrap_or(&criterion).join("compile-time");
        let tsv = compile_time::measure(&root, &generated, compile_runs(quick))?;
        std::fs::write(&compile_file, tsv)
            .map_err(|e| format!("{}: {e}", compile_file.display()))?;
        eprintln!("xtask bench: the run took {:.0} s", started.elapsed().as_secs_f64());
    }
    let stamp = std::fs::read_to_string(&stamp_file)
        .map_err(|e| format!("no benchmark run recorded ({}: {e})", stamp_file.display()))?;
    let (since, mode) = stamp.trim().split_once(' ').unwrap_or((stamp.trim(), "full"));
    let since = UNIX_EPOCH + Duration::from_secs(since.parse().unwrap_or(0));
    let results = read_results(&criterion, since)?;
    if results.is_empty() {
        return Err(format!(
            "no criterion results since the run started in {}",
            criterion.display()
        ));
    }
    let read =
        |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()));
    let report = Report {
        results,
        memory: parse_memory(&read(&files.memory)?),
        growth: growth::parse(&read(&files.growth)?),
        side_by_side: two_threads::parse(&read(&files.two_threads).unwrap_or_default()),
        compile_time: compile_time::parse(&read(&compile_file)?),
        machine: Machine::probe(&root),
        mode: mode.to_owned(),
    };
    let plot = match report.growth_svg() {
        Some(svg) => {
            let path = root.join(GROWTH_PLOT);
            std::fs::write(&path, svg).map_err(|e| format!("{}: {e}", path.display()))?;
            Some(GROWTH_PLOT)
        }
        None => None,
    };
    let path = root.join("BENCHMARKS.md");
    std::fs::write(&path, report.render(plot)).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// The files the bench targets write their figures to (`benches/memory.rs`,
/// `benches/growth.rs`), named by environment variables.
#[derive(Debug)]
struct Files {
    memory: PathBuf,
    growth: PathBuf,
    two_threads: PathBuf,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_owned()
}

/// Where criterion writes, found as criterion finds it: `$CRITERION_HOME`, else
/// `$CARGO_TARGET_DIR/criterion`, else the workspace's `target/criterion`.
fn criterion_dir(root: &Path) -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    };
    target.join("criterion")
}

fn run_cargo_bench(root: &Path, quick: bool, files: &Files) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(root).args(["bench", "-p", "metrics-bench", "--"]);
    if quick {
        command.args(QUICK_ARGS);
    }
    command.env("METRICS_BENCH_MEMORY", &files.memory);
    command.env("METRICS_BENCH_GROWTH", &files.growth);
    command.env("METRICS_BENCH_TWO_THREADS", &files.two_threads);
    eprintln!("xtask bench: running {command:?}");
    let status = command.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("cargo bench failed: {status}")) }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// One benchmark's median, keyed in [`Results`] by group and row.
#[derive(Debug, Clone, Copy)]
struct Measurement {
    median_ns: f64,
    bytes: Option<u64>,
}

/// One row of a group: `column -> (benchmark id, measurement)`, where the column is a
/// crate name or [`FLOOR`].
type Cells = BTreeMap<String, (String, Measurement)>;

/// `group -> row -> cells`; the row is the format for encoding benches, else `""`.
type Results = BTreeMap<String, BTreeMap<String, Cells>>;

fn read_results(criterion: &Path, since: SystemTime) -> Result<Results, String> {
    let mut results = Results::new();
    let mut pending = vec![criterion.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            if path.file_name().is_some_and(|name| name == "new") {
                if let Some((group, row, column, id, measurement)) = read_benchmark(&path, since)? {
                    let rows = results.entry(group).or_default();
                    rows.entry(row).or_default().insert(column, (id, measurement));
                }
            } else {
                pending.push(path);
            }
        }
    }
    Ok(results)
}

type Benchmark = (String, String, String, String, Measurement);

/// Reads one `new/` directory, or `None` when it predates the run.
fn read_benchmark(dir: &Path, since: SystemTime) -> Result<Option<Benchmark>, String> {
    let estimates_path = dir.join("estimates.json");
    let fresh = std::fs::metadata(&estimates_path)
        .and_then(|m| m.modified())
        .is_ok_and(|modified| modified >= since);
    if !fresh {
        return Ok(None);
    }
    let read = |path: &Path| -> Result<Json, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Json::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let benchmark = read(&dir.join("benchmark.json"))?;
    let estimates = read(&estimates_path)?;
    let text = |key: &str| benchmark.get(key).and_then(Json::as_str).map(str::to_owned);
    let (Some(group), Some(function)) = (text("group_id"), text("function_id")) else {
        return Ok(None);
    };
    let Some(median_ns) = estimates.get("median").and_then(|m| m.get("point_estimate")) else {
        return Ok(None);
    };
    let Some(median_ns) = median_ns.as_f64() else { return Ok(None) };
    let bytes = benchmark
        .get("throughput")
        .and_then(|t| t.get("Bytes"))
        .and_then(Json::as_f64)
        .map(|b| b as u64);
    let row = text("value_str").unwrap_or_default();
    let column = if function.starts_with("floor_") { FLOOR.to_owned() } else { function.clone() };
    Ok(Some((group, row, column, function, Measurement { median_ns, bytes })))
}

/// `(family, crate) -> (series, bytes per series)`.
type Memory = BTreeMap<(String, String), (u64, f64)>;

fn parse_memory(text: &str) -> Memory {
    let mut memory = Memory::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        if let [family, krate, series, bytes] = fields[..]
            && let (Ok(series), Ok(bytes)) = (series.parse(), bytes.parse())
        {
            memory.insert((family.to_owned(), krate.to_owned()), (series, bytes));
        }
    }
    memory
}

/// Where the run happened.
#[derive(Debug)]
struct Machine {
    cpu: String,
    cores: String,
    date: String,
    rustc: String,
    commit: String,
    crates: String,
}

impl Machine {
    fn probe(root: &Path) -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim()))
            .unwrap_or("unknown")
            .to_owned();
        let logical = cpuinfo.lines().filter(|l| l.starts_with("processor")).count();
        let available = std::thread::available_parallelism().map_or(0, |n| n.get());
        let cores = format!("{logical} logical CPUs, {available} available to the run");
        let output = |program: &str, args: &[&str]| {
            Command::new(program)
                .args(args)
                .current_dir(root)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
                .unwrap_or_else(|| "unknown".to_owned())
        };
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
        Self {
            cpu,
            cores,
            date: utc_date(now_secs()),
            rustc: output(&rustc, &["--version"]),
            commit: output("git", &["rev-parse", "--short", "HEAD"]),
            crates: locked_versions(
                &std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default(),
            ),
        }
    }
}

/// The versions of the peers and of criterion that `Cargo.lock` pins, as
/// `name version, …`.
fn locked_versions(lock: &str) -> String {
    let mut versions = Vec::new();
    for krate in PEERS.into_iter().chain(["criterion"]) {
        let name = format!("name = \"{krate}\"\nversion = \"");
        for (start, _) in lock.match_indices(&name) {
            let rest = &lock[start + name.len()..];
            versions.push(format!("{krate} {}", &rest[..rest.find('"').unwrap_or(0)]));
        }
    }
    versions.join(", ")
}

/// `YYYY-MM-DD` of a Unix time (the civil-from-days algorithm of H. Hinnant).
fn utc_date(secs: u64) -> String {
    let days = (secs / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

struct Report {
    results: Results,
    memory: Memory,
    growth: growth::Growth,
    side_by_side: two_threads::SideBySide,
    compile_time: Vec<compile_time::Row>,
    machine: Machine,
    mode: String,
}

/// The columns of the medians table: ours, the peers, the floor.
fn columns() -> impl Iterator<Item = &'static str> {
    std::iter::once(OURS).chain(PEERS).chain(std::iter::once(FLOOR))
}

impl Report {
    fn render(&self, plot: Option<&str>) -> String {
        let mut out = String::new();
        let m = &self.machine;
        let settings = if self.mode == "quick" {
            format!("quick (`{}`)", QUICK_ARGS.join(" "))
        } else {
            "criterion defaults".to_owned()
        };
        let _ = write!(
            out,
            "# Benchmarks\n\n\
             Written by `cargo xtask bench` from one run of `cargo bench -p metrics-bench`; every \
             figure below comes from that run (criterion medians, the figures `benches/memory.rs` \
             and `benches/growth.rs` write, and the compile times of generated crates). \
             The machine is shared and noisy: compare the ratios within this run, not absolute \
             times across runs.\n\n\
             | | |\n|---|---|\n\
             | CPU | {} |\n| cores | {} |\n| date (UTC) | {} |\n| rustc | {} |\n\
             | commit | {} |\n| crates | {} |\n| criterion settings | {settings} |\n\n",
            m.cpu, m.cores, m.date, m.rustc, m.commit, m.crates
        );
        out.push_str(NOTES);
        self.render_medians(&mut out);
        self.render_ratios(&mut out);
        self.render_side_by_side(&mut out);
        self.render_bytes(&mut out);
        self.render_scrape(&mut out);
        self.render_memory(&mut out);
        self.render_growth(&mut out, plot);
        self.render_compile_time(&mut out);
        self.render_targets(&mut out);
        out
    }

    /// Every (group, row) present, in report order.
    fn rows(&self) -> Vec<(String, &Cells)> {
        let known = GROUPS.iter().map(|(g, _)| *g);
        let unknown =
            self.results.keys().map(String::as_str).filter(|g| !GROUPS.iter().any(|(k, _)| k == g));
        let mut rows = Vec::new();
        for group in known.chain(unknown) {
            let Some(group_rows) = self.results.get(group) else { continue };
            let title = GROUPS.iter().find(|(g, _)| *g == group).map_or(group, |(_, t)| *t);
            let mut ordered: Vec<_> = group_rows.iter().collect();
            // Text first, then OpenMetrics.
            ordered.sort_by_key(|(row, _)| (row.as_str() != "text", row.to_owned()));
            for (row, cells) in ordered {
                let label = if row.is_empty() {
                    format!("{title} (`{group}`)")
                } else {
                    format!("{title}, {row} (`{group}`)")
                };
                rows.push((label, cells));
            }
        }
        rows
    }

    fn render_medians(&self, out: &mut String) {
        out.push_str("## Medians\n\nTime per operation (per whole exposition for encoding).\n\n");
        table_header(out, "benchmark", columns());
        for (label, cells) in self.rows() {
            let values = columns().map(|c| match cells.get(c) {
                Some((id, m)) if c == FLOOR => format!("{} (`{id}`)", duration(m.median_ns)),
                Some((_, m)) => duration(m.median_ns),
                None => "–".to_owned(),
            });
            table_row(out, &label, values);
        }
        out.push('\n');
    }

    fn render_ratios(&self, out: &mut String) {
        out.push_str("## Ratios, ours / peer\n\nBelow 1.00 we are faster. Same run, same row.\n\n");
        let peers = || PEERS.into_iter().chain(std::iter::once(FLOOR));
        table_header(out, "benchmark", peers());
        for (label, cells) in self.rows() {
            let Some((_, ours)) = cells.get(OURS) else { continue };
            let values = peers().map(|c| match cells.get(c) {
                Some((_, peer)) => format!("{:.2}x", ours.median_ns / peer.median_ns),
                None => "–".to_owned(),
            });
            table_row(out, &label, values);
        }
        out.push('\n');
    }

    fn render_bytes(&self, out: &mut String) {
        let rows: Vec<_> = self
            .rows()
            .into_iter()
            .filter(|(_, cells)| cells.values().any(|(_, m)| m.bytes.is_some()))
            .collect();
        if rows.is_empty() {
            return;
        }
        out.push_str(
            "## Exposition sizes\n\nBytes of one exposition, as each crate writes it.\n\n",
        );
        table_header(out, "exposition", std::iter::once(OURS).chain(PEERS));
        for (label, cells) in rows {
            let values = std::iter::once(OURS).chain(PEERS).map(|c| {
                match cells.get(c).and_then(|(_, m)| m.bytes) {
                    Some(bytes) => bytes.to_string(),
                    None => "–".to_owned(),
                }
            });
            table_row(out, &label, values);
        }
        out.push('\n');
    }

    fn render_memory(&self, out: &mut String) {
        out.push_str(
            "## Memory\n\nHeap bytes kept per series (a counting global allocator; the family's \
             total divided by its series). String-labelled families have one `route` label \
             (`/api/v1/items/<i>`); typed families two enum labels, every combination.\n\n",
        );
        let mut families: Vec<(&str, u64)> = Vec::new();
        for ((family, _), (series, _)) in &self.memory {
            if !families.iter().any(|(f, _)| f == family) {
                families.push((family, *series));
            }
        }
        if families.is_empty() {
            out.push_str("No memory figures were written by this run.\n\n");
            return;
        }
        table_header(out, "series", std::iter::once(OURS).chain(PEERS));
        for (family, series) in families {
            let values = std::iter::once(OURS).chain(PEERS).map(|c| {
                match self.memory.get(&(family.to_owned(), c.to_owned())) {
                    Some((_, bytes)) => format!("{bytes:.1}"),
                    None => "–".to_owned(),
                }
            });
            let title =
                MEMORY_FAMILIES.iter().find(|(f, _)| *f == family).map_or(family, |(_, t)| t);
            table_row(out, &format!("{title} ({series} series)"), values);
        }
        out.push('\n');
    }

    fn median(&self, group: &str, row: &str, column: &str) -> Option<f64> {
        Some(self.results.get(group)?.get(row)?.get(column)?.1.median_ns)
    }
}

fn table_header<'a>(out: &mut String, first: &str, columns: impl Iterator<Item = &'a str>) {
    let columns: Vec<&str> = columns.collect();
    let _ = writeln!(out, "| {first} | {} |", columns.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(columns.len()));
}

fn table_row(out: &mut String, label: &str, values: impl Iterator<Item = String>) {
    let values: Vec<String> = values.collect();
    let _ = writeln!(out, "| {label} | {} |", values.join(" | "));
}

/// A duration in nanoseconds, with a unit that keeps three or four digits.
fn duration(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.2} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{:.2} ms", ns / 1_000_000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_767_225_600), "2026-01-01");
    }

    #[test]
    fn versions_from_the_lock() {
        let lock = "[[package]]\nname = \"measured\"\nversion = \"0.0.25\"\n\n\
                    [[package]]\nname = \"measured-derive\"\nversion = \"0.0.25\"\n";
        assert_eq!(locked_versions(lock), "measured 0.0.25");
    }

    #[test]
    fn memory_lines() {
        let memory = parse_memory("counter\tmeasured\t10000\t120.5\nbad line\n");
        assert_eq!(memory.get(&("counter".into(), "measured".into())), Some(&(10_000, 120.5)));
        assert_eq!(memory.len(), 1);
    }
}
