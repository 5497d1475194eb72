//! The input of `#[derive(Metrics)]` as the macro sees it: the container and one
//! `Field` per metric family, with their parsed attributes, the names they resolve
//! to, and the `original` syn nodes to span errors on.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, GenericArgument, PathArguments, Type};

use super::attr::{ContainerAttrs, FieldAttrs};
use crate::ctxt::Ctxt;
use crate::meta::declaration;
use crate::names::{Kind, did_you_mean, prefixed, with_unit};

const SINGLE_TYPES: &[&str] = &[
    "Counter",
    "FloatCounter",
    "Gauge",
    "FloatGauge",
    "Histogram",
    "CounterWithExemplar",
    "HistogramWithExemplars",
];
const ALL_TYPES: &str = "`Counter`, `FloatCounter`, `Gauge`, `FloatGauge`, `Histogram`, \
                         `Family<Labels, M>` or `DynFamily<M>`";

/// A `#[derive(Metrics)]` struct.
pub(crate) struct Container<'a> {
    pub(crate) original: &'a DeriveInput,
    pub(crate) attrs: ContainerAttrs,
    /// The fields whose type was understood (the others are already reported).
    pub(crate) fields: Vec<Field<'a>>,
}

/// How a family's series are labelled.
pub(crate) enum Labels<'a> {
    /// One series: `Counter`, `Gauge`...
    None,
    /// `Family<L, M>`, with `L`.
    Typed(&'a Type),
    /// `DynFamily<M>`.
    Dynamic,
}

/// One field: one metric family.
pub(crate) struct Field<'a> {
    pub(crate) ident: &'a syn::Ident,
    pub(crate) ty: &'a Type,
    pub(crate) kind: Kind,
    pub(crate) labels: Labels<'a>,
    pub(crate) attrs: FieldAttrs,
    /// The name as declared (`name = ".."` or the field's), before namespace and unit.
    pub(crate) name: String,
    /// Where the name was written, to span errors on.
    pub(crate) name_tokens: TokenStream,
    /// `namespace_subsystem_name_unit`.
    pub(crate) full_name: String,
    /// The unit, `""` for none.
    pub(crate) unit: String,
    /// `help = ".."` or the doc comment.
    pub(crate) help: Option<String>,
    /// Whether the type mentions a type or const parameter of the struct, so that
    /// its descriptor cannot be a `static`.
    pub(crate) generic: bool,
}

impl<'a> Container<'a> {
    /// Parses what it can; what it cannot is reported to `cx`.
    pub(crate) fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Self {
        let attrs = ContainerAttrs::from_ast(cx, &input.attrs);
        let named = match &input.data {
            Data::Struct(syn::DataStruct { fields: Fields::Named(fields), .. }) => {
                Some(&fields.named)
            }
            Data::Struct(syn::DataStruct { fields: Fields::Unnamed(fields), .. }) => {
                cx.error_spanned_by(
                    fields,
                    "`#[derive(Metrics)]` needs named fields, one per metric family; \
                     the field's name is the family's name",
                );
                None
            }
            _ => {
                cx.error_spanned_by(
                    declaration(input),
                    "`#[derive(Metrics)]` only works on structs with named fields, one per metric family",
                );
                None
            }
        };
        let params: Vec<String> = input
            .generics
            .type_params()
            .map(|param| param.ident.to_string())
            .chain(input.generics.const_params().map(|param| param.ident.to_string()))
            .collect();
        let fields = named
            .into_iter()
            .flatten()
            .filter_map(|field| Field::from_ast(cx, &attrs, &params, field))
            .collect();
        Self { original: input, attrs, fields }
    }
}

impl<'a> Field<'a> {
    fn from_ast(
        cx: &Ctxt,
        container: &ContainerAttrs,
        params: &[String],
        field: &'a syn::Field,
    ) -> Option<Self> {
        // Named fields always have an ident.
        let ident = field.ident.as_ref()?;
        let attrs = FieldAttrs::from_ast(cx, &field.attrs);
        let (kind, labels) = shape(cx, &field.ty)?;
        let (name, name_tokens) = match &attrs.name {
            Some(name) => (name.value.value(), name.value.to_token_stream()),
            None => (ident.unraw().to_string(), ident.to_token_stream()),
        };
        let unit = attrs.unit.as_ref().map(|unit| unit.value.value()).unwrap_or_default();
        let namespace = container.namespace.as_ref().map(|lit| lit.value.value());
        let subsystem = container.subsystem.as_ref().map(|lit| lit.value.value());
        let full_name =
            with_unit(&prefixed(namespace.as_deref(), subsystem.as_deref(), &name), &unit);
        let help = match &attrs.help {
            Some(help) => Some(help.value.value()),
            None => attrs.doc.clone(),
        };
        Some(Self {
            ident,
            ty: &field.ty,
            kind,
            labels,
            attrs,
            name,
            name_tokens,
            full_name,
            unit,
            help,
            generic: mentions(field.ty.to_token_stream(), params),
        })
    }
}

/// `ty` without invisible groups (from `macro_rules!` fragments) and parentheses.
fn strip(mut ty: &Type) -> &Type {
    loop {
        match ty {
            Type::Group(group) => ty = &group.elem,
            Type::Paren(paren) => ty = &paren.elem,
            _ => return ty,
        }
    }
}

/// The last path segment of `ty`, if it is a path.
fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match strip(ty) {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        _ => None,
    }
}

/// The kind of a series type (`Counter`...), recognised by its last path segment.
fn single_kind(ty: &Type) -> Option<Kind> {
    let segment = last_segment(ty)?;
    if !segment.arguments.is_none() {
        return None;
    }
    match segment.ident.to_string().as_str() {
        "Counter" | "FloatCounter" | "CounterWithExemplar" => Some(Kind::Counter),
        "Gauge" | "FloatGauge" => Some(Kind::Gauge),
        "Histogram" | "HistogramWithExemplars" => Some(Kind::Histogram),
        _ => None,
    }
}

/// The type arguments of `Family<..>` or `DynFamily<..>`.
fn type_args(segment: &syn::PathSegment) -> Option<Vec<&Type>> {
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    args.args
        .iter()
        .map(|arg| match arg {
            GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
        .collect()
}

/// The kind and labelling of a field type, or an error spanned on it.
fn shape<'a>(cx: &Ctxt, ty: &'a Type) -> Option<(Kind, Labels<'a>)> {
    if let Some(kind) = single_kind(ty) {
        return Some((kind, Labels::None));
    }
    let segment = last_segment(ty);
    let name = segment.map(|segment| segment.ident.to_string());
    let (labels, metric) = match (name.as_deref(), segment.and_then(type_args).as_deref()) {
        (Some("Family"), Some(&[labels, metric])) => (Labels::Typed(labels), metric),
        (Some("DynFamily"), Some(&[metric])) => (Labels::Dynamic, metric),
        (Some("Family"), _) => {
            cx.error_spanned_by(
                ty,
                "`Family` takes a label set and a metric type, e.g. `Family<OrderLabels, Counter>`",
            );
            return None;
        }
        (Some("DynFamily"), _) => {
            cx.error_spanned_by(ty, "`DynFamily` takes a metric type, e.g. `DynFamily<Counter>`");
            return None;
        }
        (name, _) => {
            let mut msg = format!("unsupported field type; use one of {ALL_TYPES}");
            let candidates = SINGLE_TYPES.iter().copied().chain(["Family", "DynFamily"]);
            if let Some(close) = name.and_then(|name| did_you_mean(name, candidates)) {
                msg.push_str(&format!("; did you mean `{close}`?"));
            }
            cx.error_spanned_by(ty, msg);
            return None;
        }
    };
    match single_kind(metric) {
        Some(kind) => Some((kind, labels)),
        None => {
            cx.error_spanned_by(
                metric,
                "unsupported metric type in a family; use one of `Counter`, `FloatCounter`, \
                 `Gauge`, `FloatGauge` or `Histogram`",
            );
            None
        }
    }
}

/// Whether `tokens` name any of `params` (a conservative answer is harmless: the
/// descriptor is then built in the impl rather than in a `static`).
fn mentions(tokens: TokenStream, params: &[String]) -> bool {
    !params.is_empty()
        && tokens.into_iter().any(|tree| match tree {
            TokenTree::Ident(ident) => params.iter().any(|param| ident == param),
            TokenTree::Group(group) => mentions(group.stream(), params),
            _ => false,
        })
}
