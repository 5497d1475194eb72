//! How often the two threads of the 2-thread rows really ran at once, from the
//! lines `benches/two_threads.rs` appends to `METRICS_BENCH_TWO_THREADS`.

use std::collections::BTreeMap;

use super::{FLOOR, OURS, PEERS, Report, table_header, table_row};

/// `(group, crate) -> (side-by-side batches, batches)`.
pub type SideBySide = BTreeMap<(String, String), (u64, u64)>;

/// Reads `group name side_by_side batches` lines; a benchmark seen twice adds up,
/// and a floor benchmark (`floor_*`) is the floor column.
pub fn parse(text: &str) -> SideBySide {
    let mut figures = SideBySide::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        if let [group, name, together, batches] = fields[..]
            && let (Ok(together), Ok(batches)) = (together.parse::<u64>(), batches.parse::<u64>())
        {
            let column = if name.starts_with("floor_") { FLOOR } else { name };
            let entry = figures.entry((group.to_owned(), column.to_owned())).or_default();
            entry.0 += together;
            entry.1 += batches;
        }
    }
    figures
}

impl Report {
    /// The share of side-by-side batches behind each 2-thread figure.
    pub(super) fn render_side_by_side(&self, out: &mut String) {
        if self.side_by_side.is_empty() {
            return;
        }
        out.push_str(
            "## Two threads at once\n\nThe share of the 2-thread rows' batches that ran side \
             by side (both threads on a core, `benches/two_threads.rs`). Where it is low the \
             machine was too busy for the two threads to meet and the row is mostly the \
             uncontended cost; on a quiet machine most batches are side by side.\n\n",
        );
        let crates = || std::iter::once(OURS).chain(PEERS).chain([FLOOR]);
        table_header(out, "group", crates());
        let mut groups: Vec<&str> = self.side_by_side.keys().map(|(g, _)| g.as_str()).collect();
        groups.dedup();
        for group in groups {
            let values = crates().map(|name| {
                match self.side_by_side.get(&(group.to_owned(), name.to_owned())) {
                    Some(&(together, batches)) if batches > 0 => {
                        format!("{:.0}% of {batches}", together as f64 * 100.0 / batches as f64)
                    }
                    _ => "–".to_owned(),
                }
            });
            table_row(out, &format!("`{group}`"), values);
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_add_up_per_benchmark() {
        let figures = parse("g\tours\t5\t10\ng\tours\t1\t10\nbad\ng\tfloor_x\t1\t2\n");
        assert_eq!(figures.get(&("g".into(), "ours".into())), Some(&(6, 20)));
        assert_eq!(figures.get(&("g".into(), FLOOR.into())), Some(&(1, 2)));
        assert_eq!(figures.len(), 2);
    }
}
