//! Interop with the `prometheus` crate (0.14), both ways.
//!
//! - Foreign → ours: [`Registry::attach_prometheus`](crate::Registry::attach_prometheus)
//!   makes a `prometheus::Registry` (its process collector included) part of our
//!   exposition, in both formats. [`foreign`] converts what it gathers.
//! - Ours → foreign: [`PrometheusCollector`] is a `prometheus::core::Collector` over
//!   a metrics struct or a whole [`Registry`](crate::Registry), for services that
//!   already serve a `prometheus::Registry`.
//!
//! Both directions go through the format-neutral sinks of [`collect`](crate::collect):
//! foreign families are fed to an [`ExpositionSink`](crate::collect::ExpositionSink)
//! like ours, and the collector is an `ExpositionSink` that builds
//! `prometheus::proto` families.

mod collector;
mod foreign;

pub use collector::PrometheusCollector;
pub use foreign::FOREIGN_SKIPPED_NAME;
pub(crate) use foreign::collect_with_foreign;

/// `prometheus::proto` is one of two data models, picked by the `prometheus` crate's
/// `protobuf` feature, which any crate in the build may turn on (it is in that
/// crate's defaults). Building a family and reading histograms and summaries is the
/// same in both; reading a counter, gauge or untyped value is not: the plain model
/// has `get_value()`, the protobuf one `value()`.
///
/// Each trait here supplies the method a model lacks from the one it has. An
/// inherent method always wins method resolution over a trait method, so a trait
/// method is reached only for the model that lacks the inherent one, and the pair
/// never calls itself in a loop. Under each model one method of each pair is never
/// called, hence the `dead_code` allowances.
mod model {
    use prometheus::proto;

    /// `value()` for the plain model, from its `get_value()`.
    #[allow(dead_code)]
    pub(crate) trait ValueFromGet {
        fn value(&self) -> f64;
    }

    /// `get_value()` for the protobuf model, from its `value()`.
    #[allow(dead_code)]
    pub(crate) trait GetFromValue {
        fn get_value(&self) -> f64;
    }

    macro_rules! value_compat {
        ($($ty:ty),*) => {$(
            impl ValueFromGet for $ty {
                // `Untyped::get_value` is deprecated in the plain model, with no successor.
                #[allow(deprecated)]
                fn value(&self) -> f64 {
                    self.get_value()
                }
            }
            impl GetFromValue for $ty {
                fn get_value(&self) -> f64 {
                    self.value()
                }
            }
        )*};
    }
    value_compat!(proto::Counter, proto::Gauge, proto::Untyped);

    /// The protobuf model keeps a metric's untyped value in a public field and has
    /// no accessor, which code compiled against both models cannot name: there,
    /// `get_untyped()` resolves to this trait and the value reads as unavailable.
    #[allow(dead_code)]
    pub(crate) trait UntypedFromMetric {
        fn get_untyped(&self) -> UntypedUnavailable;
    }

    impl UntypedFromMetric for proto::Metric {
        fn get_untyped(&self) -> UntypedUnavailable {
            UntypedUnavailable
        }
    }

    /// An untyped value that cannot be read (protobuf model).
    #[allow(dead_code)]
    pub(crate) struct UntypedUnavailable;

    /// The value of what `get_untyped()` returned, under either model.
    pub(crate) trait UntypedValue {
        fn untyped_value(&self) -> Option<f64>;
    }

    impl UntypedValue for proto::Untyped {
        fn untyped_value(&self) -> Option<f64> {
            Some(ValueFromGet::value(self))
        }
    }

    impl UntypedValue for UntypedUnavailable {
        fn untyped_value(&self) -> Option<f64> {
            None
        }
    }

    /// The untyped value of `metric`, when this model lets us read it.
    pub(crate) fn untyped_value(metric: &proto::Metric) -> Option<f64> {
        // Plain model: the inherent, deprecated `get_untyped()`; protobuf model: the trait.
        #[allow(deprecated)]
        let untyped = metric.get_untyped();
        untyped.untyped_value()
    }
}

/// Metrics structs written by hand (static descriptors and `impl Metrics`), for the
/// tests of both directions.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::__private::FamilyField;
    use crate::collect::CollectFamily;
    use crate::{
        Counter, DynFamily, Family, FamilyDescriptor, FloatGauge, Histogram, LabelKind, LabelSet,
        LabelValue, MetricKind, Metrics,
    };

    pub(crate) const BASE: FamilyDescriptor = FamilyDescriptor {
        struct_name: "Shop",
        ..FamilyDescriptor::new("", "", MetricKind::Counter, crate::source_location!())
    };

    pub(crate) static ORDERS: FamilyDescriptor = FamilyDescriptor {
        name: "shop_orders",
        help: "Orders placed.",
        field_name: "orders",
        const_labels: &[("shop", "main")],
        ..BASE
    };
    pub(crate) static PAYMENTS: FamilyDescriptor = FamilyDescriptor {
        name: "shop_payments",
        help: "Payments by kind.",
        label_kind: LabelKind::Typed,
        field_name: "payments",
        ..BASE
    };
    pub(crate) static TEMPERATURE: FamilyDescriptor = FamilyDescriptor {
        name: "shop_temperature_celsius",
        help: "Temperature of the shop.",
        kind: MetricKind::Gauge,
        unit: "celsius",
        field_name: "temperature",
        ..BASE
    };
    pub(crate) static LATENCY: FamilyDescriptor = FamilyDescriptor {
        name: "shop_latency_seconds",
        help: "Checkout latency.",
        kind: MetricKind::Histogram,
        unit: "seconds",
        buckets: &[0.1, 0.5, 1.0],
        field_name: "latency",
        ..BASE
    };
    pub(crate) static REQUESTS: FamilyDescriptor = FamilyDescriptor {
        name: "shop_requests",
        help: "Requests by route.",
        label_kind: LabelKind::Dynamic,
        label_names: &["route"],
        max_series: 2,
        field_name: "requests",
        ..BASE
    };

    #[derive(Clone, Copy)]
    pub(crate) enum Payment {
        Card,
        Transfer,
    }

    impl LabelValue for Payment {
        const CARDINALITY: usize = 2;
        fn index(self) -> usize {
            self as usize
        }
        fn value(index: usize) -> &'static str {
            ["card", "transfer"][index]
        }
    }

    #[derive(Clone, Copy)]
    pub(crate) struct PaymentLabels {
        pub(crate) payment: Payment,
        pub(crate) express: bool,
    }

    impl LabelSet for PaymentLabels {
        const NAMES: &'static [&'static str] = &["payment", "express"];
        const CARDINALITY: usize = 4;
        fn index(&self) -> usize {
            self.payment.index() * 2 + self.express.index()
        }
        fn value(index: usize, label: usize) -> &'static str {
            match label {
                0 => Payment::value(index / 2),
                _ => bool::value(index % 2),
            }
        }
    }

    /// One family of each kind and label style.
    pub(crate) struct Shop {
        pub(crate) orders: Counter,
        pub(crate) payments: Family<PaymentLabels, Counter>,
        pub(crate) temperature: FloatGauge,
        pub(crate) latency: Histogram,
        pub(crate) requests: DynFamily<Counter>,
    }

    impl Metrics for Shop {
        fn new_unregistered() -> Self {
            Self {
                orders: FamilyField::for_family(&ORDERS),
                payments: FamilyField::for_family(&PAYMENTS),
                temperature: FamilyField::for_family(&TEMPERATURE),
                latency: FamilyField::for_family(&LATENCY),
                requests: FamilyField::for_family(&REQUESTS),
            }
        }

        fn for_each_family(
            &self,
            visit: &mut dyn FnMut(&'static FamilyDescriptor, &dyn CollectFamily),
        ) {
            visit(&ORDERS, &self.orders);
            visit(&PAYMENTS, &self.payments);
            visit(&TEMPERATURE, &self.temperature);
            visit(&LATENCY, &self.latency);
            visit(&REQUESTS, &self.requests);
        }
    }

    impl Shop {
        /// Records a known set of values.
        pub(crate) fn record(&self) {
            self.orders.inc_by(3);
            self.payments.get(PaymentLabels { payment: Payment::Card, express: false }).inc_by(2);
            self.payments.get(PaymentLabels { payment: Payment::Transfer, express: true }).inc();
            self.temperature.set(21.5);
            self.latency.observe(0.05);
            self.latency.observe(0.7);
            self.requests.get(&["/cart"]).inc();
        }
    }

    /// Every `# TYPE` line's family name, in order.
    pub(crate) fn type_names(exposition: &str) -> Vec<&str> {
        exposition
            .lines()
            .filter_map(|line| line.strip_prefix("# TYPE "))
            .filter_map(|rest| rest.split(' ').next())
            .collect()
    }

    /// Panics unless every family name is declared once.
    pub(crate) fn assert_unique_families(exposition: &str) {
        let mut names = type_names(exposition);
        let total = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), total, "a family is declared twice in:\n{exposition}");
    }
}
