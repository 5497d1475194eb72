//! Exposition formats: Prometheus text 0.0.4, OpenMetrics 1.0.0 and the Prometheus
//! protobuf format (the one with native histograms), written straight into a buffer.

mod buckets;
mod escape;
mod negotiate;
mod number;
mod openmetrics;
mod protobuf;
mod sample;
mod spans;
mod text;
mod wire;

pub use openmetrics::OpenMetricsEncoder;
pub use protobuf::ProtobufEncoder;
pub use text::TextEncoder;

use crate::registry::Registry;

/// An exposition format.
///
/// Non-exhaustive: a format may be added (protobuf was), so a `match` outside this
/// crate needs a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Format {
    /// The Prometheus text format, version 0.0.4.
    #[default]
    Text,
    /// OpenMetrics 1.0.0.
    OpenMetrics,
    /// Length-delimited `io.prometheus.client.MetricFamily` protobuf messages: the
    /// format Prometheus asks for first when native histograms are enabled, and the
    /// only one that carries them. Binary, not text.
    Protobuf,
}

impl Format {
    /// The `Content-Type` to answer with.
    ///
    /// ```
    /// use metrics_runtime::Format;
    /// assert_eq!(Format::Text.content_type(), "text/plain; version=0.0.4; charset=utf-8");
    /// ```
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Text => "text/plain; version=0.0.4; charset=utf-8",
            Self::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Self::Protobuf => {
                "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
            }
        }
    }

    /// Picks the format a scraper asks for in its `Accept` header, as client_golang
    /// does: protobuf when `application/vnd.google.protobuf` with
    /// `proto=io.prometheus.client.MetricFamily` and `encoding=delimited` is accepted
    /// at least as strongly as any other; else OpenMetrics when
    /// `application/openmetrics-text` (version 1.0.0, 0.0.1 or none) is accepted at
    /// least as strongly as the text format; otherwise text.
    ///
    /// ```
    /// use metrics_runtime::Format;
    /// let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /// assert_eq!(Format::from_accept(Some(prometheus)), Format::OpenMetrics);
    /// let native_histograms = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /// assert_eq!(Format::from_accept(Some(native_histograms)), Format::Protobuf);
    /// assert_eq!(Format::from_accept(Some("text/plain")), Format::Text);
    /// assert_eq!(Format::from_accept(None), Format::Text);
    /// ```
    pub fn from_accept(accept: Option<&str>) -> Self {
        negotiate::negotiate(accept.unwrap_or(""))
    }
}

/// Appends `registry`'s exposition in `format` to `buf`.
pub fn encode(registry: &Registry, format: Format, buf: &mut Vec<u8>) {
    match format {
        Format::Text => {
            let mut encoder = TextEncoder::new(buf);
            registry.collect(&mut encoder);
            encoder.finish();
        }
        Format::OpenMetrics => {
            let mut encoder = OpenMetricsEncoder::new(buf);
            registry.collect(&mut encoder);
            encoder.finish();
        }
        Format::Protobuf => {
            let mut encoder = ProtobufEncoder::new(buf);
            registry.collect(&mut encoder);
            encoder.finish();
        }
    }
}
