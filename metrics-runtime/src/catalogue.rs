//! The link-time catalogue: every family declared anywhere in the binary.

use crate::descriptor::FamilyDescriptor;

/// The distributed slice each `#[derive(Metrics)]` field adds its descriptor to.
#[doc(hidden)]
#[linkme::distributed_slice]
pub static CATALOGUE: [FamilyDescriptor];

/// Every metric family declared with `#[derive(Metrics)]` in this binary, in release
/// builds too, listed without running any user code.
///
/// ```
/// use metrics_runtime::{Counter, Metrics};
///
/// #[derive(Metrics)]
/// #[metrics(namespace = "docs")]
/// struct Jobs {
///     /// Jobs run.
///     runs: Counter,
/// }
///
/// assert!(metrics_runtime::catalogue().iter().any(|d| d.name == "docs_runs"));
/// ```
pub fn catalogue() -> &'static [FamilyDescriptor] {
    &CATALOGUE
}
