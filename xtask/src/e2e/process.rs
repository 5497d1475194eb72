//! The processes the run starts, stopped by their PID; its temporary directory;
//! waiting with a deadline.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::io;

/// A child process, killed by its PID and reaped when dropped. Its standard output,
/// when piped, is read line by line on a thread of its own.
pub(crate) struct Started {
    pub(crate) name: String,
    child: Child,
    lines: Option<mpsc::Receiver<String>>,
}

impl Started {
    pub(crate) fn spawn(name: &str, command: &mut Command) -> Result<Self, String> {
        let mut child = command.spawn().map_err(|e| format!("could not start {name}: {e}"))?;
        let lines = child.stdout.take().map(|stdout| {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
            rx
        });
        Ok(Self { name: name.to_owned(), child, lines })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    pub(crate) fn check_alive(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!("{} exited early ({status})", self.name)),
            Err(e) => Err(format!("{}: {e}", self.name)),
        }
    }

    /// The next line of standard output starting with `prefix`, the lines before it
    /// skipped, waiting until `deadline`.
    pub(crate) fn line_starting(
        &mut self,
        prefix: &str,
        deadline: Instant,
    ) -> Result<String, String> {
        let lines =
            self.lines.as_ref().ok_or_else(|| format!("{}: stdout not piped", self.name))?;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return Ok(line),
                Ok(_) => {}
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!("{} printed no `{prefix}` line in time", self.name));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(format!(
                        "{} closed its output before a `{prefix}` line",
                        self.name
                    ));
                }
            }
        }
    }

    /// Reads `serving http://ADDR/PATH ...`: the address and the exposition's path.
    pub(crate) fn served_endpoint(
        &mut self,
        deadline: Instant,
    ) -> Result<(SocketAddr, String), String> {
        let line = self.line_starting("serving http://", deadline)?;
        parse_served(&line).ok_or_else(|| format!("unexpected line from {}: {line:?}", self.name))
    }

    /// Kills the process by its PID unless it has ended, and reaps it.
    pub(crate) fn stop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `serving http://127.0.0.1:4000/metrics and /health` to its address and path.
fn parse_served(line: &str) -> Option<(SocketAddr, String)> {
    let rest = line.strip_prefix("serving http://")?;
    let url = rest.split_whitespace().next()?;
    let (addr, path) = url.split_at(url.find('/')?);
    Some((addr.parse().ok()?, path.to_owned()))
}

/// A temporary directory, removed when dropped.
pub(crate) struct TempDir {
    pub(crate) path: PathBuf,
}

impl TempDir {
    pub(crate) fn new() -> Result<Self, String> {
        let path = std::env::temp_dir().join(format!("xtask-e2e-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).map_err(io("temporary directory"))?;
        Ok(Self { path })
    }

    pub(crate) fn file(&self, name: &str) -> Result<std::fs::File, String> {
        std::fs::File::create(self.path.join(name)).map_err(io("temporary file"))
    }

    pub(crate) fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path.join(name)).unwrap_or_default()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

pub(crate) fn free_loopback_port() -> Result<SocketAddr, String> {
    // Bound then released: another process could take it in between, which on a
    // CI machine is unlikely enough; Prometheus would then fail to start, loudly.
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io("a free loopback port"))?;
    listener.local_addr().map_err(io("a free loopback port"))
}

/// Polls `ready` every 250 ms until it says yes or the deadline passes.
pub(crate) fn wait_until(
    deadline: Instant,
    what: &str,
    mut ready: impl FnMut() -> Result<bool, String>,
) -> Result<(), String> {
    loop {
        if ready()? {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!("gave up waiting for {what}"));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_lines() {
        let (addr, path) =
            parse_served("serving http://127.0.0.1:4000/metrics and /health").unwrap();
        assert_eq!((addr.port(), path.as_str()), (4000, "/metrics"));
        let (_, path) = parse_served("serving http://[::1]:9/prometheus").unwrap();
        assert_eq!(path, "/prometheus");
        assert!(parse_served("listening on 4000").is_none());
    }
}
