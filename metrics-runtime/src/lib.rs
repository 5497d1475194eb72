//! Prometheus instrumentation one annotation away.
//!
//! Declare a struct of metric families, derive [`Metrics`], register it, record:
//!
//! ```
//! use metrics_runtime::{Counter, DynFamily, Family, Format, Gauge, Histogram, LabelSet, LabelValue, Metrics, Registry};
//!
//! #[derive(Clone, Copy, LabelValue)]
//! enum Payment { Card, Transfer }
//!
//! #[derive(Clone, Copy, LabelSet)]
//! struct OrderLabels { payment: Payment, express: bool }
//!
//! #[derive(Metrics)]
//! #[metrics(namespace = "shop")]
//! struct ShopMetrics {
//!     /// Orders placed.
//!     orders: Family<OrderLabels, Counter>,
//!     /// Items in carts right now.
//!     cart_items: Gauge,
//!     /// Checkout latency.
//!     #[metric(buckets = exponential(0.001, 2.0, 14), unit = "seconds")]
//!     checkout: Histogram,
//!     /// Requests by route.
//!     #[metric(labels = ["route"], max_series = 500)]
//!     requests: DynFamily<Counter>,
//! }
//!
//! let registry = Registry::new();
//! let shop = ShopMetrics::register(&registry)?;
//! shop.orders.get(OrderLabels { payment: Payment::Card, express: true }).inc();
//! shop.cart_items.set(3);
//! shop.checkout.observe(0.042);
//! shop.requests.get(&["/cart"]).inc();
//!
//! let text = registry.encode_to_string(Format::Text);
//! assert!(text.contains(r#"shop_orders_total{payment="card",express="true"} 1"#));
//! assert!(text.contains("shop_checkout_seconds_count 1"));
//! # Ok::<(), metrics_runtime::RegistryError>(())
//! ```
//!
//! Counters are declared without `_total` (the encoders add it); a unit is appended
//! to the name when the name does not already end with it. Every family is also in
//! the link-time [`catalogue()`].
#![warn(missing_docs)]

#[cfg(any(feature = "server", feature = "push"))]
mod base64;
mod catalogue;
pub mod collect;
mod descriptor;
pub mod encode;
pub mod exemplar;
mod global;
#[cfg(feature = "prometheus")]
mod interop;
mod label;
#[cfg(feature = "tower")]
pub mod layer;
mod metric;
mod metrics;
pub mod names;
pub mod ops;
pub mod process;
#[cfg(feature = "push")]
pub mod push;
mod registry;
mod self_metrics;
#[cfg(feature = "server")]
pub mod serve;
pub mod timed;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use catalogue::catalogue;
pub use descriptor::{
    BucketsError, FamilyDescriptor, LabelKind, MetricKind, Objective, SourceLocation,
};
pub use encode::Format;
pub use global::Global;
#[cfg(feature = "prometheus")]
pub use interop::{FOREIGN_SKIPPED_NAME, PrometheusCollector};
pub use label::{
    DEFAULT_MAX_SERIES, DynFamily, Family, LabelSet, LabelValue, LabelValues, OVERFLOW_LABEL_VALUE,
};
pub use metric::{
    Counter, CounterWithExemplar, DEFAULT_BUCKETS, FloatCounter, FloatGauge, Gauge, Histogram,
    HistogramRef, HistogramTimer, HistogramWithExemplars, Metric, NativeBuckets,
    NativeBucketsError,
};
pub use metrics::Metrics;
pub use process::BuildInfo;
pub use registry::{Registry, RegistryError, default_registry};
pub use self_metrics::{CARDINALITY_OVERFLOW_NAME, REFUSED_INCREMENTS_NAME, refused_increments};
pub use timed::{Outcome, TimedErrorKind, TimedOutcome};

#[doc = include_str!("../docs/derive-label-set.md")]
pub use metrics_derive::LabelSet;
#[doc = include_str!("../docs/derive-label-value.md")]
pub use metrics_derive::LabelValue;
#[doc = include_str!("../docs/derive-metrics.md")]
pub use metrics_derive::Metrics;
#[doc = include_str!("../docs/timed.md")]
pub use metrics_derive::timed;
