//! Cardinality overflow of a dynamic family: past its limit every new label set
//! folds into the `__overflow__` series, each folded lookup is counted in
//! `metrics_runtime_cardinality_overflow_total{family=…}`, and memory stays flat
//! however many distinct values arrive.
//!
//! This binary counts its allocations with a global allocator, per thread, so that
//! tests running in parallel do not disturb each other's measurement.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

use metrics_runtime::{Counter, DynFamily, Format, Metrics, OVERFLOW_LABEL_VALUE, Registry};

/// The system allocator, counting the bytes each thread holds.
struct Counting;

thread_local! {
    static LIVE_BYTES: Cell<isize> = const { Cell::new(0) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note(bytes: isize, allocations: usize) {
    // `try_with`: the allocator also runs while a thread's locals are torn down.
    let _ = LIVE_BYTES.try_with(|live| live.set(live.get() + bytes));
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + allocations));
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as isize, 1);
        // SAFETY: the caller's contract is `System::alloc`'s.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-(layout.size() as isize), 0);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size as isize - layout.size() as isize, 1);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_bytes() -> isize {
    LIVE_BYTES.with(Cell::get)
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// `n` in decimal, written into `buf` without allocating.
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap()
}

#[derive(Metrics)]
#[metrics(namespace = "card")]
struct Users {
    /// Logins by user (capped).
    #[metric(labels = ["user", "site"], max_series = 100)]
    logins: DynFamily<Counter>,
}

#[test]
fn overflow_series_and_self_metric_count_every_folded_lookup() {
    let registry = Registry::new();
    let users = Users::register(&registry).unwrap();
    let mut buf = [0u8; 20];
    for user in 0..100 {
        users.logins.get(&[decimal(user, &mut buf), "eu"]).inc();
    }
    // 50 new label sets, each looked up twice: 100 folded lookups. Existing label
    // sets are not folded; a wrong number of values is.
    for user in 100..150 {
        users.logins.get(&[decimal(user, &mut buf), "eu"]).inc();
        users.logins.get(&[decimal(user, &mut buf), "eu"]).inc_by(2);
        users.logins.get(&["7", "eu"]).inc();
    }
    users.logins.get(&["only one value"]).inc_by(10);
    assert_eq!(users.logins.len(), 100);
    assert_eq!(users.logins.folded(), 101);

    for format in support::FORMATS {
        let (out, parsed) = support::scrape(&registry, format);
        let name = match format {
            Format::OpenMetrics => "card_logins",
            _ => "card_logins_total",
        };
        let family = parsed.family(name).unwrap();
        assert_eq!(family.samples.len(), 101, "100 series and the overflow one");
        let overflow: Vec<_> = family
            .samples
            .iter()
            .filter(|s| s.label("user") == Some(OVERFLOW_LABEL_VALUE))
            .collect();
        assert_eq!(overflow.len(), 1);
        assert_eq!(overflow[0].label("site"), Some(OVERFLOW_LABEL_VALUE));
        assert_eq!(overflow[0].value, 50.0 * 3.0 + 10.0);
        assert_eq!(
            family.samples.iter().find(|s| s.label("user") == Some("7")).unwrap().value,
            51.0
        );
        let line = "metrics_runtime_cardinality_overflow_total{family=\"card_logins\"} 101\n";
        assert!(out.contains(line), "{format:?}: missing {line:?}");
    }
}

#[test]
fn memory_stays_flat_under_a_million_distinct_values() {
    let at_start = live_bytes();
    let registry = Registry::new();
    let users = Users::register(&registry).unwrap();
    let mut buf = [0u8; 20];
    for user in 0..100 {
        users.logins.get(&[decimal(user, &mut buf), "eu"]).inc();
    }
    let (bytes_before, allocations_before) = (live_bytes(), allocations());
    let full = bytes_before - at_start;
    let started = Instant::now();
    for user in 100..1_000_100 {
        users.logins.get(&[decimal(user, &mut buf), "eu"]).inc();
    }
    let elapsed = started.elapsed();
    let (grown, allocated) = (live_bytes() - bytes_before, allocations() - allocations_before);
    println!(
        "1,000,000 distinct values at a family capped at 100 series: {grown} bytes held more, \
         {allocated} allocations, in {elapsed:?}"
    );
    support::figure(
        "cardinality: bytes held by the registry and the family at its cap of 100",
        full,
        "B",
    );
    support::figure(
        "cardinality: bytes held more after 1,000,000 distinct values (cap 100)",
        grown,
        "B",
    );
    support::figure("cardinality: allocations while folding them", allocated, "");
    support::figure(
        "cardinality: folded lookups per second",
        format!("{:.0}", 1e6 / elapsed.as_secs_f64()),
        "lookups/s",
    );
    assert_eq!(users.logins.folded(), 1_000_000);
    assert_eq!(users.logins.len(), 100);
    // Folding allocates nothing: not a byte held, not one allocation made.
    assert_eq!(grown, 0, "memory grew by {grown} bytes");
    assert_eq!(allocated, 0, "{allocated} allocations while folding");
    assert!(elapsed < Duration::from_secs(60), "a million lookups took {elapsed:?}");
    let out = registry.encode_to_string(Format::OpenMetrics);
    assert!(
        out.contains("card_logins_total{user=\"__overflow__\",site=\"__overflow__\"} 1000000\n")
    );
}
