//! Adding to an `f64` kept as bits in an `AtomicU64`: the one compare-and-swap loop
//! float counters, float gauges, histogram sums and `#[timed]` sums share.

use core::sync::atomic::{AtomicU64, Ordering};

/// Adds `v` to the `f64` whose bits `cell` holds. `Relaxed`: each cell is a value of
/// its own, read without ordering against others.
#[inline]
pub(crate) fn add(cell: &AtomicU64, v: f64) {
    let mut current = cell.load(Ordering::Relaxed);
    loop {
        let next = (f64::from_bits(current) + v).to_bits();
        match cell.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            Err(seen) => current = seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_from_several_threads_without_losing_any() {
        let cell = AtomicU64::new(0f64.to_bits());
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..10_000 {
                        add(&cell, 0.5);
                    }
                });
            }
        });
        assert_eq!(f64::from_bits(cell.load(Ordering::Relaxed)), 20_000.0);
    }
}
