//! The targets of issue #8, each met or missed with the figures of the same run,
//! and for a miss, by how much and why.

use std::fmt::Write as _;

use super::{FLOOR, OURS, PEERS, Report, duration};

/// What a timing target compares our median with.
#[derive(Debug, Clone, Copy)]
enum Against {
    /// The group's floor benchmark, described.
    Floor(&'static str),
    /// One peer, in the given row of the group (measured writes only text, so our
    /// OpenMetrics rows are compared with its text row).
    Peer(&'static str, &'static str),
    /// Whichever peer is fastest in this run.
    FastestPeer,
    /// The floor plus this many nanoseconds (limit 1.0), or the floor itself.
    FloorPlus(f64),
}

/// A timing target: our median in `group`/`row` at most `limit` times the other
/// side's.
#[derive(Debug, Clone, Copy)]
struct Target {
    name: &'static str,
    group: &'static str,
    row: &'static str,
    limit: f64,
    against: Against,
    /// Why we miss it, when we do (the analysis behind the figure).
    why: &'static str,
}

const TARGETS: [Target; 13] = [
    Target {
        name: "counter increment ≤ 1.1x a bare atomic add",
        group: "counter_inc",
        row: "",
        limit: 1.1,
        against: Against::Floor("bare `AtomicU64::fetch_add`"),
        why: "",
    },
    Target {
        name: "typed 2-label increment ≤ measured's",
        group: "family_typed_2labels",
        row: "",
        limit: 1.0,
        against: Against::Peer("measured", ""),
        why: "both are an index computed from the two enums and one atomic add, and the \
              add is most of either row (compare the bare add of `counter_inc`). At the time \
              of writing, in a loop of its own over the same 8 label sets: callgrind \
              counts 13 instructions per increment for ours, 18 for measured's (a call \
              into its dense map) and 5 for the bare add's loop; timed, 50 million \
              increments each, interleaved, ours 2.62 ns, measured's 2.55 ns, the bare \
              add 2.31 ns. So both sit within a third of a nanosecond of the add, and a \
              larger gap between these two rows comes from where each loop lands in the \
              bench binary, not from the lookup",
    },
    Target {
        name: "dynamic 2-label lookup-and-increment ≤ 0.5x the fastest peer's",
        group: "family_dynamic_2labels",
        row: "",
        limit: 0.5,
        against: Against::FastestPeer,
        why: "`perf record` of our row (`benches/family.rs`, by source line, after the \
              `DynFamily` rework): about a third of the time hashes the two values \
              (`label/dynamic/key.rs`), a fifth is two dependent loads (the table slot, \
              then the record's check word), a tenth the increment itself and the rest \
              the key compare and the benchmark loop. prometheus' `with_label_values` \
              does the same kind of work (an FNV hash of the values, a read lock, a map \
              lookup), so 0.5x of it leaves a few nanoseconds: this row measured 0.45x \
              to 0.58x across runs on the shared machine",
    },
    Target {
        name: "histogram observe ≤ the fastest peer's",
        group: "histogram_observe",
        row: "",
        limit: 1.0,
        against: Against::FastestPeer,
        why: "",
    },
    Target {
        name: "typed 2-label observe ≤ 0.8x measured's",
        group: "histogram_typed_2labels",
        row: "",
        limit: 0.8,
        against: Against::Peer("measured", ""),
        why: "",
    },
    Target {
        name: "`#[timed]` trivial function ≤ two `Instant::now()` reads + 15 ns",
        group: "timed_trivial_function",
        row: "",
        limit: 1.0,
        against: Against::FloorPlus(15.0),
        why: "",
    },
    Target {
        name: "`#[timed]` trivial function about 0.67x measured's idiom (the issue's \
               estimate of the target above)",
        group: "timed_trivial_function",
        row: "",
        limit: 0.67,
        against: Against::Peer("measured", ""),
        why: "both sides pay the two clock reads of the floor row, most of either figure \
              on this machine: 0.67x of measured's would leave ours only a few ns above \
              the floor (see the rows), where the other target puts it within 15 ns",
    },
    Target {
        name: "`#[timed]` trivial function under 0.1x autometrics' (the issue's estimate)",
        group: "timed_trivial_function",
        row: "",
        limit: 0.1,
        against: Against::Peer("autometrics", ""),
        why: "0.1x of autometrics' figure is below the two clock reads every timed call \
              needs (the floor row), so no `#[timed]` on the system clock can meet it on \
              this machine; autometrics 3 costs less here than the estimate assumed. \
              `#[timed(fast_clock)]` is the row to compare",
    },
    Target {
        name: "`#[timed(fast_clock)]` trivial function < two `Instant::now()` reads",
        group: "timed_trivial_function_fast_clock",
        row: "",
        limit: 1.0,
        against: Against::FloorPlus(0.0),
        why: "",
    },
    Target {
        name: "encoding 10,000 counter series, Prometheus text ≤ measured's",
        group: "encode_counter_10k",
        row: "text",
        limit: 1.0,
        against: Against::Peer("measured", "text"),
        why: "",
    },
    Target {
        name: "encoding 10,000 counter series, OpenMetrics ≤ measured's (measured writes \
               text only: its text row)",
        group: "encode_counter_10k",
        row: "openmetrics",
        limit: 1.0,
        against: Against::Peer("measured", "text"),
        why: "",
    },
    Target {
        name: "encoding 1,000 histogram series, Prometheus text ≤ measured's",
        group: "encode_histogram_1k",
        row: "text",
        limit: 1.0,
        against: Against::Peer("measured", "text"),
        why: "",
    },
    Target {
        name: "encoding 1,000 histogram series, OpenMetrics ≤ measured's (its text row)",
        group: "encode_histogram_1k",
        row: "openmetrics",
        limit: 1.0,
        against: Against::Peer("measured", "text"),
        why: "",
    },
];

/// A memory target: at most `limit` heap bytes per series of `family`
/// (`benches/memory.rs`).
#[derive(Debug, Clone, Copy)]
struct MemoryTarget {
    name: &'static str,
    family: &'static str,
    limit: f64,
    why: &'static str,
}

/// Why a `DynFamily` series costs what it does (after the storage rework).
const DYNAMIC_LAYOUT: &str = "a `DynFamily` series is one record packed with others in \
    chunks of up to 4 KiB (its metric, a 4-byte check of its hash, its label values \
    with one-byte lengths) plus its share of the lookup table (8-byte slots, at most \
    three quarters full); a 12-bucket histogram's record holds its sum and 13 bucket \
    counters inline (112 bytes; its bounds are the family's), 136 bytes with the check \
    and an 18-byte key, so the table and the chunks' slack leave it little room";

const MEMORY_TARGETS: [MemoryTarget; 4] = [
    MemoryTarget {
        name: "≤ 48 heap bytes per counter series, typed `Family`",
        family: "counter_typed",
        limit: 48.0,
        why: "",
    },
    MemoryTarget {
        name: "≤ 48 heap bytes per counter series, `DynFamily` (one string label)",
        family: "counter",
        limit: 48.0,
        why: DYNAMIC_LAYOUT,
    },
    MemoryTarget {
        name: "≤ 150 heap bytes per 12-bucket histogram series, typed `Family`",
        family: "histogram_12_buckets_typed",
        limit: 150.0,
        why: "a histogram is its bounds and a pointer to its cells (32 bytes with \
              the native pointer) and its sum and 13 bucket counters (112 bytes)",
    },
    MemoryTarget {
        name: "≤ 150 heap bytes per 12-bucket histogram series, `DynFamily` (one string \
               label)",
        family: "histogram_12_buckets",
        limit: 150.0,
        why: DYNAMIC_LAYOUT,
    },
];

impl Report {
    /// The fastest peer of a row, with its name.
    fn fastest_peer(&self, group: &str, row: &str) -> Option<(&'static str, f64)> {
        PEERS
            .into_iter()
            .filter_map(|p| Some((p, self.median(group, row, p)?)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The other side of a target: its name and figure.
    fn against(&self, target: &Target) -> Option<(String, f64)> {
        let (group, row) = (target.group, target.row);
        match target.against {
            Against::Floor(name) => Some((name.to_owned(), self.median(group, row, FLOOR)?)),
            Against::Peer(peer, row) => Some((peer.to_owned(), self.median(group, row, peer)?)),
            Against::FastestPeer => {
                let (peer, median) = self.fastest_peer(group, row)?;
                Some((format!("{peer} (fastest peer)"), median))
            }
            Against::FloorPlus(_) => {
                Some(("two reads".to_owned(), self.median(group, row, FLOOR)?))
            }
        }
    }

    /// `#[timed]` against the floor of two clock reads, plus an allowance.
    fn floor_plus_line(&self, out: &mut String, target: &Target, allowance: f64) {
        let ours = self.median(target.group, target.row, OURS);
        let floor = self.median(target.group, target.row, FLOOR);
        let (Some(ours), Some(floor)) = (ours, floor) else {
            let _ = writeln!(out, "- **not measured**: {}", target.name);
            return;
        };
        // The fast clock must stay strictly below the reads it replaces.
        let met = if allowance > 0.0 { ours <= floor + allowance } else { ours < floor };
        let verdict = if met { "**met**" } else { "**missed**" };
        let over = ours - floor - allowance;
        let _ = write!(
            out,
            "- {verdict}: {}: ours {} vs two reads {} ({} {} them)",
            target.name,
            duration(ours),
            duration(floor),
            duration((ours - floor).abs()),
            if ours < floor { "below" } else { "above" },
        );
        if !met {
            let _ = write!(out, "; {} over the target", duration(over));
            if !target.why.is_empty() {
                let _ = write!(out, ". Why: {}", target.why);
            }
        }
        out.push('\n');
    }

    pub(super) fn render_targets(&self, out: &mut String) {
        out.push_str(
            "## Targets\n\nEvery target of issue #8, with the medians of this run; a miss \
             says by how much and why.\n\n",
        );
        for target in &TARGETS {
            if let Against::FloorPlus(allowance) = target.against {
                self.floor_plus_line(out, target, allowance);
                continue;
            }
            let ours = self.median(target.group, target.row, OURS);
            let line = Line { name: target.name, limit: target.limit, why: target.why };
            line.ratio(out, ours, self.against(target), duration);
        }
        for target in &MEMORY_TARGETS {
            let ours = self.memory.get(&(target.family.to_owned(), OURS.to_owned()));
            let line = Line { name: target.name, limit: target.limit, why: target.why };
            line.absolute(out, ours.map(|(_, bytes)| *bytes), |b| format!("{b:.1} B"));
        }
        self.render_growth_target(out);
        out.push('\n');
    }
}

/// One line of the targets section.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line<'a> {
    pub name: &'a str,
    pub limit: f64,
    pub why: &'a str,
}

impl Line<'_> {
    /// Met or missed, with both figures and the ratio.
    fn ratio(
        &self,
        out: &mut String,
        ours: Option<f64>,
        other: Option<(String, f64)>,
        unit: fn(f64) -> String,
    ) {
        let (Some(ours), Some((who, theirs))) = (ours, other) else {
            let _ = writeln!(out, "- **not measured**: {}", self.name);
            return;
        };
        let ratio = ours / theirs;
        let met = ratio <= self.limit;
        let _ = write!(
            out,
            "- {}: {}: ours {} vs {who} {}: {ratio:.2}x (target ≤ {:.2}x)",
            verdict(met),
            self.name,
            unit(ours),
            unit(theirs),
            self.limit
        );
        if !met {
            let _ = write!(
                out,
                "; missed by {:.0}% ({} over)",
                (ratio / self.limit - 1.0) * 100.0,
                unit(ours - theirs * self.limit)
            );
        }
        self.why(out, met);
    }

    /// Met or missed against an absolute limit.
    pub(super) fn absolute(&self, out: &mut String, ours: Option<f64>, unit: fn(f64) -> String) {
        let Some(ours) = ours else {
            let _ = writeln!(out, "- **not measured**: {}", self.name);
            return;
        };
        let met = ours <= self.limit;
        let _ = write!(
            out,
            "- {}: {}: ours {} (target ≤ {})",
            verdict(met),
            self.name,
            unit(ours),
            unit(self.limit)
        );
        if !met {
            let _ = write!(
                out,
                "; missed by {} ({:.2}x the target)",
                unit(ours - self.limit),
                ours / self.limit
            );
        }
        self.why(out, met);
    }

    fn why(&self, out: &mut String, met: bool) {
        if !met && !self.why.is_empty() {
            let _ = write!(out, ". Why: {}", self.why);
        }
        out.push('\n');
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "**met**" } else { "**missed**" }
}
