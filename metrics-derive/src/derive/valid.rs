//! Checks of a parsed `#[derive(Metrics)]` struct: names, labels, units, help and
//! attributes that fit the field's kind, and names unique within the struct. Every
//! problem is reported; expansion runs only when there is none.

use std::collections::{HashMap, HashSet};

use proc_macro2::TokenStream;
use quote::ToTokens;

use super::ast::{Container, Field, Labels};
use crate::ctxt::Ctxt;
use crate::names::{
    Kind, label_name_error, metric_name_error, reserved_name_error, sample_suffix,
    sample_suffix_from_unit, suffix_error, unit_conflict_error, unit_error,
};

pub(crate) fn check(cx: &Ctxt, container: &Container<'_>) {
    check_container(cx, container);
    for field in &container.fields {
        check_field(cx, container, field);
    }
    check_unique_names(cx, container);
}

fn check_container(cx: &Ctxt, container: &Container<'_>) {
    let attrs = &container.attrs;
    for part in [&attrs.namespace, &attrs.subsystem].into_iter().flatten() {
        if let Some(msg) = metric_name_error(&part.value.value()) {
            cx.error_spanned_by(&part.value, msg);
        }
    }
    let mut seen: HashSet<&str> = HashSet::new();
    for label in &attrs.const_labels {
        if let Some(msg) = label_name_error(&label.name, None) {
            cx.error_spanned_by(&label.key, msg);
        } else if !seen.insert(&label.name) {
            cx.error_spanned_by(&label.key, format!("duplicate constant label `{}`", label.name));
        }
        if label.value.value().is_empty() {
            cx.error_spanned_by(
                &label.value,
                "a label with an empty value is the same as no label in Prometheus; give a value",
            );
        }
        let histogram = container.fields.iter().find(|f| f.kind == Kind::Histogram);
        if let (Some(histogram), "le") = (histogram, label.name.as_str()) {
            cx.error_spanned_by(
                &label.key,
                format!(
                    "the label name `le` is reserved on histograms for bucket bounds, \
                     and field `{}` is a histogram; choose another name",
                    histogram.ident
                ),
            );
        }
    }
}

fn check_field(cx: &Ctxt, container: &Container<'_>, field: &Field<'_>) {
    let attrs = &field.attrs;
    if let Some(msg) = metric_name_error(&field.name) {
        cx.error_spanned_by(&field.name_tokens, msg);
    } else if let Some(msg) = reserved_name_error(&field.full_name) {
        cx.error_spanned_by(prefix_tokens(container, field), msg);
    } else {
        let allow_total_suffix = attrs.allow_total_suffix.is_some();
        if let Some(msg) =
            suffix_error(&field.name, &field.unit, &field.full_name, field.kind, allow_total_suffix)
        {
            match &attrs.unit {
                Some(unit) if sample_suffix_from_unit(&field.name, &field.unit) => {
                    cx.error_spanned_by(&unit.value, msg);
                }
                _ => cx.error_spanned_by(&field.name_tokens, msg),
            }
        }
    }
    if let Some(flag) = &attrs.allow_total_suffix {
        if field.kind == Kind::Counter {
            cx.error_spanned_by(
                flag,
                "`allow_total_suffix` does not apply to counters, which are declared without `_total`",
            );
        } else if !field.name.ends_with("_total") {
            cx.error_spanned_by(
                flag,
                "`allow_total_suffix` is not needed: the name does not end with `_total`",
            );
        }
    }
    if let Some(unit) = &attrs.unit {
        if let Some(msg) = unit_error(&field.unit) {
            cx.error_spanned_by(&unit.value, msg);
        } else if let Some(msg) = unit_conflict_error(&field.name, &field.unit) {
            cx.error_spanned_by(&unit.value, msg);
        }
    }
    match (&field.help, &attrs.help) {
        (None, _) => cx.error_spanned_by(
            field.ident,
            format!(
                "metric `{}` has no help text; add a `///` doc comment to the field, \
                 or `#[metric(help = \"...\")]`",
                field.full_name
            ),
        ),
        (Some(help), Some(given)) if help.trim().is_empty() => {
            cx.error_spanned_by(&given.value, "the help text cannot be empty");
        }
        _ => {}
    }
    if let Some(buckets) = &attrs.buckets
        && field.kind != Kind::Histogram
    {
        cx.error_spanned_by(
            buckets,
            format!(
                "`buckets` only applies to histograms, and `{}` is a {}",
                field.ident,
                field.kind.as_str()
            ),
        );
    }
    check_labels(cx, container, field);
    check_objective(cx, field);
    check_native(cx, field);
}

/// Native buckets fit a histogram (alone or in a family, with exemplars or without),
/// and not beside a latency objective.
fn check_native(cx: &Ctxt, field: &Field<'_>) {
    let Some(native) = &field.attrs.native else { return };
    if field.kind != Kind::Histogram {
        cx.error_spanned_by(
            native,
            format!(
                "native buckets apply to histograms, and `{}` is a {}",
                field.ident,
                field.kind.as_str()
            ),
        );
    } else if let Some(objective) = &field.attrs.objective {
        cx.error_spanned_by(
            objective,
            "a latency objective is measured on classic buckets, which a Prometheus with \
             native histograms on does not keep beside native ones; declare the objective on \
             a classic histogram fed the same observations",
        );
    }
}

/// An objective fits a histogram in a unit of time, names a latency that is one of
/// its bounds, and no success rate (a histogram counts no failures).
fn check_objective(cx: &Ctxt, field: &Field<'_>) {
    let Some(objective) = &field.attrs.objective else { return };
    if field.kind != Kind::Histogram {
        cx.error_spanned_by(
            objective,
            format!(
                "an objective applies to a histogram, and `{}` is a {}; for calls that succeed \
                 or fail, put `#[timed(objective(success = 99.9))]` on the function",
                field.ident,
                field.kind.as_str()
            ),
        );
        return;
    }
    let spec = &objective.value;
    if let Some((_, tokens)) = &spec.success {
        cx.error_spanned_by(
            tokens,
            "a histogram counts no failures, so it has no `success` objective; \
             put `#[timed(objective(success = ..))]` on the function it times",
        );
    }
    if spec.latency.is_none() {
        return;
    }
    let Some(unit_seconds) = crate::objective::unit_seconds(&field.unit) else {
        cx.error_spanned_by(
            objective,
            format!(
                "a latency objective needs a histogram of durations, and `{}` is in {}; \
                 declare `unit = \"seconds\"`",
                field.ident, field.unit
            ),
        );
        return;
    };
    if let Err(err) = spec.resolve(field_buckets(field), unit_seconds) {
        cx.syn_error(err);
    }
}

/// The bounds of a histogram field: its `buckets`, or the default ones.
pub(crate) fn field_buckets<'f>(field: &'f Field<'_>) -> &'f [f64] {
    match (&field.attrs.buckets, &field.attrs.native) {
        (Some(buckets), _) => &buckets.value,
        // Native only: no classic bucket but `+Inf`.
        (None, Some(_)) => &[],
        (None, None) => crate::buckets::DEFAULT_BUCKETS,
    }
}

/// The tokens that made a full name start with the reserved prefix: the first of
/// namespace, subsystem and name that is given.
fn prefix_tokens(container: &Container<'_>, field: &Field<'_>) -> TokenStream {
    let attrs = &container.attrs;
    match (&attrs.namespace, &attrs.subsystem) {
        (Some(namespace), _) => namespace.value.to_token_stream(),
        (None, Some(subsystem)) => subsystem.value.to_token_stream(),
        (None, None) => field.name_tokens.clone(),
    }
}

/// `labels` and `max_series` fit a `DynFamily` only, which needs `labels`.
fn check_labels(cx: &Ctxt, container: &Container<'_>, field: &Field<'_>) {
    let attrs = &field.attrs;
    let dynamic = matches!(field.labels, Labels::Dynamic);
    if !dynamic {
        let why = match field.labels {
            Labels::Typed(_) => {
                "a `Family` takes its label names from its `LabelSet` type (rename with `#[label(name = \"..\")]` there)"
            }
            _ => {
                "declare `DynFamily<M>` for label values known at run time, or `Family<Labels, M>` with a `#[derive(LabelSet)]` type"
            }
        };
        if let Some(labels) = &attrs.labels {
            cx.error_spanned_by(labels, format!("`labels` only applies to `DynFamily`; {why}"));
        }
        if let Some(max) = &attrs.max_series {
            cx.error_spanned_by(
                max,
                "`max_series` only applies to `DynFamily`: other families have a cardinality fixed at compile time",
            );
        }
        return;
    }
    let Some(labels) = &attrs.labels else {
        cx.error_spanned_by(
            field.ty,
            format!(
                "a `DynFamily` needs its label names: add `#[metric(labels = [\"route\"])]` to `{}`",
                field.ident
            ),
        );
        return;
    };
    if labels.value.is_empty() {
        cx.error_spanned_by(
            labels,
            "a `DynFamily` needs at least one label; a family without labels is a single metric such as `Counter`",
        );
    }
    let mut seen: Vec<String> = Vec::new();
    for lit in &labels.value {
        let name = lit.value();
        if let Some(msg) = label_name_error(&name, Some(field.kind)) {
            cx.error_spanned_by(lit, msg);
        } else if seen.contains(&name) {
            cx.error_spanned_by(lit, format!("duplicate label `{name}`"));
        } else if container.attrs.const_labels.iter().any(|c| c.name == name) {
            cx.error_spanned_by(
                lit,
                format!(
                    "label `{name}` is also a constant label of the struct (`#[metrics(labels(..))]`)"
                ),
            );
        }
        seen.push(name);
    }
}

/// The names the samples of a family use besides its own name.
fn sample_suffixes(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Counter => &["_total"],
        Kind::Gauge => &[],
        Kind::Histogram => &["_bucket", "_count", "_sum"],
    }
}

/// No two fields declare the same family, or a family named like another's samples.
fn check_unique_names(cx: &Ctxt, container: &Container<'_>) {
    let mut declared: HashMap<&str, &Field<'_>> = HashMap::new();
    for field in &container.fields {
        match declared.get(field.full_name.as_str()) {
            Some(first) => cx.error_spanned_by(
                &field.name_tokens,
                format!(
                    "duplicate metric family `{}`: field `{}` already declares it",
                    field.full_name, first.ident
                ),
            ),
            None => {
                declared.insert(&field.full_name, field);
            }
        }
    }
    for field in &container.fields {
        // A name ending with a histogram's sample suffix is refused whatever the other
        // fields (`check_field`), so only a counter's `_total` is left to collide.
        if sample_suffix(&field.full_name).is_some() {
            continue;
        }
        for other in &container.fields {
            let Some(suffix) = sample_suffixes(other.kind)
                .iter()
                .find(|suffix| field.full_name == format!("{}{}", other.full_name, suffix))
            else {
                continue;
            };
            cx.error_spanned_by(
                &field.name_tokens,
                format!(
                    "metric family `{}` collides with the `{suffix}` samples of {} `{}` (field `{}`)",
                    field.full_name,
                    other.kind.as_str(),
                    other.full_name,
                    other.ident
                ),
            );
        }
    }
}
