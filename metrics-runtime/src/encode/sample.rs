//! The sample line both formats share: `name{labels} value`.

use super::{escape, number};
use crate::collect::Value;
use crate::label::LabelValues;

/// Per-family state an encoder keeps between samples: the family name and the
/// rendered constant labels, and a scratch buffer for one series' label block.
/// All buffers are reused from family to family, so encoding does not allocate per
/// series.
#[derive(Debug, Default)]
pub(crate) struct SampleWriter {
    name: Vec<u8>,
    const_labels: Vec<u8>,
    block: Vec<u8>,
    /// A one-line sample's start up to its first label's value,
    /// `name{suffix}{const labels,first="`, rendered once per family for the
    /// suffix and first label name kept beside it (empty: none yet).
    single_prefix: Vec<u8>,
    single_suffix: &'static str,
    single_label: String,
}

impl SampleWriter {
    pub(crate) fn start_family(&mut self, name: &str, const_labels: &[(&str, &str)]) {
        self.single_prefix.clear();
        self.name.clear();
        self.name.extend_from_slice(name.as_bytes());
        self.const_labels.clear();
        for (i, (k, v)) in const_labels.iter().enumerate() {
            push_pair(&mut self.const_labels, i > 0, k, v);
        }
    }

    /// Renders `labels` (after the constant labels) as the current series' block.
    pub(crate) fn start_series(&mut self, labels: &LabelValues<'_>) {
        self.block.clear();
        self.block.extend_from_slice(&self.const_labels);
        let mut first = self.block.is_empty();
        for (k, v) in labels.iter() {
            push_pair(&mut self.block, !first, k, v);
            first = false;
        }
    }

    /// Writes `name{suffix}{labels} value\n` of a one-line sample (a counter, a gauge)
    /// straight into `out`, without keeping its label block for other lines.
    #[inline]
    pub(crate) fn single(
        &mut self,
        out: &mut Vec<u8>,
        suffix: &'static str,
        labels: &LabelValues<'_>,
        value: Value,
    ) {
        self.single_unended(out, suffix, labels, value);
        out.push(b'\n');
    }

    /// [`SampleWriter::single`] without the newline, for an exemplar to follow. The
    /// part up to the first label's value is the same for every series of a family:
    /// it is rendered once and copied whole.
    #[inline]
    pub(crate) fn single_unended(
        &mut self,
        out: &mut Vec<u8>,
        suffix: &'static str,
        labels: &LabelValues<'_>,
        value: Value,
    ) {
        let mut pairs = labels.iter();
        let Some((first_name, first_value)) = pairs.next() else {
            // No labels of its own (one series in the family): the general path.
            self.start_series(labels);
            return self.sample_unended(out, suffix, None, value);
        };
        if self.single_prefix.is_empty()
            // The suffixes are the encoders' literals: the same one is the same
            // pointer (another pointer to the same text only renders again).
            || !core::ptr::eq(self.single_suffix, suffix)
            || self.single_label != first_name
        {
            self.render_single_prefix(suffix, first_name);
        }
        out.extend_from_slice(&self.single_prefix);
        escape::label_value(out, first_value);
        out.push(b'"');
        for (k, v) in pairs {
            push_pair(out, true, k, v);
        }
        out.extend_from_slice(b"} ");
        number::value(out, value);
    }

    #[cold]
    fn render_single_prefix(&mut self, suffix: &'static str, first_label: &str) {
        self.single_suffix = suffix;
        self.single_label.clear();
        self.single_label.push_str(first_label);
        let prefix = &mut self.single_prefix;
        prefix.clear();
        prefix.extend_from_slice(&self.name);
        prefix.extend_from_slice(suffix.as_bytes());
        prefix.push(b'{');
        prefix.extend_from_slice(&self.const_labels);
        if !self.const_labels.is_empty() {
            prefix.push(b',');
        }
        prefix.extend_from_slice(first_label.as_bytes());
        prefix.extend_from_slice(b"=\"");
    }

    /// Writes `name{suffix}{block[,extra]} value\n`.
    #[inline]
    pub(crate) fn sample(
        &self,
        out: &mut Vec<u8>,
        suffix: &str,
        extra: Option<(&str, &[u8])>,
        value: Value,
    ) {
        self.sample_unended(out, suffix, extra, value);
        out.push(b'\n');
    }

    /// Writes `name{suffix}{block[,extra]} value` without the newline, for an
    /// exemplar to follow.
    #[inline]
    pub(crate) fn sample_unended(
        &self,
        out: &mut Vec<u8>,
        suffix: &str,
        extra: Option<(&str, &[u8])>,
        value: Value,
    ) {
        out.extend_from_slice(&self.name);
        out.extend_from_slice(suffix.as_bytes());
        if !self.block.is_empty() || extra.is_some() {
            out.push(b'{');
            out.extend_from_slice(&self.block);
            if let Some((k, v)) = extra {
                if !self.block.is_empty() {
                    out.push(b',');
                }
                out.extend_from_slice(k.as_bytes());
                out.extend_from_slice(b"=\"");
                out.extend_from_slice(v);
                out.push(b'"');
            }
            out.push(b'}');
        }
        out.push(b' ');
        number::value(out, value);
    }

    /// Writes `name{suffix}{block,` into `line` (cleared first): the start of a line
    /// whose last label, and the closing brace, are written by the caller.
    pub(crate) fn open_block(&self, line: &mut Vec<u8>, suffix: &str) {
        line.clear();
        line.extend_from_slice(&self.name);
        line.extend_from_slice(suffix.as_bytes());
        line.push(b'{');
        line.extend_from_slice(&self.block);
        if !self.block.is_empty() {
            line.push(b',');
        }
    }

    pub(crate) fn name(&self) -> &[u8] {
        &self.name
    }
}

pub(crate) fn push_pair(out: &mut Vec<u8>, comma: bool, name: &str, value: &str) {
    if comma {
        out.push(b',');
    }
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"=\"");
    escape::label_value(out, value);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start of a one-line sample is rendered once per family, suffix and first
    /// label name: each change of any of them, or of the constant labels, shows.
    #[test]
    fn one_line_samples_follow_every_change_of_family_suffix_and_label() {
        let mut writer = SampleWriter::default();
        let mut out = Vec::new();
        let line = |writer: &mut SampleWriter, out: &mut Vec<u8>, suffix, names, values| {
            writer.single(out, suffix, &LabelValues { names, values }, Value::UInt(7));
        };
        writer.start_family("a", &[]);
        line(&mut writer, &mut out, "_total", &["route"], &["/x"]);
        line(&mut writer, &mut out, "_total", &["route"], &["y\"z"]);
        line(&mut writer, &mut out, "", &["route"], &["/x"]);
        // A name of the same length at the same place: another family's labels.
        let owned = String::from("kind");
        let names = [owned.as_str(), "b"];
        line(&mut writer, &mut out, "", &names, &["1", "2"]);
        line(&mut writer, &mut out, "", &["mode"], &["3"]);
        line(&mut writer, &mut out, "", &[], &[]);
        writer.start_family("b", &[("env", "prod")]);
        line(&mut writer, &mut out, "_total", &["route"], &["/x"]);
        line(&mut writer, &mut out, "_total", &[], &[]);
        writer.start_family("c", &[]);
        writer.single_unended(&mut out, "_total", &LabelValues::EMPTY, Value::Float(0.5));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a_total{route=\"/x\"} 7\n\
             a_total{route=\"y\\\"z\"} 7\n\
             a{route=\"/x\"} 7\n\
             a{kind=\"1\",b=\"2\"} 7\n\
             a{mode=\"3\"} 7\n\
             a 7\n\
             b_total{env=\"prod\",route=\"/x\"} 7\n\
             b_total{env=\"prod\"} 7\n\
             c_total 0.5"
        );
    }
}
