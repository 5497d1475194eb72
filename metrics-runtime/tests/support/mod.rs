//! Shared by the integration tests: an independent exposition parser and a few
//! helpers. Each test binary uses part of it.
#![allow(dead_code)]

pub mod collectors;
pub mod http;
pub mod parser;

use metrics_runtime::{Format, Registry};
use parser::{Exposition, Syntax};

/// Encodes `registry` in `format` and parses it back, panicking with the exposition
/// when it is invalid.
pub fn scrape(registry: &Registry, format: Format) -> (String, Exposition) {
    let out = registry.encode_to_string(format);
    let parsed = parse(&out, format);
    (out, parsed)
}

/// Parses `out` written in `format`, panicking with it when it is invalid.
pub fn parse(out: &str, format: Format) -> Exposition {
    let syntax = match format {
        Format::Text => Syntax::Text,
        Format::OpenMetrics => Syntax::OpenMetrics,
    };
    parser::parse(out, syntax)
        .unwrap_or_else(|e| panic!("invalid {format:?} exposition: {e}\n{out}"))
}

/// Both formats.
pub const FORMATS: [Format; 2] = [Format::Text, Format::OpenMetrics];

/// Prints a figure for `cargo xtask reliability`, which runs the tests with their
/// output shown and collects these lines into `RELIABILITY.md`. Tests still assert
/// on their own; the figure is what was measured on this run.
pub fn figure(name: &str, value: impl std::fmt::Display, unit: &str) {
    println!("reliability-figure\t{name}\t{value}\t{unit}");
}
