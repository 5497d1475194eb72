//! Histogram bucket bounds written in an attribute, computed and checked at compile
//! time: a list `[0.1, 1, 2.5]`, `linear(start, width, count)` or
//! `exponential(start, factor, count)`. Used by `#[metric(buckets = ..)]` and
//! `#[timed(buckets = ..)]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Expr, ExprCall, Lit, UnOp};

/// The most bounds a histogram may have: each one is an atomic per series, and
/// a typo in a count should not make the compiler build a huge array.
pub(crate) const MAX_BUCKETS: usize = 1_000;

/// `metrics_runtime::DEFAULT_BUCKETS`, which a histogram without `buckets` gets, for
/// checking latency objectives at compile time. Generated code also checks, in a
/// `const`, that the runtime's bounds contain the objective, so a drift between
/// the two lists fails the build rather than the alerts.
pub(crate) const DEFAULT_BUCKETS: &[f64] =
    &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

const FORMS: &str = "use a list `[0.1, 0.5, 1.0]`, `linear(start, width, count)` or `exponential(start, factor, count)`";

/// The upper bounds `expr` describes: ascending, finite, without `+Inf`.
///
/// Computed bounds are rounded to 15 significant digits, so that `linear(0.1, 0.1, 3)`
/// gives `0.3`, not `0.30000000000000004`.
pub(crate) fn parse_buckets(expr: &Expr) -> syn::Result<Vec<f64>> {
    match strip(expr) {
        Expr::Array(array) => {
            let mut bounds = Vec::with_capacity(array.elems.len());
            let mut errors: Option<syn::Error> = None;
            for elem in &array.elems {
                match number(elem) {
                    Ok(bound) => bounds.push((bound, elem)),
                    Err(err) => combine(&mut errors, err),
                }
            }
            if let Some(errors) = errors {
                return Err(errors);
            }
            if bounds.is_empty() {
                return Err(syn::Error::new_spanned(
                    array,
                    "a histogram needs at least one bucket bound; give e.g. `[0.1, 0.5, 1.0]`, \
                     or leave `buckets` out for the default buckets",
                ));
            }
            check(&bounds)?;
            Ok(bounds.into_iter().map(|(bound, _)| bound).collect())
        }
        Expr::Call(call) => {
            let bounds = generated(call)?;
            let spanned: Vec<(f64, &ExprCall)> = bounds.iter().map(|&b| (b, call)).collect();
            check(&spanned)?;
            Ok(bounds)
        }
        other => Err(syn::Error::new_spanned(other, format!("invalid buckets; {FORMS}"))),
    }
}

/// The tokens of `&[b0, b1, ...]`, a `&'static [f64]` in a constant.
pub(crate) fn to_tokens(bounds: &[f64]) -> TokenStream {
    let bounds = bounds.iter().map(|&bound| {
        // A literal cannot be negative: write the sign as a unary minus.
        let literal = proc_macro2::Literal::f64_suffixed(bound.abs());
        if bound.is_sign_negative() { quote!(-#literal) } else { quote!(#literal) }
    });
    quote!(&[#(#bounds),*])
}

fn combine(errors: &mut Option<syn::Error>, err: syn::Error) {
    match errors {
        Some(errors) => errors.combine(err),
        None => *errors = Some(err),
    }
}

/// `expr` without the invisible groups a `macro_rules!` fragment leaves around it,
/// and without parentheses.
fn strip(mut expr: &Expr) -> &Expr {
    loop {
        match expr {
            Expr::Group(group) => expr = &group.expr,
            Expr::Paren(paren) => expr = &paren.expr,
            _ => return expr,
        }
    }
}

/// A number literal, possibly negated; `f64::INFINITY` and friends are named to be
/// refused as not finite.
fn number(expr: &Expr) -> syn::Result<f64> {
    match strip(expr) {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Float(float) => float.base10_parse::<f64>(),
            Lit::Int(int) => int.base10_parse::<f64>(),
            _ => Err(syn::Error::new_spanned(lit, "expected a number")),
        },
        Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => Ok(-number(&unary.expr)?),
        Expr::Path(path) => {
            let last = path.path.segments.last().map(|s| s.ident.to_string());
            match last.as_deref() {
                Some("INFINITY") => Ok(f64::INFINITY),
                Some("NEG_INFINITY") => Ok(f64::NEG_INFINITY),
                Some("NAN") => Ok(f64::NAN),
                _ => Err(syn::Error::new_spanned(path, "expected a number literal")),
            }
        }
        other => Err(syn::Error::new_spanned(other, "expected a number literal")),
    }
}

fn count(expr: &Expr) -> syn::Result<usize> {
    let too_many = || {
        syn::Error::new_spanned(
            expr,
            format!("a histogram may have at most {MAX_BUCKETS} bucket bounds"),
        )
    };
    match strip(expr) {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Int(int) => {
                let count = int.base10_parse::<u64>().map_err(|_| too_many())?;
                if count == 0 {
                    return Err(syn::Error::new_spanned(
                        expr,
                        "the bucket count must be at least 1",
                    ));
                }
                usize::try_from(count).ok().filter(|&c| c <= MAX_BUCKETS).ok_or_else(too_many)
            }
            _ => Err(syn::Error::new_spanned(expr, "expected the bucket count, an integer")),
        },
        _ => Err(syn::Error::new_spanned(expr, "expected the bucket count, an integer literal")),
    }
}

/// Bounds of `linear(start, width, count)` or `exponential(start, factor, count)`.
fn generated(call: &ExprCall) -> syn::Result<Vec<f64>> {
    let func = match strip(&call.func) {
        Expr::Path(path) if path.path.get_ident().is_some() => path.path.get_ident(),
        _ => None,
    };
    let Some(func) = func.map(ToString::to_string) else {
        return Err(syn::Error::new_spanned(&call.func, format!("invalid buckets; {FORMS}")));
    };
    let args: Vec<&Expr> = call.args.iter().collect();
    let (&[start, step, n], "linear" | "exponential") = (args.as_slice(), func.as_str()) else {
        let msg = match func.as_str() {
            "linear" => "`linear` takes three arguments: `linear(start, width, count)`".to_owned(),
            "exponential" => {
                "`exponential` takes three arguments: `exponential(start, factor, count)`"
                    .to_owned()
            }
            other => {
                let mut msg = format!("unknown bucket layout `{other}`; {FORMS}");
                if let Some(close) = crate::names::did_you_mean(other, ["linear", "exponential"]) {
                    msg.push_str(&format!("; did you mean `{close}`?"));
                }
                msg
            }
        };
        let span = if matches!(func.as_str(), "linear" | "exponential") {
            call.span()
        } else {
            call.func.span()
        };
        return Err(syn::Error::new(span, msg));
    };
    let mut errors = None;
    let start_v = number(start).map_err(|e| combine(&mut errors, e)).ok();
    let step_v = number(step).map_err(|e| combine(&mut errors, e)).ok();
    let count_v = count(n).map_err(|e| combine(&mut errors, e)).ok();
    let bounds = match (func.as_str(), start_v, step_v, count_v) {
        ("linear", Some(start_v), Some(width), Some(count_v)) => {
            if width <= 0.0 || width.is_nan() {
                combine(
                    &mut errors,
                    syn::Error::new_spanned(step, "the width of linear buckets must be positive"),
                );
            }
            (0..count_v).map(|i| round(start_v + width * i as f64)).collect()
        }
        ("exponential", Some(start_v), Some(factor), Some(count_v)) => {
            if start_v <= 0.0 || start_v.is_nan() {
                combine(
                    &mut errors,
                    syn::Error::new_spanned(
                        start,
                        "the start of exponential buckets must be positive",
                    ),
                );
            }
            if factor <= 1.0 || factor.is_nan() {
                combine(
                    &mut errors,
                    syn::Error::new_spanned(
                        step,
                        "the factor of exponential buckets must be greater than 1",
                    ),
                );
            }
            let mut bound = start_v;
            let mut bounds = Vec::with_capacity(count_v);
            for _ in 0..count_v {
                bounds.push(round(bound));
                bound *= factor;
            }
            bounds
        }
        _ => Vec::new(),
    };
    match errors {
        Some(errors) => Err(errors),
        None => Ok(bounds),
    }
}

/// `value` rounded to 15 significant digits, which f64 always holds exactly, so
/// that arithmetic noise does not reach the exposition.
fn round(value: f64) -> f64 {
    if !value.is_finite() || value == 0.0 {
        return value;
    }
    format!("{value:.14e}").parse().unwrap_or(value)
}

/// Finite, strictly ascending; each error spanned on the bound at fault.
fn check<T: quote::ToTokens>(bounds: &[(f64, T)]) -> syn::Result<()> {
    let mut errors = None;
    for (i, (bound, tokens)) in bounds.iter().enumerate() {
        let msg = if !bound.is_finite() {
            format!(
                "bucket bound {bound} is not finite; the `+Inf` bucket is implicit, leave it out"
            )
        } else if let Some((previous, _)) = bounds[..i].last().filter(|(p, _)| p.is_finite()) {
            if previous == bound {
                format!("duplicate bucket bound {bound}; bounds must be strictly ascending")
            } else if previous > bound {
                format!("bucket bounds must be strictly ascending, but {bound} follows {previous}")
            } else {
                continue;
            }
        } else {
            continue;
        };
        combine(&mut errors, syn::Error::new_spanned(tokens, msg));
    }
    match errors {
        Some(errors) => Err(errors),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> syn::Result<Vec<f64>> {
        parse_buckets(&syn::parse_str::<Expr>(src).unwrap())
    }

    fn message(src: &str) -> String {
        parse(src).unwrap_err().to_string()
    }

    #[test]
    fn lists() {
        assert_eq!(parse("[0.1, 1, 2.5]").unwrap(), [0.1, 1.0, 2.5]);
        assert_eq!(parse("[-1, 0, 1e3]").unwrap(), [-1.0, 0.0, 1000.0]);
        assert_eq!(parse("[0.5f64]").unwrap(), [0.5]);
        assert!(message("[]").contains("at least one bucket"));
        assert!(message("[1.0, 0.5]").contains("strictly ascending, but 0.5 follows 1"));
        assert!(message("[1.0, 1.0]").contains("duplicate bucket bound 1"));
        assert!(message("[1.0, f64::INFINITY]").contains("not finite"));
        assert!(message("[f64::NAN]").contains("not finite"));
        assert!(message("[1e400]").contains("not finite"));
        assert!(message("[\"a\"]").contains("expected a number"));
        assert!(message("[x]").contains("expected a number literal"));
    }

    #[test]
    fn linear() {
        assert_eq!(parse("linear(0, 10, 3)").unwrap(), [0.0, 10.0, 20.0]);
        assert_eq!(parse("linear(0.1, 0.1, 3)").unwrap(), [0.1, 0.2, 0.3]);
        assert_eq!(parse("linear(-1, 1, 3)").unwrap(), [-1.0, 0.0, 1.0]);
        assert!(message("linear(0, 1, 0)").contains("at least 1"));
        assert!(message("linear(0, 0, 3)").contains("must be positive"));
        assert!(message("linear(0, -1, 3)").contains("must be positive"));
        assert!(message("linear(0, 1)").contains("three arguments"));
        assert!(message("linear(0, 1, 1.5)").contains("integer"));
        assert!(message("linear(0, 1, 100000)").contains("at most 1000"));
    }

    #[test]
    fn exponential() {
        let bounds = parse("exponential(0.001, 2.0, 14)").unwrap();
        assert_eq!(bounds.len(), 14);
        assert_eq!(bounds[0], 0.001);
        assert_eq!(bounds[13], 8.192);
        assert_eq!(parse("exponential(1, 10, 3)").unwrap(), [1.0, 10.0, 100.0]);
        assert!(message("exponential(0, 2, 3)").contains("start of exponential"));
        assert!(message("exponential(1, 1, 3)").contains("greater than 1"));
        assert!(message("exponential(1, 0.5, 3)").contains("greater than 1"));
        assert!(message("exponential(1e300, 1e10, 3)").contains("not finite"));
    }

    #[test]
    fn other_forms() {
        assert!(message("expnential(1, 2, 3)").contains("did you mean `exponential`?"));
        assert!(message("DEFAULT").contains("invalid buckets"));
        assert!(message("foo::linear(1, 2, 3)").contains("invalid buckets"));
    }

    #[test]
    fn tokens() {
        let tokens = to_tokens(&[-0.5, 1.0]).to_string();
        assert_eq!(tokens, "& [- 0.5f64 , 1f64]");
    }
}
