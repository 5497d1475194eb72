//! The PromQL the generated files share: selectors, the names of recording rules
//! (`level:metric:operations`, as <https://prometheus.io/docs/practices/rules/>
//! asks) and the expressions behind them, so that the dashboard, the alerts and the
//! rules they read always agree.

use std::fmt::Write as _;

use crate::descriptor::{FamilyDescriptor, LabelKind, MetricKind};
use crate::timed::TimedDescriptor;

/// The window of the rates the dashboard shows.
pub(crate) const RATE_WINDOW: &str = "5m";

/// The quantiles recorded for every histogram, with their legend names.
pub(crate) const QUANTILES: [(f64, &str); 3] = [(0.5, "p50"), (0.9, "p90"), (0.99, "p99")];

/// The `outcome`s of a `#[timed]` call that count against a success objective.
/// `cancelled` counts neither way: the caller gave up before the call ended.
pub(crate) const ERROR_OUTCOMES: &str = "error|panicked";

/// One label matcher: `name="value"`, `name!="value"`, `name=~"regex"`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Matcher {
    pub(crate) name: String,
    pub(crate) op: &'static str,
    pub(crate) value: String,
}

impl Matcher {
    pub(crate) fn eq(name: &str, value: &str) -> Self {
        Self { name: name.to_owned(), op: "=", value: value.to_owned() }
    }

    pub(crate) fn ne(name: &str, value: &str) -> Self {
        Self { name: name.to_owned(), op: "!=", value: value.to_owned() }
    }

    pub(crate) fn re(name: &str, value: &str) -> Self {
        Self { name: name.to_owned(), op: "=~", value: value.to_owned() }
    }
}

/// `metric{a="b",c=~"d"}`, or `metric` without matchers.
pub(crate) fn selector(metric: &str, matchers: &[Matcher]) -> String {
    let mut out = metric.to_owned();
    if !matchers.is_empty() {
        out.push('{');
        for (i, m) in matchers.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&m.name);
            out.push_str(m.op);
            out.push_str(&string_literal(&m.value));
        }
        out.push('}');
    }
    out
}

/// A PromQL string literal.
pub(crate) fn string_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number as PromQL and YAML read it, rounded to 12 significant digits so that
/// float noise (`0.0010000000000000009`) stays out of the files.
pub(crate) fn number(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let rounded: f64 = format!("{x:.11e}").parse().unwrap_or(x);
    let text = ryu::Buffer::new().format_finite(rounded).to_owned();
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

/// The `le` value of a finite bucket bound as our encoders write it (`0.25`, `1.0`):
/// ryu's shortest form, as `encode/number.rs` writes it (`tests/ops.rs` checks the
/// generated matchers against an exposition).
pub(crate) fn le_value(bound: f64) -> String {
    ryu::Buffer::new().format(bound).to_owned()
}

/// The matcher of the bucket at `bound`. A whole bound is matched in both its
/// spellings (`1.0` from us, `1` from Prometheus clients that format like Go), so
/// that a relabelled or re-exported series still matches.
pub(crate) fn le_matcher(bound: f64) -> Matcher {
    let ours = le_value(bound);
    match ours.strip_suffix(".0") {
        Some(whole) => {
            Matcher::re("le", &format!("{}|{}", regex_escape(whole), regex_escape(&ours)))
        }
        None => Matcher::eq("le", &ours),
    }
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `by (a, b)` grouping text.
pub(crate) fn by(labels: &[&str]) -> String {
    format!("by ({})", labels.join(", "))
}

/// A recording-rule name: `level:metric:operations`.
pub(crate) fn record(level: &[&str], metric: &str, operations: &str) -> String {
    format!("{}:{metric}:{operations}", level.join("_"))
}

/// The labels a dashboard selector filters on, with the dashboard's variables.
pub(crate) fn dashboard_matchers() -> Vec<Matcher> {
    vec![Matcher::re("job", "$job"), Matcher::re("instance", "$instance")]
}

/// The families of `#[timed]` functions with one stem (`function`, or the name given
/// with `#[timed(name = ..)]`), in one job.
#[derive(Debug, Clone)]
pub(crate) struct TimedQueries {
    pub(crate) stem: String,
    pub(crate) job: String,
}

/// The labels the timed rules keep for the dashboard.
const TIMED_LEVEL: [&str; 4] = ["job", "instance", "module", "function"];
/// The labels objectives are kept at: a service's objective spans its instances.
const TIMED_SLO_LEVEL: [&str; 3] = ["job", "module", "function"];

impl TimedQueries {
    pub(crate) fn new(stem: &str, job: &str) -> Self {
        Self { stem: stem.to_owned(), job: job.to_owned() }
    }

    pub(crate) fn calls_total(&self) -> String {
        format!("{}_calls_total", self.stem)
    }

    pub(crate) fn duration(&self) -> String {
        format!("{}_duration_seconds", self.stem)
    }

    pub(crate) fn in_flight(&self) -> String {
        format!("{}_calls_in_flight", self.stem)
    }

    /// Errors by kind per second (functions with `#[timed(error_kind)]`), per
    /// instance and function.
    pub(crate) fn errors_rate_record(&self) -> String {
        let level = [&TIMED_LEVEL[..], &["error_kind"]].concat();
        record(&level, &format!("{}_errors", self.stem), &format!("rate{RATE_WINDOW}"))
    }

    pub(crate) fn errors_rate_expr(&self) -> String {
        let level = [&TIMED_LEVEL[..], &["error_kind"]].concat();
        let errors = selector(&format!("{}_errors_total", self.stem), &[self.job()]);
        format!("sum {} (rate({errors}[{RATE_WINDOW}]))", by(&level))
    }

    fn job(&self) -> Matcher {
        Matcher::eq("job", &self.job)
    }

    /// The `module` and `function` matchers of one function.
    pub(crate) fn function(descriptor: &TimedDescriptor) -> Vec<Matcher> {
        vec![Matcher::eq("module", descriptor.module), Matcher::eq("function", descriptor.function)]
    }

    /// Calls per second by outcome, per instance and function.
    pub(crate) fn calls_rate_record(&self) -> String {
        let level = [&TIMED_LEVEL[..], &["outcome"]].concat();
        record(&level, &format!("{}_calls", self.stem), &format!("rate{RATE_WINDOW}"))
    }

    pub(crate) fn calls_rate_expr(&self) -> String {
        let level = [&TIMED_LEVEL[..], &["outcome"]].concat();
        format!(
            "sum {} (rate({}[{RATE_WINDOW}]))",
            by(&level),
            selector(&self.calls_total(), &[self.job()])
        )
    }

    /// Duration buckets per second, per instance and function.
    pub(crate) fn bucket_rate_record(&self) -> String {
        let level = [&TIMED_LEVEL[..], &["le"]].concat();
        record(&level, &format!("{}_bucket", self.duration()), &format!("rate{RATE_WINDOW}"))
    }

    pub(crate) fn bucket_rate_expr(&self) -> String {
        let level = [&TIMED_LEVEL[..], &["le"]].concat();
        let bucket = format!("{}_bucket", self.duration());
        format!("sum {} (rate({}[{RATE_WINDOW}]))", by(&level), selector(&bucket, &[self.job()]))
    }

    /// Duration quantiles (label `quantile`), per instance and function.
    pub(crate) fn quantile_record(&self) -> String {
        let level = [&TIMED_LEVEL[..], &["quantile"]].concat();
        record(&level, &self.duration(), &format!("histogram_quantile_rate{RATE_WINDOW}"))
    }

    pub(crate) fn quantile_expr(&self, quantile: f64) -> String {
        let buckets = selector(&self.bucket_rate_record(), &[self.job()]);
        format!("histogram_quantile({}, {buckets})", number(quantile))
    }

    /// The share of each function's calls that failed over `window`.
    pub(crate) fn error_ratio_record(&self, window: &str) -> String {
        let metric = format!("{}_errors_per_call", self.stem);
        record(&TIMED_SLO_LEVEL, &metric, &format!("ratio_rate{window}"))
    }

    pub(crate) fn error_ratio_expr(&self, window: &str) -> String {
        let calls = self.calls_total();
        let errors = [self.job(), Matcher::re("outcome", ERROR_OUTCOMES)];
        let ended = [self.job(), Matcher::ne("outcome", "cancelled")];
        format!(
            "sum {by} (rate({}[{window}]))\n/\nsum {by} (rate({}[{window}]))",
            selector(&calls, &errors),
            selector(&calls, &ended),
            by = by(&TIMED_SLO_LEVEL),
        )
    }

    /// The share of each function's calls slower than `le` over `window`; the
    /// rule adds the label `le`, as functions may have different objectives.
    pub(crate) fn slow_ratio_record(&self, window: &str) -> String {
        let metric = format!("{}_slow_calls_per_call", self.stem);
        record(&TIMED_SLO_LEVEL, &metric, &format!("ratio_rate{window}"))
    }

    pub(crate) fn slow_ratio_expr(&self, bound: f64, window: &str) -> String {
        let count = selector(&format!("{}_count", self.duration()), &[self.job()]);
        let bucket = format!("{}_bucket", self.duration());
        let fast = selector(&bucket, &[self.job(), le_matcher(bound)]);
        slow_ratio(&fast, &count, &TIMED_SLO_LEVEL, window)
    }
}

/// `1 - fast / all`, each summed `by` the level.
fn slow_ratio(fast: &str, all: &str, level: &[&str], window: &str) -> String {
    let by = by(level);
    format!("1 - (\n  sum {by} (rate({fast}[{window}]))\n/\n  sum {by} (rate({all}[{window}]))\n)")
}

/// The queries of one family of a `#[derive(Metrics)]` struct, in one job.
#[derive(Debug, Clone)]
pub(crate) struct FamilyQueries {
    pub(crate) descriptor: &'static FamilyDescriptor,
    pub(crate) job: String,
}

impl FamilyQueries {
    pub(crate) fn new(descriptor: &'static FamilyDescriptor, job: &str) -> Self {
        Self { descriptor, job: job.to_owned() }
    }

    fn job(&self) -> Matcher {
        Matcher::eq("job", &self.job)
    }

    /// The labels of the family's own (const labels, then series labels), which the
    /// dashboard groups and labels lines by.
    pub(crate) fn labels(&self) -> Vec<&'static str> {
        let d = self.descriptor;
        let mut labels: Vec<&'static str> = Vec::new();
        for name in d.const_labels.iter().map(|(n, _)| *n).chain(d.label_names.iter().copied()) {
            if !labels.contains(&name) && name != "job" && name != "instance" {
                labels.push(name);
            }
        }
        labels
    }

    /// `job`, `instance` and the family's labels: what its rules keep.
    fn level(&self) -> Vec<&'static str> {
        let mut level = vec!["job", "instance"];
        level.extend(self.labels());
        level
    }

    /// `job` and the constant labels: the level of an objective.
    fn slo_level(&self) -> Vec<&'static str> {
        let mut level = vec!["job"];
        level.extend(self.descriptor.const_labels.iter().map(|(n, _)| *n).filter(|n| *n != "job"));
        level
    }

    /// Whether the family is a histogram with native buckets: a Prometheus with
    /// native histograms on ingests it as one series named like the family (2.42 keeps
    /// no `_bucket`, `_count` or `_sum` beside it), which its rules query instead.
    pub(crate) fn native(&self) -> bool {
        self.descriptor.kind == MetricKind::Histogram && self.descriptor.native.is_some()
    }

    /// The sample name whose presence shows the family is exposed.
    pub(crate) fn presence_sample(&self) -> String {
        match self.descriptor.kind {
            MetricKind::Counter => format!("{}_total", self.descriptor.name),
            MetricKind::Histogram if self.native() => self.descriptor.name.to_owned(),
            MetricKind::Histogram | MetricKind::Summary => {
                format!("{}_count", self.descriptor.name)
            }
            MetricKind::Gauge | MetricKind::Unknown => self.descriptor.name.to_owned(),
        }
    }

    /// Whether the family has series from registration on: a dynamic family has none
    /// until its first label values are seen, so its absence says nothing.
    pub(crate) fn always_present(&self) -> bool {
        self.descriptor.label_kind != LabelKind::Dynamic
    }

    /// A counter's rate, per instance and label values.
    pub(crate) fn rate_record(&self) -> String {
        record(&self.level(), self.descriptor.name, &format!("rate{RATE_WINDOW}"))
    }

    pub(crate) fn rate_expr(&self) -> String {
        let total = selector(&format!("{}_total", self.descriptor.name), &[self.job()]);
        format!("sum {} (rate({total}[{RATE_WINDOW}]))", by(&self.level()))
    }

    /// A histogram's buckets per second, per instance and label values: by `le` for
    /// classic buckets, a native histogram of rates for native ones.
    pub(crate) fn bucket_rate_record(&self) -> String {
        if self.native() {
            return record(&self.level(), self.descriptor.name, &format!("rate{RATE_WINDOW}"));
        }
        let level = [self.level(), vec!["le"]].concat();
        record(&level, &format!("{}_bucket", self.descriptor.name), &format!("rate{RATE_WINDOW}"))
    }

    pub(crate) fn bucket_rate_expr(&self) -> String {
        if self.native() {
            let histogram = selector(self.descriptor.name, &[self.job()]);
            return format!("sum {} (rate({histogram}[{RATE_WINDOW}]))", by(&self.level()));
        }
        let level = [self.level(), vec!["le"]].concat();
        let bucket = selector(&format!("{}_bucket", self.descriptor.name), &[self.job()]);
        format!("sum {} (rate({bucket}[{RATE_WINDOW}]))", by(&level))
    }

    /// A histogram's quantiles (label `quantile`), per instance and label values.
    pub(crate) fn quantile_record(&self) -> String {
        let level = [self.level(), vec!["quantile"]].concat();
        record(&level, self.descriptor.name, &format!("histogram_quantile_rate{RATE_WINDOW}"))
    }

    pub(crate) fn quantile_expr(&self, quantile: f64) -> String {
        if self.native() {
            // From the rate itself, not a recorded one: Prometheus 2.42 refuses to
            // store some rates of native histograms from a recording rule (the buckets'
            // rates, rounded, add up to more than the count's).
            return format!(
                "histogram_quantile({}, {})",
                number(quantile),
                self.bucket_rate_expr()
            );
        }
        let buckets = selector(&self.bucket_rate_record(), &[self.job()]);
        format!("histogram_quantile({}, {buckets})", number(quantile))
    }

    /// The share of observations above the latency objective over `window`.
    pub(crate) fn slow_ratio_record(&self, window: &str) -> String {
        let metric = format!("{}_slow_per_observation", self.descriptor.name);
        record(&self.slo_level(), &metric, &format!("ratio_rate{window}"))
    }

    pub(crate) fn slow_ratio_expr(&self, bound: f64, window: &str) -> String {
        let count = selector(&format!("{}_count", self.descriptor.name), &[self.job()]);
        let fast =
            selector(&format!("{}_bucket", self.descriptor.name), &[self.job(), le_matcher(bound)]);
        slow_ratio(&fast, &count, &self.slo_level(), window)
    }

    /// The matchers that pick this family's objective series among others recorded
    /// under the same name: the job and the constant labels.
    pub(crate) fn slo_matchers(&self) -> Vec<Matcher> {
        let mut matchers = vec![self.job()];
        for (name, value) in self.descriptor.const_labels {
            if *name != "job" {
                matchers.push(Matcher::eq(name, value));
            }
        }
        matchers
    }
}

/// Legend text showing the given labels: `{{payment}} {{express}}`.
pub(crate) fn legend(labels: &[&str]) -> String {
    let mut out = String::new();
    for (i, label) in labels.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{{{{{label}}}}}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::{Objective, SourceLocation};

    static LOCATION: SourceLocation =
        SourceLocation { file: "shop.rs", line: 1, column: 1, module: "shop" };

    static CHECKOUT: TimedDescriptor = TimedDescriptor {
        function: "checkout",
        module: "shop::api",
        family: None,
        labels: &[],
        buckets: &[0.1, 0.25, 1.0],
        in_flight: false,
        error_kind: false,
        location: LOCATION,
        objective: Some(Objective::success(99.9)),
    };

    static ORDERS: FamilyDescriptor = FamilyDescriptor {
        name: "shop_orders",
        help: "Orders.",
        kind: MetricKind::Counter,
        unit: "",
        label_kind: LabelKind::Typed,
        label_names: &["payment"],
        const_labels: &[("region", "eu")],
        buckets: &[],
        native: None,
        max_series: 0,
        struct_name: "Shop",
        field_name: "orders",
        location: LOCATION,
        objective: None,
    };

    #[test]
    fn selectors_escape_values() {
        let matchers = [Matcher::eq("a", "x\"y\\z"), Matcher::re("b", "c|d"), Matcher::ne("e", "")];
        assert_eq!(selector("m", &matchers), r#"m{a="x\"y\\z",b=~"c|d",e!=""}"#);
        assert_eq!(selector("m", &[]), "m");
    }

    #[test]
    fn numbers_without_float_noise() {
        assert_eq!(number(1.0 - 0.999), "0.001");
        assert_eq!(number(14.4), "14.4");
        assert_eq!(number(3.0), "3");
        assert_eq!(number(0.99), "0.99");
        assert_eq!(number(1e-7), "1e-7");
    }

    #[test]
    fn le_matchers_follow_the_encoders() {
        assert_eq!(le_value(0.005), "0.005");
        assert_eq!(le_value(1.0), "1.0");
        assert_eq!(le_matcher(0.25), Matcher::eq("le", "0.25"));
        assert_eq!(le_matcher(1.0), Matcher::re("le", "1|1\\.0"));
        assert_eq!(le_matcher(10.0), Matcher::re("le", "10|10\\.0"));
    }

    #[test]
    fn timed_rules_are_named_level_metric_operations() {
        let q = TimedQueries::new("function", "shop");
        assert_eq!(
            q.calls_rate_record(),
            "job_instance_module_function_outcome:function_calls:rate5m"
        );
        assert_eq!(
            q.calls_rate_expr(),
            r#"sum by (job, instance, module, function, outcome) (rate(function_calls_total{job="shop"}[5m]))"#
        );
        assert_eq!(
            q.error_ratio_record("1h"),
            "job_module_function:function_errors_per_call:ratio_rate1h"
        );
        assert_eq!(
            q.error_ratio_expr("1h"),
            "sum by (job, module, function) (rate(function_calls_total{job=\"shop\",outcome=~\"error|panicked\"}[1h]))\n/\n\
             sum by (job, module, function) (rate(function_calls_total{job=\"shop\",outcome!=\"cancelled\"}[1h]))"
        );
        assert!(
            q.slow_ratio_expr(0.25, "5m")
                .contains(r#"function_duration_seconds_bucket{job="shop",le="0.25"}"#)
        );
        assert_eq!(TimedQueries::function(&CHECKOUT)[1], Matcher::eq("function", "checkout"));
        assert_eq!(
            q.quantile_expr(0.99),
            r#"histogram_quantile(0.99, job_instance_module_function_le:function_duration_seconds_bucket:rate5m{job="shop"})"#
        );
    }

    #[test]
    fn family_rules_keep_the_family_labels() {
        let q = FamilyQueries::new(&ORDERS, "shop");
        assert_eq!(q.labels(), ["region", "payment"]);
        assert_eq!(q.rate_record(), "job_instance_region_payment:shop_orders:rate5m");
        assert_eq!(
            q.rate_expr(),
            r#"sum by (job, instance, region, payment) (rate(shop_orders_total{job="shop"}[5m]))"#
        );
        assert_eq!(q.presence_sample(), "shop_orders_total");
        assert_eq!(
            q.slow_ratio_record("5m"),
            "job_region:shop_orders_slow_per_observation:ratio_rate5m"
        );
        assert_eq!(legend(&q.labels()), "{{region}} {{payment}}");
    }

    #[test]
    fn native_histograms_are_queried_as_one_series() {
        static PAYMENT: FamilyDescriptor = FamilyDescriptor {
            native: Some(crate::NativeBuckets::__checked(3, 1e-9, 160)),
            ..FamilyDescriptor::new(
                "shop_payment_seconds",
                "Payments.",
                MetricKind::Histogram,
                LOCATION,
            )
        };
        let q = FamilyQueries::new(&PAYMENT, "shop");
        assert!(q.native());
        assert_eq!(q.presence_sample(), "shop_payment_seconds");
        assert_eq!(q.bucket_rate_record(), "job_instance:shop_payment_seconds:rate5m");
        assert_eq!(
            q.bucket_rate_expr(),
            r#"sum by (job, instance) (rate(shop_payment_seconds{job="shop"}[5m]))"#
        );
        assert_eq!(
            q.quantile_expr(0.99),
            r#"histogram_quantile(0.99, sum by (job, instance) (rate(shop_payment_seconds{job="shop"}[5m])))"#
        );
        let classic = FamilyDescriptor { native: None, ..PAYMENT };
        let classic: &'static FamilyDescriptor = Box::leak(Box::new(classic));
        assert_eq!(
            FamilyQueries::new(classic, "shop").bucket_rate_record(),
            "job_instance_le:shop_payment_seconds_bucket:rate5m"
        );
    }
}
