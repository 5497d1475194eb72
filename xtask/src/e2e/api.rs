//! Prometheus' HTTP API, and the bare HTTP/1.0 client that reaches it and the
//! examples' endpoints.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::json::Json;

/// One sample of an instant query's result.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sample {
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) value: f64,
}

/// Prometheus' HTTP API on loopback.
pub(crate) struct Api {
    pub(crate) addr: SocketAddr,
}

impl Api {
    /// An instant query, now or at `time` (Unix seconds): its samples (one without
    /// labels for a scalar), or the error Prometheus gave.
    pub(crate) fn query(&self, expr: &str, time: Option<f64>) -> Result<Vec<Sample>, String> {
        let mut path = format!("/api/v1/query?query={}", percent_encode(expr));
        if let Some(time) = time {
            let _ = write!(path, "&time={time:.3}");
        }
        let (status, body) = http_get(self.addr, &path, &[])?;
        let body = String::from_utf8_lossy(&body);
        let json = Json::parse(&body).map_err(|e| format!("query {expr}: {e} in {body}"))?;
        if status != 200 || json.get("status").and_then(Json::as_str) != Some("success") {
            let error = json.get("error").and_then(Json::as_str).unwrap_or(&body);
            return Err(format!("{expr}: {error}"));
        }
        let data = json.get("data").ok_or_else(|| format!("no data in {body}"))?;
        let sample = |labels, value: &Json| {
            let value = value.as_array().get(1);
            // A native histogram (`"histogram": [t, {"count": .., ..}]`) stands for its count.
            let value = value.and_then(|v| v.get("count")).or(value);
            let value = value.and_then(Json::as_str).unwrap_or("NaN");
            let value = parse_value(value).ok_or_else(|| format!("value {value:?} of {expr}"))?;
            Ok(Sample { labels, value })
        };
        match data.get("resultType").and_then(Json::as_str) {
            Some("vector") => data
                .get("result")
                .map(Json::as_array)
                .unwrap_or_default()
                .iter()
                .map(|series| {
                    let labels = series.get("metric").map(Json::string_members).unwrap_or_default();
                    let value = series.get("value").or_else(|| series.get("histogram"));
                    sample(labels, value.unwrap_or(&Json::Null))
                })
                .collect(),
            Some("scalar") => {
                Ok(vec![sample(BTreeMap::new(), data.get("result").unwrap_or(&Json::Null))?])
            }
            other => Err(format!("{expr}: unexpected result type {other:?}")),
        }
    }

    /// The first value of an instant query now, `None` when the result is empty.
    pub(crate) fn value(&self, expr: &str) -> Result<Option<f64>, String> {
        Ok(self.query(expr, None)?.first().map(|s| s.value))
    }
}

/// A sample value as Prometheus writes it: a float, `NaN`, `+Inf` or `-Inf`.
pub(crate) fn parse_value(text: &str) -> Option<f64> {
    match text {
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => text.parse().ok(),
    }
}

pub(crate) fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A GET over HTTP/1.0 (no chunked replies), on loopback, with a time limit.
pub(crate) fn http_get(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(u16, Vec<u8>), String> {
    let limit = Duration::from_secs(10);
    let mut stream =
        TcpStream::connect_timeout(&addr, limit).map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_read_timeout(Some(limit)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(limit)).map_err(|e| e.to_string())?;
    let mut request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        let _ = write!(request, "{name}: {value}\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| format!("send to {addr}: {e}"))?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| format!("read from {addr}: {e}"))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no response head from {addr}"))?;
    let status = std::str::from_utf8(&raw[..split])
        .ok()
        .and_then(|head| head.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("bad status line from {addr}"))?;
    Ok((status, raw[split + 4..].to_vec()))
}

/// `Basic <base64(user:password)>`, for an `Authorization` header.
pub(crate) fn basic_authorization(credentials: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::from("Basic ");
    for chunk in credentials.as_bytes().chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(percent_encode("up{job=\"a b\"}"), "up%7Bjob%3D%22a%20b%22%7D");
    }

    #[test]
    fn basic_credentials_are_base64() {
        assert_eq!(
            basic_authorization("Aladdin:open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic_authorization("a:b"), "Basic YTpi");
        assert_eq!(basic_authorization("ab:c"), "Basic YWI6Yw==");
    }

    #[test]
    fn special_values() {
        assert_eq!(parse_value("+Inf"), Some(f64::INFINITY));
        assert!(parse_value("NaN").is_some_and(f64::is_nan));
        assert_eq!(parse_value("3.5"), Some(3.5));
        assert_eq!(parse_value("x"), None);
    }
}
