//! The clocks a timed call can read: the standard monotonic clock, or an opt-in
//! cheaper one built on the CPU's time-stamp counter.

use std::sync::OnceLock;
use std::time::Instant;

/// A monotonic clock for timing calls.
pub trait Clock: 'static {
    /// A reading.
    type Reading: Copy + core::fmt::Debug + Send + Sync;
    /// Reads the clock.
    fn now() -> Self::Reading;
    /// Seconds from `start` to now.
    fn seconds_since(start: Self::Reading) -> f64;
}

/// [`std::time::Instant`]: `clock_gettime(CLOCK_MONOTONIC)` on Linux. The default.
#[derive(Debug, Clone, Copy, Default)]
pub struct StdClock;

impl Clock for StdClock {
    type Reading = Instant;

    #[inline]
    fn now() -> Instant {
        Instant::now()
    }

    #[inline]
    fn seconds_since(start: Instant) -> f64 {
        start.elapsed().as_secs_f64()
    }
}

/// The CPU's time-stamp counter, when it is invariant (constant rate, synchronised
/// across cores: every x86-64 CPU of the last decade), read with `rdtsc`: a few
/// nanoseconds instead of a system clock read. Opt in with `#[timed(fast_clock)]`.
///
/// The tick rate is calibrated against [`Instant`] once, over about 2 ms, on first
/// use. Where the counter is not invariant, or off x86-64, it falls back to
/// [`StdClock`]'s readings.
///
/// ```
/// use metrics_runtime::timed::{Clock, TscClock};
/// let start = TscClock::now();
/// std::thread::sleep(std::time::Duration::from_millis(20));
/// let seconds = TscClock::seconds_since(start);
/// assert!(seconds > 0.015 && seconds < 1.0, "{seconds}");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct TscClock;

/// Seconds per tick, or `None` when the counter cannot be trusted.
static SECONDS_PER_TICK: OnceLock<Option<f64>> = OnceLock::new();
static ANCHOR: OnceLock<Instant> = OnceLock::new();

impl Clock for TscClock {
    type Reading = u64;

    #[inline]
    fn now() -> u64 {
        match SECONDS_PER_TICK.get_or_init(calibrate) {
            Some(_) => ticks(),
            None => fallback_nanos(),
        }
    }

    #[inline]
    fn seconds_since(start: u64) -> f64 {
        match SECONDS_PER_TICK.get_or_init(calibrate) {
            Some(per_tick) => ticks().saturating_sub(start) as f64 * per_tick,
            None => fallback_nanos().saturating_sub(start) as f64 * 1e-9,
        }
    }
}

fn fallback_nanos() -> u64 {
    let anchor = ANCHOR.get_or_init(Instant::now);
    u64::try_from(anchor.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(target_arch = "x86_64")]
#[inline]
fn ticks() -> u64 {
    // SAFETY: `rdtsc` exists on every x86-64 CPU and has no preconditions.
    #[allow(unused_unsafe)]
    unsafe {
        core::arch::x86_64::_rdtsc()
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn ticks() -> u64 {
    fallback_nanos()
}

#[cfg(target_arch = "x86_64")]
fn invariant_tsc() -> bool {
    use core::arch::x86_64::__cpuid;
    // SAFETY: `cpuid` exists on every x86-64 CPU; leaf 0x8000_0007 is read only
    // when the maximum extended leaf says it exists.
    #[allow(unused_unsafe)]
    unsafe {
        __cpuid(0x8000_0000).eax >= 0x8000_0007 && __cpuid(0x8000_0007).edx & (1 << 8) != 0
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn invariant_tsc() -> bool {
    false
}

fn calibrate() -> Option<f64> {
    if !invariant_tsc() {
        return None;
    }
    let (start_instant, start_ticks) = (Instant::now(), ticks());
    while start_instant.elapsed().as_micros() < 2_000 {
        core::hint::spin_loop();
    }
    let (seconds, elapsed_ticks) = (start_instant.elapsed().as_secs_f64(), ticks() - start_ticks);
    (elapsed_ticks > 0).then(|| seconds / elapsed_ticks as f64)
}
