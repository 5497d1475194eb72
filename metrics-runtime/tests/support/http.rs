//! A minimal HTTP/1.1 client written on a tokio `TcpStream`, sharing no code with
//! the server under test: one request per connection, or several on a kept-alive
//! one.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A reply as read off the wire.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }
}

/// Parses one response from `raw`, taking the body by `Content-Length` (or all the
/// rest when there is none; every response of the server has one).
pub fn parse_reply(raw: &[u8], head_request: bool) -> Reply {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
    let head = std::str::from_utf8(&raw[..split]).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    let rest = &raw[split + 4..];
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse::<usize>().unwrap());
    let body = match (head_request, length) {
        (true, _) => Vec::new(),
        (false, Some(length)) => rest[..length].to_vec(),
        (false, None) => rest.to_vec(),
    };
    Reply { status, headers, body }
}

/// Sends `request` as is on a new connection and reads until the server closes it.
pub async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("send");
    let mut raw = Vec::new();
    // A reset after the server's answer (it closes with bytes unread) still leaves
    // the answer read.
    let _ = stream.read_to_end(&mut raw).await;
    raw
}

/// One request with `Connection: close`.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    let raw = raw_exchange(addr, text.as_bytes()).await;
    parse_reply(&raw, method == "HEAD")
}

pub async fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Reply {
    request(addr, "GET", path, headers).await
}

/// A kept-alive connection: `GET`s one after another, each reply read by its
/// `Content-Length`.
pub struct KeptAlive {
    stream: TcpStream,
    addr: SocketAddr,
}

impl KeptAlive {
    pub async fn connect(addr: SocketAddr) -> Self {
        Self { stream: TcpStream::connect(addr).await.expect("connect"), addr }
    }

    pub async fn get(&mut self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut text = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        self.stream.write_all(text.as_bytes()).await.expect("send");
        let mut raw = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = self.stream.read(&mut buf).await.expect("read");
            assert!(n > 0, "connection closed before a whole reply");
            raw.extend_from_slice(&buf[..n]);
            if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let reply = parse_reply(&raw[..split + 4], true);
                let length: usize =
                    reply.header("content-length").expect("Content-Length").parse().unwrap();
                if raw.len() >= split + 4 + length {
                    return parse_reply(&raw, false);
                }
            }
        }
    }
}
