//! `#[timed]` at run time: every way a call can end is counted, timed and exposed.

use std::sync::Mutex;
use std::time::Duration;

use metrics_runtime::{Format, default_registry, timed};

/// Tests read one shared exposition; each test times functions of its own.
fn exposition() -> String {
    default_registry().encode_to_string(Format::Text)
}

fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

fn calls(function: &str, outcome: &str) -> u64 {
    let series = format!(
        "function_calls_total{{function=\"{function}\",module=\"timed\",outcome=\"{outcome}\"}}"
    );
    sample(&exposition(), &series).unwrap_or_else(|| panic!("no series {series}")) as u64
}

fn durations(function: &str) -> u64 {
    let series =
        format!("function_duration_seconds_count{{function=\"{function}\",module=\"timed\"}}");
    sample(&exposition(), &series).unwrap_or_else(|| panic!("no series {series}")) as u64
}

fn in_flight(function: &str) -> i64 {
    let series = format!("function_calls_in_flight{{function=\"{function}\",module=\"timed\"}}");
    sample(&exposition(), &series).unwrap_or_else(|| panic!("no series {series}")) as i64
}

#[timed]
fn parse_number(s: &str) -> Result<u32, std::num::ParseIntError> {
    let n = s.trim().parse::<u32>()?;
    if n == 0 {
        return Ok(1);
    }
    Ok(n)
}

#[test]
fn sync_results_are_ok_or_error_by_value() {
    assert_eq!(parse_number("7"), Ok(7));
    assert_eq!(parse_number("0"), Ok(1));
    assert!(parse_number("x").is_err());
    assert_eq!(calls("parse_number", "ok"), 2);
    assert_eq!(calls("parse_number", "error"), 1);
    assert_eq!(durations("parse_number"), 3);
}

#[timed]
fn never_called() {}

#[test]
fn series_exist_at_zero_before_the_first_call() {
    let _ = never_called as fn();
    for outcome in ["ok", "error", "panicked", "cancelled"] {
        assert_eq!(calls("never_called", outcome), 0);
    }
    assert_eq!(durations("never_called"), 0);
}

#[timed(in_flight)]
fn explode(really: bool) -> u8 {
    if really {
        panic!("boom");
    }
    1
}

#[test]
fn a_panic_is_recorded_and_keeps_unwinding() {
    let caught = std::panic::catch_unwind(|| explode(true));
    assert!(caught.is_err());
    assert_eq!(explode(false), 1);
    assert_eq!(calls("explode", "panicked"), 1);
    assert_eq!(calls("explode", "ok"), 1);
    assert_eq!(durations("explode"), 2);
    assert_eq!(in_flight("explode"), 0);
}

#[timed(in_flight)]
async fn slow_lookup(delay_ms: u64) -> Result<&'static str, String> {
    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    if delay_ms == 1 {
        return Err("not found".to_owned());
    }
    Ok("found")
}

#[tokio::test]
async fn a_dropped_future_is_cancelled_and_leaves_nothing_in_flight() {
    assert_eq!(slow_lookup(0).await, Ok("found"));
    assert!(slow_lookup(1).await.is_err());
    let timed_out = tokio::time::timeout(Duration::from_millis(5), slow_lookup(10_000)).await;
    assert!(timed_out.is_err());
    assert_eq!(calls("slow_lookup", "ok"), 1);
    assert_eq!(calls("slow_lookup", "error"), 1);
    assert_eq!(calls("slow_lookup", "cancelled"), 1);
    assert_eq!(durations("slow_lookup"), 3);
    assert_eq!(in_flight("slow_lookup"), 0);
}

#[timed(in_flight)]
async fn panics_in_task() -> u8 {
    tokio::task::yield_now().await;
    panic!("task failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_a_spawned_task_is_panicked_not_cancelled() {
    let joined = tokio::spawn(panics_in_task()).await;
    assert!(joined.unwrap_err().is_panic());
    assert_eq!(calls("panics_in_task", "panicked"), 1);
    assert_eq!(calls("panics_in_task", "cancelled"), 0);
    assert_eq!(in_flight("panics_in_task"), 0);
}

#[timed]
fn counted_from_threads(i: u64) -> u64 {
    i.wrapping_mul(31)
}

#[test]
fn n_calls_from_several_threads_count_exactly_n() {
    const THREADS: u64 = 4;
    const CALLS: u64 = 25_000;
    std::thread::scope(|s| {
        for t in 0..THREADS {
            s.spawn(move || {
                for i in 0..CALLS {
                    std::hint::black_box(counted_from_threads(t * CALLS + i));
                }
            });
        }
    });
    assert_eq!(calls("counted_from_threads", "ok"), THREADS * CALLS);
    assert_eq!(durations("counted_from_threads"), THREADS * CALLS);
}

struct Response {
    status: u16,
}

impl metrics_runtime::TimedOutcome for Response {
    fn is_error(&self) -> bool {
        self.status >= 500
    }
}

#[timed]
fn respond(status: u16) -> Response {
    Response { status }
}

#[test]
fn a_user_type_classifies_itself() {
    assert_eq!(respond(200).status, 200);
    assert_eq!(respond(503).status, 503);
    assert_eq!(calls("respond", "ok"), 1);
    assert_eq!(calls("respond", "error"), 1);
}

#[timed(name = "checkout", labels(team = "payments"), buckets = [0.001, 0.01, 0.1])]
fn checkout() {}

#[test]
fn a_named_function_gets_its_own_families() {
    checkout();
    let text = exposition();
    assert!(text.contains(
        "checkout_calls_total{function=\"checkout\",module=\"timed\",team=\"payments\",outcome=\"ok\"} 1"
    ));
    assert!(text.contains("checkout_duration_seconds_bucket{function=\"checkout\",module=\"timed\",team=\"payments\",le=\"0.1\"} 1"));
    assert!(text.contains("# TYPE checkout_duration_seconds histogram"));
}

struct Cache {
    hits: Mutex<u32>,
}

#[timed]
impl Cache {
    fn hit(&self) -> u32 {
        let mut hits = self.hits.lock().unwrap();
        *hits += 1;
        *hits
    }

    #[timed(skip)]
    fn untimed(&self) -> u32 {
        0
    }

    async fn hit_later(&self) -> u32 {
        tokio::task::yield_now().await;
        self.hit()
    }
}

#[tokio::test]
async fn an_impl_block_times_every_method_but_skipped_ones() {
    let cache = Cache { hits: Mutex::new(0) };
    assert_eq!(cache.hit(), 1);
    assert_eq!(cache.hit_later().await, 2);
    assert_eq!(cache.untimed(), 0);
    assert_eq!(calls("hit", "ok"), 2);
    assert_eq!(calls("hit_later", "ok"), 1);
    assert!(!exposition().contains("function=\"untimed\""));
    assert!(timed::timed_functions().any(|f| f.function == "hit_later"));
}

#[async_trait::async_trait]
trait Loader {
    async fn load(&self, key: u32) -> Result<u32, String>;
}

struct MethodLevel;

#[async_trait::async_trait]
impl Loader for MethodLevel {
    #[timed]
    async fn load(&self, key: u32) -> Result<u32, String> {
        tokio::task::yield_now().await;
        if key == 0 { Err("zero".to_owned()) } else { Ok(key) }
    }
}

struct TimedOutside;

#[timed]
#[async_trait::async_trait]
impl Loader for TimedOutside {
    async fn load(&self, key: u32) -> Result<u32, String> {
        tokio::time::sleep(Duration::from_millis(u64::from(key))).await;
        Ok(key)
    }
}

mod inside {
    use metrics_runtime::timed;

    pub struct TimedInside;

    #[async_trait::async_trait]
    #[timed]
    impl super::Loader for TimedInside {
        async fn load(&self, key: u32) -> Result<u32, String> {
            if key == 0 { Err("zero".to_owned()) } else { Ok(key) }
        }
    }
}

#[tokio::test]
async fn async_trait_methods_are_timed_to_completion_in_every_order() {
    assert_eq!(MethodLevel.load(0).await, Err("zero".to_owned()));
    assert_eq!(MethodLevel.load(2).await, Ok(2));
    let cancelled = tokio::time::timeout(Duration::from_millis(5), TimedOutside.load(10_000)).await;
    assert!(cancelled.is_err());
    assert_eq!(inside::TimedInside.load(0).await, Err("zero".to_owned()));
    let text = exposition();
    let series = |module: &str, outcome: &str| {
        let s = format!(
            "function_calls_total{{function=\"load\",module=\"{module}\",outcome=\"{outcome}\"}}"
        );
        sample(&text, &s).unwrap_or_else(|| panic!("no series {s}")) as u64
    };
    // `MethodLevel` and `TimedOutside` share the labels {function="load", module="timed"}:
    // their series are summed, never repeated.
    assert_eq!(series("timed", "ok"), 1);
    assert_eq!(series("timed", "error"), 1);
    assert_eq!(series("timed", "cancelled"), 1);
    assert_eq!(series("timed::inside", "error"), 1);
}

#[timed(fast_clock)]
fn timed_with_the_tsc(ms: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(ms));
    ms
}

#[test]
fn the_fast_clock_measures_real_durations() {
    assert_eq!(timed_with_the_tsc(30), 30);
    let text = exposition();
    let sum = sample(
        &text,
        "function_duration_seconds_sum{function=\"timed_with_the_tsc\",module=\"timed\"}",
    )
    .unwrap();
    assert!((0.025..2.0).contains(&sum), "measured {sum} s for a 30 ms sleep");
}

#[derive(Debug)]
enum StoreError {
    NotFound,
    Timeout,
}

impl metrics_runtime::TimedErrorKind for StoreError {
    fn error_kind(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Timeout => "timeout",
        }
    }
}

#[timed(error_kind)]
async fn fetch(key: u32) -> Result<u32, StoreError> {
    match key {
        0 => Err(StoreError::NotFound),
        1 => Err(StoreError::Timeout),
        _ => Ok(key),
    }
}

#[timed(error_kind)]
fn parse_port(s: &str) -> Result<u16, std::num::ParseIntError> {
    s.parse()
}

#[tokio::test]
async fn error_kinds_are_counted_beside_the_outcome() {
    assert!(fetch(0).await.is_err());
    assert!(fetch(0).await.is_err());
    assert!(fetch(1).await.is_err());
    assert_eq!(fetch(7).await.unwrap(), 7);
    assert!(parse_port("http").is_err());
    assert_eq!(calls("fetch", "error"), 3);
    let text = exposition();
    let kind = |function: &str, kind: &str| {
        let series = format!(
            "function_errors_total{{function=\"{function}\",module=\"timed\",error_kind=\"{kind}\"}}"
        );
        sample(&text, &series).unwrap_or_else(|| panic!("no series {series}")) as u64
    };
    assert_eq!(kind("fetch", "not_found"), 2);
    assert_eq!(kind("fetch", "timeout"), 1);
    assert_eq!(kind("parse_port", "ParseIntError"), 1);
}

mod exemplars {
    use std::cell::Cell;

    use metrics_runtime::exemplar::{self, TraceId};
    use metrics_runtime::{Format, default_registry, timed};

    thread_local! {
        static TRACE: Cell<Option<TraceId>> = const { Cell::new(None) };
    }

    fn from_thread_local() -> Option<TraceId> {
        TRACE.with(Cell::get)
    }

    fn in_trace<T>(id: u128, f: impl FnOnce() -> T) -> T {
        // Every test of this binary shares the process-wide source; setting it twice
        // keeps the first, which is this same function.
        exemplar::set_trace_id_source(from_thread_local);
        TRACE.with(|t| t.set(TraceId::from_u128(id)));
        let out = f();
        TRACE.with(|t| t.set(None));
        out
    }

    fn bucket_lines(function: &str) -> Vec<String> {
        let prefix = format!("function_duration_seconds_bucket{{function=\"{function}\",");
        default_registry()
            .encode_to_string(Format::OpenMetrics)
            .lines()
            .filter(|l| l.starts_with(&prefix))
            .map(str::to_owned)
            .collect()
    }

    #[timed(exemplars, buckets = [0.5, 60.0])]
    fn traced_sync() -> u32 {
        1
    }

    #[timed(exemplars, buckets = [0.5, 60.0])]
    async fn traced_async() -> Result<u32, String> {
        tokio::task::yield_now().await;
        Err("no".into())
    }

    #[timed(buckets = [0.5, 60.0])]
    fn untraced() {}

    #[test]
    fn the_trace_id_is_the_exemplar_of_the_bucket_the_duration_fell_in() {
        in_trace(0xabc, traced_sync);
        let lines = bucket_lines("traced_sync");
        assert_eq!(lines.len(), 3, "{lines:?}");
        let exemplar = "le=\"0.5\"} 1 # {trace_id=\"00000000000000000000000000000abc\"} ";
        assert!(lines[0].contains(exemplar), "{lines:?}");
        assert!(!lines[1].contains('#') && !lines[2].contains('#'), "{lines:?}");
        // Outside a trace the call is timed and the bucket keeps its exemplar.
        traced_sync();
        assert!(
            bucket_lines("traced_sync")[0]
                .contains("} 2 # {trace_id=\"00000000000000000000000000000abc\"} ")
        );
        assert!(!default_registry().encode_to_string(Format::Text).contains("trace_id"));
    }

    #[test]
    fn async_calls_keep_the_trace_id_they_end_in() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        in_trace(0xdef, || runtime.block_on(traced_async())).unwrap_err();
        let lines = bucket_lines("traced_async");
        assert!(
            lines[0].contains("} 1 # {trace_id=\"00000000000000000000000000000def\"} "),
            "{lines:?}"
        );
    }

    #[test]
    fn a_function_without_the_option_keeps_no_exemplar() {
        in_trace(0x123, untraced);
        let lines = bucket_lines("untraced");
        assert!(lines.iter().all(|l| !l.contains('#')), "{lines:?}");
    }
}
