//! The tokio runtime families, from tokio's stable `RuntimeMetrics`.

use tokio::runtime::Handle;

use super::header;
use crate::collect::{ExpositionSink, Value};
use crate::descriptor::MetricKind;
use crate::label::LabelValues;

/// Writes the metrics of the runtime this runs on; nothing outside a runtime.
pub(super) fn collect(sink: &mut dyn ExpositionSink) {
    let Ok(handle) = Handle::try_current() else { return };
    let metrics = handle.metrics();
    let gauges = [
        ("tokio_workers", "Worker threads of the tokio runtime.", metrics.num_workers()),
        ("tokio_alive_tasks", "Tasks alive in the tokio runtime.", metrics.num_alive_tasks()),
        (
            "tokio_global_queue_depth",
            "Tasks waiting in the tokio runtime's global (injection) queue.",
            metrics.global_queue_depth(),
        ),
    ];
    for (name, help, value) in gauges {
        sink.family(&header(name, help, MetricKind::Gauge, ""));
        sink.gauge(&LabelValues::EMPTY, Value::UInt(value as u64));
    }
    #[cfg(target_has_atomic = "64")]
    per_worker(sink, &metrics);
}

#[cfg(target_has_atomic = "64")]
fn per_worker(sink: &mut dyn ExpositionSink, metrics: &tokio::runtime::RuntimeMetrics) {
    let workers = metrics.num_workers();
    let names: Vec<String> = (0..workers).map(|w| w.to_string()).collect();
    let labels = |w: usize| [names[w].as_str()];
    sink.family(&header(
        "tokio_worker_busy_seconds",
        "Time each tokio worker spent running tasks, in seconds.",
        MetricKind::Counter,
        "seconds",
    ));
    for worker in 0..workers {
        let busy = metrics.worker_total_busy_duration(worker).as_secs_f64();
        sink.counter(
            &LabelValues { names: &["worker"], values: &labels(worker) },
            Value::Float(busy),
        );
    }
    sink.family(&header(
        "tokio_worker_parks",
        "Times each tokio worker parked for lack of work.",
        MetricKind::Counter,
        "",
    ));
    for worker in 0..workers {
        let parks = metrics.worker_park_count(worker);
        sink.counter(
            &LabelValues { names: &["worker"], values: &labels(worker) },
            Value::UInt(parks),
        );
    }
}
