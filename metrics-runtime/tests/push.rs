//! The Pushgateway client against a small HTTP server on 127.0.0.1 written here on
//! a tokio `TcpListener` (so it shares no code with the client), which records each
//! request's line, headers and body and answers as told. Every test binds port 0 and
//! is bounded in time.
#![cfg(feature = "push")]

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use metrics_runtime::push::{PushError, Pushgateway};
use metrics_runtime::{Counter, Gauge, Metrics, Registry};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const TEST_LIMIT: Duration = Duration::from_secs(20);

#[derive(Metrics)]
#[metrics(namespace = "backup")]
struct BackupMetrics {
    /// Files copied.
    files: Counter,
    /// When the last run finished.
    last_success_timestamp_seconds: Gauge,
}

fn registry() -> Registry {
    let registry = Registry::new();
    let metrics = BackupMetrics::register(&registry).unwrap();
    metrics.files.inc_by(42);
    metrics.last_success_timestamp_seconds.set(1_700_000_000);
    registry
}

/// A request as the test gateway read it.
#[derive(Debug)]
struct Recorded {
    line: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// How the test gateway answers one connection.
#[derive(Debug, Clone, Copy)]
enum Answer {
    /// Reads the request, answers this status and body, closes.
    Reply(u16, &'static str),
    /// Reads the request and then holds the connection without answering.
    Silence,
    /// Reads the request and closes the connection without answering.
    Hang,
}

/// Serves one connection per answer, in order, and returns what it recorded.
async fn gateway(answers: Vec<Answer>) -> (String, JoinHandle<Vec<Recorded>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut recorded = Vec::new();
        let mut held = Vec::new();
        for answer in answers {
            let (stream, _) = listener.accept().await.unwrap();
            let mut stream = BufReader::new(stream);
            recorded.push(read_request(&mut stream).await);
            match answer {
                Answer::Reply(status, body) => {
                    let reply = format!(
                        "HTTP/1.1 {status} Test\r\ncontent-type: text/plain\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    stream.write_all(reply.as_bytes()).await.unwrap();
                    stream.shutdown().await.unwrap();
                }
                Answer::Silence => held.push(stream),
                Answer::Hang => drop(stream),
            }
        }
        if !held.is_empty() {
            // Held open until the runtime ends the test.
            std::future::pending::<()>().await;
        }
        recorded
    });
    (url, task)
}

async fn read_request(stream: &mut BufReader<tokio::net::TcpStream>) -> Recorded {
    let mut line = String::new();
    stream.read_line(&mut line).await.unwrap();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        stream.read_line(&mut header).await.unwrap();
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap();
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.unwrap();
    Recorded { line: line.trim_end().to_owned(), headers, body: String::from_utf8(body).unwrap() }
}

/// Runs `test` on a fresh multi-threaded runtime, failing past [`TEST_LIMIT`].
fn bounded(test: impl Future<Output = ()>) {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        tokio::time::timeout(TEST_LIMIT, test).await.expect("the test took too long");
    });
}

#[test]
fn push_push_add_and_delete_send_their_method_path_and_body() {
    bounded(async {
        let ok = Answer::Reply(200, "");
        let (url, recorded) = gateway(vec![ok, ok, Answer::Reply(202, "")]).await;
        let gateway = Pushgateway::builder(&url, "nightly_backup")
            .grouping("instance", "db-1")
            .build()
            .unwrap();
        let registry = registry();
        gateway.push(&registry).await.unwrap();
        gateway.push_add(&registry).await.unwrap();
        gateway.delete().await.unwrap();

        let recorded = recorded.await.unwrap();
        let path = "/metrics/job/nightly_backup/instance/db-1";
        let lines: Vec<&str> = recorded.iter().map(|r| r.line.as_str()).collect();
        assert_eq!(
            lines,
            [
                format!("PUT {path} HTTP/1.1"),
                format!("POST {path} HTTP/1.1"),
                format!("DELETE {path} HTTP/1.1")
            ]
        );
        let host = url.strip_prefix("http://").unwrap();
        for (request, has_body) in recorded.iter().zip([true, true, false]) {
            assert_eq!(request.header("host"), Some(host), "{request:?}");
            assert!(request.header("user-agent").unwrap().starts_with("metrics-runtime/"));
            assert_eq!(request.header("authorization"), None, "{request:?}");
            if has_body {
                let content_type = request.header("content-type");
                assert_eq!(content_type, Some("text/plain; version=0.0.4; charset=utf-8"));
                assert_eq!(request.body, registry.encode_to_string(metrics_runtime::Format::Text));
                assert!(request.body.contains("# TYPE backup_files_total counter\n"));
                assert!(request.body.contains("\nbackup_files_total 42\n"), "{}", request.body);
            } else {
                assert_eq!(request.body, "", "{request:?}");
                assert_eq!(request.header("content-type"), None, "{request:?}");
            }
        }
    });
}

#[test]
fn grouping_labels_are_encoded_as_the_pushgateway_reads_them() {
    bounded(async {
        let (url, recorded) = gateway(vec![Answer::Reply(200, "")]).await;
        let gateway = Pushgateway::builder(&format!("{url}/gateway/"), "jobs/cleanup")
            .grouping("path", "/var/tmp")
            .grouping("empty", "")
            .grouping("host", "db 1:5432")
            .grouping("team", "ops-é")
            .build()
            .unwrap();
        gateway.push(&registry()).await.unwrap();
        let recorded = recorded.await.unwrap();
        let expected = "/gateway/metrics/job@base64/am9icy9jbGVhbnVw/path@base64/L3Zhci90bXA\
                        /empty@base64/=/host/db%201%3A5432/team/ops-%C3%A9";
        assert_eq!(recorded[0].line, format!("PUT {expected} HTTP/1.1"));
        assert_eq!(gateway.url(), format!("{url}{expected}"));
    });
}

#[test]
fn basic_auth_is_sent_and_never_shown() {
    bounded(async {
        let (url, recorded) = gateway(vec![Answer::Reply(200, "")]).await;
        let gateway =
            Pushgateway::builder(&url, "job").basic_auth("Aladdin", "open sesame").build().unwrap();
        gateway.delete().await.unwrap();
        let recorded = recorded.await.unwrap();
        let authorization = recorded[0].header("authorization");
        assert_eq!(authorization, Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
        assert!(!format!("{gateway:?}").contains("sesame"));
    });
}

#[test]
fn a_4xx_or_5xx_answer_is_an_error_with_the_status_and_the_message() {
    bounded(async {
        let refusal = "pushed metrics are invalid or inconsistent with existing metrics: \
                       collected metric backup_files_total has help \"Files.\" but should have \"Files copied.\"";
        let answers = vec![Answer::Reply(400, refusal), Answer::Reply(503, "overloaded")];
        let (url, recorded) = gateway(answers).await;
        let gateway = Pushgateway::builder(&url, "backup").build().unwrap();

        let error = gateway.push(&registry()).await.unwrap_err();
        let PushError::Rejected { method, status, body, .. } = &error else { panic!("{error:?}") };
        assert_eq!((*method, *status, body.as_str()), ("PUT", 400, refusal));
        let message = error.to_string();
        assert!(message.starts_with(&format!("PUT {url}/metrics/job/backup")), "{message}");
        assert!(message.contains("answered 400") && message.contains("should have"), "{message}");

        let error = gateway.push_add(&registry()).await.unwrap_err();
        assert!(matches!(error, PushError::Rejected { status: 503, .. }), "{error:?}");
        assert!(error.to_string().contains("retry later"), "{error}");
        assert_eq!(recorded.await.unwrap().len(), 2);
    });
}

#[test]
fn a_silent_gateway_times_out_without_blocking_the_runtime() {
    // One worker thread: if the push blocked it, the ticker would not tick.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (url, _recorded) = gateway(vec![Answer::Silence]).await;
        let timeout = Duration::from_millis(300);
        let gateway = Pushgateway::builder(&url, "backup").timeout(timeout).build().unwrap();
        let ticks = Arc::new(AtomicU32::new(0));
        let ticker = tokio::spawn({
            let ticks = ticks.clone();
            async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    ticks.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        let started = Instant::now();
        let error = gateway.push(&registry()).await.unwrap_err();
        let took = started.elapsed();
        ticker.abort();
        assert!(matches!(error, PushError::Timeout { .. }), "{error:?}");
        assert!(error.to_string().contains("within 300ms"), "{error}");
        assert!(took >= timeout && took < Duration::from_secs(5), "{took:?}");
        assert!(ticks.load(Ordering::Relaxed) >= 10, "{} ticks", ticks.load(Ordering::Relaxed));
    });
}

#[test]
fn no_gateway_and_a_closed_connection_are_errors_that_say_what_to_check() {
    bounded(async {
        // A port just freed: nothing listens on it.
        let free = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
        let absent = Pushgateway::builder(&free.to_string(), "backup").build().unwrap();
        let error = absent.delete().await.unwrap_err();
        assert!(matches!(error, PushError::Connect { .. }), "{error:?}");
        assert!(error.to_string().contains("9091"), "{error}");

        let (url, _recorded) = gateway(vec![Answer::Hang]).await;
        let error =
            Pushgateway::builder(&url, "backup").build().unwrap().delete().await.unwrap_err();
        assert!(matches!(error, PushError::Http { .. }), "{error:?}");
        assert!(error.to_string().contains("plain HTTP"), "{error}");
    });
}

#[test]
fn outside_a_tokio_runtime_it_is_an_error_not_a_panic() {
    let gateway = Pushgateway::builder("127.0.0.1:9", "backup").build().unwrap();
    let registry = registry();
    let mut push = pin!(gateway.push(&registry));
    let polled = push.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    let Poll::Ready(Err(error)) = polled else { panic!("{polled:?}") };
    assert!(matches!(error, PushError::NoRuntime), "{error:?}");
    assert!(error.to_string().contains("#[tokio::main]"), "{error}");
}
