//! `#[timed(name = "..", labels(k = "v"), buckets = .., in_flight, error_kind, fast_clock,
//! exemplars, objective(..), skip, crate = path)]`.

use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, LitStr, Meta, Token};

use crate::objective::{Objective, ObjectiveSpec};

const KEYS: &[&str] = &[
    "name",
    "labels",
    "buckets",
    "in_flight",
    "error_kind",
    "fast_clock",
    "exemplars",
    "objective",
    "skip",
    "crate",
];

/// Labels `#[timed]` sets itself, which `labels(..)` may not use.
const OWN_LABELS: &[&str] = &["function", "module", "outcome", "le", "quantile"];

/// Options of one `#[timed]` attribute; `None` where not given, so that a method's
/// options can be laid over its `impl` block's.
#[derive(Default, Clone)]
pub(crate) struct TimedArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) labels: Option<Vec<(LitStr, LitStr)>>,
    pub(crate) buckets: Option<Vec<f64>>,
    pub(crate) in_flight: Option<bool>,
    pub(crate) error_kind: Option<bool>,
    pub(crate) fast_clock: Option<bool>,
    pub(crate) exemplars: Option<bool>,
    pub(crate) objective: Option<ObjectiveSpec>,
    pub(crate) skip: bool,
    pub(crate) krate: Option<syn::Path>,
}

impl TimedArgs {
    /// `self` with every option `inner` gives replacing the outer one.
    pub(crate) fn overlaid_with(&self, inner: &TimedArgs) -> TimedArgs {
        TimedArgs {
            name: inner.name.clone().or_else(|| self.name.clone()),
            labels: inner.labels.clone().or_else(|| self.labels.clone()),
            buckets: inner.buckets.clone().or_else(|| self.buckets.clone()),
            in_flight: inner.in_flight.or(self.in_flight),
            error_kind: inner.error_kind.or(self.error_kind),
            fast_clock: inner.fast_clock.or(self.fast_clock),
            exemplars: inner.exemplars.or(self.exemplars),
            objective: inner.objective.clone().or_else(|| self.objective.clone()),
            skip: inner.skip,
            krate: inner.krate.clone().or_else(|| self.krate.clone()),
        }
    }
}

impl TimedArgs {
    /// The objective, its latency matched to the function's bounds; an error names
    /// the nearest bounds. Checked once the options of an `impl` block and of its
    /// method are laid together, since the buckets may come from either.
    pub(crate) fn objective(&self) -> syn::Result<Option<Objective>> {
        let bounds = self.buckets.as_deref().unwrap_or(crate::buckets::DEFAULT_BUCKETS);
        self.objective.as_ref().map(|spec| spec.resolve(bounds, 1.0)).transpose()
    }
}

impl Parse for TimedArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated(input)?;
        let mut args = TimedArgs::default();
        let mut errors: Option<syn::Error> = None;
        let mut push = |e: syn::Error| match &mut errors {
            Some(all) => all.combine(e),
            None => errors = Some(e),
        };
        let mut seen: Vec<String> = Vec::new();
        for meta in metas {
            let path = meta.path();
            let key = path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            let key =
                if path.is_ident("crate") || key == "crate" { "crate".to_owned() } else { key };
            if seen.contains(&key) {
                push(syn::Error::new_spanned(path, format!("`{key}` is given twice; keep one")));
                continue;
            }
            seen.push(key.clone());
            if let Err(e) = apply(&mut args, &key, &meta) {
                push(e);
            }
        }
        match errors {
            Some(e) => Err(e),
            None => Ok(args),
        }
    }
}

fn apply(args: &mut TimedArgs, key: &str, meta: &Meta) -> syn::Result<()> {
    match key {
        "name" => {
            let lit = string_value(meta)?;
            check_name(&lit)?;
            args.name = Some(lit);
        }
        "labels" => {
            let Meta::List(list) = meta else {
                return Err(syn::Error::new_spanned(meta, "write `labels(key = \"value\", ..)`"));
            };
            let pairs = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)?;
            let mut labels = Vec::new();
            for pair in pairs {
                let Some(ident) = pair.path().get_ident() else {
                    return Err(syn::Error::new_spanned(
                        pair.path(),
                        "a label name is one identifier",
                    ));
                };
                let name = LitStr::new(&ident.to_string(), ident.span());
                check_label(&name)?;
                if labels.iter().any(|(n, _): &(LitStr, LitStr)| n.value() == name.value()) {
                    return Err(syn::Error::new_spanned(ident, "this label is given twice"));
                }
                labels.push((name, string_value(&pair)?));
            }
            args.labels = Some(labels);
        }
        "buckets" => {
            let Meta::NameValue(nv) = meta else {
                return Err(syn::Error::new_spanned(
                    meta,
                    "write `buckets = [0.01, 0.1, 1.0]`, `buckets = linear(..)` or `buckets = exponential(..)`",
                ));
            };
            args.buckets = Some(crate::buckets::parse_buckets(&nv.value)?);
        }
        "in_flight" => {
            flag(meta)?;
            args.in_flight = Some(true);
        }
        "error_kind" => {
            flag(meta)?;
            args.error_kind = Some(true);
        }
        "fast_clock" => {
            flag(meta)?;
            args.fast_clock = Some(true);
        }
        "exemplars" => {
            if !matches!(meta, Meta::Path(_)) {
                return Err(syn::Error::new_spanned(
                    meta,
                    "`exemplars` takes no value: it keeps the current trace id, from \
                     `metrics_runtime::exemplar::set_trace_id_source` or the `opentelemetry` \
                     feature; write `#[timed(exemplars)]`",
                ));
            }
            args.exemplars = Some(true);
        }
        "objective" => {
            let Meta::List(list) = meta else {
                return Err(syn::Error::new_spanned(
                    meta,
                    "write `objective(success = 99.9, latency = \"250ms\", percentile = 99)`",
                ));
            };
            args.objective =
                Some(crate::objective::parse(meta.to_token_stream(), list.tokens.clone())?);
        }
        "skip" => {
            flag(meta)?;
            args.skip = true;
        }
        "crate" => {
            let Meta::NameValue(nv) = meta else {
                return Err(syn::Error::new_spanned(
                    meta,
                    "write `crate = path::to::metrics_runtime`",
                ));
            };
            args.krate = Some(match &nv.value {
                Expr::Path(p) => p.path.clone(),
                Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => s.parse()?,
                other => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "write `crate = path::to::metrics_runtime`",
                    ));
                }
            });
        }
        _ => {
            let message = match crate::names::did_you_mean(key, KEYS.iter().copied()) {
                Some(close) => {
                    format!("unknown `#[timed]` option `{key}`; did you mean `{close}`?")
                }
                None => format!(
                    "unknown `#[timed]` option `{key}`; the options are {}",
                    KEYS.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            return Err(syn::Error::new_spanned(meta.path(), message));
        }
    }
    Ok(())
}

fn flag(meta: &Meta) -> syn::Result<()> {
    match meta {
        Meta::Path(_) => Ok(()),
        _ => Err(syn::Error::new_spanned(meta, "this option takes no value: write it alone")),
    }
}

fn string_value(meta: &Meta) -> syn::Result<LitStr> {
    if let Meta::NameValue(nv) = meta
        && let Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) = &nv.value
    {
        return Ok(s.clone());
    }
    Err(syn::Error::new_spanned(meta, "expected a string: `key = \"value\"`"))
}

fn check_name(lit: &LitStr) -> syn::Result<()> {
    let name = lit.value();
    if let Some(why) =
        crate::names::metric_name_error(&name).or_else(|| crate::names::reserved_name_error(&name))
    {
        return Err(syn::Error::new(lit.span(), why));
    }
    if let Some(stem) = name.strip_suffix("_total") {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "`#[timed(name = ..)]` names a pair of families (`{stem}_calls_total`, `{stem}_duration_seconds`): write `name = \"{stem}\"`"
            ),
        ));
    }
    Ok(())
}

fn check_label(name: &LitStr) -> syn::Result<()> {
    let value = name.value();
    if OWN_LABELS.contains(&value.as_str()) {
        return Err(syn::Error::new(
            name.span(),
            format!("the label `{value}` is set by `#[timed]` itself; choose another name"),
        ));
    }
    match crate::names::label_name_error(&value, None) {
        Some(why) => Err(syn::Error::new(name.span(), why)),
        None => Ok(()),
    }
}
