//! One scrape: the exposition encoded off the async workers, within a time limit,
//! gzip-compressed when asked.

use std::sync::Arc;
use std::time::Duration;

use hyper::body::Bytes;
use tokio::sync::OwnedSemaphorePermit;

use super::scrape_memory::ScrapeMemory;
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
    memory: Arc<ScrapeMemory>,
    slot: OwnedSemaphorePermit,
    timeout: Duration,
) -> Result<Exposition, ScrapeFailure> {
    let task = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        expose(&registry, format, gzip, &memory)
    });
    match tokio::time::timeout(timeout, task).await {
        Ok(Ok(exposition)) => Ok(exposition),
        Ok(Err(_)) => Err(ScrapeFailure::Panicked),
        Err(_) => Err(ScrapeFailure::TimedOut(timeout)),
    }
}

/// Encodes `registry` into the buffer the last scrape used, and compresses it
/// into the last compressed one's when `gzip`; the body gives its buffer back when
/// hyper drops it, sent, so that a scrape allocates nothing after the first.
fn expose(registry: &Registry, format: Format, gzip: bool, memory: &ScrapeMemory) -> Exposition {
    let mut buf = memory.plain.take();
    registry.encode(format, &mut buf);
    memory.plain.filled(buf.len());
    if !gzip {
        return Exposition { body: memory.plain.lend(buf), gzip: false };
    }
    match memory.gzip.compress(&buf, memory.compressed.take()) {
        Some(compressed) => {
            memory.plain.give_back(buf);
            memory.compressed.filled(compressed.len());
            Exposition { body: memory.compressed.lend(compressed), gzip: true }
        }
        None => Exposition { body: memory.plain.lend(buf), gzip: false },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::BuildInfo;

    fn registry() -> Registry {
        let registry = Registry::new();
        registry.expose_build_info(BuildInfo::new("scrape", "1.0.0")).unwrap();
        registry
    }

    #[test]
    fn an_identity_scrape_encodes_into_the_last_ones_buffer() {
        let (registry, memory) = (registry(), ScrapeMemory::default());
        let first = expose(&registry, Format::Text, false, &memory);
        assert!(!first.gzip);
        assert!(first.body.starts_with(b"# HELP build_info"), "{:?}", first.body);
        let address = first.body.as_ptr();
        // hyper drops the body once it is sent.
        drop(first);
        let second = expose(&registry, Format::Text, false, &memory);
        assert_eq!(second.body.as_ptr(), address, "no new buffer for the second scrape");
        let concurrent = expose(&registry, Format::Text, false, &memory);
        assert_ne!(concurrent.body.as_ptr(), address, "a concurrent scrape has its own");
        assert_eq!(concurrent.body, second.body);
    }

    #[test]
    fn a_gzip_scrape_reuses_both_buffers() {
        let (registry, memory) = (registry(), ScrapeMemory::default());
        let first = expose(&registry, Format::Text, true, &memory);
        assert!(first.gzip);
        let compressed = first.body.as_ptr();
        let plain = memory.plain.take();
        let encoded_into = plain.as_ptr();
        memory.plain.give_back(plain);
        drop(first);
        let second = expose(&registry, Format::Text, true, &memory);
        assert_eq!(second.body.as_ptr(), compressed, "the compressed output's buffer is reused");
        let plain = memory.plain.take();
        assert_eq!(plain.as_ptr(), encoded_into, "so is the exposition's");
    }
}
