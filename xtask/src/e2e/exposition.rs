//! An example's exposition: fetched in both formats, checked by `promtool`, and
//! read back for the aggregation check.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::Command;

use super::api::{http_get, parse_value};
use super::io;
use super::process::TempDir;
use super::tools::Tools;

/// What Prometheus sends; the server then answers in OpenMetrics.
const OPENMETRICS_ACCEPT: &str =
    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";

/// Where an instance serves its exposition, and the headers a scrape must send.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub(crate) addr: SocketAddr,
    pub(crate) path: String,
    pub(crate) authorization: Option<String>,
}

impl Endpoint {
    /// The exposition in the text format (`openmetrics == false`) or OpenMetrics.
    pub(crate) fn fetch(&self, openmetrics: bool) -> Result<String, String> {
        let mut headers = Vec::new();
        if let Some(authorization) = &self.authorization {
            headers.push(("Authorization", authorization.as_str()));
        }
        if openmetrics {
            headers.push(("Accept", OPENMETRICS_ACCEPT));
        }
        let (status, body) = http_get(self.addr, &self.path, &headers)?;
        if status != 200 {
            return Err(format!("GET {} on {} answered {status}", self.path, self.addr));
        }
        String::from_utf8(body).map_err(|e| format!("exposition is not UTF-8: {e}"))
    }
}

/// Both expositions through `promtool`: the text format with `check metrics`
/// (which parses and lints the text format only), OpenMetrics with the OpenMetrics
/// parser of `tsdb create-blocks-from openmetrics`, which needs a timestamp on
/// every sample, so one is appended. `Ok` is a one-word verdict for the table;
/// `Err` says what promtool said.
pub(crate) fn lint(
    tools: &Tools,
    temp: &TempDir,
    name: &str,
    endpoint: &Endpoint,
) -> Result<String, String> {
    let text = endpoint.fetch(false)?;
    let text_file = temp.path.join(format!("{name}.prom"));
    std::fs::write(&text_file, &text).map_err(io("exposition file"))?;
    let stdin = std::fs::File::open(&text_file).map_err(io("exposition file"))?;
    let out = Command::new(&tools.promtool)
        .args(["check", "metrics"])
        .stdin(stdin)
        .output()
        .map_err(io("promtool check metrics"))?;
    if !out.status.success() {
        return Err(format!(
            "promtool check metrics: {}{}",
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }

    let om = endpoint.fetch(true)?;
    if !om.ends_with("# EOF\n") {
        return Err(format!(
            "the OpenMetrics exposition does not end with `# EOF`: {:?}",
            tail(&om)
        ));
    }
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let stamped: String = om
        .lines()
        .map(|line| {
            if line.starts_with('#') || line.is_empty() {
                format!("{line}\n")
            } else if let Some((sample, exemplar)) = line.split_once(" # ") {
                // The sample's timestamp goes before its exemplar.
                format!("{sample} {timestamp} # {exemplar}\n")
            } else {
                format!("{line} {timestamp}\n")
            }
        })
        .collect();
    let om_file = temp.path.join(format!("{name}.om"));
    std::fs::write(&om_file, stamped).map_err(io("exposition file"))?;
    let out = Command::new(&tools.promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&om_file)
        .arg(temp.path.join(format!("{name}-blocks")))
        .output()
        .map_err(io("promtool tsdb create-blocks-from openmetrics"))?;
    if !out.status.success() {
        return Err(format!(
            "promtool's OpenMetrics parser: {}{}",
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(format!("ok ({} + {} B)", text.len(), om.len()))
}

fn tail(text: &str) -> &str {
    let mut start = text.len().saturating_sub(40);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    &text[start..]
}

/// The samples named `sample` in a text exposition, keyed by their labels.
pub(crate) fn samples(text: &str, sample: &str) -> Vec<(BTreeMap<String, String>, f64)> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let rest = line.strip_prefix(sample)?;
            let (labels, value) = match rest.strip_prefix('{') {
                Some(inner) => parse_labels(inner)?,
                None if rest.starts_with(' ') => (BTreeMap::new(), rest),
                None => return None,
            };
            let value = value.split_whitespace().next()?;
            Some((labels, parse_value(value)?))
        })
        .collect()
}

/// `a="x",b="y\"z"} rest` to the labels and what follows the `}`.
fn parse_labels(inner: &str) -> Option<(BTreeMap<String, String>, &str)> {
    let mut labels = BTreeMap::new();
    let mut rest = inner;
    loop {
        rest = rest.trim_start_matches(',');
        if let Some(after) = rest.strip_prefix('}') {
            return Some((labels, after));
        }
        let (name, after) = rest.split_once("=\"")?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next()? {
                (i, '"') => break i,
                (_, '\\') => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                (_, c) => value.push(c),
            }
        };
        labels.insert(name.to_owned(), value);
        rest = &after[end + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_samples_with_escaped_labels() {
        let text = "# TYPE x counter\nx_total{a=\"1\",b=\"q\\\"{id}\"} 3\nx_total 4\nx_total_more 9\ny 1\n";
        let found = samples(text, "x_total");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0["b"], "q\"{id}");
        assert_eq!(found[0].1, 3.0);
        assert!(found[1].0.is_empty());
        assert_eq!(found[1].1, 4.0);
    }
}
