//! Bounded property tests ("fuzzing" without a fuzzing toolchain) of everything the
//! server parses from a request: `Accept`, `Accept-Encoding`, `Authorization`,
//! Prometheus' scrape-timeout header, and the paths given to the builder. Arbitrary
//! bytes and grammar-shaped strings; each property a fixed number of cases, each
//! case microseconds. No input may panic, and each answer must be sane.
//!
//! Each test prints how many inputs it tried, for `cargo xtask reliability`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hyper::header::HeaderValue;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::auth::Auth;
use super::builder::MetricsServerBuilder;
use super::limits::Limits;
use super::negotiate::accepts_gzip;
use crate::encode::Format;

/// Cases per property.
const CASES: u32 = 4_000;

/// Runs `test` on `CASES` values of `strategy`, then prints the count tried.
fn tried<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: core::fmt::Debug,
{
    let config = Config { cases: CASES, failure_persistence: None, ..Config::default() };
    let count = AtomicUsize::new(0);
    let started = Instant::now();
    TestRunner::new(config)
        .run(&strategy, |value| {
            count.fetch_add(1, Ordering::Relaxed);
            test(value)
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let count = count.into_inner();
    assert!(started.elapsed() < Duration::from_secs(60), "{name} took {:?}", started.elapsed());
    println!("reliability-figure\tparsers: {name}: inputs tried\t{count}\t");
}

/// Any bytes as a header value would carry them: the server reads only values
/// that are visible ASCII (`to_str`), but `Authorization` as bytes.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..200)
}

/// Strings shaped like media ranges, codings and parameters, mixed from the
/// pieces parsers trip on.
fn shaped() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "application/openmetrics-text",
        "APPLICATION/OpenMetrics-Text",
        "text/plain",
        "text/*",
        "*/*",
        "gzip",
        "x-gzip",
        "*",
        "identity",
        ";",
        ",",
        "=",
        "\"",
        " ",
        "\t",
        "q",
        "Q",
        "version",
        "application/vnd.google.protobuf",
        "proto",
        "io.prometheus.client.MetricFamily",
        "encoding",
        "delimited",
        "1.0.0",
        "0.0.4",
        "0.0.1",
        "2.0.0",
        "0",
        "1",
        "0.5",
        "-1",
        "NaN",
        "inf",
        "1e400",
        "é",
        "\u{202e}",
    ]);
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn accept_negotiation_never_panics_and_answers_sanely() {
    let strategy = prop_oneof![bytes().prop_map(|b| text(&b)), shaped()];
    tried("Accept negotiation", strategy, |accept| {
        let format = Format::from_accept(Some(&accept));
        // OpenMetrics and protobuf only when asked for by name.
        let lower = accept.to_ascii_lowercase();
        match format {
            Format::Text => {}
            Format::OpenMetrics => prop_assert!(lower.contains("application/openmetrics-text")),
            Format::Protobuf => prop_assert!(
                lower.contains("application/vnd.google.protobuf")
                    && accept.contains("io.prometheus.client.MetricFamily")
                    && lower.contains("delimited")
            ),
        }
        // Asking for OpenMetrics first, at q=1, gets it unless a later range
        // claims a higher `q`, or protobuf ties with it.
        let first = format!("application/openmetrics-text;version=1.0.0;q=1,{accept}");
        let strongest = Format::from_accept(Some(&first));
        prop_assert!(
            strongest == Format::OpenMetrics
                || lower.contains('q')
                || strongest == Format::Protobuf
        );
        Ok(())
    });
}

#[test]
fn gzip_negotiation_never_panics_and_answers_sanely() {
    let strategy = prop_oneof![bytes().prop_map(|b| text(&b)), shaped()];
    tried("Accept-Encoding negotiation", strategy, |header| {
        let gzip = accepts_gzip([header.as_str()].into_iter());
        if !header.to_ascii_lowercase().contains("gzip") && !header.contains('*') {
            prop_assert!(!gzip);
        }
        Ok(())
    });
}

#[test]
fn authorization_never_panics_and_lets_in_only_the_credentials() {
    let basic = Auth::basic("prometheus", "s3cret pass").unwrap();
    let bearer = Auth::bearer("tok-123.abc").unwrap();
    // base64("prometheus:s3cret pass")
    let right_basic = "cHJvbWV0aGV1czpzM2NyZXQgcGFzcw==";
    let strategy = prop_oneof![
        bytes(),
        // The right header with one byte changed.
        (0usize..64, any::<u8>()).prop_map(move |(at, byte)| {
            let mut value = format!("Basic {right_basic}").into_bytes();
            let at = at % value.len();
            if value[at] == byte {
                value.push(b'x');
            } else {
                value[at] = byte;
            }
            value
        }),
        shaped().prop_map(String::into_bytes),
    ];
    tried("Authorization", strategy, |value| {
        let Ok(header) = HeaderValue::from_bytes(&value) else {
            return Ok(()); // hyper refuses such a header before the service sees it
        };
        let allowed_basic = basic.allows([&header].into_iter());
        let allowed_bearer = bearer.allows([&header].into_iter());
        let shown = text(&value);
        let trimmed: Vec<&str> = shown.split([' ', '\t']).filter(|p| !p.is_empty()).collect();
        if allowed_basic {
            prop_assert!(trimmed.len() == 2 && trimmed[0].eq_ignore_ascii_case("basic"));
            prop_assert_eq!(trimmed[1], right_basic);
        }
        if allowed_bearer {
            prop_assert!(trimmed.len() == 2 && trimmed[0].eq_ignore_ascii_case("bearer"));
            prop_assert_eq!(trimmed[1], "tok-123.abc");
        }
        prop_assert!(Auth::Open.allows([&header].into_iter()));
        Ok(())
    });
}

#[test]
fn the_scrape_timeout_header_only_ever_shortens_the_limit() {
    let limits = Limits::default();
    let strategy = prop_oneof![
        bytes(),
        any::<f64>().prop_map(|f| f.to_string().into_bytes()),
        shaped().prop_map(String::into_bytes),
    ];
    tried("X-Prometheus-Scrape-Timeout-Seconds", strategy, |value| {
        let Ok(header) = HeaderValue::from_bytes(&value) else { return Ok(()) };
        let timeout = limits.scrape_timeout_for(Some(&header));
        prop_assert!(timeout > Duration::ZERO && timeout <= limits.scrape_timeout);
        Ok(())
    });
}

#[test]
fn builder_paths_never_panic_and_only_clean_ones_pass() {
    let strategy = prop_oneof![
        bytes().prop_map(|b| text(&b)),
        "/[a-z/?# %é]{0,20}".prop_map(|s| s.to_owned()),
    ];
    tried("builder paths", strategy, |path| {
        let accepted = MetricsServerBuilder::default().path(path.as_str()).service().is_ok();
        let clean = path.starts_with('/')
            && path.bytes().all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#')
            && path != "/health";
        prop_assert_eq!(accepted, clean, "{:?}", path);
        Ok(())
    });
}

/// The comparison of credentials takes as long whichever byte of a guess is
/// wrong: it never exits early (by construction, see `constant_time_eq`), and
/// timing it shows no gap beyond noise. The bound is loose (a factor of 3 on
/// medians of interleaved batches) so that a loaded machine does not fail it; an
/// early-exit comparison of 4 KiB differs by orders of magnitude.
#[test]
fn a_wrong_first_byte_is_refused_as_slowly_as_a_wrong_last_byte() {
    let token = "t".repeat(4096);
    let auth = Auth::bearer(&token).unwrap();
    let header = |wrong_at: usize| {
        let mut guess = token.clone().into_bytes();
        guess[wrong_at] = b'u';
        let mut value = b"Bearer ".to_vec();
        value.extend_from_slice(&guess);
        HeaderValue::from_bytes(&value).unwrap()
    };
    let (first, last) = (header(0), header(token.len() - 1));
    let time = |value: &HeaderValue| {
        let started = Instant::now();
        for _ in 0..50 {
            assert!(!auth.allows([core::hint::black_box(value)].into_iter()));
        }
        started.elapsed()
    };
    let (mut firsts, mut lasts) = (Vec::new(), Vec::new());
    for _ in 0..101 {
        firsts.push(time(&first));
        lasts.push(time(&last));
    }
    firsts.sort();
    lasts.sort();
    let (first, last) = (firsts[50], lasts[50]);
    println!("median of 50 refusals: wrong first byte {first:?}, wrong last byte {last:?}");
    let ratio = first.as_secs_f64() / last.as_secs_f64();
    assert!((1.0 / 3.0..3.0).contains(&ratio), "first {first:?} vs last {last:?}");
    println!(
        "reliability-figure\tauth: refusal time, wrong first byte / wrong last byte (4 KiB token)\t{ratio:.2}\t"
    );
}
