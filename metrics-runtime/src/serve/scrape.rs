//! One scrape: the exposition encoded off the async workers, within a time limit,
//! gzip-compressed when asked.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;
use hyper::body::Bytes;
use tokio::sync::OwnedSemaphorePermit;

use crate::encode::Format;
use crate::registry::{Registry, default_registry};

/// The registry a server exposes: a `&'static Registry` (such as
/// [`default_registry`]) or an `Arc<Registry>`.
///
/// ```
/// use std::sync::Arc;
/// use metrics_runtime::Registry;
/// use metrics_runtime::serve::{MetricsServer, RegistryRef};
///
/// let shared = Arc::new(Registry::new());
/// let builder = MetricsServer::builder().registry(shared.clone());
/// let also: RegistryRef = metrics_runtime::default_registry().into();
/// # let _ = (builder, also);
/// ```
#[derive(Debug, Clone)]
pub struct RegistryRef(Source);

#[derive(Debug, Clone)]
enum Source {
    Static(&'static Registry),
    Shared(Arc<Registry>),
}

impl Default for RegistryRef {
    fn default() -> Self {
        Self(Source::Static(default_registry()))
    }
}

impl From<&'static Registry> for RegistryRef {
    fn from(registry: &'static Registry) -> Self {
        Self(Source::Static(registry))
    }
}

impl From<Arc<Registry>> for RegistryRef {
    fn from(registry: Arc<Registry>) -> Self {
        Self(Source::Shared(registry))
    }
}

impl core::ops::Deref for RegistryRef {
    type Target = Registry;
    fn deref(&self) -> &Registry {
        match &self.0 {
            Source::Static(registry) => registry,
            Source::Shared(registry) => registry,
        }
    }
}

/// Why a scrape gave no exposition.
#[derive(Debug)]
pub(crate) enum ScrapeFailure {
    /// Collection took longer than allowed; it goes on, holding its slot, and its
    /// result is dropped.
    TimedOut(Duration),
    /// Collection panicked (a panicking collector of an attached registry, say).
    Panicked,
}

/// An exposition ready to send.
#[derive(Debug)]
pub(crate) struct Exposition {
    pub(crate) body: Bytes,
    pub(crate) gzip: bool,
}

/// Encodes `registry` on tokio's blocking pool, so that a large or slow collection
/// neither stalls other connections nor escapes the time limit.
pub(crate) async fn scrape(
    registry: RegistryRef,
    format: Format,
    gzip: bool,
    size_hint: Arc<AtomicUsize>,
    slot: OwnedSemaphorePermit,
    timeout: Duration,
) -> Result<Exposition, ScrapeFailure> {
    let task = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        // Sized from the previous scrape: one allocation, no regrowth, in the common case.
        let mut buf = Vec::with_capacity(size_hint.load(Ordering::Relaxed).max(4096));
        registry.encode(format, &mut buf);
        size_hint.store(buf.len() + buf.len() / 8, Ordering::Relaxed);
        match gzip.then(|| compress(&buf)).flatten() {
            Some(compressed) => Exposition { body: Bytes::from(compressed), gzip: true },
            None => Exposition { body: Bytes::from(buf), gzip: false },
        }
    });
    match tokio::time::timeout(timeout, task).await {
        Ok(Ok(exposition)) => Ok(exposition),
        Ok(Err(_)) => Err(ScrapeFailure::Panicked),
        Err(_) => Err(ScrapeFailure::TimedOut(timeout)),
    }
}

/// Gzip at the fastest level: an exposition is repetitive text that shrinks some
/// tenfold even so, and a scrape should cost the service little CPU. `None` only if
/// the encoder fails, which writing to memory does not; the caller then sends the
/// exposition uncompressed.
fn compress(plain: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(plain.len() / 6 + 64), Compression::fast());
    encoder.write_all(plain).ok()?;
    encoder.finish().ok()
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[test]
    fn compressed_exposition_decodes_to_the_original() {
        let plain = "# TYPE x_total counter\nx_total 1\n".repeat(100);
        let gz = compress(plain.as_bytes()).unwrap();
        assert!(gz.len() < plain.len() / 5, "{} vs {}", gz.len(), plain.len());
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut decoded).unwrap();
        assert_eq!(decoded, plain);
    }
}
