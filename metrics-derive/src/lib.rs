//! Procedural macros for `metrics-runtime`. Depend on `metrics-runtime`, which
//! re-exports them.
use proc_macro::TokenStream;

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
