//! Generated code names nothing the user can shadow: the derives still build with
//! `std`, `core` and the prelude's names redefined, inside modules and functions.
#![deny(warnings)]
#![allow(dead_code, non_camel_case_types, unused_macros)]

mod std {}
mod core {}
mod metrics_runtime {}
struct Result;
struct Ok;
struct Err;
struct Option;
struct Some;
struct None;
struct Box;
struct Vec;
struct String;
trait Send {}
trait Sync {}
trait Copy {}
trait Clone {}
trait FnMut {}
fn drop() {}
macro_rules! panic {
    ($($t:tt)*) => {};
}
macro_rules! file {
    () => {};
}
macro_rules! line {
    () => {};
}

mod nested {
    use ::metrics_runtime::{Counter, DynFamily, Family, Histogram, LabelSet, LabelValue, Metrics};

    #[derive(::core::clone::Clone, ::core::marker::Copy, LabelValue)]
    pub enum Outcome {
        Ok,
        Err,
    }

    #[derive(::core::clone::Clone, ::core::marker::Copy, LabelSet)]
    pub struct Labels {
        pub outcome: Outcome,
    }

    #[derive(Metrics)]
    #[metrics(namespace = "hygiene", labels(scope = "module"))]
    pub struct InModule {
        /// Calls by outcome.
        pub calls: Family<Labels, Counter>,
        /// Latency.
        #[metric(buckets = [0.5, 1.0])]
        pub latency: Histogram,
        /// Requests by route.
        #[metric(labels = ["route"])]
        pub requests: DynFamily<Counter>,
    }
}

fn main() {
    use ::metrics_runtime::{Format, Gauge, Metrics, Registry};

    #[derive(Metrics)]
    struct InFunction {
        /// Depth.
        hygiene_depth: Gauge,
    }

    let registry = Registry::new();
    let module = nested::InModule::register(&registry).unwrap();
    let function = InFunction::register(&registry).unwrap();
    module.calls.get(nested::Labels { outcome: nested::Outcome::Err }).inc();
    module.latency.observe(0.7);
    module.requests.get(&["/"]).inc();
    function.hygiene_depth.set(2);
    let text = registry.encode_to_string(Format::Text);
    assert!(text.contains(r#"hygiene_calls_total{scope="module",outcome="err"} 1"#));
    assert!(text.contains(r#"hygiene_latency_bucket{scope="module",le="1.0"} 1"#));
    assert!(text.contains(r#"hygiene_requests_total{scope="module",route="/"} 1"#));
    assert!(text.contains("hygiene_depth 2"));
}
