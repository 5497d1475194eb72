//! `tests.yml`: `promtool test rules` cases that feed synthetic series to the rules
//! and check which alerts fire. Each alert is shown firing when it should and
//! silent when it should not: a target up, down or missing; each family present or
//! not; and for each objective, traffic within budget, burning fast, burning slowly,
//! and a fast burn that stopped (silenced by the short windows while the ticket
//! stays open).
//!
//! The expected state of a burn-rate alert is worked out here from the scenario,
//! window by window; a check whose ratios come within 15 % of a threshold (where
//! rate extrapolation could tip it) is left out rather than guessed.

use super::alerts::{AlertRule, absence_checks, burn, target_down, target_missing};
use super::objective::{BURN_ALERTS, BurnAlert, Indicator, Sli, indicators, minutes};
use super::promql::{Matcher, le_value, number, selector};
use super::value::{Value, obj, strings};
use super::{Options, Selection};

/// Events per minute in the objective scenarios.
const EVENTS_PER_MINUTE: f64 = 1000.0;
/// Minutes every series runs for.
const MINUTES: u32 = 180;

/// The test file.
pub(crate) fn rule_tests(selection: &Selection, options: &Options) -> Value {
    let mut cases = availability_cases(selection, options);
    for sli in indicators(selection, options.job()) {
        cases.extend(objective_cases(&sli, options));
    }
    obj! {
        "rule_files" => strings(["recording.yml", "alerts.yml"]),
        "evaluation_interval" => "1m",
        "tests" => cases.into_iter().map(Case::into_value).collect::<Vec<_>>(),
    }
}

/// One test group: its input series and the alerts expected at given times.
struct Case {
    name: String,
    series: Vec<(String, String)>,
    checks: Vec<Check>,
}

/// The alerts named `alertname` firing at `minute` must be exactly `firing`.
struct Check {
    minute: u32,
    alertname: &'static str,
    firing: Vec<Fired>,
}

/// A firing alert: every label but `alertname`, and its annotations expanded.
struct Fired {
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
}

impl Fired {
    /// `rule` firing for a series with `labels`.
    fn of(rule: &AlertRule, labels: Vec<(String, String)>) -> Self {
        let mut all = labels;
        for (k, v) in &rule.labels {
            all.retain(|(name, _)| name != k);
            all.push((k.clone(), v.clone()));
        }
        let annotations =
            rule.annotations.iter().map(|(k, v)| (k.clone(), expand(v, &all))).collect();
        Self { labels: all, annotations }
    }
}

/// `{{ $labels.name }}` replaced by the label's value, as Prometheus's templates do.
fn expand(template: &str, labels: &[(String, String)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in labels {
        out = out.replace(&format!("{{{{ $labels.{name} }}}}"), value);
    }
    out
}

impl Case {
    fn into_value(self) -> Value {
        let series: Vec<Value> = self
            .series
            .into_iter()
            .map(|(series, values)| obj! { "series" => series, "values" => values })
            .collect();
        let checks: Vec<Value> = self
            .checks
            .into_iter()
            .map(|check| {
                let firing: Vec<Value> = check
                    .firing
                    .into_iter()
                    .map(|fired| obj! { "exp_labels" => pairs(fired.labels), "exp_annotations" => pairs(fired.annotations) })
                    .collect();
                obj! {
                    "eval_time" => format!("{}m", check.minute),
                    "alertname" => check.alertname,
                    "exp_alerts" => firing,
                }
            })
            .collect();
        obj! {
            "name" => self.name,
            "interval" => "1m",
            "input_series" => series,
            "alert_rule_test" => checks,
        }
    }
}

fn pairs(pairs: Vec<(String, String)>) -> Value {
    let mut map = Value::map();
    for (k, v) in pairs {
        map.insert(&k, v);
    }
    map
}

fn label(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

/// A constant series over the whole run.
fn constant(value: f64) -> String {
    format!("{}+0x{MINUTES}", number(value))
}

/// The instance the synthetic series come from.
fn instance(options: &Options) -> String {
    options.targets()[0].clone()
}

fn availability_cases(selection: &Selection, options: &Options) -> Vec<Case> {
    let job = options.job();
    let instance = instance(options);
    let up = selector("up", &[Matcher::eq("job", job), Matcher::eq("instance", &instance)]);
    let checks = absence_checks(selection, options);
    let present = |sample: &str| {
        let labels = [Matcher::eq("job", job), Matcher::eq("instance", &instance)];
        (selector(sample, &labels), constant(1.0))
    };
    let silent = |minute: u32, alertname: &'static str| Check { minute, alertname, firing: vec![] };
    let job_labels = vec![label("job", job)];

    let mut cases = Vec::new();
    let mut all = vec![(up.clone(), constant(1.0))];
    all.extend(checks.iter().map(|c| present(&c.sample)));
    cases.push(Case {
        name: format!("{job}: up, every family exposed: no availability alert"),
        series: all,
        checks: vec![
            silent(30, "TargetDown"),
            silent(30, "TargetMissing"),
            silent(30, "MetricFamilyAbsent"),
        ],
    });
    let down = target_down(options);
    let down_labels = vec![label("job", job), label("instance", &instance)];
    cases.push(Case {
        name: format!("{job}: a target down fires TargetDown once it lasts, and nothing else"),
        series: vec![(up, constant(0.0))],
        checks: vec![
            silent(3, "TargetDown"),
            Check {
                minute: 30,
                alertname: "TargetDown",
                firing: vec![Fired::of(&down, down_labels)],
            },
            silent(30, "TargetMissing"),
            silent(30, "MetricFamilyAbsent"),
        ],
    });
    let missing = target_missing(options);
    let other = selector(
        "up",
        &[Matcher::eq("job", &format!("{job}-other")), Matcher::eq("instance", &instance)],
    );
    cases.push(Case {
        name: format!("{job}: no target at all fires TargetMissing, and nothing else"),
        series: vec![(other, constant(1.0))],
        checks: vec![
            silent(5, "TargetMissing"),
            Check {
                minute: 30,
                alertname: "TargetMissing",
                firing: vec![Fired::of(&missing, job_labels.clone())],
            },
            silent(30, "TargetDown"),
            silent(30, "MetricFamilyAbsent"),
        ],
    });
    for (i, gone) in checks.iter().enumerate() {
        let mut series = vec![(
            selector("up", &[Matcher::eq("job", job), Matcher::eq("instance", &instance)]),
            constant(1.0),
        )];
        series.extend(
            checks.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| present(&c.sample)),
        );
        cases.push(Case {
            name: format!(
                "{job}: {} absent while the target is up fires MetricFamilyAbsent for it alone",
                gone.sample
            ),
            series,
            checks: vec![
                silent(10, "MetricFamilyAbsent"),
                Check {
                    minute: 30,
                    alertname: "MetricFamilyAbsent",
                    firing: vec![Fired::of(&gone.rule, job_labels.clone())],
                },
            ],
        });
    }
    cases
}

/// Traffic whose share of bad events changes by phase: `(minutes, bad share)`.
struct Scenario {
    name: &'static str,
    phases: Vec<(u32, f64)>,
    /// When to check the alerts.
    minutes: Vec<u32>,
}

impl Scenario {
    /// The bad share of events over the `window` minutes before `t`.
    fn ratio(&self, t: f64, window: f64) -> f64 {
        let (from, to) = ((t - window).max(0.0), t);
        let (mut bad, mut all, mut start) = (0.0, 0.0, 0.0);
        for &(length, share) in &self.phases {
            let end = start + f64::from(length);
            let overlap = (end.min(to) - start.max(from)).max(0.0);
            bad += overlap * share;
            all += overlap;
            start = end;
        }
        let overlap = (to - start.max(from)).max(0.0);
        all += overlap;
        if all > 0.0 { bad / all } else { 0.0 }
    }

    /// The cumulative bad and good counts, in promtool's series notation.
    fn series(&self) -> (String, String) {
        let notation = |share_of: &dyn Fn(f64) -> f64| {
            let mut parts = Vec::new();
            let (mut value, mut first) = (0.0, true);
            let mut phases = self.phases.clone();
            let used: u32 = phases.iter().map(|p| p.0).sum();
            if used < MINUTES {
                phases.push((MINUTES - used, 0.0));
            }
            for (length, share) in phases {
                let step = share_of(share) * EVENTS_PER_MINUTE;
                if first {
                    parts.push(format!("0+{}x{length}", number(step)));
                    value = step * f64::from(length);
                    first = false;
                } else {
                    let start = value + step;
                    parts.push(format!("{}+{}x{}", number(start), number(step), length - 1));
                    value = start + step * f64::from(length - 1);
                }
            }
            parts.join(" ")
        };
        (notation(&|share| share), notation(&|share| 1.0 - share))
    }
}

/// Whether `alert` fires at `t` (held for its `for:`), or `None` when a ratio is
/// too close to a threshold to say.
fn expected(scenario: &Scenario, budget: f64, alert: &BurnAlert, t: u32) -> Option<bool> {
    let hold = minutes(alert.hold) as u32;
    let at = |t: f64| -> Option<bool> {
        let mut any = Some(false);
        for w in alert.windows {
            let threshold = w.factor * budget;
            let over = |window: &str| {
                let ratio = scenario.ratio(t, minutes(window));
                let margin = ratio / threshold;
                if (0.85..=1.15).contains(&margin) { None } else { Some(ratio > threshold) }
            };
            let both = match (over(w.long), over(w.short)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
            any = match (any, both) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
        }
        any
    };
    let now = at(f64::from(t))?;
    if !now {
        return Some(false);
    }
    // Firing needs the condition at every evaluation of its `for:`.
    for earlier in t.saturating_sub(hold)..t {
        if earlier < 2 || !at(f64::from(earlier))? {
            return None;
        }
    }
    Some(true)
}

fn objective_cases(sli: &Sli, options: &Options) -> Vec<Case> {
    let budget = sli.budget;
    let fast = (20.0 * budget).min(1.0);
    let scenarios = [
        Scenario {
            name: "within budget",
            phases: vec![(MINUTES, budget / 2.0)],
            minutes: vec![30, 120],
        },
        Scenario { name: "burning fast", phases: vec![(MINUTES, fast)], minutes: vec![30] },
        Scenario {
            name: "burning slowly",
            phases: vec![(MINUTES, 2.0 * budget)],
            minutes: vec![60],
        },
        Scenario {
            name: "a fast burn that stopped",
            phases: vec![(60, fast), (MINUTES - 60, 0.0)],
            minutes: vec![30, 95],
        },
    ];
    let rules: Vec<(AlertRule, &BurnAlert)> =
        BURN_ALERTS.iter().map(|alert| (burn(sli, alert, options), alert)).collect();
    let fired_labels: Vec<(String, String)> =
        sli.matchers().into_iter().map(|m| (m.name, m.value)).collect();
    let mut cases = Vec::new();
    for scenario in scenarios {
        let mut checks = Vec::new();
        for &minute in &scenario.minutes {
            let mut firing = Vec::new();
            let mut known = true;
            for (rule, alert) in &rules {
                match expected(&scenario, budget, alert, minute) {
                    Some(true) => firing.push(Fired::of(rule, fired_labels.clone())),
                    Some(false) => {}
                    None => known = false,
                }
            }
            if known {
                checks.push(Check { minute, alertname: sli.alert_name(), firing });
            }
        }
        if checks.is_empty() {
            continue;
        }
        let states: Vec<String> = checks
            .iter()
            .map(|c| {
                let severities: Vec<&str> = c
                    .firing
                    .iter()
                    .filter_map(|f| {
                        f.labels.iter().find(|(k, _)| k == "severity").map(|(_, v)| v.as_str())
                    })
                    .collect();
                let state = if severities.is_empty() {
                    "silent".to_owned()
                } else {
                    severities.join(" and ")
                };
                format!("{state} at {}m", c.minute)
            })
            .collect();
        cases.push(Case {
            name: format!(
                "{} {}: {}: {}",
                sli.name(),
                sli.alert_name(),
                scenario.name,
                states.join(", ")
            ),
            series: objective_series(sli, &scenario, options),
            checks,
        });
    }
    cases
}

/// The series an indicator reads, carrying `scenario`'s traffic.
fn objective_series(sli: &Sli, scenario: &Scenario, options: &Options) -> Vec<(String, String)> {
    let (bad, good) = scenario.series();
    let mut labels: Vec<Matcher> = sli.subject_matchers();
    labels.push(Matcher::eq("instance", &instance(options)));
    let with = |name: &str, extra: Option<Matcher>| {
        let mut l = labels.clone();
        l.extend(extra);
        selector(name, &l)
    };
    let all = Scenario { name: "", phases: vec![(MINUTES, 0.0)], minutes: vec![] }.series().1;
    match &sli.indicator {
        Indicator::FunctionErrors { queries, .. } => {
            let calls = queries.calls_total();
            let outcome = |o: &str| Some(Matcher::eq("outcome", o));
            vec![
                (with(&calls, outcome("ok")), good),
                (with(&calls, outcome("error")), bad),
                (with(&calls, outcome("panicked")), constant(0.0)),
                (with(&calls, outcome("cancelled")), constant(0.0)),
            ]
        }
        Indicator::FunctionLatency { queries, bound, .. } => {
            let duration = queries.duration();
            vec![
                (
                    with(&format!("{duration}_bucket"), Some(Matcher::eq("le", &le_value(*bound)))),
                    good,
                ),
                (with(&format!("{duration}_count"), None), all),
            ]
        }
        Indicator::FamilyLatency { queries, bound } => {
            let name = queries.descriptor.name;
            vec![
                (with(&format!("{name}_bucket"), Some(Matcher::eq("le", &le_value(*bound)))), good),
                (with(&format!("{name}_count"), None), all),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_ratios() {
        let stopped = Scenario { name: "", phases: vec![(60, 0.02), (120, 0.0)], minutes: vec![] };
        assert!((stopped.ratio(30.0, 60.0) - 0.02).abs() < 1e-12);
        assert!((stopped.ratio(95.0, 5.0)).abs() < 1e-12);
        assert!((stopped.ratio(90.0, 60.0) - 0.02 * 30.0 / 60.0).abs() < 1e-12);
        let (bad, good) = stopped.series();
        assert_eq!(bad, "0+20x60 1200+0x119");
        assert_eq!(good, "0+980x60 59800+1000x119");
    }

    #[test]
    fn expectations_follow_the_windows() {
        let budget = 0.001;
        let [page, ticket] = BURN_ALERTS;
        let fast = Scenario { name: "", phases: vec![(MINUTES, 0.02)], minutes: vec![] };
        assert_eq!(expected(&fast, budget, &page, 30), Some(true));
        assert_eq!(expected(&fast, budget, &ticket, 30), Some(true));
        let slow = Scenario { name: "", phases: vec![(MINUTES, 0.002)], minutes: vec![] };
        assert_eq!(expected(&slow, budget, &page, 60), Some(false));
        assert_eq!(expected(&slow, budget, &ticket, 60), Some(true));
        let stopped = Scenario { name: "", phases: vec![(60, 0.02), (120, 0.0)], minutes: vec![] };
        assert_eq!(expected(&stopped, budget, &page, 95), Some(false));
        assert_eq!(expected(&stopped, budget, &ticket, 95), Some(true));
        let edge = Scenario { name: "", phases: vec![(MINUTES, 0.0145)], minutes: vec![] };
        assert_eq!(expected(&edge, budget, &page, 30), Some(true), "the 6h/30m pair decides");
        let unsure = Scenario { name: "", phases: vec![(MINUTES, 0.0062)], minutes: vec![] };
        assert_eq!(expected(&unsure, budget, &page, 30), None);
    }

    #[test]
    fn annotations_are_expanded() {
        let labels = vec![label("instance", "a:1"), label("job", "j")];
        assert_eq!(expand("{{ $labels.instance }} of {{ $labels.job }}", &labels), "a:1 of j");
    }
}
