//! A process-wide instance of a metrics struct, registered on first use.

use std::sync::{Arc, OnceLock};

use crate::metrics::Metrics;
use crate::registry::{RegistryError, default_registry};

/// A process-wide instance of `T`, registered into the [`default_registry`] the
/// first time it is used: the one line a program needs.
///
/// If registration fails (a name declared twice in the binary), the instance still
/// works, unregistered, and [`Global::registration_error`] says why; the error is
/// also printed once to standard error, since nothing else would show it.
///
/// ```
/// use metrics_runtime::{Counter, Global, Metrics};
///
/// #[derive(Metrics)]
/// #[metrics(namespace = "global_docs")]
/// struct App {
///     /// Requests served.
///     requests: Counter,
/// }
///
/// static METRICS: Global<App> = Global::new();
///
/// METRICS.requests.inc();
/// assert!(METRICS.registration_error().is_none());
/// let text = metrics_runtime::default_registry().encode_to_string(metrics_runtime::Format::Text);
/// assert!(text.contains("global_docs_requests_total 1"));
/// ```
pub struct Global<T: Metrics> {
    cell: OnceLock<(Arc<T>, Option<RegistryError>)>,
}

impl<T: Metrics> Global<T> {
    /// An instance not yet created.
    pub const fn new() -> Self {
        Self { cell: OnceLock::new() }
    }

    fn state(&self) -> &(Arc<T>, Option<RegistryError>) {
        self.cell.get_or_init(|| match default_registry().register(T::new_unregistered()) {
            Ok(metrics) => (metrics, None),
            Err(error) => {
                eprintln!("metrics_runtime: {error}; these metrics are recorded but not exposed");
                (Arc::new(T::new_unregistered()), Some(error))
            }
        })
    }

    /// The shared instance.
    pub fn get(&self) -> &Arc<T> {
        &self.state().0
    }

    /// Why registration failed, if it did.
    pub fn registration_error(&self) -> Option<&RegistryError> {
        self.state().1.as_ref()
    }
}

impl<T: Metrics> Default for Global<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Metrics> core::ops::Deref for Global<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.get()
    }
}

impl<T: Metrics> core::fmt::Debug for Global<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Global").field("initialized", &self.cell.get().is_some()).finish()
    }
}
