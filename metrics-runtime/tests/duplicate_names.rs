//! Names that clash: a family registered twice in one registry, one name declared
//! at two places in the binary (descriptors put in the link-time catalogue by hand,
//! as `#[derive(Metrics)]` would), label names given twice in one family, and
//! names registered at run time that break the grammar or are reserved: each a
//! clear error at registration that leaves the rest of the exposition as it was.

mod support;

use metrics_runtime::__private::{CATALOGUE, CollectFamily, FamilyField};
use metrics_runtime::{
    Counter, DynFamily, Family, FamilyDescriptor, LabelKind, LabelSet, LabelValue, MetricKind,
    Metrics, Registry, RegistryError, SourceLocation, source_location,
};

const BASE: FamilyDescriptor = FamilyDescriptor {
    location: SourceLocation { line: 0, column: 1, ..source_location!() },
    ..FamilyDescriptor::new("", "A family.", MetricKind::Counter, source_location!())
};

const fn at(line: u32) -> SourceLocation {
    SourceLocation { line, ..BASE.location }
}

/// A metrics struct of one family, by hand.
macro_rules! one_family {
    ($name:ident: $ty:ty = $descriptor:path) => {
        struct $name($ty);
        impl Metrics for $name {
            fn new_unregistered() -> Self {
                Self(FamilyField::for_family(&$descriptor))
            }
            fn for_each_family(
                &self,
                visit: &mut dyn FnMut(&'static FamilyDescriptor, &dyn CollectFamily),
            ) {
                visit(&$descriptor, &self.0);
            }
        }
    };
}

// Two declarations of `dup_jobs`, both in the catalogue.
#[metrics_runtime::__private::linkme::distributed_slice(CATALOGUE)]
#[linkme(crate = metrics_runtime::__private::linkme)]
static JOBS_A: FamilyDescriptor = FamilyDescriptor {
    name: "dup_jobs",
    struct_name: "A",
    field_name: "jobs",
    location: at(101),
    ..BASE
};
#[metrics_runtime::__private::linkme::distributed_slice(CATALOGUE)]
#[linkme(crate = metrics_runtime::__private::linkme)]
static JOBS_B: FamilyDescriptor = FamilyDescriptor {
    name: "dup_jobs",
    struct_name: "B",
    field_name: "jobs",
    location: at(202),
    ..BASE
};
one_family!(A: Counter = JOBS_A);
one_family!(B: Counter = JOBS_B);

// Two structs with one family name, not in the catalogue.
static TASKS_C: FamilyDescriptor =
    FamilyDescriptor { name: "dup_tasks", location: at(303), ..BASE };
static TASKS_D: FamilyDescriptor =
    FamilyDescriptor { name: "dup_tasks", location: at(404), ..BASE };
one_family!(C: Counter = TASKS_C);
one_family!(D: Counter = TASKS_D);

#[test]
fn one_name_declared_at_two_places_names_both() {
    for result in [A::register(&Registry::new()).map(drop), B::register(&Registry::new()).map(drop)]
    {
        let error = result.unwrap_err();
        let RegistryError::DeclaredTwice { name, first, second } = &error else {
            panic!("expected DeclaredTwice, got {error:?}");
        };
        assert_eq!(name, "dup_jobs");
        let mut lines = [first.line, second.line];
        lines.sort_unstable();
        assert_eq!(lines, [101, 202]);
        let message = error.to_string();
        assert!(message.contains(&format!("{}:101:1", file!())), "{message}");
        assert!(message.contains(&format!("{}:202:1", file!())), "{message}");
        assert!(message.contains("rename one of them"), "{message}");
    }
    assert!(metrics_runtime::catalogue().iter().filter(|d| d.name == "dup_jobs").count() == 2);
}

#[test]
fn one_name_twice_in_a_registry_is_refused() {
    let registry = Registry::new();
    C::register(&registry).unwrap();
    let error = D::register(&registry).map(drop).unwrap_err();
    assert_eq!(
        error,
        RegistryError::AlreadyRegistered { name: "dup_tasks".into(), existing: at(303) }
    );
    assert!(error.to_string().contains(&format!("declared at {}:303:1", file!())));
    // The same struct twice, too; and nothing of a refused struct is registered.
    let error = C::register(&registry).map(drop).unwrap_err();
    assert!(matches!(error, RegistryError::AlreadyRegistered { .. }));
    // Another registry is another namespace.
    D::register(&Registry::new()).unwrap();
}

#[derive(Metrics)]
#[metrics(namespace = "dup_derived")]
struct Derived {
    /// Jobs run.
    jobs: Counter,
}

#[test]
fn a_derived_struct_registered_twice_is_refused() {
    let registry = Registry::new();
    Derived::register(&registry).unwrap();
    let error = Derived::register(&registry).map(drop).unwrap_err();
    let RegistryError::AlreadyRegistered { name, existing } = error else { panic!("{error:?}") };
    assert_eq!(name, "dup_derived_jobs");
    assert_eq!(existing.file, file!());
}

// Label names given twice.
static CONST_AND_SERIES: FamilyDescriptor = FamilyDescriptor {
    name: "dup_routes",
    label_kind: LabelKind::Dynamic,
    label_names: &["route"],
    const_labels: &[("route", "/")],
    ..BASE
};
static TWICE_IN_CONST: FamilyDescriptor =
    FamilyDescriptor { name: "dup_consts", const_labels: &[("zone", "a"), ("zone", "b")], ..BASE };
static TWICE_IN_SERIES: FamilyDescriptor = FamilyDescriptor {
    name: "dup_series",
    label_kind: LabelKind::Dynamic,
    label_names: &["route", "route"],
    ..BASE
};
/// A typed family whose descriptor does not list its labels (as for a generic
/// field): the clash shows only in its series.
static CONST_AND_TYPED: FamilyDescriptor = FamilyDescriptor {
    name: "dup_typed",
    label_kind: LabelKind::Typed,
    const_labels: &[("outcome", "ok")],
    ..BASE
};

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    Error,
}

#[derive(Clone, Copy, LabelSet)]
struct OutcomeLabels {
    outcome: Outcome,
}

one_family!(ConstAndSeries: DynFamily<Counter> = CONST_AND_SERIES);
one_family!(TwiceInConst: Counter = TWICE_IN_CONST);
one_family!(TwiceInSeries: DynFamily<Counter> = TWICE_IN_SERIES);
one_family!(ConstAndTyped: Family<OutcomeLabels, Counter> = CONST_AND_TYPED);

static TYPED_OK: FamilyDescriptor = FamilyDescriptor {
    name: "dup_typed_ok",
    label_kind: LabelKind::Typed,
    const_labels: &[("zone", "a")],
    ..BASE
};
one_family!(TypedOk: Family<OutcomeLabels, Counter> = TYPED_OK);

#[test]
fn a_label_name_twice_in_a_family_is_refused() {
    let cases = [
        ("dup_routes", "route", ConstAndSeries::register(&Registry::new()).map(drop)),
        ("dup_consts", "zone", TwiceInConst::register(&Registry::new()).map(drop)),
        ("dup_series", "route", TwiceInSeries::register(&Registry::new()).map(drop)),
        ("dup_typed", "outcome", ConstAndTyped::register(&Registry::new()).map(drop)),
    ];
    for (family, label, result) in cases {
        let error = result.unwrap_err();
        assert_eq!(
            error,
            RegistryError::DuplicateLabelName { family: family.into(), label: label.into() }
        );
        let message = error.to_string();
        assert!(message.contains(&format!("label `{label}` appears twice in family `{family}`")));
        assert!(message.contains("rename one of them"), "{message}");
    }
    // Without the clash, the same typed family registers.
    let registry = Registry::new();
    let typed = TypedOk::register(&registry).unwrap();
    typed.0.get(OutcomeLabels { outcome: Outcome::Error }).inc();
    typed.0.get(OutcomeLabels { outcome: Outcome::Ok }).inc();
    let text = registry.encode_to_string(metrics_runtime::Format::Text);
    assert!(text.contains("dup_typed_ok_total{zone=\"a\",outcome=\"error\"} 1\n"), "{text}");
}

// Names only a hand-written `Metrics` impl (or a renamed layer family) can give,
// since the derive checks them at compile time.
static VALID: FamilyDescriptor =
    FamilyDescriptor { name: "names_valid", location: at(501), ..BASE };
static BAD_NAME: FamilyDescriptor =
    FamilyDescriptor { name: "bad-name", location: at(502), ..BASE };
static DIGIT_FIRST: FamilyDescriptor =
    FamilyDescriptor { name: "9lives", location: at(503), ..BASE };
static EMPTY_NAME: FamilyDescriptor = FamilyDescriptor { name: "", location: at(504), ..BASE };
static RESERVED: FamilyDescriptor =
    FamilyDescriptor { name: "metrics_runtime_mine", location: at(505), ..BASE };
static DUNDER_LABEL: FamilyDescriptor = FamilyDescriptor {
    name: "names_dunder",
    label_kind: LabelKind::Dynamic,
    label_names: &["__route"],
    location: at(506),
    ..BASE
};
static LE_ON_HISTOGRAM: FamilyDescriptor = FamilyDescriptor {
    name: "names_latency",
    kind: MetricKind::Histogram,
    label_kind: LabelKind::Dynamic,
    label_names: &["le"],
    buckets: &[1.0],
    location: at(507),
    ..BASE
};
static QUANTILE_CONST: FamilyDescriptor = FamilyDescriptor {
    name: "names_quantile",
    const_labels: &[("quantile", "0.5")],
    location: at(508),
    ..BASE
};
static UNICODE_LABEL: FamilyDescriptor = FamilyDescriptor {
    name: "names_unicode",
    label_kind: LabelKind::Dynamic,
    label_names: &["r\u{f4}le"],
    location: at(509),
    ..BASE
};
one_family!(Valid: Counter = VALID);
one_family!(BadName: Counter = BAD_NAME);
one_family!(DigitFirst: Counter = DIGIT_FIRST);
one_family!(EmptyName: Counter = EMPTY_NAME);
one_family!(ReservedName: Counter = RESERVED);
one_family!(DunderLabel: DynFamily<Counter> = DUNDER_LABEL);
one_family!(LeOnHistogram: DynFamily<metrics_runtime::Histogram> = LE_ON_HISTOGRAM);
one_family!(QuantileConst: Counter = QUANTILE_CONST);
one_family!(UnicodeLabel: DynFamily<Counter> = UNICODE_LABEL);

/// A valid family and an invalid one in one struct: nothing of it is registered.
struct HalfValid(Counter, Counter);
impl Metrics for HalfValid {
    fn new_unregistered() -> Self {
        Self(FamilyField::for_family(&VALID), FamilyField::for_family(&BAD_NAME))
    }
    fn for_each_family(
        &self,
        visit: &mut dyn FnMut(&'static FamilyDescriptor, &dyn CollectFamily),
    ) {
        visit(&VALID, &self.0);
        visit(&BAD_NAME, &self.1);
    }
}

#[test]
fn invalid_and_reserved_names_are_refused_and_the_exposition_is_unaffected() {
    let registry = Registry::new();
    let derived = Derived::register(&registry).unwrap();
    derived.jobs.inc();
    let before: Vec<String> =
        support::FORMATS.iter().map(|f| support::scrape(&registry, *f).0).collect();

    let label = |family: &str, label: &str| RegistryError::InvalidLabelName {
        family: family.into(),
        label: label.into(),
    };
    let cases = [
        (
            BadName::register(&registry).map(drop),
            RegistryError::InvalidName { name: "bad-name".into() },
        ),
        (
            DigitFirst::register(&registry).map(drop),
            RegistryError::InvalidName { name: "9lives".into() },
        ),
        (EmptyName::register(&registry).map(drop), RegistryError::InvalidName { name: "".into() }),
        (
            ReservedName::register(&registry).map(drop),
            RegistryError::Reserved { name: "metrics_runtime_mine".into() },
        ),
        (DunderLabel::register(&registry).map(drop), label("names_dunder", "__route")),
        (LeOnHistogram::register(&registry).map(drop), label("names_latency", "le")),
        (QuantileConst::register(&registry).map(drop), label("names_quantile", "quantile")),
        (UnicodeLabel::register(&registry).map(drop), label("names_unicode", "r\u{f4}le")),
        (
            HalfValid::register(&registry).map(drop),
            RegistryError::InvalidName { name: "bad-name".into() },
        ),
    ];
    for (result, expected) in cases {
        let error = result.unwrap_err();
        assert_eq!(error, expected);
        let message = error.to_string();
        assert!(message.contains("not a valid") || message.contains("reserved"), "{message}");
    }
    // Nothing of the refused structs was registered, and the exposition is as it was.
    let after: Vec<String> =
        support::FORMATS.iter().map(|f| support::scrape(&registry, *f).0).collect();
    assert_eq!(before, after);
    // The valid family of the half-valid struct was not claimed: it registers alone.
    Valid::register(&registry).unwrap();
    let (text, _) = support::scrape(&registry, metrics_runtime::Format::Text);
    assert!(text.contains("dup_derived_jobs_total 1\n") && text.contains("names_valid_total 0\n"));
}

/// A foreign `prometheus` family that collides with one of ours is left out (and
/// shown in the skipped-series gauge); ours and the others are untouched.
#[test]
fn a_colliding_foreign_collector_leaves_ours_untouched() {
    let registry = Registry::new();
    let derived = Derived::register(&registry).unwrap();
    derived.jobs.inc_by(3);
    let theirs = prometheus::Registry::new();
    let clash = prometheus::IntCounter::new("dup_derived_jobs_total", "Theirs.").unwrap();
    clash.inc_by(100);
    theirs.register(Box::new(clash)).unwrap();
    let fine = prometheus::IntGauge::new("names_foreign_depth", "Queue depth.").unwrap();
    fine.set(4);
    theirs.register(Box::new(fine)).unwrap();
    registry.attach_prometheus(theirs);
    for format in support::FORMATS {
        let (out, parsed) = support::scrape(&registry, format);
        let ours = match format {
            metrics_runtime::Format::OpenMetrics => "dup_derived_jobs",
            _ => "dup_derived_jobs_total",
        };
        let family = parsed.family(ours).unwrap();
        assert_eq!(family.samples.len(), 1, "{out}");
        assert_eq!(family.samples[0].value, 3.0);
        assert!(!out.contains("Theirs."), "{out}");
        assert_eq!(parsed.family("names_foreign_depth").unwrap().samples[0].value, 4.0);
        assert!(out.contains(
            "metrics_runtime_foreign_skipped_series{family=\"dup_derived_jobs_total\",reason=\"name_collision\"} 1\n"
        ), "{out}");
    }
}
