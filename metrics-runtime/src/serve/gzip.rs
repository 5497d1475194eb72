//! Gzip of an exposition with a compressor kept between scrapes.
//!
//! The deflate state (its window, hash chains and code buffers, some hundreds of
//! kilobytes) is what a small scrape spent most on: allocated afresh, above the
//! allocator's mmap threshold, it was mapped and faulted in at every scrape, which
//! doubled the cost of a gzip scrape of 1,000 series. So the compressor is reset
//! and reused, and the gzip header and trailer (RFC 1952) are written here around
//! its raw deflate stream, as `flate2::write::GzEncoder` writes them.

use std::sync::{Mutex, PoisonError};

use flate2::{Compress, Compression, Crc, FlushCompress, Status};

/// The gzip header: magic, deflate, no flags, no time, no extra flags, OS unknown.
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

/// Room for the trailer: the CRC-32 and the length modulo 2^32.
const TRAILER_LEN: usize = 8;

/// A compressor kept for the next scrape; concurrent scrapes make their own.
#[derive(Default)]
pub(crate) struct Gzip {
    kept: Mutex<Option<Compress>>,
}

impl core::fmt::Debug for Gzip {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Gzip").finish_non_exhaustive()
    }
}

impl Gzip {
    /// `plain` gzip-compressed at the fastest level, appended to `out`: an
    /// exposition is repetitive text that shrinks some tenfold even so, and a scrape
    /// should cost the service little CPU. `None` only if the compressor fails,
    /// which compressing from memory to memory does not; the caller then sends the
    /// exposition uncompressed.
    pub(crate) fn compress(&self, plain: &[u8], mut out: Vec<u8>) -> Option<Vec<u8>> {
        let taken = self.kept.lock().unwrap_or_else(PoisonError::into_inner).take();
        let mut deflate = taken.unwrap_or_else(|| Compress::new(Compression::fast(), false));
        // The first time, room for a typical ratio; later, the last output's.
        out.reserve(HEADER.len() + plain.len() / 8 + TRAILER_LEN);
        out.extend_from_slice(&HEADER);
        let deflated = loop {
            let rest = &plain[usize::try_from(deflate.total_in()).ok()?..];
            match deflate.compress_vec(rest, &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break true,
                // Out of room: more, and go on where it stopped.
                Ok(Status::Ok | Status::BufError) => out.reserve(out.capacity() / 2 + 4096),
                Err(_) => break false,
            }
        };
        deflate.reset();
        *self.kept.lock().unwrap_or_else(PoisonError::into_inner) = Some(deflate);
        if !deflated {
            return None;
        }
        let mut crc = Crc::new();
        crc.update(plain);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        // RFC 1952: the length modulo 2^32, so the truncation is the format's.
        out.extend_from_slice(&(plain.len() as u32).to_le_bytes());
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    fn decoded(gz: &[u8]) -> Vec<u8> {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(gz).read_to_end(&mut plain).unwrap();
        plain
    }

    #[test]
    fn compressed_exposition_decodes_to_the_original() {
        let plain = "# TYPE x_total counter\nx_total 1\n".repeat(100);
        let gz = Gzip::default().compress(plain.as_bytes(), Vec::new()).unwrap();
        assert!(gz.len() < plain.len() / 5, "{} vs {}", gz.len(), plain.len());
        assert_eq!(decoded(&gz), plain.as_bytes());
    }

    #[test]
    fn the_compressor_is_reused_and_output_that_outgrows_its_buffer_is_complete() {
        let gzip = Gzip::default();
        // Incompressible (a hash of the index: murmur3's finaliser, in part), so
        // the output outgrows the eighth of the input reserved for it.
        let noise: Vec<u8> = (0..300_000u32)
            .map(|i| {
                let mixed = i.wrapping_mul(0x9e37_79b9);
                ((mixed ^ (mixed >> 15)).wrapping_mul(0x85eb_ca6b) >> 24) as u8
            })
            .collect();
        let first = gzip.compress(&noise, Vec::with_capacity(16)).unwrap();
        assert!(gzip.kept.lock().unwrap().is_some(), "the compressor is kept");
        assert!(first.len() > noise.len() / 2, "{} bytes: compressible after all", first.len());
        assert_eq!(decoded(&first), noise);
        let second = gzip.compress(b"a scrape after that", Vec::new()).unwrap();
        assert_eq!(decoded(&second), b"a scrape after that", "reset between scrapes");
    }
}
