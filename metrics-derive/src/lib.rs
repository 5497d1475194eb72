//! Procedural macros for `metrics-runtime`. Depend on `metrics-runtime`, which
//! re-exports them and documents them; generated code names it only through
//! `::metrics_runtime::__private` (or the path given with `crate = path`).
use proc_macro::TokenStream;
use syn::parse_macro_input;

mod buckets;
mod ctxt;
mod derive;
mod dummy;
mod label;
mod meta;
mod names;
mod native;
mod objective;
mod private;
mod symbol;
mod timed;

/// Implements the trait `metrics_runtime::Metrics`.
#[proc_macro_derive(Metrics, attributes(metrics, metric))]
pub fn derive_metrics(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as syn::DeriveInput);
    derive::derive_metrics(&input).into()
}

/// Implements the trait `metrics_runtime::LabelSet`.
#[proc_macro_derive(LabelSet, attributes(label))]
pub fn derive_label_set(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as syn::DeriveInput);
    label::derive_label_set(&input).into()
}

/// Implements the trait `metrics_runtime::LabelValue`.
#[proc_macro_derive(LabelValue, attributes(label))]
pub fn derive_label_value(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as syn::DeriveInput);
    label::derive_label_value(&input).into()
}

/// See `metrics_runtime::timed`.
#[proc_macro_attribute]
pub fn timed(args: TokenStream, item: TokenStream) -> TokenStream {
    timed::timed(args.into(), item.into()).into()
}
