//! `#[timed]`: wraps a function's body with a call counter and a duration histogram.
//!
//! On a function it rebuilds the body only; on an `impl` block or a trait it does
//! the same to every method with a body, laying a method's own `#[timed(..)]` over
//! the block's options (`#[timed(skip)]` leaves a method alone). On any error the
//! item is emitted unchanged beside the `compile_error!`, so the IDE keeps working.

mod args;
mod docs;
mod expand;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{Attribute, Block, ImplItem, Item, Signature, TraitItem};

use args::TimedArgs;

pub(crate) fn timed(args: TokenStream, item: TokenStream) -> TokenStream {
    let args: TimedArgs = match syn::parse2(args) {
        Ok(args) => args,
        Err(e) => return with_error(item, e),
    };
    let mut parsed: Item = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(e) => return with_error(item, e),
    };
    let result = match &mut parsed {
        Item::Fn(f) => time_fn(&args, &mut f.attrs, &f.sig, &mut f.block),
        Item::Impl(block) => {
            let mut errors = Errors::default();
            for member in &mut block.items {
                if let ImplItem::Fn(f) = member {
                    errors.add(time_member(&args, &mut f.attrs, &f.sig, &mut f.block));
                }
            }
            errors.into_result()
        }
        Item::Trait(definition) => {
            let mut errors = Errors::default();
            for member in &mut definition.items {
                if let TraitItem::Fn(f) = member
                    && let Some(block) = &mut f.default
                {
                    errors.add(time_member(&args, &mut f.attrs, &f.sig, block));
                }
            }
            errors.into_result()
        }
        other => Err(syn::Error::new_spanned(
            item_keyword(other),
            "`#[timed]` applies to a function, an `impl` block or a trait; for a block of code, use a histogram's `start_timer()` guard",
        )),
    };
    match result {
        Ok(()) => parsed.into_token_stream(),
        Err(e) => with_error(item, e),
    }
}

fn time_member(
    outer: &TimedArgs,
    attrs: &mut Vec<Attribute>,
    sig: &Signature,
    block: &mut Block,
) -> syn::Result<()> {
    let mut args = outer.clone();
    let is_timed = |a: &Attribute| a.path().segments.last().is_some_and(|s| s.ident == "timed");
    let mut found: Option<&Attribute> = None;
    for attr in attrs.iter() {
        if is_timed(attr) {
            if found.is_some() {
                return Err(syn::Error::new_spanned(
                    attr,
                    "`#[timed]` is given twice on this method",
                ));
            }
            let inner: TimedArgs = match &attr.meta {
                syn::Meta::Path(_) => TimedArgs::default(),
                _ => attr.parse_args()?,
            };
            args = outer.overlaid_with(&inner);
            found = Some(attr);
        }
    }
    attrs.retain(|a| !is_timed(a));
    if args.skip {
        return Ok(());
    }
    time_fn(&args, attrs, sig, block)
}

fn time_fn(
    args: &TimedArgs,
    attrs: &mut Vec<Attribute>,
    sig: &Signature,
    block: &mut Block,
) -> syn::Result<()> {
    if let Some(constness) = &sig.constness {
        return Err(syn::Error::new_spanned(
            constness,
            "`#[timed]` cannot time a `const fn`: reading the clock is not allowed in const evaluation; remove `const` or `#[timed]`",
        ));
    }
    if args.skip {
        return Ok(());
    }
    let objective = args.objective()?;
    if args.error_kind.unwrap_or(false) {
        let output = expand::eventual_output(sig);
        if !expand::is_result(&output) {
            return Err(syn::Error::new_spanned(
                &sig.output,
                "`error_kind` reads the error of a returned `Result`, and this function does not return one; remove `error_kind`",
            ));
        }
    }
    let body = expand::timed_body(args, objective, sig, block);
    *block = syn::parse2(body)?;
    block.stmts.insert(0, docs::env_tracking());
    attrs.extend(docs::doc_attrs(args, objective, sig));
    Ok(())
}

fn item_keyword(item: &Item) -> TokenStream {
    match item {
        Item::Struct(s) => s.struct_token.into_token_stream(),
        Item::Enum(e) => e.enum_token.into_token_stream(),
        Item::Const(c) => c.const_token.into_token_stream(),
        Item::Static(s) => s.static_token.into_token_stream(),
        Item::Mod(m) => m.mod_token.into_token_stream(),
        Item::Type(t) => t.type_token.into_token_stream(),
        Item::Use(u) => u.use_token.into_token_stream(),
        other => other.into_token_stream(),
    }
}

fn with_error(item: TokenStream, error: syn::Error) -> TokenStream {
    let error = error.to_compile_error();
    quote!(#error #item)
}

#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn add(&mut self, result: syn::Result<()>) {
        if let Err(e) = result {
            match &mut self.0 {
                Some(all) => all.combine(e),
                None => self.0 = Some(e),
            }
        }
    }

    fn into_result(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}
