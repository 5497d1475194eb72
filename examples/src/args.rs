//! The flags every served example takes: `--listen ADDR`, `--duration SECS`,
//! `--catalogue`, `--queries` and `--generate DIR`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// What a served example was asked to do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServeArgs {
    /// Serve `/metrics` and `/health` on this address (`127.0.0.1:9898`, `[::1]:0`).
    pub listen: Option<String>,
    /// Stop after this long; without it, serve until Ctrl-C.
    pub duration: Option<Duration>,
    /// Print the names of the families in the link-time catalogue and exit
    /// (`cargo xtask e2e` checks each has series).
    pub catalogue: bool,
    /// Print the PromQL queries the example carries from its guide, one
    /// `NAME<TAB>EXPR` line each, and exit (`cargo xtask e2e` evaluates them). A name
    /// starting with `alert:` is an alert condition: it must evaluate, but it returns
    /// data only while the alert would fire.
    pub queries: bool,
    /// Write the operations files (dashboard, alert and recording rules, scrape
    /// config, promtool tests) generated from the catalogue into this directory, and
    /// exit (`cargo xtask generate` and `cargo xtask e2e` run each example so).
    pub generate: Option<PathBuf>,
}

const USAGE: &str =
    "flags: [--listen ADDR] [--duration SECS] [--catalogue] [--queries] [--generate DIR]";

impl ServeArgs {
    /// Parses the process's arguments; `Err` is a message for standard error.
    pub fn from_env() -> Result<Self, String> {
        Self::parse(std::env::args().skip(1))
    }

    /// Parses the process's arguments for the example `name`, refusing `--duration`
    /// without `--listen`; on a usage error, prints it to standard error and gives
    /// the exit code to return (2).
    ///
    /// ```no_run
    /// # fn main() -> std::process::ExitCode {
    /// let args = match examples::ServeArgs::from_env_or_usage("my_example") {
    ///     Ok(args) => args,
    ///     Err(code) => return code,
    /// };
    /// # let _ = args;
    /// # std::process::ExitCode::SUCCESS
    /// # }
    /// ```
    pub fn from_env_or_usage(name: &str) -> Result<Self, ExitCode> {
        let message = match Self::from_env() {
            Ok(args) if args.duration.is_none() || args.listen.is_some() => return Ok(args),
            Ok(_) => "--duration needs --listen".to_owned(),
            Err(message) => message,
        };
        eprintln!("{name}: {message}");
        Err(ExitCode::from(2))
    }

    /// Parses `args` (without the program name).
    ///
    /// ```
    /// use examples::ServeArgs;
    /// let args = ServeArgs::parse(["--listen", "127.0.0.1:0", "--duration", "1.5"].map(String::from)).unwrap();
    /// assert_eq!(args.listen.as_deref(), Some("127.0.0.1:0"));
    /// assert_eq!(args.duration, Some(std::time::Duration::from_millis(1500)));
    /// assert!(ServeArgs::parse(["--duration".to_owned()]).is_err());
    /// assert!(ServeArgs::parse(["--queries".to_owned()]).unwrap().queries);
    /// let generate = ServeArgs::parse(["--generate=ops".to_owned()]).unwrap().generate;
    /// assert_eq!(generate, Some("ops".into()));
    /// ```
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut parsed = Self::default();
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let (name, inline) = match flag.split_once('=') {
                Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
                None => (flag, None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value; {USAGE}"))
            };
            match name.as_str() {
                "--listen" => parsed.listen = Some(value()?),
                "--duration" => {
                    let text = value()?;
                    let seconds: f64 =
                        text.parse().ok().filter(|s: &f64| s.is_finite() && *s >= 0.0).ok_or_else(
                            || format!("--duration takes seconds, such as 30 or 1.5; got `{text}`"),
                        )?;
                    parsed.duration = Some(Duration::from_secs_f64(seconds));
                }
                "--catalogue" => parsed.catalogue = true,
                "--queries" => parsed.queries = true,
                "--generate" => {
                    let dir = value()?;
                    if dir.is_empty() || dir.starts_with("--") {
                        return Err(format!("--generate needs a directory; {USAGE}"));
                    }
                    parsed.generate = Some(PathBuf::from(dir));
                }
                "-h" | "--help" => return Err(USAGE.to_owned()),
                other => return Err(format!("unknown argument `{other}`; {USAGE}")),
            }
        }
        Ok(parsed)
    }
}
