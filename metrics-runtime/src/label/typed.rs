use core::marker::PhantomData;

use super::{LabelSet, LabelValues};
use crate::collect::SeriesSink;
use crate::descriptor::FamilyDescriptor;
use crate::metric::Metric;

/// A family whose label sets are all known at compile time: one pre-created series
/// per combination of `L`, every one exposed (at zero) from registration.
///
/// Looking up a series is an array index computed from the enum discriminants.
///
/// ```
/// use metrics_runtime::{Counter, Family, LabelValue, Metrics, Registry};
///
/// #[derive(Clone, Copy, LabelValue)]
/// #[label(name = "outcome")] // one label: the enum is the `LabelSet`
/// enum Outcome { Ok, Error }
///
/// #[derive(Metrics)]
/// struct Jobs {
///     /// Jobs finished.
///     finished: Family<Outcome, Counter>,
/// }
///
/// let registry = Registry::new();
/// let jobs = Jobs::register(&registry).unwrap();
/// jobs.finished.get(Outcome::Error).inc();
/// let text = registry.encode_to_string(metrics_runtime::Format::Text);
/// assert!(text.contains("finished_total{outcome=\"error\"} 1"));
/// assert!(text.contains("finished_total{outcome=\"ok\"} 0"));
/// ```
pub struct Family<L: LabelSet, M> {
    series: Box<[M]>,
    labels: PhantomData<fn(L)>,
}

impl<L: LabelSet, M: Metric> Family<L, M> {
    /// Creates every series of the family described by `descriptor`.
    pub fn for_family(descriptor: &'static FamilyDescriptor) -> Self {
        let series = (0..L::CARDINALITY).map(|_| M::for_family(descriptor)).collect();
        Self { series, labels: PhantomData }
    }

    /// The series for `labels`.
    #[inline]
    pub fn get(&self, labels: L) -> &M {
        &self.series[labels.index()]
    }

    pub(crate) fn collect(&self, sink: &mut dyn SeriesSink) {
        let mut values: Vec<&'static str> = Vec::with_capacity(L::NAMES.len());
        for (index, series) in self.series.iter().enumerate() {
            values.clear();
            values.extend((0..L::NAMES.len()).map(|label| L::value(index, label)));
            let labels = LabelValues { names: L::NAMES, values: &values };
            series.collect_series(&labels, sink);
        }
    }
}

impl<L: LabelSet, M> core::fmt::Debug for Family<L, M> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Family")
            .field("labels", &L::NAMES)
            .field("series", &self.series.len())
            .finish()
    }
}
