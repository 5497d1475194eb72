//! An axum service instrumented three ways: the HTTP middleware on its router,
//! `#[timed]` on its handlers, and a derived struct of business metrics. `/metrics`
//! and `/health` are mounted in the same router, beside the API, and the service
//! drives bounded traffic at itself over loopback with a small HTTP client: some
//! requests answered 4xx or 5xx, some slow, some on paths no route matches, some
//! given up by the client before the answer.
//!
//! ```text
//! cargo run --example axum_service -- --listen 127.0.0.1:9898 --duration 30
//! curl -s http://127.0.0.1:9898/metrics | grep http_requests_total
//! cargo run --example axum_service                 # a burst of traffic, then the exposition
//! cargo run --example axum_service -- --queries    # the PromQL below
//! ```
//!
//! Without `--duration` it serves until Ctrl-C; the traffic stops after
//! [`SERVED`] requests either way.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use examples::{Load, ServeArgs, Traffic, print_catalogue};
use metrics_runtime::layer::HttpMetricsLayer;
use metrics_runtime::serve::MetricsServer;
use metrics_runtime::{
    Counter, Family, Format, Gauge, Global, Histogram, LabelValue, Metrics, build_info,
    default_registry, timed,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// Requests per second, by route (and method and status), per instance.
pub const REQUEST_RATE: &str = "sum by (job, instance, route) (rate(http_requests_total[5m]))";
/// Share of requests answered 5xx. Requests the client gave up on
/// (`status="cancelled"`) count in the denominator only.
pub const ERROR_RATIO: &str = "sum by (job) (rate(http_requests_total{status=~\"5..\"}[5m])) \
     / sum by (job) (rate(http_requests_total[5m]))";
/// 99th percentile latency by route, across instances: buckets summed `by (le, ..)`
/// before the quantile.
pub const LATENCY_P99: &str = "histogram_quantile(0.99, \
     sum by (job, route, le) (rate(http_request_duration_seconds_bucket[5m])))";

const QUERIES: &[(&str, &str)] =
    &[("request_rate", REQUEST_RATE), ("error_ratio", ERROR_RATIO), ("latency_p99", LATENCY_P99)];

#[derive(Clone, Copy, LabelValue)]
#[label(name = "payment")]
enum Payment {
    Card,
    Transfer,
}

/// The store's business metrics; the HTTP ones come from the layer, the handlers'
/// call counts and durations from `#[timed]`.
#[derive(Metrics)]
#[metrics(namespace = "store")]
struct StoreMetrics {
    /// Orders accepted, by payment method.
    orders: Family<Payment, Counter>,
    /// Orders refused because the stock was short.
    orders_refused: Counter,
    /// Items in stock.
    stock_items: Gauge,
    /// Value of accepted orders.
    #[metric(buckets = [10.0, 25.0, 50.0, 100.0, 250.0, 500.0])]
    order_value_euros: Histogram,
}

static METRICS: Global<StoreMetrics> = Global::new();

/// The service's state: its stock, and its orders so far.
#[derive(Debug, Default)]
struct Store {
    stock: AtomicI64,
    orders: AtomicU32,
}

/// An answer that is not a success: `#[timed]` counts it `outcome="error"`.
#[derive(Debug)]
struct ApiError(StatusCode, &'static str);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, self.1).into_response()
    }
}

/// `GET /products/{id}`: 404 past the catalogue's hundred products.
#[timed]
async fn product(Path(id): Path<u32>) -> Result<String, ApiError> {
    tokio::time::sleep(Duration::from_millis(u64::from(id % 4))).await;
    if id > 100 {
        return Err(ApiError(StatusCode::NOT_FOUND, "no such product"));
    }
    Ok(format!("product {id}"))
}

/// `POST /orders` with `card:3` (payment and item count): 400 when malformed, 409
/// when the stock is short, 502 when the (simulated) payment provider fails.
#[timed(in_flight)]
async fn order(State(store): State<Arc<Store>>, body: String) -> Result<StatusCode, ApiError> {
    let malformed = ApiError(StatusCode::BAD_REQUEST, "expected `card:ITEMS` or `transfer:ITEMS`");
    let (payment, items) = body.split_once(':').ok_or(malformed)?;
    let payment = match payment {
        "card" => Payment::Card,
        "transfer" => Payment::Transfer,
        _ => return Err(ApiError(StatusCode::BAD_REQUEST, "unknown payment method")),
    };
    let items: i64 = items.parse().map_err(|_| ApiError(StatusCode::BAD_REQUEST, "bad count"))?;
    // The payment provider: slower for transfers, and down for one order in fifteen.
    let provider = if matches!(payment, Payment::Transfer) { 40 } else { 10 };
    tokio::time::sleep(Duration::from_millis(provider)).await;
    if store.orders.fetch_add(1, Ordering::Relaxed) % 15 == 14 {
        return Err(ApiError(StatusCode::BAD_GATEWAY, "payment provider unavailable"));
    }
    let taken = store.stock.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |stock| {
        (stock >= items).then_some(stock - items)
    });
    let Ok(before) = taken else {
        METRICS.orders_refused.inc();
        return Err(ApiError(StatusCode::CONFLICT, "not enough stock"));
    };
    METRICS.stock_items.set(before - items);
    METRICS.orders.get(payment).inc();
    METRICS.order_value_euros.observe(items as f64 * 12.5);
    Ok(StatusCode::CREATED)
}

/// `PUT /stock` with an item count to add.
#[timed]
async fn restock(State(store): State<Arc<Store>>, body: String) -> Result<StatusCode, ApiError> {
    let items: i64 = body.parse().map_err(|_| ApiError(StatusCode::BAD_REQUEST, "bad count"))?;
    let stock = store.stock.fetch_add(items, Ordering::Relaxed) + items;
    METRICS.stock_items.set(stock);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /reports/{id}`: slow, from 20 ms to nearly a second by report; clients
/// give up on the slowest.
#[timed]
async fn report(Path(id): Path<u32>) -> String {
    tokio::time::sleep(Duration::from_millis(20 + u64::from(id % 10) * 90)).await;
    format!("report {id}")
}

/// The API behind the metrics layer, then `/metrics` and `/health` outside it
/// (scrapes are not API traffic). The metrics routes are the server's own handler,
/// [`MetricsServer::builder`]'s `service()`, mounted in the router.
fn app(layer: HttpMetricsLayer, store: Arc<Store>) -> Result<Router, Box<dyn std::error::Error>> {
    let metrics = MetricsServer::builder().process_metrics(true).tokio_metrics(true).service()?;
    let health = metrics.clone();
    Ok(Router::new()
        .route("/products/{id}", get(product))
        .route("/orders", post(order))
        .route("/stock", put(restock))
        .route("/reports/{id}", get(report))
        .with_state(store)
        // Applies to the routes above and to the fallback (paths no route matches,
        // labelled `route="unmatched"`), not to routes added below.
        .layer(layer)
        .route("/metrics", get(move |request: Request| metrics.handle(request)))
        .route("/health", get(move |request: Request| health.handle(request))))
}

/// Requests a served run sends: about 30 seconds' worth.
const SERVED: Load = Load { rounds: 1200, pace: Duration::from_millis(25), concurrency: 16 };
/// Requests a printing run sends, as fast as they go.
const PRINTED: Load = Load { rounds: 200, pace: Duration::ZERO, concurrency: 16 };
/// How long the client waits for an answer before it closes the connection.
const PATIENCE: Duration = Duration::from_millis(400);

#[tokio::main]
async fn main() -> ExitCode {
    let args = match ServeArgs::from_env_or_usage("axum_service") {
        Ok(args) => args,
        Err(code) => return code,
    };
    if args.queries {
        for (name, expr) in QUERIES {
            println!("{name}\t{expr}");
        }
        return ExitCode::SUCCESS;
    }
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("axum_service: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    // With metrics-runtime's `axum` feature, the route label is axum's
    // `MatchedPath` (`/products/{id}`); without it, add
    // `.route_template(axum::extract::MatchedPath::as_str)`.
    let layer = HttpMetricsLayer::builder().build()?;
    if args.catalogue {
        print_catalogue(Some(&layer));
        return Ok(());
    }
    if let Some(dir) = &args.generate {
        let options = examples::ops_options("axum_service", "/metrics");
        return Ok(examples::generate(dir, &options, Some(&layer))?);
    }
    let store = Arc::new(Store::default());
    store.stock.store(100, Ordering::Relaxed);
    METRICS.stock_items.set(100);
    default_registry().expose_build_info(build_info!())?;
    let app = app(layer, store)?;

    let listener = TcpListener::bind(args.listen.as_deref().unwrap_or("127.0.0.1:0")).await?;
    let addr = listener.local_addr()?;
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            })
            .into_future(),
    );

    if args.listen.is_none() {
        let summary = drive(addr, PRINTED).await;
        eprintln!("axum_service: {summary}");
        let _ = stop.send(true);
        let _ = server.await;
        print!("{}", default_registry().encode_to_string(Format::Text));
        return Ok(());
    }
    // One line, flushed, that scripts wait for (`cargo xtask e2e` reads the address).
    println!("serving http://{addr}/metrics and /health");
    let until = async {
        match args.duration {
            Some(duration) => tokio::time::sleep(duration).await,
            None => std::future::pending().await,
        }
    };
    let traffic = async {
        println!("traffic done: {}", drive(addr, SERVED).await);
        std::future::pending::<()>().await;
    };
    tokio::select! {
        () = until => {}
        _ = tokio::signal::ctrl_c() => {}
        () = traffic => {}
    }
    let _ = stop.send(true);
    server.await??;
    Ok(())
}

/// How the client's requests ended.
#[derive(Debug, Default)]
struct Tally {
    by_class: [AtomicU32; 6],
    gave_up: AtomicU32,
}

/// Sends `load.rounds` requests to the service at `addr`, drawn from a seeded mix,
/// and says how they ended.
async fn drive(addr: std::net::SocketAddr, load: Load) -> String {
    let tally = Arc::new(Tally::default());
    let mut traffic = Traffic::seeded(7);
    let sent = load
        .run(|n| {
            let (method, path, body) = pick(&mut traffic, n);
            let tally = tally.clone();
            async move {
                match tokio::time::timeout(PATIENCE, exchange(addr, method, &path, &body)).await {
                    Ok(Ok(status)) => {
                        tally.by_class[usize::from(status / 100).min(5)]
                            .fetch_add(1, Ordering::Relaxed);
                    }
                    // Connection refused or reset: counted with the 5xx, as a client would.
                    Ok(Err(_)) => {
                        tally.by_class[5].fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => {
                        tally.gave_up.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        })
        .await;
    let count = |class: usize| tally.by_class[class].load(Ordering::Relaxed);
    format!(
        "{sent} requests: {} 2xx, {} 4xx, {} 5xx, {} given up by the client",
        count(2),
        count(4),
        count(5),
        tally.gave_up.load(Ordering::Relaxed)
    )
}

/// The `n`th request of the mix.
fn pick(traffic: &mut Traffic, n: u32) -> (&'static str, String, String) {
    let roll = traffic.unit();
    let id = traffic.below(120) as u32 + 1;
    if n.is_multiple_of(40) {
        return ("PUT", "/stock".to_owned(), "20".to_owned());
    }
    if roll < 0.45 {
        ("GET", format!("/products/{id}"), String::new())
    } else if roll < 0.70 {
        let payment = traffic.pick(&["card", "card", "transfer", "cash"]);
        let items = traffic.below(6) + 1;
        ("POST", "/orders".to_owned(), format!("{payment}:{items}"))
    } else if roll < 0.88 {
        ("GET", format!("/reports/{id}"), String::new())
    } else {
        let path = traffic.pick(&["/wp-login.php", "/products", "/api/v2/orders/7", "/.env"]);
        ("GET", path.to_owned(), String::new())
    }
}

/// One request on a connection of its own, `Connection: close`, read to the end;
/// the status code. Dropped before the end, it closes the connection: the server
/// sees the client go away.
async fn exchange(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: &str,
) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\
         content-type: text/plain\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    // `HTTP/1.1 200 OK`
    std::str::from_utf8(answer.get(9..12).unwrap_or_default())
        .ok()
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP answer"))
}
