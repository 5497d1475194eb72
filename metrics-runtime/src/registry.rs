//! The registry: owns registered families and knows no format.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

use crate::catalogue::catalogue;
use crate::collect::{CollectFamily, ExpositionSink, FamilyHeader, ShapeSink};
use crate::descriptor::{FamilyDescriptor, LabelKind, SourceLocation};
use crate::encode::Format;
use crate::metrics::Metrics;
use crate::names;
use crate::self_metrics;

/// Why a registration was refused. Nothing is registered when it fails.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// Two declarations in this binary use the same family name.
    #[error(
        "metric family `{name}` is declared twice in this binary, at {first} and at {second}; \
         rename one of them (field name, `#[metric(name = ..)]`, or the struct's namespace/subsystem)"
    )]
    DeclaredTwice {
        /// The family name.
        name: String,
        /// One declaration.
        first: SourceLocation,
        /// The other.
        second: SourceLocation,
    },
    /// The family name is already registered in this registry.
    #[error(
        "metric family `{name}` is already registered in this registry (declared at {existing}); \
         register each metrics struct once per registry and share it (it is returned in an `Arc`), \
         or use a separate `Registry`"
    )]
    AlreadyRegistered {
        /// The family name.
        name: String,
        /// Where the registered family was declared.
        existing: SourceLocation,
    },
    /// A family name breaks the Prometheus grammar.
    #[error(
        "`{name}` is not a valid metric name: use letters, digits and underscores, not starting with a digit"
    )]
    InvalidName {
        /// The name.
        name: String,
    },
    /// A label name breaks the Prometheus grammar or is reserved.
    #[error(
        "`{label}` is not a valid label name for family `{family}`: use letters, digits and underscores, \
         not starting with a digit or `__`; `le` (histograms) and `quantile` are reserved"
    )]
    InvalidLabelName {
        /// The family.
        family: String,
        /// The label name.
        label: String,
    },
    /// The name belongs to the runtime's own metrics.
    #[error(
        "metric family `{name}` uses the reserved prefix `metrics_runtime_`; choose another name"
    )]
    Reserved {
        /// The name.
        name: String,
    },
    /// A label name appears twice in one family: among its constant labels, among
    /// its series labels, or in both.
    #[error(
        "label `{label}` appears twice in family `{family}` (constant labels and series labels \
         share one namespace); rename one of them or drop the constant label"
    )]
    DuplicateLabelName {
        /// The family.
        family: String,
        /// The label name given twice.
        label: String,
    },
    /// A collector of the `prometheus` crate failed or collided.
    #[error("prometheus interop: {0}")]
    Prometheus(String),
}

trait Source: Send + Sync {
    fn for_each_family(&self, visit: &mut dyn FnMut(&'static FamilyDescriptor, &dyn CollectFamily));
}

impl<T: Metrics> Source for T {
    fn for_each_family(
        &self,
        visit: &mut dyn FnMut(&'static FamilyDescriptor, &dyn CollectFamily),
    ) {
        Metrics::for_each_family(self, visit);
    }
}

#[derive(Default)]
struct Inner {
    sources: Vec<Arc<dyn Source>>,
    names: HashMap<&'static str, SourceLocation>,
    timed: bool,
    exposed: crate::process::Exposed,
    #[cfg(feature = "prometheus")]
    foreign: Vec<prometheus::Registry>,
}

/// Owns registered metric families and collects them for an exposition.
///
/// Most programs use the process-wide [`default_registry`] (through
/// [`Global`](crate::Global)); tests and libraries that want isolation create their own.
///
/// ```
/// use metrics_runtime::{Counter, Format, Metrics, Registry};
///
/// #[derive(Metrics)]
/// struct Worker {
///     /// Jobs done.
///     jobs: Counter,
/// }
///
/// let registry = Registry::new();
/// let worker = Worker::register(&registry).unwrap();
/// worker.jobs.inc();
/// let text = registry.encode_to_string(Format::Text);
/// assert!(text.contains("# TYPE jobs_total counter\njobs_total 1\n"));
/// // The same struct twice in one registry is refused, with both places named.
/// assert!(Worker::register(&registry).is_err());
/// ```
pub struct Registry {
    inner: RwLock<Inner>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for Registry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let inner = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Registry").field("families", &inner.names.len()).finish_non_exhaustive()
    }
}

static DEFAULT: LazyLock<Registry> = LazyLock::new(|| {
    let registry = Registry::new();
    registry.expose_timed();
    registry
});

/// The process-wide registry that [`Global`](crate::Global) registers into.
pub fn default_registry() -> &'static Registry {
    &DEFAULT
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self { inner: RwLock::new(Inner::default()) }
    }

    /// Exposes the families of every `#[timed]` function in the binary (the
    /// [`default_registry`] does from the start).
    pub fn expose_timed(&self) {
        self.inner.write().unwrap_or_else(PoisonError::into_inner).timed = true;
    }

    /// Exposes the process families (CPU, memory, file descriptors, threads, start
    /// time), read at each scrape; see [`process`](crate::process). Exposing
    /// twice is harmless; it fails only if the application registered one of the
    /// names itself.
    ///
    /// ```
    /// let registry = metrics_runtime::Registry::new();
    /// registry.expose_process_metrics()?;
    /// # #[cfg(target_os = "linux")]
    /// assert!(registry.encode_to_string(metrics_runtime::Format::Text).contains("process_open_fds "));
    /// # Ok::<(), metrics_runtime::RegistryError>(())
    /// ```
    pub fn expose_process_metrics(&self) -> Result<(), RegistryError> {
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        crate::process::claim(&mut inner.names, crate::process::PROCESS_FAMILIES)?;
        inner.exposed.process = true;
        Ok(())
    }

    /// Exposes the tokio runtime families (workers, alive tasks, global queue
    /// depth, per-worker busy time and parks) of the runtime each scrape runs on;
    /// see [`process`](crate::process).
    #[cfg(feature = "tokio")]
    pub fn expose_tokio_metrics(&self) -> Result<(), RegistryError> {
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        crate::process::claim(&mut inner.names, crate::process::TOKIO_FAMILIES)?;
        inner.exposed.tokio = true;
        Ok(())
    }

    /// Exposes `build_info{name,version} 1`; pass
    /// [`build_info!()`](crate::build_info) for the calling crate's. A later call
    /// replaces the values.
    pub fn expose_build_info(&self, info: crate::process::BuildInfo) -> Result<(), RegistryError> {
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        crate::process::claim(&mut inner.names, crate::process::BUILD_INFO_FAMILIES)?;
        inner.exposed.build_info = Some(info);
        Ok(())
    }

    /// Registers an instance of a metrics struct and returns it shared.
    pub fn register<T: Metrics>(&self, metrics: T) -> Result<Arc<T>, RegistryError> {
        let mut claimed: Vec<&'static FamilyDescriptor> = Vec::new();
        metrics.for_each_family(&mut |descriptor, _| claimed.push(descriptor));
        for descriptor in &claimed {
            check_descriptor(descriptor)?;
            check_catalogue(descriptor)?;
        }
        check_series_label_names(&metrics)?;
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        for descriptor in &claimed {
            if let Some(existing) = inner.names.get(descriptor.name) {
                return Err(RegistryError::AlreadyRegistered {
                    name: descriptor.name.to_owned(),
                    existing: *existing,
                });
            }
        }
        for descriptor in &claimed {
            inner.names.insert(descriptor.name, descriptor.location);
        }
        let metrics = Arc::new(metrics);
        inner.sources.push(metrics.clone());
        Ok(metrics)
    }

    /// Attaches a registry of the `prometheus` crate: its families (including its
    /// process collector) appear in this registry's exposition, in both formats,
    /// after this registry's own.
    ///
    /// A foreign family that would make the exposition invalid is left out and
    /// shown in the gauge [`FOREIGN_SKIPPED_NAME`](crate::FOREIGN_SKIPPED_NAME)
    /// (`{family, reason}`, valued with its series count): its name or one of its
    /// sample names is taken by one of ours or by an earlier attached family, or it
    /// breaks the format's rules. A foreign counter `x_total` becomes our counter
    /// `x`, whose sample is `x_total` as before.
    ///
    /// ```
    /// use metrics_runtime::{Counter, Format, Metrics, Registry};
    ///
    /// #[derive(Metrics)]
    /// struct Jobs {
    ///     /// Jobs run.
    ///     runs: Counter,
    /// }
    ///
    /// let registry = Registry::new();
    /// Jobs::register(&registry)?;
    /// let theirs = prometheus::Registry::new();
    /// let queue = prometheus::IntGauge::new("queue_depth", "Jobs waiting.").unwrap();
    /// queue.set(4);
    /// theirs.register(Box::new(queue)).unwrap();
    /// // The same family as our `runs`: left out, and shown.
    /// let clash = prometheus::IntCounter::new("runs_total", "Runs, again.").unwrap();
    /// theirs.register(Box::new(clash)).unwrap();
    /// registry.attach_prometheus(theirs);
    ///
    /// let om = registry.encode_to_string(Format::OpenMetrics);
    /// assert!(om.contains("# TYPE queue_depth gauge\n"));
    /// assert!(om.contains("queue_depth 4.0\n"));
    /// assert!(!om.contains("Runs, again."));
    /// assert!(om.contains(
    ///     r#"metrics_runtime_foreign_skipped_series{family="runs_total",reason="name_collision"} 1"#
    /// ));
    /// # Ok::<(), metrics_runtime::RegistryError>(())
    /// ```
    #[cfg(feature = "prometheus")]
    pub fn attach_prometheus(&self, registry: prometheus::Registry) {
        self.inner.write().unwrap_or_else(PoisonError::into_inner).foreign.push(registry);
    }

    /// Sends every registered family, then the self-metrics, then attached
    /// `prometheus` registries, to `sink`.
    pub fn collect(&self, sink: &mut dyn ExpositionSink) {
        #[cfg(feature = "prometheus")]
        {
            // Cloned (each is an `Arc`) so that no lock is held while they gather: one
            // of them may hold a `PrometheusCollector` that reads this registry.
            let foreign = self.inner.read().unwrap_or_else(PoisonError::into_inner).foreign.clone();
            if !foreign.is_empty() {
                crate::interop::collect_with_foreign(&foreign, sink, |sink| self.collect_own(sink));
                return;
            }
        }
        self.collect_own(sink);
    }

    /// Sends every registered family, then the self-metrics, to `sink`; attached
    /// `prometheus` registries are left out.
    pub(crate) fn collect_own(&self, sink: &mut dyn ExpositionSink) {
        let inner = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        let mut overflow: Vec<(&'static str, u64)> = Vec::new();
        for source in &inner.sources {
            source.for_each_family(&mut |descriptor, family| {
                sink.family(&FamilyHeader::of(descriptor));
                family.collect(sink);
                if descriptor.label_kind == LabelKind::Dynamic {
                    overflow.push((descriptor.name, family.folded()));
                }
            });
        }
        if inner.timed {
            crate::timed::collect(sink);
        }
        inner.exposed.collect(sink);
        self_metrics::collect(&overflow, sink);
    }

    /// Appends the exposition in `format` to `buf`.
    pub fn encode(&self, format: Format, buf: &mut Vec<u8>) {
        crate::encode::encode(self, format, buf);
    }

    /// The exposition in `format` as a string.
    pub fn encode_to_string(&self, format: Format) -> String {
        let mut buf = Vec::with_capacity(4096);
        self.encode(format, &mut buf);
        // The encoders write only UTF-8: names are ASCII and values come from `&str`.
        String::from_utf8(buf)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

fn check_descriptor(d: &FamilyDescriptor) -> Result<(), RegistryError> {
    if !names::is_valid_metric_name(d.name) {
        return Err(RegistryError::InvalidName { name: d.name.to_owned() });
    }
    if d.name.starts_with("metrics_runtime_") {
        return Err(RegistryError::Reserved { name: d.name.to_owned() });
    }
    let reserved_le = d.kind == crate::MetricKind::Histogram;
    let all = || d.const_labels.iter().map(|(n, _)| *n).chain(d.label_names.iter().copied());
    for (i, label) in all().enumerate() {
        if !names::is_valid_label_name(label)
            || label == "quantile"
            || (reserved_le && label == "le")
        {
            return Err(RegistryError::InvalidLabelName {
                family: d.name.to_owned(),
                label: label.to_owned(),
            });
        }
        if all().take(i).any(|earlier| earlier == label) {
            return Err(RegistryError::DuplicateLabelName {
                family: d.name.to_owned(),
                label: label.to_owned(),
            });
        }
    }
    Ok(())
}

/// Checks the label names each family's series actually carry against its constant
/// labels: a typed family's names come from its `LabelSet` type, which the
/// descriptor may not list (a generic field). Typed families have every series from
/// creation, so one collection sees them; dynamic ones were checked by name above.
fn check_series_label_names<T: Metrics>(metrics: &T) -> Result<(), RegistryError> {
    let mut result = Ok(());
    metrics.for_each_family(&mut |descriptor, family| {
        if result.is_err() || descriptor.label_kind != LabelKind::Typed {
            return;
        }
        let mut shape = ShapeSink::default();
        shape.family(&FamilyHeader::of(descriptor));
        family.collect(&mut shape);
        let series = shape.families.pop().and_then(|f| f.label_names).unwrap_or_default();
        for (i, label) in series.iter().enumerate() {
            let constant = descriptor.const_labels.iter().any(|(n, _)| n == label);
            if constant || series[..i].contains(label) {
                result = Err(RegistryError::DuplicateLabelName {
                    family: descriptor.name.to_owned(),
                    label: label.clone(),
                });
                return;
            }
        }
    });
    result
}

fn check_catalogue(d: &FamilyDescriptor) -> Result<(), RegistryError> {
    match catalogue().iter().find(|other| other.name == d.name && other.location != d.location) {
        Some(other) => Err(RegistryError::DeclaredTwice {
            name: d.name.to_owned(),
            first: other.location,
            second: d.location,
        }),
        None => Ok(()),
    }
}
