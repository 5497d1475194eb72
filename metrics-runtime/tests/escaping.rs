//! Escaping and special values, in both formats: every label value and help text
//! comes back from the independent parser exactly as it went in, and the lines
//! are spelled as the specs say.

mod support;

use metrics_runtime::{
    DynFamily, FloatCounter, FloatGauge, Format, Histogram, Metrics, REFUSED_INCREMENTS_NAME,
    Registry,
};

const HELP: &str = "Quote \" backslash \\ newline \n CR \r tab \t NUL \0 RTL \u{202e} crab 🦀 end";

#[derive(Metrics)]
#[metrics(namespace = "esc")]
struct Escapes {
    #[metric(labels = ["value"], max_series = 100, help = "Quote \" backslash \\ newline \n CR \r tab \t NUL \0 RTL \u{202e} crab 🦀 end")]
    values: DynFamily<FloatGauge>,
    /// Special floats.
    #[metric(labels = ["case"])]
    floats: DynFamily<FloatGauge>,
    /// Special histogram sums.
    #[metric(labels = ["case"], buckets = [1.0])]
    sums: DynFamily<Histogram>,
}

fn label_values() -> Vec<String> {
    let mut values: Vec<String> = [
        "plain",
        "say \"hi\"",
        "C:\\path\\",
        "\\\"",
        "line\nnext",
        "\n",
        "carriage\rreturn",
        "tab\there",
        "nul\0byte",
        "rtl \u{202e} override",
        "emoji 🦀🎉 and ünïcödé",
        "",
        "\\n is not a newline",
        "}{,=\"",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    // 64 KiB with every special in it.
    let chunk = "ab\"c\\d\ne\r\0🦀";
    values.push(chunk.repeat(64 * 1024 / chunk.len() + 1));
    values
}

#[test]
fn label_values_and_help_survive_both_formats() {
    let registry = Registry::new();
    let m = Escapes::register(&registry).unwrap();
    let values = label_values();
    for (i, value) in values.iter().enumerate() {
        m.values.get(&[value]).set(i as f64);
    }
    for format in support::FORMATS {
        let (out, parsed) = support::scrape(&registry, format);
        let family = parsed.family("esc_values").unwrap();
        assert_eq!(family.help.as_deref(), Some(HELP), "{format:?}");
        assert_eq!(family.samples.len(), values.len());
        for (i, value) in values.iter().enumerate() {
            let sample = family
                .samples
                .iter()
                .find(|s| s.label("value") == Some(value.as_str()))
                .unwrap_or_else(|| panic!("{format:?}: label value {i} lost"));
            assert_eq!(sample.value, i as f64);
        }
        // The spelling the specs give: `\"`, `\\`, `\n` escaped; CR, tab, NUL and
        // any other UTF-8 written as is.
        for line in [
            "esc_values{value=\"say \\\"hi\\\"\"} 1.0\n",
            "esc_values{value=\"C:\\\\path\\\\\"} 2.0\n",
            "esc_values{value=\"line\\nnext\"} 4.0\n",
            "esc_values{value=\"carriage\rreturn\"} 6.0\n",
            "esc_values{value=\"tab\there\"} 7.0\n",
            "esc_values{value=\"nul\0byte\"} 8.0\n",
            "esc_values{value=\"rtl \u{202e} override\"} 9.0\n",
            "esc_values{value=\"emoji 🦀🎉 and ünïcödé\"} 10.0\n",
            "esc_values{value=\"\"} 11.0\n",
            "esc_values{value=\"\\\\n is not a newline\"} 12.0\n",
        ] {
            assert!(out.contains(line), "{format:?}: missing {line:?}");
        }
        let help_line = match format {
            // The text format escapes only `\` and newline in help...
            Format::Text => "# HELP esc_values Quote \" backslash \\\\ newline \\n CR \r tab",
            // ...OpenMetrics also `"`.
            Format::OpenMetrics => "# HELP esc_values Quote \\\" backslash \\\\ newline \\n CR \r",
            _ => unreachable!("the loop is over the text formats"),
        };
        assert!(out.contains(help_line), "{format:?}: help spelled wrong");
    }
}

/// The values that are not plain numbers, with their spelling in both formats.
const SPECIAL: [(&str, f64, &str); 4] = [
    ("nan", f64::NAN, "NaN"),
    ("inf", f64::INFINITY, "+Inf"),
    ("neg_inf", f64::NEG_INFINITY, "-Inf"),
    ("subnormal", f64::from_bits(1), "5e-324"),
];

#[test]
fn special_floats_on_gauges() {
    let registry = Registry::new();
    let m = Escapes::register(&registry).unwrap();
    let more = [
        ("largest_subnormal", f64::from_bits(0x000f_ffff_ffff_ffff), "2.225073858507201e-308"),
        ("min_positive", f64::MIN_POSITIVE, "2.2250738585072014e-308"),
        ("max", f64::MAX, "1.7976931348623157e308"),
        ("neg_zero", -0.0, "-0.0"),
        ("tenth", 0.1, "0.1"),
    ];
    let cases: Vec<_> = SPECIAL.iter().chain(&more).copied().collect();
    for &(case, value, _) in &cases {
        m.floats.get(&[case]).set(value);
    }
    for format in support::FORMATS {
        let (out, parsed) = support::scrape(&registry, format);
        let family = parsed.family("esc_floats").unwrap();
        for &(case, value, spelled) in &cases {
            let line = format!("esc_floats{{case=\"{case}\"}} {spelled}\n");
            assert!(out.contains(&line), "{format:?}: missing {line:?}");
            let sample = family.samples.iter().find(|s| s.label("case") == Some(case)).unwrap();
            if value.is_nan() {
                assert!(sample.value.is_nan());
            } else {
                assert_eq!(sample.value.to_bits(), value.to_bits(), "{format:?} {case}");
            }
        }
    }
}

#[test]
fn special_floats_on_histogram_sums() {
    let registry = Registry::new();
    let m = Escapes::register(&registry).unwrap();
    let cases = [SPECIAL[0], SPECIAL[1], SPECIAL[2], SPECIAL[3], ("negative", -2.5, "-2.5")];
    for (case, value, _) in cases {
        m.sums.get(&[case]).observe(value);
    }
    let text = support::parse(&registry.encode_to_string(Format::Text), Format::Text);
    let om = support::parse(&registry.encode_to_string(Format::OpenMetrics), Format::OpenMetrics);
    assert_eq!(support::parser::check_histograms(&text), Ok(cases.len()));
    assert_eq!(support::parser::check_histograms(&om), Ok(cases.len()));
    for (case, value, spelled) in cases {
        let sum = |parsed: &support::parser::Exposition| {
            parsed
                .family("esc_sums")
                .unwrap()
                .samples
                .iter()
                .find(|s| s.name == "esc_sums_sum" && s.label("case") == Some(case))
                .map(|s| s.raw.clone())
        };
        // The text format writes any sum.
        assert_eq!(sum(&text).as_deref(), Some(spelled), "text {case}");
        // OpenMetrics: a histogram's sum is a counter, never NaN or negative; without
        // it, no `_count` either (the `+Inf` bucket still counts).
        let counter_like = value >= 0.0;
        assert_eq!(sum(&om).as_deref(), counter_like.then_some(spelled), "OpenMetrics {case}");
        let om_family = om.family("esc_sums").unwrap();
        let has = |name: &str| {
            om_family.samples.iter().any(|s| s.name == name && s.label("case") == Some(case))
        };
        assert_eq!(has("esc_sums_count"), counter_like, "{case}");
        assert!(om_family.samples.iter().any(|s| s.label("case") == Some(case)
            && s.label("le") == Some("+Inf")
            && s.value == 1.0));
    }
}

/// A float counter never goes down: negative and NaN increments are refused, not
/// applied, and each is counted in the self-metric, which every exposition carries.
#[test]
fn float_counters_refuse_and_count_negative_and_nan_increments() {
    let registry = Registry::new();
    let refused = |registry: &Registry| {
        let (_, parsed) = support::scrape(registry, Format::Text);
        let name = format!("{REFUSED_INCREMENTS_NAME}_total");
        parsed.family(&name).unwrap().samples[0].value
    };
    let before = refused(&registry);
    let credits = FloatCounter::new();
    assert!(credits.inc_by(1.5));
    for bad in [-1.0, f64::NAN, -f64::NAN, f64::NEG_INFINITY, -f64::from_bits(1)] {
        assert!(!credits.inc_by(bad), "{bad}");
        assert_eq!(credits.get(), 1.5, "{bad} was applied");
    }
    // Adding zero (either sign) leaves it as it is.
    assert!(credits.inc_by(-0.0) && credits.inc_by(0.0));
    assert_eq!(credits.get(), 1.5);
    // Nothing else in this binary refuses an increment, so the count is exact.
    assert_eq!(refused(&registry) - before, 5.0);
    assert_eq!(refused(&Registry::new()), refused(&registry), "one process-wide count");
}

/// Prometheus' own parsers take every hostile label value: `promtool check metrics`
/// (the text format's parser and linter) and the OpenMetrics parser of `promtool
/// tsdb create-blocks-from openmetrics`. Skipped, saying so, without promtool on
/// `PATH` (`cargo xtask e2e` installs it; it then also reads the values back from a
/// real Prometheus).
#[test]
fn promtool_accepts_every_label_value() {
    use std::process::Command;
    let Some(promtool) = support::promtool() else {
        eprintln!("SKIPPED: promtool is not on PATH");
        return;
    };
    let registry = Registry::new();
    let m = Escapes::register(&registry).unwrap();
    for (i, value) in label_values().iter().enumerate() {
        m.values.get(&[value]).set(i as f64);
    }
    let dir = std::env::temp_dir().join(format!("escaping-promtool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text_file = dir.join("exposition.prom");
    std::fs::write(&text_file, registry.encode_to_string(Format::Text)).unwrap();
    let out = Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(std::fs::File::open(&text_file).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The OpenMetrics parser wants a timestamp on every sample for a block.
    let om = registry.encode_to_string(Format::OpenMetrics);
    let stamped: String = om
        .split_inclusive('\n')
        .map(|line| match line.strip_suffix('\n') {
            Some(sample) if !sample.starts_with('#') => format!("{sample} 1700000000\n"),
            _ => line.to_owned(),
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    let (ok, said) = support::promtool_openmetrics(&promtool, &stamped, "escaping");
    assert!(ok, "promtool's OpenMetrics parser: {said}");
    // Every sample went in: the block's sample count is the exposition's.
    let samples = om.split('\n').filter(|l| !l.is_empty() && !l.starts_with('#')).count();
    assert!(samples > label_values().len(), "{om}");
    assert!(said.split_whitespace().any(|w| w == samples.to_string()), "{said}");
}
