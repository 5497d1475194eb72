//! `#[derive(LabelValue)]` on a fieldless enum: each variant is one label value,
//! its name in snake_case unless `#[label(rename = "..")]` or the enum's
//! `#[label(rename_all = "..")]` says otherwise. With `#[label(name = "..")]` on the
//! enum it is also a one-label `LabelSet`, so that `Family<Status, Counter>` needs
//! no one-field struct around it.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields};

use super::LabelAttrs;
use crate::ctxt::Ctxt;
use crate::dummy::{impl_block, stub, wrap_in_const};
use crate::meta::declaration;
use crate::names::{did_you_mean, label_name_error};
use crate::private::Runtime;
use crate::symbol::{CRATE, NAME, RENAME, RENAME_ALL};

/// How variant names become label values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RenameRule {
    Lower,
    Upper,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
    Pascal,
    Camel,
}

const RULES: &[(&str, RenameRule)] = &[
    ("lowercase", RenameRule::Lower),
    ("UPPERCASE", RenameRule::Upper),
    ("snake_case", RenameRule::Snake),
    ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnake),
    ("kebab-case", RenameRule::Kebab),
    ("SCREAMING-KEBAB-CASE", RenameRule::ScreamingKebab),
    ("PascalCase", RenameRule::Pascal),
    ("camelCase", RenameRule::Camel),
];

impl RenameRule {
    fn from_str(cx: &Ctxt, lit: &syn::LitStr) -> Option<Self> {
        let value = lit.value();
        if let Some(&(_, rule)) = RULES.iter().find(|(name, _)| *name == value) {
            return Some(rule);
        }
        let names: Vec<String> = RULES.iter().map(|(name, _)| format!("`{name}`")).collect();
        let mut msg =
            format!("unknown `rename_all` rule `{value}`; expected one of {}", names.join(", "));
        if let Some(close) = did_you_mean(&value, RULES.iter().map(|(name, _)| *name)) {
            msg.push_str(&format!("; did you mean `{close}`?"));
        }
        cx.error_spanned_by(lit, msg);
        None
    }

    fn apply(self, name: &str) -> String {
        let words = words(name);
        let lower = || words.iter().map(|w| w.to_lowercase());
        let upper = || words.iter().map(|w| w.to_uppercase());
        match self {
            Self::Lower => name.to_lowercase(),
            Self::Upper => name.to_uppercase(),
            Self::Snake => lower().collect::<Vec<_>>().join("_"),
            Self::ScreamingSnake => upper().collect::<Vec<_>>().join("_"),
            Self::Kebab => lower().collect::<Vec<_>>().join("-"),
            Self::ScreamingKebab => upper().collect::<Vec<_>>().join("-"),
            Self::Pascal => words.iter().map(|w| capitalize(w)).collect(),
            Self::Camel => {
                let mut words = words.iter();
                let first = words.next().map(|w| w.to_lowercase()).unwrap_or_default();
                first + &words.map(|w| capitalize(w)).collect::<String>()
            }
        }
    }
}

/// The words of an identifier: split at `_` and where case changes
/// (`HTTPError` -> `HTTP`, `Error`; `V2Beta` -> `V2`, `Beta`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split('_').filter(|part| !part.is_empty()) {
        let chars: Vec<char> = part.chars().collect();
        let mut word = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let boundary = i > 0
                && c.is_uppercase()
                && (!chars[i - 1].is_uppercase()
                    || chars.get(i + 1).is_some_and(|next| next.is_lowercase()));
            if boundary {
                words.push(std::mem::take(&mut word));
            }
            word.push(c);
        }
        words.push(word);
    }
    words
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

pub(crate) fn derive_label_value(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let attrs = LabelAttrs::from_ast(&cx, &input.attrs, &[RENAME_ALL, NAME, CRATE]);
    let rule = attrs.get(RENAME_ALL).and_then(|lit| RenameRule::from_str(&cx, lit));
    let label_name = attrs.get(NAME);
    if let Some(lit) = label_name
        && let Some(msg) = label_name_error(&lit.value(), None)
    {
        cx.error_spanned_by(lit, msg);
    }
    let variants = parse_variants(&cx, input, rule.unwrap_or(RenameRule::Snake));
    let private = Runtime::new(attrs.krate.as_ref()).private();
    let trait_path = quote!(#private::LabelValue);
    let set_path = quote!(#private::LabelSet);
    match cx.check() {
        Ok(()) => {
            let mut items = impl_block(input, &trait_path, false, &expand(&variants));
            if let Some(lit) = label_name {
                let body = expand_label_set(&trait_path, &lit.value());
                items.extend(impl_block(input, &set_path, false, &body));
            }
            items.extend(every_value(input, &variants));
            wrap_in_const(items)
        }
        Err(errors) => {
            let body = quote! {
                const CARDINALITY: usize = 0;
                fn index(self) -> usize {
                    ::core::panic!("`#[derive(LabelValue)]` failed; see the compile errors")
                }
                fn value(_: usize) -> &'static str {
                    ::core::panic!("`#[derive(LabelValue)]` failed; see the compile errors")
                }
            };
            let mut tokens = stub(input, &trait_path, false, &body, &errors);
            // A `LabelSet` stub too when one was asked for, so that the families
            // using the enum report nothing more.
            if label_name.is_some() {
                let body = quote! {
                    const NAMES: &'static [&'static str] = &[];
                    const CARDINALITY: usize = 0;
                    fn index(&self) -> usize {
                        ::core::panic!("`#[derive(LabelValue)]` failed; see the compile errors")
                    }
                    fn value(_: usize, _: usize) -> &'static str {
                        ::core::panic!("`#[derive(LabelValue)]` failed; see the compile errors")
                    }
                };
                tokens.extend(wrap_in_const(impl_block(input, &set_path, false, &body)));
            }
            tokens
        }
    }
}

/// A variant and its label value.
struct Variant<'a> {
    ident: &'a syn::Ident,
    value: String,
}

fn parse_variants<'a>(cx: &Ctxt, input: &'a DeriveInput, rule: RenameRule) -> Vec<Variant<'a>> {
    let Data::Enum(data) = &input.data else {
        cx.error_spanned_by(
            declaration(input),
            "`#[derive(LabelValue)]` only works on fieldless enums, one variant per value; \
             for a struct of labels, derive `LabelSet`",
        );
        return Vec::new();
    };
    if data.variants.is_empty() {
        let ident = &input.ident;
        cx.error_spanned_by(
            ident,
            "`#[derive(LabelValue)]` needs at least one variant: a label needs a value",
        );
    }
    let mut variants: Vec<Variant<'a>> = Vec::new();
    for variant in &data.variants {
        let attrs = LabelAttrs::from_ast(cx, &variant.attrs, &[RENAME]);
        if !matches!(variant.fields, Fields::Unit) {
            cx.error_spanned_by(
                &variant.fields,
                "`#[derive(LabelValue)]` needs unit variants: a label takes one of a fixed set of values",
            );
            continue;
        }
        let value = match attrs.get(RENAME) {
            Some(lit) => {
                let value = lit.value();
                if value.is_empty() {
                    cx.error_spanned_by(
                        lit,
                        "a label with an empty value is the same as no label in Prometheus; give a value",
                    );
                }
                value
            }
            None => rule.apply(&variant.ident.unraw().to_string()),
        };
        if let Some(first) = variants.iter().find(|v| v.value == value) {
            let span = attrs.get(RENAME).map_or_else(|| quote!(#variant), |lit| quote!(#lit));
            cx.error_spanned_by(
                span,
                format!(
                    "duplicate label value `{value}`: variant `{}` already has it; \
                     give one of them `#[label(rename = \"..\")]`",
                    first.ident
                ),
            );
        }
        variants.push(Variant { ident: &variant.ident, value });
    }
    variants
}

fn expand(variants: &[Variant<'_>]) -> TokenStream {
    let count = variants.len();
    let arms = variants.iter().enumerate().map(|(index, variant)| {
        let ident = variant.ident;
        quote!(Self::#ident => #index,)
    });
    let values = variants.iter().map(|variant| &variant.value);
    quote! {
        const CARDINALITY: usize = #count;

        #[inline]
        fn index(self) -> usize {
            match self {
                #(#arms)*
            }
        }

        fn value(index: usize) -> &'static str {
            const __METRICS_VALUES: [&str; #count] = [#(#values),*];
            if index < #count { __METRICS_VALUES[index] } else { "" }
        }
    }
}

/// `LabelSet` for the enum alone: one label, `name`, whose values are the enum's.
fn expand_label_set(value_trait: &TokenStream, name: &str) -> TokenStream {
    quote! {
        const NAMES: &'static [&'static str] = &[#name];
        const CARDINALITY: usize = <Self as #value_trait>::CARDINALITY;

        #[inline]
        fn index(&self) -> usize {
            <Self as #value_trait>::index(*self)
        }

        fn value(index: usize, label: usize) -> &'static str {
            if label == 0 { <Self as #value_trait>::value(index) } else { "" }
        }
    }
}

/// A function that names every variant, so that a value the program never
/// constructs is no `dead_code` warning: every value is a series, exposed at zero.
/// (An `#[allow(dead_code)]` item counts as used, and so does what it names.)
fn every_value(input: &DeriveInput, variants: &[Variant<'_>]) -> TokenStream {
    if !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    let ident = &input.ident;
    let count = variants.len();
    let variants = variants.iter().map(|variant| variant.ident);
    quote! {
        #[allow(dead_code)]
        fn __metrics_every_value() -> [#ident; #count] {
            [#(#ident::#variants),*]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words() {
        assert_eq!(words("NotFound"), ["Not", "Found"]);
        assert_eq!(words("HTTPError"), ["HTTP", "Error"]);
        assert_eq!(words("Http2"), ["Http2"]);
        assert_eq!(words("V2Beta"), ["V2", "Beta"]);
        assert_eq!(words("not_found"), ["not", "found"]);
        assert_eq!(words("GET"), ["GET"]);
    }

    #[test]
    fn renames() {
        let all = |name: &str| RULES.iter().map(|&(_, rule)| rule.apply(name)).collect::<Vec<_>>();
        assert_eq!(
            all("NotFound"),
            [
                "notfound",
                "NOTFOUND",
                "not_found",
                "NOT_FOUND",
                "not-found",
                "NOT-FOUND",
                "NotFound",
                "notFound"
            ]
        );
        assert_eq!(RenameRule::Snake.apply("HTTPError"), "http_error");
        assert_eq!(RenameRule::Snake.apply("Get"), "get");
        assert_eq!(RenameRule::Pascal.apply("not_found"), "NotFound");
        assert_eq!(RenameRule::Camel.apply("HTTPError"), "httpError");
    }
}
