//! `cargo xtask e2e`: the quickstart served on loopback, scraped by a real
//! Prometheus, checked through its HTTP API and by `promtool`.
//!
//! Steps: find (or, as root on Debian, install) `prometheus` and `promtool`; build
//! the quickstart; list its catalogue (`--catalogue`); serve it on 127.0.0.1 (port
//! 0, read back from its first line); check both expositions with `promtool`;
//! start Prometheus on a free loopback port with a temporary data directory,
//! scraping every second; wait for three scrapes; check `up == 1` and that every
//! family has series; print a table. Every process started is stopped by its PID and
//! every temporary file removed, on failure too. Bounded by [`TIME_LIMIT`].

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The whole run, installation and build included, must finish within this.
const TIME_LIMIT: Duration = Duration::from_secs(300);
/// Scrapes Prometheus must have made before the checks.
const SCRAPES: f64 = 3.0;
const JOB: &str = "quickstart";
/// What Prometheus sends; the server then answers in OpenMetrics.
const OPENMETRICS_ACCEPT: &str =
    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";

/// Families the quickstart serves beside its catalogue: `#[timed]`, process, tokio
/// and build info, as (sample name to look for, what they are).
const SERVED_FAMILIES: &[(&str, &str)] = &[
    ("function_calls_total", "timed"),
    ("function_duration_seconds_bucket", "timed"),
    ("function_calls_in_flight", "timed"),
    ("build_info", "build"),
    ("process_cpu_seconds_total", "process"),
    ("process_resident_memory_bytes", "process"),
    ("process_virtual_memory_bytes", "process"),
    ("process_open_fds", "process"),
    ("process_max_fds", "process"),
    ("process_start_time_seconds", "process"),
    ("process_threads", "process"),
    ("tokio_workers", "tokio"),
    ("tokio_alive_tasks", "tokio"),
    ("tokio_global_queue_depth", "tokio"),
    ("tokio_worker_busy_seconds_total", "tokio"),
    ("tokio_worker_parks_total", "tokio"),
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

fn run_checked(started: Instant) -> Result<(), String> {
    let deadline = started + TIME_LIMIT;
    let tools = Tools::find_or_install()?;
    let quickstart = build_quickstart()?;
    let catalogue = catalogue(&quickstart)?;
    let temp = TempDir::new()?;

    let mut app_log = temp.file("quickstart.log")?;
    let mut app = Command::new(&quickstart);
    app.args(["--listen", "127.0.0.1:0", "--duration", &TIME_LIMIT.as_secs().to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(app_log.try_clone().map_err(io("quickstart log"))?));
    let mut app = Started::spawn("quickstart", &mut app)?;
    let target = app.read_served_address(Duration::from_secs(30))?;
    println!("xtask e2e: quickstart (pid {}) serves http://{target}/metrics", app.pid());

    let exposition = check_expositions(&tools, &temp, target)?;

    let prometheus_addr = free_loopback_port()?;
    let config = temp.path.join("prometheus.yml");
    std::fs::write(&config, prometheus_config(target)).map_err(io("prometheus.yml"))?;
    let prometheus_log = temp.file("prometheus.log")?;
    let mut command = Command::new(&tools.prometheus);
    command
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", temp.path.join("data").display()))
        .arg(format!("--web.listen-address={prometheus_addr}"))
        .stdin(Stdio::null())
        .stdout(Stdio::from(prometheus_log.try_clone().map_err(io("prometheus log"))?))
        .stderr(Stdio::from(prometheus_log));
    let mut prometheus = Started::spawn("prometheus", &mut command)?;
    println!("xtask e2e: prometheus (pid {}) on http://{prometheus_addr}", prometheus.pid());
    let api = Api { addr: prometheus_addr };

    let result = (|| {
        wait_until(deadline, "Prometheus to be ready", || {
            prometheus.check_alive()?;
            Ok(http_get(prometheus_addr, "/-/ready", &[]).is_ok_and(|(status, _)| status == 200))
        })?;
        let scrapes = format!("count_over_time(up{{job=\"{JOB}\"}}[10m])");
        wait_until(deadline, "three scrapes of the quickstart", || {
            app.check_alive()?;
            prometheus.check_alive()?;
            Ok(api.value(&scrapes)?.is_some_and(|n| n >= SCRAPES))
        })?;
        check_through_api(&api, &catalogue, &exposition)
    })();
    if result.is_err() {
        let _ = app_log.flush();
        eprintln!("--- quickstart log ---\n{}", temp.read("quickstart.log"));
        eprintln!("--- prometheus log ---\n{}", temp.read("prometheus.log"));
    }
    prometheus.stop();
    app.stop();
    result
}

/// `up`, series per family, scrape figures: the table, then the verdict.
fn check_through_api(
    api: &Api,
    catalogue: &[(String, String)],
    exposition: &str,
) -> Result<(), String> {
    let mut failures = Vec::new();
    let up = api.value(&format!("up{{job=\"{JOB}\"}}"))?;
    if up != Some(1.0) {
        failures.push(format!("up{{job=\"{JOB}\"}} is {up:?}, not 1"));
    }
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let declared = catalogue
        .iter()
        .map(|(name, kind)| (sample_name(name, kind), format!("catalogue, {kind}")));
    let served =
        SERVED_FAMILIES.iter().map(|(name, what)| ((*name).to_owned(), (*what).to_owned()));
    for (sample, what) in declared.chain(served) {
        let series = api.value(&format!("count({{__name__=\"{sample}\",job=\"{JOB}\"}})"))?;
        let shown = series.map_or_else(|| "none".to_owned(), |n| n.to_string());
        if series.is_none_or(|n| n < 1.0) {
            failures.push(format!("{sample} has no series in Prometheus"));
        }
        rows.push((sample, what, shown));
    }
    let scrapes = api.value(&format!("count_over_time(up{{job=\"{JOB}\"}}[10m])"))?.unwrap_or(0.0);
    let duration = |f: &str| {
        api.value(&format!("{f}_over_time(scrape_duration_seconds{{job=\"{JOB}\"}}[10m])"))
            .map(|v| v.map_or_else(|| "?".to_owned(), |s| format!("{:.2} ms", s * 1e3)))
    };
    let samples = api.value(&format!("scrape_samples_scraped{{job=\"{JOB}\"}}"))?.unwrap_or(0.0);

    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(10).max(6);
    let mut table = format!("\n{:<width$}  {:<20}  {:>6}\n", "family", "from", "series");
    for (sample, what, series) in &rows {
        let _ = writeln!(table, "{sample:<width$}  {what:<20}  {series:>6}");
    }
    let _ = writeln!(
        table,
        "\nup = {}, {scrapes} scrapes, {samples} samples per scrape, scrape duration mean {} / max {}, \
         exposition {} bytes (OpenMetrics)",
        up.map_or_else(|| "none".to_owned(), |u| u.to_string()),
        duration("avg")?,
        duration("max")?,
        exposition.len(),
    );
    println!("{table}");
    if failures.is_empty() { Ok(()) } else { Err(failures.join("; ")) }
}

/// The sample name Prometheus stores for a declared family.
fn sample_name(family: &str, kind: &str) -> String {
    match kind {
        "counter" => format!("{family}_total"),
        "histogram" => format!("{family}_bucket"),
        _ => family.to_owned(),
    }
}

/// Both expositions through `promtool`: the text format with `check metrics`
/// (which parses and lints the text format only), OpenMetrics with the OpenMetrics
/// parser of `tsdb create-blocks-from openmetrics`, which needs a timestamp on
/// every sample, so one is appended. Returns the OpenMetrics exposition.
fn check_expositions(tools: &Tools, temp: &TempDir, target: SocketAddr) -> Result<String, String> {
    let (status, text) = http_get(target, "/metrics", &[])?;
    if status != 200 {
        return Err(format!("GET /metrics answered {status}"));
    }
    let text_file = temp.path.join("exposition.txt");
    std::fs::write(&text_file, &text).map_err(io("exposition.txt"))?;
    let stdin = std::fs::File::open(&text_file).map_err(io("exposition.txt"))?;
    let out = Command::new(&tools.promtool)
        .args(["check", "metrics"])
        .stdin(stdin)
        .output()
        .map_err(io("promtool check metrics"))?;
    if !out.status.success() {
        return Err(format!(
            "promtool check metrics refused the text exposition:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    println!("xtask e2e: promtool check metrics accepts the text format ({} bytes)", text.len());

    let (status, om) = http_get(target, "/metrics", &[("Accept", OPENMETRICS_ACCEPT)])?;
    let om =
        String::from_utf8(om).map_err(|e| format!("OpenMetrics exposition is not UTF-8: {e}"))?;
    if status != 200 || !om.ends_with("# EOF\n") {
        return Err(format!(
            "GET /metrics for OpenMetrics answered {status}, ending {:?}",
            om.get(om.len().saturating_sub(20)..)
        ));
    }
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let stamped: String = om
        .lines()
        .map(|line| {
            if line.starts_with('#') || line.is_empty() {
                format!("{line}\n")
            } else {
                format!("{line} {timestamp}\n")
            }
        })
        .collect();
    let om_file = temp.path.join("exposition.om");
    std::fs::write(&om_file, stamped).map_err(io("exposition.om"))?;
    let out = Command::new(&tools.promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&om_file)
        .arg(temp.path.join("blocks"))
        .output()
        .map_err(io("promtool tsdb create-blocks-from openmetrics"))?;
    if !out.status.success() {
        return Err(format!(
            "promtool's OpenMetrics parser refused the exposition:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    println!(
        "xtask e2e: promtool's OpenMetrics parser accepts the OpenMetrics format ({} bytes)",
        om.len()
    );
    Ok(om)
}

fn prometheus_config(target: SocketAddr) -> String {
    format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
         scrape_configs:\n  - job_name: {JOB}\n    static_configs:\n      - targets: ['{target}']\n"
    )
}

/// `prometheus` and `promtool`.
struct Tools {
    prometheus: PathBuf,
    promtool: PathBuf,
}

impl Tools {
    fn find() -> Option<Self> {
        Some(Self { prometheus: on_path("prometheus")?, promtool: on_path("promtool")? })
    }

    fn find_or_install() -> Result<Self, String> {
        if let Some(tools) = Self::find() {
            return Ok(tools);
        }
        let how = "install Prometheus 2.x with promtool (Debian/Ubuntu: `apt-get install prometheus`; \
                   elsewhere the release archive from the Prometheus project) and put `prometheus` \
                   and `promtool` on PATH";
        let debian = Path::new("/etc/debian_version").exists() && on_path("apt-get").is_some();
        if !(debian && is_root()) {
            return Err(format!("prometheus or promtool not found; {how}"));
        }
        println!("xtask e2e: installing prometheus with apt-get");
        for args in [
            &["update", "-qq"][..],
            &["install", "-y", "-qq", "--no-install-recommends", "prometheus"],
        ] {
            let status = Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdin(Stdio::null())
                .status()
                .map_err(io("apt-get"))?;
            if !status.success() {
                return Err(format!("`apt-get {}` failed ({status}); {how}", args.join(" ")));
            }
        }
        Self::find()
            .ok_or_else(|| format!("apt-get installed prometheus but it is not on PATH; {how}"))
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// Root, by the real user id in `/proc/self/status` (Linux; elsewhere, not root).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status.lines().any(|l| {
            l.strip_prefix("Uid:").and_then(|ids| ids.split_whitespace().next()) == Some("0")
        })
    })
}

/// Builds the quickstart and returns its executable, wherever the target dir is.
fn build_quickstart() -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace =
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().ok_or("xtask has no parent dir")?;
    let out = Command::new(cargo)
        .current_dir(workspace)
        .args([
            "build",
            "--quiet",
            "-p",
            "examples",
            "--example",
            "quickstart",
            "--message-format=json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(io("cargo build"))?;
    if !out.status.success() {
        return Err("building the quickstart failed (see above)".to_owned());
    }
    let messages = String::from_utf8_lossy(&out.stdout);
    messages
        .lines()
        .filter(|line| {
            line.contains("\"compiler-artifact\"") && line.contains("\"name\":\"quickstart\"")
        })
        .find_map(|line| {
            let start = line.find("\"executable\":\"")? + "\"executable\":\"".len();
            let end = start + line[start..].find('"')?;
            Some(PathBuf::from(&line[start..end]))
        })
        .ok_or_else(|| "cargo built the quickstart but named no executable".to_owned())
}

/// `(family, kind)` for every family in the quickstart's catalogue.
fn catalogue(quickstart: &Path) -> Result<Vec<(String, String)>, String> {
    let out = Command::new(quickstart)
        .arg("--catalogue")
        .output()
        .map_err(io("quickstart --catalogue"))?;
    if !out.status.success() {
        return Err(format!(
            "quickstart --catalogue failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let families: Vec<(String, String)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(n, k)| (n.to_owned(), k.to_owned())))
        .collect();
    if families.is_empty() {
        return Err("the quickstart's catalogue is empty".to_owned());
    }
    Ok(families)
}

/// A child process, killed by its PID and reaped when dropped.
struct Started {
    name: &'static str,
    child: Child,
}

impl Started {
    fn spawn(name: &'static str, command: &mut Command) -> Result<Self, String> {
        let child = command.spawn().map_err(|e| format!("could not start {name}: {e}"))?;
        Ok(Self { name, child })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn check_alive(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!("{} exited early ({status})", self.name)),
            Err(e) => Err(format!("{}: {e}", self.name)),
        }
    }

    /// Reads the first line of standard output, `serving http://ADDR/metrics ...`.
    fn read_served_address(&mut self, limit: Duration) -> Result<SocketAddr, String> {
        let stdout = self.child.stdout.take().ok_or("quickstart stdout not piped")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(limit)
            .map_err(|_| format!("quickstart said nothing within {limit:?}"))?;
        line.split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|addr| addr.parse().ok())
            .ok_or_else(|| format!("unexpected first line from quickstart: {line:?}"))
    }

    fn stop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A temporary directory, removed when dropped.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> Result<Self, String> {
        let path = std::env::temp_dir().join(format!("xtask-e2e-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).map_err(io("temporary directory"))?;
        Ok(Self { path })
    }

    fn file(&self, name: &str) -> Result<std::fs::File, String> {
        std::fs::File::create(self.path.join(name)).map_err(io("temporary file"))
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path.join(name)).unwrap_or_default()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn free_loopback_port() -> Result<SocketAddr, String> {
    // Bound then released: another process could take it in between, which on a
    // CI machine is unlikely enough; Prometheus would then fail to start, loudly.
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io("a free loopback port"))?;
    listener.local_addr().map_err(io("a free loopback port"))
}

/// Polls `ready` every 250 ms until it says yes or the deadline passes.
fn wait_until(
    deadline: Instant,
    what: &str,
    mut ready: impl FnMut() -> Result<bool, String>,
) -> Result<(), String> {
    loop {
        if ready()? {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!("gave up waiting for {what}"));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Prometheus' HTTP API.
struct Api {
    addr: SocketAddr,
}

impl Api {
    /// The first value of an instant query's result, `None` when it is empty.
    fn value(&self, expr: &str) -> Result<Option<f64>, String> {
        let (status, body) =
            http_get(self.addr, &format!("/api/v1/query?query={}", percent_encode(expr)), &[])?;
        let body = String::from_utf8_lossy(&body);
        if status != 200 || !body.contains("\"status\":\"success\"") {
            return Err(format!("query {expr} answered {status}: {body}"));
        }
        // {"status":"success","data":{"resultType":"vector","result":[{"metric":{..},"value":[1.7e9,"3"]}]}}
        let Some(at) = body.find("\"value\":[") else { return Ok(None) };
        let rest = &body[at..];
        let value = rest.split('"').nth(3).ok_or_else(|| format!("no value in {body}"))?;
        value.parse().map(Some).map_err(|e| format!("value {value:?} of {expr}: {e}"))
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A GET over HTTP/1.0 (no chunked replies), on loopback, with a time limit.
fn http_get(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(u16, Vec<u8>), String> {
    let limit = Duration::from_secs(10);
    let mut stream =
        TcpStream::connect_timeout(&addr, limit).map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_read_timeout(Some(limit)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(limit)).map_err(|e| e.to_string())?;
    let mut request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        let _ = write!(request, "{name}: {value}\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| format!("send to {addr}: {e}"))?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| format!("read from {addr}: {e}"))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no response head from {addr}"))?;
    let status = std::str::from_utf8(&raw[..split])
        .ok()
        .and_then(|head| head.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("bad status line from {addr}"))?;
    Ok((status, raw[split + 4..].to_vec()))
}

fn io(what: &'static str) -> impl Fn(std::io::Error) -> String {
    move |e| format!("{what}: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(percent_encode("up{job=\"a b\"}"), "up%7Bjob%3D%22a%20b%22%7D");
    }

    #[test]
    fn declared_families_map_to_stored_sample_names() {
        assert_eq!(sample_name("shop_orders", "counter"), "shop_orders_total");
        assert_eq!(
            sample_name("shop_checkout_seconds", "histogram"),
            "shop_checkout_seconds_bucket"
        );
        assert_eq!(sample_name("shop_cart_items", "gauge"), "shop_cart_items");
    }
}
