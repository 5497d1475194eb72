//! `cargo xtask reliability [--out FILE]`: runs the reliability tests in release
//! mode, one test at a time, with their output captured, and writes
//! `RELIABILITY.md` (or FILE) from that run alone: calls per second and scrape
//! latency under load, memory under the cardinality attack, inputs tried by the
//! property tests, the endpoint under attack.
//!
//! Every figure is read back from the run's output, from the lines the tests print
//! with `support::figure` (`reliability-figure<TAB>name<TAB>value<TAB>unit`); the
//! tests keep their own assertions, so a run that fails writes nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// The runs: `cargo test` arguments after `--release -p metrics-runtime`, and what
/// they prove.
const RUNS: [(&[&str], &str); 2] = [
    (
        &[
            "--test",
            "load",
            "--test",
            "attack",
            "--test",
            "descriptors",
            "--test",
            "faults",
            "--test",
            "cardinality",
            "--test",
            "escaping",
            "--test",
            "duplicate_names",
            "--test",
            "roundtrip",
            "--test",
            "histogram_concurrency",
            "--test",
            "serve",
        ],
        "load with concurrent scrapes, the endpoint under attack, descriptors, faults, \
         cardinality attack, bad input, runtime names, round trips, the server",
    ),
    (&["--lib", "serve::"], "property tests of the server's parsers, the server's unit tests"),
];

/// A figure a test printed.
struct Figure {
    name: String,
    value: String,
    unit: String,
}

pub(crate) fn run(args: &[String]) -> ExitCode {
    let root = workspace_root();
    let out = match args {
        [] => root.join("RELIABILITY.md"),
        [flag, file] if flag == "--out" => PathBuf::from(file),
        _ => {
            eprintln!("usage: cargo xtask reliability [--out FILE]");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let mut figures = Vec::new();
    let mut summaries = Vec::new();
    for (cargo_args, what) in RUNS {
        println!(
            "xtask reliability: cargo test --release -p metrics-runtime {} (output captured; \
             the first run builds in release)",
            cargo_args.join(" ")
        );
        let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
            .current_dir(&root)
            .args(["test", "--release", "-p", "metrics-runtime"])
            .args(cargo_args)
            .args(["--", "--nocapture", "--test-threads=1"])
            .stdin(Stdio::null())
            .output();
        let output = match output {
            Ok(output) => output,
            Err(e) => {
                eprintln!("xtask reliability: cannot run cargo: {e}");
                return ExitCode::FAILURE;
            }
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            eprintln!(
                "xtask reliability: FAILED ({what}); nothing written.\n--- standard output (tail) ---\n{}\n--- standard error (tail) ---\n{}",
                tail(&stdout, 40),
                tail(&String::from_utf8_lossy(&output.stderr), 40)
            );
            return ExitCode::FAILURE;
        }
        figures.extend(parse_figures(&stdout));
        summaries.push((what, passed(&stdout)));
    }
    if figures.is_empty() {
        eprintln!("xtask reliability: the tests printed no figure; nothing written");
        return ExitCode::FAILURE;
    }
    let report = report(&figures, &summaries, started.elapsed().as_secs_f64());
    if let Err(e) = std::fs::write(&out, report) {
        eprintln!("xtask reliability: cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    println!(
        "xtask reliability: {} figures from {} tests in {:.0} s, written to {}",
        figures.len(),
        summaries.iter().map(|(_, n)| n).sum::<usize>(),
        started.elapsed().as_secs_f64(),
        out.display()
    );
    ExitCode::SUCCESS
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_owned()
}

fn parse_figures(stdout: &str) -> Vec<Figure> {
    stdout
        .lines()
        .filter_map(|line| {
            // Anywhere in the line: with one test thread, libtest writes a test's
            // output right after its `test name ... ` on the same line.
            let (_, figure) = line.split_once("reliability-figure\t")?;
            let mut fields = figure.split('\t');
            let name = fields.next()?.to_owned();
            let value = fields.next()?.to_owned();
            let unit = fields.next().unwrap_or("").to_owned();
            Some(Figure { name, value, unit })
        })
        .collect()
}

/// Tests passed, from libtest's `test result: ok. N passed; …` lines.
fn passed(stdout: &str) -> usize {
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("test result: ok. "))
        .filter_map(|rest| rest.split(' ').next()?.parse::<usize>().ok())
        .sum()
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn report(figures: &[Figure], summaries: &[(&str, usize)], seconds: f64) -> String {
    let mut md = String::from("# Reliability\n\n");
    let _ = writeln!(
        md,
        "Written by `cargo xtask reliability` from one run at commit {} on {} ({} cores, {}), \
         in {seconds:.0} s. Each figure is what that run measured; the tests assert the \
         properties themselves (exact counts, valid expositions, bounded waits), so a \
         failing run writes no report.\n",
        output("git", &["rev-parse", "--short", "HEAD"]),
        output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        std::thread::available_parallelism().map_or(0, usize::from),
        output("rustc", &["--version"]),
    );
    let sections = [
        ("load", "Load with concurrent scrapes (`tests/load.rs`)"),
        ("cardinality", "Cardinality attack (`tests/cardinality.rs`)"),
        ("parsers", "Inputs tried by the property tests (`src/serve/fuzz.rs`)"),
        ("auth", "Credentials (`src/serve/fuzz.rs`)"),
        ("attack", "The endpoint under attack (`tests/attack.rs`)"),
    ];
    for (prefix, title) in sections {
        let rows: Vec<&Figure> =
            figures.iter().filter(|f| f.name.starts_with(&format!("{prefix}: "))).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(md, "## {title}\n\n| figure | value |\n|---|---|");
        for figure in rows {
            let name = &figure.name[prefix.len() + 2..];
            let value = if figure.unit.is_empty() {
                figure.value.clone()
            } else {
                format!("{} {}", figure.value, figure.unit)
            };
            let _ = writeln!(md, "| {name} | {value} |");
        }
        md.push('\n');
    }
    md.push_str("## Tests run\n\n| what | tests passed |\n|---|---|\n");
    for (what, passed) in summaries {
        let _ = writeln!(md, "| {what} | {passed} |");
    }
    md.push_str(
        "\nRun `cargo xtask reliability` to measure again (release build, one test at a \
         time); `cargo test --workspace` runs the same tests, scaled down in debug builds, \
         with the same assertions.\n",
    );
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_and_counts_are_read_from_the_output() {
        let out = "noise\ntest a ... reliability-figure\tload: calls\t12\tcalls/s\n\
                   reliability-figure\tattack: x\t3 of 4\t\n\
                   test result: ok. 3 passed; 0 failed\ntest result: ok. 2 passed; 0 failed\n";
        let figures = parse_figures(out);
        assert_eq!(figures.len(), 2);
        assert_eq!((figures[0].name.as_str(), figures[0].value.as_str()), ("load: calls", "12"));
        assert_eq!(figures[1].unit, "");
        assert_eq!(passed(out), 5);
        let md = report(&figures, &[("all", 5)], 1.0);
        assert!(md.contains("| calls | 12 calls/s |"), "{md}");
        assert!(md.contains("| x | 3 of 4 |"), "{md}");
    }
}
