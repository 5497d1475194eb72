//! `#[derive(LabelValue)]` ([`value`]) and `#[derive(LabelSet)]` ([`set`]), and the
//! `#[label(..)]` attribute both read.

mod set;
mod value;

pub(crate) use set::derive_label_set;
pub(crate) use value::derive_label_value;

use syn::LitStr;

use crate::ctxt::Ctxt;
use crate::meta::{Attr, crate_path, lit_str, parse_attr, unknown_key, value_expr};
use crate::symbol::{CRATE, LABEL, Symbol};

/// The `#[label(..)]` attributes of one item: `crate = path`, and string values
/// for the other keys it accepts.
pub(crate) struct LabelAttrs {
    pub(crate) krate: Option<syn::Path>,
    values: Vec<(Symbol, LitStr)>,
}

impl LabelAttrs {
    /// Reads `#[label(..)]` in `attrs`, accepting the keys in `known` once each.
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute], known: &[Symbol]) -> Self {
        let mut values: Vec<Attr<'_, LitStr>> =
            known.iter().map(|&key| Attr::none(cx, key)).collect();
        let mut krate = Attr::none(cx, CRATE);
        for attr in attrs.iter().filter(|attr| attr.path() == LABEL) {
            parse_attr(cx, attr, |meta| {
                let index = known.iter().position(|&key| meta.path == key);
                match index {
                    Some(_) if meta.path == CRATE => {
                        let (expr, tokens) = value_expr(&meta)?;
                        if let Some(path) = crate_path(cx, &expr) {
                            krate.set(&meta.path, tokens, path);
                        }
                    }
                    Some(index) => {
                        let (expr, tokens) = value_expr(&meta)?;
                        if let Some(lit) = lit_str(cx, &expr, format_args!("`{}`", known[index])) {
                            values[index].set(&meta.path, tokens, lit);
                        }
                    }
                    None => unknown_key(cx, &meta, LABEL, known)?,
                }
                Ok(())
            });
        }
        let values = known
            .iter()
            .zip(values)
            .filter_map(|(&key, attr)| attr.get().map(|keyed| (key, keyed.value)))
            .collect();
        Self { krate: krate.get().map(|keyed| keyed.value), values }
    }

    /// The value given for `key`.
    pub(crate) fn get(&self, key: Symbol) -> Option<&LitStr> {
        self.values.iter().find(|(k, _)| *k == key).map(|(_, lit)| lit)
    }
}
