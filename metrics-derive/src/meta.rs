//! What every attribute parser of this crate shares: values set at most once,
//! typed values read from expressions, unknown keys reported with a suggestion and
//! skipped so that the rest of the attribute is still read.

use std::fmt::Display;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::meta::ParseNestedMeta;
use syn::{Expr, Lit, LitInt, LitStr, Token};

use crate::ctxt::Ctxt;
use crate::names::did_you_mean;
use crate::symbol::Symbol;

/// A value and the tokens it was written with (`key = value`), to span errors on.
pub(crate) struct Keyed<T> {
    pub(crate) tokens: TokenStream,
    pub(crate) value: T,
}

impl<T> ToTokens for Keyed<T> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.tokens.to_tokens(tokens);
    }
}

/// One attribute key, which may be given at most once.
pub(crate) struct Attr<'c, T> {
    cx: &'c Ctxt,
    name: Symbol,
    value: Option<Keyed<T>>,
}

impl<'c, T> Attr<'c, T> {
    pub(crate) fn none(cx: &'c Ctxt, name: Symbol) -> Self {
        Self { cx, name, value: None }
    }

    /// Sets the value; a second value is reported on `key`, and the first is kept.
    pub(crate) fn set(&mut self, key: &syn::Path, tokens: TokenStream, value: T) {
        if self.value.is_some() {
            self.cx.error_spanned_by(key, format!("duplicate `{}` attribute", self.name));
        } else {
            self.value = Some(Keyed { tokens, value });
        }
    }

    pub(crate) fn get(self) -> Option<Keyed<T>> {
        self.value
    }
}

/// Reads `= <expr>` after a key; the tokens returned span `key = expr`.
pub(crate) fn value_expr(meta: &ParseNestedMeta<'_>) -> syn::Result<(Expr, TokenStream)> {
    let eq: Token![=] = meta.input.parse()?;
    let expr: Expr = meta.input.parse()?;
    let path = &meta.path;
    Ok((expr.clone(), quote!(#path #eq #expr)))
}

/// The string literal `expr` is, or an error spanned on it.
pub(crate) fn lit_str(cx: &Ctxt, expr: &Expr, what: impl Display) -> Option<LitStr> {
    match unwrap_group(expr) {
        Expr::Lit(syn::ExprLit { lit: Lit::Str(lit), .. }) => Some(lit.clone()),
        other => {
            cx.error_spanned_by(other, format!("expected {what} as a string literal"));
            None
        }
    }
}

/// The integer literal `expr` is, or an error spanned on it.
pub(crate) fn lit_int(cx: &Ctxt, expr: &Expr, what: impl Display) -> Option<LitInt> {
    match unwrap_group(expr) {
        Expr::Lit(syn::ExprLit { lit: Lit::Int(lit), .. }) => Some(lit.clone()),
        other => {
            cx.error_spanned_by(other, format!("expected {what} as an integer literal"));
            None
        }
    }
}

/// A `crate = path` value: a path, or a path in a string as serde writes it.
pub(crate) fn crate_path(cx: &Ctxt, expr: &Expr) -> Option<syn::Path> {
    match unwrap_group(expr) {
        Expr::Path(path) if path.qself.is_none() => Some(path.path.clone()),
        Expr::Lit(syn::ExprLit { lit: Lit::Str(lit), .. }) => {
            lit.parse().map_err(|err| cx.syn_error(err)).ok()
        }
        other => {
            cx.error_spanned_by(
                other,
                "expected the path of the runtime crate, e.g. `crate = ::metrics_runtime`",
            );
            None
        }
    }
}

/// `expr` without the invisible group a `macro_rules!` fragment leaves around it.
pub(crate) fn unwrap_group(mut expr: &Expr) -> &Expr {
    while let Expr::Group(group) = expr {
        expr = &group.expr;
    }
    expr
}

/// Reports `meta.path` as unknown in `#[attr(..)]`, with the closest of `known` as
/// a suggestion, and skips its value (`= expr` or `(..)`) so parsing goes on.
pub(crate) fn unknown_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    attr: Symbol,
    known: &[Symbol],
) -> syn::Result<()> {
    let key = meta.path.to_token_stream().to_string().replace(' ', "");
    let mut msg = format!("unknown `{attr}` attribute `{key}`");
    match did_you_mean(&key, known.iter().map(|symbol| symbol.as_str())) {
        Some(close) => msg.push_str(&format!("; did you mean `{close}`?")),
        None if known.len() == 1 => msg.push_str(&format!("; expected `{}`", known[0])),
        None => {
            let list: Vec<String> = known.iter().map(|symbol| format!("`{symbol}`")).collect();
            msg.push_str(&format!("; expected one of {}", list.join(", ")));
        }
    }
    cx.error_spanned_by(&meta.path, msg);
    skip_value(meta)
}

/// Consumes what follows a key: `= expr`, `(..)`, or nothing.
pub(crate) fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        value_expr(meta)?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<TokenStream>()?;
    }
    Ok(())
}

/// Parses `#[attr(..)]` with `each` per key; a syntax error ends this attribute
/// only, and is reported with the others.
pub(crate) fn parse_attr(
    cx: &Ctxt,
    attr: &syn::Attribute,
    each: impl FnMut(ParseNestedMeta<'_>) -> syn::Result<()>,
) {
    if let Err(err) = attr.parse_nested_meta(each) {
        cx.syn_error(err);
    }
}

/// The help text of doc comments: lines trimmed, blank lines dropped, joined with
/// spaces. `None` when there is no doc comment (or only `#[doc = macro!(..)]`).
pub(crate) fn doc_text(attrs: &[syn::Attribute]) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    for attr in attrs.iter().filter(|attr| attr.path() == crate::symbol::DOC) {
        let syn::Meta::NameValue(meta) = &attr.meta else { continue };
        let Expr::Lit(syn::ExprLit { lit: Lit::Str(lit), .. }) = unwrap_group(&meta.value) else {
            continue;
        };
        let value = lit.value();
        // A `/** .. */` comment is one attribute of several lines, often decorated
        // with a leading `*` each; a `///` comment is one attribute per line.
        let block = value.contains('\n');
        let trimmed = value.lines().map(|line| match line.trim() {
            line if block => line.strip_prefix('*').map_or(line, str::trim_start),
            line => line,
        });
        lines.extend(trimmed.filter(|line| !line.is_empty()).map(str::to_owned));
    }
    (!lines.is_empty()).then(|| lines.join(" "))
}

/// `struct Name`, `enum Name` or `union Name`: where to report that a derive does
/// not apply to this kind of item.
pub(crate) fn declaration(input: &syn::DeriveInput) -> TokenStream {
    let ident = &input.ident;
    match &input.data {
        syn::Data::Struct(data) => {
            let token = data.struct_token;
            quote!(#token #ident)
        }
        syn::Data::Enum(data) => {
            let token = data.enum_token;
            quote!(#token #ident)
        }
        syn::Data::Union(data) => {
            let token = data.union_token;
            quote!(#token #ident)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::doc_text;

    fn doc(item: &str) -> Option<String> {
        doc_text(&syn::parse_str::<syn::DeriveInput>(item).unwrap().attrs)
    }

    #[test]
    fn help_from_docs() {
        assert_eq!(doc("/// Orders placed.\nstruct S;").as_deref(), Some("Orders placed."));
        let lines = "/// Time spent\n///   busy.\n///\n/// * really\nstruct S;";
        assert_eq!(doc(lines).as_deref(), Some("Time spent busy. * really"));
        let block = "/** Block doc,\n * two lines. */\nstruct S;";
        assert_eq!(doc(block).as_deref(), Some("Block doc, two lines."));
        assert_eq!(doc("#[doc = include_str!(\"x\")]\nstruct S;"), None);
        assert_eq!(doc("struct S;"), None);
    }
}
