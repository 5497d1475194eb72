//! Operations files generated from the catalogue: a Grafana dashboard, Prometheus
//! alerting and recording rules, a scrape config, and `promtool` unit tests of the
//! alerts.
//!
//! Every family a binary declares (`#[derive(Metrics)]`, in [`catalogue()`]) and
//! every `#[timed]` function (in [`timed_functions()`]) is known at link time with
//! its type, labels, buckets, unit and [objective](crate::Objective), so the files
//! that query them are written from the same facts, and cannot drift from the code:
//!
//! | file | what |
//! |---|---|
//! | `dashboard.json` | a Grafana dashboard (schema 39): a Prometheus data-source variable, `job` and `instance` variables, a row per metrics struct and per module of `#[timed]` functions; rates for counters, calls by outcome, error ratio and p50/p90/p99 for functions, p50/p90/p99 for histograms, value and trend for gauges, in-flight calls, process and tokio runtime panels |
//! | `recording.yml` | the rates and quantiles the dashboard reads, and the bad-event ratios of every objective over each window its alerts read, named `level:metric:operations` |
//! | `alerts.yml` | `TargetDown` (`up == 0`), `TargetMissing`, `MetricFamilyAbsent` per family, and for each objective the SRE workbook's multi-window, multi-burn-rate `ErrorBudgetBurn` / `LatencyBudgetBurn` (page and ticket), with severities and runbook annotations |
//! | `prometheus.yml` | a scrape config for the job: target, path, interval, basic auth, the two rule files |
//! | `tests.yml` | `promtool test rules` cases: synthetic series under which each alert fires when it should and stays silent when it should not |
//!
//! Check them with `promtool check config prometheus.yml` and
//! `promtool test rules tests.yml` (`cargo xtask generate --check` does both for
//! every example).
//!
//! ```
//! use metrics_runtime::{Histogram, Metrics, timed};
//! use metrics_runtime::ops::{self, Options, Selection};
//!
//! #[derive(Metrics)]
//! #[metrics(namespace = "docs_ops")]
//! struct Checkout {
//!     /// Time to pay.
//!     #[metric(unit = "seconds", objective(latency = "500ms", percentile = 99))]
//!     payment: Histogram,
//! }
//!
//! #[timed(objective(success = 99.9, latency = "250ms"))]
//! fn place_order() {}
//!
//! let options = Options::new("shop").target("shop.internal:9898");
//! let selection = Selection::all();
//! let alerts = ops::alerts(&selection, &options);
//! assert!(alerts.contains("alert: ErrorBudgetBurn"));
//! assert!(ops::dashboard(&selection, &options).contains("\"title\": \"Checkout\""));
//!
//! let dir = std::env::temp_dir().join("metrics-runtime-ops-doc");
//! let written = ops::write_all(&dir, &selection, &options)?;
//! assert_eq!(written.len(), 5);
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), metrics_runtime::ops::OpsError>(())
//! ```
//!
//! [`catalogue()`]: crate::catalogue()
//! [`timed_functions()`]: crate::timed::timed_functions

mod alerts;
mod dashboard;
mod json;
mod objective;
mod promql;
mod promtool_tests;
mod recording;
mod scrape;
mod value;
mod yaml;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use crate::descriptor::FamilyDescriptor;
use crate::timed::TimedDescriptor;

/// The families and `#[timed]` functions to generate for: the whole catalogue, or
/// a part of it (one metrics struct, one module).
///
/// ```
/// use metrics_runtime::ops::Selection;
///
/// let everything = Selection::all();
/// let shop = Selection::all().retain_families(|f| f.struct_name == "ShopMetrics");
/// let api = Selection::all().in_module("my_app::api");
/// # let _ = (everything, shop, api);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Selection {
    families: Vec<&'static FamilyDescriptor>,
    functions: Vec<&'static TimedDescriptor>,
}

impl Selection {
    /// Every family in [`catalogue()`](crate::catalogue()) and every function in
    /// [`timed_functions()`](crate::timed::timed_functions), in that order.
    pub fn all() -> Self {
        let mut selection = Self::empty();
        for family in crate::catalogue() {
            selection = selection.with_family(family);
        }
        for function in crate::timed::timed_functions() {
            selection = selection.with_function(function);
        }
        selection
    }

    /// Nothing, to add to with [`with_family`](Self::with_family) and
    /// [`with_function`](Self::with_function).
    pub fn empty() -> Self {
        Self::default()
    }

    /// Adds a family; one already selected (same name) is skipped.
    pub fn with_family(mut self, family: &'static FamilyDescriptor) -> Self {
        if !self.families.iter().any(|f| f.name == family.name) {
            self.families.push(family);
        }
        self
    }

    /// Adds a `#[timed]` function; one already selected (same families, module and
    /// name, which the exposition sums into one series) is skipped.
    pub fn with_function(mut self, function: &'static TimedDescriptor) -> Self {
        let stem = crate::timed::stem(function);
        let same = |f: &&TimedDescriptor| {
            f.module == function.module
                && f.function == function.function
                && crate::timed::stem(f) == stem
        };
        if !self.functions.iter().any(same) {
            self.functions.push(function);
        }
        self
    }

    /// Keeps the families for which `keep` is true.
    pub fn retain_families(mut self, mut keep: impl FnMut(&FamilyDescriptor) -> bool) -> Self {
        self.families.retain(|f| keep(f));
        self
    }

    /// Keeps the functions for which `keep` is true.
    pub fn retain_functions(mut self, mut keep: impl FnMut(&TimedDescriptor) -> bool) -> Self {
        self.functions.retain(|f| keep(f));
        self
    }

    /// The HTTP middleware's families as a binary feeds them: its catalogue entries,
    /// linked into every binary built with the `tower` feature whether or not a
    /// layer is ever built, are dropped, and `layer`'s families added under the names
    /// and buckets it registered them with (`aster_http_requests_total`). Without a
    /// layer, no HTTP panel or rule is generated: it would show no data, ever.
    ///
    /// ```
    /// use metrics_runtime::layer::{HttpFamily, HttpMetricsLayer};
    /// use metrics_runtime::ops::Selection;
    ///
    /// let none = Selection::all().http_layer(None);
    /// assert!(none.families().iter().all(|f| f.struct_name != "HttpMetricsLayer"));
    ///
    /// let layer = HttpMetricsLayer::builder().prefix("docs_http_layer").build()?;
    /// let some = Selection::all().http_layer(Some(&layer));
    /// let names: Vec<&str> = some.families().iter().map(|f| f.name).collect();
    /// assert!(names.contains(&"docs_http_layer_http_requests"));
    /// assert!(!names.contains(&HttpFamily::Requests.default_name()));
    /// # Ok::<(), metrics_runtime::layer::BuildError>(())
    /// ```
    #[cfg(feature = "tower")]
    pub fn http_layer(self, layer: Option<&crate::layer::HttpMetricsLayer>) -> Self {
        use crate::layer::HttpFamily;
        let defaults = HttpFamily::ALL.map(HttpFamily::default_name);
        let mut selection = self.retain_families(|f| !defaults.contains(&f.name));
        if let Some(layer) = layer {
            for family in HttpFamily::ALL {
                selection = selection.with_family(layer.descriptor(family));
            }
        }
        selection
    }

    /// Keeps what is declared in `module` or its submodules.
    pub fn in_module(self, module: &str) -> Self {
        let inside = |path: &str| {
            path == module || path.strip_prefix(module).is_some_and(|rest| rest.starts_with("::"))
        };
        self.retain_families(|f| inside(f.location.module)).retain_functions(|f| inside(f.module))
    }

    /// The selected families.
    pub fn families(&self) -> &[&'static FamilyDescriptor] {
        &self.families
    }

    /// The selected functions.
    pub fn functions(&self) -> &[&'static TimedDescriptor] {
        &self.functions
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.families.is_empty() && self.functions.is_empty()
    }
}

/// Basic-auth credentials Prometheus sends when scraping, as `prometheus.yml` names
/// them: the password stays in a file, out of the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// The user name.
    pub username: String,
    /// The file Prometheus reads the password from.
    pub password_file: String,
}

/// Where and how the application is scraped, and what the files call it.
///
/// ```
/// use std::time::Duration;
/// use metrics_runtime::ops::Options;
///
/// let options = Options::new("checkout")
///     .target("checkout-1:9898")
///     .target("checkout-2:9898")
///     .scrape_interval(Duration::from_secs(30))
///     .basic_auth("prometheus", "/etc/prometheus/checkout.password")
///     .runbook_url("https://runbooks.example.com/checkout")
///     .process_metrics(true);
/// assert_eq!(options.job(), "checkout");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    job: String,
    targets: Vec<String>,
    metrics_path: String,
    scrape_interval: Duration,
    basic_auth: Option<BasicAuth>,
    runbook_url: Option<String>,
    title: Option<String>,
    process_metrics: bool,
    tokio_metrics: bool,
}

impl Options {
    /// Options for the Prometheus job `job`, scraping `localhost:9898/metrics`
    /// every 15 s, without process or tokio panels.
    pub fn new(job: impl Into<String>) -> Self {
        Self {
            job: job.into(),
            targets: Vec::new(),
            metrics_path: "/metrics".to_owned(),
            scrape_interval: Duration::from_secs(15),
            basic_auth: None,
            runbook_url: None,
            title: None,
            process_metrics: false,
            tokio_metrics: false,
        }
    }

    /// Adds a `host:port` to scrape (`localhost:9898` when none is given).
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.targets.push(target.into());
        self
    }

    /// The path of the exposition (`/metrics`).
    pub fn metrics_path(mut self, path: impl Into<String>) -> Self {
        self.metrics_path = path.into();
        self
    }

    /// How often to scrape (15 s); rules are evaluated as often.
    pub fn scrape_interval(mut self, interval: Duration) -> Self {
        self.scrape_interval = interval;
        self
    }

    /// Basic auth for scraping, the password read from `password_file`.
    pub fn basic_auth(
        mut self,
        username: impl Into<String>,
        password_file: impl Into<String>,
    ) -> Self {
        self.basic_auth =
            Some(BasicAuth { username: username.into(), password_file: password_file.into() });
        self
    }

    /// A base URL of runbooks: alerts link to `{url}#{alertname}` (lowercase).
    /// Without it, the `runbook` annotation still says what to check.
    pub fn runbook_url(mut self, url: impl Into<String>) -> Self {
        self.runbook_url = Some(url.into());
        self
    }

    /// The dashboard's title (the job name by default).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Whether the application exposes the process metrics (CPU, memory, file
    /// descriptors, threads), which get a row of panels.
    pub fn process_metrics(mut self, on: bool) -> Self {
        self.process_metrics = on;
        self
    }

    /// Whether the application exposes the tokio runtime metrics, which get a row.
    pub fn tokio_metrics(mut self, on: bool) -> Self {
        self.tokio_metrics = on;
        self
    }

    /// The job name.
    pub fn job(&self) -> &str {
        &self.job
    }

    fn targets(&self) -> Vec<String> {
        if self.targets.is_empty() {
            vec!["localhost:9898".to_owned()]
        } else {
            self.targets.clone()
        }
    }

    fn title_or_job(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.job)
    }
}

/// Why files could not be generated or written.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// Nothing to generate for.
    #[error(
        "nothing to generate: the selection has no metric family and no #[timed] function; \
         declare some with #[derive(Metrics)] or #[timed], or select more"
    )]
    Empty,
    /// The job name cannot be a label value in the files.
    #[error(
        "the job name {0:?} is empty or has a control character; give a name such as \"checkout\""
    )]
    InvalidJob(String),
    /// The output directory could not be created.
    #[error("cannot create the directory {path}: {source}; check that it is writable")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}; check that the directory is writable and has space")]
    Write {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// One generated file: its name in the output directory and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// `dashboard.json`, `alerts.yml`, `recording.yml`, `prometheus.yml` or `tests.yml`.
    pub name: &'static str,
    /// The contents.
    pub contents: String,
}

/// The Grafana dashboard, as JSON.
///
/// ```
/// use metrics_runtime::ops::{self, Options, Selection};
/// # #[metrics_runtime::timed] fn pay() {}
/// let json = ops::dashboard(&Selection::all(), &Options::new("shop"));
/// assert!(json.contains("\"title\": \"pay: calls by outcome\""));
/// ```
pub fn dashboard(selection: &Selection, options: &Options) -> String {
    json::to_string(&dashboard::dashboard(selection, options))
}

/// The alerting rules, as a Prometheus rule file.
///
/// ```
/// use metrics_runtime::ops::{self, Options, Selection};
/// # #[metrics_runtime::timed(objective(success = 99.9))] fn pay() {}
/// let rules = ops::alerts(&Selection::all(), &Options::new("shop"));
/// assert!(rules.contains("alert: TargetDown"));
/// assert!(rules.contains("alert: ErrorBudgetBurn"));
/// ```
pub fn alerts(selection: &Selection, options: &Options) -> String {
    yaml::to_string(&alerts::alerts(selection, options))
}

/// The recording rules, as a Prometheus rule file.
///
/// ```
/// use metrics_runtime::ops::{self, Options, Selection};
/// # #[metrics_runtime::timed] fn pay() {}
/// let rules = ops::recording_rules(&Selection::all(), &Options::new("shop"));
/// assert!(rules.contains("record: job_instance_module_function_outcome:function_calls:rate5m"));
/// ```
pub fn recording_rules(selection: &Selection, options: &Options) -> String {
    yaml::to_string(&recording::recording_rules(selection, options))
}

/// The scrape config, as `prometheus.yml` that loads `recording.yml` and
/// `alerts.yml` from its own directory.
///
/// ```
/// use metrics_runtime::ops::{self, Options};
/// let yml = ops::scrape_config(&Options::new("shop").target("shop-1:9898"));
/// assert!(yml.contains("job_name: shop"));
/// assert!(yml.contains("- recording.yml"));
/// ```
pub fn scrape_config(options: &Options) -> String {
    yaml::to_string(&scrape::scrape_config(options))
}

/// The `promtool test rules` cases of the alerts, reading `recording.yml` and
/// `alerts.yml` from their own directory.
///
/// ```
/// use metrics_runtime::ops::{self, Options, Selection};
/// # #[metrics_runtime::timed(objective(success = 99.9))] fn pay() {}
/// let tests = ops::rule_tests(&Selection::all(), &Options::new("shop"));
/// assert!(tests.contains("alertname: ErrorBudgetBurn"));
/// ```
pub fn rule_tests(selection: &Selection, options: &Options) -> String {
    yaml::to_string(&promtool_tests::rule_tests(selection, options))
}

/// Every file, in memory: to serve them, or to write them elsewhere.
///
/// ```
/// use metrics_runtime::ops::{self, Options, Selection};
/// # #[metrics_runtime::timed] fn pay() {}
/// let files = ops::files(&Selection::all(), &Options::new("shop"))?;
/// let names: Vec<&str> = files.iter().map(|f| f.name).collect();
/// assert_eq!(names, ["dashboard.json", "alerts.yml", "recording.yml", "prometheus.yml", "tests.yml"]);
/// # Ok::<(), ops::OpsError>(())
/// ```
pub fn files(selection: &Selection, options: &Options) -> Result<Vec<GeneratedFile>, OpsError> {
    if selection.is_empty() {
        return Err(OpsError::Empty);
    }
    if options.job.is_empty() || options.job.chars().any(char::is_control) {
        return Err(OpsError::InvalidJob(options.job.clone()));
    }
    Ok(vec![
        GeneratedFile { name: "dashboard.json", contents: dashboard(selection, options) },
        GeneratedFile { name: "alerts.yml", contents: alerts(selection, options) },
        GeneratedFile { name: "recording.yml", contents: recording_rules(selection, options) },
        GeneratedFile { name: "prometheus.yml", contents: scrape_config(options) },
        GeneratedFile { name: "tests.yml", contents: rule_tests(selection, options) },
    ])
}

/// Writes every file into `dir` (created if needed); returns their paths.
pub fn write_all(
    dir: impl AsRef<Path>,
    selection: &Selection,
    options: &Options,
) -> Result<Vec<PathBuf>, OpsError> {
    let dir = dir.as_ref();
    let files = files(selection, options)?;
    std::fs::create_dir_all(dir)
        .map_err(|source| OpsError::CreateDir { path: dir.to_owned(), source })?;
    let mut written = Vec::with_capacity(files.len());
    for file in files {
        let path = dir.join(file.name);
        std::fs::write(&path, file.contents)
            .map_err(|source| OpsError::Write { path: path.clone(), source })?;
        written.push(path);
    }
    Ok(written)
}

/// For an application's `main`: when the process was started with
/// `--generate DIR`, writes every file for the whole catalogue into `DIR`, reports
/// on standard output (or error), and returns the exit code to end with; otherwise
/// returns `None` and the application goes on. The selection is
/// [`Selection::all`]; for a narrower one (an HTTP layer's families under its own
/// names, see `Selection::http_layer`), call [`write_all`] instead, as the
/// examples do (`cargo xtask generate` runs each with `--generate DIR`).
///
/// ```no_run
/// use std::process::ExitCode;
/// use metrics_runtime::ops::{self, Options};
///
/// fn main() -> ExitCode {
///     if let Some(code) = ops::generate_if_requested(&Options::new("shop")) {
///         return code;
///     }
///     // ... the application
///     ExitCode::SUCCESS
/// }
/// ```
pub fn generate_if_requested(options: &Options) -> Option<ExitCode> {
    let dir = generate_dir(std::env::args().skip(1))?;
    let Some(dir) = dir else {
        eprintln!("--generate needs a directory: --generate DIR");
        return Some(ExitCode::from(2));
    };
    match write_all(&dir, &Selection::all(), options) {
        Ok(paths) => {
            for path in paths {
                println!("{}", path.display());
            }
            Some(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("--generate: {error}");
            Some(ExitCode::FAILURE)
        }
    }
}

/// `Some(Some(dir))` for `--generate DIR` or `--generate=DIR`, `Some(None)` for
/// the flag without a directory, `None` without the flag.
fn generate_dir(args: impl IntoIterator<Item = String>) -> Option<Option<PathBuf>> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--generate" {
            return Some(args.next().filter(|dir| !dir.starts_with("--")).map(PathBuf::from));
        }
        if let Some(dir) = arg.strip_prefix("--generate=") {
            return Some((!dir.is_empty()).then(|| PathBuf::from(dir)));
        }
    }
    None
}

/// `15s`, `1m30s`, `500ms`: a duration as Prometheus writes one.
fn prometheus_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis == 0 {
        return "0s".to_owned();
    }
    if !millis.is_multiple_of(1000) {
        return format!("{millis}ms");
    }
    let seconds = millis / 1000;
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generate_flag() {
        let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(generate_dir(args(&["--listen", "x"])), None);
        assert_eq!(generate_dir(args(&["--generate", "out"])), Some(Some("out".into())));
        assert_eq!(generate_dir(args(&["--generate=out/q"])), Some(Some("out/q".into())));
        assert_eq!(generate_dir(args(&["--generate"])), Some(None));
        assert_eq!(generate_dir(args(&["--generate", "--listen"])), Some(None));
    }

    #[test]
    fn durations_as_prometheus_writes_them() {
        assert_eq!(prometheus_duration(Duration::from_secs(15)), "15s");
        assert_eq!(prometheus_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(prometheus_duration(Duration::from_secs(3600)), "1h");
        assert_eq!(prometheus_duration(Duration::from_millis(500)), "500ms");
    }

    #[test]
    fn empty_selections_and_bad_jobs_are_refused() {
        let options = Options::new("shop");
        assert!(matches!(files(&Selection::empty(), &options), Err(OpsError::Empty)));
        let some = Selection::all();
        if !some.is_empty() {
            let bad = Options::new("");
            assert!(matches!(files(&some, &bad), Err(OpsError::InvalidJob(_))));
        }
    }
}
