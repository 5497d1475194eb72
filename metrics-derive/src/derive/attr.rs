//! `#[metrics(..)]` on the struct and `#[metric(..)]` on its fields. Every key is
//! read once: a duplicate or unknown key is reported, never ignored.

use syn::ext::IdentExt;
use syn::{Expr, LitStr, Token};

use crate::buckets::parse_buckets;
use crate::ctxt::Ctxt;
use crate::meta::{
    Attr, Keyed, crate_path, doc_text, lit_int, lit_str, parse_attr, skip_value, unknown_key,
    unwrap_group, value_expr,
};
use crate::native::NativeSpec;
use crate::objective::ObjectiveSpec;
use crate::symbol::{
    ALLOW_TOTAL_SUFFIX, BUCKETS, CRATE, HELP, LABELS, MAX_SERIES, METRIC, METRICS, NAME, NAMESPACE,
    NATIVE, OBJECTIVE, SUBSYSTEM, Symbol, UNIT,
};

const CONTAINER_KEYS: &[Symbol] = &[NAMESPACE, SUBSYSTEM, LABELS, CRATE];
const FIELD_KEYS: &[Symbol] =
    &[NAME, HELP, UNIT, BUCKETS, LABELS, MAX_SERIES, ALLOW_TOTAL_SUFFIX, OBJECTIVE, NATIVE];

/// A constant label of every family of the struct: `labels(service = "checkout")`.
pub(crate) struct ConstLabel {
    /// The key as written, to span errors on.
    pub(crate) key: syn::Ident,
    pub(crate) name: String,
    pub(crate) value: LitStr,
}

/// `#[metrics(namespace = "..", subsystem = "..", labels(k = "v", ..), crate = path)]`.
pub(crate) struct ContainerAttrs {
    pub(crate) namespace: Option<Keyed<LitStr>>,
    pub(crate) subsystem: Option<Keyed<LitStr>>,
    pub(crate) const_labels: Vec<ConstLabel>,
    pub(crate) krate: Option<syn::Path>,
}

impl ContainerAttrs {
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut namespace = Attr::none(cx, NAMESPACE);
        let mut subsystem = Attr::none(cx, SUBSYSTEM);
        let mut const_labels = Attr::none(cx, LABELS);
        let mut krate = Attr::none(cx, CRATE);
        let misplaced = "`#[metric(..)]` goes on fields; on the struct, write `#[metrics(..)]`";
        parse_own(cx, attrs, METRICS, (METRIC, misplaced), |meta| {
            if meta.path == NAMESPACE || meta.path == SUBSYSTEM {
                let (expr, tokens) = value_expr(&meta)?;
                let (attr, what) = if meta.path == NAMESPACE {
                    (&mut namespace, "the namespace")
                } else {
                    (&mut subsystem, "the subsystem")
                };
                if let Some(lit) = lit_str(cx, &expr, what) {
                    attr.set(&meta.path, tokens, lit);
                }
            } else if meta.path == LABELS {
                let mut labels = Vec::new();
                let content;
                syn::parenthesized!(content in meta.input);
                let inner: proc_macro2::TokenStream = content.parse()?;
                let parser = syn::meta::parser(|label| {
                    let (expr, _) = value_expr(&label)?;
                    let value = lit_str(cx, &expr, "a constant label's value");
                    match (label.path.get_ident(), value) {
                        (Some(key), Some(value)) => labels.push(ConstLabel {
                            key: key.clone(),
                            name: key.unraw().to_string(),
                            value,
                        }),
                        (None, _) => cx.error_spanned_by(
                            &label.path,
                            "expected a label name, e.g. `labels(service = \"checkout\")`",
                        ),
                        (Some(_), None) => {}
                    }
                    Ok(())
                });
                syn::parse::Parser::parse2(parser, inner.clone())?;
                let path = &meta.path;
                const_labels.set(&meta.path, quote::quote!(#path(#inner)), labels);
            } else if meta.path == CRATE {
                let (expr, tokens) = value_expr(&meta)?;
                if let Some(path) = crate_path(cx, &expr) {
                    krate.set(&meta.path, tokens, path);
                }
            } else {
                unknown_key(cx, &meta, METRICS, CONTAINER_KEYS)?;
            }
            Ok(())
        });
        Self {
            namespace: namespace.get(),
            subsystem: subsystem.get(),
            const_labels: const_labels.get().map(|labels| labels.value).unwrap_or_default(),
            krate: krate.get().map(|krate| krate.value),
        }
    }
}

/// `#[metric(..)]` on a field, with its doc comment.
pub(crate) struct FieldAttrs {
    pub(crate) name: Option<Keyed<LitStr>>,
    pub(crate) help: Option<Keyed<LitStr>>,
    pub(crate) unit: Option<Keyed<LitStr>>,
    pub(crate) buckets: Option<Keyed<Vec<f64>>>,
    pub(crate) labels: Option<Keyed<Vec<LitStr>>>,
    pub(crate) max_series: Option<Keyed<usize>>,
    pub(crate) allow_total_suffix: Option<Keyed<()>>,
    /// `objective(latency = "250ms", percentile = 99)`, checked against the buckets
    /// in `valid.rs`.
    pub(crate) objective: Option<Keyed<ObjectiveSpec>>,
    /// `native(schema = 3)`: native buckets, checked when parsed.
    pub(crate) native: Option<Keyed<NativeSpec>>,
    /// The doc comment, as help text.
    pub(crate) doc: Option<String>,
}

impl FieldAttrs {
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut name = Attr::none(cx, NAME);
        let mut help = Attr::none(cx, HELP);
        let mut unit = Attr::none(cx, UNIT);
        let mut buckets = Attr::none(cx, BUCKETS);
        let mut labels = Attr::none(cx, LABELS);
        let mut max_series = Attr::none(cx, MAX_SERIES);
        let mut allow_total_suffix = Attr::none(cx, ALLOW_TOTAL_SUFFIX);
        let mut objective = Attr::none(cx, OBJECTIVE);
        let mut native = Attr::none(cx, NATIVE);
        let misplaced = "`#[metrics(..)]` goes on the struct; on a field, write `#[metric(..)]`";
        parse_own(cx, attrs, METRIC, (METRICS, misplaced), |meta| {
            if meta.path == NAME || meta.path == HELP || meta.path == UNIT {
                let (expr, tokens) = value_expr(&meta)?;
                let (attr, what) = if meta.path == NAME {
                    (&mut name, "the name")
                } else if meta.path == HELP {
                    (&mut help, "the help text")
                } else {
                    (&mut unit, "the unit")
                };
                if let Some(lit) = lit_str(cx, &expr, what) {
                    attr.set(&meta.path, tokens, lit);
                }
            } else if meta.path == BUCKETS {
                let (expr, tokens) = value_expr(&meta)?;
                match parse_buckets(&expr) {
                    Ok(bounds) => buckets.set(&meta.path, tokens, bounds),
                    Err(err) => cx.syn_error(err),
                }
            } else if meta.path == LABELS {
                let (expr, tokens) = value_expr(&meta)?;
                if let Some(names) = label_list(cx, &expr) {
                    labels.set(&meta.path, tokens, names);
                }
            } else if meta.path == MAX_SERIES {
                let (expr, tokens) = value_expr(&meta)?;
                if let Some(max) = lit_int(cx, &expr, "the cardinality limit")
                    .and_then(|lit| max_series_value(cx, &lit))
                {
                    max_series.set(&meta.path, tokens, max);
                }
            } else if meta.path == ALLOW_TOTAL_SUFFIX {
                if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
                    cx.error_spanned_by(
                        &meta.path,
                        "`allow_total_suffix` is a flag: write `#[metric(allow_total_suffix)]`",
                    );
                    skip_value(&meta)?;
                }
                let path = &meta.path;
                allow_total_suffix.set(&meta.path, quote::quote!(#path), ());
            } else if meta.path == OBJECTIVE {
                let form = "write `objective(latency = \"250ms\", percentile = 99)`";
                parenthesized(cx, &meta, &mut objective, form, crate::objective::parse)?;
            } else if meta.path == NATIVE {
                let form = "write `native(schema = 3)` or `native(factor = 1.1)`";
                parenthesized(cx, &meta, &mut native, form, crate::native::parse)?;
            } else {
                unknown_key(cx, &meta, METRIC, FIELD_KEYS)?;
            }
            Ok(())
        });
        Self {
            name: name.get(),
            help: help.get(),
            unit: unit.get(),
            buckets: buckets.get(),
            labels: labels.get(),
            max_series: max_series.get(),
            allow_total_suffix: allow_total_suffix.get(),
            objective: objective.get(),
            native: native.get(),
            doc: doc_text(attrs),
        }
    }
}

/// `key(..)`, read by `parse` from the whole item (to span errors on `key(..)`) and
/// the inside of the parentheses; `form` says how to write it when they are missing.
fn parenthesized<T>(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta<'_>,
    attr: &mut Attr<'_, T>,
    form: &str,
    parse: fn(proc_macro2::TokenStream, proc_macro2::TokenStream) -> syn::Result<T>,
) -> syn::Result<()> {
    if !meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(&meta.path, form);
        return skip_value(meta);
    }
    let group: proc_macro2::Group = meta.input.parse()?;
    let path = &meta.path;
    let tokens = quote::quote!(#path #group);
    match parse(tokens.clone(), group.stream()) {
        Ok(spec) => attr.set(&meta.path, tokens, spec),
        Err(err) => cx.syn_error(err),
    }
    Ok(())
}

/// `["route", "method"]`.
fn label_list(cx: &Ctxt, expr: &Expr) -> Option<Vec<LitStr>> {
    let Expr::Array(array) = unwrap_group(expr) else {
        cx.error_spanned_by(expr, "expected a list of label names, e.g. `[\"route\", \"method\"]`");
        return None;
    };
    let names: Vec<Option<LitStr>> =
        array.elems.iter().map(|elem| lit_str(cx, elem, "a label name")).collect();
    names.into_iter().collect()
}

fn max_series_value(cx: &Ctxt, lit: &syn::LitInt) -> Option<usize> {
    match lit.base10_parse::<usize>() {
        Ok(0) => {
            cx.error_spanned_by(
                lit,
                "`max_series` must be at least 1; leave it out for the runtime default (`DEFAULT_MAX_SERIES`)",
            );
            None
        }
        Ok(max) => Some(max),
        Err(err) => {
            cx.syn_error(err);
            None
        }
    }
}

/// Runs `each` on every key of the `#[own(..)]` attributes in `attrs`, and reports
/// the `#[other(..)]` attributes, which belong elsewhere.
fn parse_own(
    cx: &Ctxt,
    attrs: &[syn::Attribute],
    own: Symbol,
    (other, misplaced): (Symbol, &str),
    mut each: impl FnMut(syn::meta::ParseNestedMeta<'_>) -> syn::Result<()>,
) {
    for attr in attrs {
        if attr.path() == other {
            cx.error_spanned_by(attr, misplaced);
        } else if attr.path() == own {
            parse_attr(cx, attr, &mut each);
        }
    }
}
