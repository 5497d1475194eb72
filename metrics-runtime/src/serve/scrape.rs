//! One scrape: the exposition encoded off the async workers, within a time limit,
//! gzip-compressed when asked.

use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
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

/// What one server's scrapes share to spend less on memory: the last exposition's
/// size, so the next buffer is allocated once, and the buffer a gzip scrape encoded
/// into, kept for the next one.
///
/// Prometheus always asks for gzip, and a large exposition's buffer (58 MB for a
/// million series) is above the allocator's mmap threshold: allocated afresh, every
/// scrape would map it and fault every page in again. The one spare buffer is what
/// the server keeps between scrapes; it is dropped when an exposition shrinks to
/// under half of it.
#[derive(Debug, Default)]
pub(crate) struct ScrapeMemory {
    size_hint: AtomicUsize,
    spare: Mutex<Vec<u8>>,
}

impl ScrapeMemory {
    /// An empty buffer that holds the last exposition's size and some more.
    fn buffer(&self, reuse: bool) -> Vec<u8> {
        let wanted = self.size_hint.load(Ordering::Relaxed).max(4096);
        if reuse {
            let mut spare =
                core::mem::take(&mut *self.spare.lock().unwrap_or_else(PoisonError::into_inner));
            if spare.capacity() > 0 {
                // Grows it in place (or by remapping) only if the last exposition grew.
                spare.reserve(wanted);
                return spare;
            }
        }
        Vec::with_capacity(wanted)
    }

    /// Remembers the size of an exposition just encoded.
    fn encoded(&self, len: usize) {
        self.size_hint.store(len + len / 8, Ordering::Relaxed);
    }

    /// Keeps `buf` for the next scrape, unless a buffer is already kept or `buf` is
    /// over twice what the last exposition needed.
    fn give_back(&self, mut buf: Vec<u8>) {
        if buf.capacity() / 2 > self.size_hint.load(Ordering::Relaxed).max(4096) {
            return;
        }
        let mut spare = self.spare.lock().unwrap_or_else(PoisonError::into_inner);
        if spare.capacity() == 0 {
            buf.clear();
            *spare = buf;
        }
    }
}

/// Encodes `registry` on tokio's blocking pool, so that a large or slow collection
/// neither stalls other connections nor escapes the time limit.
pub(crate) async fn scrape(
    registry: RegistryRef,
    format: Format,
    gzip: bool,
    memory: Arc<ScrapeMemory>,
    slot: OwnedSemaphorePermit,
    timeout: Duration,
) -> Result<Exposition, ScrapeFailure> {
    let task = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        // Sized from the previous scrape: one allocation, no regrowth, in the common
        // case; none at all for a gzip scrape after the first.
        let mut buf = memory.buffer(gzip);
        registry.encode(format, &mut buf);
        memory.encoded(buf.len());
        match gzip.then(|| compress(&buf)).flatten() {
            Some(compressed) => {
                memory.give_back(buf);
                Exposition { body: Bytes::from(compressed), gzip: true }
            }
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
    fn a_gzip_scrape_reuses_the_last_buffer() {
        let memory = ScrapeMemory::default();
        let mut first = memory.buffer(true);
        // Room for the next exposition too (1.125x this one), so reusing needs no regrowth.
        first.reserve(20_000);
        first.extend_from_slice(&[b'x'; 10_000]);
        memory.encoded(first.len());
        let address = first.as_ptr();
        memory.give_back(first);
        let second = memory.buffer(true);
        assert_eq!(second.as_ptr(), address, "the spare buffer is handed out again");
        assert!(second.is_empty());
        assert!(memory.buffer(true).capacity() >= 10_000, "a second taker gets a new one");
        assert_eq!(memory.buffer(false).len(), 0);
    }

    #[test]
    fn a_buffer_far_larger_than_the_exposition_is_not_kept() {
        let memory = ScrapeMemory::default();
        let mut big = memory.buffer(true);
        big.reserve(1 << 20);
        memory.encoded(100);
        memory.give_back(big);
        assert_eq!(memory.spare.lock().unwrap().capacity(), 0);
    }

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
