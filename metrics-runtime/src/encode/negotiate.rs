//! `Accept` header → [`Format`], the way client_golang's `expfmt.Negotiate` does.

use super::Format;

/// The protobuf media type and the parameters that must come with it.
const PROTOBUF: &str = "application/vnd.google.protobuf";
const PROTOBUF_PROTO: &str = "io.prometheus.client.MetricFamily";
const PROTOBUF_ENCODING: &str = "delimited";

/// Walks the media ranges, keeping the supported one with the highest `q`
/// (earliest on ties, except that protobuf wins a tie: client_golang sorts ranges
/// with more parameters first, and protobuf's two make it the most specific).
/// Unparseable parts are skipped, never an error: a scraper always gets an answer,
/// in the text format at worst.
pub(super) fn negotiate(accept: &str) -> Format {
    let mut best: Option<(f32, Format)> = None;
    for range in accept.split(',') {
        let mut params = range.split(';');
        let media = params.next().unwrap_or("").trim();
        let mut q = 1.0f32;
        let mut version: Option<&str> = None;
        let (mut proto, mut encoding): (Option<&str>, Option<&str>) = (None, None);
        for param in params {
            let Some((key, value)) = param.split_once('=') else { continue };
            let value = value.trim().trim_matches('"');
            match key.trim().to_ascii_lowercase().as_str() {
                "q" => q = value.parse().unwrap_or(0.0),
                "version" => version = Some(value),
                "proto" => proto = Some(value),
                "encoding" => encoding = Some(value),
                _ => {}
            }
        }
        if q.is_nan() || q <= 0.0 {
            continue;
        }
        let format = if media.eq_ignore_ascii_case(PROTOBUF) {
            if proto == Some(PROTOBUF_PROTO) && encoding == Some(PROTOBUF_ENCODING) {
                Format::Protobuf
            } else {
                continue;
            }
        } else if media.eq_ignore_ascii_case("application/openmetrics-text") {
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
        let wins_tie = format == Format::Protobuf;
        if best.is_none_or(|(best_q, _)| q > best_q || (q == best_q && wins_tie)) {
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

    #[test]
    fn protobuf_needs_its_proto_and_delimited_encoding() {
        let delimited = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
        assert_eq!(negotiate(delimited), Format::Protobuf);
        // Prometheus 2.42 with --enable-feature=native-histograms.
        let prometheus = format!(
            "{delimited},application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        );
        assert_eq!(negotiate(&prometheus), Format::Protobuf);
        assert_eq!(
            negotiate(
                "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=\"delimited\""
            ),
            Format::Protobuf
        );
        // The text and compact-text protobuf encodings, or another message: not ours.
        for unsupported in [
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily",
            "application/vnd.google.protobuf;proto=other.Message;encoding=delimited",
            "application/vnd.google.protobuf",
        ] {
            assert_eq!(negotiate(unsupported), Format::Text, "{unsupported}");
        }
        // A lower q loses; a tie goes to protobuf whichever comes first.
        assert_eq!(negotiate(&format!("text/plain;q=0.9,{delimited};q=0.5")), Format::Text);
        assert_eq!(
            negotiate(&format!("application/openmetrics-text;q=0.5,{delimited};q=0.5")),
            Format::Protobuf
        );
        assert_eq!(negotiate(&format!("{delimited};q=0")), Format::Text);
    }
}
