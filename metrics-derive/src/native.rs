//! `native(schema = 3)`, `native(factor = 1.1)`, with `max_buckets = 160` and
//! `zero_threshold = 1e-9`: a histogram's native bucket layout, checked here and
//! written as a `__private::NativeBuckets` expression.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, ExprUnary, Lit, Meta, Token, UnOp};

const KEYS: &[&str] = &["schema", "factor", "max_buckets", "zero_threshold"];
const FORM: &str = "write `native(schema = 3)` or `native(factor = 1.1)`, optionally with \
                    `max_buckets = 160` and `zero_threshold = 1e-9`";

/// The lowest and highest schemas of the spec.
const MIN_SCHEMA: i64 = -4;
const MAX_SCHEMA: i64 = 8;
/// client_golang's defaults, as the runtime's `NativeBuckets`.
const DEFAULT_MAX_BUCKETS: u32 = 160;
const DEFAULT_ZERO_THRESHOLD: f64 = 2.938_735_877_055_719e-39;

/// A checked layout.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct NativeSpec {
    pub(crate) schema: i8,
    pub(crate) max_buckets: u32,
    pub(crate) zero_threshold: f64,
}

/// Parses the inside of `native(..)`; `whole` is the attribute item, for spans.
/// Every mistake is reported, combined.
pub(crate) fn parse(whole: TokenStream, inner: TokenStream) -> syn::Result<NativeSpec> {
    let metas = syn::parse::Parser::parse2(Punctuated::<Meta, Token![,]>::parse_terminated, inner)?;
    let mut errors: Vec<syn::Error> = Vec::new();
    let (mut schema, mut factor) = (None, None);
    let (mut max_buckets, mut zero_threshold) = (None, None);
    for meta in metas {
        let key = meta.path().get_ident().map(ToString::to_string).unwrap_or_default();
        let result = match key.as_str() {
            "schema" => set(&mut schema, &meta, &key, schema_value),
            "factor" => set(&mut factor, &meta, &key, factor_value),
            "max_buckets" => set(&mut max_buckets, &meta, &key, max_buckets_value),
            "zero_threshold" => set(&mut zero_threshold, &meta, &key, zero_threshold_value),
            _ => {
                let message = match crate::names::did_you_mean(&key, KEYS.iter().copied()) {
                    Some(close) => format!("unknown `native` key `{key}`; did you mean `{close}`?"),
                    None => format!("unknown `native` key `{key}`; {FORM}"),
                };
                Err(syn::Error::new_spanned(meta.path(), message))
            }
        };
        errors.extend(result.err());
    }
    let schema = match (schema, factor) {
        (Some((schema, _)), None) => Some(schema),
        (None, Some((factor, _))) => Some(schema_for_factor(factor)),
        (Some(_), Some((_, tokens))) => {
            errors.push(syn::Error::new_spanned(
                tokens,
                "give either `schema` or `factor`, not both: a factor picks a schema \
                 (`factor = 1.1` is `schema = 3`)",
            ));
            None
        }
        // Unless a schema or factor was given and is wrong, which is reported already.
        (None, None) if errors.is_empty() => {
            errors.push(syn::Error::new_spanned(
                &whole,
                format!("native buckets need a resolution; {FORM}"),
            ));
            None
        }
        (None, None) => None,
    };
    let mut errors = errors.into_iter();
    if let Some(mut all) = errors.next() {
        all.extend(errors);
        return Err(all);
    }
    match schema {
        Some(schema) => Ok(NativeSpec {
            schema,
            max_buckets: max_buckets.map_or(DEFAULT_MAX_BUCKETS, |(m, _)| m),
            zero_threshold: zero_threshold.map_or(DEFAULT_ZERO_THRESHOLD, |(z, _)| z),
        }),
        None => Err(syn::Error::new_spanned(whole, FORM)),
    }
}

/// Reads `key = value` into `slot` unless it is there already.
fn set<T>(
    slot: &mut Option<(T, TokenStream)>,
    meta: &Meta,
    key: &str,
    read: fn(&Expr) -> syn::Result<T>,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new_spanned(
            meta.path(),
            format!("`{key}` is given twice; keep one"),
        ));
    }
    let Meta::NameValue(nv) = meta else {
        return Err(syn::Error::new_spanned(meta, format!("write `{key} = ..`; {FORM}")));
    };
    *slot = Some((read(&nv.value)?, meta.to_token_stream()));
    Ok(())
}

/// A number literal, negative or not, as `f64`; `None` for anything else.
fn number(expr: &Expr) -> syn::Result<Option<f64>> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Float(f), .. }) => Ok(Some(f.base10_parse()?)),
        Expr::Lit(ExprLit { lit: Lit::Int(i), .. }) => Ok(Some(i.base10_parse()?)),
        Expr::Unary(ExprUnary { op: UnOp::Neg(_), expr, .. }) => Ok(number(expr)?.map(|v: f64| -v)),
        Expr::Group(group) => number(&group.expr),
        _ => Ok(None),
    }
}

fn integer(expr: &Expr) -> syn::Result<Option<i64>> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Int(i), .. }) => Ok(Some(i.base10_parse()?)),
        Expr::Unary(ExprUnary { op: UnOp::Neg(_), expr, .. }) => Ok(integer(expr)?.map(|v| -v)),
        Expr::Group(group) => integer(&group.expr),
        _ => Ok(None),
    }
}

fn schema_value(expr: &Expr) -> syn::Result<i8> {
    match integer(expr)? {
        Some(schema) if (MIN_SCHEMA..=MAX_SCHEMA).contains(&schema) => Ok(schema as i8),
        Some(schema) => Err(syn::Error::new_spanned(
            expr,
            format!(
                "schema {schema} is out of range: native histograms have schemas -4 (each bucket \
                 65536 times as wide as the previous) to 8 (2^(1/256), about 1.0027, times); \
                 e.g. `schema = 3`"
            ),
        )),
        None => Err(syn::Error::new_spanned(
            expr,
            "the schema is an integer from -4 to 8, e.g. `schema = 3`",
        )),
    }
}

fn factor_value(expr: &Expr) -> syn::Result<f64> {
    match number(expr)? {
        Some(factor) if factor.is_finite() && factor > 1.0 => Ok(factor),
        Some(_) => Err(syn::Error::new_spanned(
            expr,
            "the bucket factor is how much wider each bucket may be than the previous: a finite \
             number above 1, e.g. `factor = 1.1`",
        )),
        None => Err(syn::Error::new_spanned(
            expr,
            "the factor is a number above 1, e.g. `factor = 1.1`",
        )),
    }
}

fn max_buckets_value(expr: &Expr) -> syn::Result<u32> {
    match integer(expr)? {
        Some(0) => Err(syn::Error::new_spanned(
            expr,
            "`max_buckets` must be at least 1: past it the resolution is lowered; leave it out \
             for the default, 160",
        )),
        Some(max) => u32::try_from(max).map_err(|_| {
            syn::Error::new_spanned(expr, "`max_buckets` is a count from 1 to 4294967295, e.g. 160")
        }),
        None => Err(syn::Error::new_spanned(
            expr,
            "`max_buckets` is an integer, e.g. `max_buckets = 160`",
        )),
    }
}

fn zero_threshold_value(expr: &Expr) -> syn::Result<f64> {
    match number(expr)? {
        Some(threshold) if threshold.is_finite() && threshold >= 0.0 => Ok(threshold),
        _ => Err(syn::Error::new_spanned(
            expr,
            "the zero threshold is a finite number, 0 or above: observations within \
             ±threshold go to the zero bucket; e.g. `zero_threshold = 1e-9`",
        )),
    }
}

/// client_golang's `pickSchema`: the schema whose boundaries grow by at most
/// `factor`, clamped to -4..=8.
pub(crate) fn schema_for_factor(factor: f64) -> i8 {
    let floor = factor.log2().log2().floor();
    if floor <= -(MAX_SCHEMA as f64) {
        MAX_SCHEMA as i8
    } else if floor >= -(MIN_SCHEMA as f64) {
        MIN_SCHEMA as i8
    } else {
        -(floor as i8)
    }
}

impl NativeSpec {
    /// `::core::option::Option::Some(__private::NativeBuckets::__checked(..))`.
    pub(crate) fn to_tokens(self, private: &TokenStream) -> TokenStream {
        let schema = Literal::i8_suffixed(self.schema);
        let zero_threshold = Literal::f64_suffixed(self.zero_threshold);
        let max_buckets = Literal::u32_suffixed(self.max_buckets);
        quote! {
            ::core::option::Option::Some(
                #private::NativeBuckets::__checked(#schema, #zero_threshold, #max_buckets)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(inner: TokenStream) -> syn::Result<NativeSpec> {
        parse(quote!(native(#inner)), inner)
    }

    #[test]
    fn schema_or_factor_with_defaults() {
        let spec = parsed(quote!(schema = 3)).unwrap();
        assert_eq!(
            spec,
            NativeSpec { schema: 3, max_buckets: 160, zero_threshold: DEFAULT_ZERO_THRESHOLD }
        );
        assert_eq!(parsed(quote!(schema = -4)).unwrap().schema, -4);
        assert_eq!(parsed(quote!(factor = 1.1)).unwrap().schema, 3);
        assert_eq!(parsed(quote!(factor = 2)).unwrap().schema, 0);
        let spec = parsed(quote!(factor = 1.1, max_buckets = 100, zero_threshold = 1e-9)).unwrap();
        assert_eq!((spec.max_buckets, spec.zero_threshold), (100, 1e-9));
    }

    #[test]
    fn mistakes_are_reported_together() {
        let message = |inner| {
            parsed(inner).unwrap_err().into_iter().map(|e| e.to_string()).collect::<Vec<_>>()
        };
        assert!(message(quote!(schema = 9))[0].contains("out of range"));
        assert!(message(quote!(schema = -5))[0].contains("out of range"));
        assert!(message(quote!(factor = 1.0))[0].contains("above 1"));
        assert!(message(quote!(factor = 1e400))[0].contains("finite"));
        assert!(message(quote!(schema = 3, factor = 1.1))[0].contains("not both"));
        assert!(message(quote!(schema = 3, max_buckets = 0))[0].contains("at least 1"));
        assert!(message(quote!(schema = 3, zero_threshold = -1.0))[0].contains("0 or above"));
        assert!(
            message(quote!(schema = 3, max_bucket = 10))[0].contains("did you mean `max_buckets`")
        );
        assert!(message(quote!(schema = 3, schema = 4))[0].contains("given twice"));
        assert!(message(quote!())[0].contains("need a resolution"));
        assert_eq!(message(quote!(schema = 10, factor = 0.5, max_buckets = 0)).len(), 3);
    }

    #[test]
    fn factors_pick_schemas_like_client_golang() {
        for (factor, schema) in [(1.1, 3), (2.0, 0), (4.0, -1), (1.0001, 8), (1e300, -4), (1.5, 1)]
        {
            assert_eq!(schema_for_factor(factor), schema, "{factor}");
        }
    }
}
