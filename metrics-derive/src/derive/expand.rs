//! Generated code of a valid `#[derive(Metrics)]` struct: one descriptor per field
//! (a `static` in the link-time catalogue), compile-time checks of typed labels,
//! and `impl Metrics`. Input is valid here; nothing is reported.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::ast::{Container, Field, Labels};
use crate::buckets;
use crate::dummy::{impl_block, located_at, respan, wrap_in_const};
use crate::names::Kind;
use crate::private::Runtime;

/// What every descriptor of the struct shares.
struct Shared {
    runtime: Runtime,
    private: TokenStream,
    struct_name: String,
    /// `&[("service", "checkout")]`.
    const_labels: TokenStream,
    /// `&["service"]`, for the typed-label check.
    const_label_names: TokenStream,
}

pub(crate) fn expand(container: &Container<'_>) -> TokenStream {
    let runtime = Runtime::new(container.attrs.krate.as_ref());
    let private = runtime.private();
    let pairs = container.attrs.const_labels.iter().map(|label| {
        let (name, value) = (&label.name, label.value.value());
        quote!((#name, #value))
    });
    let names = container.attrs.const_labels.iter().map(|label| &label.name);
    let shared = Shared {
        struct_name: container.original.ident.unraw().to_string(),
        const_labels: quote!(&[#(#pairs),*]),
        const_label_names: quote!(&[#(#names),*]),
        private: private.clone(),
        runtime,
    };

    let mut items = TokenStream::new();
    let mut inits = TokenStream::new();
    let mut visits = TokenStream::new();
    for field in &container.fields {
        let descriptor = if field.generic {
            // A `static` cannot name the struct's parameters: the catalogue lists the
            // family without its type's label names, and the impl builds the full
            // descriptor in an inline `const`, per instantiation.
            items.extend(catalogue_entry(&shared, field, quote!(&[])));
            let check = typed_label_check(&shared, field).map(|check| quote!(#check;));
            let full = descriptor(&shared, field, type_label_names(&shared, field));
            quote!(const { #check &#full })
        } else {
            let label_names = type_label_names(&shared, field);
            items.extend(catalogue_entry(&shared, field, label_names));
            if let Some(check) = typed_label_check(&shared, field) {
                items.extend(quote!(const _: () = #check;));
            }
            let entry = static_ident(field);
            quote!(&#entry)
        };
        items.extend(objective_bound_check(&shared, field));
        let ident = field.ident;
        let ty = field.ty;
        // Spanned on the type, so that a type that is no family is reported there,
        // once: both calls fail on the same bound.
        let span = located_at(ty.span());
        let field_trait = respan(quote!(#private::FamilyField), span);
        let create = quote_spanned!(span=> <#ty as #field_trait>::for_family);
        let collect = quote_spanned!(span=> <#ty as #field_trait>::as_collect);
        inits.extend(quote!(#ident: #create(#descriptor),));
        visits.extend(quote!(__metrics_visit(#descriptor, #collect(&self.#ident));));
    }
    if container.fields.is_empty() {
        visits.extend(quote!(let _ = __metrics_visit;));
    }

    let body = quote! {
        fn new_unregistered() -> Self {
            Self { #inits }
        }

        fn for_each_family(
            &self,
            __metrics_visit: &mut dyn ::core::ops::FnMut(
                &'static #private::FamilyDescriptor,
                &dyn #private::CollectFamily,
            ),
        ) {
            #visits
        }
    };
    let impl_metrics = impl_block(container.original, &quote!(#private::Metrics), true, &body);
    items.extend(impl_metrics);
    wrap_in_const(items)
}

/// The field's objective, matched to its bounds (`valid.rs` made sure it is).
fn objective(field: &Field<'_>) -> Option<crate::objective::Objective> {
    let spec = &field.attrs.objective.as_ref()?.value;
    let unit_seconds = crate::objective::unit_seconds(&field.unit)?;
    spec.resolve(super::valid::field_buckets(field), unit_seconds).ok()
}

/// `const _: () = check_objective_bound(BUCKETS, latency);`: the runtime's bounds
/// hold the latency too (they are the macro's copy when `buckets` is left out).
fn objective_bound_check(shared: &Shared, field: &Field<'_>) -> Option<TokenStream> {
    let latency = objective(field)?.latency?;
    let private = &shared.private;
    let buckets = match (&field.attrs.buckets, &field.attrs.native) {
        (Some(bounds), _) => buckets::to_tokens(&bounds.value),
        (None, Some(_)) => quote!(&[]),
        (None, None) => quote!(#private::DEFAULT_BUCKETS),
    };
    let latency = Literal::f64_suffixed(latency);
    Some(quote!(const _: () = #private::check_objective_bound(#buckets, #latency);))
}

fn static_ident(field: &Field<'_>) -> syn::Ident {
    format_ident!("__METRICS_FAMILY_{}", field.ident)
}

/// The field's descriptor as a `static` in the catalogue.
fn catalogue_entry(shared: &Shared, field: &Field<'_>, label_names: TokenStream) -> TokenStream {
    let attrs = shared.runtime.catalogue_entry();
    let private = &shared.private;
    let ident = static_ident(field);
    let descriptor = descriptor(shared, field, label_names);
    quote! {
        #attrs
        #[allow(non_upper_case_globals)]
        static #ident: #private::FamilyDescriptor = #descriptor;
    }
}

/// The label names of the field's type: `<L as LabelSet>::NAMES`, the `labels`
/// attribute, or none.
fn type_label_names(shared: &Shared, field: &Field<'_>) -> TokenStream {
    let private = &shared.private;
    match field.labels {
        Labels::None => quote!(&[]),
        Labels::Typed(labels) => quote!(<#labels as #private::LabelSet>::NAMES),
        Labels::Dynamic => {
            let names = field.attrs.labels.iter().flat_map(|labels| &labels.value);
            quote!(&[#(#names),*])
        }
    }
}

/// For a typed family, the call that fails to compile when the label set's names
/// are reserved for the kind or clash with the struct's constant labels.
fn typed_label_check(shared: &Shared, field: &Field<'_>) -> Option<TokenStream> {
    let Labels::Typed(labels) = field.labels else {
        return None;
    };
    let private = &shared.private;
    let kind = shared.runtime.metric_kind(field.kind);
    let const_names = &shared.const_label_names;
    // Located at the label set type: a failure is reported there.
    let span = located_at(labels.span());
    let check = respan(quote!(#private::check_typed_family), span);
    let label_set = respan(quote!(#private::LabelSet), span);
    Some(quote_spanned! {span=>
        #check(#kind, <#labels as #label_set>::NAMES, #const_names)
    })
}

/// A `FamilyDescriptor { .. }` expression.
fn descriptor(shared: &Shared, field: &Field<'_>, label_names: TokenStream) -> TokenStream {
    let private = &shared.private;
    let name = &field.full_name;
    // Valid input has help text.
    let help = field.help.as_deref().unwrap_or_default();
    let kind = shared.runtime.metric_kind(field.kind);
    let unit = &field.unit;
    let label_kind = match field.labels {
        Labels::None => quote!(None),
        Labels::Typed(_) => quote!(Typed),
        Labels::Dynamic => quote!(Dynamic),
    };
    let const_labels = &shared.const_labels;
    let buckets = match (field.kind, &field.attrs.buckets, &field.attrs.native) {
        (Kind::Histogram, Some(bounds), _) => buckets::to_tokens(&bounds.value),
        // Native only: classic buckets are just `+Inf`, as in client_golang.
        (Kind::Histogram, None, Some(_)) => quote!(&[]),
        (Kind::Histogram, None, None) => quote!(#private::DEFAULT_BUCKETS),
        _ => quote!(&[]),
    };
    let native = match (field.kind, &field.attrs.native) {
        (Kind::Histogram, Some(native)) => native.value.to_tokens(private),
        _ => quote!(::core::option::Option::None),
    };
    let max_series = match (&field.labels, &field.attrs.max_series) {
        (Labels::Dynamic, Some(max)) => Literal::usize_unsuffixed(max.value),
        _ => Literal::usize_unsuffixed(0),
    };
    let objective = match objective(field) {
        Some(objective) => objective.to_tokens(private),
        None => quote!(::core::option::Option::None),
    };
    let struct_name = &shared.struct_name;
    let field_name = field.ident.unraw().to_string();
    // `line!()` and `column!()` give the field's position only when they carry the
    // field's own span (not merely located at it: then they give the derive's),
    // and, like `file!()`, the invocation's when the struct comes from a
    // `macro_rules!`.
    let span = field.ident.span();
    let file = quote_spanned!(span=> ::core::file!());
    let line = quote_spanned!(span=> ::core::line!());
    let column = quote_spanned!(span=> ::core::column!());
    quote! {
        #private::FamilyDescriptor {
            name: #name,
            help: #help,
            kind: #kind,
            unit: #unit,
            label_kind: #private::LabelKind::#label_kind,
            label_names: #label_names,
            const_labels: #const_labels,
            buckets: #buckets,
            native: #native,
            max_series: #max_series,
            struct_name: #struct_name,
            field_name: #field_name,
            location: #private::SourceLocation {
                file: #file,
                line: #line,
                column: #column,
                module: ::core::module_path!(),
            },
            objective: #objective,
        }
    }
}
