//! Runtime support for `#[timed]`: per-function static storage, the sync guard and
//! async future it expands to, outcome classification, and collection.
//!
//! Every timed function shares two families (unless it names its own with
//! `#[timed(name = "..")]`):
//!
//! | family | type | labels |
//! |---|---|---|
//! | `function_calls_total` | counter | `function`, `module`, `outcome` (`ok`, `error`, `panicked`, `cancelled`) |
//! | `function_duration_seconds` | histogram | `function`, `module` |
//! | `function_calls_in_flight` | gauge, with `#[timed(in_flight)]` | `function`, `module` |
//! | `function_errors_total` | counter, with `#[timed(error_kind)]` | `function`, `module`, `error_kind` |
//!
//! plus any `#[timed(labels(..))]`. The series of every timed function in the
//! binary exist (at zero) from the first scrape of the
//! [`default_registry`](crate::default_registry), before the first call.

mod call;
mod clock;
mod collect;
mod exemplar;
mod function;
mod outcome;

pub use call::{TimedCall, TimedFuture, timed_future};
pub use clock::{Clock, StdClock, TscClock};
pub use collect::set_prefix;
pub(crate) use collect::{collect, stem};
pub use exemplar::{CallExemplars, NoExemplars, TraceExemplars};
pub use function::{TIMED_FUNCTIONS, TimedDescriptor, TimedFunction, TimedSeries, timed_functions};
pub use outcome::{
    KindProbe, Outcome, Probe, TimedErrorKind, TimedOutcome, ViaDefault, ViaErrorKind,
    ViaTimedOutcome, ViaTypeName,
};
