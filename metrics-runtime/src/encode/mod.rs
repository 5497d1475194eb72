//! Exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0.0, written
//! straight into a buffer.

mod escape;
mod negotiate;
mod number;
mod openmetrics;
mod sample;
mod text;

pub use openmetrics::OpenMetricsEncoder;
pub use text::TextEncoder;

use crate::registry::Registry;

/// An exposition format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// The Prometheus text format, version 0.0.4.
    #[default]
    Text,
    /// OpenMetrics 1.0.0.
    OpenMetrics,
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
        }
    }

    /// Picks the format a scraper asks for in its `Accept` header, as client_golang
    /// does: OpenMetrics when `application/openmetrics-text` (version 1.0.0, 0.0.1 or
    /// none) is accepted at least as strongly as the text format, otherwise text.
    ///
    /// ```
    /// use metrics_runtime::Format;
    /// let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /// assert_eq!(Format::from_accept(Some(prometheus)), Format::OpenMetrics);
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
    }
}
