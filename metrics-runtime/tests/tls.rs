//! HTTPS (feature `tls`) over real sockets on 127.0.0.1, with a certificate
//! generated for the test: a scrape over TLS gets the exposition, plain HTTP and a
//! stalled handshake get nothing and harm nothing, a bad key is a bind error.
#![cfg(feature = "tls")]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use metrics_runtime::serve::{MetricsServer, rustls};
use support::collectors::slow_registry;
use support::http::{parse_reply, raw_exchange};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

const TEST_LIMIT: Duration = Duration::from_secs(30);

/// A client trusting only `cert`.
fn connector(cert: &rcgen::CertifiedKey) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    TlsConnector::from(Arc::new(config))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrapes_over_tls_and_refuses_everything_else() {
    tokio::time::timeout(TEST_LIMIT, async {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let server = MetricsServer::builder()
            .registry(slow_registry(Duration::ZERO))
            .tls_pem(cert.cert.pem().as_bytes(), cert.key_pair.serialize_pem().as_bytes())
            .header_read_timeout(Duration::from_millis(500))
            .bind("127.0.0.1:0")
            .await
            .unwrap()
            .spawn();
        let addr = server.local_addr();

        for _ in 0..3 {
            let tcp = TcpStream::connect(addr).await.unwrap();
            let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
            let mut tls = connector(&cert).connect(name, tcp).await.unwrap();
            assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
            tls.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .await
                .unwrap();
            let mut raw = Vec::new();
            let _ = tls.read_to_end(&mut raw).await;
            let reply = parse_reply(&raw, false);
            assert_eq!(reply.status, 200);
            assert!(reply.text().contains("slow_collection_value 7\n"), "{}", reply.text());
        }

        // Plain HTTP to the TLS port: no answer in HTTP.
        let raw = raw_exchange(addr, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert!(!raw.starts_with(b"HTTP/1.1 200"), "{:?}", String::from_utf8_lossy(&raw));
        let raw = raw_exchange(addr, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert!(!raw.starts_with(b"HTTP/1.1 200"), "{:?}", String::from_utf8_lossy(&raw));

        // A handshake that never comes is cut off with the header timeout.
        let started = Instant::now();
        let mut stalled = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 16];
        let read = tokio::time::timeout(Duration::from_secs(10), stalled.read(&mut buf)).await;
        assert!(matches!(read, Ok(Ok(0) | Err(_))), "{read:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());

        // A client that does not trust the certificate gets no exposition.
        let stranger = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let tcp = TcpStream::connect(addr).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        assert!(connector(&stranger).connect(name, tcp).await.is_err());
        server.shutdown().await;
    })
    .await
    .expect("test took longer than its time limit");
}

#[tokio::test]
async fn an_unusable_key_is_a_bind_error_that_says_why() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let error = MetricsServer::builder()
        .tls_pem(
            cert.cert.pem().as_bytes(),
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .bind("127.0.0.1:0")
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("`tls_pem`"), "{error}");
    let shown = format!(
        "{:?}",
        MetricsServer::builder()
            .tls_pem(cert.cert.pem().as_bytes(), cert.key_pair.serialize_pem().as_bytes())
    );
    assert!(!shown.contains("PRIVATE") && shown.contains("tls: true"), "{shown}");
}
