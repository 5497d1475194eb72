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
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
const GROUPS: [(&str, &str); 14] = [
    ("counter_inc", "counter increment, handle held"),
    ("counter_inc_2threads", "counter increment, 2 threads on one counter"),
    ("family_typed_2labels", "counter increment, 2 enum labels resolved per call"),
    ("family_dynamic_2labels", "counter increment, 2 string labels resolved per call"),
    ("histogram_observe", "histogram observe (12 buckets), handle held"),
    ("histogram_typed_2labels", "histogram observe, 2 enum labels resolved per call"),
    ("histogram_dynamic_2labels", "histogram observe, 2 string labels resolved per call"),
    ("histogram_timer", "histogram timer: start, stop, observe"),
    ("timed_trivial_function", "a trivial function timed the idiomatic way (ours: `#[timed]`)"),
    ("timed_trivial_function_fast_clock", "a trivial function under `#[timed(fast_clock)]`"),
    ("http_layer_axum_request", "one request through an axum router (floor: a no-op layer)"),
    ("http_layer_bare_service", "one request through a bare tower service, paths normalised"),
    ("encode_counter_10k", "encode a 10,000-series counter family"),
    ("encode_histogram_1k", "encode a 1,000-series histogram family (12 buckets)"),
];

/// How each crate is driven, so that a reader can judge the rows.
const NOTES: &str = "\
How each crate is used (`benches/`):

- Times are the benchmark thread's CPU time (`benches/cpu_time.rs`), except the 2-thread
  rows (wall-clock): on this shared machine wall-clock time also counts the moments the
  thread waits for a core, which lands in whichever row happens to be running.
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
- Floors: a bare `AtomicU64::fetch_add(1, Relaxed)`; two `Instant::now()` reads.

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

fn bench(quick: bool, no_run: bool) -> Result<PathBuf, String> {
    let root = workspace_root();
    let criterion = criterion_dir(&root);
    let stamp_file = criterion.join("metrics-bench-run");
    let memory_file = criterion.join("metrics-bench-memory.tsv");
    if !no_run {
        std::fs::create_dir_all(&criterion).map_err(|e| format!("{}: {e}", criterion.display()))?;
        let mode = if quick { "quick" } else { "full" };
        let stamp = format!("{} {mode}\n", now_secs());
        std::fs::write(&stamp_file, stamp).map_err(|e| format!("{}: {e}", stamp_file.display()))?;
        let _ = std::fs::remove_file(&memory_file);
        run_cargo_bench(&root, quick, &memory_file)?;
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
    let memory = std::fs::read_to_string(&memory_file)
        .map(|text| parse_memory(&text))
        .map_err(|e| format!("{}: {e}", memory_file.display()))?;
    let report = Report { results, memory, machine: Machine::probe(&root), mode: mode.to_owned() };
    let path = root.join("BENCHMARKS.md");
    std::fs::write(&path, report.render()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
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

fn run_cargo_bench(root: &Path, quick: bool, memory_file: &Path) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(root).args(["bench", "-p", "metrics-bench", "--"]);
    if quick {
        command.args(QUICK_ARGS);
    }
    command.env("METRICS_BENCH_MEMORY", memory_file);
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
    let read = |path: &Path| -> Result<json::Value, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        json::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let benchmark = read(&dir.join("benchmark.json"))?;
    let estimates = read(&estimates_path)?;
    let text = |key: &str| benchmark.get(key).and_then(json::Value::as_str).map(str::to_owned);
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
        .and_then(json::Value::as_f64)
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
    machine: Machine,
    mode: String,
}

/// The columns of the medians table: ours, the peers, the floor.
fn columns() -> impl Iterator<Item = &'static str> {
    std::iter::once(OURS).chain(PEERS).chain(std::iter::once(FLOOR))
}

impl Report {
    fn render(&self) -> String {
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
             figure below comes from that run (criterion medians, `benches/memory.rs` counts). \
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
        self.render_bytes(&mut out);
        self.render_memory(&mut out);
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
             total divided by its series; label values are one `route` string each).\n\n",
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
            table_row(out, &format!("{family} ({series} series)"), values);
        }
        out.push('\n');
    }

    fn median(&self, group: &str, row: &str, column: &str) -> Option<f64> {
        Some(self.results.get(group)?.get(row)?.get(column)?.1.median_ns)
    }

    /// The fastest peer of a row, with its name.
    fn fastest_peer(&self, group: &str, row: &str) -> Option<(&'static str, f64)> {
        PEERS
            .into_iter()
            .filter_map(|p| Some((p, self.median(group, row, p)?)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The other side of a target: its name and figure.
    fn against(&self, target: &Target) -> Option<(String, f64)> {
        let (group, row) = (target.group, target.row);
        match target.against {
            Against::Floor(name) => Some((name.to_owned(), self.median(group, row, FLOOR)?)),
            Against::Peer(peer) => Some((peer.to_owned(), self.median(group, row, peer)?)),
            Against::FastestPeer => {
                let (peer, median) = self.fastest_peer(group, row)?;
                Some((format!("{peer} (fastest peer)"), median))
            }
        }
    }

    /// `#[timed]` on a trivial function costs at most two `Instant::now()` reads plus
    /// 15 ns; with the fast clock, less than the two reads.
    fn render_timed_target(&self, out: &mut String, group: &str) {
        let (ours, floor) = (self.median(group, "", OURS), self.median(group, "", FLOOR));
        let fast = group.ends_with("fast_clock");
        let name = if fast {
            "`#[timed(fast_clock)]` trivial function < two `Instant::now()` reads"
        } else {
            "`#[timed]` trivial function ≤ two `Instant::now()` reads + 15 ns"
        };
        let (Some(ours), Some(floor)) = (ours, floor) else {
            let _ = writeln!(out, "- **not measured**: {name}");
            return;
        };
        let limit = if fast { floor } else { floor + 15.0 };
        let verdict = if ours <= limit { "**met**" } else { "**missed**" };
        let _ = writeln!(
            out,
            "- {verdict}: {name}: ours {} vs two reads {} (+{})",
            duration(ours),
            duration(floor),
            duration(ours - floor)
        );
    }

    fn render_targets(&self, out: &mut String) {
        out.push_str("## Targets\n\n");
        for target in &TARGETS {
            let ours = self.median(target.group, target.row, OURS);
            target_line(out, target.name, target.limit, ours, self.against(target), duration);
        }
        let memory = |krate: &str| {
            self.memory.get(&("counter".to_owned(), krate.to_owned())).map(|(_, b)| *b)
        };
        for group in ["timed_trivial_function", "timed_trivial_function_fast_clock"] {
            self.render_timed_target(out, group);
        }
        let measured = memory("measured").map(|b| ("measured".to_owned(), b));
        let bytes = |b: f64| format!("{b:.1} B");
        let name = "heap bytes per counter series ≤ measured's";
        target_line(out, name, 1.0, memory(OURS), measured, bytes);
        out.push('\n');
    }
}

/// What a target compares our median with.
#[derive(Debug, Clone, Copy)]
enum Against {
    /// The group's floor benchmark, described.
    Floor(&'static str),
    /// One peer.
    Peer(&'static str),
    /// Whichever peer is fastest in this run.
    FastestPeer,
}

/// A target: our median in `group`/`row` at most `limit` times the other side's.
#[derive(Debug, Clone, Copy)]
struct Target {
    name: &'static str,
    group: &'static str,
    row: &'static str,
    limit: f64,
    against: Against,
}

const TARGETS: [Target; 5] = [
    Target {
        name: "counter increment ≤ 1.1x a bare atomic add",
        group: "counter_inc",
        row: "",
        limit: 1.1,
        against: Against::Floor("bare `AtomicU64::fetch_add`"),
    },
    Target {
        name: "typed 2-label increment ≤ measured's",
        group: "family_typed_2labels",
        row: "",
        limit: 1.0,
        against: Against::Peer("measured"),
    },
    Target {
        name: "dynamic 2-label increment ≤ 0.5x the fastest peer's",
        group: "family_dynamic_2labels",
        row: "",
        limit: 0.5,
        against: Against::FastestPeer,
    },
    Target {
        name: "histogram observe ≤ the fastest peer's",
        group: "histogram_observe",
        row: "",
        limit: 1.0,
        against: Against::FastestPeer,
    },
    Target {
        name: "encoding 10k counter series (text) ≤ measured's",
        group: "encode_counter_10k",
        row: "text",
        limit: 1.0,
        against: Against::Peer("measured"),
    },
];

/// One line of the targets section: met or missed, with both figures and the ratio.
fn target_line(
    out: &mut String,
    name: &str,
    limit: f64,
    ours: Option<f64>,
    other: Option<(String, f64)>,
    unit: fn(f64) -> String,
) {
    let (Some(ours), Some((who, theirs))) = (ours, other) else {
        let _ = writeln!(out, "- **not measured**: {name}");
        return;
    };
    let ratio = ours / theirs;
    let verdict = if ratio <= limit { "**met**" } else { "**missed**" };
    let _ = writeln!(
        out,
        "- {verdict}: {name}: ours {} vs {who} {}: {ratio:.2}x (target ≤ {limit:.2}x)",
        unit(ours),
        unit(theirs)
    );
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

/// Just enough JSON to read criterion's output files.
mod json {
    /// A parsed JSON value.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Value {
        Null,
        Bool(bool),
        Number(f64),
        String(String),
        Array(Vec<Value>),
        Object(Vec<(String, Value)>),
    }

    impl Value {
        pub fn get(&self, key: &str) -> Option<&Value> {
            match self {
                Value::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
                _ => None,
            }
        }

        pub fn as_str(&self) -> Option<&str> {
            match self {
                Value::String(s) => Some(s),
                _ => None,
            }
        }

        pub fn as_f64(&self) -> Option<f64> {
            match self {
                Value::Number(n) => Some(*n),
                _ => None,
            }
        }
    }

    pub fn parse(text: &str) -> Result<Value, String> {
        let mut parser = Parser { bytes: text.as_bytes(), pos: 0 };
        let value = parser.value()?;
        parser.skip_whitespace();
        if parser.pos == parser.bytes.len() {
            Ok(value)
        } else {
            Err(format!("trailing characters at byte {}", parser.pos))
        }
    }

    struct Parser<'a> {
        bytes: &'a [u8],
        pos: usize,
    }

    impl Parser<'_> {
        fn skip_whitespace(&mut self) {
            while self.bytes.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
                self.pos += 1;
            }
        }

        fn error<T>(&self, what: &str) -> Result<T, String> {
            Err(format!("{what} at byte {}", self.pos))
        }

        fn eat(&mut self, byte: u8) -> bool {
            self.skip_whitespace();
            if self.bytes.get(self.pos) == Some(&byte) {
                self.pos += 1;
                true
            } else {
                false
            }
        }

        fn value(&mut self) -> Result<Value, String> {
            self.skip_whitespace();
            let rest = &self.bytes[self.pos..];
            for (word, value) in
                [("null", Value::Null), ("true", Value::Bool(true)), ("false", Value::Bool(false))]
            {
                if rest.starts_with(word.as_bytes()) {
                    self.pos += word.len();
                    return Ok(value);
                }
            }
            match rest.first() {
                Some(b'"') => self.string().map(Value::String),
                Some(b'[') => {
                    self.pos += 1;
                    let mut items = Vec::new();
                    if !self.eat(b']') {
                        loop {
                            items.push(self.value()?);
                            if self.eat(b']') {
                                break;
                            }
                            if !self.eat(b',') {
                                return self.error("expected `,` or `]`");
                            }
                        }
                    }
                    Ok(Value::Array(items))
                }
                Some(b'{') => {
                    self.pos += 1;
                    let mut fields = Vec::new();
                    if !self.eat(b'}') {
                        loop {
                            self.skip_whitespace();
                            let key = self.string()?;
                            if !self.eat(b':') {
                                return self.error("expected `:`");
                            }
                            fields.push((key, self.value()?));
                            if self.eat(b'}') {
                                break;
                            }
                            if !self.eat(b',') {
                                return self.error("expected `,` or `}`");
                            }
                        }
                    }
                    Ok(Value::Object(fields))
                }
                Some(_) => self.number(),
                None => self.error("unexpected end"),
            }
        }

        fn number(&mut self) -> Result<Value, String> {
            let start = self.pos;
            while self.bytes.get(self.pos).is_some_and(|b| {
                b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')
            }) {
                self.pos += 1;
            }
            let text = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or("");
            match text.parse() {
                Ok(n) => Ok(Value::Number(n)),
                Err(_) => self.error("expected a value"),
            }
        }

        fn string(&mut self) -> Result<String, String> {
            if self.bytes.get(self.pos) != Some(&b'"') {
                return self.error("expected a string");
            }
            self.pos += 1;
            let mut out = Vec::new();
            loop {
                match self.bytes.get(self.pos) {
                    None => return self.error("unterminated string"),
                    Some(b'"') => {
                        self.pos += 1;
                        return String::from_utf8(out).map_err(|e| e.to_string());
                    }
                    Some(b'\\') => {
                        let escaped = self.bytes.get(self.pos + 1).copied();
                        self.pos += 2;
                        match escaped {
                            Some(b'n') => out.push(b'\n'),
                            Some(b't') => out.push(b'\t'),
                            Some(b'r') => out.push(b'\r'),
                            Some(b'b') => out.push(0x08),
                            Some(b'f') => out.push(0x0c),
                            Some(b'u') => {
                                let hex = self.bytes.get(self.pos..self.pos + 4).unwrap_or(b"");
                                let code = std::str::from_utf8(hex)
                                    .ok()
                                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                                    .and_then(char::from_u32)
                                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                                self.pos += 4;
                                let mut buf = [0; 4];
                                out.extend_from_slice(code.encode_utf8(&mut buf).as_bytes());
                            }
                            Some(other) => out.push(other),
                            None => return self.error("unterminated escape"),
                        }
                    }
                    Some(&byte) => {
                        out.push(byte);
                        self.pos += 1;
                    }
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn reads_criterion_estimates() {
            let text = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.5,"upper_bound":2.5},"point_estimate":2.0,"standard_error":0.1},"median":{"point_estimate":1.25e1,"standard_error":null}}"#;
            let value = parse(text).unwrap();
            let median = value.get("median").and_then(|m| m.get("point_estimate"));
            assert_eq!(median.and_then(Value::as_f64), Some(12.5));
        }

        #[test]
        fn reads_strings_and_arrays() {
            let value =
                parse(r#"{"id":"a\"b\u00e9","list":[1, true, null],"t":{"Bytes":42}}"#).unwrap();
            assert_eq!(value.get("id").and_then(Value::as_str), Some("a\"bé"));
            assert_eq!(
                value.get("t").and_then(|t| t.get("Bytes")).and_then(Value::as_f64),
                Some(42.0)
            );
            assert!(parse("{\"a\":1,}").is_err());
        }
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
