//! Declared objectives as service-level indicators, and the multi-window,
//! multi-burn-rate alerts of the Google SRE workbook
//! (<https://sre.google/workbook/alerting-on-slos/>, "Multiwindow, Multi-Burn-Rate
//! Alerts") over a 30-day budget: page when 2 % of the budget burns in an hour or
//! 5 % in six hours, open a ticket when 10 % burns in a day or all of it in three.

use super::Selection;
use super::promql::{FamilyQueries, Matcher, TimedQueries, le_value, number, selector};
use crate::timed::TimedDescriptor;

/// One long window and its short window, and how many times faster than the
/// budget allows the errors must come in both.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BurnWindow {
    pub(crate) long: &'static str,
    pub(crate) short: &'static str,
    pub(crate) factor: f64,
}

/// An alert of the scheme: either pair of windows burning fires it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BurnAlert {
    pub(crate) severity: &'static str,
    pub(crate) windows: [BurnWindow; 2],
    /// `for:`, so that one evaluation over the threshold does not notify.
    pub(crate) hold: &'static str,
}

/// The page and the ticket of the workbook's table.
pub(crate) const BURN_ALERTS: [BurnAlert; 2] = [
    BurnAlert {
        severity: "page",
        windows: [
            BurnWindow { long: "1h", short: "5m", factor: 14.4 },
            BurnWindow { long: "6h", short: "30m", factor: 6.0 },
        ],
        hold: "2m",
    },
    BurnAlert {
        severity: "ticket",
        windows: [
            BurnWindow { long: "1d", short: "2h", factor: 3.0 },
            BurnWindow { long: "3d", short: "6h", factor: 1.0 },
        ],
        hold: "15m",
    },
];

/// Every window the alerts read, each a recording rule per indicator.
pub(crate) const WINDOWS: [&str; 7] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/// Minutes in one of [`WINDOWS`].
pub(crate) fn minutes(window: &str) -> f64 {
    let (n, unit) = window.split_at(window.len() - 1);
    let n: f64 = n.parse().unwrap_or(0.0);
    match unit {
        "m" => n,
        "h" => n * 60.0,
        "d" => n * 1440.0,
        _ => 0.0,
    }
}

/// What an indicator counts as bad, and in which series.
#[derive(Debug, Clone)]
pub(crate) enum Indicator {
    /// Calls of a `#[timed]` function that failed.
    FunctionErrors { queries: TimedQueries, descriptor: &'static TimedDescriptor },
    /// Calls of a `#[timed]` function slower than `bound` seconds.
    FunctionLatency { queries: TimedQueries, descriptor: &'static TimedDescriptor, bound: f64 },
    /// Observations of a histogram family above `bound`, in its unit.
    FamilyLatency { queries: FamilyQueries, bound: f64 },
}

/// One service-level indicator with its objective.
#[derive(Debug, Clone)]
pub(crate) struct Sli {
    pub(crate) indicator: Indicator,
    /// The objective in percent (99.9).
    pub(crate) target: f64,
    /// The share of bad events allowed (0.001).
    pub(crate) budget: f64,
}

/// The indicators of every objective in `selection`, functions first.
pub(crate) fn indicators(selection: &Selection, job: &str) -> Vec<Sli> {
    let mut slis = Vec::new();
    for descriptor in selection.functions() {
        let Some(objective) = descriptor.objective else { continue };
        let queries = TimedQueries::new(&crate::timed::stem(descriptor), job);
        if let (Some(target), Some(budget)) = (objective.success, objective.error_budget()) {
            let indicator = Indicator::FunctionErrors { queries: queries.clone(), descriptor };
            slis.push(Sli { indicator, target, budget });
        }
        if let (Some(bound), Some(budget)) = (objective.latency, objective.latency_budget()) {
            let indicator = Indicator::FunctionLatency { queries, descriptor, bound };
            slis.push(Sli { indicator, target: objective.percentile, budget });
        }
    }
    for descriptor in selection.families() {
        // A latency objective is measured on classic buckets, which Prometheus 2.42
        // drops beside native ones: the derive refuses the pair, and a hand-written
        // descriptor with both gets no rules for it.
        let Some(objective) = descriptor.objective.filter(|_| descriptor.native.is_none()) else {
            continue;
        };
        if let (Some(bound), Some(budget)) = (objective.latency, objective.latency_budget()) {
            let queries = FamilyQueries::new(descriptor, job);
            let indicator = Indicator::FamilyLatency { queries, bound };
            slis.push(Sli { indicator, target: objective.percentile, budget });
        }
    }
    slis
}

impl Sli {
    /// The alert's name; the labels say whose objective it is.
    pub(crate) fn alert_name(&self) -> &'static str {
        match self.indicator {
            Indicator::FunctionErrors { .. } => "ErrorBudgetBurn",
            Indicator::FunctionLatency { .. } | Indicator::FamilyLatency { .. } => {
                "LatencyBudgetBurn"
            }
        }
    }

    /// The latency bound, for latency indicators.
    pub(crate) fn bound(&self) -> Option<f64> {
        match self.indicator {
            Indicator::FunctionErrors { .. } => None,
            Indicator::FunctionLatency { bound, .. } | Indicator::FamilyLatency { bound, .. } => {
                Some(bound)
            }
        }
    }

    /// `module::function`, or the family's name.
    pub(crate) fn name(&self) -> String {
        match &self.indicator {
            Indicator::FunctionErrors { descriptor, .. }
            | Indicator::FunctionLatency { descriptor, .. } => {
                format!("{}::{}", descriptor.module, descriptor.function)
            }
            Indicator::FamilyLatency { queries, .. } => queries.descriptor.name.to_owned(),
        }
    }

    /// The recording rule of the bad-event ratio over `window`.
    pub(crate) fn record(&self, window: &str) -> String {
        match &self.indicator {
            Indicator::FunctionErrors { queries, .. } => queries.error_ratio_record(window),
            Indicator::FunctionLatency { queries, .. } => queries.slow_ratio_record(window),
            Indicator::FamilyLatency { queries, .. } => queries.slow_ratio_record(window),
        }
    }

    /// Its expression. The rule of a function's indicator covers every function of
    /// the same families (and latency bound), so functions share rules.
    pub(crate) fn record_expr(&self, window: &str) -> String {
        match &self.indicator {
            Indicator::FunctionErrors { queries, .. } => queries.error_ratio_expr(window),
            Indicator::FunctionLatency { queries, bound, .. } => {
                queries.slow_ratio_expr(*bound, window)
            }
            Indicator::FamilyLatency { queries, bound } => queries.slow_ratio_expr(*bound, window),
        }
    }

    /// Labels the recording rule adds: the bound of a function's latency indicator,
    /// which tells apart the slow-call ratios of functions with different bounds.
    pub(crate) fn record_labels(&self) -> Vec<(String, String)> {
        match &self.indicator {
            Indicator::FunctionLatency { bound, .. } => {
                vec![("le".to_owned(), le_value(*bound))]
            }
            _ => Vec::new(),
        }
    }

    /// The matchers of the series the indicator is computed from: the job, and the
    /// function or the family's constant labels.
    pub(crate) fn subject_matchers(&self) -> Vec<Matcher> {
        match &self.indicator {
            Indicator::FunctionErrors { queries, descriptor }
            | Indicator::FunctionLatency { queries, descriptor, .. } => {
                let mut matchers = vec![Matcher::eq("job", &queries.job)];
                matchers.extend(TimedQueries::function(descriptor));
                matchers
            }
            Indicator::FamilyLatency { queries, .. } => queries.slo_matchers(),
        }
    }

    /// The matchers that pick this indicator's recorded series among others
    /// recorded under the same name.
    pub(crate) fn matchers(&self) -> Vec<Matcher> {
        let mut matchers = self.subject_matchers();
        matchers.extend(self.record_labels().iter().map(|(k, v)| Matcher::eq(k, v)));
        matchers
    }

    /// Labels the alert adds to the recorded series' own: `slo`, naming the
    /// objective, which also keeps each alert rule distinct for `promtool`'s lint.
    pub(crate) fn alert_labels(&self) -> Vec<(String, String)> {
        vec![("slo".to_owned(), self.name())]
    }

    /// The alert condition: either window pair burning `factor` times too fast.
    pub(crate) fn burn_expr(&self, alert: &BurnAlert) -> String {
        let matchers = self.matchers();
        let budget = number(self.budget);
        let pair = |w: &BurnWindow| {
            let threshold = format!("({} * {budget})", number(w.factor));
            format!(
                "(\n  {} > {threshold}\nand\n  {} > {threshold}\n)",
                selector(&self.record(w.long), &matchers),
                selector(&self.record(w.short), &matchers),
            )
        };
        format!("{}\nor\n{}", pair(&alert.windows[0]), pair(&alert.windows[1]))
    }

    /// What the objective promises, in words.
    pub(crate) fn promise(&self) -> String {
        let target = number(self.target);
        let name = self.name();
        match &self.indicator {
            Indicator::FunctionErrors { .. } => format!("{target}% of calls of {name} succeed"),
            Indicator::FunctionLatency { bound, .. } => {
                format!("{target}% of calls of {name} take at most {} s", number(*bound))
            }
            Indicator::FamilyLatency { queries, bound } => {
                let unit = match queries.descriptor.unit {
                    "" => "seconds",
                    unit => unit,
                };
                format!("{target}% of {name} observations are at most {} {unit}", number(*bound))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::{Objective, SourceLocation};

    static PAY: TimedDescriptor = TimedDescriptor {
        function: "pay",
        module: "shop",
        family: None,
        labels: &[],
        buckets: &[0.1, 0.25],
        in_flight: false,
        error_kind: false,
        location: SourceLocation { file: "shop.rs", line: 1, column: 1, module: "shop" },
        objective: Some(Objective { success: Some(99.9), latency: Some(0.25), percentile: 99.0 }),
    };

    #[test]
    fn an_objective_gives_one_indicator_per_promise() {
        let selection = Selection::empty().with_function(&PAY);
        let slis = indicators(&selection, "shop");
        assert_eq!(slis.len(), 2);
        assert_eq!(slis[0].alert_name(), "ErrorBudgetBurn");
        assert_eq!(slis[0].budget, 0.001);
        assert_eq!(slis[1].bound(), Some(0.25));
        assert_eq!(slis[1].budget, 0.01);
        assert_eq!(slis[0].promise(), "99.9% of calls of shop::pay succeed");
        assert_eq!(slis[1].promise(), "99% of calls of shop::pay take at most 0.25 s");
    }

    #[test]
    fn burn_alerts_follow_the_workbook() {
        let selection = Selection::empty().with_function(&PAY);
        let sli = &indicators(&selection, "shop")[0];
        let page = sli.burn_expr(&BURN_ALERTS[0]);
        let m = r#"{job="shop",module="shop",function="pay"}"#;
        assert_eq!(
            page,
            format!(
                "(\n  job_module_function:function_errors_per_call:ratio_rate1h{m} > (14.4 * 0.001)\nand\n  \
                 job_module_function:function_errors_per_call:ratio_rate5m{m} > (14.4 * 0.001)\n)\nor\n(\n  \
                 job_module_function:function_errors_per_call:ratio_rate6h{m} > (6 * 0.001)\nand\n  \
                 job_module_function:function_errors_per_call:ratio_rate30m{m} > (6 * 0.001)\n)"
            )
        );
        for alert in BURN_ALERTS {
            for w in alert.windows {
                assert!(WINDOWS.contains(&w.long) && WINDOWS.contains(&w.short));
                assert!(minutes(w.long) > minutes(w.short));
            }
        }
        assert_eq!(minutes("3d"), 4320.0);
    }
}
