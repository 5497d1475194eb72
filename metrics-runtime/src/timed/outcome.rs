//! How a timed call ended, and how a return value says it failed.

/// How a timed call ended: the `outcome` label of the call counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Returned a value that is not an error.
    Ok,
    /// Returned an error (`Err`, or a value whose [`TimedOutcome`] says so).
    Error,
    /// Panicked; the panic kept unwinding after it was recorded.
    Panicked,
    /// An async call whose future was dropped before it completed.
    Cancelled,
}

impl Outcome {
    /// Every outcome, in the order their series are exposed.
    pub const ALL: [Outcome; 4] = [Self::Ok, Self::Error, Self::Panicked, Self::Cancelled];

    /// The label value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
            Self::Panicked => "panicked",
            Self::Cancelled => "cancelled",
        }
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

/// Lets a return type say whether a call failed, for the `outcome` label.
///
/// `Result` is implemented (`Err` is an error); other types are `ok` unless they
/// implement this trait, e.g. an HTTP response that is an error when 5xx:
///
/// ```
/// use metrics_runtime::TimedOutcome;
///
/// struct Response { status: u16 }
///
/// impl TimedOutcome for Response {
///     fn is_error(&self) -> bool {
///         self.status >= 500
///     }
/// }
/// ```
pub trait TimedOutcome {
    /// Whether this value counts as `outcome="error"`.
    fn is_error(&self) -> bool;
}

impl<T, E> TimedOutcome for Result<T, E> {
    #[inline]
    fn is_error(&self) -> bool {
        self.is_err()
    }
}

/// Names the kind of an error for `#[timed(error_kind)]`'s `error_kind` label.
///
/// Without it the label is the error type's name (`ParseIntError`); implement it to
/// tell kinds of one error type apart. Return a small fixed set of values: each is a
/// series (past 32 kinds per function, further ones count as `other`).
///
/// ```
/// use metrics_runtime::TimedErrorKind;
///
/// enum StoreError { NotFound, Timeout, Corrupt(String) }
///
/// impl TimedErrorKind for StoreError {
///     fn error_kind(&self) -> &'static str {
///         match self {
///             Self::NotFound => "not_found",
///             Self::Timeout => "timeout",
///             Self::Corrupt(_) => "corrupt",
///         }
///     }
/// }
/// ```
pub trait TimedErrorKind {
    /// The `error_kind` label value for this error.
    fn error_kind(&self) -> &'static str;
}

/// Autoref specialisation for the error kind of a `Result`:
/// `(&KindProbe(&result)).__metrics_error_kind()` uses [`TimedErrorKind`] when the
/// error type implements it, and the error type's name otherwise.
#[doc(hidden)]
#[derive(Debug)]
pub struct KindProbe<'a, T>(pub &'a T);

#[doc(hidden)]
pub trait ViaErrorKind {
    fn __metrics_error_kind(&self) -> Option<&'static str>;
}

impl<T, E: TimedErrorKind> ViaErrorKind for KindProbe<'_, Result<T, E>> {
    #[inline]
    fn __metrics_error_kind(&self) -> Option<&'static str> {
        self.0.as_ref().err().map(TimedErrorKind::error_kind)
    }
}

#[doc(hidden)]
pub trait ViaTypeName {
    fn __metrics_error_kind(&self) -> Option<&'static str>;
}

impl<T, E> ViaTypeName for &KindProbe<'_, Result<T, E>> {
    #[inline]
    fn __metrics_error_kind(&self) -> Option<&'static str> {
        self.0.as_ref().err().map(|_| short_type_name(core::any::type_name::<E>()))
    }
}

/// `ParseIntError` for `core::num::error::ParseIntError`, `Box` for `Box<dyn Error>`.
fn short_type_name(full: &'static str) -> &'static str {
    let path = full.split('<').next().unwrap_or(full);
    path.rsplit("::").next().unwrap_or(path)
}

/// Autoref specialisation: `(&Probe(&value)).__metrics_outcome()` picks
/// [`ViaTimedOutcome`] when the type implements [`TimedOutcome`], and
/// [`ViaDefault`] (always `ok`) otherwise, with no cost at run time.
#[doc(hidden)]
#[derive(Debug)]
pub struct Probe<'a, T>(pub &'a T);

#[doc(hidden)]
pub trait ViaTimedOutcome {
    fn __metrics_outcome(&self) -> Outcome;
}

impl<T: TimedOutcome> ViaTimedOutcome for Probe<'_, T> {
    #[inline]
    fn __metrics_outcome(&self) -> Outcome {
        if self.0.is_error() { Outcome::Error } else { Outcome::Ok }
    }
}

#[doc(hidden)]
pub trait ViaDefault {
    fn __metrics_outcome(&self) -> Outcome;
}

impl<T> ViaDefault for &Probe<'_, T> {
    #[inline]
    fn __metrics_outcome(&self) -> Outcome {
        Outcome::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Plain;
    struct Failing;
    impl TimedOutcome for Failing {
        fn is_error(&self) -> bool {
            true
        }
    }

    #[test]
    // The borrow is the point: it is what makes the fallback a lower-priority method.
    #[allow(clippy::needless_borrow)]
    fn probe_picks_the_most_specific_classification() {
        let ok: Result<u8, ()> = Ok(1);
        let err: Result<u8, ()> = Err(());
        assert_eq!((&Probe(&ok)).__metrics_outcome(), Outcome::Ok);
        assert_eq!((&Probe(&err)).__metrics_outcome(), Outcome::Error);
        assert_eq!((&Probe(&Plain)).__metrics_outcome(), Outcome::Ok);
        assert_eq!((&Probe(&Failing)).__metrics_outcome(), Outcome::Error);
        assert_eq!((&Probe(&())).__metrics_outcome(), Outcome::Ok);
    }

    #[test]
    #[allow(clippy::needless_borrow)]
    fn error_kinds_come_from_the_trait_or_the_type_name() {
        struct Coded;
        impl TimedErrorKind for Coded {
            fn error_kind(&self) -> &'static str {
                "coded"
            }
        }
        let coded: Result<(), Coded> = Err(Coded);
        let parse: Result<u8, _> = "x".parse::<u8>();
        let boxed: Result<(), Box<dyn std::error::Error>> = Err("x".into());
        let fine: Result<u8, Coded> = Ok(1);
        assert_eq!((&KindProbe(&coded)).__metrics_error_kind(), Some("coded"));
        assert_eq!((&KindProbe(&parse)).__metrics_error_kind(), Some("ParseIntError"));
        assert_eq!((&KindProbe(&boxed)).__metrics_error_kind(), Some("Box"));
        assert_eq!((&KindProbe(&fine)).__metrics_error_kind(), None);
    }
}
