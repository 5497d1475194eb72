//! The quickstart: a derived metrics struct with every kind of family, `#[timed]`
//! async handlers ending every way a call can end, then the exposition printed in
//! both formats. Finishes by itself.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With `--listen`, it serves `/metrics` (with process, tokio and build metrics) and
//! `/health` instead of printing, while the simulated traffic goes on, for
//! `--duration` seconds or until Ctrl-C:
//!
//! ```text
//! cargo run --example quickstart -- --listen 127.0.0.1:9898 --duration 30
//! ```

use std::process::ExitCode;
use std::time::Duration;

use examples::{ServeArgs, Traffic};
use metrics_runtime::serve::MetricsServer;
use metrics_runtime::{
    Counter, DynFamily, Family, FloatGauge, Format, Gauge, Global, Histogram, LabelSet, LabelValue,
    Metrics, build_info, default_registry, timed,
};

#[derive(Clone, Copy, LabelValue)]
enum Payment {
    Card,
    Transfer,
    Voucher,
}

#[derive(Clone, Copy, LabelSet)]
struct OrderLabels {
    payment: Payment,
    express: bool,
}

/// The shop's business metrics: one annotated struct.
#[derive(Metrics)]
#[metrics(namespace = "shop")]
struct ShopMetrics {
    /// Orders placed, by payment method and delivery speed.
    orders: Family<OrderLabels, Counter>,
    /// Items in carts right now.
    cart_items: Gauge,
    /// Share of the stock that is reserved.
    stock_reserved_ratio: FloatGauge,
    /// Checkout latency.
    #[metric(buckets = exponential(0.001, 2.0, 14), unit = "seconds", objective(latency = "256ms"))]
    checkout: Histogram,
    /// Payment provider latency, in native buckets: sparse, exponential, each boundary
    /// at most 1.1 times the previous (exposed in the protobuf format).
    #[metric(native(factor = 1.1), unit = "seconds")]
    payment: Histogram,
    /// The same observations in classic buckets, for comparison (`cargo xtask e2e`
    /// checks that both give about the same 0.99 quantile).
    #[metric(buckets = exponential(0.001, 1.25, 32), unit = "seconds")]
    payment_classic: Histogram,
    /// Requests by route template (dynamic labels, capped).
    #[metric(labels = ["route"], max_series = 50)]
    requests: DynFamily<Counter>,
    /// Label values that must survive escaping, each set to its case number when
    /// served (`cargo xtask e2e` reads them back from Prometheus).
    #[metric(labels = ["case", "value"], max_series = 16)]
    escaping_cases: DynFamily<Gauge>,
}

/// Quotes, backslashes, newline, carriage return, tab, NUL, right-to-left override,
/// emoji, empty, and 64 KiB with all of them: label values are escaped, never refused.
fn escaping_cases() -> Vec<String> {
    let mut values: Vec<String> = [
        "say \"hi\"",
        "C:\\path\\",
        "line\nnext",
        "carriage\rreturn",
        "tab\there",
        "nul\0byte",
        "rtl \u{202e} override",
        "emoji 🦀🎉",
        "",
    ]
    .map(str::to_owned)
    .to_vec();
    let chunk = "ab\"c\\d\ne\r\t\0🦀";
    values.push(chunk.repeat(64 * 1024 / chunk.len() + 1));
    values
}

/// One line gives a process-wide instance, registered on first use.
static METRICS: Global<ShopMetrics> = Global::new();

#[derive(Debug)]
struct NotFound;

/// Timed: `function_calls_total{function="get_product",outcome="ok"|"error"}`, with an
/// objective that its one-in-five failures break on purpose.
#[timed(objective(success = 99.0, latency = "25ms"))]
async fn get_product(id: u32) -> Result<String, NotFound> {
    METRICS.requests.get(&["/products/{id}"]).inc();
    tokio::time::sleep(Duration::from_millis(u64::from(id % 3))).await;
    if id.is_multiple_of(5) { Err(NotFound) } else { Ok(format!("product {id}")) }
}

/// Timed with an in-flight gauge; one call of it is cancelled by a timeout.
#[timed(in_flight)]
async fn checkout(cart_size: u32) -> Result<u32, String> {
    METRICS.requests.get(&["/checkout"]).inc();
    let _timer = METRICS.checkout.start_timer();
    tokio::time::sleep(Duration::from_millis(u64::from(cart_size))).await;
    Ok(cart_size * 10)
}

/// Panics inside a spawned task: recorded as `outcome="panicked"`.
#[timed]
async fn reindex() {
    tokio::task::yield_now().await;
    panic!("index corrupted");
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match ServeArgs::from_env() {
        Ok(args) if args.duration.is_some() && args.listen.is_none() => {
            eprintln!("quickstart: --duration needs --listen");
            return ExitCode::from(2);
        }
        Ok(args) => args,
        Err(message) => {
            eprintln!("quickstart: {message}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &args.generate {
        // The operations files (`cargo xtask generate` runs this).
        let options = examples::ops_options("quickstart", "/metrics");
        return match examples::generate(dir, &options, None) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("quickstart: --generate: {error}");
                ExitCode::FAILURE
            }
        };
    }
    if args.catalogue {
        examples::print_catalogue(None);
        return ExitCode::SUCCESS;
    }
    if args.queries {
        // No guide behind the quickstart, so no queries to carry.
        return ExitCode::SUCCESS;
    }
    let mut traffic = Traffic::seeded(42);
    for id in 1..=20 {
        let _ = get_product(id).await;
    }
    for _ in 0..10 {
        let payment = [Payment::Card, Payment::Transfer, Payment::Voucher][traffic.below(3)];
        let express = traffic.unit() < 0.3;
        METRICS.orders.get(OrderLabels { payment, express }).inc();
        METRICS.cart_items.add(traffic.below(4) as i64);
        let _ = checkout(traffic.below(5) as u32).await;
    }
    METRICS.stock_reserved_ratio.set(0.42);
    // A checkout that takes too long: the timeout drops it, `outcome="cancelled"`.
    let _ = tokio::time::timeout(Duration::from_millis(5), checkout(1_000)).await;
    // A panic inside a spawned task: `outcome="panicked"`, and the task reports it.
    std::panic::set_hook(Box::new(|info| eprintln!("(expected) a task panicked: {info}")));
    let joined = tokio::spawn(reindex()).await;
    assert!(joined.is_err_and(|e| e.is_panic()));

    let Some(listen) = args.listen else {
        println!("# ---- Prometheus text format 0.0.4 ----");
        print!("{}", default_registry().encode_to_string(Format::Text));
        println!("# ---- OpenMetrics 1.0.0 ----");
        print!("{}", default_registry().encode_to_string(Format::OpenMetrics));
        return ExitCode::SUCCESS;
    };
    match serve(&listen, args.duration, traffic).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("quickstart: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Serves `/metrics` and `/health` on `listen` while the traffic goes on, for
/// `duration` or until Ctrl-C, then shuts the server down gracefully.
async fn serve(
    listen: &str,
    duration: Option<Duration>,
    mut traffic: Traffic,
) -> Result<(), Box<dyn std::error::Error>> {
    default_registry().expose_build_info(build_info!())?;
    for (case, value) in escaping_cases().iter().enumerate() {
        METRICS.escaping_cases.get(&[&case.to_string(), value]).set(case as i64);
    }
    let server =
        MetricsServer::builder().process_metrics(true).tokio_metrics(true).bind(listen).await?;
    // One line, flushed, that scripts wait for (`cargo xtask e2e` reads the port).
    println!("serving http://{}/metrics and /health", server.local_addr());
    let server = server.spawn();
    let stop = async {
        match duration {
            Some(duration) => tokio::time::sleep(duration).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = stop => {}
        _ = tokio::signal::ctrl_c() => {}
        () = keep_busy(&mut traffic) => {}
    }
    server.shutdown().await;
    Ok(())
}

/// A simulated payment provider call: 2 ms, plus up to 200 ms in a long tail (p99
/// about 194 ms), observed in both payment histograms.
fn payment_latency(traffic: &mut Traffic) {
    let seconds = 0.002 + 0.2 * traffic.unit().powi(4);
    METRICS.payment.observe(seconds);
    METRICS.payment_classic.observe(seconds);
}

/// Simulated traffic, a request every 20 ms or so, until dropped.
async fn keep_busy(traffic: &mut Traffic) {
    for id in 21.. {
        let _ = get_product(id).await;
        if traffic.unit() < 0.3 {
            let payment = [Payment::Card, Payment::Transfer, Payment::Voucher][traffic.below(3)];
            METRICS.orders.get(OrderLabels { payment, express: traffic.unit() < 0.3 }).inc();
            METRICS.cart_items.add(traffic.below(3) as i64 - 1);
            let _ = checkout(traffic.below(5) as u32).await;
        }
        if traffic.unit() < 0.02 {
            let _ = tokio::time::timeout(Duration::from_millis(1), checkout(50)).await;
        }
        if id % 50 == 0 {
            // Now and then a panicking reindex, so its dashboard panels (calls,
            // error ratio, latency) have a rate to show while served.
            assert!(tokio::spawn(reindex()).await.is_err_and(|e| e.is_panic()));
        }
        METRICS.stock_reserved_ratio.set(traffic.unit());
        for _ in 0..10 {
            payment_latency(traffic);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
