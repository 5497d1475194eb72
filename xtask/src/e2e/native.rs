//! Native histograms through a real Prometheus: started with
//! `--enable-feature=native-histograms`, it asks every target for the protobuf
//! exposition first (so every other check of the run goes through that encoder too).
//! The example [`EXAMPLE`] observes the same simulated latencies in a native-only
//! histogram and in a classic one; the native one must be ingested as a native
//! histogram (Prometheus 2.42 keeps no `_count` or `_bucket` series for it) and its
//! 0.99 quantile must be close to the classic one's.

use super::api::Api;

/// The Prometheus flag that turns native histograms on.
pub(crate) const FEATURE: &str = "--enable-feature=native-histograms";

/// The example that feeds both histograms.
pub(crate) const EXAMPLE: &str = "quickstart";
/// The native histogram (`native(factor = 1.1)`: schema 3, boundaries 1.09 apart).
const NATIVE: &str = "shop_payment_seconds";
/// The classic one, fed the same observations (`exponential(0.001, 1.25, 32)`).
const CLASSIC: &str = "shop_payment_classic_seconds";
/// How far apart the two estimates may be, relative to the classic one: each is
/// within about one bucket (a factor of 1.25 at most) of the true quantile.
const TOLERANCE: f64 = 0.25;

/// Compares the two quantiles over the last minute.
pub(crate) fn check(api: &Api) -> Result<String, String> {
    let job = format!("{{job=\"{EXAMPLE}\"}}");
    let native_expr = format!("histogram_quantile(0.99, sum(rate({NATIVE}{job}[1m])))");
    let classic_expr =
        format!("histogram_quantile(0.99, sum by (le) (rate({CLASSIC}_bucket{job}[1m])))");
    let native = single(api, &native_expr)?;
    let classic = single(api, &classic_expr)?;
    for suffix in ["_count", "_bucket"] {
        let classic_series = api.query(&format!("{NATIVE}{suffix}{job}"), None)?;
        if !classic_series.is_empty() {
            return Err(format!(
                "{NATIVE}{suffix} exists: the histogram was not ingested as native"
            ));
        }
    }
    let apart = (native - classic).abs() / classic;
    // NaN (a classic p99 of 0) fails too.
    if apart.is_nan() || apart > TOLERANCE {
        return Err(format!(
            "p99 {native} s from the native histogram, {classic} s from the classic one: {:.0}% apart, more than {:.0}%",
            apart * 100.0,
            TOLERANCE * 100.0
        ));
    }
    Ok(format!(
        "native histograms: {native_expr} = {native:.4} s, the classic {CLASSIC} gives {classic:.4} s ({:.1}% apart)",
        apart * 100.0
    ))
}

/// The one finite value `expr` returns.
fn single(api: &Api, expr: &str) -> Result<f64, String> {
    match api.query(expr, None)?.as_slice() {
        [sample] if sample.value.is_finite() => Ok(sample.value),
        samples => Err(format!("`{expr}` returned {samples:?}, not one finite value")),
    }
}
