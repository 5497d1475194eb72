//! `build_info{name,version} 1`: which build of the application is running.

use crate::collect::{ExpositionSink, FamilyHeader, Value};
use crate::descriptor::MetricKind;
use crate::label::LabelValues;

/// The application's name and version, as [`build_info!`](crate::build_info)
/// captures them from the calling crate's `Cargo.toml`.
///
/// ```
/// use metrics_runtime::{BuildInfo, Format, Registry};
///
/// let registry = Registry::new();
/// registry.expose_build_info(BuildInfo::new("shop", "1.4.2"))?;
/// let text = registry.encode_to_string(Format::Text);
/// assert!(text.contains("# TYPE build_info gauge\nbuild_info{name=\"shop\",version=\"1.4.2\"} 1\n"));
/// # Ok::<(), metrics_runtime::RegistryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfo {
    name: &'static str,
    version: &'static str,
}

impl BuildInfo {
    /// Build info with these label values.
    pub const fn new(name: &'static str, version: &'static str) -> Self {
        Self { name, version }
    }

    /// The `name` label.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The `version` label.
    pub const fn version(&self) -> &'static str {
        self.version
    }

    pub(crate) fn collect(&self, sink: &mut dyn ExpositionSink) {
        sink.family(&FamilyHeader {
            name: "build_info",
            help: "The running build of the application; always 1.",
            kind: MetricKind::Gauge,
            unit: "",
            const_labels: &[],
        });
        let values = [self.name, self.version];
        sink.gauge(&LabelValues { names: &["name", "version"], values: &values }, Value::Int(1));
    }
}

/// The [`BuildInfo`] of the crate that calls it: its package name and version,
/// read by `env!` where the macro is expanded, so a library cannot mistake its own
/// version for the application's.
///
/// ```
/// let info = metrics_runtime::build_info!();
/// assert_eq!(info.version(), env!("CARGO_PKG_VERSION"));
/// metrics_runtime::default_registry().expose_build_info(info)?;
/// # Ok::<(), metrics_runtime::RegistryError>(())
/// ```
#[macro_export]
macro_rules! build_info {
    () => {
        $crate::BuildInfo::new(::core::env!("CARGO_PKG_NAME"), ::core::env!("CARGO_PKG_VERSION"))
    };
}
