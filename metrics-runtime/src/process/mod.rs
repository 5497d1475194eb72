//! Process, tokio runtime and build metrics, read at scrape time. Each group is
//! opt-in per registry:
//!
//! | group | families | how |
//! |---|---|---|
//! | process (Linux) | `process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_virtual_memory_bytes`, `process_open_fds`, `process_max_fds`, `process_start_time_seconds`, `process_threads` | [`Registry::expose_process_metrics`] |
//! | tokio runtime (feature `tokio`) | `tokio_workers`, `tokio_alive_tasks`, `tokio_global_queue_depth`, `tokio_worker_busy_seconds_total{worker}`, `tokio_worker_parks_total{worker}` | [`Registry::expose_tokio_metrics`] |
//! | build | `build_info{name,version} 1` | [`Registry::expose_build_info`] with [`build_info!`](crate::build_info) |
//!
//! The names and meanings of the process families are those of the Prometheus
//! client libraries, so existing dashboards work. They are read from `/proc` by the
//! [`procfs`](https://docs.rs/procfs) crate; on other systems the process group is
//! empty (exposing it is not an error), and a value that cannot be read at a scrape
//! (`process_max_fds` when unlimited, say) is left out of that scrape.
//!
//! The tokio families describe the runtime the scrape runs on (the server's
//! collection does); a scrape from outside any runtime leaves them out. Per-worker
//! families need 64-bit atomics.
//!
//! ```
//! use metrics_runtime::{Format, Registry, build_info};
//!
//! let registry = Registry::new();
//! registry.expose_process_metrics()?;
//! registry.expose_build_info(build_info!())?;
//! let text = registry.encode_to_string(Format::Text);
//! # #[cfg(target_os = "linux")]
//! assert!(text.contains("# TYPE process_resident_memory_bytes gauge"));
//! assert!(text.contains(r#"build_info{name="metrics-runtime",version=""#));
//! # Ok::<(), metrics_runtime::RegistryError>(())
//! ```
//!
//! [`Registry::expose_process_metrics`]: crate::Registry::expose_process_metrics
//! [`Registry::expose_tokio_metrics`]: crate::Registry::expose_tokio_metrics
//! [`Registry::expose_build_info`]: crate::Registry::expose_build_info

mod build_info;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(feature = "tokio")]
mod tokio_runtime;

use std::collections::HashMap;

pub use build_info::BuildInfo;

use crate::collect::{ExpositionSink, FamilyHeader};
use crate::descriptor::MetricKind;
use crate::descriptor::SourceLocation;
use crate::registry::RegistryError;

/// The process family names (counters without `_total`).
pub(crate) const PROCESS_FAMILIES: &[&str] = &[
    "process_cpu_seconds",
    "process_resident_memory_bytes",
    "process_virtual_memory_bytes",
    "process_open_fds",
    "process_max_fds",
    "process_start_time_seconds",
    "process_threads",
];

/// The tokio runtime family names (counters without `_total`).
#[cfg(feature = "tokio")]
pub(crate) const TOKIO_FAMILIES: &[&str] = &[
    "tokio_workers",
    "tokio_alive_tasks",
    "tokio_global_queue_depth",
    "tokio_worker_busy_seconds",
    "tokio_worker_parks",
];

/// The build info family name.
pub(crate) const BUILD_INFO_FAMILIES: &[&str] = &["build_info"];

/// Where the registry says these families were declared: here, in the runtime.
const DECLARED_HERE: SourceLocation =
    SourceLocation { file: file!(), line: line!(), column: 1, module: module_path!() };

/// The header of a family declared here: no constant labels.
#[cfg_attr(not(any(target_os = "linux", feature = "tokio")), allow(dead_code))]
fn header(
    name: &'static str,
    help: &'static str,
    kind: MetricKind,
    unit: &'static str,
) -> FamilyHeader<'static> {
    FamilyHeader { name, help, kind, unit, const_labels: &[] }
}

/// Which groups a registry exposes.
#[derive(Debug, Default)]
pub(crate) struct Exposed {
    pub(crate) process: bool,
    #[cfg(feature = "tokio")]
    pub(crate) tokio: bool,
    pub(crate) build_info: Option<BuildInfo>,
}

impl Exposed {
    /// Writes the exposed groups, each read now.
    pub(crate) fn collect(&self, sink: &mut dyn ExpositionSink) {
        if let Some(info) = &self.build_info {
            info.collect(sink);
        }
        #[cfg(target_os = "linux")]
        if self.process {
            linux::collect(sink);
        }
        #[cfg(feature = "tokio")]
        if self.tokio {
            tokio_runtime::collect(sink);
        }
    }
}

/// Claims `families` in a registry's name table: refused if one of them is
/// registered by the application; claiming twice is fine.
pub(crate) fn claim(
    names: &mut HashMap<&'static str, SourceLocation>,
    families: &[&'static str],
) -> Result<(), RegistryError> {
    for name in families {
        if let Some(existing) = names.get(name).filter(|at| **at != DECLARED_HERE) {
            return Err(RegistryError::AlreadyRegistered {
                name: (*name).to_owned(),
                existing: *existing,
            });
        }
    }
    for name in families {
        names.insert(name, DECLARED_HERE);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Format, Registry};

    #[test]
    fn claiming_refuses_application_names_and_tolerates_repeats() {
        let mut names = HashMap::new();
        let app = SourceLocation { file: "app.rs", line: 3, column: 5, module: "app" };
        names.insert("process_threads", app);
        let error = claim(&mut names, PROCESS_FAMILIES).unwrap_err();
        assert!(
            matches!(&error, RegistryError::AlreadyRegistered { name, existing } if name == "process_threads" && *existing == app)
        );
        // Nothing was claimed by the refused call.
        assert!(!names.contains_key("process_open_fds"));
        names.clear();
        claim(&mut names, PROCESS_FAMILIES).unwrap();
        claim(&mut names, PROCESS_FAMILIES).unwrap();
        assert_eq!(names.len(), PROCESS_FAMILIES.len());
    }

    #[test]
    fn build_info_is_replaced_not_repeated() {
        let registry = Registry::new();
        registry.expose_build_info(BuildInfo::new("a", "1.0.0")).unwrap();
        registry.expose_build_info(BuildInfo::new("a", "1.0.1")).unwrap();
        let text = registry.encode_to_string(Format::Text);
        assert_eq!(text.matches("# TYPE build_info gauge").count(), 1);
        assert!(text.contains("build_info{name=\"a\",version=\"1.0.1\"} 1\n"), "{text}");
        let om = registry.encode_to_string(Format::OpenMetrics);
        assert!(om.contains("build_info{name=\"a\",version=\"1.0.1\"} 1\n"), "{om}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn process_families_are_all_there_in_both_formats() {
        let registry = Registry::new();
        registry.expose_process_metrics().unwrap();
        let text = registry.encode_to_string(Format::Text);
        for name in PROCESS_FAMILIES {
            assert!(text.contains(&format!("# TYPE {name}")), "{name} missing:\n{text}");
        }
        assert!(text.contains("process_cpu_seconds_total "));
        let om = registry.encode_to_string(Format::OpenMetrics);
        assert!(om.contains("# UNIT process_cpu_seconds seconds\n"), "{om}");
        assert!(om.contains("# UNIT process_resident_memory_bytes bytes\n"), "{om}");
        assert!(om.ends_with("# EOF\n"));
    }

    #[cfg(feature = "tokio")]
    #[test]
    fn tokio_families_only_inside_a_runtime() {
        let registry = std::sync::Arc::new(Registry::new());
        registry.expose_tokio_metrics().unwrap();
        assert!(!registry.encode_to_string(Format::Text).contains("tokio_workers"));
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
        let inside = registry.clone();
        let text = runtime.block_on(async move { inside.encode_to_string(Format::Text) });
        assert!(text.contains("tokio_workers 2\n"), "{text}");
        assert!(text.contains("tokio_worker_busy_seconds_total{worker=\"1\"} "), "{text}");
        assert!(text.contains("tokio_worker_parks_total{worker=\"0\"} "), "{text}");
    }
}
