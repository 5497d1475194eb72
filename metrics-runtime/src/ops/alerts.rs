//! `alerts.yml`: the target down or missing, a family no longer exposed, and for
//! each objective the multi-window, multi-burn-rate alerts (page and ticket).
//! `promtool_tests.rs` builds its expectations from the same [`AlertRule`]s.

use super::objective::{BURN_ALERTS, BurnAlert, Sli, indicators};
use super::promql::{FamilyQueries, Matcher, number, selector};
use super::recording::timed_stems;
use super::value::{Value, obj};
use super::{Options, Selection};
use crate::timed::TimedDescriptor;

/// How long a target stays down before [`target_down`] fires.
pub(crate) const DOWN_FOR: &str = "5m";
/// How long a job has no target before [`target_missing`] fires.
pub(crate) const MISSING_FOR: &str = "10m";
/// How long a family is absent before [`family_absent`] fires: longer than a
/// rolling deployment, during which old and new instances differ.
pub(crate) const ABSENT_FOR: &str = "15m";

/// One alerting rule, with what it fires with.
#[derive(Debug, Clone)]
pub(crate) struct AlertRule {
    pub(crate) name: &'static str,
    pub(crate) expr: String,
    pub(crate) hold: &'static str,
    /// The rule's own labels (`severity`, ...).
    pub(crate) labels: Vec<(String, String)>,
    /// Annotations, which may use `{{ $labels.<name> }}`.
    pub(crate) annotations: Vec<(String, String)>,
}

impl AlertRule {
    fn to_value(&self) -> Value {
        let mut labels = Value::map();
        for (k, v) in &self.labels {
            labels.insert(k, v);
        }
        let mut annotations = Value::map();
        for (k, v) in &self.annotations {
            annotations.insert(k, v);
        }
        obj! {
            "alert" => self.name,
            "expr" => &self.expr,
            "for" => self.hold,
            "labels" => labels,
            "annotations" => annotations,
        }
    }
}

/// The rule file.
pub(crate) fn alerts(selection: &Selection, options: &Options) -> Value {
    let job = options.job();
    let availability: Vec<Value> =
        availability_rules(selection, options).iter().map(AlertRule::to_value).collect();
    let mut groups =
        vec![obj! { "name" => format!("{job}.availability"), "rules" => availability }];
    let objectives: Vec<Value> = indicators(selection, job)
        .iter()
        .flat_map(|sli| BURN_ALERTS.iter().map(move |alert| burn(sli, alert, options)))
        .map(|rule| rule.to_value())
        .collect();
    if !objectives.is_empty() {
        groups.push(obj! { "name" => format!("{job}.objectives"), "rules" => objectives });
    }
    obj! { "groups" => groups }
}

/// `TargetDown`, `TargetMissing`, then [`family_absent`] for every family that has
/// series from registration on.
pub(crate) fn availability_rules(selection: &Selection, options: &Options) -> Vec<AlertRule> {
    let mut rules = vec![target_down(options), target_missing(options)];
    rules.extend(absence_checks(selection, options).into_iter().map(|check| check.rule));
    rules
}

fn up(options: &Options) -> String {
    selector("up", &[Matcher::eq("job", options.job())])
}

fn annotations(
    options: &Options,
    alert: &str,
    pairs: [(&str, String); 3],
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    if let Some(base) = &options.runbook_url {
        out.push(("runbook_url".to_owned(), format!("{base}#{}", alert.to_lowercase())));
    }
    out
}

fn severity(severity: &str) -> Vec<(String, String)> {
    vec![("severity".to_owned(), severity.to_owned())]
}

pub(crate) fn target_down(options: &Options) -> AlertRule {
    let job = options.job();
    let path = &options.metrics_path;
    AlertRule {
        name: "TargetDown",
        expr: format!("{} == 0", up(options)),
        hold: DOWN_FOR,
        labels: severity("page"),
        annotations: annotations(options, "TargetDown", [
            ("summary", format!("{{{{ $labels.instance }}}} of job {job} is down")),
            (
                "description",
                format!(
                    "Prometheus has failed to scrape {{{{ $labels.instance }}}}{path} for {DOWN_FOR} \
                     (up == 0): the process is down, or its metrics endpoint does not answer."
                ),
            ),
            (
                "runbook",
                "Check that the process runs and listens on its metrics port, then the network \
                 from Prometheus to it; the scrape error is under Status > Targets."
                    .to_owned(),
            ),
        ]),
    }
}

pub(crate) fn target_missing(options: &Options) -> AlertRule {
    let job = options.job();
    AlertRule {
        name: "TargetMissing",
        expr: format!("absent({})", up(options)),
        hold: MISSING_FOR,
        labels: severity("page"),
        annotations: annotations(
            options,
            "TargetMissing",
            [
                ("summary", format!("Prometheus knows no target of job {job}")),
                (
                    "description",
                    format!(
                        "{} has had no series for {MISSING_FOR}: nothing of {job} is monitored.",
                        up(options)
                    ),
                ),
                (
                    "runbook",
                    format!(
                        "Check that prometheus.yml has the scrape config of job {job} and loads, then \
                     what service discovery finds under Status > Service discovery."
                    ),
                ),
            ],
        ),
    }
}

/// An absence alert and the sample whose absence fires it.
#[derive(Debug, Clone)]
pub(crate) struct AbsenceCheck {
    pub(crate) sample: String,
    pub(crate) rule: AlertRule,
}

/// One check per `#[timed]` stem and per family with series from registration on
/// (a dynamic family has none before its first use).
pub(crate) fn absence_checks(selection: &Selection, options: &Options) -> Vec<AbsenceCheck> {
    let job = options.job();
    let mut checks = Vec::new();
    for queries in timed_stems(selection, job) {
        let functions: Vec<&TimedDescriptor> = selection
            .functions()
            .iter()
            .copied()
            .filter(|f| crate::timed::stem(f) == queries.stem)
            .collect();
        let first = functions[0];
        let origin = format!(
            "#[timed] on {} function(s), such as {}::{} at {}",
            functions.len(),
            first.module,
            first.function,
            first.location
        );
        checks.push(family_absent(&queries.calls_total(), &origin, options));
    }
    for family in selection.families() {
        let queries = FamilyQueries::new(family, job);
        if queries.always_present() {
            let origin = format!(
                "field {}.{} at {}",
                family.struct_name, family.field_name, family.location
            );
            checks.push(family_absent(&queries.presence_sample(), &origin, options));
        }
    }
    checks
}

/// `MetricFamilyAbsent`: the job's targets are up, yet none exposes `sample`.
pub(crate) fn family_absent(sample: &str, origin: &str, options: &Options) -> AbsenceCheck {
    let job = options.job();
    let present = selector(sample, &[Matcher::eq("job", job)]);
    let rule = AlertRule {
        name: "MetricFamilyAbsent",
        // Only while a target is up: a target down is `TargetDown`'s to report.
        expr: format!("absent({present}) and on() (count({} == 1) > 0)", up(options)),
        hold: ABSENT_FOR,
        labels: [severity("ticket"), vec![("family".to_owned(), sample.to_owned())]].concat(),
        annotations: annotations(options, "MetricFamilyAbsent", [
            ("summary", format!("Job {job} no longer exposes {sample}")),
            (
                "description",
                format!(
                    "The targets of {job} are up, but none has exposed {sample} for {ABSENT_FOR}. \
                     It comes from {origin}."
                ),
            ),
            (
                "runbook",
                "A release may have renamed or removed the family, or the code that registers it \
                 no longer runs. Compare the exposition (the metrics path) with the catalogue \
                 (run the binary with --catalogue), and dashboards and alerts with the generated ones."
                    .to_owned(),
            ),
        ]),
    };
    AbsenceCheck { sample: sample.to_owned(), rule }
}

/// The page or the ticket of one objective.
pub(crate) fn burn(sli: &Sli, alert: &BurnAlert, options: &Options) -> AlertRule {
    let name = sli.name();
    let [fast, slow] = alert.windows;
    let budget = sli.budget * 100.0;
    let (what, look) = match sli.bound() {
        None => (
            "calls failed",
            "the calls by outcome and the error ratio on the dashboard, then the errors in the \
             logs; if the burn began with a release, roll it back",
        ),
        Some(_) => (
            "calls were slower than the objective",
            "p50/p90/p99 on the dashboard, then saturation (in-flight calls, CPU, runtime \
             workers) and the latency of what it calls; if the burn began with a release, roll it back",
        ),
    };
    let mut labels = severity(alert.severity);
    labels.extend(sli.alert_labels());
    AlertRule {
        name: sli.alert_name(),
        expr: sli.burn_expr(alert),
        hold: alert.hold,
        labels,
        annotations: annotations(
            options,
            sli.alert_name(),
            [
                (
                    "summary",
                    format!(
                        "{name} is spending its {} budget too fast: at this rate, the 30-day budget \
                     is gone within {} days",
                        if sli.bound().is_some() { "latency" } else { "error" },
                        number(30.0 / slow.factor),
                    ),
                ),
                (
                    "description",
                    format!(
                        "Objective: {} (a budget of {}% over 30 days). More than {}x that share of {what} \
                     over both the last {} and {}, or more than {}x over both the last {} and {}.",
                        sli.promise(),
                        number(budget),
                        number(fast.factor),
                        fast.long,
                        fast.short,
                        number(slow.factor),
                        slow.long,
                        slow.short,
                    ),
                ),
                ("runbook", format!("Look at {name}: {look}.")),
            ],
        ),
    }
}
