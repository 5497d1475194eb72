//! The storage of one exemplar: a sequence lock over atomic words, written without
//! waiting and read whole or not at all.
//!
//! A writer claims the slot by moving its sequence from even to odd with one
//! compare-and-swap; if another writer holds it, the newer exemplar is simply not
//! kept (an exemplar is a sample of one observation, and the other writer is storing
//! one just as recent), so recording never waits or spins. A reader copies the words
//! and keeps the copy only if the sequence was even and unchanged around it, so a
//! scrape never sees half of one exemplar and half of another. Every word is an
//! atomic, so the racing reads are defined behaviour, as in crossbeam's `AtomicCell`.

use core::ptr;
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering, fence};
use std::time::{SystemTime, UNIX_EPOCH};

use super::TraceId;
use super::labels::{Exemplar, ExemplarLabels, MAX_EXEMPLAR_BYTES};

const WORDS: usize = MAX_EXEMPLAR_BYTES / 8;

/// How often a scrape retries a slot that writers keep changing before it leaves
/// that exemplar out of this scrape.
const READ_ATTEMPTS: usize = 16;

struct Slot {
    /// Even: stable; odd: a writer is copying in. Zero: never written.
    sequence: AtomicU64,
    value: AtomicU64,
    timestamp_ms: AtomicU64,
    len: AtomicU64,
    words: [AtomicU64; WORDS],
}

impl Slot {
    fn new() -> Self {
        Self {
            sequence: AtomicU64::new(0),
            value: AtomicU64::new(0),
            timestamp_ms: AtomicU64::new(0),
            len: AtomicU64::new(0),
            words: [const { AtomicU64::new(0) }; WORDS],
        }
    }
}

/// One exemplar, kept for a counter or a histogram bucket: the latest recorded.
///
/// Eight bytes until the first exemplar is recorded into it, then a slot of about
/// half a kilobyte, allocated once and kept.
pub(crate) struct ExemplarCell {
    slot: AtomicPtr<Slot>,
}

impl ExemplarCell {
    pub(crate) const fn new() -> Self {
        Self { slot: AtomicPtr::new(ptr::null_mut()) }
    }

    /// Whether an exemplar was ever recorded here (a scrape can skip the others).
    pub(crate) fn is_used(&self) -> bool {
        !self.slot.load(Ordering::Relaxed).is_null()
    }

    /// Keeps `exemplar` with `value`, stamped now; skipped if another thread is
    /// writing this cell at this instant.
    #[inline]
    pub(crate) fn record(&self, exemplar: &Exemplar, value: f64) {
        self.record_encoded(exemplar.encoded(), value);
    }

    /// Keeps the exemplar `{trace_id="<id>"}`, written straight into the slot with
    /// no [`Exemplar`] made on the way (the path of `#[timed]` and the HTTP layer).
    #[inline]
    pub(crate) fn record_trace_id(&self, id: TraceId, value: f64) {
        self.record_encoded(&id.encoded_exemplar(), value);
    }

    /// Keeps labels as [`Exemplar::encoded`] writes them (at most
    /// `MAX_EXEMPLAR_BYTES`).
    #[inline]
    fn record_encoded(&self, encoded: &[u8], value: f64) {
        // Read before the slot is claimed, to keep the claim short.
        let timestamp_ms = now_ms();
        let slot = self.slot();
        let sequence = slot.sequence.load(Ordering::Relaxed);
        if sequence & 1 == 1
            || slot
                .sequence
                .compare_exchange(sequence, sequence + 1, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        // The data stores below must not be seen before the odd sequence.
        fence(Ordering::Release);
        slot.value.store(value.to_bits(), Ordering::Relaxed);
        // Never older than the exemplar it replaces: Prometheus refuses an exemplar
        // older than the last one it stored for the series as out of order, and
        // another writer may have read the clock after this one yet claimed first.
        let previous = slot.timestamp_ms.load(Ordering::Relaxed);
        slot.timestamp_ms.store(timestamp_ms.max(previous), Ordering::Relaxed);
        slot.len.store(encoded.len() as u64, Ordering::Relaxed);
        for (word, chunk) in slot.words.iter().zip(encoded.chunks(8)) {
            let mut bytes = [0u8; 8];
            bytes[..chunk.len()].copy_from_slice(chunk);
            word.store(u64::from_le_bytes(bytes), Ordering::Relaxed);
        }
        slot.sequence.store(sequence + 2, Ordering::Release);
    }

    /// Copies the latest exemplar into `into`; `false` when there is none yet (or
    /// writers kept changing it during every attempt).
    pub(crate) fn read(&self, into: &mut ExemplarSnapshot) -> bool {
        let slot = self.slot.load(Ordering::Acquire);
        if slot.is_null() {
            return false;
        }
        // SAFETY: a non-null pointer came from `Box::into_raw` in `slot()` and is
        // freed only in `drop`, which `&self` rules out.
        let slot = unsafe { &*slot };
        for _ in 0..READ_ATTEMPTS {
            let before = slot.sequence.load(Ordering::Acquire);
            if before == 0 {
                return false;
            }
            if before & 1 == 1 {
                core::hint::spin_loop();
                continue;
            }
            into.value = f64::from_bits(slot.value.load(Ordering::Relaxed));
            into.timestamp_ms = slot.timestamp_ms.load(Ordering::Relaxed);
            let len = (slot.len.load(Ordering::Relaxed) as usize).min(MAX_EXEMPLAR_BYTES);
            for (chunk, word) in into.bytes[..len].chunks_mut(8).zip(&slot.words) {
                let bytes = word.load(Ordering::Relaxed).to_le_bytes();
                chunk.copy_from_slice(&bytes[..chunk.len()]);
            }
            // The copies above must be done before the sequence is read again.
            fence(Ordering::Acquire);
            if slot.sequence.load(Ordering::Relaxed) == before {
                into.len = len;
                return true;
            }
        }
        false
    }

    /// The slot, allocated on first use. Two first writers may both allocate; one
    /// wins and the other frees its own.
    #[inline]
    fn slot(&self) -> &Slot {
        let mut current = self.slot.load(Ordering::Acquire);
        if current.is_null() {
            current = self.allocate();
        }
        // SAFETY: as in `read`.
        unsafe { &*current }
    }

    #[cold]
    fn allocate(&self) -> *mut Slot {
        let fresh = Box::into_raw(Box::new(Slot::new()));
        match self.slot.compare_exchange(
            ptr::null_mut(),
            fresh,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => fresh,
            Err(winner) => {
                // SAFETY: `fresh` was never shared.
                drop(unsafe { Box::from_raw(fresh) });
                winner
            }
        }
    }
}

impl Drop for ExemplarCell {
    fn drop(&mut self) {
        let slot = *self.slot.get_mut();
        if !slot.is_null() {
            // SAFETY: from `Box::into_raw`, and no reference outlives `&mut self`.
            drop(unsafe { Box::from_raw(slot) });
        }
    }
}

impl Default for ExemplarCell {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for ExemplarCell {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut snapshot = ExemplarSnapshot::new();
        if self.read(&mut snapshot) { snapshot.fmt(f) } else { f.write_str("None") }
    }
}

/// An exemplar copied out of its cell at a scrape.
#[derive(Clone)]
pub(crate) struct ExemplarSnapshot {
    pub(crate) value: f64,
    pub(crate) timestamp_ms: u64,
    len: usize,
    bytes: [u8; MAX_EXEMPLAR_BYTES],
}

impl ExemplarSnapshot {
    pub(crate) const fn new() -> Self {
        Self { value: 0.0, timestamp_ms: 0, len: 0, bytes: [0; MAX_EXEMPLAR_BYTES] }
    }

    pub(crate) fn labels(&self) -> ExemplarLabels<'_> {
        ExemplarLabels::from_encoded(&self.bytes[..self.len])
    }

    /// The format-neutral view the encoders take.
    pub(crate) fn sample(&self) -> crate::collect::ExemplarSample<'_> {
        crate::collect::ExemplarSample {
            labels: self.labels(),
            value: self.value,
            timestamp_ms: self.timestamp_ms,
        }
    }
}

impl core::fmt::Debug for ExemplarSnapshot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Exemplar")
            .field("labels", &self.labels().collect::<Vec<_>>())
            .field("value", &self.value)
            .field("timestamp_ms", &self.timestamp_ms)
            .finish()
    }
}

/// Milliseconds since the Unix epoch (0 for a clock set before 1970).
fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(cell: &ExemplarCell) -> Option<(Vec<(String, String)>, f64)> {
        let mut snapshot = ExemplarSnapshot::new();
        cell.read(&mut snapshot).then(|| {
            let labels = snapshot.labels().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
            (labels, snapshot.value)
        })
    }

    #[test]
    fn keeps_the_latest_exemplar_with_its_value_and_time() {
        let cell = ExemplarCell::new();
        assert_eq!(read(&cell), None);
        let before = now_ms();
        cell.record(&Exemplar::new(&[("trace_id", "a")]).unwrap(), 1.5);
        cell.record(&Exemplar::new(&[("trace_id", "bb"), ("span_id", "c")]).unwrap(), 2.5);
        let mut snapshot = ExemplarSnapshot::new();
        assert!(cell.read(&mut snapshot));
        assert!(snapshot.timestamp_ms >= before && snapshot.timestamp_ms <= now_ms());
        assert_eq!(
            read(&cell),
            Some((vec![("trace_id".into(), "bb".into()), ("span_id".into(), "c".into())], 2.5))
        );
        cell.record(&Exemplar::empty(), 3.0);
        assert_eq!(read(&cell), Some((vec![], 3.0)));
        let id = TraceId::from_u128(0xfeed).unwrap();
        cell.record_trace_id(id, 4.0);
        let labels =
            Exemplar::from_trace_id(id).labels().map(|(k, v)| (k.into(), v.into())).collect();
        assert_eq!(read(&cell), Some((labels, 4.0)));
    }

    /// Writers store exemplars whose every label value encodes the value recorded
    /// with them, of lengths that differ; a torn read would pair one writer's value
    /// with another's labels, or cut a label short.
    #[test]
    fn a_scrape_never_sees_a_torn_exemplar() {
        let cell = ExemplarCell::new();
        let stop = core::sync::atomic::AtomicBool::new(false);
        let mut whole = 0;
        std::thread::scope(|s| {
            for writer in 0..2u32 {
                let (cell, stop) = (&cell, &stop);
                s.spawn(move || {
                    let mut i = 0u32;
                    while !stop.load(Ordering::Relaxed) || i < 1_000 {
                        let n = writer * 1_000_000 + i;
                        let value = n.to_string().repeat(1 + (n % 9) as usize);
                        let labels = [("trace_id", value.as_str()), ("n", &*n.to_string())];
                        cell.record(&Exemplar::new(&labels).unwrap(), f64::from(n));
                        i += 1;
                    }
                });
            }
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while whole < 2_000 && std::time::Instant::now() < deadline {
                if let Some((labels, value)) = read(&cell) {
                    let n = value as u32;
                    let expected = n.to_string().repeat(1 + (n % 9) as usize);
                    assert_eq!(labels[0], ("trace_id".to_owned(), expected));
                    assert_eq!(labels[1], ("n".to_owned(), n.to_string()));
                    whole += 1;
                }
            }
            stop.store(true, Ordering::Relaxed);
        });
        assert!(whole > 0, "no read succeeded in 5 s");
    }
}
