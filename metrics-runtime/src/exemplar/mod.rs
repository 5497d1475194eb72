//! Exemplars: a counter or a histogram bucket can carry one recent observation's
//! labels (usually the `trace_id` of the request it came from), its value and when it
//! was recorded, so that a latency spike on a dashboard leads to a trace.
//!
//! Storage is opt-in per family: [`CounterWithExemplar`](crate::CounterWithExemplar)
//! and [`HistogramWithExemplars`](crate::HistogramWithExemplars) instead of `Counter`
//! and `Histogram`, in a `#[derive(Metrics)]` struct, a `Family` or a `DynFamily`.
//! The plain types are unchanged: a program that uses no exemplar pays nothing for
//! them. Exemplars are written in OpenMetrics only (the Prometheus text format has no
//! place for them), after the sample they belong to:
//!
//! ```text
//! http_requests_total 3 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 1 1700000000.123
//! latency_seconds_bucket{le="0.25"} 7 # {trace_id="00f067aa0ba902b7"} 0.18 1700000000.456
//! ```
//!
//! ```
//! use metrics_runtime::exemplar::Exemplar;
//! use metrics_runtime::{CounterWithExemplar, Format, HistogramWithExemplars, Metrics, Registry};
//!
//! #[derive(Metrics)]
//! #[metrics(namespace = "api")]
//! struct Api {
//!     /// Requests served.
//!     requests: CounterWithExemplar,
//!     /// Request latency.
//!     #[metric(buckets = [0.1, 0.5], unit = "seconds")]
//!     latency: HistogramWithExemplars,
//! }
//!
//! let registry = Registry::new();
//! let api = Api::register(&registry)?;
//! let trace = Exemplar::new(&[("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")])?;
//! api.requests.inc_with_exemplar(&trace);
//! api.latency.observe_with_exemplar(0.3, &trace);
//! api.latency.observe(0.05); // no exemplar: as cheap as a plain histogram
//!
//! let text = registry.encode_to_string(Format::OpenMetrics);
//! assert!(text.contains(r#"api_requests_total 1 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 1.0 "#));
//! assert!(text.contains(r#"api_latency_seconds_bucket{le="0.5"} 2 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 0.3 "#));
//! assert!(!registry.encode_to_string(Format::Text).contains("trace_id"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Trace ids
//!
//! [`Exemplar::from_trace_id`] (or `observe_with_trace_id` and `inc_with_trace_id`,
//! which skip making the exemplar) gives the labels Grafana and Prometheus expect,
//! `{trace_id="<32 hex digits>"}`. `#[timed(exemplars)]` and the HTTP layer's
//! `exemplars(true)` (feature `tower`) ask
//! [`current_trace_id`] when a call or request ends: the function given to
//! [`set_trace_id_source`], or else, with the feature `opentelemetry`, the trace of
//! the current `tracing` span (tracing-opentelemetry's layer) or of OpenTelemetry's
//! current context. Without either there is no trace id and nothing is kept.
//!
//! ## Storage
//!
//! Each counter and each bucket keeps its latest exemplar. Recording one takes no
//! lock: a compare-and-swap claims the slot and the labels are copied in (when two
//! threads record into one slot at the same instant, one of the two is kept), and a
//! scrape reads each exemplar whole, never half of one and half of another.

mod cell;
mod labels;
#[cfg(feature = "opentelemetry")]
mod otel;
mod trace;

pub(crate) use cell::{ExemplarCell, ExemplarSnapshot};
pub use labels::{Exemplar, ExemplarError, ExemplarLabels, MAX_EXEMPLAR_CHARS};
pub use trace::{TraceId, TraceIdSource, current_exemplar, current_trace_id, set_trace_id_source};
