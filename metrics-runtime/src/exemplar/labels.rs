//! The label set of an exemplar, checked once when it is made.

use crate::names::is_valid_label_name;

/// The most characters (Unicode code points) the names and values of one exemplar's
/// labels may have together: "The combined length of the label names and values of
/// an Exemplar's LabelSet MUST NOT exceed 128 UTF-8 character code points"
/// (OpenMetrics 1.0, section "Exemplars").
pub const MAX_EXEMPLAR_CHARS: usize = 128;

/// The bytes an exemplar's labels take encoded: names are ASCII, so 128 characters
/// are at most 512 bytes with the two separators each label adds (a name of at least
/// one byte saves three of a four-byte character: `512 - 3n + 2n <= 512`).
pub(crate) const MAX_EXEMPLAR_BYTES: usize = 4 * MAX_EXEMPLAR_CHARS;

/// Ends a label name and a label value in the encoded form: `0xFF` never occurs in
/// UTF-8, so no name or value can contain it.
const SEPARATOR: u8 = 0xFF;

/// Why labels cannot be an exemplar's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExemplarError {
    /// Too long together.
    #[error(
        "exemplar labels have {chars} characters in their names and values together; OpenMetrics allows at most 128: shorten the values (a trace id alone is 40 with its name `trace_id`) or record fewer labels"
    )]
    TooLong {
        /// Characters counted.
        chars: usize,
    },
    /// A name outside the label grammar.
    #[error(
        "`{name}` is not a valid exemplar label name: use letters, digits and `_`, not starting with a digit or `__` (e.g. `trace_id`)"
    )]
    InvalidName {
        /// The name given.
        name: String,
    },
    /// The same name twice.
    #[error("the exemplar label `{name}` is given twice; give each label once")]
    DuplicateName {
        /// The name repeated.
        name: String,
    },
}

/// The labels of an exemplar (usually `trace_id`), checked against the OpenMetrics
/// rules once, when made, so that recording it is a copy.
///
/// Kept inline (no allocation): making one on every request costs no trip to the
/// allocator.
///
/// ```
/// use metrics_runtime::exemplar::{Exemplar, ExemplarError};
///
/// let exemplar = Exemplar::new(&[("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")])?;
/// assert_eq!(exemplar.labels().collect::<Vec<_>>(), [("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")]);
///
/// let too_long = "x".repeat(121);
/// assert!(matches!(
///     Exemplar::new(&[("trace_id", too_long.as_str())]),
///     Err(ExemplarError::TooLong { chars: 129 })
/// ));
/// # Ok::<(), ExemplarError>(())
/// ```
#[derive(Clone)]
pub struct Exemplar {
    len: u16,
    bytes: [u8; MAX_EXEMPLAR_BYTES],
}

impl Exemplar {
    /// An exemplar with the labels `labels`, or why they cannot be one: more than
    /// [`MAX_EXEMPLAR_CHARS`] characters in names and values together, a name that is
    /// no label name, or a name given twice. Nothing is ever cut short.
    pub fn new(labels: &[(&str, &str)]) -> Result<Self, ExemplarError> {
        let chars: usize = labels.iter().map(|(k, v)| k.chars().count() + v.chars().count()).sum();
        if chars > MAX_EXEMPLAR_CHARS {
            return Err(ExemplarError::TooLong { chars });
        }
        for (i, (name, _)) in labels.iter().enumerate() {
            if !is_valid_label_name(name) {
                return Err(ExemplarError::InvalidName { name: (*name).to_owned() });
            }
            if labels[..i].iter().any(|(other, _)| other == name) {
                return Err(ExemplarError::DuplicateName { name: (*name).to_owned() });
            }
        }
        let mut exemplar = Self::empty();
        for (name, value) in labels {
            // Within MAX_EXEMPLAR_BYTES by the bound above.
            exemplar.push(name.as_bytes());
            exemplar.push(value.as_bytes());
        }
        Ok(exemplar)
    }

    /// An exemplar with no labels: valid (`# {} 0.5`), though rarely useful.
    pub const fn empty() -> Self {
        Self { len: 0, bytes: [0; MAX_EXEMPLAR_BYTES] }
    }

    /// One label whose name is a valid label name and whose value is ASCII, both
    /// short enough: the shape of a trace id, made without the checks of
    /// [`Exemplar::new`].
    pub(crate) fn ascii_label(name: &'static str, value: &[u8]) -> Self {
        debug_assert!(is_valid_label_name(name) && value.is_ascii());
        debug_assert!(name.len() + value.len() <= MAX_EXEMPLAR_CHARS);
        let mut exemplar = Self::empty();
        exemplar.push(name.as_bytes());
        exemplar.push(value);
        exemplar
    }

    fn push(&mut self, part: &[u8]) {
        let start = usize::from(self.len);
        let end = start + part.len();
        self.bytes[start..end].copy_from_slice(part);
        self.bytes[end] = SEPARATOR;
        // At most MAX_EXEMPLAR_BYTES, which fits a u16.
        self.len = (end + 1) as u16;
    }

    /// The labels, in the order given.
    pub fn labels(&self) -> ExemplarLabels<'_> {
        ExemplarLabels::from_encoded(self.encoded())
    }

    /// Names and values, each followed by the separator byte.
    pub(crate) fn encoded(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl core::fmt::Debug for Exemplar {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map().entries(self.labels()).finish()
    }
}

impl PartialEq for Exemplar {
    fn eq(&self, other: &Self) -> bool {
        self.encoded() == other.encoded()
    }
}

/// The `(name, value)` pairs of an exemplar, in the order given.
#[derive(Debug, Clone)]
pub struct ExemplarLabels<'a> {
    rest: &'a [u8],
}

impl<'a> ExemplarLabels<'a> {
    /// Reads what [`Exemplar::encoded`] wrote (possibly copied out of a slot).
    pub(crate) fn from_encoded(rest: &'a [u8]) -> Self {
        Self { rest }
    }

    fn part(&mut self) -> Option<&'a str> {
        let end = memchr::memchr(SEPARATOR, self.rest)?;
        let part = &self.rest[..end];
        self.rest = &self.rest[end + 1..];
        // Written from a `&str` by `Exemplar::push`; the check keeps this safe code
        // even if that changed.
        core::str::from_utf8(part).ok()
    }
}

impl<'a> Iterator for ExemplarLabels<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let name = self.part()?;
        let value = self.part()?;
        Some((name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_characters_of_names_and_values_not_bytes() {
        // 8 + 120 = 128 characters, 8 + 480 bytes: the limit, accepted.
        let wide = "🦀".repeat(120);
        let exemplar = Exemplar::new(&[("trace_id", wide.as_str())]).unwrap();
        assert_eq!(exemplar.labels().next(), Some(("trace_id", wide.as_str())));
        let wider = "🦀".repeat(121);
        assert_eq!(
            Exemplar::new(&[("trace_id", wider.as_str())]),
            Err(ExemplarError::TooLong { chars: 129 })
        );
    }

    #[test]
    fn the_worst_case_fits_the_buffer() {
        // One-letter names with four-byte values use the most bytes per character.
        let names: Vec<String> = (0..25).map(|i| format!("{}", (b'a' + i as u8) as char)).collect();
        let value = "🦀".repeat(4);
        let labels: Vec<(&str, &str)> =
            names.iter().map(|n| (n.as_str(), value.as_str())).collect();
        let exemplar = Exemplar::new(&labels[..25]).unwrap();
        assert_eq!(exemplar.labels().count(), 25);
        let one = [("a", &*"🦀".repeat(127))];
        assert_eq!(Exemplar::new(&one).unwrap().encoded().len(), 1 + 508 + 2);
        let many: Vec<String> = (0..64).map(|i| format!("n{i:02}")).collect();
        let empties: Vec<(&str, &str)> = many.iter().map(|n| (n.as_str(), "")).collect();
        assert!(matches!(Exemplar::new(&empties), Err(ExemplarError::TooLong { .. })));
        assert_eq!(Exemplar::new(&empties[..42]).unwrap().labels().count(), 42);
    }

    #[test]
    fn names_are_checked_and_unique() {
        assert_eq!(
            Exemplar::new(&[("trace-id", "1")]),
            Err(ExemplarError::InvalidName { name: "trace-id".into() })
        );
        assert!(matches!(Exemplar::new(&[("__x", "1")]), Err(ExemplarError::InvalidName { .. })));
        assert_eq!(
            Exemplar::new(&[("a", "1"), ("a", "2")]),
            Err(ExemplarError::DuplicateName { name: "a".into() })
        );
        let message = Exemplar::new(&[("x", &*"y".repeat(200))]).unwrap_err().to_string();
        assert!(message.contains("at most 128"), "{message}");
    }

    #[test]
    fn values_keep_every_character() {
        let labels = [("trace_id", "a\"b\\c\nd"), ("empty", ""), ("span_id", "é")];
        let exemplar = Exemplar::new(&labels).unwrap();
        assert_eq!(exemplar.labels().collect::<Vec<_>>(), labels);
        assert_eq!(Exemplar::empty().labels().count(), 0);
        assert_eq!(format!("{exemplar:?}").matches(':').count(), 3);
    }
}
