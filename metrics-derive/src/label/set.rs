//! `#[derive(LabelSet)]` on a struct of `LabelValue` fields: one label per field,
//! named after it unless `#[label(name = "..")]`. A combination's index is a mixed
//! radix number, the first field most significant.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

use super::LabelAttrs;
use crate::ctxt::Ctxt;
use crate::dummy::{impl_block, located_at, respan, stub, wrap_in_const};
use crate::meta::declaration;
use crate::names::label_name_error;
use crate::private::Runtime;
use crate::symbol::{CRATE, NAME};

/// A field and its label name.
struct Label<'a> {
    ident: &'a syn::Ident,
    ty: &'a syn::Type,
    name: String,
}

pub(crate) fn derive_label_set(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let attrs = LabelAttrs::from_ast(&cx, &input.attrs, &[CRATE]);
    let labels = parse_labels(&cx, input);
    let private = Runtime::new(attrs.krate.as_ref()).private();
    let trait_path = quote!(#private::LabelSet);
    match cx.check() {
        Ok(()) => {
            let body = expand(&private, &labels);
            wrap_in_const(impl_block(input, &trait_path, false, &body))
        }
        Err(errors) => {
            let body = quote! {
                const NAMES: &'static [&'static str] = &[];
                const CARDINALITY: usize = 0;
                fn index(&self) -> usize {
                    ::core::panic!("`#[derive(LabelSet)]` failed; see the compile errors")
                }
                fn value(_: usize, _: usize) -> &'static str {
                    ::core::panic!("`#[derive(LabelSet)]` failed; see the compile errors")
                }
            };
            stub(input, &trait_path, false, &body, &errors)
        }
    }
}

fn parse_labels<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Vec<Label<'a>> {
    let ident = &input.ident;
    let fields = match &input.data {
        Data::Struct(syn::DataStruct { fields: Fields::Named(fields), .. }) => &fields.named,
        Data::Struct(syn::DataStruct { fields: Fields::Unnamed(fields), .. }) => {
            cx.error_spanned_by(
                fields,
                "`#[derive(LabelSet)]` needs named fields: each field's name is a label's name",
            );
            return Vec::new();
        }
        Data::Struct(_) => {
            cx.error_spanned_by(
                ident,
                "`#[derive(LabelSet)]` needs at least one field, each a `LabelValue`",
            );
            return Vec::new();
        }
        _ => {
            cx.error_spanned_by(
                declaration(input),
                "`#[derive(LabelSet)]` only works on structs with named fields, each a `LabelValue`; \
                 for an enum of label values, derive `LabelValue`",
            );
            return Vec::new();
        }
    };
    if fields.is_empty() {
        cx.error_spanned_by(
            ident,
            "`#[derive(LabelSet)]` needs at least one field, each a `LabelValue`",
        );
    }
    let mut labels: Vec<Label<'a>> = Vec::new();
    for field in fields {
        let attrs = LabelAttrs::from_ast(cx, &field.attrs, &[NAME]);
        let Some(ident) = &field.ident else { continue };
        let (name, span) = match attrs.get(NAME) {
            Some(lit) => (lit.value(), quote!(#lit)),
            None => (ident.unraw().to_string(), quote!(#ident)),
        };
        if let Some(msg) = label_name_error(&name, None) {
            cx.error_spanned_by(span, msg);
        } else if let Some(first) = labels.iter().find(|label| label.name == name) {
            cx.error_spanned_by(
                span,
                format!("duplicate label name `{name}`: field `{}` already has it", first.ident),
            );
        }
        labels.push(Label { ident, ty: &field.ty, name });
    }
    labels
}

fn expand(private: &TokenStream, labels: &[Label<'_>]) -> TokenStream {
    let names = labels.iter().map(|label| &label.name);
    // Spanned on the field's type, so that a type that is no `LabelValue` is
    // reported there.
    let value_type = |label: &Label<'_>| {
        let ty = label.ty;
        let span = located_at(ty.span());
        let value_trait = respan(quote!(#private::LabelValue), span);
        quote_spanned!(span=> <#ty as #value_trait>)
    };
    let cardinalities: Vec<TokenStream> = labels
        .iter()
        .map(|label| {
            let ty = value_type(label);
            quote!(#ty::CARDINALITY)
        })
        .collect();

    let mut index = TokenStream::new();
    for (i, label) in labels.iter().enumerate() {
        let ty = value_type(label);
        let ident = label.ident;
        let digit = quote!(#ty::index(self.#ident));
        index = match i {
            0 => digit,
            1 => quote!(#index * #ty::CARDINALITY + #digit),
            _ => quote!((#index) * #ty::CARDINALITY + #digit),
        };
    }

    let arms = labels.iter().enumerate().map(|(i, label)| {
        let ty = value_type(label);
        let cardinality = &cardinalities[i];
        let later = &cardinalities[i + 1..];
        // The product of the cardinalities of the less significant fields.
        let digit = if later.is_empty() {
            quote!(index % #cardinality)
        } else {
            let stride = product(later);
            quote!((index / (#stride)) % #cardinality)
        };
        quote!(#i => #ty::value(#digit),)
    });
    let cardinality = product(&cardinalities);

    quote! {
        const NAMES: &'static [&'static str] = &[#(#names),*];
        const CARDINALITY: usize = #cardinality;

        #[inline]
        fn index(&self) -> usize {
            #index
        }

        // Mixed radix digits are quotients and remainders, by construction in range.
        #[allow(clippy::integer_division, clippy::integer_division_remainder_used)]
        fn value(index: usize, label: usize) -> &'static str {
            match label {
                #(#arms)*
                _ => "",
            }
        }
    }
}

/// `a * b * c`.
fn product(factors: &[TokenStream]) -> TokenStream {
    let mut factors = factors.iter();
    let first = factors.next();
    quote!(#first #(* #factors)*)
}
