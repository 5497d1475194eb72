//! Families written by hand (not derived) for the server tests: one whose
//! collection takes a while, one whose collection panics on demand.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use metrics_runtime::collect::{CollectFamily, SeriesSink, Value};
use metrics_runtime::{
    FamilyDescriptor, LabelValues, MetricKind, Metrics, Registry, source_location,
};

/// A gauge whose collection takes `delay`: for the concurrency, timeout and
/// shutdown tests.
pub struct Slow {
    pub delay: Duration,
}

pub static SLOW: FamilyDescriptor = FamilyDescriptor {
    struct_name: "Slow",
    field_name: "value",
    ..FamilyDescriptor::new(
        "slow_collection_value",
        "A gauge that takes a while to read.",
        MetricKind::Gauge,
        source_location!(),
    )
};

impl CollectFamily for Slow {
    fn collect(&self, sink: &mut dyn SeriesSink) {
        std::thread::sleep(self.delay);
        sink.gauge(&LabelValues::EMPTY, Value::Int(7));
    }
}

impl Metrics for Slow {
    fn new_unregistered() -> Self {
        Self { delay: Duration::ZERO }
    }
    fn for_each_family(
        &self,
        visit: &mut dyn FnMut(&'static FamilyDescriptor, &dyn CollectFamily),
    ) {
        visit(&SLOW, self);
    }
}

/// A registry whose collection takes `delay`.
pub fn slow_registry(delay: Duration) -> Arc<Registry> {
    let registry = Arc::new(Registry::new());
    registry.register(Slow { delay }).expect("registers");
    registry
}

/// A user `Metrics` impl whose `for_each_family` panics while `panics_left` is above
/// zero (counting down), after it has visited nothing.
pub struct Panicking {
    pub panics_left: Arc<AtomicUsize>,
}

pub static PANICKING: FamilyDescriptor = FamilyDescriptor {
    name: "panicking_collection_value",
    struct_name: "Panicking",
    location: source_location!(),
    ..SLOW
};

impl Metrics for Panicking {
    fn new_unregistered() -> Self {
        Self { panics_left: Arc::default() }
    }
    fn for_each_family(
        &self,
        visit: &mut dyn FnMut(&'static FamilyDescriptor, &dyn CollectFamily),
    ) {
        let left = self.panics_left.load(Ordering::Relaxed);
        if left > 0 {
            self.panics_left.store(left - 1, Ordering::Relaxed);
            panic!("a user collector failed (on purpose, in a test)");
        }
        visit(&PANICKING, &Slow { delay: Duration::ZERO });
    }
}
