//! `Accept` header → [`Format`], the way client_golang's `expfmt.Negotiate` does.

use super::Format;

/// Walks the media ranges, keeping the supported one with the highest `q`
/// (earliest on ties). Unparseable parts are skipped, never an error: a scraper
/// always gets an answer, in the text format at worst.
pub(super) fn negotiate(accept: &str) -> Format {
    let mut best: Option<(f32, Format)> = None;
    for range in accept.split(',') {
        let mut params = range.split(';');
        let media = params.next().unwrap_or("").trim();
        let mut q = 1.0f32;
        let mut version: Option<&str> = None;
        for param in params {
            let Some((key, value)) = param.split_once('=') else { continue };
            let value = value.trim().trim_matches('"');
            match key.trim().to_ascii_lowercase().as_str() {
                "q" => q = value.parse().unwrap_or(0.0),
                "version" => version = Some(value),
                _ => {}
            }
        }
        if q.is_nan() || q <= 0.0 {
            continue;
        }
        let format = if media.eq_ignore_ascii_case("application/openmetrics-text") {
            match version {
                None | Some("1.0.0") | Some("0.0.1") => Format::OpenMetrics,
                Some(_) => continue,
            }
        } else if media.eq_ignore_ascii_case("text/plain") {
            match version {
                None | Some("0.0.4") => Format::Text,
                Some(_) => continue,
            }
        } else if media == "*/*" || media.eq_ignore_ascii_case("text/*") {
            Format::Text
        } else {
            continue;
        };
        if best.is_none_or(|(best_q, _)| q > best_q) {
            best = Some((q, format));
        }
    }
    best.map_or(Format::Text, |(_, format)| format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_strongest_supported_range() {
        assert_eq!(negotiate("application/openmetrics-text; version=1.0.0"), Format::OpenMetrics);
        assert_eq!(negotiate("application/openmetrics-text"), Format::OpenMetrics);
        assert_eq!(
            negotiate("text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5"),
            Format::Text
        );
        assert_eq!(
            negotiate("text/plain;q=0.3,application/openmetrics-text;version=1.0.0;q=0.8"),
            Format::OpenMetrics
        );
        assert_eq!(negotiate("application/openmetrics-text;version=2.0.0"), Format::Text);
        assert_eq!(negotiate("application/json"), Format::Text);
        assert_eq!(negotiate(""), Format::Text);
        assert_eq!(negotiate(";;,=,q=,application/openmetrics-text;q=abc"), Format::Text);
        assert_eq!(negotiate("APPLICATION/OPENMETRICS-TEXT;Q=1"), Format::OpenMetrics);
    }
}
