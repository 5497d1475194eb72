//! A histogram's bucket lines as both text formats write them:
//! `name_bucket{labels,le="0.005"} 3`, with each `le` rendered once per family.

use super::number;
use super::sample::SampleWriter;
use crate::collect::HistogramSample;

/// The end of each bucket line's label block, `le="0.005"} ` (`+Inf` last), for the
/// bounds of the last histogram written. A family's series share their bounds, so a
/// scrape formats each bound once per family rather than once per line: formatting
/// them was half the instructions of encoding a histogram family.
#[derive(Debug, Default)]
pub(crate) struct BucketLabels {
    /// The bounds rendered, as bits: `0.0` and `-0.0` are written differently.
    bounds: Vec<u64>,
    /// The rendered label ends, one after the other.
    text: Vec<u8>,
    /// Where each one starts in `text`, then where the last one ends.
    offsets: Vec<usize>,
    /// The start of the current series' bucket lines: `name_bucket{labels,`.
    prefix: Vec<u8>,
}

impl BucketLabels {
    /// Renders the label ends of `bounds` unless they are the ones already rendered.
    fn render(&mut self, bounds: &[f64]) {
        let same = self.bounds.len() == bounds.len()
            && self.bounds.iter().zip(bounds).all(|(bits, bound)| *bits == bound.to_bits());
        if same && !self.offsets.is_empty() {
            return;
        }
        self.bounds.clear();
        self.bounds.extend(bounds.iter().map(|bound| bound.to_bits()));
        self.text.clear();
        self.offsets.clear();
        for bound in bounds.iter().map(Some).chain([None]) {
            self.offsets.push(self.text.len());
            self.text.extend_from_slice(b"le=\"");
            match bound {
                Some(bound) => number::float(&mut self.text, *bound),
                None => self.text.extend_from_slice(b"+Inf"),
            }
            self.text.extend_from_slice(b"\"} ");
        }
        self.offsets.push(self.text.len());
    }

    /// Writes the bucket lines of `sample`, of the series `writer` has started, each
    /// ended by `end` with the bucket's index (a newline, or an exemplar and one).
    pub(crate) fn write(
        &mut self,
        writer: &SampleWriter,
        out: &mut Vec<u8>,
        sample: &HistogramSample<'_>,
        mut end: impl FnMut(&mut Vec<u8>, usize),
    ) {
        self.render(sample.bounds);
        writer.open_block(&mut self.prefix, "_bucket");
        // A bucket line is the prefix, its label end, a count of at most 20 digits
        // and a newline; an exemplar grows the buffer itself.
        out.reserve(sample.cumulative.len() * (self.prefix.len() + 22) + self.text.len());
        let ends = self.offsets.windows(2).map(|w| &self.text[w[0]..w[1]]);
        for (i, (label_end, count)) in ends.zip(sample.cumulative).enumerate() {
            out.extend_from_slice(&self.prefix);
            out.extend_from_slice(label_end);
            number::count(out, *count);
            end(out, i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label::LabelValues;

    fn buckets(labels: &mut BucketLabels, bounds: &[f64], route: Option<&str>) -> String {
        let mut writer = SampleWriter::default();
        writer.start_family("h", &[]);
        match route {
            Some(route) => writer.start_series(&LabelValues { names: &["r"], values: &[route] }),
            None => writer.start_series(&LabelValues::EMPTY),
        }
        let cumulative: Vec<u64> = (0..=bounds.len() as u64).collect();
        let sample = HistogramSample { bounds, cumulative: &cumulative, sum: 0.0 };
        let mut out = Vec::new();
        labels.write(&writer, &mut out, &sample, |out, _| out.push(b'\n'));
        String::from_utf8(out).unwrap()
    }

    /// Each bound is written as `number::float` writes it, however unusual.
    #[test]
    fn bounds_are_written_in_their_shortest_form() {
        let mut labels = BucketLabels::default();
        let out = buckets(&mut labels, &[1e-9, 0.1 + 0.2, 1.0, 5.0, 1e21, f64::MAX], None);
        assert_eq!(
            out,
            "h_bucket{le=\"1e-9\"} 0\n\
             h_bucket{le=\"0.30000000000000004\"} 1\n\
             h_bucket{le=\"1.0\"} 2\n\
             h_bucket{le=\"5.0\"} 3\n\
             h_bucket{le=\"1e21\"} 4\n\
             h_bucket{le=\"1.7976931348623157e308\"} 5\n\
             h_bucket{le=\"+Inf\"} 6\n"
        );
        for bound in [1e-9, 0.1 + 0.2, 1e21, -2.5, 1e300] {
            let mut expected = b"h_bucket{le=\"".to_vec();
            number::float(&mut expected, bound);
            expected.extend_from_slice(b"\"} 0\n");
            assert!(
                buckets(&mut labels, &[bound], None)
                    .starts_with(str::from_utf8(&expected).unwrap())
            );
        }
    }

    /// The labels are kept while the bounds stay, and rendered anew when they change,
    /// even to bounds that compare equal as floats but are written differently.
    #[test]
    fn labels_follow_the_bounds() {
        let mut labels = BucketLabels::default();
        let first = buckets(&mut labels, &[0.5, 1.0], Some("a"));
        assert_eq!(
            first,
            "h_bucket{r=\"a\",le=\"0.5\"} 0\nh_bucket{r=\"a\",le=\"1.0\"} 1\nh_bucket{r=\"a\",le=\"+Inf\"} 2\n"
        );
        assert_eq!(buckets(&mut labels, &[0.5, 1.0], Some("b")), first.replace("\"a\"", "\"b\""));
        // Marks the rendered labels: the same bounds write the marked ones.
        labels.text.iter_mut().filter(|b| **b == b'5').for_each(|b| *b = b'7');
        assert!(buckets(&mut labels, &[0.5, 1.0], None).starts_with("h_bucket{le=\"0.7\"} 0\n"));
        assert_eq!(
            buckets(&mut labels, &[2.0], None),
            "h_bucket{le=\"2.0\"} 0\nh_bucket{le=\"+Inf\"} 1\n"
        );
        assert_eq!(
            buckets(&mut labels, &[0.0], None),
            "h_bucket{le=\"0.0\"} 0\nh_bucket{le=\"+Inf\"} 1\n"
        );
        assert_eq!(
            buckets(&mut labels, &[-0.0], None),
            "h_bucket{le=\"-0.0\"} 0\nh_bucket{le=\"+Inf\"} 1\n"
        );
        assert_eq!(buckets(&mut labels, &[], None), "h_bucket{le=\"+Inf\"} 0\n");
        assert_eq!(
            buckets(&mut labels, &[f64::NAN], None),
            "h_bucket{le=\"NaN\"} 0\nh_bucket{le=\"+Inf\"} 1\n"
        );
    }
}
