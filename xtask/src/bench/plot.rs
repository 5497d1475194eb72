//! A small SVG line chart, written by hand: charts side by side, a logarithmic x
//! axis (series counts), a linear y axis from zero, one polyline per line, a legend.

use std::fmt::Write as _;

/// One line of a chart: its points `(x, y)`, x > 0.
#[derive(Debug, Clone)]
pub struct Line {
    pub name: &'static str,
    pub colour: &'static str,
    pub points: Vec<(f64, f64)>,
}

/// One chart.
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: &'static str,
    pub lines: Vec<Line>,
}

const WIDTH: f64 = 440.0;
const HEIGHT: f64 = 320.0;
/// Space for the axis labels: left, right, top, bottom.
const MARGIN: (f64, f64, f64, f64) = (60.0, 20.0, 30.0, 90.0);

/// The charts side by side, as an SVG document.
pub fn svg(charts: &[Chart]) -> String {
    let width = WIDTH * charts.len() as f64;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {width} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    for (i, chart) in charts.iter().enumerate() {
        render(&mut out, chart, WIDTH * i as f64);
    }
    out.push_str("</svg>\n");
    out
}

/// The smallest "round" number (1, 2 or 5 times a power of ten) at least `max`/4.
fn step(max: f64) -> f64 {
    let rough = (max / 4.0).max(f64::MIN_POSITIVE);
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * power).find(|s| *s >= rough).unwrap_or(power)
}

fn render(out: &mut String, chart: &Chart, left: f64) {
    let points = chart.lines.iter().flat_map(|l| l.points.iter());
    let (mut x_min, mut x_max, mut y_max) = (f64::MAX, f64::MIN, 0f64);
    for &(x, y) in points {
        x_min = x_min.min(x);
        x_max = x_max.max(x);
        y_max = y_max.max(y);
    }
    if x_min >= x_max {
        x_max = x_min * 10.0;
    }
    let y_step = step(y_max);
    let y_top = (y_max / y_step).ceil().max(1.0) * y_step;
    let (x0, x1) = (left + MARGIN.0, left + WIDTH - MARGIN.1);
    let (y0, y1) = (HEIGHT - MARGIN.3, MARGIN.2);
    let px =
        |x: f64| x0 + (x.log10() - x_min.log10()) / (x_max.log10() - x_min.log10()) * (x1 - x0);
    let py = |y: f64| y0 - y / y_top * (y0 - y1);
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">{}</text>",
        (x0 + x1) / 2.0,
        chart.title
    );
    // Horizontal grid and y labels, with as many decimals as the step needs.
    let decimals = (-y_step.log10().floor()).max(0.0) as usize;
    let ticks = (y_top / y_step).round() as usize;
    for tick in 0..=ticks {
        let y = tick as f64 * y_step;
        let _ = writeln!(
            out,
            "<line x1=\"{x0:.1}\" y1=\"{0:.1}\" x2=\"{x1:.1}\" y2=\"{0:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{1:.1}\" y=\"{2:.1}\" text-anchor=\"end\">{y:.decimals$}</text>",
            py(y),
            x0 - 6.0,
            py(y) + 4.0
        );
    }
    // Decades on the x axis.
    let mut x = 10f64.powf(x_min.log10().ceil());
    while x <= x_max * 1.001 {
        let label = match x {
            x if x >= 1e6 => format!("{}M", x / 1e6),
            x if x >= 1e3 => format!("{}k", x / 1e3),
            x => format!("{x}"),
        };
        let _ = writeln!(
            out,
            "<line x1=\"{0:.1}\" y1=\"{y0:.1}\" x2=\"{0:.1}\" y2=\"{y1:.1}\" stroke=\"#eee\"/>\
             <text x=\"{0:.1}\" y=\"{1:.1}\" text-anchor=\"middle\">{label}</text>",
            px(x),
            y0 + 16.0
        );
        x *= 10.0;
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">series (log scale)</text>\
         <polyline points=\"{x0:.1},{y1:.1} {x0:.1},{y0:.1} {x1:.1},{y0:.1}\" fill=\"none\" \
         stroke=\"black\"/>",
        (x0 + x1) / 2.0,
        y0 + 32.0
    );
    for (i, line) in chart.lines.iter().enumerate() {
        let points: Vec<String> =
            line.points.iter().map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y))).collect();
        let _ = writeln!(
            out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
            points.join(" "),
            line.colour
        );
        for &(x, y) in &line.points {
            let _ = writeln!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\"/>",
                px(x),
                py(y),
                line.colour
            );
        }
        let legend_y = y0 + 50.0 + 14.0 * i as f64;
        let _ = writeln!(
            out,
            "<line x1=\"{x0:.1}\" y1=\"{0:.1}\" x2=\"{1:.1}\" y2=\"{0:.1}\" stroke=\"{2}\" \
             stroke-width=\"2\"/><text x=\"{3:.1}\" y=\"{4:.1}\">{5}</text>",
            legend_y,
            x0 + 20.0,
            line.colour,
            x0 + 26.0,
            legend_y + 4.0,
            line.name
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_steps() {
        assert_eq!(step(100.0), 50.0);
        assert_eq!(step(9.0), 5.0);
        assert_eq!(step(140.0), 50.0);
        assert_eq!(step(0.3), 0.1);
    }

    #[test]
    fn one_polyline_per_line_and_a_point_per_figure() {
        let chart = Chart {
            title: "t",
            lines: vec![Line {
                name: "a",
                colour: "red",
                points: vec![(1e3, 1.0), (1e4, 2.0), (1e6, 3.0)],
            }],
        };
        let svg = svg(&[chart.clone(), chart]);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("stroke-width=\"2\"/>\n").count(), 2, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 6);
        assert!(svg.contains(">1M</text>") && svg.contains(">1k</text>"));
        assert!(svg.contains(">3</text>") && !svg.contains(".0</text>"), "{svg}");
    }
}
