//! A Pushgateway client for batch jobs: push a registry's exposition when the job
//! ends, so that Prometheus scrapes it from the Pushgateway (feature `push`).
//!
//! | call | HTTP | effect on the group |
//! |---|---|---|
//! | [`push`](Pushgateway::push) | `PUT` | every family replaced by the exposition's |
//! | [`push_add`](Pushgateway::push_add) | `POST` | the exposition's families replaced, others kept |
//! | [`delete`](Pushgateway::delete) | `DELETE` | the group removed |
//!
//! A group is the job and the [grouping labels](PushgatewayBuilder::grouping), sent in
//! the path as the [Pushgateway's URL
//! scheme](https://github.com/prometheus/pushgateway/blob/master/README.md#url) says:
//! `/metrics/job/<job>{/<label>/<value>}`, values percent-encoded, and in the
//! `<label>@base64/<value>` form when they hold a `/` or are empty. The body is the
//! Prometheus text exposition (0.0.4).
//!
//! ```
//! use metrics_runtime::{Counter, Metrics, Registry, push::Pushgateway};
//!
//! #[derive(Metrics)]
//! #[metrics(namespace = "backup")]
//! struct BackupMetrics {
//!     /// Files copied.
//!     files: Counter,
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let gateway = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! # let url = format!("http://{}", gateway.local_addr()?);
//! # let answered = tokio::spawn(async move {
//! #     use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};
//! #     let (stream, _) = gateway.accept().await.unwrap();
//! #     let mut stream = tokio::io::BufReader::new(stream);
//! #     let (mut head, mut line, mut length) = (Vec::new(), String::new(), 0);
//! #     while stream.read_line(&mut line).await.unwrap() > 2 {
//! #         if let Some(n) = line.to_ascii_lowercase().strip_prefix("content-length:") { length = n.trim().parse().unwrap(); }
//! #         head.push(std::mem::take(&mut line));
//! #     }
//! #     let mut body = vec![0; length];
//! #     stream.read_exact(&mut body).await.unwrap();
//! #     stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await.unwrap();
//! #     (head.remove(0), String::from_utf8(body).unwrap())
//! # });
//! let registry = Registry::new();
//! let metrics = BackupMetrics::register(&registry)?;
//! metrics.files.inc_by(42);
//!
//! // `url` is the Pushgateway's, such as `http://pushgateway:9091`.
//! let gateway = Pushgateway::builder(&url, "nightly_backup").grouping("instance", "db-1").build()?;
//! gateway.push(&registry).await?;
//! # let (request_line, body) = answered.await?;
//! # assert_eq!(request_line, "PUT /metrics/job/nightly_backup/instance/db-1 HTTP/1.1\r\n");
//! # assert!(body.contains("backup_files_total 42"), "{body}");
//! # Ok(())
//! # }
//! ```
//!
//! Every call is async and bounded by the builder's
//! [`timeout`](PushgatewayBuilder::timeout): a slow or absent Pushgateway never
//! blocks a runtime thread, and every failure is a [`PushError`] that says what to
//! check (a refusal carries the Pushgateway's status and message). Plain HTTP only:
//! no TLS.

mod error;
mod exchange;
mod gateway;
mod grouping;

pub use error::PushError;
pub use gateway::{DEFAULT_PUSH_TIMEOUT, Pushgateway, PushgatewayBuilder};
