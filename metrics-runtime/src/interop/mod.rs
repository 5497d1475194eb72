//! Interop with the `prometheus` crate, both ways.

use crate::collect::ExpositionSink;

/// Our families as a `prometheus::core::Collector`.
#[derive(Debug)]
pub struct PrometheusCollector {}

pub(crate) fn collect_foreign(_registry: &prometheus::Registry, _sink: &mut dyn ExpositionSink) {}
