//! One HTTP/1 request to the Pushgateway: a tokio TCP connection driven by hyper's
//! client connection, nothing pooled, nothing spawned. Dropping the future closes
//! the connection, so a timeout leaves nothing behind.

use core::future::{Future, poll_fn};
use core::pin::pin;
use core::task::Poll;
use std::io;

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// How much of an answer's body is kept: enough for the Pushgateway's messages.
pub(crate) const MAX_ANSWER_BODY: usize = 1024;

/// What came back.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    /// The start of the body, at most [`MAX_ANSWER_BODY`] bytes.
    pub(crate) body: Vec<u8>,
}

/// Why no answer came back.
#[derive(Debug)]
pub(crate) enum Failure {
    Connect(io::Error),
    Http(hyper::Error),
}

/// Connects to `host:port` (resolving a name on tokio's blocking pool, not on the
/// caller's worker), sends `request` and reads the answer.
pub(crate) async fn exchange(
    host: &str,
    port: u16,
    request: Request<Full<Bytes>>,
) -> Result<Answer, Failure> {
    let stream = TcpStream::connect((host, port)).await.map_err(Failure::Connect)?;
    // The request is written whole; nothing to gain from Nagle's delay.
    let _ = stream.set_nodelay(true);
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(Failure::Http)?;
    let answer = async move {
        let response = sender.send_request(request).await?;
        let status = response.status();
        let body = body_start(response.into_body()).await?;
        Ok(Answer { status, body })
    };
    alongside(connection, answer).await.map_err(Failure::Http)
}

/// Polls `work` until it is done while driving `connection` (which moves the bytes
/// of `work`'s request and response), in this task.
async fn alongside<T>(
    connection: impl Future<Output = Result<(), hyper::Error>>,
    work: impl Future<Output = Result<T, hyper::Error>>,
) -> Result<T, hyper::Error> {
    let mut connection = pin!(connection);
    let mut work = pin!(work);
    let mut open = true;
    poll_fn(|cx| {
        if open && let Poll::Ready(ended) = connection.as_mut().poll(cx) {
            open = false;
            // Ended cleanly (the server closed after its answer): `work` still
            // holds what was read. Ended in error: the error says more than the
            // "connection closed" that `work` would report.
            if let Err(error) = ended {
                return Poll::Ready(Err(error));
            }
        }
        work.as_mut().poll(cx)
    })
    .await
}

/// Reads `body` up to [`MAX_ANSWER_BODY`] bytes; the rest is left unread.
async fn body_start(mut body: Incoming) -> Result<Vec<u8>, hyper::Error> {
    let mut start = Vec::new();
    while start.len() < MAX_ANSWER_BODY {
        let Some(frame) = body.frame().await else { break };
        if let Ok(data) = frame?.into_data() {
            let room = MAX_ANSWER_BODY - start.len();
            start.extend_from_slice(&data[..data.len().min(room)]);
        }
    }
    Ok(start)
}
