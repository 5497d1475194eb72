//! Generic metrics structs: a typed family over a type parameter, bounds in a
//! `where` clause, a const parameter, and a generic `LabelSet`.
#![deny(warnings)]

use core::fmt::Debug;

use metrics_runtime::{
    Counter, Family, Format, Gauge, Histogram, LabelKind, LabelSet, LabelValue, Metrics, Registry,
};

#[derive(Clone, Copy, Debug, LabelValue)]
enum Region {
    Eu,
    Us,
}

#[derive(Clone, Copy, Debug, LabelValue)]
enum Tier {
    Free,
    Paid,
}

#[derive(Clone, Copy, Debug, LabelSet)]
struct RegionLabels {
    region: Region,
}

/// A label set generic over its value type.
#[derive(Clone, Copy, Debug, LabelSet)]
struct Keyed<V: LabelValue>
where
    V: Debug,
{
    key: V,
    hit: bool,
}

#[derive(Metrics)]
#[metrics(namespace = "generic")]
struct Cache<L: LabelSet, const SHARDS: usize>
where
    L: Copy + Debug,
{
    /// Lookups by label set.
    lookups: Family<L, Counter>,
    /// Lookup latency by label set.
    latency: Family<L, Histogram>,
    /// Entries, whatever the labels.
    entries: Gauge,
    /// Evictions by region: not generic, so a `static` descriptor.
    evictions: Family<RegionLabels, Counter>,
}

fn main() {
    assert_eq!(Keyed::<Tier>::NAMES, &["key", "hit"]);
    assert_eq!(Keyed::<Tier>::CARDINALITY, 4);

    let by_region = Registry::new();
    let cache = Cache::<RegionLabels, 4>::register(&by_region).unwrap();
    cache.lookups.get(RegionLabels { region: Region::Us }).inc();
    cache.latency.get(RegionLabels { region: Region::Eu }).observe(0.1);
    cache.entries.set(7);
    cache.evictions.get(RegionLabels { region: Region::Eu }).inc();
    let text = by_region.encode_to_string(Format::Text);
    for line in [
        r#"generic_lookups_total{region="us"} 1"#,
        r#"generic_lookups_total{region="eu"} 0"#,
        r#"generic_latency_count{region="eu"} 1"#,
        "generic_entries 7",
        r#"generic_evictions_total{region="eu"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }

    // Another instantiation, in another registry.
    let by_tier = Registry::new();
    let cache = Cache::<Keyed<Tier>, 1>::register(&by_tier).unwrap();
    cache.lookups.get(Keyed { key: Tier::Paid, hit: true }).inc();
    let text = by_tier.encode_to_string(Format::Text);
    assert!(text.contains(r#"generic_lookups_total{key="paid",hit="true"} 1"#), "{text}");

    // The descriptor a family is registered with names its labels; the
    // catalogue's cannot, for a label set that is a type parameter.
    let mut names = Vec::new();
    cache.for_each_family(&mut |descriptor, _| {
        names.push((descriptor.name, descriptor.label_names));
    });
    assert_eq!(names[0], ("generic_lookups", &["key", "hit"][..]));
    let catalogued =
        |name: &str| metrics_runtime::catalogue().iter().find(|d| d.name == name).copied().unwrap();
    assert!(catalogued("generic_lookups").label_names.is_empty());
    assert_eq!(catalogued("generic_lookups").label_kind, LabelKind::Typed);
    assert_eq!(catalogued("generic_evictions").label_names, &["region"]);
}
