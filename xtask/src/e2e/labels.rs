//! Hostile label values through a real Prometheus: the quickstart, when served,
//! sets `shop_escaping_cases{case, value}` to each case's number with the values
//! below; once scraped, Prometheus' HTTP API must give each one back unchanged.
//!
//! The values are written here independently of the example on purpose: a change
//! on one side only is a failure, not a silent agreement.

use super::api::Api;

/// The family the quickstart sets, and the job that serves it.
pub(crate) const FAMILY: &str = "shop_escaping_cases";
pub(crate) const JOB: &str = "quickstart";

/// Quotes, backslashes, newline, carriage return, tab, NUL, right-to-left override,
/// emoji, empty, and 64 KiB with all of them.
fn expected() -> Vec<String> {
    let mut values: Vec<String> = [
        "say \"hi\"",
        "C:\\path\\",
        "line\nnext",
        "carriage\rreturn",
        "tab\there",
        "nul\0byte",
        "rtl \u{202e} override",
        "emoji 🦀🎉",
        "",
    ]
    .map(str::to_owned)
    .to_vec();
    let chunk = "ab\"c\\d\ne\r\t\0🦀";
    values.push(chunk.repeat(64 * 1024 / chunk.len() + 1));
    values
}

/// Compares what Prometheus stored with [`expected`]: `Ok` says how many came
/// back equal.
pub(crate) fn check(api: &Api) -> Result<String, String> {
    let stored = api.query(&format!("{FAMILY}{{job=\"{JOB}\"}}"), None)?;
    let expected = expected();
    let mut wrong = Vec::new();
    for (case, value) in expected.iter().enumerate() {
        let case = case.to_string();
        match stored.iter().find(|s| s.labels.get("case") == Some(&case)) {
            None => wrong.push(format!("case {case}: no series")),
            // Prometheus stores an empty label value as no label at all (its data
            // model makes the two equal), so an absent `value` is the empty one.
            Some(sample) if sample.labels.get("value").map_or("", String::as_str) != value => {
                let got = sample.labels.get("value").map_or(0, String::len);
                wrong.push(format!(
                    "case {case}: value differs ({got} bytes, {} sent)",
                    value.len()
                ));
            }
            Some(_) => {}
        }
    }
    if !wrong.is_empty() {
        return Err(format!("{FAMILY}: {}", wrong.join("; ")));
    }
    let longest = expected.iter().map(String::len).max().unwrap_or(0);
    Ok(format!(
        "label values: {} hostile values (quotes, backslashes, newline, CR, tab, NUL, RTL, emoji, \
         empty, {longest} bytes) read back equal from Prometheus",
        expected.len()
    ))
}
