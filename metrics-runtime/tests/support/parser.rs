//! A small, independent parser of both exposition formats, written from the specs
//! and sharing no code with the encoders under test:
//!
//! - text 0.0.4: <https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format>
//! - OpenMetrics 1.0: <https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md>
//!
//! It is strict where our encoders must be: every line ends with `\n`, only the
//! escapes each format defines, one metadata line of each kind per family, metadata
//! before samples, families not interleaved, sample names that belong to their
//! family's type, label names unique, OpenMetrics ends with `# EOF`.

use std::collections::HashSet;

/// Which format to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Prometheus text format 0.0.4.
    Text,
    /// OpenMetrics 1.0.0.
    OpenMetrics,
}

/// Label pairs in written order.
pub type Labels = Vec<(String, String)>;

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The sample name (`x_total`, `x_bucket`...).
    pub name: String,
    /// Labels in written order, unescaped.
    pub labels: Labels,
    /// The value, parsed.
    pub value: f64,
    /// The value as written.
    pub raw: String,
    /// The exemplar after the sample (OpenMetrics, on `_total` and `_bucket` only).
    pub exemplar: Option<Exemplar>,
}

/// An exemplar: ` # {labels} value [timestamp]` after a sample (OpenMetrics section
/// "Exemplars").
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar {
    /// Labels in written order, unescaped.
    pub labels: Labels,
    /// The exemplar's value.
    pub value: f64,
    /// Its timestamp in seconds, when written.
    pub timestamp: Option<f64>,
}

impl Sample {
    /// The value of label `name`.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// One family: its metadata and its samples.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Family {
    /// The name in `# TYPE` (text: a counter's with `_total`; OpenMetrics: without).
    pub name: String,
    /// The type word as written.
    pub kind: String,
    /// `# HELP`, unescaped.
    pub help: Option<String>,
    /// `# UNIT` (OpenMetrics only).
    pub unit: Option<String>,
    /// Its samples, in order.
    pub samples: Vec<Sample>,
}

/// A parsed exposition.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Exposition {
    /// Families in order.
    pub families: Vec<Family>,
}

impl Exposition {
    /// The family named `name` (as in its `# TYPE` line).
    pub fn family(&self, name: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.name == name)
    }
}

/// Parses `input`, or says which line is wrong and why.
pub fn parse(input: &str, syntax: Syntax) -> Result<Exposition, String> {
    let Some(body) = input.strip_suffix('\n') else {
        return Err("the exposition does not end with a newline".into());
    };
    let mut parser = Parser { syntax, exposition: Exposition::default(), seen: HashSet::new() };
    let mut eof = false;
    for (number, line) in body.split('\n').enumerate() {
        let at = |e: String| format!("line {}: {e}: {line:?}", number + 1);
        if eof {
            return Err(at("content after `# EOF`".into()));
        }
        if syntax == Syntax::OpenMetrics && line == "# EOF" {
            eof = true;
            continue;
        }
        parser.line(line).map_err(at)?;
    }
    if syntax == Syntax::OpenMetrics && !eof {
        return Err("OpenMetrics exposition without `# EOF`".into());
    }
    Ok(parser.exposition)
}

struct Parser {
    syntax: Syntax,
    exposition: Exposition,
    /// Family names already closed or open, to refuse a second declaration.
    seen: HashSet<String>,
}

impl Parser {
    fn line(&mut self, line: &str) -> Result<(), String> {
        if let Some(rest) = line.strip_prefix('#') {
            return self.comment(rest);
        }
        if line.is_empty() {
            return match self.syntax {
                Syntax::Text => Ok(()),
                Syntax::OpenMetrics => Err("empty line".into()),
            };
        }
        let sample = self.sample(line)?;
        let family = self.family_of(&sample.name)?;
        // "Exemplars MUST NOT be attached to" anything but a counter's `_total` and
        // a histogram's (or gauge histogram's) `_bucket`.
        if sample.exemplar.is_some() {
            let ok = match family.kind.as_str() {
                "counter" => sample.name.ends_with("_total"),
                "histogram" | "gaugehistogram" => sample.name.ends_with("_bucket"),
                _ => false,
            };
            if !ok {
                return Err(format!("an exemplar on `{}` of a {}", sample.name, family.kind));
            }
        }
        family.samples.push(sample);
        Ok(())
    }

    fn comment(&mut self, rest: &str) -> Result<(), String> {
        let Some(rest) = rest.strip_prefix(' ') else {
            return match self.syntax {
                Syntax::Text => Ok(()),
                Syntax::OpenMetrics => Err("`#` line that is not metadata".into()),
            };
        };
        let (keyword, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        if !matches!(keyword, "HELP" | "TYPE" | "UNIT")
            || (keyword == "UNIT" && self.syntax == Syntax::Text)
        {
            return match self.syntax {
                Syntax::Text => Ok(()), // A plain comment.
                Syntax::OpenMetrics => Err(format!("unknown metadata `{keyword}`")),
            };
        }
        let (name, value) = match rest.split_once(' ') {
            Some(pair) => pair,
            // `# HELP name` with nothing after is an empty help in the text format.
            None if keyword == "HELP" && self.syntax == Syntax::Text => (rest, ""),
            None => return Err(format!("`# {keyword}` without a value")),
        };
        check_metric_name(name)?;
        let syntax = self.syntax;
        let family = self.metadata_family(name)?;
        match keyword {
            "HELP" => {
                if family.help.is_some() {
                    return Err("second HELP for one family".into());
                }
                let help = match syntax {
                    Syntax::Text => unescape(value, &['\\', 'n'])?,
                    Syntax::OpenMetrics => unescape(value, &['\\', 'n', '"'])?,
                };
                family.help = Some(help);
            }
            "TYPE" => {
                if !family.kind.is_empty() {
                    return Err("second TYPE for one family".into());
                }
                let known: &[&str] = match syntax {
                    Syntax::Text => &["counter", "gauge", "histogram", "summary", "untyped"],
                    Syntax::OpenMetrics => &[
                        "counter",
                        "gauge",
                        "histogram",
                        "gaugehistogram",
                        "stateset",
                        "info",
                        "summary",
                        "unknown",
                    ],
                };
                if !known.contains(&value) {
                    return Err(format!("unknown type `{value}`"));
                }
                family.kind = value.to_owned();
            }
            _ => {
                if family.unit.is_some() {
                    return Err("second UNIT for one family".into());
                }
                // "An underscore and the unit MUST be the suffix of the MetricFamily name."
                if !value.is_empty() && !name.ends_with(&format!("_{value}")) {
                    return Err(format!("unit `{value}` is not the suffix of `{name}`"));
                }
                family.unit = Some(value.to_owned());
            }
        }
        Ok(())
    }

    /// The family a metadata line is about: the current one when it has no sample
    /// yet and the same name, else a new one.
    fn metadata_family(&mut self, name: &str) -> Result<&mut Family, String> {
        let current = self.exposition.families.last();
        let reuse = current.is_some_and(|f| f.name == name && f.samples.is_empty());
        if !reuse {
            if !self.seen.insert(name.to_owned()) {
                return Err(format!("family `{name}` declared twice"));
            }
            self.exposition.families.push(Family { name: name.to_owned(), ..Family::default() });
        }
        Ok(self.exposition.families.last_mut().expect("pushed above"))
    }

    /// The current family, if `sample` belongs to it.
    fn family_of(&mut self, sample: &str) -> Result<&mut Family, String> {
        let syntax = self.syntax;
        let Some(family) = self.exposition.families.last_mut() else {
            return Err("sample before any `# TYPE`".into());
        };
        if family.kind.is_empty() {
            return Err("sample of a family without `# TYPE`".into());
        }
        let suffixes: &[&str] = match (syntax, family.kind.as_str()) {
            (Syntax::Text, "counter") => &[""],
            (Syntax::OpenMetrics, "counter") => &["_total", "_created"],
            (_, "histogram") => &["_bucket", "_sum", "_count", "_created"],
            (_, "summary") => &["", "_sum", "_count", "_created"],
            _ => &[""],
        };
        let belongs = suffixes.iter().any(|suffix| {
            sample.strip_prefix(family.name.as_str()).is_some_and(|rest| rest == *suffix)
        });
        if !belongs {
            return Err(format!(
                "sample `{sample}` does not belong to {} family `{}`",
                family.kind, family.name
            ));
        }
        Ok(family)
    }

    fn sample(&self, line: &str) -> Result<Sample, String> {
        let name_end = line.find(['{', ' ']).ok_or("a sample without a value")?;
        let name = &line[..name_end];
        check_metric_name(name)?;
        let mut rest = &line[name_end..];
        let mut labels = Vec::new();
        if let Some(after) = rest.strip_prefix('{') {
            rest = self.labels(after, &mut labels)?;
        }
        let rest = rest.strip_prefix(' ').ok_or("no space before the value")?;
        // Past the labels no `#` can be quoted, so the first ` # ` starts an exemplar.
        let (rest, exemplar) = match rest.split_once(" # ") {
            Some((rest, exemplar)) if self.syntax == Syntax::OpenMetrics => {
                (rest, Some(self.exemplar(exemplar)?))
            }
            _ => (rest, None),
        };
        let mut parts = rest.split(' ');
        let raw = parts.next().unwrap_or("");
        let value = parse_float(raw)?;
        if let Some(timestamp) = parts.next() {
            parse_float(timestamp).map_err(|e| format!("timestamp: {e}"))?;
        }
        if parts.next().is_some() {
            return Err("unexpected text after the sample".into());
        }
        Ok(Sample { name: name.to_owned(), labels, value, raw: raw.to_owned(), exemplar })
    }

    /// Parses `{labels} value [timestamp]`: at most 128 characters of label names and
    /// values together ("The combined length of the label names and values of an
    /// Exemplar's LabelSet MUST NOT exceed 128 UTF-8 character code points").
    fn exemplar(&self, text: &str) -> Result<Exemplar, String> {
        let after = text.strip_prefix('{').ok_or("an exemplar without `{`")?;
        let mut labels = Vec::new();
        let rest = self.labels(after, &mut labels).map_err(|e| format!("exemplar: {e}"))?;
        let chars: usize = labels.iter().map(|(k, v)| k.chars().count() + v.chars().count()).sum();
        if chars > 128 {
            return Err(format!("exemplar labels of {chars} characters, over 128"));
        }
        let rest = rest.strip_prefix(' ').ok_or("no space before the exemplar's value")?;
        let mut parts = rest.split(' ');
        let value =
            parse_float(parts.next().unwrap_or("")).map_err(|e| format!("exemplar: {e}"))?;
        let timestamp = match parts.next() {
            Some(raw) => Some(parse_float(raw).map_err(|e| format!("exemplar timestamp: {e}"))?),
            None => None,
        };
        if parts.next().is_some() {
            return Err("unexpected text after the exemplar".into());
        }
        Ok(Exemplar { labels, value, timestamp })
    }

    /// Parses `name="value",...}` and returns what follows the `}`.
    fn labels<'a>(&self, mut rest: &'a str, labels: &mut Labels) -> Result<&'a str, String> {
        loop {
            if let Some(after) = rest.strip_prefix('}') {
                return Ok(after);
            }
            let eq = rest.find('=').ok_or("a label without `=`")?;
            let name = &rest[..eq];
            check_label_name(name)?;
            if labels.iter().any(|(k, _)| k == name) {
                return Err(format!("label `{name}` twice"));
            }
            let after = rest[eq + 1..].strip_prefix('"').ok_or("label value without `\"`")?;
            let (value, after) = take_quoted(after)?;
            labels.push((name.to_owned(), value));
            rest = match after.strip_prefix(',') {
                Some(next) => {
                    if next.starts_with('}') && self.syntax == Syntax::OpenMetrics {
                        return Err("trailing comma in labels".into());
                    }
                    next
                }
                None if after.starts_with('}') => after,
                None => return Err("expected `,` or `}` after a label".into()),
            };
        }
    }
}

/// Reads an escaped label value up to its closing quote; returns it unescaped and
/// what follows the quote. Both formats escape exactly `\\`, `\"` and `\n` there.
fn take_quoted(s: &str) -> Result<(String, &str), String> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &s[i + 1..])),
            '\\' => match chars.next() {
                Some((_, '\\')) => out.push('\\'),
                Some((_, '"')) => out.push('"'),
                Some((_, 'n')) => out.push('\n'),
                other => return Err(format!("invalid escape `\\{:?}` in a label value", other)),
            },
            c => out.push(c),
        }
    }
    Err("unterminated label value".into())
}

/// Unescapes help text; `allowed` lists the characters that may follow `\`.
fn unescape(s: &str, allowed: &[char]) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(e) if allowed.contains(&e) => out.push(if e == 'n' { '\n' } else { e }),
            other => return Err(format!("invalid escape `\\{other:?}` in help")),
        }
    }
    Ok(out)
}

fn check_metric_name(name: &str) -> Result<(), String> {
    let mut bytes = name.bytes();
    let ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b':')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':');
    if ok { Ok(()) } else { Err(format!("invalid metric name `{name}`")) }
}

fn check_label_name(name: &str) -> Result<(), String> {
    let mut bytes = name.bytes();
    let ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok { Ok(()) } else { Err(format!("invalid label name `{name}`")) }
}

/// The number grammar both formats accept (OpenMetrics' ABNF, which also covers
/// what the text format's Go `ParseFloat` reads from well-behaved exposers):
///
/// ```text
/// number     = realnumber / [sign] ("inf" / "infinity") / "nan"   ; case-insensitive words
/// realnumber = [sign] 1*DIGIT ["." *DIGIT] [exponent] / [sign] *DIGIT "." 1*DIGIT [exponent]
/// exponent   = ("e" / "E") [sign] 1*DIGIT
/// ```
///
/// The grammar is checked here; turning a checked decimal into the nearest `f64` is
/// left to the standard library, whose conversion is correctly rounded.
pub fn parse_float(raw: &str) -> Result<f64, String> {
    let bad = || format!("`{raw}` is not a number");
    let (negative, unsigned) = match raw.as_bytes().first() {
        Some(b'+') => (false, &raw[1..]),
        Some(b'-') => (true, &raw[1..]),
        _ => (false, raw),
    };
    let word = unsigned.to_ascii_lowercase();
    if word == "inf" || word == "infinity" {
        return Ok(if negative { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if word == "nan" {
        return if unsigned.len() == raw.len() { Ok(f64::NAN) } else { Err(bad()) };
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) || (int.is_empty() && frac.is_empty()) {
        return Err(bad());
    }
    if mantissa.ends_with('.') && int.is_empty() {
        return Err(bad());
    }
    if let Some(exponent) = exponent {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if exponent.is_empty() || !digits(exponent) {
            return Err(bad());
        }
    }
    raw.parse::<f64>().map_err(|_| bad())
}

/// Checks every histogram series of `exposition`: buckets in increasing `le`, a
/// `+Inf` bucket, cumulative counts, integer counts, and `_count` equal to the
/// `+Inf` bucket when present.
pub fn check_histograms(exposition: &Exposition) -> Result<usize, String> {
    let mut checked = 0;
    for family in exposition.families.iter().filter(|f| f.kind == "histogram") {
        // Series keyed by their labels without `le`, in first-seen order.
        let mut series: Vec<(Labels, Vec<&Sample>)> = Vec::new();
        for sample in &family.samples {
            let key: Labels = sample.labels.iter().filter(|(k, _)| k != "le").cloned().collect();
            match series.iter_mut().find(|(k, _)| *k == key) {
                Some((_, samples)) => samples.push(sample),
                None => series.push((key, vec![sample])),
            }
        }
        for (key, samples) in series {
            let at = |e: &str| format!("histogram `{}` {key:?}: {e}", family.name);
            let bucket_name = format!("{}_bucket", family.name);
            let count_name = format!("{}_count", family.name);
            let mut previous: Option<(f64, f64)> = None;
            let mut inf = None;
            let mut count = None;
            for sample in samples {
                if sample.value.fract() != 0.0 && sample.name != format!("{}_sum", family.name) {
                    return Err(at(&format!("non-integer count {}", sample.raw)));
                }
                if sample.name == bucket_name {
                    let le = sample.label("le").ok_or_else(|| at("bucket without `le`"))?;
                    let bound = parse_float(le).map_err(|e| at(&e))?;
                    if inf.is_some() {
                        return Err(at("bucket after `+Inf`"));
                    }
                    if let Some((p_bound, p_value)) = previous {
                        if bound <= p_bound {
                            return Err(at(&format!("`le` {le} not above {p_bound}")));
                        }
                        if sample.value < p_value {
                            return Err(at(&format!("not cumulative at le={le}")));
                        }
                    }
                    if bound == f64::INFINITY {
                        inf = Some(sample.value);
                    }
                    previous = Some((bound, sample.value));
                } else if sample.name == count_name {
                    count = Some(sample.value);
                }
            }
            let inf = inf.ok_or_else(|| at("no `+Inf` bucket"))?;
            if let Some(count) = count.filter(|count| *count != inf) {
                return Err(at(&format!("`+Inf` bucket {inf} != `_count` {count}")));
            }
            checked += 1;
        }
    }
    Ok(checked)
}
