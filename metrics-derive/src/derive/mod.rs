//! `#[derive(Metrics)]`: parse ([`ast`], [`attr`]), validate ([`valid`]), then
//! expand ([`expand`]) or, on any error, emit the errors with a stub impl
//! ([`fallback`]).

mod ast;
mod attr;
mod expand;
mod fallback;
mod valid;

use proc_macro2::TokenStream;

use crate::ctxt::Ctxt;

pub(crate) fn derive_metrics(input: &syn::DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let container = ast::Container::from_ast(&cx, input);
    valid::check(&cx, &container);
    match cx.check() {
        Ok(()) => expand::expand(&container),
        Err(errors) => fallback::expand(&container, &errors),
    }
}
