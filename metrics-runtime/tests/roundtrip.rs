//! Property: any label value and any `f64` (NaN, infinities, subnormals, negative
//! zero included) survive encoding in both formats and parse back equal with the
//! independent parser in `support/parser.rs`.

mod support;

use metrics_runtime::{DynFamily, FloatGauge, Metrics, Registry};
use proptest::prelude::*;
use support::parser::parse_float;

#[derive(Metrics)]
#[metrics(namespace = "prop")]
struct Values {
    /// One gauge per label value.
    #[metric(labels = ["text", "other"])]
    values: DynFamily<FloatGauge>,
}

/// Any char, with the ones the formats treat specially drawn often.
fn chars() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        1 => prop::sample::select(vec!['"', '\\', '\n', '\r', '\t', '\0', '\u{202e}', '🦀', '{', '}', ',', '=', ' ', '#']),
    ]
}

fn label_value() -> impl Strategy<Value = String> {
    prop::collection::vec(chars(), 0..40).prop_map(String::from_iter)
}

/// Any bit pattern, plus the special values drawn often.
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => any::<u64>().prop_map(f64::from_bits),
        1 => prop::sample::select(vec![
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            f64::from_bits(1),
            -f64::from_bits(1),
            f64::from_bits(0x000f_ffff_ffff_ffff),
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
        ]),
        1 => -1e6f64..1e6,
    ]
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn label_values_and_floats_round_trip(text in label_value(), other in label_value(), value in float()) {
        let registry = Registry::new();
        let m = Values::register(&registry).unwrap();
        m.values.get(&[&text, &other]).set(value);
        for format in support::FORMATS {
            let (_, parsed) = support::scrape(&registry, format);
            let family = parsed.family("prop_values").unwrap();
            prop_assert_eq!(family.samples.len(), 1);
            let sample = &family.samples[0];
            prop_assert_eq!(sample.label("text"), Some(text.as_str()));
            prop_assert_eq!(sample.label("other"), Some(other.as_str()));
            prop_assert!(same(sample.value, value), "{:?}: {} came back as {} ({:?})", format, value, sample.value, sample.raw);
        }
    }
}

/// The parser's own number grammar, so that a round trip cannot pass by accident.
#[test]
fn parser_numbers_follow_the_grammar() {
    for (raw, value) in [
        ("1", 1.0),
        ("-1.5", -1.5),
        ("+Inf", f64::INFINITY),
        ("-inf", f64::NEG_INFINITY),
        ("Infinity", f64::INFINITY),
        ("1e300", 1e300),
        ("5e-324", 5e-324),
        (".5", 0.5),
        ("2.", 2.0),
        ("-0.0", -0.0),
    ] {
        assert!(same(parse_float(raw).unwrap(), value), "{raw}");
    }
    assert!(parse_float("NaN").unwrap().is_nan());
    for raw in ["", "1.2.3", "0x10", "1e", "e5", ".", "+NaN", "1_000", " 1", "--1", "inf1"] {
        assert!(parse_float(raw).is_err(), "{raw} should be refused");
    }
}

/// The parser refuses what the specs refuse, so that valid output is not assumed.
#[test]
fn parser_refuses_invalid_expositions() {
    use support::parser::{Syntax, parse};
    let om = |s: &str| parse(s, Syntax::OpenMetrics);
    assert!(om("# TYPE a gauge\na 1\n# EOF\n").is_ok());
    for bad in [
        "# TYPE a gauge\na 1\n",                             // no EOF
        "# TYPE a gauge\na 1\n# EOF\na 2\n",                 // after EOF
        "# TYPE a gauge\n# TYPE a gauge\na 1\n# EOF\n",      // TYPE twice
        "# TYPE a gauge\na 1\n# TYPE a gauge\na 2\n# EOF\n", // family twice
        "# TYPE a counter\na 1\n# EOF\n",                    // counter sample without _total
        "# TYPE a gauge\na{x=\"\\t\"} 1\n# EOF\n",           // unknown escape
        "# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n# EOF\n",     // label twice
        "# TYPE a gauge\na{x=\"1\",} 1\n# EOF\n",            // trailing comma
        "# TYPE a_seconds gauge\n# UNIT a_seconds bytes\na_seconds 1\n# EOF\n", // unit not suffix
        "# TYPE a gauge\n# HELP a say \\t\na 1\n# EOF\n",    // unknown escape in help
        "# TYPE a gauge\na 1\n# EOF",                        // no final newline
        "a 1\n# EOF\n",                                      // sample without TYPE
    ] {
        assert!(om(bad).is_err(), "accepted: {bad:?}");
    }
    let text = |s: &str| parse(s, Syntax::Text);
    assert!(text("# HELP a_total x\n# TYPE a_total counter\na_total 1\n").is_ok());
    assert!(text("# TYPE a_total counter\na 1\n").is_err());
    assert!(text("# HELP a say \\\"\n# TYPE a gauge\na 1\n").is_err()); // `\"` is not a help escape in 0.0.4
}
