//! Scrapes over HTTP on loopback: our `/metrics` server on a tokio runtime of its
//! own thread, and a plain keep-alive HTTP/1.1 client on the calling thread that
//! counts the bytes on the wire (status line, headers and body).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use metrics_runtime::Registry;
use metrics_runtime::serve::MetricsServer;

/// Our server serving one registry on `127.0.0.1`, port chosen by the system;
/// stopped when dropped.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts serving `registry`; no scrape is cut short by the server's time limit.
    pub fn start(registry: Arc<Registry>) -> Self {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (bound, addr) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime for the bench server");
            runtime.block_on(async move {
                let server = MetricsServer::builder()
                    .registry(registry)
                    .scrape_timeout(Duration::from_secs(120))
                    .bind("127.0.0.1:0")
                    .await
                    .expect("bind the bench server on loopback");
                bound.send(server.local_addr()).expect("the bench waits for the address");
                server
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        let addr = addr.recv().expect("the bench server started");
        Self { addr, stop: Some(stop), thread: Some(thread) }
    }

    /// A client connected to this server.
    pub fn client(&self) -> Client {
        let stream = TcpStream::connect(self.addr).expect("connect to the bench server");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        Client { reader: BufReader::with_capacity(1 << 16, stream), body: Vec::new() }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One keep-alive connection to the server.
#[derive(Debug)]
pub struct Client {
    reader: BufReader<TcpStream>,
    body: Vec<u8>,
}

impl Client {
    /// Scrapes `/metrics` once (Prometheus text; gzip when `gzip`) and returns the
    /// bytes received: status line, headers and body.
    pub fn scrape(&mut self, gzip: bool) -> usize {
        let request = if gzip {
            "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n"
        } else {
            "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        };
        self.reader.get_mut().write_all(request.as_bytes()).expect("send the request");
        let mut head = 0;
        let mut length = None;
        let mut gzipped = false;
        let mut line = String::new();
        loop {
            line.clear();
            let read = self.reader.read_line(&mut line).expect("read the response head");
            assert!(read > 0, "the server closed the connection mid-response");
            if head == 0 {
                assert!(line.starts_with("HTTP/1.1 200"), "scrape answered {line:?}");
            }
            head += read;
            if line == "\r\n" {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(value) = lower.strip_prefix("content-length:") {
                length = value.trim().parse::<usize>().ok();
            }
            gzipped |= lower.starts_with("content-encoding: gzip");
        }
        assert_eq!(gzipped, gzip, "the server did not answer in the coding asked for");
        let length = length.expect("the response has a Content-Length");
        self.body.resize(length, 0);
        self.reader.read_exact(&mut self.body).expect("read the body");
        head + length
    }
}

/// CPU time of the whole process so far: the server's threads, the client and the
/// kernel's work for both (the loopback copy), but not the moments they wait for
/// a core.
pub fn process_cpu_time() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid timespec to write into; the clock id is a constant.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}
