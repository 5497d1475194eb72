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
}

impl SampleWriter {
    pub(crate) fn start_family(&mut self, name: &str, const_labels: &[(&str, &str)]) {
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
