//! On error: the errors and an `impl Metrics` whose functions panic (they never
//! run, the build fails), so that code using the struct still type-checks and the
//! user sees only the real mistakes.

use proc_macro2::TokenStream;
use quote::quote;

use super::ast::Container;
use crate::dummy::stub;
use crate::private::Runtime;

pub(crate) fn expand(container: &Container<'_>, errors: &syn::Error) -> TokenStream {
    let private = Runtime::new(container.attrs.krate.as_ref()).private();
    let body = quote! {
        fn new_unregistered() -> Self {
            ::core::panic!("`#[derive(Metrics)]` failed; see the compile errors")
        }

        fn for_each_family(
            &self,
            _: &mut dyn ::core::ops::FnMut(
                &'static #private::FamilyDescriptor,
                &dyn #private::CollectFamily,
            ),
        ) {
            ::core::panic!("`#[derive(Metrics)]` failed; see the compile errors")
        }
    };
    stub(container.original, &quote!(#private::Metrics), true, &body, errors)
}
