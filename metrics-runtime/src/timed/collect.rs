//! Collection of the `#[timed]` families from the link-time list of functions.

use std::sync::OnceLock;

use super::function::{TIMED_FUNCTIONS, TimedDescriptor, TimedReading};
use super::outcome::Outcome;
use crate::collect::{
    ExemplarSample, ExpositionSink, FamilyHeader, HistogramReading, HistogramSample, Value,
};
use crate::descriptor::MetricKind;
use crate::exemplar::ExemplarSnapshot;
use crate::label::LabelValues;

static PREFIX: OnceLock<String> = OnceLock::new();

/// Sets a prefix for the names of the shared `#[timed]` families, once, before the
/// first scrape: `set_prefix("shop")` exposes `shop_function_calls_total`.
/// Returns `false` if a prefix was already set (the first one stays).
///
/// ```
/// assert!(metrics_runtime::timed::set_prefix("docs"));
/// assert!(!metrics_runtime::timed::set_prefix("again"));
/// ```
pub fn set_prefix(prefix: &str) -> bool {
    PREFIX.set(prefix.trim_end_matches('_').to_owned()).is_ok()
}

/// The family-name stem of a function: `function` for the shared families, or the
/// name given with `#[timed(name = ..)]`, with the global prefix.
pub(crate) fn stem(descriptor: &TimedDescriptor) -> String {
    let base = descriptor.family.unwrap_or("function");
    match (PREFIX.get(), descriptor.family) {
        (Some(prefix), None) if !prefix.is_empty() => format!("{prefix}_{base}"),
        _ => base.to_owned(),
    }
}

struct Entry {
    stem: String,
    descriptor: &'static TimedDescriptor,
    reading: TimedReading,
}

/// Writes the call counters, duration histograms and in-flight gauges of every
/// timed function. Functions with the same labels (two methods named alike in one
/// module) are summed into one series, so the exposition never repeats a series.
pub(crate) fn collect(sink: &mut dyn ExpositionSink) {
    let mut entries: Vec<Entry> = Vec::with_capacity(TIMED_FUNCTIONS.len());
    for function in TIMED_FUNCTIONS.iter() {
        let descriptor = function.descriptor();
        let mut reading = TimedReading::default();
        function.read_into(&mut reading);
        let stem = stem(descriptor);
        let same = entries.iter_mut().find(|e| {
            e.stem == stem
                && e.descriptor.function == descriptor.function
                && e.descriptor.module == descriptor.module
                && e.descriptor.labels == descriptor.labels
                && e.descriptor.buckets == descriptor.buckets
        });
        match same {
            Some(entry) => {
                for (a, b) in entry.reading.calls.iter_mut().zip(reading.calls) {
                    *a += b;
                }
                for (a, b) in entry.reading.cumulative.iter_mut().zip(&reading.cumulative) {
                    *a += b;
                }
                entry.reading.sum += reading.sum;
                merge_exemplars(&mut entry.reading.exemplars, reading.exemplars);
                entry.reading.in_flight += reading.in_flight;
                for (kind, count) in reading.error_kinds {
                    match entry.reading.error_kinds.iter_mut().find(|(k, _)| *k == kind) {
                        Some((_, total)) => *total += count,
                        None => entry.reading.error_kinds.push((kind, count)),
                    }
                }
            }
            None => entries.push(Entry { stem, descriptor, reading }),
        }
    }
    entries.sort_by(|a, b| {
        (&a.stem, a.descriptor.module, a.descriptor.function).cmp(&(
            &b.stem,
            b.descriptor.module,
            b.descriptor.function,
        ))
    });
    let mut names: Vec<&str> = Vec::new();
    let mut values: Vec<&str> = Vec::new();
    for group in entries.chunk_by(|a, b| a.stem == b.stem) {
        let stem = &group[0].stem;
        let calls_name = format!("{stem}_calls");
        sink.family(&FamilyHeader {
            name: &calls_name,
            help: "Calls of functions instrumented with #[timed], by how they ended.",
            kind: MetricKind::Counter,
            unit: "",
            const_labels: &[],
        });
        for entry in group {
            for outcome in Outcome::ALL {
                labels(entry.descriptor, Some(outcome), &mut names, &mut values);
                sink.counter(
                    &LabelValues { names: &names, values: &values },
                    Value::UInt(entry.reading.calls[outcome.index()]),
                );
            }
        }
        let duration_name = format!("{stem}_duration_seconds");
        sink.family(&FamilyHeader {
            name: &duration_name,
            help: "Duration of calls of functions instrumented with #[timed], however they ended.",
            kind: MetricKind::Histogram,
            unit: "seconds",
            const_labels: &[],
        });
        for entry in group {
            labels(entry.descriptor, None, &mut names, &mut values);
            let sample = HistogramSample {
                bounds: entry.descriptor.buckets,
                cumulative: &entry.reading.cumulative,
                sum: entry.reading.sum,
            };
            let labels = LabelValues { names: &names, values: &values };
            // Empty, without allocating, when the function keeps no exemplars.
            let exemplars: Vec<Option<ExemplarSample<'_>>> = entry
                .reading
                .exemplars
                .iter()
                .map(|e| e.as_ref().map(ExemplarSnapshot::sample))
                .collect();
            sink.histogram(
                &labels,
                &HistogramReading { classic: sample, native: None, exemplars: &exemplars },
            );
        }
        if group.iter().any(|e| e.descriptor.in_flight) {
            let in_flight_name = format!("{stem}_calls_in_flight");
            sink.family(&FamilyHeader {
                name: &in_flight_name,
                help: "Calls of functions instrumented with #[timed(in_flight)] under way now.",
                kind: MetricKind::Gauge,
                unit: "",
                const_labels: &[],
            });
            for entry in group.iter().filter(|e| e.descriptor.in_flight) {
                labels(entry.descriptor, None, &mut names, &mut values);
                sink.gauge(
                    &LabelValues { names: &names, values: &values },
                    Value::Int(entry.reading.in_flight),
                );
            }
        }
        if group.iter().any(|e| e.descriptor.error_kind) {
            let errors_name = format!("{stem}_errors");
            sink.family(&FamilyHeader {
                name: &errors_name,
                help: "Errors returned by functions instrumented with #[timed(error_kind)], by kind.",
                kind: MetricKind::Counter,
                unit: "",
                const_labels: &[],
            });
            for entry in group.iter().filter(|e| e.descriptor.error_kind) {
                for (kind, count) in &entry.reading.error_kinds {
                    labels(entry.descriptor, None, &mut names, &mut values);
                    names.push("error_kind");
                    values.push(kind);
                    sink.counter(
                        &LabelValues { names: &names, values: &values },
                        Value::UInt(*count),
                    );
                }
            }
        }
    }
}

/// Keeps, bucket by bucket, the newer of two functions' exemplars (functions summed
/// into one series).
fn merge_exemplars(into: &mut Vec<Option<ExemplarSnapshot>>, from: Vec<Option<ExemplarSnapshot>>) {
    if into.is_empty() {
        *into = from;
        return;
    }
    for (kept, other) in into.iter_mut().zip(from) {
        let newer = match (&*kept, &other) {
            (Some(kept), Some(other)) => other.timestamp_ms > kept.timestamp_ms,
            (None, Some(_)) => true,
            _ => false,
        };
        if newer {
            *kept = other;
        }
    }
}

fn labels<'a>(
    descriptor: &'a TimedDescriptor,
    outcome: Option<Outcome>,
    names: &mut Vec<&'a str>,
    values: &mut Vec<&'a str>,
) {
    names.clear();
    values.clear();
    names.extend(["function", "module"]);
    values.extend([descriptor.function, descriptor.module]);
    for (name, value) in descriptor.labels {
        names.push(name);
        values.push(value);
    }
    if let Some(outcome) = outcome {
        names.push("outcome");
        values.push(outcome.as_str());
    }
}
