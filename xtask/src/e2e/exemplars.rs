//! Exemplars through a real Prometheus: the example [`EXAMPLE`] keeps the trace id of
//! each simulated request in its HTTP duration buckets and its workflow handler's
//! (`#[timed(exemplars)]`); Prometheus runs with `--enable-feature=exemplar-storage`,
//! and every trace id the instances expose once their traffic has ended must come
//! back from `/api/v1/query_exemplars`.

use std::collections::BTreeSet;

use super::api::{Api, http_get, percent_encode};
use super::exposition::Endpoint;
use crate::json::Json;

/// The example whose exemplars are checked (its traffic ends, so what it exposes
/// stops changing).
pub(crate) const EXAMPLE: &str = "agent_api";

/// The Prometheus flag that keeps exemplars.
pub(crate) const FEATURE: &str = "--enable-feature=exemplar-storage";

/// The bucket series that carry them: the HTTP layer's and `#[timed(exemplars)]`'s.
const SERIES: [&str; 2] =
    ["aster_http_request_duration_seconds_bucket", "aster_function_duration_seconds_bucket"];

/// Compares the trace ids the instances expose now with those Prometheus stored
/// since `start` (Unix seconds). To be called once every instance's traffic has
/// ended and Prometheus has scraped it after that.
pub(crate) fn check(api: &Api, endpoints: &[Endpoint], start: f64) -> Result<String, String> {
    let mut exposed = BTreeSet::new();
    for endpoint in endpoints {
        let exposition = endpoint.fetch(true)?;
        for series in SERIES {
            let found = trace_ids(&exposition, series);
            if found.is_empty() {
                return Err(format!("{} exposes no exemplar on {series}", endpoint.addr));
            }
            exposed.extend(found);
        }
    }
    let mut stored = BTreeSet::new();
    for series in SERIES {
        stored.extend(query_exemplars(api, &format!("{series}{{job=\"{EXAMPLE}\"}}"), start)?);
    }
    let missing: Vec<&String> = exposed.difference(&stored).take(5).collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} of {} exposed trace ids not returned by /api/v1/query_exemplars, e.g. {missing:?} ({} returned)",
            exposed.difference(&stored).count(),
            exposed.len(),
            stored.len()
        ));
    }
    Ok(format!(
        "exemplars: the {} trace ids {EXAMPLE}'s {} instances expose on {} are all returned by /api/v1/query_exemplars ({} stored in all)",
        exposed.len(),
        endpoints.len(),
        SERIES.join(" and "),
        stored.len()
    ))
}

/// The `trace_id` of every exemplar on the samples of `series` in an OpenMetrics
/// exposition.
fn trace_ids(exposition: &str, series: &str) -> BTreeSet<String> {
    exposition
        .lines()
        .filter(|line| line.strip_prefix(series).is_some_and(|rest| rest.starts_with('{')))
        .filter_map(|line| line.split_once(" # {")?.1.split_once("trace_id=\"")?.1.split_once('"'))
        .map(|(id, _)| id.to_owned())
        .collect()
}

/// The `trace_id`s of the exemplars Prometheus returns for `selector` from `start`
/// to now.
fn query_exemplars(api: &Api, selector: &str, start: f64) -> Result<BTreeSet<String>, String> {
    let end = super::unix_now() + 1.0;
    let path = format!(
        "/api/v1/query_exemplars?query={}&start={start:.3}&end={end:.3}",
        percent_encode(selector)
    );
    let (status, body) = http_get(api.addr, &path, &[])?;
    let body = String::from_utf8_lossy(&body);
    let json = Json::parse(&body).map_err(|e| format!("query_exemplars {selector}: {e}"))?;
    if status != 200 || json.get("status").and_then(Json::as_str) != Some("success") {
        let error = json.get("error").and_then(Json::as_str).unwrap_or(&body);
        return Err(format!("query_exemplars {selector}: {error}"));
    }
    let series = json.get("data").map(Json::as_array).unwrap_or_default();
    Ok(series
        .iter()
        .flat_map(|s| s.get("exemplars").map(Json::as_array).unwrap_or_default())
        .filter_map(|e| e.get("labels")?.get("trace_id")?.as_str().map(str::to_owned))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_are_read_from_the_exemplars_of_one_series() {
        let exposition = "\
a_bucket{le=\"1.0\"} 3 # {trace_id=\"abc\"} 0.5 1700000000.000
a_bucket{le=\"+Inf\"} 3
a_bucketx{le=\"1.0\"} 3 # {trace_id=\"other\"} 0.5 1700000000.000
b_bucket{le=\"1.0\"} 1 # {span_id=\"1\",trace_id=\"def\"} 0.5
";
        assert_eq!(trace_ids(exposition, "a_bucket"), BTreeSet::from(["abc".to_owned()]));
        assert_eq!(trace_ids(exposition, "b_bucket"), BTreeSet::from(["def".to_owned()]));
    }
}
