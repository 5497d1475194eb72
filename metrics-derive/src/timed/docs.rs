//! The `# Metrics` section `#[timed]` appends to a function's documentation: the
//! PromQL of its call rate, error ratio and latency, and its objective, so that
//! rustdoc shows how to query what the function records. With
//! `METRICS_PROMETHEUS_URL` set at build time, each query links to that
//! Prometheus's graph page.
//!
//! The `module` label is `module_path!()`, which only the compiler knows: each line
//! is a `concat!` of text and `::core::module_path!()`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Signature};

use super::args::TimedArgs;
use crate::objective::Objective;

/// The variable naming a Prometheus to link the queries to (`http://prometheus:9090`).
pub(crate) const PROMETHEUS_URL_ENV: &str = "METRICS_PROMETHEUS_URL";

/// A piece of a doc line: text, or the module path.
#[derive(Clone)]
enum Part {
    Text(String),
    Module,
}

/// A query with the module path in it, as parts.
struct Query(Vec<Part>);

impl Query {
    /// `{metric}{function="f",module="<module>"<extra>}`.
    fn selector(metric: &str, function: &str, extra: &str) -> Vec<Part> {
        vec![
            Part::Text(format!("{metric}{{function=\"{function}\",module=\"")),
            Part::Module,
            Part::Text(format!("\"{extra}}}")),
        ]
    }

    fn wrap(before: &str, inner: Vec<Part>, after: &str) -> Vec<Part> {
        let mut parts = vec![Part::Text(before.to_owned())];
        parts.extend(inner);
        parts.push(Part::Text(after.to_owned()));
        parts
    }
}

/// The `#[doc]` attributes to append, for a function with `args` and `sig`.
pub(crate) fn doc_attrs(
    args: &TimedArgs,
    objective: Option<Objective>,
    sig: &Signature,
) -> Vec<Attribute> {
    let function = sig.ident.to_string();
    let stem = args.name.as_ref().map_or_else(|| "function".to_owned(), syn::LitStr::value);
    let calls = format!("{stem}_calls_total");
    let bucket = format!("{stem}_duration_seconds_bucket");
    let rate =
        |extra: &str| Query::wrap("rate(", Query::selector(&calls, &function, extra), "[5m])");
    let queries = [
        ("calls per second, by outcome", Query(Query::wrap("sum by (outcome) (", rate(""), ")"))),
        (
            "error ratio (errors and panics among ended calls)",
            Query({
                let mut parts = Query::wrap("sum(", rate(",outcome=~\"error|panicked\""), ") / ");
                parts.extend(Query::wrap("sum(", rate(",outcome!=\"cancelled\""), ")"));
                parts
            }),
        ),
        (
            "p99 latency in seconds",
            Query(Query::wrap(
                "histogram_quantile(0.99, sum by (le) (rate(",
                Query::selector(&bucket, &function, ""),
                "[5m])))",
            )),
        ),
    ];
    let url = std::env::var(PROMETHEUS_URL_ENV).ok().filter(|u| !u.is_empty());
    let mut lines: Vec<Vec<Part>> = vec![
        text(""),
        text("# Metrics"),
        text(""),
        text(&format!(
            "`#[timed]` counts the calls of this function in `{calls}` and times them in \
             `{stem}_duration_seconds` (names without a prefix from `timed::set_prefix`). In PromQL:"
        )),
        text(""),
    ];
    for (what, query) in queries {
        let mut line = vec![Part::Text(format!("- {what}: `"))];
        line.extend(query.0.iter().cloned());
        line.push(Part::Text("`".to_owned()));
        if let Some(url) = &url {
            line.push(Part::Text(format!(
                " ([graph]({}/graph?g0.tab=0&g0.expr=",
                url.trim_end_matches('/')
            )));
            line.extend(query.0.iter().map(|part| match part {
                Part::Text(text) => Part::Text(percent_encode(text)),
                // `::` may stay as is in a query string.
                Part::Module => Part::Module,
            }));
            line.push(Part::Text("))".to_owned()));
        }
        lines.push(line);
    }
    if let Some(objective) = objective {
        let mut promises = Vec::new();
        if let Some(success) = objective.success {
            promises.push(format!("{success}% of calls succeed"));
        }
        if let Some(latency) = objective.latency {
            promises.push(format!("{}% of calls take at most {latency} s", objective.percentile));
        }
        lines.push(text(""));
        lines.push(text(&format!(
            "Objective: {}; `metrics_runtime::ops` generates its burn-rate alerts.",
            promises.join(", and ")
        )));
    }
    lines.into_iter().map(|parts| doc_attr(&parts)).collect()
}

fn text(line: &str) -> Vec<Part> {
    vec![Part::Text(line.to_owned())]
}

/// `#[doc = ::core::concat!(" text", ::core::module_path!(), "text")]`: a leading
/// space, as `///` gives.
fn doc_attr(parts: &[Part]) -> Attribute {
    let mut pieces: Vec<TokenStream> = Vec::new();
    let mut pending = String::from(" ");
    for part in parts {
        match part {
            Part::Text(text) => pending.push_str(text),
            Part::Module => {
                pieces.push(quote!(#pending));
                pieces.push(quote!(::core::module_path!()));
                pending.clear();
            }
        }
    }
    if !pending.is_empty() {
        pieces.push(quote!(#pending));
    }
    syn::parse_quote!(#[doc = ::core::concat!(#(#pieces),*)])
}

/// `text` for a URL's query string: everything but unreserved characters encoded.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// An item that makes cargo rebuild the crate when [`PROMETHEUS_URL_ENV`]
/// changes: the compiler tracks `option_env!`, not a proc macro's reads.
pub(crate) fn env_tracking() -> syn::Stmt {
    syn::parse_quote! {
        const _: ::core::option::Option<&::core::primitive::str> =
            ::core::option_env!("METRICS_PROMETHEUS_URL");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(src: &str, args: &str) -> String {
        let f: syn::ItemFn = syn::parse_str(src).unwrap();
        let args: TimedArgs = syn::parse_str(args).unwrap();
        let objective = args.objective().unwrap();
        doc_attrs(&args, objective, &f.sig)
            .iter()
            .map(|a| quote!(#a).to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn queries_name_the_function_and_its_module() {
        let text = docs("fn pay() {}", "objective(success = 99.9, latency = \"250ms\")");
        assert!(text.contains("\" # Metrics\""), "{text}");
        assert!(text.contains(
            "\" - calls per second, by outcome: `sum by (outcome) (rate(function_calls_total{function=\\\"pay\\\",module=\\\"\" , :: core :: module_path ! ()"
        ), "{text}");
        assert!(text.contains("outcome=~\\\"error|panicked\\\""));
        assert!(text.contains("function_duration_seconds_bucket{function=\\\"pay\\\""));
        assert!(
            text.contains(
                "Objective: 99.9% of calls succeed, and 99% of calls take at most 0.25 s"
            )
        );
        let named = docs("fn search() {}", "name = \"search\"");
        assert!(named.contains("search_calls_total{function"));
        assert!(!named.contains("Objective"));
    }

    #[test]
    fn percent_encoding() {
        assert_eq!(
            percent_encode("sum(rate(x{a=\"b\"}[5m]))"),
            "sum%28rate%28x%7Ba%3D%22b%22%7D%5B5m%5D%29%29"
        );
    }
}
