//! The process families on Linux, read through the `procfs` crate.

use std::sync::OnceLock;

use procfs::process::{LimitValue, Process};

use super::header;
use crate::collect::{ExpositionSink, Value};
use crate::descriptor::MetricKind;
use crate::label::LabelValues;

/// Seconds since the epoch at which the process started: fixed, so read once.
static START_TIME: OnceLock<Option<f64>> = OnceLock::new();

fn gauge(
    sink: &mut dyn ExpositionSink,
    name: &'static str,
    help: &'static str,
    unit: &'static str,
    value: Value,
) {
    sink.family(&header(name, help, MetricKind::Gauge, unit));
    sink.gauge(&LabelValues::EMPTY, value);
}

/// Writes what can be read now; a file that cannot be read leaves its families
/// out of this scrape rather than failing it.
pub(super) fn collect(sink: &mut dyn ExpositionSink) {
    let Ok(process) = Process::myself() else { return };
    let ticks = procfs::ticks_per_second() as f64;
    if let Ok(stat) = process.stat() {
        sink.family(&header(
            "process_cpu_seconds",
            "Total user and system CPU time spent in seconds.",
            MetricKind::Counter,
            "seconds",
        ));
        sink.counter(&LabelValues::EMPTY, Value::Float((stat.utime + stat.stime) as f64 / ticks));
        let rss = stat.rss.saturating_mul(procfs::page_size());
        gauge(
            sink,
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
            "bytes",
            Value::UInt(rss),
        );
        gauge(
            sink,
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes.",
            "bytes",
            Value::UInt(stat.vsize),
        );
        let start = *START_TIME.get_or_init(|| {
            let boot = procfs::boot_time_secs().ok()?;
            Some(boot as f64 + stat.starttime as f64 / ticks)
        });
        if let Some(start) = start {
            gauge(
                sink,
                "process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.",
                "seconds",
                Value::Float(start),
            );
        }
        gauge(
            sink,
            "process_threads",
            "Number of OS threads in the process.",
            "",
            Value::Int(stat.num_threads),
        );
    }
    if let Ok(open) = process.fd_count() {
        gauge(
            sink,
            "process_open_fds",
            "Number of open file descriptors.",
            "",
            Value::UInt(open as u64),
        );
    }
    if let Ok(limits) = process.limits()
        && let LimitValue::Value(max) = limits.max_open_files.soft_limit
    {
        gauge(
            sink,
            "process_max_fds",
            "Maximum number of open file descriptors.",
            "",
            Value::UInt(max),
        );
    }
}
