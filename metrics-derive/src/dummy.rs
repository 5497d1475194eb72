//! The `const _: () = { .. };` every expansion is wrapped in (as serde_derive's
//! `dummy.rs`), and the stub impls emitted next to `compile_error!`s so that code
//! using the type still type-checks and one mistake gives one message.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::quote;

/// `const _: () = { #items };`: generated items stay out of the user's namespace.
pub(crate) fn wrap_in_const(items: TokenStream) -> TokenStream {
    quote! {
        const _: () = {
            #items
        };
    }
}

/// `impl #trait_path for #type { #body }` with `'static` bounds added to its type
/// parameters when `statics` (the trait requires `'static`).
pub(crate) fn impl_block(
    input: &syn::DeriveInput,
    trait_path: &TokenStream,
    statics: bool,
    body: &TokenStream,
) -> TokenStream {
    let mut generics = input.generics.clone();
    if statics {
        let params: Vec<syn::Ident> =
            input.generics.type_params().map(|param| param.ident.clone()).collect();
        let where_clause = generics.make_where_clause();
        for param in params {
            where_clause.predicates.push(syn::parse_quote!(#param: 'static));
        }
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let ident = &input.ident;
    quote! {
        #[automatically_derived]
        impl #impl_generics #trait_path for #ident #ty_generics #where_clause {
            #body
        }
    }
}

/// The errors, and a stub impl whose functions panic, since they never run: the
/// build fails on the errors.
pub(crate) fn stub(
    input: &syn::DeriveInput,
    trait_path: &TokenStream,
    statics: bool,
    body: &TokenStream,
    errors: &syn::Error,
) -> TokenStream {
    let errors = errors.to_compile_error();
    let stub = wrap_in_const(impl_block(input, trait_path, statics, body));
    quote! {
        #errors
        #stub
    }
}

/// `tokens` located at `span` (keeping the macro's hygiene, so that lints still see
/// generated code): rustc reports an error in an expression on the span of its
/// first and last tokens, and generated paths otherwise carry the derive's.
pub(crate) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    let span = located_at(span);
    tokens
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// The macro's own span (hygiene), reported at `span`'s place in the source.
pub(crate) fn located_at(span: Span) -> Span {
    Span::call_site().located_at(span)
}
