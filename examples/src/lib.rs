//! Helpers shared by the examples: a small seeded generator for deterministic traffic,
//! and the `--listen`/`--duration` flags of the served examples.

mod args;

pub use args::ServeArgs;

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
}
