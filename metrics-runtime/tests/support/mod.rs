//! Shared by the integration tests: an independent exposition parser and a few
//! helpers. Each test binary uses part of it.
#![allow(dead_code)]

pub mod collectors;
pub mod http;
pub mod parser;
pub mod protobuf;

use metrics_runtime::{Format, Registry};
use parser::{Exposition, Syntax};

/// Encodes `registry` in `format` and parses it back, panicking with the exposition
/// when it is invalid. Protobuf is decoded and unfolded into the samples a text
/// scrape has ([`protobuf::as_text`]); its "exposition" string is the decoded
/// messages, for failure messages.
pub fn scrape(registry: &Registry, format: Format) -> (String, Exposition) {
    if format == Format::Protobuf {
        let mut bytes = Vec::new();
        registry.encode(format, &mut bytes);
        let families = protobuf::decode(&bytes).unwrap_or_else(|e| panic!("invalid protobuf: {e}"));
        return (format!("{families:#?}"), protobuf::as_text(&families));
    }
    let out = registry.encode_to_string(format);
    let parsed = parse(&out, format);
    (out, parsed)
}

/// Parses `out` written in a text `format`, panicking with it when it is invalid.
pub fn parse(out: &str, format: Format) -> Exposition {
    let syntax = match format {
        Format::Text => Syntax::Text,
        Format::OpenMetrics => Syntax::OpenMetrics,
        _ => panic!("{format:?} is not a text exposition: use support::scrape"),
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

/// `promtool` on `PATH`, if any.
pub fn promtool() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("promtool")).find(|p| p.is_file())
}

/// Feeds `exposition` (OpenMetrics, every sample with a timestamp) to Prometheus' own
/// OpenMetrics parser, `promtool tsdb create-blocks-from openmetrics`, in a
/// temporary directory named after `test`; returns whether it succeeded and what it
/// said.
pub fn promtool_openmetrics(
    promtool: &std::path::Path,
    exposition: &str,
    test: &str,
) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("{test}-promtool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("exposition.om");
    std::fs::write(&file, exposition).unwrap();
    let out = std::process::Command::new(promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&file)
        .arg(dir.join("blocks"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let said =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), said)
}
