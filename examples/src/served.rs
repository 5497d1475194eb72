//! What the reference-system examples share: their flags, their `--catalogue` and
//! `--queries` listings, their `--generate DIR` operations files, and a bounded run
//! of simulated traffic whose exposition is printed once or served.

use std::future::Future;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use metrics_runtime::layer::{HttpFamily, HttpMetricsLayer};
use metrics_runtime::ops::{self, Options, Selection};
use metrics_runtime::serve::MetricsServerBuilder;
use metrics_runtime::{Format, MetricKind, build_info, catalogue};
use tokio::task::JoinSet;

use crate::ServeArgs;

/// How much traffic a run simulates: always bounded, in requests and in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    /// Requests (or other units of simulated work) sent in all.
    pub rounds: u32,
    /// Pause between two rounds.
    pub pace: Duration,
    /// Rounds under way at once, at most.
    pub concurrency: usize,
}

impl Load {
    /// Without `--listen`: a short burst, then the exposition is printed.
    pub const PRINT: Self = Self { rounds: 80, pace: Duration::ZERO, concurrency: 16 };
    /// With `--listen`: about ten seconds of traffic, so that Prometheus scrapes
    /// it several times, then none (the counters stop, the server goes on).
    pub const SERVE: Self = Self { rounds: 400, pace: Duration::from_millis(25), concurrency: 16 };

    /// Runs `self.rounds` rounds made by `round`, at most `self.concurrency` at once,
    /// `self.pace` apart, and waits until the last has finished. Returns the rounds run.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use std::sync::Arc;
    /// use examples::Load;
    ///
    /// let done = Arc::new(AtomicU32::new(0));
    /// let load = Load { rounds: 10, pace: std::time::Duration::ZERO, concurrency: 3 };
    /// let rounds = load
    ///     .run(|_| {
    ///         let done = done.clone();
    ///         async move { done.fetch_add(1, Ordering::Relaxed); }
    ///     })
    ///     .await;
    /// assert_eq!((rounds, done.load(Ordering::Relaxed)), (10, 10));
    /// # }
    /// ```
    pub async fn run<F, Fut>(self, mut round: F) -> u32
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let mut running = JoinSet::new();
        for n in 0..self.rounds {
            while running.len() >= self.concurrency.max(1) {
                running.join_next().await;
            }
            running.spawn(round(n));
            if !self.pace.is_zero() {
                tokio::time::sleep(self.pace).await;
            }
        }
        while running.join_next().await.is_some() {}
        self.rounds
    }
}

/// One reference-system example: what it lists, and how it serves.
///
/// `run` parses the flags, then: `--queries` prints the queries; `--catalogue` the
/// families; without `--listen` the traffic runs at [`Load::PRINT`] and the text
/// exposition is printed once; with it, `/metrics` (process, tokio and build
/// metrics included) is served while the traffic runs at [`Load::SERVE`], then
/// until `--duration` ends or Ctrl-C.
///
/// Served, it prints two lines that `cargo xtask e2e` reads: first
/// `serving http://ADDR/PATH ...`, and once the traffic has ended (its counters no
/// longer move) `traffic done: N rounds`.
#[derive(Debug)]
pub struct Example {
    /// Its name, in messages.
    pub name: &'static str,
    /// The PromQL queries it carries from its guide, as `(name, expression)`.
    pub queries: &'static [(&'static str, &'static str)],
    /// Its HTTP middleware, whose families it lists under their registered names.
    pub http: Option<HttpMetricsLayer>,
    /// Its `/metrics` server: path and authentication.
    pub server: MetricsServerBuilder,
    /// The path `server` serves the exposition on, for the first line and the
    /// generated scrape config.
    pub path: &'static str,
    /// Whether Prometheus must scrape it with Basic credentials: the generated
    /// scrape config then names a user and a password file.
    pub basic_auth: bool,
}

impl Example {
    /// An example serving `/metrics` without authentication.
    pub fn new(name: &'static str, queries: &'static [(&'static str, &'static str)]) -> Self {
        Self {
            name,
            queries,
            http: None,
            server: MetricsServerBuilder::default(),
            path: "/metrics",
            basic_auth: false,
        }
    }

    /// What its generated operations files say about scraping it: the job is its
    /// name, then its path and credentials, with the process and tokio panels (it
    /// serves both).
    pub fn ops_options(&self) -> Options {
        let options = ops_options(self.name, self.path);
        if self.basic_auth {
            // The password stays out of the config, in a file beside it.
            options.basic_auth("prometheus", format!("{}.password", self.name))
        } else {
            options
        }
    }

    /// Lists the families of this HTTP middleware under their registered names.
    pub fn http(mut self, layer: HttpMetricsLayer) -> Self {
        self.http = Some(layer);
        self
    }

    /// Parses the process's flags and does what they ask; `traffic` simulates the
    /// service under a [`Load`].
    pub async fn run<F, Fut>(self, traffic: F) -> ExitCode
    where
        F: FnOnce(Load) -> Fut,
        Fut: Future<Output = u32>,
    {
        let name = self.name;
        let args = match ServeArgs::from_env() {
            Ok(args) if args.duration.is_some() && args.listen.is_none() => {
                eprintln!("{name}: --duration needs --listen");
                return ExitCode::from(2);
            }
            Ok(args) => args,
            Err(message) => {
                eprintln!("{name}: {message}");
                return ExitCode::from(2);
            }
        };
        if let Some(dir) = &args.generate {
            return match generate(dir, &self.ops_options(), self.http.as_ref()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("{name}: --generate: {error}");
                    ExitCode::FAILURE
                }
            };
        }
        if args.queries {
            for (query, expr) in self.queries {
                println!("{query}\t{expr}");
            }
            return ExitCode::SUCCESS;
        }
        if args.catalogue {
            print_catalogue(self.http.as_ref());
            return ExitCode::SUCCESS;
        }
        let Some(listen) = args.listen else {
            traffic(Load::PRINT).await;
            print!("{}", metrics_runtime::default_registry().encode_to_string(Format::Text));
            return ExitCode::SUCCESS;
        };
        match self.serve(&listen, args.duration, traffic).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("{name}: {error}");
                ExitCode::FAILURE
            }
        }
    }

    async fn serve<F, Fut>(
        self,
        listen: &str,
        duration: Option<Duration>,
        traffic: F,
    ) -> Result<(), Box<dyn std::error::Error>>
    where
        F: FnOnce(Load) -> Fut,
        Fut: Future<Output = u32>,
    {
        metrics_runtime::default_registry().expose_build_info(build_info!())?;
        let server = self.server.process_metrics(true).tokio_metrics(true).bind(listen).await?;
        println!("serving http://{}{} and /health", server.local_addr(), self.path);
        let server = server.spawn();
        let stop = async {
            match duration {
                Some(duration) => tokio::time::sleep(duration).await,
                None => std::future::pending().await,
            }
        };
        let work = async {
            let rounds = traffic(Load::SERVE).await;
            println!("traffic done: {rounds} rounds");
            std::future::pending::<()>().await;
        };
        tokio::select! {
            () = stop => {}
            _ = tokio::signal::ctrl_c() => {}
            () = work => {}
        }
        server.shutdown().await;
        Ok(())
    }
}

/// The operations options of the example `name` serving its exposition on `path`:
/// the job is its name, with process and tokio panels.
pub fn ops_options(name: &str, path: &str) -> Options {
    Options::new(name).metrics_path(path).process_metrics(true).tokio_metrics(true)
}

/// What an example's operations files cover: the same families as
/// [`print_catalogue`] lists and `cargo xtask e2e` finds series for. The HTTP
/// middleware's catalogue entries are linked into every binary of the crate (the
/// `tower` feature is on), router or not, so they are dropped, and the families
/// of `layer`, under the names it registered, added: a panel or rule for a family
/// the binary never feeds would show no data forever.
pub fn ops_selection(layer: Option<&HttpMetricsLayer>) -> Selection {
    Selection::all().http_layer(layer)
}

/// `--generate DIR`: writes the operations files of [`ops_selection`] into `dir`
/// and prints their paths.
pub fn generate(
    dir: &Path,
    options: &Options,
    layer: Option<&HttpMetricsLayer>,
) -> Result<(), ops::OpsError> {
    for path in ops::write_all(dir, &ops_selection(layer), options)? {
        println!("{}", path.display());
    }
    Ok(())
}

/// Prints `name kind` for every family the binary declares: its catalogue, with the
/// HTTP middleware's entries under the names `layer` registered them with (or left
/// out without a layer: the catalogue lists them whenever the `tower` feature is
/// on), then the `#[timed]` families.
pub fn print_catalogue(layer: Option<&HttpMetricsLayer>) {
    let defaults = HttpFamily::ALL.map(HttpFamily::default_name);
    let declared = catalogue().iter().filter(|d| !defaults.contains(&d.name));
    let http = layer.into_iter().flat_map(|l| HttpFamily::ALL.map(|f| l.descriptor(f)));
    for family in declared.chain(http) {
        // Prometheus ingests a histogram with native buckets as one native series.
        let kind = if family.native.is_some() { "native_histogram" } else { family.kind.as_str() };
        println!("{} {kind}", family.name);
    }
    for (name, kind) in timed_families() {
        println!("{name} {kind}");
    }
}

/// The families `#[timed]` functions feed, by the names the registry gives them
/// with the prefix set by [`metrics_runtime::timed::set_prefix`] (`prefix`).
fn timed_families() -> Vec<(String, MetricKind)> {
    let prefix = TIMED_PREFIX.get().map(String::as_str);
    let mut families = Vec::new();
    for timed in metrics_runtime::timed::timed_functions() {
        let stem = match (timed.family, prefix) {
            (Some(own), _) => own.to_owned(),
            (None, Some(prefix)) => format!("{prefix}_function"),
            (None, None) => "function".to_owned(),
        };
        let mut add = |name: String, kind| {
            if !families.iter().any(|(n, _)| *n == name) {
                families.push((name, kind));
            }
        };
        add(format!("{stem}_calls"), MetricKind::Counter);
        add(format!("{stem}_duration_seconds"), MetricKind::Histogram);
        if timed.in_flight {
            add(format!("{stem}_calls_in_flight"), MetricKind::Gauge);
        }
    }
    families
}

static TIMED_PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the prefix of the shared `#[timed]` families (`aster` gives
/// `aster_function_calls_total`), and remembers it for [`print_catalogue`].
pub fn set_timed_prefix(prefix: &str) {
    if metrics_runtime::timed::set_prefix(prefix) {
        let _ = TIMED_PREFIX.set(prefix.to_owned());
    }
}
