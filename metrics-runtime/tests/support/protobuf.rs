//! An independent decoder of the protobuf exposition: the official
//! `io/prometheus/client/metrics.proto` (vendored in `tests/proto/`, from
//! prometheus/client_model) compiled at test time by protobuf-parse's pure-Rust
//! parser, messages read through the protobuf crate's dynamic reflection. No code is
//! shared with the encoder under test.

use std::sync::OnceLock;

use protobuf::reflect::{FileDescriptor, MessageDescriptor, ReflectValueRef};
use protobuf::{CodedInputStream, MessageDyn};

use super::parser::{Exposition, Family, Sample};

/// One decoded `MetricFamily`.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFamily {
    pub name: String,
    pub help: String,
    /// The `MetricType` enum's name (`COUNTER`, `HISTOGRAM`...).
    pub kind: String,
    pub metrics: Vec<Metric>,
}

/// One decoded `Metric`.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub labels: Vec<(String, String)>,
    /// Which of `counter`, `gauge`, `untyped`, `summary`, `histogram` is set.
    pub field: String,
    /// The `value` of a counter, gauge or untyped metric.
    pub value: Option<f64>,
    /// A counter's exemplar.
    pub exemplar: Option<Exemplar>,
    pub summary: Option<Summary>,
    pub histogram: Option<Histogram>,
}

/// A decoded `Exemplar`.
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar {
    pub labels: Vec<(String, String)>,
    pub value: f64,
    /// `(seconds, nanos)` of its timestamp.
    pub timestamp: Option<(i64, i32)>,
}

/// A decoded `Summary`.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub count: u64,
    pub sum: f64,
    pub quantiles: Vec<(f64, f64)>,
}

/// A decoded `Histogram`, classic and native parts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Histogram {
    pub count: u64,
    pub sum: f64,
    /// `(upper_bound, cumulative_count)`.
    pub buckets: Vec<(f64, u64)>,
    /// Each bucket's exemplar, in the order of `buckets`.
    pub exemplars: Vec<Option<Exemplar>>,
    /// `None` when the field is absent.
    pub schema: Option<i32>,
    pub zero_threshold: Option<f64>,
    pub zero_count: Option<u64>,
    pub negative_spans: Vec<(i32, u32)>,
    pub negative_deltas: Vec<i64>,
    pub positive_spans: Vec<(i32, u32)>,
    pub positive_deltas: Vec<i64>,
}

impl Histogram {
    /// Whether Prometheus 2.42 ingests it as a native histogram (its
    /// `isNativeHistogram`), or newer ones (a span, even a no-op one).
    pub fn is_native(&self) -> bool {
        !self.negative_deltas.is_empty()
            || !self.positive_deltas.is_empty()
            || self.zero_count.unwrap_or(0) > 0
            || self.zero_threshold.unwrap_or(0.0) > 0.0
            || !self.positive_spans.is_empty()
    }

    /// The positive buckets as `(index, count)`, expanded from spans and deltas.
    pub fn positive(&self) -> Vec<(i32, u64)> {
        expand(&self.positive_spans, &self.positive_deltas)
    }

    /// The negative buckets as `(index, count)`.
    pub fn negative(&self) -> Vec<(i32, u64)> {
        expand(&self.negative_spans, &self.negative_deltas)
    }
}

/// The spec's decoding: the first span's offset is an index, the next ones gaps;
/// each delta is a count minus the previous bucket's. Empty buckets are left out.
fn expand(spans: &[(i32, u32)], deltas: &[i64]) -> Vec<(i32, u64)> {
    let lengths: u32 = spans.iter().map(|(_, l)| l).sum();
    assert_eq!(lengths as usize, deltas.len(), "span lengths must add up to the deltas");
    let (mut out, mut index, mut count, mut d) = (Vec::new(), 0i32, 0i64, 0);
    for (i, (offset, length)) in spans.iter().enumerate() {
        index = if i == 0 { *offset } else { index + offset };
        for _ in 0..*length {
            count += deltas[d];
            assert!(count >= 0, "a delta made a bucket negative");
            d += 1;
            if count > 0 {
                out.push((index, count as u64));
            }
            index += 1;
        }
    }
    out
}

fn metric_family() -> &'static MessageDescriptor {
    static DESCRIPTOR: OnceLock<MessageDescriptor> = OnceLock::new();
    DESCRIPTOR.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/proto");
        let parsed = protobuf_parse::Parser::new()
            .pure()
            .include(dir)
            .input(format!("{dir}/metrics.proto"))
            .parse_and_typecheck()
            .expect("the vendored metrics.proto parses");
        let files = FileDescriptor::new_dynamic_fds(parsed.file_descriptors, &[])
            .expect("the vendored metrics.proto type-checks");
        files
            .iter()
            .find_map(|f| f.message_by_full_name(".io.prometheus.client.MetricFamily"))
            .expect("metrics.proto defines MetricFamily")
    })
}

/// Decodes a length-delimited stream of `MetricFamily` messages.
pub fn decode(bytes: &[u8]) -> Result<Vec<MetricFamily>, String> {
    let descriptor = metric_family();
    let mut input = CodedInputStream::from_bytes(bytes);
    let mut families = Vec::new();
    while !input.eof().map_err(|e| e.to_string())? {
        let len = input.read_raw_varint32().map_err(|e| e.to_string())?;
        let message = input.read_raw_bytes(len).map_err(|e| e.to_string())?;
        let family = descriptor.parse_from_bytes(&message).map_err(|e| e.to_string())?;
        families.push(family_of(&*family));
    }
    Ok(families)
}

fn get<'a>(m: &'a dyn MessageDyn, name: &str) -> Option<ReflectValueRef<'a>> {
    let descriptor = m.descriptor_dyn();
    let field = descriptor.field_by_name(name).unwrap_or_else(|| panic!("no field {name}"));
    field.get_singular(m)
}

fn repeated<'a>(m: &'a dyn MessageDyn, name: &str) -> Vec<ReflectValueRef<'a>> {
    let descriptor = m.descriptor_dyn();
    let field = descriptor.field_by_name(name).unwrap_or_else(|| panic!("no field {name}"));
    field.get_repeated(m).into_iter().collect()
}

fn string(m: &dyn MessageDyn, name: &str) -> String {
    get(m, name).and_then(|v| v.to_str().map(str::to_owned)).unwrap_or_default()
}

fn double(m: &dyn MessageDyn, name: &str) -> Option<f64> {
    get(m, name).and_then(|v| v.to_f64())
}

fn uint(m: &dyn MessageDyn, name: &str) -> Option<u64> {
    get(m, name).and_then(|v| v.to_u64().or_else(|| v.to_u32().map(u64::from)))
}

fn family_of(m: &dyn MessageDyn) -> MetricFamily {
    let kind = m.descriptor_dyn().field_by_name("type").map(|f| f.get_singular_field_or_default(m));
    let kind = match kind {
        Some(ReflectValueRef::Enum(descriptor, number)) => descriptor
            .value_by_number(number)
            .map_or_else(|| number.to_string(), |v| v.name().to_owned()),
        _ => "?".into(),
    };
    let metrics = repeated(m, "metric")
        .into_iter()
        .map(|v| metric_of(&*v.to_message().expect("metric is a message")))
        .collect();
    MetricFamily { name: string(m, "name"), help: string(m, "help"), kind, metrics }
}

fn metric_of(m: &dyn MessageDyn) -> Metric {
    let labels = repeated(m, "label")
        .into_iter()
        .map(|v| {
            let pair = v.to_message().expect("label is a message");
            (string(&*pair, "name"), string(&*pair, "value"))
        })
        .collect();
    let set: Vec<&str> = ["counter", "gauge", "untyped", "summary", "histogram"]
        .into_iter()
        .filter(|f| get(m, f).is_some())
        .collect();
    assert_eq!(set.len(), 1, "exactly one value message per metric, got {set:?}");
    let field = set[0].to_owned();
    let inner = get(m, &field).and_then(|v| v.to_message()).expect("a message");
    let inner = &*inner;
    let (mut value, mut summary, mut histogram, mut exemplar) = (None, None, None, None);
    match field.as_str() {
        "summary" => {
            summary = Some(Summary {
                count: uint(inner, "sample_count").unwrap_or(0),
                sum: double(inner, "sample_sum").unwrap_or(0.0),
                quantiles: repeated(inner, "quantile")
                    .into_iter()
                    .map(|q| {
                        let q = q.to_message().expect("quantile is a message");
                        (
                            double(&*q, "quantile").unwrap_or(0.0),
                            double(&*q, "value").unwrap_or(0.0),
                        )
                    })
                    .collect(),
            })
        }
        "histogram" => histogram = Some(histogram_of(inner)),
        "counter" => {
            value = double(inner, "value");
            exemplar = exemplar_of(inner);
        }
        _ => value = double(inner, "value"),
    }
    Metric { labels, field, value, exemplar, summary, histogram }
}

fn exemplar_of(m: &dyn MessageDyn) -> Option<Exemplar> {
    let e = get(m, "exemplar")?.to_message()?;
    let labels = repeated(&*e, "label")
        .into_iter()
        .map(|v| {
            let pair = v.to_message().expect("label is a message");
            (string(&*pair, "name"), string(&*pair, "value"))
        })
        .collect();
    let timestamp = get(&*e, "timestamp").and_then(|t| t.to_message()).map(|t| {
        let seconds = get(&*t, "seconds").and_then(|v| v.to_i64()).unwrap_or(0);
        let nanos = get(&*t, "nanos").and_then(|v| v.to_i32()).unwrap_or(0);
        (seconds, nanos)
    });
    Some(Exemplar { labels, value: double(&*e, "value").unwrap_or(0.0), timestamp })
}

fn spans(m: &dyn MessageDyn, name: &str) -> Vec<(i32, u32)> {
    repeated(m, name)
        .into_iter()
        .map(|s| {
            let s = s.to_message().expect("span is a message");
            let offset = get(&*s, "offset").and_then(|v| v.to_i32()).unwrap_or(0);
            let length = get(&*s, "length").and_then(|v| v.to_u32()).unwrap_or(0);
            (offset, length)
        })
        .collect()
}

fn deltas(m: &dyn MessageDyn, name: &str) -> Vec<i64> {
    repeated(m, name).into_iter().map(|d| d.to_i64().expect("sint64")).collect()
}

fn histogram_of(m: &dyn MessageDyn) -> Histogram {
    let exemplars = repeated(m, "bucket")
        .into_iter()
        .map(|b| exemplar_of(&*b.to_message().expect("bucket is a message")))
        .collect();
    Histogram {
        exemplars,
        count: uint(m, "sample_count").unwrap_or(0),
        sum: double(m, "sample_sum").unwrap_or(0.0),
        buckets: repeated(m, "bucket")
            .into_iter()
            .map(|b| {
                let b = b.to_message().expect("bucket is a message");
                (
                    double(&*b, "upper_bound").unwrap_or(0.0),
                    uint(&*b, "cumulative_count").unwrap_or(0),
                )
            })
            .collect(),
        schema: get(m, "schema").and_then(|v| v.to_i32()),
        zero_threshold: double(m, "zero_threshold"),
        zero_count: uint(m, "zero_count"),
        negative_spans: spans(m, "negative_span"),
        negative_deltas: deltas(m, "negative_delta"),
        positive_spans: spans(m, "positive_span"),
        positive_deltas: deltas(m, "positive_delta"),
    }
}

/// The samples a text-format scrape of the same registry has, the way Prometheus's
/// protobuf parser unfolds a family that it does not ingest as native: a counter's
/// name is the family's; a histogram gives `_bucket` (with `+Inf`, the count), `_sum`
/// and `_count`; a summary its quantiles, `_sum` and `_count`. `le` and `quantile`
/// are written as Rust prints the float; compare with [`normalized`].
pub fn as_text(families: &[MetricFamily]) -> Exposition {
    let mut exposition = Exposition::default();
    for family in families {
        let kind = match family.kind.as_str() {
            "UNTYPED" => "untyped".to_owned(),
            other => other.to_ascii_lowercase(),
        };
        let mut samples = Vec::new();
        let mut push =
            |suffix: &str, labels: &[(String, String)], extra: Option<(&str, f64)>, value: f64| {
                let mut labels = labels.to_vec();
                if let Some((name, v)) = extra {
                    labels.push((name.to_owned(), float(v)));
                }
                let name = format!("{}{suffix}", family.name);
                samples.push(Sample { name, labels, value, raw: String::new(), exemplar: None });
            };
        for metric in &family.metrics {
            if let Some(h) = &metric.histogram {
                // An explicit `+Inf` bucket (there to carry an exemplar) is the count.
                for (bound, count) in h.buckets.iter().filter(|(b, _)| *b != f64::INFINITY) {
                    push("_bucket", &metric.labels, Some(("le", *bound)), *count as f64);
                }
                push("_bucket", &metric.labels, Some(("le", f64::INFINITY)), h.count as f64);
                push("_sum", &metric.labels, None, h.sum);
                push("_count", &metric.labels, None, h.count as f64);
            } else if let Some(s) = &metric.summary {
                for (quantile, value) in &s.quantiles {
                    push("", &metric.labels, Some(("quantile", *quantile)), *value);
                }
                push("_sum", &metric.labels, None, s.sum);
                push("_count", &metric.labels, None, s.count as f64);
            } else {
                push("", &metric.labels, None, metric.value.unwrap_or(f64::NAN));
            }
        }
        exposition.families.push(Family {
            name: family.name.clone(),
            kind,
            help: Some(family.help.clone()),
            unit: None,
            samples,
        });
    }
    exposition
}

fn float(v: f64) -> String {
    if v == f64::INFINITY { "+Inf".to_owned() } else { format!("{v:?}") }
}

/// `exposition` with `le` and `quantile` values reprinted the way [`as_text`] prints
/// them, raw values dropped and NaN made comparable: two scrapes of the same data
/// in different formats compare equal.
pub fn normalized(exposition: &Exposition) -> Exposition {
    let mut out = exposition.clone();
    // The protobuf exposition leaves families without series out.
    out.families.retain(|f| !f.samples.is_empty());
    for family in &mut out.families {
        for sample in &mut family.samples {
            // NaN is not equal to itself: compare it as a marker instead.
            sample.raw = if sample.value.is_nan() { "NaN".into() } else { String::new() };
            if sample.value.is_nan() {
                sample.value = 0.0;
            }
            for (name, value) in &mut sample.labels {
                if name == "le" || name == "quantile" {
                    let parsed = super::parser::parse_float(value).expect("a float label");
                    *value = float(parsed);
                }
            }
        }
    }
    out
}
