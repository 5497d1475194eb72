//! `recording.yml`: the rates and quantiles the dashboard reads, and the bad-event
//! ratios of each objective over every window its burn-rate alerts read.

use super::objective::{WINDOWS, indicators};
use super::promql::{
    FamilyQueries, QUANTILES, RATE_WINDOW, TimedQueries, by, number, record, selector,
};
use super::value::{Value, obj};
use super::{Options, Selection};
use crate::descriptor::MetricKind;
use crate::timed::TimedDescriptor;

/// The rule file.
pub(crate) fn recording_rules(selection: &Selection, options: &Options) -> Value {
    let job = options.job();
    let mut rates = Vec::new();
    for queries in timed_stems(selection, job) {
        rates.push(rule(&queries.calls_rate_record(), &queries.calls_rate_expr()));
        let stem_of = |f: &&&TimedDescriptor| crate::timed::stem(f) == queries.stem;
        if selection.functions().iter().filter(stem_of).any(|f| f.error_kind) {
            rates.push(rule(&queries.errors_rate_record(), &queries.errors_rate_expr()));
        }
        rates.push(rule(&queries.bucket_rate_record(), &queries.bucket_rate_expr()));
        for (quantile, _) in QUANTILES {
            rates.push(quantile_rule(
                &queries.quantile_record(),
                &queries.quantile_expr(quantile),
                quantile,
            ));
        }
    }
    for family in selection.families() {
        let queries = FamilyQueries::new(family, job);
        match family.kind {
            MetricKind::Counter => rates.push(rule(&queries.rate_record(), &queries.rate_expr())),
            MetricKind::Histogram => {
                // Native histograms get their quantiles only (see `quantile_expr`).
                if !queries.native() {
                    rates.push(rule(&queries.bucket_rate_record(), &queries.bucket_rate_expr()));
                }
                for (quantile, _) in QUANTILES {
                    let expr = queries.quantile_expr(quantile);
                    rates.push(quantile_rule(&queries.quantile_record(), &expr, quantile));
                }
            }
            MetricKind::Gauge | MetricKind::Summary | MetricKind::Unknown => {}
        }
    }
    for (counter, _) in runtime_counters(options) {
        rates.push(rule(&runtime_rate_record(counter), &runtime_rate_expr(counter, job)));
    }
    let mut groups = vec![obj! { "name" => format!("{job}.rates"), "rules" => rates }];
    let slis = indicators(selection, job);
    if !slis.is_empty() {
        let mut ratios = Vec::new();
        let mut seen: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for sli in &slis {
            // Functions of one stem (with one latency bound) share their rules.
            let key = (sli.record(WINDOWS[0]), sli.record_labels());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            for window in WINDOWS {
                let mut ratio = rule(&sli.record(window), &sli.record_expr(window));
                if !sli.record_labels().is_empty() {
                    let mut labels = Value::map();
                    for (k, v) in sli.record_labels() {
                        labels.insert(&k, v);
                    }
                    ratio.insert("labels", labels);
                }
                ratios.push(ratio);
            }
        }
        groups.push(obj! { "name" => format!("{job}.objectives"), "rules" => ratios });
    }
    obj! { "groups" => groups }
}

fn rule(record: &str, expr: &str) -> Value {
    obj! { "record" => record, "expr" => expr }
}

fn quantile_rule(record: &str, expr: &str, quantile: f64) -> Value {
    rule(record, expr).with("labels", obj! { "quantile" => number(quantile) })
}

/// One [`TimedQueries`] per stem among the selected functions, in order.
pub(crate) fn timed_stems(selection: &Selection, job: &str) -> Vec<TimedQueries> {
    let mut stems: Vec<TimedQueries> = Vec::new();
    for function in selection.functions() {
        let stem = crate::timed::stem(function);
        if !stems.iter().any(|q| q.stem == stem) {
            stems.push(TimedQueries::new(&stem, job));
        }
    }
    stems
}

/// The counters of the process and tokio groups the options turn on, with what
/// their rate means.
pub(crate) fn runtime_counters(options: &Options) -> Vec<(&'static str, &'static str)> {
    let mut counters = Vec::new();
    if options.process_metrics {
        counters.push(("process_cpu_seconds", "CPU"));
    }
    if options.tokio_metrics {
        counters.push(("tokio_worker_busy_seconds", "busy workers"));
    }
    counters
}

pub(crate) fn runtime_rate_record(counter: &str) -> String {
    record(&["job", "instance"], counter, &format!("rate{RATE_WINDOW}"))
}

fn runtime_rate_expr(counter: &str, job: &str) -> String {
    let total = selector(&format!("{counter}_total"), &[super::promql::Matcher::eq("job", job)]);
    format!("sum {} (rate({total}[{RATE_WINDOW}]))", by(&["job", "instance"]))
}
