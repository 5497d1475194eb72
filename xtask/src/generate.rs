//! `cargo xtask generate --out DIR [--check] [EXAMPLE..]`: the operations files of
//! every example (or of those named), written by the example itself, since the
//! catalogue is per binary: each is run with `--generate DIR/<example>` (handled
//! once for all in `examples::Example::run`, or by `examples::generate`, which select
//! the families the example feeds: its catalogue, its HTTP layer under the names it
//! registered, its `#[timed]` functions), which writes `dashboard.json`,
//! `alerts.yml`, `recording.yml`, `prometheus.yml` and `tests.yml`.
//!
//! With `--check`, each set is proven with `promtool`: `check config` and
//! `check rules` (lint findings fatal), every dashboard panel's expression parsed as
//! the expression of a throwaway recording rule, and `test rules` on the generated
//! unit tests. An example whose `main` does not handle `--generate` is listed as
//! skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// How long one example may take to write its files.
const RUN_LIMIT: Duration = Duration::from_secs(60);
const FILES: [&str; 5] =
    ["dashboard.json", "alerts.yml", "recording.yml", "prometheus.yml", "tests.yml"];
const USAGE: &str = "usage: cargo xtask generate --out DIR [--check] [EXAMPLE..]";

#[derive(Debug)]
struct Args {
    out: PathBuf,
    check: bool,
    only: Vec<String>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let (mut out, mut check, mut only) = (None, false, Vec::new());
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = Some(args.next().ok_or("--out needs a directory")?.into()),
            "--check" => check = true,
            flag if flag.starts_with("--out=") => out = Some(flag["--out=".len()..].into()),
            flag if flag.starts_with('-') => return Err(format!("unknown flag `{flag}`; {USAGE}")),
            example => only.push(example.to_owned()),
        }
    }
    let out = out.ok_or_else(|| format!("--out DIR is required; {USAGE}"))?;
    Ok(Args { out, check, only })
}

pub(crate) fn run(args: &[String]) -> ExitCode {
    let args = match parse_args(args) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("xtask generate: {message}");
            return ExitCode::from(2);
        }
    };
    match generate(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask generate: FAILED: {message}");
            ExitCode::FAILURE
        }
    }
}

fn generate(args: &Args) -> Result<(), String> {
    let promtool = if args.check { Some(promtool()?) } else { None };
    let mut examples = build_examples()?;
    if !args.only.is_empty() {
        if let Some(unknown) = args.only.iter().find(|name| !examples.contains_key(*name)) {
            let known: Vec<&str> = examples.keys().map(String::as_str).collect();
            return Err(format!("no example `{unknown}`; the examples are {}", known.join(", ")));
        }
        examples.retain(|name, _| args.only.contains(name));
    }
    let (mut failures, mut skipped, mut generated) = (Vec::new(), Vec::new(), 0);
    for (name, executable) in &examples {
        let dir = args.out.join(name);
        match write(name, executable, &dir) {
            Ok(Written::Files) => {
                generated += 1;
                println!("xtask generate: {name}: {}", dir.display());
                if let Some(promtool) = &promtool {
                    match check(promtool, &dir) {
                        Ok(summary) => println!("xtask generate: {name}: checked: {summary}"),
                        Err(message) => failures.push(format!("{name}: {message}")),
                    }
                }
            }
            Ok(Written::Unsupported) => skipped.push(name.as_str()),
            Err(message) => failures.push(format!("{name}: {message}")),
        }
    }
    if !skipped.is_empty() {
        println!(
            "xtask generate: skipped {} (their main does not handle --generate: run through \
             `examples::Example`, or call `examples::generate` on `ServeArgs::generate`)",
            skipped.join(", ")
        );
    }
    if !failures.is_empty() {
        return Err(failures.join("\n  "));
    }
    if generated == 0 {
        return Err("no example generated anything".to_owned());
    }
    Ok(())
}

/// `promtool` on PATH, or how to get it.
fn promtool() -> Result<PathBuf, String> {
    std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path).map(|dir| dir.join("promtool")).find(|p| p.is_file())
        })
        .ok_or_else(|| {
            "--check needs promtool on PATH: install Prometheus (`apt-get install -y prometheus` \
             on Debian) or drop --check"
                .to_owned()
        })
}

/// Builds the `examples` package's examples in one cargo call; their executables
/// by name, read from cargo's JSON messages.
fn build_examples() -> Result<BTreeMap<String, PathBuf>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().ok_or("xtask has no parent")?;
    let out = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--quiet", "-p", "examples", "--examples", "--message-format=json"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err("building the examples failed (see above)".to_owned());
    }
    let mut built = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if !line.contains("\"kind\":[\"example\"]") {
            continue;
        }
        // The target's `name` comes before any other; paths have no escaped quotes.
        let field = |key: &str| {
            let marker = format!("\"{key}\":\"");
            let start = line.find(&marker)? + marker.len();
            Some(line[start..start + line[start..].find('"')?].to_owned())
        };
        if let (Some(name), Some(executable)) = (field("name"), field("executable")) {
            built.insert(name, PathBuf::from(executable));
        }
    }
    if built.is_empty() {
        return Err("cargo built the examples but named no executable".to_owned());
    }
    Ok(built)
}

enum Written {
    Files,
    Unsupported,
}

/// Runs `executable --generate dir`, stopping it (by its PID) past [`RUN_LIMIT`].
fn write(name: &str, executable: &Path, dir: &Path) -> Result<Written, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut child = Command::new(executable)
        .arg("--generate")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", executable.display()))?;
    let started = Instant::now();
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{name} --generate ran past {} s; it may not handle the flag and serve instead",
                RUN_LIMIT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let missing: Vec<&str> = FILES.iter().copied().filter(|f| !dir.join(f).is_file()).collect();
    if out.status.success() && missing.is_empty() {
        return Ok(Written::Files);
    }
    if missing.len() == FILES.len() && stderr.contains("--generate") {
        // Nothing written and the flag refused: the example does not handle it.
        let _ = std::fs::remove_dir(dir);
        return Ok(Written::Unsupported);
    }
    Err(format!(
        "{name} --generate exited with {} without writing {}: {}",
        out.status,
        missing.join(", "),
        stderr.trim()
    ))
}

/// The `promtool` checks of one example's files; a one-line summary.
fn check(promtool: &Path, dir: &Path) -> Result<String, String> {
    promtool_ok(promtool, dir, &["check", "config", "--lint-fatal", "prometheus.yml"])?;
    promtool_ok(promtool, dir, &["check", "rules", "--lint-fatal", "recording.yml", "alerts.yml"])?;
    let text = std::fs::read_to_string(dir.join("dashboard.json"))
        .map_err(|e| format!("cannot read dashboard.json: {e}"))?;
    let exprs = panel_exprs(&text)?;
    if exprs.is_empty() {
        return Err("dashboard.json has no panel expression".to_owned());
    }
    let rules = panel_rule_file(&exprs);
    let scratch = std::env::temp_dir().join(format!("xtask-generate-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    std::fs::write(scratch.join("panels.yml"), rules).map_err(|e| e.to_string())?;
    let parsed = promtool_ok(promtool, &scratch, &["check", "rules", "--lint=none", "panels.yml"]);
    let _ = std::fs::remove_dir_all(&scratch);
    parsed.map_err(|e| format!("a dashboard panel's expression does not parse: {e}"))?;
    promtool_ok(promtool, dir, &["test", "rules", "tests.yml"])?;
    let cases = std::fs::read_to_string(dir.join("tests.yml"))
        .map(|t| t.lines().filter(|l| l.starts_with("  - name: ")).count())
        .unwrap_or(0);
    Ok(format!(
        "config and rules valid, {} panel expressions parse, {cases} promtool test cases pass",
        exprs.len()
    ))
}

fn promtool_ok(promtool: &Path, dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(promtool)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run promtool: {e}"))?;
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("promtool {} failed in {}:\n{}", args.join(" "), dir.display(), text.trim()))
    }
}

/// Every panel target's `expr` in the dashboard's JSON text, with its variables
/// filled as Grafana would (any job, every instance). The runtime's tests parse the
/// whole document; here the expressions are found by their key, which the
/// generator writes as `"expr": "..."` and nowhere else.
fn panel_exprs(dashboard: &str) -> Result<Vec<String>, String> {
    let mut exprs = Vec::new();
    let mut rest = dashboard;
    while let Some(at) = rest.find("\"expr\": \"") {
        let (expr, after) = json_string(&rest[at + "\"expr\": ".len()..])
            .ok_or_else(|| format!("dashboard.json: a malformed string after byte {at}"))?;
        let expr =
            expr.replace("$__rate_interval", "5m").replace("$job", ".+").replace("$instance", ".+");
        exprs.push(expr);
        rest = after;
    }
    Ok(exprs)
}

/// The JSON string literal `text` starts with, unescaped, and the text after it.
fn json_string(text: &str) -> Option<(String, &str)> {
    let mut chars = text.strip_prefix('"')?.char_indices();
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &text[i + 2..])),
            '\\' => out.push(match chars.next()?.1 {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'u' => {
                    let hex: String = (0..4).filter_map(|_| chars.next().map(|(_, h)| h)).collect();
                    char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                }
                other => other,
            }),
            c => out.push(c),
        }
    }
    None
}

/// A rule file recording each expression, for `promtool check rules` to parse.
fn panel_rule_file(exprs: &[String]) -> String {
    let mut out = String::from("groups:\n  - name: dashboard_panels\n    rules:\n");
    for (i, expr) in exprs.iter().enumerate() {
        // A YAML double-quoted scalar takes JSON's escapes.
        let quoted = format!("{expr:?}");
        out.push_str(&format!("      - record: panel_{i}\n        expr: {quoted}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments() {
        let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let parsed = parse_args(&args(&["--out", "ops", "--check", "quickstart"])).unwrap();
        assert_eq!(parsed.out, PathBuf::from("ops"));
        assert!(parsed.check);
        assert_eq!(parsed.only, ["quickstart"]);
        assert!(parse_args(&args(&["--check"])).unwrap_err().contains("--out DIR is required"));
        assert!(parse_args(&args(&["--out"])).is_err());
        assert!(parse_args(&args(&["--out=x", "--fast"])).unwrap_err().contains("unknown flag"));
    }

    #[test]
    fn panel_expressions_with_the_variables_filled() {
        let dashboard = r#"{"panels": [{"type": "row", "title": "r"},
            {"title": "t", "targets": [{"expr": "up{job=~\"$job\",instance=~\"$instance\"}\n/ 2 \u00e9"}]}]}"#;
        let exprs = panel_exprs(dashboard).unwrap();
        assert_eq!(exprs, [r#"up{job=~".+",instance=~".+"}"#.to_owned() + "\n/ 2 é"]);
        let rules = panel_rule_file(&exprs);
        assert!(rules.contains(r#"expr: "up{job=~\".+\",instance=~\".+\"}\n/ 2 é""#), "{rules}");
        assert!(panel_exprs(r#"{"expr": "open"#).is_err());
    }
}
