//! The buffers one server's scrapes reuse: the exposition's and the gzip output's,
//! and the gzip compressor.
//!
//! A large exposition's buffer (58 MB for a million series) is above the
//! allocator's mmap threshold: allocated afresh, every scrape would map it and fault
//! every page in again, which made scrape time grow faster than the series. So each
//! scrape takes the buffer the last one used, and a response body hands its buffer
//! back when hyper drops it, sent ([`ScrapeMemory::lend`]).
//!
//! What is kept between scrapes is bounded: one spare buffer of each kind (and one
//! compressor, [`Gzip`]), and none
//! over twice what the last scrape needed, so a family that shrinks frees the big
//! buffer at its next scrape. Concurrent scrapes each get a buffer of their own: the
//! first takes the spare, the others allocate, and only one comes back to be kept.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use hyper::body::Bytes;

use super::gzip::Gzip;

/// What one server's scrapes share to spend less on memory.
#[derive(Debug, Default)]
pub(crate) struct ScrapeMemory {
    /// The buffers the exposition is encoded into.
    pub(crate) plain: Arc<Spare>,
    /// The buffers the gzip encoder writes into.
    pub(crate) compressed: Arc<Spare>,
    /// The compressor.
    pub(crate) gzip: Gzip,
}

/// One kind of buffer: the last one's size, so that the next is allocated once,
/// and the spare buffer itself.
#[derive(Debug, Default)]
pub(crate) struct Spare {
    size_hint: AtomicUsize,
    kept: Mutex<Vec<u8>>,
}

/// The smallest buffer handed out.
const MIN_CAPACITY: usize = 4096;

impl Spare {
    /// An empty buffer with room for the last one's contents and some more: the
    /// spare one if no other scrape holds it, else a new one.
    pub(crate) fn take(&self) -> Vec<u8> {
        let wanted = self.wanted();
        let mut spare =
            core::mem::take(&mut *self.kept.lock().unwrap_or_else(PoisonError::into_inner));
        if spare.capacity() == 0 {
            return Vec::with_capacity(wanted);
        }
        // Grows it (in place or by remapping) only if the last contents grew.
        spare.reserve(wanted);
        spare
    }

    /// Remembers how much a buffer just filled holds, for the next ones.
    pub(crate) fn filled(&self, len: usize) {
        self.size_hint.store(len + len / 8, Ordering::Relaxed);
    }

    /// Keeps `buf` for the next scrape, unless a buffer is kept already or `buf` is
    /// over twice what the last scrape needed (then it is freed).
    pub(crate) fn give_back(&self, mut buf: Vec<u8>) {
        if buf.capacity() / 2 > self.wanted() {
            return;
        }
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.capacity() == 0 {
            buf.clear();
            *kept = buf;
        }
    }

    /// `buf` as the bytes of a response body, given back to this spare when the
    /// last of them is dropped (hyper drops them once written to the socket).
    pub(crate) fn lend(self: &Arc<Self>, buf: Vec<u8>) -> Bytes {
        Bytes::from_owner(Lent { buf, home: self.clone() })
    }

    fn wanted(&self) -> usize {
        self.size_hint.load(Ordering::Relaxed).max(MIN_CAPACITY)
    }
}

/// A buffer out in a response body; given back to its spare when dropped.
struct Lent {
    buf: Vec<u8>,
    home: Arc<Spare>,
}

impl AsRef<[u8]> for Lent {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        self.home.give_back(core::mem::take(&mut self.buf));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A buffer filled like an exposition of `len` bytes, with room for the next.
    fn filled(spare: &Spare, len: usize) -> Vec<u8> {
        let mut buf = spare.take();
        buf.reserve(2 * len);
        buf.resize(len, b'x');
        spare.filled(len);
        buf
    }

    #[test]
    fn a_buffer_given_back_is_handed_out_again() {
        let spare = Spare::default();
        let first = filled(&spare, 10_000);
        let address = first.as_ptr();
        spare.give_back(first);
        let second = spare.take();
        assert_eq!(second.as_ptr(), address, "the spare buffer is handed out again");
        assert!(second.is_empty());
        assert!(spare.take().capacity() >= 10_000, "a second taker gets a new one");
    }

    #[test]
    fn a_lent_buffer_comes_back_when_the_body_is_dropped() {
        let spare = Arc::new(Spare::default());
        let first = filled(&spare, 10_000);
        let address = first.as_ptr();
        let body = spare.lend(first);
        assert_eq!(body.as_ptr(), address, "the body is the buffer, not a copy");
        let part = body.slice(100..200);
        drop(body);
        let meanwhile = spare.take();
        assert_ne!(meanwhile.as_ptr(), address, "a scrape meanwhile gets its own buffer");
        drop(part);
        let back = spare.take();
        assert_eq!(back.as_ptr(), address, "back once the last of its bytes is gone");
    }

    #[test]
    fn only_one_buffer_is_kept() {
        let spare = Spare::default();
        let (first, second) = (filled(&spare, 1000), filled(&spare, 1000));
        let address = first.as_ptr();
        spare.give_back(first);
        spare.give_back(second);
        let kept = spare.take();
        assert_eq!(kept.as_ptr(), address);
        assert_eq!(spare.kept.lock().unwrap().capacity(), 0, "the other one was freed");
    }

    #[test]
    fn a_buffer_far_larger_than_the_last_contents_is_not_kept() {
        let spare = Spare::default();
        let big = filled(&spare, 1 << 20);
        spare.filled(100);
        spare.give_back(big);
        assert_eq!(spare.kept.lock().unwrap().capacity(), 0);
    }
}
