//! Attribute keywords, one spelling each (as serde_derive's `internals/symbol.rs`).

use std::fmt;

use syn::{Ident, Path};

/// One keyword of an attribute: `#[metric(name = ..)]` has `METRIC` and `NAME`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Symbol(&'static str);

impl Symbol {
    pub(crate) const fn as_str(self) -> &'static str {
        self.0
    }
}

/// `#[metrics(..)]` on a `#[derive(Metrics)]` struct.
pub(crate) const METRICS: Symbol = Symbol("metrics");
/// `#[metric(..)]` on a field of a `#[derive(Metrics)]` struct.
pub(crate) const METRIC: Symbol = Symbol("metric");
/// `#[label(..)]` on label types and their fields or variants.
pub(crate) const LABEL: Symbol = Symbol("label");
/// Doc comments, read as help text.
pub(crate) const DOC: Symbol = Symbol("doc");

pub(crate) const NAMESPACE: Symbol = Symbol("namespace");
pub(crate) const SUBSYSTEM: Symbol = Symbol("subsystem");
pub(crate) const LABELS: Symbol = Symbol("labels");
pub(crate) const CRATE: Symbol = Symbol("crate");

pub(crate) const NAME: Symbol = Symbol("name");
pub(crate) const HELP: Symbol = Symbol("help");
pub(crate) const UNIT: Symbol = Symbol("unit");
pub(crate) const BUCKETS: Symbol = Symbol("buckets");
pub(crate) const MAX_SERIES: Symbol = Symbol("max_series");
pub(crate) const ALLOW_TOTAL_SUFFIX: Symbol = Symbol("allow_total_suffix");
pub(crate) const OBJECTIVE: Symbol = Symbol("objective");
pub(crate) const NATIVE: Symbol = Symbol("native");

pub(crate) const RENAME: Symbol = Symbol("rename");
pub(crate) const RENAME_ALL: Symbol = Symbol("rename_all");

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for &Ident {
    fn eq(&self, word: &Symbol) -> bool {
        *self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.0)
    }
}
