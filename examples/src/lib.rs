//! Helpers shared by the examples: a small seeded generator for deterministic traffic,
//! the flags of the served examples, the run every reference-system example shares,
//! a simulated HTTP client, and trace ids for exemplars.

mod args;
mod client;
mod served;
mod trace;

pub use args::ServeArgs;
pub use client::{Reply, send};
pub use served::{
    Example, Load, generate, ops_options, ops_selection, print_catalogue, set_timed_prefix,
};
pub use trace::{current_trace, in_trace, new_trace_id, trace_requests};

use metrics_runtime::Gauge;

/// A SplitMix64 generator: deterministic, seedable, good enough to simulate traffic.
#[derive(Debug, Clone)]
pub struct Traffic {
    state: u64,
}

impl Traffic {
    /// A generator starting from `seed`.
    pub const fn seeded(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An index in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One of `items` (not empty), each as likely.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Holds a gauge one higher while alive: work under way, counted down however it
/// ends, cancelled futures included.
///
/// ```
/// let running = metrics_runtime::Gauge::default();
/// {
///     let _work = examples::InProgress::enter(&running);
///     assert_eq!(running.get(), 1);
/// }
/// assert_eq!(running.get(), 0);
/// ```
#[derive(Debug)]
pub struct InProgress<'a>(&'a Gauge);

impl<'a> InProgress<'a> {
    /// Raises `gauge` until the guard is dropped.
    pub fn enter(gauge: &'a Gauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}
