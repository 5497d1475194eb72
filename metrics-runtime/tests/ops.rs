//! The generated operations files of a binary with objectives: the dashboard parses
//! as JSON and every panel queries what the rules record; with `promtool` on PATH,
//! the config and rule files pass `promtool check`, every panel expression parses
//! (wrapped in a throwaway rule file), and the generated unit tests pass
//! `promtool test rules`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use metrics_runtime::ops::{self, Options, Selection};
use metrics_runtime::{
    Counter, DynFamily, Family, Format, Gauge, Histogram, LabelSet, LabelValue, Metrics, Registry,
    timed,
};

#[derive(Clone, Copy, LabelValue)]
enum Payment {
    Card,
    Transfer,
}

#[derive(Clone, Copy, LabelSet)]
struct OrderLabels {
    payment: Payment,
}

/// A struct with every kind of family, one with an objective.
#[derive(Metrics)]
#[metrics(namespace = "opsshop", labels(region = "eu"))]
struct ShopMetrics {
    /// Orders placed.
    orders: Family<OrderLabels, Counter>,
    /// Items in carts.
    cart_items: Gauge,
    /// Checkout latency.
    #[metric(unit = "seconds", buckets = [0.1, 0.25, 1.0], objective(latency = "1s", percentile = 95))]
    checkout: Histogram,
    /// Requests by route.
    #[metric(labels = ["route"])]
    requests: DynFamily<Counter>,
}

#[timed(objective(success = 99.9, latency = "250ms", percentile = 99))]
fn place_order(fail: bool) -> Result<(), String> {
    if fail { Err("declined".into()) } else { Ok(()) }
}

#[timed(in_flight, error_kind, objective(success = 99))]
async fn refund() -> Result<(), std::io::Error> {
    Ok(())
}

#[timed(name = "opsshop_search", buckets = [0.01, 0.1], objective(latency = "100ms", percentile = 90))]
fn search() {}

fn options() -> Options {
    Options::new("opsshop")
        .target("127.0.0.1:9898")
        .basic_auth("prometheus", "/etc/prometheus/opsshop.password")
        .runbook_url("https://runbooks.example.com/opsshop")
        .process_metrics(true)
        .tokio_metrics(true)
}

/// Only this test file's declarations: the runtime's own tests declare others.
fn selection() -> Selection {
    Selection::all().in_module("ops")
}

fn temp_dir(name: &str) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "metrics-ops-{}-{name}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn promtool() -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join("promtool"))
        .find(|path| path.is_file())
}

fn run(promtool: &Path, dir: &Path, args: &[&str]) {
    let out = Command::new(promtool).args(args).current_dir(dir).output().unwrap();
    assert!(
        out.status.success(),
        "promtool {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every `expr` of every panel, with the dashboard's variables replaced as Grafana
/// would for job `job` and all instances.
fn panel_exprs(dashboard: &serde_json::Value, job: &str) -> Vec<(String, String)> {
    let mut exprs = Vec::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let expr = target["expr"].as_str().unwrap();
            let expr = expr.replace("$job", job).replace("$instance", ".+");
            exprs.push((panel["title"].as_str().unwrap().to_owned(), expr));
        }
    }
    exprs
}

#[test]
fn the_dashboard_is_json_whose_panels_read_recorded_series() {
    let selection = selection();
    assert_eq!(selection.families().len(), 4);
    assert_eq!(selection.functions().len(), 3);
    let options = options();
    let dashboard: serde_json::Value =
        serde_json::from_str(&ops::dashboard(&selection, &options)).unwrap();
    assert_eq!(dashboard["schemaVersion"], 39);
    let variables: Vec<&str> = dashboard["templating"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(variables, ["datasource", "job", "instance"]);
    let panels = dashboard["panels"].as_array().unwrap();
    let rows: Vec<&str> = panels
        .iter()
        .filter(|p| p["type"] == "row")
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(rows, ["ops: #[timed] functions", "ShopMetrics", "Process", "Tokio runtime"]);
    let mut ids: Vec<i64> = panels.iter().map(|p| p["id"].as_i64().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), panels.len(), "panel ids are unique");
    for panel in panels.iter().filter(|p| p["type"] != "row") {
        assert_eq!(panel["datasource"]["uid"], "${datasource}");
        let pos = &panel["gridPos"];
        assert!(pos["x"].as_i64().unwrap() + pos["w"].as_i64().unwrap() <= 24);
    }
    let by_title = |title: &str| {
        panels.iter().find(|p| p["title"] == title).unwrap_or_else(|| panic!("no panel {title}"))
    };
    let errors = by_title("place_order: error ratio");
    assert_eq!(errors["fieldConfig"]["defaults"]["unit"], "percentunit");
    assert_eq!(errors["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"], 0.001);
    let latency = by_title("place_order: latency");
    assert_eq!(latency["targets"].as_array().unwrap().len(), 3);
    assert_eq!(latency["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"], 0.25);
    assert_eq!(by_title("opsshop_checkout_seconds")["fieldConfig"]["defaults"]["unit"], "s");
    assert_eq!(by_title("opsshop_cart_items")["type"], "stat");
    assert!(
        by_title("refund: errors by kind")["targets"][0]["expr"]
            .as_str()
            .unwrap()
            .contains(":function_errors:rate5m{")
    );
    assert!(
        by_title("refund: in flight")["targets"][0]["expr"]
            .as_str()
            .unwrap()
            .contains("function_calls_in_flight{")
    );

    // Every recorded series a panel reads is recorded.
    let recording = ops::recording_rules(&selection, &options);
    for (title, expr) in panel_exprs(&dashboard, "opsshop") {
        for word in expr.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')) {
            if word.matches(':').count() == 2 {
                assert!(
                    recording.contains(&format!("record: {word}")),
                    "{title}: {word} is not recorded"
                );
            }
        }
    }
}

#[test]
fn latency_matchers_match_the_exposition() {
    let registry = Registry::new();
    let shop = ShopMetrics::register(&registry).unwrap();
    shop.checkout.observe(0.5);
    let exposition = registry.encode_to_string(Format::Text);
    let recording = ops::recording_rules(&selection(), &options());
    // `1.0` is matched in both spellings; the encoders write the first.
    assert!(recording.contains(r#"opsshop_checkout_seconds_bucket{job="opsshop",le=~"1|1\\.0"}"#));
    assert!(
        exposition.contains(r#"opsshop_checkout_seconds_bucket{region="eu",le="1.0"} 1"#),
        "{exposition}"
    );
    let _ = place_order(false);
    let _ = place_order(true);
    search();
    let timed = Registry::new();
    timed.expose_timed();
    let exposition = timed.encode_to_string(Format::OpenMetrics);
    assert!(recording.contains(r#"le="0.25""#));
    assert!(
        exposition.contains(r#"function="place_order",module="ops",le="0.25"}"#),
        "{exposition}"
    );
    assert!(exposition.contains(
        r#"opsshop_search_duration_seconds_bucket{function="search",module="ops",le="0.1"}"#
    ));
}

#[test]
fn the_alerts_follow_the_objectives() {
    let alerts = ops::alerts(&selection(), &options());
    // Two functions with a success objective, three latency objectives: a page and
    // a ticket each.
    assert_eq!(alerts.matches("alert: ErrorBudgetBurn").count(), 4);
    assert_eq!(alerts.matches("alert: LatencyBudgetBurn").count(), 6);
    assert_eq!(alerts.matches("alert: TargetDown").count(), 1);
    // The #[timed] stems and the families with series from registration on; not
    // the dynamic one.
    assert_eq!(alerts.matches("alert: MetricFamilyAbsent").count(), 5);
    assert!(!alerts.contains("absent(opsshop_requests_total"));
    assert!(alerts.contains("> (14.4 * 0.001)"));
    assert!(alerts.contains("> (6 * 0.01)"));
    assert!(alerts.contains("runbook_url: 'https://runbooks.example.com/opsshop#errorbudgetburn'"));
    assert!(alerts.contains("severity: ticket"));
}

#[test]
fn promtool_accepts_the_files_and_their_tests_pass() {
    let Some(promtool) = promtool() else {
        eprintln!("promtool is not on PATH: skipping (apt-get install prometheus)");
        return;
    };
    let dir = temp_dir("promtool");
    let selection = selection();
    let options = options();
    ops::write_all(&dir, &selection, &options).unwrap();
    // `check config` loads the rule files it names; lint findings (duplicate rules)
    // fail too.
    run(&promtool, &dir, &["check", "config", "--lint-fatal", "prometheus.yml"]);
    run(&promtool, &dir, &["check", "rules", "--lint-fatal", "recording.yml", "alerts.yml"]);
    run(&promtool, &dir, &["test", "rules", "tests.yml"]);

    // Panel expressions, checked as the expressions of a throwaway rule file.
    let dashboard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("dashboard.json")).unwrap())
            .unwrap();
    let mut rules = String::from("groups:\n  - name: panels\n    rules:\n");
    for (i, (_, expr)) in panel_exprs(&dashboard, "opsshop").iter().enumerate() {
        let quoted = serde_json::to_string(expr).unwrap();
        rules.push_str(&format!("      - record: panel_{i}\n        expr: {quoted}\n"));
    }
    std::fs::write(dir.join("panels.yml"), rules).unwrap();
    run(&promtool, &dir, &["check", "rules", "--lint=none", "panels.yml"]);
    if std::env::var_os("OPS_KEEP").is_some() {
        eprintln!("kept {}", dir.display());
    } else {
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn generated_tests_fail_when_an_alert_is_broken() {
    let Some(promtool) = promtool() else { return };
    let dir = temp_dir("broken");
    ops::write_all(&dir, &selection(), &options()).unwrap();
    // A page that needs 100x the budget never fires: the tests must notice.
    let alerts = std::fs::read_to_string(dir.join("alerts.yml")).unwrap();
    std::fs::write(
        dir.join("alerts.yml"),
        alerts.replace("(14.4 * ", "(100 * ").replace("(6 * ", "(100 * "),
    )
    .unwrap();
    let out = Command::new(&promtool)
        .args(["test", "rules", "tests.yml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success(), "the tests of a broken page alert passed");
    std::fs::remove_dir_all(&dir).ok();
}
