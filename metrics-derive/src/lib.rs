//! Procedural macros for `metrics-runtime`. Depend on `metrics-runtime`, which
//! re-exports them; generated code names it only through
//! `::metrics_runtime::__private` (or `#[metrics(crate = path)]`).
use proc_macro::TokenStream;

mod timed;

/// See `metrics_runtime::Metrics`.
#[proc_macro_derive(Metrics, attributes(metrics, metric))]
pub fn derive_metrics(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}

/// See `metrics_runtime::LabelSet`.
#[proc_macro_derive(LabelSet, attributes(label))]
pub fn derive_label_set(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}

/// See `metrics_runtime::LabelValue`.
#[proc_macro_derive(LabelValue, attributes(label))]
pub fn derive_label_value(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}

/// See `metrics_runtime::timed`.
#[proc_macro_attribute]
pub fn timed(args: TokenStream, item: TokenStream) -> TokenStream {
    timed::timed(args.into(), item.into()).into()
}
