//! A criterion measurement of the benchmark thread's CPU time.
//!
//! The benchmarks run on a machine whose two cores are shared: under wall-clock time
//! every moment the thread waits for a core lands in whichever benchmark is running,
//! and one crate's row can come out slower than another's for that reason alone.
//! The thread's CPU clock (`CLOCK_THREAD_CPUTIME_ID`) stops while it is descheduled.

use std::time::Duration;

use criterion::Criterion;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};

/// The calling thread's CPU time, reported in the same units as wall-clock time.
#[derive(Debug, Default)]
pub struct ThreadTime;

/// The configuration every single-threaded bench target runs with.
pub fn criterion() -> Criterion<ThreadTime> {
    Criterion::default().with_measurement(ThreadTime)
}

/// The calling thread's CPU time so far.
pub fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid timespec to write into; the clock id is a constant.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

impl Measurement for ThreadTime {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        thread_cpu_time()
    }

    fn end(&self, start: Duration) -> Duration {
        thread_cpu_time().saturating_sub(start)
    }

    fn add(&self, v1: &Duration, v2: &Duration) -> Duration {
        *v1 + *v2
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        // Values are durations either way: wall-clock time's formatter prints them.
        let wall: &'static WallTime = &WallTime;
        wall.formatter()
    }
}
