//! Rebuilds a function with a timed body; the signature is kept as written.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Block, GenericArgument, PathArguments, ReturnType, Signature, Type, TypeParamBound};

use super::args::TimedArgs;
use crate::objective::Objective;

/// How the body's result is timed.
enum Shape {
    /// `async fn`: the body becomes an `async` block inside a timed future.
    Async,
    /// A sync fn returning `impl Future<Output = O>` or `Pin<Box<dyn Future<Output = O>>>`
    /// (what `#[async_trait]` writes): the returned future is timed to completion.
    ReturnsFuture { output: Box<Type>, boxed: bool },
    /// Any other fn: a guard around a closure that holds the body.
    Sync,
}

/// The new body for a function with signature `sig` and body `block`.
pub(crate) fn timed_body(
    args: &TimedArgs,
    objective: Option<Objective>,
    sig: &Signature,
    block: &Block,
) -> TokenStream {
    let p = match &args.krate {
        Some(path) => quote!(#path::__private),
        None => quote!(::metrics_runtime::__private),
    };
    let function = sig.ident.to_string();
    let family = match &args.name {
        Some(name) => quote!(::core::option::Option::Some(#name)),
        None => quote!(::core::option::Option::None),
    };
    let buckets = match &args.buckets {
        Some(bounds) => crate::buckets::to_tokens(bounds),
        None => quote!(#p::DEFAULT_BUCKETS),
    };
    let (label_names, label_values): (Vec<_>, Vec<_>) =
        args.labels.iter().flatten().map(|(n, v)| (n, v)).unzip();
    let in_flight = args.in_flight.unwrap_or(false);
    let error_kind = args.error_kind.unwrap_or(false);
    // With `error_kind`, the error path also counts the error by kind.
    let record_kind = |output: TokenStream| {
        error_kind.then(|| {
            quote! {{
                #[allow(unused_imports)]
                use #p::{ViaErrorKind as _, ViaTypeName as _};
                if let ::core::option::Option::Some(__metrics_kind) =
                    (&#p::KindProbe(#output)).__metrics_error_kind()
                {
                    __METRICS_TIMED.record_error_kind(__metrics_kind);
                }
            }}
        })
    };
    let clock =
        if args.fast_clock.unwrap_or(false) { quote!(#p::TscClock) } else { quote!(#p::StdClock) };
    // A type, not a flag read at run time: without `exemplars` the recording compiles
    // to what it was before exemplars existed.
    let exemplars = if args.exemplars.unwrap_or(false) {
        quote!(#p::TraceExemplars)
    } else {
        quote!(#p::NoExemplars)
    };
    let (objective, bound_check) = match objective {
        Some(objective) => {
            let check = objective.latency.map(|latency| {
                let latency = proc_macro2::Literal::f64_suffixed(latency);
                quote!(const _: () = #p::check_objective_bound(__METRICS_TIMED_BUCKETS, #latency);)
            });
            (objective.to_tokens(&p), check)
        }
        None => (quote!(::core::option::Option::None), None),
    };
    let span = sig.ident.span();
    let prelude = quote_spanned! {span=>
        const __METRICS_TIMED_BUCKETS: &[::core::primitive::f64] = #buckets;
        #bound_check
        static __METRICS_TIMED_DESCRIPTOR: #p::TimedDescriptor = #p::TimedDescriptor {
            function: #function,
            module: ::core::module_path!(),
            family: #family,
            labels: &[#((#label_names, #label_values)),*],
            buckets: __METRICS_TIMED_BUCKETS,
            in_flight: #in_flight,
            error_kind: #error_kind,
            objective: #objective,
            location: #p::SourceLocation {
                file: ::core::file!(),
                line: ::core::line!(),
                column: ::core::column!(),
                module: ::core::module_path!(),
            },
        };
        static __METRICS_TIMED: #p::TimedFunction<{ __METRICS_TIMED_BUCKETS.len() + 1 }> =
            #p::TimedFunction::new(&__METRICS_TIMED_DESCRIPTOR);
        #[#p::linkme::distributed_slice(#p::TIMED_FUNCTIONS)]
        #[linkme(crate = #p::linkme)]
        static __METRICS_TIMED_ENTRY: &'static dyn #p::TimedSeries = &__METRICS_TIMED;
    };
    let classify = |output: &Type| {
        if is_opaque(output) {
            quote!(|_: &_| #p::Outcome::Ok)
        } else {
            let record_kind = record_kind(quote!(__metrics_output));
            quote! {
                |__metrics_output: &#output| {
                    #record_kind
                    #[allow(unused_imports)]
                    use #p::{ViaDefault as _, ViaTimedOutcome as _};
                    (&#p::Probe(__metrics_output)).__metrics_outcome()
                }
            }
        }
    };
    match shape(sig) {
        Shape::Async => {
            let output = inferable(&return_type(sig));
            let classify = classify(&output);
            quote! {{
                #prelude
                #p::timed_future::<#output, #clock, #exemplars, _, _, { __METRICS_TIMED_BUCKETS.len() + 1 }>(
                    &__METRICS_TIMED,
                    #classify,
                    async move #block,
                ).await
            }}
        }
        Shape::ReturnsFuture { output, boxed } => {
            let output = inferable(&output);
            let classify = classify(&output);
            let timed = quote! {
                #p::timed_future::<#output, #clock, #exemplars, _, _, { __METRICS_TIMED_BUCKETS.len() + 1 }>(
                    &__METRICS_TIMED,
                    #classify,
                    __metrics_future,
                )
            };
            let wrapped = if boxed { quote!(::std::boxed::Box::pin(#timed)) } else { timed };
            quote! {{
                #prelude
                let __metrics_future = #block;
                #wrapped
            }}
        }
        Shape::Sync => {
            let output = inferable(&return_type(sig));
            let outcome = if is_opaque(&output) {
                quote!(#p::Outcome::Ok)
            } else {
                let record_kind = record_kind(quote!(&__metrics_output));
                quote! {{
                    #record_kind
                    #[allow(unused_imports)]
                    use #p::{ViaDefault as _, ViaTimedOutcome as _};
                    (&#p::Probe(&__metrics_output)).__metrics_outcome()
                }}
            };
            quote! {{
                #prelude
                let __metrics_call =
                    #p::TimedCall::<{ __METRICS_TIMED_BUCKETS.len() + 1 }, #clock, #exemplars>::start(&__METRICS_TIMED);
                #[allow(clippy::redundant_closure_call, unused_mut)]
                let __metrics_output = (move || -> #output #block)();
                __metrics_call.finish(#outcome);
                __metrics_output
            }}
        }
    }
}

/// The type a call finally produces: the declared return type, or the output of the
/// future an `async fn` or a future-returning fn gives.
pub(crate) fn eventual_output(sig: &Signature) -> Type {
    match shape(sig) {
        Shape::ReturnsFuture { output, .. } => *output,
        Shape::Async | Shape::Sync => return_type(sig),
    }
}

/// Whether the type is written as a `Result` (`Result<T, E>`, `io::Result<T>`...).
pub(crate) fn is_result(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Result"))
}

fn return_type(sig: &Signature) -> Type {
    match &sig.output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => (**ty).clone(),
    }
}

fn shape(sig: &Signature) -> Shape {
    if sig.asyncness.is_some() {
        return Shape::Async;
    }
    let ReturnType::Type(_, ty) = &sig.output else { return Shape::Sync };
    match &**ty {
        Type::ImplTrait(t) => match future_output(&t.bounds) {
            Some(output) => Shape::ReturnsFuture { output: Box::new(output), boxed: false },
            None => Shape::Sync,
        },
        Type::Path(path) => {
            // `Pin<Box<dyn Future<Output = O> + Send + 'a>>`, as `#[async_trait]` writes.
            let Some(pin) = path.path.segments.last().filter(|s| s.ident == "Pin") else {
                return Shape::Sync;
            };
            let Some(Type::Path(boxed)) = first_type_arg(&pin.arguments) else {
                return Shape::Sync;
            };
            let Some(boxed) = boxed.path.segments.last().filter(|s| s.ident == "Box") else {
                return Shape::Sync;
            };
            match first_type_arg(&boxed.arguments) {
                Some(Type::TraitObject(object)) => match future_output(&object.bounds) {
                    Some(output) => Shape::ReturnsFuture { output: Box::new(output), boxed: true },
                    None => Shape::Sync,
                },
                _ => Shape::Sync,
            }
        }
        _ => Shape::Sync,
    }
}

fn first_type_arg(arguments: &PathArguments) -> Option<&Type> {
    let PathArguments::AngleBracketed(args) = arguments else { return None };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// `O` of a `Future<Output = O>` bound.
fn future_output<'a>(bounds: impl IntoIterator<Item = &'a TypeParamBound>) -> Option<Type> {
    bounds.into_iter().find_map(|bound| {
        let TypeParamBound::Trait(t) = bound else { return None };
        let last = t.path.segments.last().filter(|s| s.ident == "Future")?;
        let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
        args.args.iter().find_map(|a| match a {
            GenericArgument::AssocType(assoc) if assoc.ident == "Output" => Some(assoc.ty.clone()),
            _ => None,
        })
    })
}

/// The type with every `impl Trait` replaced by `_`, which closures and turbofish
/// accept and the compiler infers.
fn inferable(ty: &Type) -> Type {
    struct Infer;
    impl VisitMut for Infer {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::ImplTrait(t) = ty {
                *ty = Type::Infer(syn::TypeInfer { underscore_token: syn::Token![_](t.span()) });
                return;
            }
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
    let mut ty = ty.clone();
    Infer.visit_type_mut(&mut ty);
    ty
}

/// Whether the type is wholly unknown here (was `impl Trait`): no outcome to read.
fn is_opaque(ty: &Type) -> bool {
    matches!(ty, Type::Infer(_))
}
