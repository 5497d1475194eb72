//! `cargo xtask e2e`: every example served on loopback, scraped by a real
//! Prometheus, checked through its HTTP API and by `promtool`.
//!
//! Steps: find (or, as root on Debian, install) `prometheus` and `promtool`; build
//! the examples in one cargo call; list each one's families (`--catalogue`) and
//! PromQL queries (`--queries`), and have it write its operations files
//! (`--generate`); serve each on 127.0.0.1 (port 0, read back from
//! its first line), three instances of [`AGGREGATED`] to show aggregation, the
//! WebSocket bridge behind basic auth (`METRICS_BASIC_AUTH`); write a
//! `prometheus.yml` scraping them every second, loading every example's generated
//! `recording.yml` and `alerts.yml` evaluated every second, and start Prometheus on a free
//! loopback port with a temporary data directory and exemplar storage; wait until every target has
//! been scraped three times and the aggregated example's traffic has ended and
//! been scraped once more; then check, through the API, `up == 1` for every
//! target, series for every family, every query, the sum across instances, both
//! expositions of each example with `promtool`, and the generated files (every rule
//! healthy, every recording rule and dashboard panel with data, the alerts in the
//! state the traffic calls for: see [`ops`]), and the exemplars of the traced example
//! (see [`exemplars`]). Prints a table. Every process
//! started is stopped by its PID and every temporary file removed, on failure too.
//! Bounded by [`TIME_LIMIT`].

mod api;
mod exemplars;
mod exposition;
mod labels;
mod native;
mod ops;
mod process;
mod tools;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use api::{Api, Sample, basic_authorization};
use exposition::Endpoint;
use process::{Started, TempDir, free_loopback_port, wait_until};
use tools::Tools;

/// The whole run, installation and build included, must finish within this.
const TIME_LIMIT: Duration = Duration::from_secs(300);
/// Scrapes Prometheus must have made of every target before the checks.
const SCRAPES: f64 = 3.0;

/// An example the run serves.
struct Spec {
    name: &'static str,
    /// Processes started, each a target of the example's job.
    instances: usize,
    /// Whether its endpoint wants Basic credentials, given in `METRICS_BASIC_AUTH`.
    basic_auth: bool,
}

/// Every example, in the order of the table. One not built (not yet in
/// `examples/Cargo.toml`) is skipped with a note.
const SPECS: &[Spec] = &[
    Spec { name: "quickstart", instances: 1, basic_auth: false },
    Spec { name: "axum_service", instances: 1, basic_auth: false },
    Spec { name: "websocket_bridge", instances: 1, basic_auth: true },
    Spec { name: "agent_api", instances: 3, basic_auth: false },
    Spec { name: "admin_backend", instances: 1, basic_auth: false },
    Spec { name: "websocket_app", instances: 1, basic_auth: false },
    Spec { name: "llm_gateway", instances: 1, basic_auth: false },
];

/// The example served three times. Its traffic is bounded and then stops (it
/// prints `traffic done`), so its counters stop moving: once Prometheus has
/// scraped every instance after that, the sum across instances in Prometheus must
/// equal, exactly, the sum of what the instances themselves expose.
const AGGREGATED: &str = "agent_api";
/// The family summed, and by what.
const AGGREGATED_SAMPLE: &str = "aster_http_requests_total";
const AGGREGATED_BY: &[&str] = &["method", "route", "status"];

/// The user Prometheus scrapes with where an example wants Basic credentials.
const SCRAPE_USER: &str = "prometheus";

/// Families every served example exposes beside its catalogue: process, tokio
/// runtime and build info.
const SERVED_FAMILIES: &[&str] = &[
    "build_info",
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "process_virtual_memory_bytes",
    "process_open_fds",
    "process_max_fds",
    "process_start_time_seconds",
    "process_threads",
    "tokio_workers",
    "tokio_alive_tasks",
    "tokio_global_queue_depth",
    "tokio_worker_busy_seconds_total",
    "tokio_worker_parks_total",
];

pub(crate) fn run() -> ExitCode {
    let started = Instant::now();
    match run_checked(started) {
        Ok(()) => {
            println!("xtask e2e: passed in {:.1} s", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!(
                "xtask e2e: FAILED after {:.1} s: {message}",
                started.elapsed().as_secs_f64()
            );
            ExitCode::FAILURE
        }
    }
}

/// A built example: what it declares, and its running instances.
struct Served {
    spec: &'static Spec,
    /// `(family, kind)` from `--catalogue`.
    catalogue: Vec<(String, String)>,
    /// `(name, expression)` from `--queries`.
    queries: Vec<(String, String)>,
    instances: Vec<Started>,
    endpoints: Vec<Endpoint>,
    /// Its operations files (`--generate`), whose rules the run's Prometheus loads.
    generated: ops::Generated,
}

fn run_checked(started: Instant) -> Result<(), String> {
    let deadline = started + TIME_LIMIT;
    let tools = Tools::find_or_install()?;
    let built = tools::build_examples()?;
    println!("xtask e2e: examples built in {:.1} s", started.elapsed().as_secs_f64());
    let temp = TempDir::new()?;
    let password = format!("e2e-{}", std::process::id());
    let credentials = format!("{SCRAPE_USER}:{password}");

    let mut served = Vec::new();
    let mut skipped = Vec::new();
    for spec in SPECS {
        let Some(executable) = built.get(spec.name) else {
            skipped.push(spec.name);
            continue;
        };
        served.push(start(spec, executable, &temp, &credentials, deadline)?);
    }
    for name in &skipped {
        println!("xtask e2e: SKIPPED {name}: not an example of the `examples` package yet");
    }

    let prometheus_addr = free_loopback_port()?;
    let config = temp.path.join("prometheus.yml");
    std::fs::write(&config, prometheus_config(&served, &password)).map_err(io("prometheus.yml"))?;
    let prometheus_log = temp.file("prometheus.log")?;
    let mut command = Command::new(&tools.prometheus);
    command
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", temp.path.join("data").display()))
        .arg(format!("--web.listen-address={prometheus_addr}"))
        .arg(exemplars::FEATURE)
        .arg(native::FEATURE)
        .stdin(Stdio::null())
        .stdout(Stdio::from(prometheus_log.try_clone().map_err(io("prometheus log"))?))
        .stderr(Stdio::from(prometheus_log));
    let prometheus_started = unix_now();
    let mut prometheus = Started::spawn("prometheus", &mut command)?;
    println!("xtask e2e: prometheus (pid {}) on http://{prometheus_addr}", prometheus.pid());
    let api = Api { addr: prometheus_addr };

    let result = (|| {
        let targets: usize = served.iter().map(|s| s.instances.len()).sum();
        wait_until(deadline, "Prometheus to be ready", || {
            prometheus.check_alive()?;
            Ok(api::http_get(prometheus_addr, "/-/ready", &[])
                .is_ok_and(|(status, _)| status == 200))
        })?;
        wait_until(deadline, "three scrapes of every target", || {
            prometheus.check_alive()?;
            for s in &mut served {
                for instance in &mut s.instances {
                    instance.check_alive()?;
                }
            }
            let scraped = api.query("count_over_time(up[10m])", None)?;
            Ok(scraped.len() == targets && scraped.iter().all(|s| s.value >= SCRAPES))
        })?;
        println!(
            "xtask e2e: {targets} targets scraped {SCRAPES} times after {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let aggregation = served
            .iter_mut()
            .find(|s| s.spec.name == AGGREGATED)
            .map(|aggregated| check_aggregation(&api, aggregated, deadline));
        let verdicts: Vec<ops::Verdict> = served
            .iter()
            .map(|s| {
                ops::check(&api, s.spec.name, &s.generated, deadline).unwrap_or_else(|e| {
                    ops::Verdict { failures: vec![e], ..ops::Verdict::default() }
                })
            })
            .collect();
        let mut report = check_examples(&api, &tools, &temp, &served, &verdicts, &skipped);
        println!("{}", report.table);
        // After the aggregation check, which waited for the traffic to end and for a
        // scrape after that: what the instances expose no longer changes.
        let traced = served.iter().find(|s| s.spec.name == exemplars::EXAMPLE);
        let exemplars = match (&aggregation, traced) {
            (Some(Ok(_)), Some(traced)) => {
                Some(exemplars::check(&api, &traced.endpoints, prometheus_started))
            }
            _ => None,
        };
        match aggregation {
            Some(Ok(line)) => println!("{line}"),
            Some(Err(e)) => report.failures.push(format!("{AGGREGATED}: aggregation: {e}")),
            None => println!("aggregation: not checked, {AGGREGATED} is not built"),
        }
        match exemplars {
            Some(Ok(line)) => println!("{line}"),
            Some(Err(e)) => report.failures.push(format!("{}: {e}", exemplars::EXAMPLE)),
            None => {
                println!("exemplars: not checked, {} did not end its traffic", exemplars::EXAMPLE)
            }
        }
        if served.iter().any(|s| s.spec.name == native::EXAMPLE) {
            match native::check(&api) {
                Ok(line) => println!("{line}"),
                Err(e) => report.failures.push(format!("{}: {e}", native::EXAMPLE)),
            }
        }
        if served.iter().any(|s| s.spec.name == labels::JOB) {
            match labels::check(&api) {
                Ok(line) => println!("{line}"),
                Err(e) => report.failures.push(format!("{}: {e}", labels::JOB)),
            }
        }
        if !skipped.is_empty() {
            println!("skipped (not built): {}", skipped.join(", "));
        }
        if report.failures.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} failure(s):\n  {}",
                report.failures.len(),
                report.failures.join("\n  ")
            ))
        }
    })();
    if result.is_err() {
        for s in &served {
            for n in 0..s.instances.len() {
                let log = temp.read(&log_name(s.spec.name, n));
                if !log.trim().is_empty() {
                    eprintln!(
                        "--- {} #{n} standard error (tail) ---\n{}",
                        s.spec.name,
                        tail_lines(&log, 20)
                    );
                }
            }
        }
        eprintln!(
            "--- prometheus log (tail) ---\n{}",
            tail_lines(&temp.read("prometheus.log"), 30)
        );
    }
    prometheus.stop();
    for s in &mut served {
        for instance in &mut s.instances {
            instance.stop();
        }
    }
    result
}

fn log_name(example: &str, instance: usize) -> String {
    format!("{example}-{instance}.log")
}

fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Lists an example's families and queries, and starts its instances.
fn start(
    spec: &'static Spec,
    executable: &Path,
    temp: &TempDir,
    credentials: &str,
    deadline: Instant,
) -> Result<Served, String> {
    let catalogue: Vec<(String, String)> = listing(executable, "--catalogue")?
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(n, k)| (n.to_owned(), k.to_owned())))
        .collect();
    if catalogue.is_empty() {
        return Err(format!("{}: the catalogue is empty", spec.name));
    }
    let queries = listing(executable, "--queries")?
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(n, q)| (n.to_owned(), q.to_owned())))
        .collect();
    let generated = ops::Generated::write(executable, &temp.path.join("ops").join(spec.name))
        .map_err(|e| format!("{}: {e}", spec.name))?;
    let mut served = Served {
        spec,
        catalogue,
        queries,
        instances: Vec::new(),
        endpoints: Vec::new(),
        generated,
    };
    for n in 0..spec.instances {
        let log = temp.file(&log_name(spec.name, n))?;
        let mut command = Command::new(executable);
        command
            .args(["--listen", "127.0.0.1:0", "--duration", &TIME_LIMIT.as_secs().to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        if spec.basic_auth {
            command.env("METRICS_BASIC_AUTH", credentials);
        }
        let mut instance = Started::spawn(&format!("{} #{n}", spec.name), &mut command)?;
        let (addr, path) =
            instance.served_endpoint(deadline.min(Instant::now() + Duration::from_secs(30)))?;
        println!(
            "xtask e2e: {} (pid {}) serves http://{addr}{path}",
            instance.name,
            instance.pid()
        );
        let authorization = spec.basic_auth.then(|| basic_authorization(credentials));
        served.endpoints.push(Endpoint { addr, path, authorization });
        served.instances.push(instance);
    }
    Ok(served)
}

/// What `executable FLAG` prints.
fn listing(executable: &Path, flag: &str) -> Result<String, String> {
    let out = Command::new(executable)
        .arg(flag)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{} {flag}: {e}", executable.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} {flag} failed: {}",
            executable.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn prometheus_config(served: &[Served], password: &str) -> String {
    let mut config = String::from(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n",
    );
    // Each example's generated rules, evaluated every second (their groups set no
    // interval of their own).
    config.push_str("rule_files:\n");
    for s in served {
        for file in s.generated.rule_files() {
            let _ = writeln!(config, "  - '{}'", file.display());
        }
    }
    config.push_str("scrape_configs:\n");
    for s in served {
        let path = s.endpoints.first().map_or("/metrics", |e| e.path.as_str());
        let _ = write!(config, "  - job_name: {}\n    metrics_path: {path}\n", s.spec.name);
        if s.spec.basic_auth {
            let _ = write!(
                config,
                "    basic_auth:\n      username: {SCRAPE_USER}\n      password: {password}\n"
            );
        }
        let targets: Vec<String> = s.endpoints.iter().map(|e| format!("'{}'", e.addr)).collect();
        let _ = writeln!(config, "    static_configs:\n      - targets: [{}]", targets.join(", "));
    }
    config
}

fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// Waits for the aggregated example's traffic to end and for Prometheus to scrape
/// every instance after that, then compares `sum by (..)` in Prometheus with the
/// sum of the instances' own expositions, series by series, exactly.
fn check_aggregation(api: &Api, served: &mut Served, deadline: Instant) -> Result<String, String> {
    let name = served.spec.name;
    for instance in &mut served.instances {
        instance.line_starting("traffic done", deadline)?;
    }
    let done = unix_now();
    let scraped_after = format!("min(timestamp(up{{job=\"{name}\"}}))");
    wait_until(deadline, "a scrape of every instance after its traffic ended", || {
        Ok(api.value(&scraped_after)?.is_some_and(|t| t > done))
    })?;
    let by = AGGREGATED_BY.join(", ");
    let expr = format!("sum by ({by}) ({AGGREGATED_SAMPLE}{{job=\"{name}\"}})");
    let in_prometheus: BTreeMap<Vec<String>, f64> = api
        .query(&expr, Some(unix_now()))?
        .into_iter()
        .map(|Sample { labels, value }| (key(&labels), value))
        .collect();
    let mut exposed: BTreeMap<Vec<String>, f64> = BTreeMap::new();
    for endpoint in &served.endpoints {
        for (labels, value) in exposition::samples(&endpoint.fetch(false)?, AGGREGATED_SAMPLE) {
            *exposed.entry(key(&labels)).or_default() += value;
        }
    }
    if in_prometheus.is_empty() || in_prometheus != exposed {
        let differ: Vec<String> = exposed
            .iter()
            .filter(|(k, v)| in_prometheus.get(*k) != Some(v))
            .map(|(k, v)| format!("{k:?}: exposed {v}, Prometheus {:?}", in_prometheus.get(k)))
            .chain(
                in_prometheus
                    .iter()
                    .filter(|(k, _)| !exposed.contains_key(*k))
                    .map(|(k, v)| format!("{k:?}: Prometheus {v}, not exposed")),
            )
            .take(5)
            .collect();
        return Err(format!(
            "{expr} differs from the sum of the expositions: {}",
            differ.join("; ")
        ));
    }
    let total: f64 = exposed.values().sum();
    Ok(format!(
        "aggregation: {expr} over {} instances = the sum of their expositions, in all {} series ({total} requests)",
        served.endpoints.len(),
        exposed.len(),
    ))
}

/// The values of the aggregation labels, in order.
fn key(labels: &BTreeMap<String, String>) -> Vec<String> {
    AGGREGATED_BY.iter().map(|l| labels.get(*l).cloned().unwrap_or_default()).collect()
}

/// The sample name Prometheus stores for a declared family.
fn sample_name(family: &str, kind: &str) -> String {
    match kind {
        "counter" => format!("{family}_total"),
        "histogram" => format!("{family}_bucket"),
        // One series of native histograms, named like the family.
        "native_histogram" => family.to_owned(),
        _ => family.to_owned(),
    }
}

struct Report {
    table: String,
    failures: Vec<String>,
}

/// `up`, families, queries and lint of every example: the table and the failures.
fn check_examples(
    api: &Api,
    tools: &Tools,
    temp: &TempDir,
    served: &[Served],
    verdicts: &[ops::Verdict],
    skipped: &[&str],
) -> Report {
    let mut failures = Vec::new();
    let mut rows = vec![
        [
            "example",
            "targets up",
            "families found / expected",
            "queries passing",
            "lint",
            "rules ok",
            "recorded",
            "panels with data",
            "alerts",
        ]
        .map(str::to_owned),
    ];
    for (s, verdict) in served.iter().zip(verdicts) {
        let name = s.spec.name;
        let mut fail = |what: String| failures.push(format!("{name}: {what}"));
        let up = match api.query(&format!("up{{job=\"{name}\"}}"), None) {
            Ok(samples) => samples.iter().filter(|s| s.value == 1.0).count(),
            Err(e) => {
                fail(e);
                0
            }
        };
        if up != s.instances.len() {
            fail(format!("{up} of {} targets up", s.instances.len()));
        }

        let present: BTreeSet<String> =
            match api.query(&format!("count by (__name__) ({{job=\"{name}\"}})"), None) {
                Ok(samples) => {
                    samples.into_iter().filter_map(|s| s.labels.get("__name__").cloned()).collect()
                }
                Err(e) => {
                    fail(e);
                    BTreeSet::new()
                }
            };
        let expected: Vec<String> = s
            .catalogue
            .iter()
            .map(|(family, kind)| sample_name(family, kind))
            .chain(SERVED_FAMILIES.iter().map(|f| (*f).to_owned()))
            .collect();
        let missing: Vec<&str> =
            expected.iter().filter(|f| !present.contains(*f)).map(String::as_str).collect();
        if !missing.is_empty() {
            fail(format!("no series for {}", missing.join(", ")));
        }

        let mut passing = 0;
        for (query, expr) in &s.queries {
            match evaluate(api, name, query, expr) {
                Ok(()) => passing += 1,
                Err(e) => fail(format!("query {query}: {e}")),
            }
        }

        let lint = match s.endpoints.first().map(|e| exposition::lint(tools, temp, name, e)) {
            Some(Ok(verdict)) => verdict,
            Some(Err(e)) => {
                fail(e);
                "FAILED".to_owned()
            }
            None => "-".to_owned(),
        };
        for failure in &verdict.failures {
            fail(failure.clone());
        }
        rows.push([
            name.to_owned(),
            format!("{up}/{}", s.instances.len()),
            format!("{}/{}", expected.len() - missing.len(), expected.len()),
            format!("{passing}/{}", s.queries.len()),
            lint,
            format!("{}/{}", verdict.rules_ok, verdict.rules),
            format!("{}/{}", verdict.recorded, verdict.recording_rules),
            format!("{}/{}", verdict.panels_with_data, verdict.panels),
            verdict.alerts_cell(),
        ]);
    }
    for name in skipped {
        let mut row = ["-"; 9].map(str::to_owned);
        row[0] = (*name).to_owned();
        row[1] = "skipped".to_owned();
        rows.push(row);
    }
    let widths: Vec<usize> =
        (0..9).map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0)).collect();
    let mut table = String::from("\n");
    for row in &rows {
        let cells: Vec<String> =
            row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        let _ = writeln!(table, "{}", cells.join("  ").trim_end());
    }
    Report { table, failures }
}

/// A query passes if Prometheus evaluates it, and, unless it is an alert
/// condition (`alert:` names, empty while the alert would not fire), returns a
/// number that is not NaN, from this example's job wherever the result keeps the
/// `job` label (several examples share family names such as
/// `http_requests_total`).
fn evaluate(api: &Api, job: &str, query: &str, expr: &str) -> Result<(), String> {
    let samples = api.query(expr, None)?;
    if query.starts_with("alert:") {
        return Ok(());
    }
    let labelled = samples.iter().any(|s| s.labels.contains_key("job"));
    let ours: Vec<&Sample> = samples
        .iter()
        .filter(|s| !labelled || s.labels.get("job").is_some_and(|j| j == job))
        .collect();
    if ours.is_empty() {
        return Err(format!("`{expr}` returned no series for job {job}"));
    }
    if ours.iter().all(|s| s.value.is_nan()) {
        return Err(format!("`{expr}` returned only NaN (no traffic in its window?)"));
    }
    Ok(())
}

fn io(what: &'static str) -> impl Fn(std::io::Error) -> String {
    move |e| format!("{what}: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_families_map_to_stored_sample_names() {
        assert_eq!(sample_name("shop_orders", "counter"), "shop_orders_total");
        assert_eq!(
            sample_name("shop_checkout_seconds", "histogram"),
            "shop_checkout_seconds_bucket"
        );
        assert_eq!(sample_name("shop_cart_items", "gauge"), "shop_cart_items");
    }

    #[test]
    fn every_example_is_listed_once_and_the_aggregated_one_runs_three_times() {
        let names: BTreeSet<&str> = SPECS.iter().map(|s| s.name).collect();
        assert_eq!(names.len(), SPECS.len());
        let aggregated = SPECS.iter().find(|s| s.name == AGGREGATED).unwrap();
        assert_eq!(aggregated.instances, 3);
    }
}
