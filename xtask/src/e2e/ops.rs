//! The generated operations files against the real Prometheus: each example writes
//! its `alerts.yml`, `recording.yml` and `dashboard.json` (`--generate DIR`, the
//! files `cargo xtask generate` checks with promtool); the run's Prometheus loads
//! both rule files, evaluated every second; then, through the HTTP API:
//!
//! - every rule of the example is loaded (`/api/v1/rules`) with health `ok`;
//! - every recording rule's series, with its own labels, has a value that is not
//!   NaN for the example's job;
//! - every dashboard panel's expression, with `$job` set to the example's job and
//!   `$instance` to every instance (`.+`, as Grafana's "All"), evaluates and returns
//!   a value that is not NaN;
//! - the alerts are in the state the traffic calls for: no availability alert
//!   (`TargetDown`, `TargetMissing`, `MetricFamilyAbsent`) is active while every
//!   target is up and exposes its families, and the burn-rate alerts listed in
//!   [`EXPECTED_ACTIVE`], for an objective the example breaks on purpose, are
//!   active.
//!
//! What "active" means within a bounded run: the alerts keep the `for:` they were
//! generated with (2 m for a page, 15 m for a ticket), which the run, about a
//! minute long, does not wait out. An alert is `pending` from the first evaluation
//! at which its expression holds, and `firing` once it has held for `for:`; the
//! first says that the generated expression, thresholds, windows and recording
//! rules agree with the real series, the second only adds that a clock went on.
//! So the run requires `pending` or `firing` of the generated file as it is, and
//! leaves the `for:` hold to `promtool test rules` on the generated `tests.yml`
//! (`cargo xtask generate --check`), which shows each alert firing after its hold
//! under synthetic series. Shortening `for:` here would test a file nobody deploys.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::api::{self, Api};
use super::process::wait_until;
use crate::json::Json;

/// A burn-rate alert that an example's traffic must make active.
pub(crate) struct ExpectedAlert {
    job: &'static str,
    alert: &'static str,
    /// Labels the alert must have.
    labels: &'static [(&'static str, &'static str)],
}

/// The quickstart's `get_product` fails one call in five against an objective of at
/// most 1% of failures: 20x the budget, above the page threshold (14.4x over 1 h
/// and 5 min) and the ticket one (1x over 3 d and 6 h).
pub(crate) const EXPECTED_ACTIVE: &[ExpectedAlert] = &[
    ExpectedAlert {
        job: "quickstart",
        alert: "ErrorBudgetBurn",
        labels: &[("function", "get_product"), ("severity", "page")],
    },
    ExpectedAlert {
        job: "quickstart",
        alert: "ErrorBudgetBurn",
        labels: &[("function", "get_product"), ("severity", "ticket")],
    },
];

/// How long one example's rules may take to be evaluated and its expected alerts
/// to become active.
const SETTLE_LIMIT: Duration = Duration::from_secs(30);

/// Alerts that must stay inactive while every target is up and exposes its families.
const AVAILABILITY: &[&str] = &["TargetDown", "TargetMissing", "MetricFamilyAbsent"];

/// The files one example generated.
pub(crate) struct Generated {
    pub(crate) dir: PathBuf,
}

impl Generated {
    /// Runs `executable --generate dir`.
    pub(crate) fn write(executable: &Path, dir: &Path) -> Result<Self, String> {
        let out = Command::new(executable)
            .arg("--generate")
            .arg(dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{} --generate: {e}", executable.display()))?;
        if !out.status.success() {
            return Err(format!(
                "--generate failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Self { dir: dir.to_owned() })
    }

    /// The rule files, for `rule_files` in the run's `prometheus.yml`.
    pub(crate) fn rule_files(&self) -> [PathBuf; 2] {
        [self.dir.join("recording.yml"), self.dir.join("alerts.yml")]
    }
}

/// What the checks found for one example, for the table.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    /// Rules loaded with health `ok`, and all rules of the example.
    pub(crate) rules_ok: usize,
    pub(crate) rules: usize,
    /// Recording rules whose series have a value.
    pub(crate) recorded: usize,
    pub(crate) recording_rules: usize,
    /// Panel expressions that returned a value, and all of them.
    pub(crate) panels_with_data: usize,
    pub(crate) panels: usize,
    /// The states of the `pending`/`firing` alerts, comma-separated, by rule name.
    pub(crate) active: BTreeMap<String, String>,
    /// Alerting rules.
    pub(crate) alerts: usize,
    pub(crate) failures: Vec<String>,
}

impl Verdict {
    /// `12/13 inactive, ErrorBudgetBurn: pending x2`: for the table.
    pub(crate) fn alerts_cell(&self) -> String {
        let active: usize = self.active.values().map(|s| s.split(',').count()).sum();
        let mut cell = format!("{}/{} inactive", self.alerts - active, self.alerts);
        for (name, states) in &self.active {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for state in states.split(',') {
                *counts.entry(state).or_default() += 1;
            }
            let states: Vec<String> = counts.iter().map(|(s, n)| format!("{s} x{n}")).collect();
            cell.push_str(&format!(", {name}: {}", states.join(" ")));
        }
        cell
    }
}

/// One rule as `/api/v1/rules` reports it.
struct Rule {
    name: String,
    kind: String,
    health: String,
    error: String,
    labels: BTreeMap<String, String>,
    /// Alerting rules: the state of each of its alerts' label sets.
    alerts: Vec<(BTreeMap<String, String>, String)>,
}

/// The rules Prometheus loaded from `generated`'s files.
fn loaded_rules(api: &Api, generated: &Generated) -> Result<Vec<Rule>, String> {
    let (status, body) = api::http_get(api.addr, "/api/v1/rules", &[])?;
    let body = String::from_utf8_lossy(&body);
    let json = Json::parse(&body).map_err(|e| format!("/api/v1/rules: {e}"))?;
    if status != 200 || json.get("status").and_then(Json::as_str) != Some("success") {
        return Err(format!("/api/v1/rules answered {status}: {body}"));
    }
    let groups = json.get("data").and_then(|d| d.get("groups")).map(Json::as_array);
    let mut rules = Vec::new();
    for group in groups.unwrap_or_default() {
        let file = group.get("file").and_then(Json::as_str).unwrap_or_default();
        if !Path::new(file).starts_with(&generated.dir) {
            continue;
        }
        for rule in group.get("rules").map(Json::as_array).unwrap_or_default() {
            let text = |key: &str| rule.get(key).and_then(Json::as_str).unwrap_or("").to_owned();
            let alerts = rule
                .get("alerts")
                .map(Json::as_array)
                .unwrap_or_default()
                .iter()
                .map(|a| {
                    let labels = a.get("labels").map(Json::string_members).unwrap_or_default();
                    (labels, a.get("state").and_then(Json::as_str).unwrap_or("").to_owned())
                })
                .collect();
            rules.push(Rule {
                name: text("name"),
                kind: text("type"),
                health: text("health"),
                error: text("lastError"),
                labels: rule.get("labels").map(Json::string_members).unwrap_or_default(),
                alerts,
            });
        }
    }
    Ok(rules)
}

/// Waits (until `deadline`) for every rule of `generated` to have been evaluated
/// and the expected alerts of `job` to be active, then checks it all.
pub(crate) fn check(
    api: &Api,
    job: &str,
    generated: &Generated,
    deadline: Instant,
) -> Result<Verdict, String> {
    let expected: Vec<&ExpectedAlert> = EXPECTED_ACTIVE.iter().filter(|e| e.job == job).collect();
    let mut rules = Vec::new();
    // Rules are evaluated every second and the quickstart's errors start with it:
    // half a minute is ample, and keeps a broken alert from eating the run's time.
    let deadline = deadline.min(Instant::now() + SETTLE_LIMIT);
    let settled = wait_until(deadline, &format!("the rules of {job} to be evaluated"), || {
        rules = loaded_rules(api, generated)?;
        let evaluated = !rules.is_empty() && rules.iter().all(|r| r.health != "unknown");
        let active = expected.iter().all(|e| find_active(&rules, e.alert, e.labels));
        Ok(evaluated && active)
    });
    let mut verdict = Verdict::default();
    if let Err(e) = settled {
        verdict.failures.push(e);
    }
    if rules.is_empty() {
        verdict.failures.push(format!("no rule of {} is loaded", generated.dir.display()));
    }
    for rule in &rules {
        verdict.rules += 1;
        if rule.health == "ok" {
            verdict.rules_ok += 1;
        } else {
            verdict
                .failures
                .push(format!("rule {}: health {} {}", rule.name, rule.health, rule.error));
        }
        if rule.kind == "recording" {
            verdict.recording_rules += 1;
            let mut matchers = format!("job=\"{job}\"");
            for (label, value) in &rule.labels {
                matchers.push_str(&format!(",{label}=\"{value}\""));
            }
            match has_data(api, &format!("{}{{{matchers}}}", rule.name)) {
                Ok(true) => verdict.recorded += 1,
                Ok(false) => verdict
                    .failures
                    .push(format!("recording rule {}{{{matchers}}} recorded no value", rule.name)),
                Err(e) => verdict.failures.push(e),
            }
        } else {
            verdict.alerts += 1;
            for (labels, state) in &rule.alerts {
                if state != "pending" && state != "firing" {
                    continue;
                }
                let entry = verdict.active.entry(rule.name.clone()).or_default();
                if !entry.is_empty() {
                    entry.push(',');
                }
                entry.push_str(state);
                if AVAILABILITY.contains(&rule.name.as_str()) {
                    verdict.failures.push(format!(
                        "alert {} is {state} while every target is up: {labels:?}",
                        rule.name
                    ));
                }
            }
        }
    }
    for e in &expected {
        if !find_active(&rules, e.alert, e.labels) {
            verdict.failures.push(format!(
                "alert {} {:?} is not pending or firing (the traffic breaks its objective)",
                e.alert, e.labels
            ));
        }
    }
    let dashboard = std::fs::read_to_string(generated.dir.join("dashboard.json"))
        .map_err(|e| format!("dashboard.json: {e}"))?;
    let exprs = panel_exprs(&dashboard, job)?;
    verdict.panels = exprs.len();
    for (title, expr) in &exprs {
        match has_data(api, expr) {
            Ok(true) => verdict.panels_with_data += 1,
            Ok(false) => verdict.failures.push(format!("panel {title:?}: no data from `{expr}`")),
            Err(e) => verdict.failures.push(format!("panel {title:?}: {e}")),
        }
    }
    Ok(verdict)
}

/// Whether an alert named `name` with `labels` is pending or firing.
fn find_active(rules: &[Rule], name: &str, labels: &[(&str, &str)]) -> bool {
    rules.iter().filter(|r| r.name == name).any(|r| {
        r.alerts.iter().any(|(have, state)| {
            (state == "pending" || state == "firing")
                && labels.iter().all(|(k, v)| have.get(*k).is_some_and(|h| h == v))
        })
    })
}

/// Whether `expr` evaluates, now, to at least one value that is not NaN.
fn has_data(api: &Api, expr: &str) -> Result<bool, String> {
    Ok(api.query(expr, None)?.iter().any(|s| !s.value.is_nan()))
}

/// Every panel target's `(panel title, expr)`, the dashboard variables set:
/// `$job` to `job`, `$instance` to every instance.
fn panel_exprs(dashboard: &str, job: &str) -> Result<Vec<(String, String)>, String> {
    let json = Json::parse(dashboard).map_err(|e| format!("dashboard.json: {e}"))?;
    let mut exprs = Vec::new();
    collect_targets(&json, job, &mut exprs);
    if exprs.is_empty() {
        return Err("dashboard.json has no panel expression".to_owned());
    }
    Ok(exprs)
}

fn collect_targets(panel: &Json, job: &str, out: &mut Vec<(String, String)>) {
    let title = panel.get("title").and_then(Json::as_str).unwrap_or("");
    for target in panel.get("targets").map(Json::as_array).unwrap_or_default() {
        if let Some(expr) = target.get("expr").and_then(Json::as_str) {
            let expr = expr.replace("$job", job).replace("$instance", ".+");
            out.push((title.to_owned(), expr));
        }
    }
    for child in panel.get("panels").map(Json::as_array).unwrap_or_default() {
        collect_targets(child, job, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panel_targets_with_the_variables_set() {
        let dashboard = r#"{"panels": [{"type": "row", "title": "r", "panels": [
            {"title": "t", "targets": [{"expr": "up{job=~\"$job\",instance=~\"$instance\"}"}]}]},
            {"title": "u", "targets": [{"expr": "x"}, {"refId": "B"}]}]}"#;
        let exprs = panel_exprs(dashboard, "shop").unwrap();
        assert_eq!(
            exprs,
            [
                ("t".to_owned(), r#"up{job=~"shop",instance=~".+"}"#.to_owned()),
                ("u".to_owned(), "x".to_owned())
            ]
        );
        assert!(panel_exprs("{}", "shop").is_err());
    }

    #[test]
    fn the_alerts_cell() {
        let mut verdict = Verdict { alerts: 13, ..Verdict::default() };
        verdict.active.insert("ErrorBudgetBurn".to_owned(), "pending,pending".to_owned());
        assert_eq!(verdict.alerts_cell(), "11/13 inactive, ErrorBudgetBurn: pending x2");
    }
}
