//! `objective(success = 99.9, latency = "250ms", percentile = 99)`, shared by
//! `#[timed(..)]` and `#[metric(..)]`: parsed here, checked against the histogram's
//! bucket bounds (a latency objective is only measurable at a bound), and written
//! as a `__private::Objective` expression.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, LitStr, Meta, Token};

const KEYS: &[&str] = &["success", "latency", "percentile"];
const FORM: &str = "write `objective(success = 99.9, latency = \"250ms\", percentile = 99)`";

/// An objective as written, each value with its tokens to span errors on.
#[derive(Clone)]
pub(crate) struct ObjectiveSpec {
    /// Percent of calls that succeed.
    pub(crate) success: Option<(f64, TokenStream)>,
    /// The latency in seconds, and the literal it was written as.
    pub(crate) latency: Option<(f64, LitStr)>,
    /// Percent of calls within the latency.
    pub(crate) percentile: Option<(f64, TokenStream)>,
}

/// A checked objective: the latency is the bucket bound it matched, in the
/// histogram's unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Objective {
    pub(crate) success: Option<f64>,
    pub(crate) latency: Option<f64>,
    pub(crate) percentile: f64,
}

/// The percentile of a latency objective written without one.
const DEFAULT_PERCENTILE: f64 = 99.0;

/// Parses the inside of `objective(..)`; `whole` is the attribute item, for spans.
/// Every mistake is reported, combined.
pub(crate) fn parse(whole: TokenStream, inner: TokenStream) -> syn::Result<ObjectiveSpec> {
    let metas = syn::parse::Parser::parse2(Punctuated::<Meta, Token![,]>::parse_terminated, inner)?;
    let mut spec = ObjectiveSpec { success: None, latency: None, percentile: None };
    let mut errors: Option<syn::Error> = None;
    let push = |errors: &mut Option<syn::Error>, e: syn::Error| match errors {
        Some(all) => all.combine(e),
        None => *errors = Some(e),
    };
    for meta in metas {
        let key = meta.path().get_ident().map(ToString::to_string).unwrap_or_default();
        let duplicate = match key.as_str() {
            "success" => spec.success.is_some(),
            "latency" => spec.latency.is_some(),
            "percentile" => spec.percentile.is_some(),
            _ => false,
        };
        if duplicate {
            let message = format!("`{key}` is given twice; keep one");
            push(&mut errors, syn::Error::new_spanned(meta.path(), message));
            continue;
        }
        let result = match key.as_str() {
            "success" => percent(&meta, "success").map(|p| spec.success = Some(p)),
            "percentile" => percent(&meta, "percentile").map(|p| spec.percentile = Some(p)),
            "latency" => latency(&meta).map(|l| spec.latency = Some(l)),
            _ => {
                let message = match crate::names::did_you_mean(&key, KEYS.iter().copied()) {
                    Some(close) => format!("unknown objective `{key}`; did you mean `{close}`?"),
                    None => format!("unknown objective `{key}`; {FORM}"),
                };
                Err(syn::Error::new_spanned(meta.path(), message))
            }
        };
        if let Err(e) = result {
            push(&mut errors, e);
        }
    }
    if let (Some((_, tokens)), None) = (&spec.percentile, &spec.latency) {
        push(
            &mut errors,
            syn::Error::new_spanned(
                tokens,
                "`percentile` needs a `latency`: write `latency = \"250ms\", percentile = 99`",
            ),
        );
    }
    if errors.is_none() && spec.success.is_none() && spec.latency.is_none() {
        push(&mut errors, syn::Error::new_spanned(&whole, format!("an empty objective; {FORM}")));
    }
    match errors {
        Some(e) => Err(e),
        None => Ok(spec),
    }
}

impl ObjectiveSpec {
    /// The objective with its latency matched to one of `bounds`, which are in
    /// `unit_seconds` seconds each; an error names the nearest bounds.
    pub(crate) fn resolve(&self, bounds: &[f64], unit_seconds: f64) -> syn::Result<Objective> {
        let latency = match &self.latency {
            None => None,
            Some((seconds, lit)) => {
                let wanted = seconds / unit_seconds;
                match bounds.iter().find(|&&bound| same(bound, wanted)) {
                    Some(&bound) => Some(bound),
                    None => {
                        let unit = unit_word(unit_seconds);
                        let show = |b: f64| format!("{} ({b} {unit})", duration(b * unit_seconds));
                        let below = bounds.iter().rev().find(|&&b| b < wanted).copied();
                        let above = bounds.iter().find(|&&b| b > wanted).copied();
                        let nearest = match (below, above) {
                            (Some(b), Some(a)) => {
                                format!("the nearest bounds are {} and {}", show(b), show(a))
                            }
                            (Some(b), None) => format!("the largest bound is {}", show(b)),
                            (None, Some(a)) => format!("the smallest bound is {}", show(a)),
                            (None, None) => "the histogram has no bounds".to_owned(),
                        };
                        return Err(syn::Error::new_spanned(
                            lit,
                            format!(
                                "the latency objective {} is not a bucket bound of the histogram, \
                                 so it cannot be measured; {nearest}: use one of them, or add \
                                 {wanted} to `buckets`",
                                lit.value()
                            ),
                        ));
                    }
                }
            }
        };
        Ok(Objective {
            success: self.success.as_ref().map(|(p, _)| *p),
            latency,
            percentile: self.percentile.as_ref().map_or(DEFAULT_PERCENTILE, |(p, _)| *p),
        })
    }
}

impl Objective {
    /// `::core::option::Option::Some(__private::Objective { .. })`.
    pub(crate) fn to_tokens(self, private: &TokenStream) -> TokenStream {
        let option = |value: Option<f64>| match value {
            Some(v) => {
                let v = Literal::f64_suffixed(v);
                quote!(::core::option::Option::Some(#v))
            }
            None => quote!(::core::option::Option::None),
        };
        let success = option(self.success);
        let latency = option(self.latency);
        let percentile = Literal::f64_suffixed(self.percentile);
        quote! {
            ::core::option::Option::Some(#private::Objective {
                success: #success,
                latency: #latency,
                percentile: #percentile,
            })
        }
    }
}

/// The same bound, allowing for `"250ms"` giving 0.25 by another route than `0.25`.
fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// A percent in `(0, 100)`.
fn percent(meta: &Meta, key: &str) -> syn::Result<(f64, TokenStream)> {
    let value = match meta {
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit { lit: Lit::Float(f), .. }) => Some((f.base10_parse()?, &nv.value)),
            Expr::Lit(ExprLit { lit: Lit::Int(i), .. }) => Some((i.base10_parse()?, &nv.value)),
            _ => None,
        },
        _ => None,
    };
    let Some((value, expr)) = value else {
        return Err(syn::Error::new_spanned(
            meta,
            format!("`{key}` is a percent: write `{key} = 99.9`"),
        ));
    };
    if !(value > 0.0 && value < 100.0) {
        return Err(syn::Error::new_spanned(
            expr,
            format!(
                "`{key}` is a percent between 0 and 100, both excluded (100 would leave no error budget); e.g. `{key} = 99.9`"
            ),
        ));
    }
    Ok((value, expr.to_token_stream()))
}

/// `latency = "250ms"`, in seconds.
fn latency(meta: &Meta) -> syn::Result<(f64, LitStr)> {
    let lit = match meta {
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    };
    let Some(lit) = lit else {
        return Err(syn::Error::new_spanned(
            meta,
            "`latency` is a duration in a string: write `latency = \"250ms\"`",
        ));
    };
    match parse_duration(&lit.value()) {
        Some(seconds) if seconds > 0.0 => Ok((seconds, lit)),
        _ => Err(syn::Error::new_spanned(
            &lit,
            "expected a positive duration such as \"250ms\", \"1.5s\" or \"800us\" (units: ns, us, ms, s, m)",
        )),
    }
}

/// `"250ms"` → 0.25; `None` when not a number followed by a unit.
pub(crate) fn parse_duration(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let scale: f64 = match unit.trim() {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" => 60.0,
        _ => return None,
    };
    let value: f64 = number.parse().ok()?;
    // Divide rather than multiply by 1e-3, so that "250ms" is exactly 0.25's f64.
    let seconds = if scale < 1.0 { value / (1.0 / scale).round() } else { value * scale };
    seconds.is_finite().then_some(seconds)
}

/// How many seconds one unit of a histogram is, from its unit; `None` for a unit
/// that is not a time.
pub(crate) fn unit_seconds(unit: &str) -> Option<f64> {
    match unit {
        // A histogram without a unit is taken to be in seconds, the base unit.
        "" | "seconds" => Some(1.0),
        "milliseconds" | "ms" => Some(1e-3),
        "microseconds" | "us" => Some(1e-6),
        "nanoseconds" | "ns" => Some(1e-9),
        "minutes" => Some(60.0),
        _ => None,
    }
}

fn unit_word(unit_seconds: f64) -> &'static str {
    if unit_seconds >= 60.0 {
        "min"
    } else if unit_seconds >= 1.0 {
        "s"
    } else if unit_seconds >= 1e-3 {
        "ms"
    } else if unit_seconds >= 1e-6 {
        "us"
    } else {
        "ns"
    }
}

/// `0.25` seconds as `250ms`, for messages.
fn duration(seconds: f64) -> String {
    let (value, unit) = if seconds >= 1.0 {
        (seconds, "s")
    } else if seconds >= 1e-3 {
        (seconds * 1e3, "ms")
    } else if seconds >= 1e-6 {
        (seconds * 1e6, "us")
    } else {
        (seconds * 1e9, "ns")
    };
    let rounded: f64 = format!("{value:.9}").parse().unwrap_or(value);
    format!("{rounded}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(src: &str) -> syn::Result<ObjectiveSpec> {
        let tokens: TokenStream = src.parse().unwrap();
        parse(quote!(objective(#tokens)), tokens)
    }

    fn error(src: &str) -> String {
        spec(src).err().expect("an error").to_string()
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms"), Some(0.25));
        assert_eq!(parse_duration("1.5s"), Some(1.5));
        assert_eq!(parse_duration("800us"), Some(0.0008));
        assert_eq!(parse_duration("5 ms"), Some(0.005));
        assert_eq!(parse_duration("2m"), Some(120.0));
        assert_eq!(parse_duration("100ns"), Some(1e-7));
        assert_eq!(parse_duration("ms"), None);
        assert_eq!(parse_duration("250"), None);
        assert_eq!(parse_duration("1h"), None);
    }

    #[test]
    fn parsed_and_resolved() {
        let objective = spec("success = 99.9, latency = \"250ms\", percentile = 95").unwrap();
        let bounds = [0.1, 0.25, 0.5];
        let resolved = objective.resolve(&bounds, 1.0).unwrap();
        assert_eq!(
            resolved,
            Objective { success: Some(99.9), latency: Some(0.25), percentile: 95.0 }
        );
        let default = spec("latency = \"500ms\"").unwrap().resolve(&bounds, 1.0).unwrap();
        assert_eq!(default.percentile, 99.0);
        let millis = spec("latency = \"250ms\"").unwrap().resolve(&[100.0, 250.0], 1e-3).unwrap();
        assert_eq!(millis.latency, Some(250.0));
        let success = spec("success = 99").unwrap().resolve(&[], 1.0).unwrap();
        assert_eq!(success, Objective { success: Some(99.0), latency: None, percentile: 99.0 });
    }

    #[test]
    fn off_bound_latency_names_the_nearest_bounds() {
        let bounds = [0.1, 0.25, 0.5];
        let message = |src: &str| spec(src).unwrap().resolve(&bounds, 1.0).unwrap_err().to_string();
        assert!(
            message("latency = \"300ms\"")
                .contains("the nearest bounds are 250ms (0.25 s) and 500ms (0.5 s)"),
            "{}",
            message("latency = \"300ms\"")
        );
        assert!(message("latency = \"2s\"").contains("the largest bound is 500ms (0.5 s)"));
        assert!(message("latency = \"1ms\"").contains("the smallest bound is 100ms (0.1 s)"));
        assert!(message("latency = \"300ms\"").contains("add 0.3 to `buckets`"));
    }

    #[test]
    fn mistakes() {
        assert!(error("success = 100").contains("between 0 and 100"));
        assert!(error("success = \"99\"").contains("is a percent"));
        assert!(error("latency = 0.25").contains("a duration in a string"));
        assert!(error("latency = \"fast\"").contains("expected a positive duration"));
        assert!(error("percentile = 99").contains("`percentile` needs a `latency`"));
        assert!(error("sucess = 99").contains("did you mean `success`?"));
        assert!(error("success = 99, success = 98").contains("given twice"));
        assert!(error("").contains("an empty objective"));
    }
}
