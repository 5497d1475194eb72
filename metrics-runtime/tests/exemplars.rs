//! Exemplars through a registry: written in OpenMetrics on the sample they belong
//! to, read back by the independent parser in `support/parser.rs` and by
//! Prometheus' own OpenMetrics parser (promtool), left out of the text format, and
//! whole under concurrent recording.

mod support;

use metrics_runtime::exemplar::Exemplar;
use metrics_runtime::{
    CounterWithExemplar, DynFamily, Family, Format, HistogramWithExemplars, LabelValue, Metrics,
    Registry,
};
use support::parser::Sample;

#[derive(Clone, Copy, LabelValue)]
#[label(name = "route")]
enum Route {
    Home,
    Search,
}

#[derive(Metrics)]
#[metrics(namespace = "ex")]
struct Api {
    /// Requests.
    requests: CounterWithExemplar,
    /// Latency by route.
    #[metric(buckets = [0.1, 0.5, 1.0], unit = "seconds")]
    latency: Family<Route, HistogramWithExemplars>,
    /// Tokens by model.
    #[metric(labels = ["model"])]
    tokens: DynFamily<CounterWithExemplar>,
}

fn trace(id: &str) -> Exemplar {
    Exemplar::new(&[("trace_id", id)]).unwrap()
}

fn exemplar_trace(sample: &Sample) -> Option<&str> {
    let exemplar = sample.exemplar.as_ref()?;
    exemplar.labels.iter().find(|(k, _)| k == "trace_id").map(|(_, v)| v.as_str())
}

fn record(api: &Api) {
    api.requests.inc();
    api.requests.inc_with_exemplar(&trace("aaaa"));
    api.latency.get(Route::Search).observe_with_exemplar(0.3, &trace("bbbb"));
    api.latency.get(Route::Search).observe_with_exemplar(7.0, &trace("cccc"));
    api.latency.get(Route::Search).observe(0.05);
    api.tokens.get(&["small"]).inc_by_with_exemplar(120, &trace("dddd"));
}

#[test]
fn exemplars_sit_on_the_total_and_on_the_bucket_of_their_observation() {
    let registry = Registry::new();
    let api = Api::register(&registry).unwrap();
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        .floor();
    record(&api);
    let (out, parsed) = support::scrape(&registry, Format::OpenMetrics);

    let requests = &parsed.family("ex_requests").unwrap().samples[0];
    assert_eq!(requests.value, 2.0);
    assert_eq!(exemplar_trace(requests), Some("aaaa"), "{out}");
    let exemplar = requests.exemplar.as_ref().unwrap();
    assert_eq!(exemplar.value, 1.0);
    let timestamp = exemplar.timestamp.unwrap();
    assert!(timestamp >= before && timestamp < before + 60.0, "{timestamp} {out}");

    let latency = parsed.family("ex_latency_seconds").unwrap();
    let bucket = |route: &str, le: &str| {
        latency
            .samples
            .iter()
            .find(|s| s.label("route") == Some(route) && s.label("le") == Some(le))
            .unwrap()
    };
    assert_eq!(exemplar_trace(bucket("search", "0.5")), Some("bbbb"), "{out}");
    assert_eq!(bucket("search", "0.5").exemplar.as_ref().unwrap().value, 0.3);
    assert_eq!(exemplar_trace(bucket("search", "+Inf")), Some("cccc"), "{out}");
    for le in ["0.1", "1.0"] {
        assert_eq!(bucket("search", le).exemplar, None, "{out}");
    }
    assert!(
        latency
            .samples
            .iter()
            .filter(|s| s.label("route") == Some("home"))
            .all(|s| s.exemplar.is_none())
    );
    assert_eq!(support::parser::check_histograms(&parsed), Ok(2));

    let tokens = &parsed.family("ex_tokens").unwrap().samples[0];
    assert_eq!((tokens.value, exemplar_trace(tokens)), (120.0, Some("dddd")));
    assert_eq!(tokens.exemplar.as_ref().unwrap().value, 120.0);

    // The text format has no exemplars; the same registry still parses there.
    let (text, _) = support::scrape(&registry, Format::Text);
    assert!(!text.contains("trace_id") && !text.contains(" # "), "{text}");
}

/// Recording from several threads while scraping: every scrape parses, and every
/// exemplar is one that was recorded whole (its trace id says which value it came
/// with, and the value falls in the bucket it is shown on).
#[test]
fn scrapes_during_recording_see_whole_exemplars() {
    let registry = Registry::new();
    let api = Api::register(&registry).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut seen = 0;
    std::thread::scope(|s| {
        for thread in 0..2u64 {
            let (api, stop) = (&api, &stop);
            s.spawn(move || {
                let mut i = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) && i < 2_000_000 {
                    let value = (i % 13) as f64 / 10.0;
                    let id = format!("{thread}-{i}-{}", "v".repeat((i % 13) as usize));
                    api.latency.get(Route::Home).observe_with_exemplar(value, &trace(&id));
                    api.requests.inc_with_exemplar(&trace(&id));
                    i += 1;
                }
            });
        }
        for _ in 0..200 {
            let (_, parsed) = support::scrape(&registry, Format::OpenMetrics);
            for sample in &parsed.family("ex_latency_seconds").unwrap().samples {
                let Some(id) = exemplar_trace(sample) else { continue };
                let exemplar = sample.exemplar.as_ref().unwrap();
                let tenths = id.rsplit('-').next().unwrap().len() as f64;
                assert_eq!(exemplar.value, tenths / 10.0, "{id}");
                let le = support::parser::parse_float(sample.label("le").unwrap()).unwrap();
                assert!(exemplar.value <= le, "{id} shown on le={le}");
                seen += 1;
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    assert!(seen > 0);
}

/// Prometheus' own OpenMetrics parser (`promtool tsdb create-blocks-from
/// openmetrics`) reads the exemplars. Skipped, saying so, without promtool on `PATH`.
#[test]
fn promtool_reads_the_exemplars() {
    let Some(promtool) = support::promtool() else {
        eprintln!("SKIPPED: promtool is not on PATH");
        return;
    };
    let registry = Registry::new();
    record(&Api::register(&registry).unwrap());
    let om = registry.encode_to_string(Format::OpenMetrics);
    assert!(om.matches(" # {trace_id=").count() >= 4, "{om}");
    // A block wants a timestamp on every sample: before the exemplar, if any.
    let stamped: String = om
        .split_inclusive('\n')
        .map(|line| match line.strip_suffix('\n') {
            Some(sample) if !sample.starts_with('#') => match sample.split_once(" # ") {
                Some((sample, exemplar)) => format!("{sample} 1700000000 # {exemplar}\n"),
                None => format!("{sample} 1700000000\n"),
            },
            _ => line.to_owned(),
        })
        .collect();
    let (ok, said) = support::promtool_openmetrics(&promtool, &stamped, "exemplars");
    assert!(ok, "promtool's OpenMetrics parser: {said}\n{stamped}");
}
