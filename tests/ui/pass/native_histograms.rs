//! Native histograms in every shape a field takes, with every key.
#![deny(warnings)]

use metrics_runtime::{
    DynFamily, Family, Histogram, HistogramWithExemplars, LabelValue, Metrics, Registry,
};

#[derive(Clone, Copy, LabelValue)]
#[label(name = "route")]
enum Route {
    Home,
    Search,
}

#[derive(Metrics)]
#[metrics(namespace = "ui_native")]
struct Api {
    /// Native only, by schema.
    #[metric(native(schema = -4), unit = "seconds")]
    coarse: Histogram,
    /// Native only, by factor, every key.
    #[metric(native(factor = 1.1, max_buckets = 100, zero_threshold = 1e-9), unit = "seconds")]
    fine: Histogram,
    /// Classic and native.
    #[metric(buckets = [0.1, 1.0], native(schema = 8), unit = "seconds")]
    both: Histogram,
    /// A typed family.
    #[metric(native(schema = 0))]
    by_route: Family<Route, Histogram>,
    /// A dynamic family.
    #[metric(labels = ["tenant"], native(schema = 1, zero_threshold = 0))]
    by_tenant: DynFamily<Histogram>,
    /// Native buckets beside exemplars.
    #[metric(native(schema = 3), unit = "seconds")]
    traced: HistogramWithExemplars,
    /// And in a family.
    #[metric(labels = ["tenant"], native(factor = 1.5))]
    traced_by_tenant: DynFamily<HistogramWithExemplars>,
}

fn main() {
    let api = Api::register(&Registry::new()).unwrap();
    api.coarse.observe(1.0);
    api.by_route.get(Route::Search).observe(2.0);
    api.by_tenant.get(&["acme"]).observe(3.0);
    assert_eq!(api.fine.native_buckets().map(|n| n.schema()), Some(3));
    api.traced.observe(0.5);
    api.traced_by_tenant.get(&["acme"]).observe(4.0);
    let _ = (&api.both, Route::Home);
}
