//! The `/metrics` server over real HTTP on 127.0.0.1, with a minimal HTTP/1.1 client
//! written on a tokio `TcpStream` (so the client shares no code with the server).
//! Every test binds port 0 and is bounded in time.
#![cfg(feature = "server")]

mod support;

use std::io::Read as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use metrics_runtime::collect::{CollectFamily, SeriesSink, Value};
use metrics_runtime::serve::{MetricsServer, MetricsServerBuilder, ServerHandle};
use metrics_runtime::{FamilyDescriptor, LabelValues, Metrics, Registry, SourceLocation};
use support::collectors::{SLOW, slow_registry};
use support::http::{get, parse_reply, raw_exchange, request};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What Prometheus 2.x/3.x sends.
const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const TEST_LIMIT: Duration = Duration::from_secs(20);

fn gunzip(body: &[u8]) -> String {
    let mut plain = String::new();
    flate2::read::GzDecoder::new(body).read_to_string(&mut plain).expect("valid gzip");
    plain
}

/// Runs `test` with a deadline, so that a hung server fails the test instead of CI.
async fn bounded<F: std::future::Future<Output = ()>>(test: F) {
    tokio::time::timeout(TEST_LIMIT, test).await.expect("test took longer than its time limit");
}

/// A server on 127.0.0.1 with a fresh registry unless the builder names one.
async fn start(builder: MetricsServerBuilder) -> ServerHandle {
    builder.bind("127.0.0.1:0").await.expect("binds on loopback").spawn()
}

fn fast() -> MetricsServerBuilder {
    MetricsServer::builder().registry(slow_registry(Duration::ZERO))
}

#[tokio::test]
async fn negotiates_both_formats() {
    bounded(async {
        let server = start(fast()).await;
        let addr = server.local_addr();

        let text = get(addr, "/metrics", &[]).await;
        assert_eq!(text.status, 200);
        assert_eq!(text.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
        assert!(
            text.text().contains("# TYPE slow_collection_value gauge\nslow_collection_value 7\n")
        );
        assert!(!text.text().contains("# EOF"));

        let om = get(addr, "/metrics", &[("Accept", PROMETHEUS_ACCEPT)]).await;
        assert_eq!(om.status, 200);
        assert_eq!(
            om.header("content-type"),
            Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
        );
        assert!(om.text().ends_with("# EOF\n"), "{}", om.text());
        assert_eq!(om.header("vary"), Some("Accept, Accept-Encoding"));

        let plain = get(addr, "/metrics", &[("Accept", "text/plain;version=0.0.4")]).await;
        assert!(plain.header("content-type").unwrap().starts_with("text/plain"));
        // The query string is not part of the path.
        assert_eq!(get(addr, "/metrics?x=1", &[]).await.status, 200);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn gzip_when_accepted_and_it_decodes() {
    bounded(async {
        let server = start(fast()).await;
        let addr = server.local_addr();
        let plain = get(addr, "/metrics", &[]).await;
        assert_eq!(plain.header("content-encoding"), None);

        for accept_encoding in ["gzip", "gzip, deflate, br", "br;q=1, gzip;q=0.5", "*"] {
            let zipped = get(addr, "/metrics", &[("Accept-Encoding", accept_encoding)]).await;
            assert_eq!(zipped.status, 200);
            assert_eq!(zipped.header("content-encoding"), Some("gzip"), "{accept_encoding}");
            assert_eq!(
                zipped.header("content-length").unwrap().parse::<usize>().unwrap(),
                zipped.body.len()
            );
            assert_eq!(gunzip(&zipped.body), plain.text());
        }
        let om =
            get(addr, "/metrics", &[("Accept", PROMETHEUS_ACCEPT), ("Accept-Encoding", "gzip")])
                .await;
        assert!(gunzip(&om.body).ends_with("# EOF\n"));

        for refused in ["identity", "gzip;q=0", "deflate"] {
            let reply = get(addr, "/metrics", &[("Accept-Encoding", refused)]).await;
            assert_eq!(reply.header("content-encoding"), None, "{refused}");
        }
        server.shutdown().await;
    })
    .await;
}

/// What Prometheus 2.42 sends with `--enable-feature=native-histograms`.
const PROMETHEUS_PROTOBUF_ACCEPT: &str = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

#[tokio::test]
async fn protobuf_when_asked_first_plain_or_gzipped() {
    bounded(async {
        let server = start(fast()).await;
        let addr = server.local_addr();
        let plain = get(addr, "/metrics", &[("Accept", PROMETHEUS_PROTOBUF_ACCEPT)]).await;
        assert_eq!(plain.status, 200);
        assert_eq!(
            plain.header("content-type"),
            Some("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited")
        );
        assert_eq!(plain.header("content-encoding"), None);
        let families = support::protobuf::decode(&plain.body).expect("decodes");
        let slow = families.iter().find(|f| f.name == "slow_collection_value").expect("the family");
        assert_eq!((slow.kind.as_str(), slow.metrics[0].value), ("GAUGE", Some(7.0)));

        let zipped = get(
            addr,
            "/metrics",
            &[("Accept", PROMETHEUS_PROTOBUF_ACCEPT), ("Accept-Encoding", "gzip")],
        )
        .await;
        assert_eq!(zipped.header("content-encoding"), Some("gzip"));
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&zipped.body[..]).read_to_end(&mut unzipped).expect("gzip");
        assert_eq!(support::protobuf::decode(&unzipped).expect("decodes"), families);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn head_sends_the_headers_of_get_without_a_body() {
    bounded(async {
        let server = start(fast()).await;
        let addr = server.local_addr();
        let got = get(addr, "/metrics", &[]).await;
        let raw = raw_exchange(
            addr,
            format!("HEAD /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await;
        let head = parse_reply(&raw, true);
        assert_eq!(head.status, 200);
        assert_eq!(head.header("content-type"), got.header("content-type"));
        assert_eq!(head.header("content-length"), got.header("content-length"));
        // Nothing after the head on the wire.
        assert!(raw.ends_with(b"\r\n\r\n"), "{}", String::from_utf8_lossy(&raw));

        let health = request(addr, "HEAD", "/health", &[]).await;
        assert_eq!(health.status, 200);
        assert_eq!(health.header("content-length"), Some("3"));
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn other_paths_are_404_and_other_methods_405() {
    bounded(async {
        let server = start(fast().path("/internal/metrics").health(Some("/ready"))).await;
        let addr = server.local_addr();
        assert_eq!(get(addr, "/internal/metrics", &[]).await.status, 200);
        for path in ["/metrics", "/health", "/", "/internal/metrics/", "/internal", "/%00", "*"] {
            assert_eq!(get(addr, path, &[]).await.status, 404, "{path}");
        }
        let ready = get(addr, "/ready", &[]).await;
        assert_eq!((ready.status, ready.text().as_str()), (200, "OK\n"));

        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"] {
            let reply =
                request(addr, method, "/internal/metrics", &[("Content-Length", "0")]).await;
            assert_eq!(reply.status, 405, "{method}");
            assert_eq!(reply.header("allow"), Some("GET, HEAD"));
            assert_eq!(request(addr, method, "/ready", &[]).await.status, 405, "{method}");
        }
        server.shutdown().await;

        let none = start(fast().health(None)).await;
        assert_eq!(get(none.local_addr(), "/health", &[]).await.status, 404);
        none.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn basic_auth_lets_in_only_the_right_credentials() {
    bounded(async {
        let server = start(fast().basic_auth("prometheus", "s3cret pass")).await;
        let addr = server.local_addr();
        // base64("prometheus:s3cret pass")
        let right = "Basic cHJvbWV0aGV1czpzM2NyZXQgcGFzcw==";
        let ok = get(addr, "/metrics", &[("Authorization", right)]).await;
        assert_eq!(ok.status, 200);

        for wrong in [
            None,
            Some("Basic cHJvbWV0aGV1czpzM2NyZXQgcGFzcx=="),
            Some("Basic cHJvbWV0aGV1czpzM2NyZXQgcGFzcw"),
            Some("Bearer cHJvbWV0aGV1czpzM2NyZXQgcGFzcw=="),
            Some("Basic"),
            Some("cHJvbWV0aGV1czpzM2NyZXQgcGFzcw=="),
        ] {
            let headers: Vec<(&str, &str)> =
                wrong.map(|w| ("Authorization", w)).into_iter().collect();
            let denied = get(addr, "/metrics", &headers).await;
            assert_eq!(denied.status, 401, "{wrong:?}");
            assert_eq!(
                denied.header("www-authenticate"),
                Some(r#"Basic realm="metrics", charset="UTF-8""#)
            );
            let shown = format!("{:?}{}", denied.headers, denied.text());
            assert!(!shown.contains("s3cret") && !shown.contains("cHJv"), "{shown}");
        }
        // The health path stays open for probes.
        assert_eq!(get(addr, "/health", &[]).await.status, 200);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn bearer_auth_lets_in_only_the_token() {
    bounded(async {
        let server = start(fast().bearer("tok-123.abc")).await;
        let addr = server.local_addr();
        assert_eq!(
            get(addr, "/metrics", &[("Authorization", "Bearer tok-123.abc")]).await.status,
            200
        );
        assert_eq!(
            get(addr, "/metrics", &[("authorization", "bearer tok-123.abc")]).await.status,
            200
        );
        for wrong in ["Bearer tok-123.ab", "Bearer tok-123.abcd", "Basic tok-123.abc", "Bearer "] {
            let denied = get(addr, "/metrics", &[("Authorization", wrong)]).await;
            assert_eq!(denied.status, 401, "{wrong}");
            assert_eq!(denied.header("www-authenticate"), Some(r#"Bearer realm="metrics""#));
            assert!(!denied.text().contains("tok-123"));
        }
        let denied = request(addr, "HEAD", "/metrics", &[]).await;
        assert_eq!(denied.status, 401);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn oversized_headers_get_431() {
    bounded(async {
        let server = start(fast().max_header_bytes(2048)).await;
        let addr = server.local_addr();
        assert_eq!(get(addr, "/metrics", &[("X-Small", &"a".repeat(1000))]).await.status, 200);
        // Complete but over the limit, and so large it never completes in the buffer.
        for size in [3_000, 64 * 1024] {
            let big = "b".repeat(size);
            let reply = get(addr, "/metrics", &[("X-Big", &big)]).await;
            assert_eq!(reply.status, 431, "{size}");
        }
        // The server is unharmed.
        assert_eq!(get(addr, "/metrics", &[]).await.status, 200);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn malformed_requests_get_400_and_harm_nothing() {
    bounded(async {
        let server = start(fast()).await;
        let addr = server.local_addr();
        for garbage in [
            &b"HELLO\r\n\r\n"[..],
            b"GET /metrics HTTP/9.9\r\n\r\n",
            b"GET /metrics HTTP/1.1\r\nBad Header\r\n\r\n",
            b"GET /me trics HTTP/1.1\r\n\r\n",
            b"\x00\xff\xfe\r\n\r\n",
            b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            b"GET /metrics HTTP/1.1\r\nAccept: \xff\xfe\r\nAccept-Encoding: \xff\r\nAuthorization: \xc3\r\nConnection: close\r\n\r\n",
        ] {
            let raw = raw_exchange(addr, garbage).await;
            if !raw.is_empty() {
                let reply = parse_reply(&raw, false);
                assert!(matches!(reply.status, 200 | 400), "{}", String::from_utf8_lossy(garbage));
            }
        }
        // A client that hangs up mid-request.
        let mut half = TcpStream::connect(addr).await.unwrap();
        half.write_all(b"GET /metr").await.unwrap();
        drop(half);
        assert_eq!(get(addr, "/metrics", &[]).await.status, 200);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn idle_and_slow_connections_are_closed_after_the_header_timeout() {
    bounded(async {
        let timeout = Duration::from_millis(300);
        let server = start(fast().header_read_timeout(timeout)).await;
        let addr = server.local_addr();

        // Silent from the start.
        let started = Instant::now();
        let mut idle = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 64];
        let read = tokio::time::timeout(Duration::from_secs(5), idle.read(&mut buf)).await;
        let closed_after = started.elapsed();
        assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
        assert!(
            closed_after >= timeout && closed_after < Duration::from_secs(3),
            "{closed_after:?}"
        );

        // Kept alive after a response, then silent.
        let mut kept = TcpStream::connect(addr).await.unwrap();
        kept.write_all(format!("GET /health HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut response = Vec::new();
        while !response.ends_with(b"OK\n") {
            let n = kept.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed before the response");
            response.extend_from_slice(&buf[..n]);
        }
        let answered = Instant::now();
        let read = tokio::time::timeout(Duration::from_secs(5), kept.read(&mut buf)).await;
        assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
        assert!(
            answered.elapsed() >= timeout - Duration::from_millis(50),
            "{:?}",
            answered.elapsed()
        );

        // Sending headers a byte at a time, too slowly.
        let mut slow = TcpStream::connect(addr).await.unwrap();
        let started = Instant::now();
        let mut closed = false;
        for byte in b"GET /metrics HTTP/1.1\r\nHost: slow\r\n" {
            if slow.write_all(&[*byte]).await.is_err() {
                closed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            if started.elapsed() > Duration::from_secs(1) {
                break;
            }
        }
        if !closed {
            let read = tokio::time::timeout(Duration::from_secs(5), slow.read(&mut buf)).await;
            assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
        }
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn scrapes_past_the_concurrency_limit_get_503_with_retry_after() {
    bounded(async {
        let builder = MetricsServer::builder()
            .registry(slow_registry(Duration::from_millis(2000)))
            .max_concurrent_scrapes(2);
        let server = start(builder).await;
        let addr = server.local_addr();
        let holding: Vec<_> =
            (0..2).map(|_| tokio::spawn(async move { get(addr, "/metrics", &[]).await })).collect();
        // Ample time for both to take their slots, even on a loaded CI machine.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let refused = get(addr, "/metrics", &[]).await;
        assert_eq!(refused.status, 503);
        assert_eq!(refused.header("retry-after"), Some("1"));
        // The health path needs no slot.
        assert_eq!(get(addr, "/health", &[]).await.status, 200);
        for scrape in holding {
            assert_eq!(scrape.await.unwrap().status, 200);
        }
        // Slots come back.
        assert_eq!(get(addr, "/metrics", &[]).await.status, 200);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_collection_over_the_scrape_timeout_gets_503() {
    bounded(async {
        let builder = MetricsServer::builder()
            .registry(slow_registry(Duration::from_millis(2000)))
            .scrape_timeout(Duration::from_secs(5));
        let server = start(builder).await;
        let addr = server.local_addr();
        let started = Instant::now();
        // Prometheus' own, shorter, timeout wins.
        let reply = get(addr, "/metrics", &[("X-Prometheus-Scrape-Timeout-Seconds", "0.1")]).await;
        assert_eq!(reply.status, 503, "{}", reply.text());
        assert!(reply.text().contains("scrape_timeout"));
        // Answered on the timeout, long before the collection ends.
        assert!(started.elapsed() < Duration::from_millis(1500), "{:?}", started.elapsed());
        assert_eq!(get(addr, "/metrics", &[]).await.status, 200);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn graceful_shutdown_finishes_scrapes_in_progress_then_stops_listening() {
    bounded(async {
        let builder = MetricsServer::builder().registry(slow_registry(Duration::from_millis(1000)));
        let server = start(builder).await;
        let addr = server.local_addr();
        let in_progress = tokio::spawn(async move { get(addr, "/metrics", &[]).await });
        // Long enough for the request to be in, short of the collection's end.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let started = Instant::now();
        server.shutdown().await;
        assert!(started.elapsed() < Duration::from_secs(3));
        let reply = in_progress.await.unwrap();
        assert_eq!(reply.status, 200);
        assert!(reply.text().contains("slow_collection_value 7"));
        assert!(TcpStream::connect(addr).await.is_err(), "still listening after shutdown");
    })
    .await;
}

#[tokio::test]
async fn graceful_shutdown_on_a_user_future_and_an_idle_connection() {
    bounded(async {
        let server = fast().bind("127.0.0.1:0").await.unwrap();
        let addr = server.local_addr();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.with_graceful_shutdown(async {
            let _ = rx.await;
        }));
        // A kept-alive connection idle at shutdown does not hold it up.
        let mut idle = TcpStream::connect(addr).await.unwrap();
        idle.write_all(format!("GET /health HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut buf = [0u8; 256];
        let _ = idle.read(&mut buf).await.unwrap();
        let started = Instant::now();
        tx.send(()).unwrap();
        serving.await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    })
    .await;
}

#[tokio::test]
async fn binds_ipv6_loopback_when_the_host_has_it() {
    bounded(async {
        let Ok(server) = fast().bind("[::1]:0").await else {
            eprintln!("no IPv6 loopback on this host; skipped");
            return;
        };
        let addr = server.local_addr();
        assert!(addr.is_ipv6());
        let server = server.spawn();
        assert_eq!(get(addr, "/metrics", &[]).await.status, 200);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn keep_alive_serves_several_scrapes_on_one_connection() {
    bounded(async {
        let server = start(fast()).await;
        let addr = server.local_addr();
        let mut stream = TcpStream::connect(addr).await.unwrap();
        for i in 0..3 {
            let close = if i == 2 { "Connection: close\r\n" } else { "" };
            stream
                .write_all(
                    format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\n{close}\r\n").as_bytes(),
                )
                .await
                .unwrap();
            // Read one response by its Content-Length.
            let mut raw = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = stream.read(&mut buf).await.unwrap();
                assert!(n > 0);
                raw.extend_from_slice(&buf[..n]);
                if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                    let reply = parse_reply(&raw, true);
                    let length: usize = reply.header("content-length").unwrap().parse().unwrap();
                    if raw.len() >= split + 4 + length {
                        assert_eq!(reply.status, 200);
                        break;
                    }
                }
            }
        }
        server.shutdown().await;
    })
    .await;
}

/// The number after `name ` on its own line, in a text exposition.
fn sample(text: &str, name: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .unwrap_or_else(|| panic!("no sample {name} in:\n{text}"));
    line[name.len()..].trim().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn process_and_runtime_metrics_are_present_and_plausible() {
    bounded(async {
        let registry = slow_registry(Duration::ZERO);
        registry.expose_build_info(metrics_runtime::build_info!()).unwrap();
        let builder =
            MetricsServer::builder().registry(registry).process_metrics(true).tokio_metrics(true);
        let server = start(builder).await;
        let addr = server.local_addr();
        let text = get(addr, "/metrics", &[]).await.text();

        assert!(text.contains(&format!(
            "build_info{{name=\"metrics-runtime\",version=\"{}\"}} 1\n",
            env!("CARGO_PKG_VERSION")
        )));
        assert_eq!(sample(&text, "tokio_workers"), 2.0);
        assert!(sample(&text, "tokio_alive_tasks") >= 1.0);
        assert!(sample(&text, "tokio_global_queue_depth") >= 0.0);
        assert!(text.contains("tokio_worker_busy_seconds_total{worker=\"1\"}"));

        if cfg!(target_os = "linux") {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs_f64();
            let start = sample(&text, "process_start_time_seconds");
            assert!(start <= now + 1.0 && start > now - 3600.0, "start {start}, now {now}");
            let rss = sample(&text, "process_resident_memory_bytes");
            assert!(rss > 1e6 && rss < 64e9, "rss {rss}");
            assert!(sample(&text, "process_virtual_memory_bytes") >= rss);
            let cpu = sample(&text, "process_cpu_seconds_total");
            assert!((0.0..3600.0).contains(&cpu), "cpu {cpu}");
            let open = sample(&text, "process_open_fds");
            assert!(open >= 3.0 && open <= sample(&text, "process_max_fds"), "open {open}");
            assert!(sample(&text, "process_threads") >= 3.0);

            // The OpenMetrics exposition carries the units.
            let om = get(addr, "/metrics", &[("Accept", PROMETHEUS_ACCEPT)]).await.text();
            assert!(om.contains("# UNIT process_cpu_seconds seconds\n"));
            assert!(om.contains("process_cpu_seconds_total "));
        }
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn process_names_taken_by_the_application_are_a_startup_error() {
    static TAKEN: FamilyDescriptor = FamilyDescriptor {
        name: "process_threads",
        field_name: "threads",
        location: SourceLocation {
            file: file!(),
            line: line!(),
            column: 1,
            module: module_path!(),
        },
        ..SLOW
    };
    struct Taken;
    impl CollectFamily for Taken {
        fn collect(&self, sink: &mut dyn SeriesSink) {
            sink.gauge(&LabelValues::EMPTY, Value::Int(1));
        }
    }
    impl Metrics for Taken {
        fn new_unregistered() -> Self {
            Taken
        }
        fn for_each_family(
            &self,
            visit: &mut dyn FnMut(&'static FamilyDescriptor, &dyn CollectFamily),
        ) {
            visit(&TAKEN, self);
        }
    }
    let registry = Arc::new(Registry::new());
    registry.register(Taken).unwrap();
    let error = MetricsServer::builder()
        .registry(registry)
        .process_metrics(true)
        .bind("127.0.0.1:0")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("`process_threads` is already registered"), "{error}");
}
