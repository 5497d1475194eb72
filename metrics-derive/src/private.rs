//! Paths into the runtime's `__private` module, the only part of the runtime that
//! generated code names. `#[metrics(crate = path)]` (or `#[label(crate = path)]`)
//! replaces the `::metrics_runtime` prefix for users who rename the dependency.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use crate::names::Kind;

/// The runtime crate as generated code names it.
pub(crate) struct Runtime {
    krate: TokenStream,
}

impl Runtime {
    /// `::metrics_runtime`, or the path given with `crate = ..`.
    pub(crate) fn new(krate: Option<&syn::Path>) -> Self {
        let krate = match krate {
            Some(path) => path.to_token_stream(),
            None => quote!(::metrics_runtime),
        };
        Self { krate }
    }

    /// `::metrics_runtime::__private`.
    pub(crate) fn private(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::__private)
    }

    /// The attributes that put a `static` into the link-time catalogue, without
    /// the user depending on linkme.
    pub(crate) fn catalogue_entry(&self) -> TokenStream {
        let private = self.private();
        quote! {
            #[#private::linkme::distributed_slice(#private::CATALOGUE)]
            #[linkme(crate = #private::linkme)]
        }
    }

    /// `__private::MetricKind::Counter` and so on.
    pub(crate) fn metric_kind(&self, kind: Kind) -> TokenStream {
        let private = self.private();
        let variant = match kind {
            Kind::Counter => quote!(Counter),
            Kind::Gauge => quote!(Gauge),
            Kind::Histogram => quote!(Histogram),
        };
        quote!(#private::MetricKind::#variant)
    }
}
