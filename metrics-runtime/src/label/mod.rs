//! Labels: typed label sets with a cardinality known at compile time, and the
//! borrowed view of one series' labels that collection hands to the encoders.

mod dynamic;
mod typed;

pub use dynamic::{DEFAULT_MAX_SERIES, DynFamily, OVERFLOW_LABEL_VALUE};
pub use typed::Family;

/// One label's value type with a fixed set of values: a fieldless enum with
/// `#[derive(LabelValue)]`, or `bool`.
///
/// ```
/// use metrics_runtime::LabelValue;
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Method {
///     Get,
///     #[label(rename = "POST")]
///     Post,
/// }
///
/// assert_eq!(Method::CARDINALITY, 2);
/// assert_eq!(Method::value(Method::Get.index()), "get");
/// assert_eq!(Method::value(1), "POST");
/// assert_eq!(Method::Post.as_str(), "POST");
/// ```
pub trait LabelValue: Copy {
    /// How many values there are.
    const CARDINALITY: usize;
    /// This value's position in `0..CARDINALITY`.
    fn index(self) -> usize;
    /// The label value written for position `index` (`index < CARDINALITY`).
    fn value(index: usize) -> &'static str;

    /// The label value written for `self`: the same string a typed family exposes,
    /// for where a string is wanted (a [`DynFamily`] label, a log line).
    ///
    /// ```
    /// use metrics_runtime::LabelValue;
    ///
    /// #[derive(Clone, Copy, LabelValue)]
    /// enum Provider { OpenRouter, Together }
    ///
    /// assert_eq!(Provider::OpenRouter.as_str(), "open_router");
    /// assert_eq!(true.as_str(), "true");
    /// ```
    #[inline]
    fn as_str(self) -> &'static str {
        Self::value(self.index())
    }
}

impl LabelValue for bool {
    const CARDINALITY: usize = 2;
    #[inline]
    fn index(self) -> usize {
        usize::from(self)
    }
    fn value(index: usize) -> &'static str {
        if index == 0 { "false" } else { "true" }
    }
}

/// A set of labels whose every combination is known at compile time: a struct of
/// [`LabelValue`] fields with `#[derive(LabelSet)]`, or, for one label, an enum
/// with `#[derive(LabelValue)]` and `#[label(name = "..")]`.
///
/// A [`Family`] of such a set is a dense array with one series per combination,
/// indexed with no hashing and no lock.
///
/// ```
/// use metrics_runtime::{LabelSet, LabelValue};
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Status { Paid, Refused }
///
/// #[derive(Clone, Copy, LabelSet)]
/// struct OrderLabels {
///     status: Status,
///     express: bool,
/// }
///
/// assert_eq!(OrderLabels::NAMES, &["status", "express"]);
/// assert_eq!(OrderLabels::CARDINALITY, 4);
/// let i = OrderLabels { status: Status::Refused, express: true }.index();
/// assert_eq!(OrderLabels::value(i, 0), "refused");
/// assert_eq!(OrderLabels::value(i, 1), "true");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `LabelSet`, so it cannot label a `Family`",
    label = "not a `LabelSet`",
    note = "for one label, give the `#[derive(LabelValue)]` enum its label name: `#[label(name = \"...\")]`",
    note = "for several, `#[derive(LabelSet)]` on a struct with one `LabelValue` field per label"
)]
pub trait LabelSet: Copy {
    /// The label names, in field order.
    const NAMES: &'static [&'static str];
    /// The number of combinations (the product of each field's cardinality).
    const CARDINALITY: usize;
    /// This combination's position in `0..CARDINALITY`.
    fn index(&self) -> usize;
    /// The value of label number `label` in combination number `index`.
    fn value(index: usize, label: usize) -> &'static str;
}

/// The labels of one series as collection hands them to an encoder: parallel
/// slices of names and values (constant labels of the family come first).
#[derive(Debug, Clone, Copy)]
pub struct LabelValues<'a> {
    /// Label names.
    pub names: &'a [&'a str],
    /// Label values, one per name.
    pub values: &'a [&'a str],
}

impl<'a> LabelValues<'a> {
    /// No labels.
    pub const EMPTY: LabelValues<'static> = LabelValues { names: &[], values: &[] };

    /// Pairs each name with its value.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let names = self.names;
        let values = self.values;
        names.iter().copied().zip(values.iter().copied())
    }
}
