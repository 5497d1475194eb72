//! A `DynFamily` frees everything it allocated when dropped: its records (with
//! inline histogram counters), the native bucket tables a record points to, its
//! lookup table and its overflow series. A counting global allocator compares the
//! heap before the family and after it; this file holds one test so nothing else
//! allocates meanwhile.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use metrics_runtime::{
    Counter, DynFamily, FamilyDescriptor, Histogram, HistogramWithExemplars, LabelKind, Metric,
    MetricKind, NativeBuckets, exemplar::Exemplar, source_location,
};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call goes to `System` unchanged; only a counter is kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::SeqCst);
        // SAFETY: the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::SeqCst);
        // SAFETY: the caller upholds `dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A family of `kind` with a `route` label, `native` buckets if given, and a limit
/// of 200 series; leaked, as descriptors are `'static`.
fn descriptor(kind: MetricKind, native: Option<NativeBuckets>) -> &'static FamilyDescriptor {
    static BOUNDS: [f64; 12] =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
    Box::leak(Box::new(FamilyDescriptor {
        label_kind: LabelKind::Dynamic,
        label_names: &["route"],
        buckets: if kind == MetricKind::Histogram { &BOUNDS } else { &[] },
        native,
        max_series: 200,
        ..FamilyDescriptor::new("drops", "Drops.", kind, source_location!())
    }))
}

/// The heap a family of `M` keeps after 300 lookups (200 series and the overflow
/// one), each recording through `record`, and what is left once it is dropped.
fn kept_and_left<M: Metric>(
    descriptor: &'static FamilyDescriptor,
    record: impl Fn(M::Handle<'_>, u32),
) -> (isize, isize) {
    let routes: Vec<String> = (0..300).map(|i| format!("/api/v1/items/{i}")).collect();
    let before = LIVE.load(Ordering::SeqCst);
    let family = DynFamily::<M>::for_family(descriptor);
    for (i, route) in (0u32..).zip(&routes) {
        record(family.get(&[route]), i);
    }
    assert_eq!(family.len(), 200);
    assert_eq!(family.folded(), 100);
    let kept = LIVE.load(Ordering::SeqCst) - before;
    drop(family);
    (kept, LIVE.load(Ordering::SeqCst) - before)
}

#[test]
fn dropping_a_family_frees_every_series() {
    let native = || Some(NativeBuckets::from_schema(3).expect("schema 3 is valid"));
    let counters = descriptor(MetricKind::Counter, None);
    let classic = descriptor(MetricKind::Histogram, None);
    let natives = descriptor(MetricKind::Histogram, native());
    let traced = descriptor(MetricKind::Histogram, native());
    let exemplar = Exemplar::new(&[("trace_id", "4bf92f3577b34da6")]).expect("a valid exemplar");
    // Values spread over many native buckets, so that their tables grow.
    let value = |i: u32| 1e-3 * 1.07f64.powi(i as i32 % 120);

    for round in 0..2 {
        let results = [
            ("counter", kept_and_left::<Counter>(counters, |c, _| c.inc())),
            ("histogram", kept_and_left::<Histogram>(classic, |h, i| h.observe(value(i)))),
            ("native", kept_and_left::<Histogram>(natives, |h, i| h.observe(value(i)))),
            (
                "native, exemplars",
                kept_and_left::<HistogramWithExemplars>(traced, |h, i| {
                    h.observe_with_exemplar(value(i), &exemplar)
                }),
            ),
        ];
        // The first round may leave what a process sets up once (thread-locals).
        if round == 1 {
            for (what, (kept, left)) in results {
                assert!(kept > 200 * 8, "{what}: {kept} bytes for 200 series?");
                assert_eq!(left, 0, "{what}: {left} of {kept} bytes not freed");
            }
        }
    }
}
