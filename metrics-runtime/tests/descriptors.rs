//! File descriptors under attack, on 127.0.0.1: the server holds at most
//! `max_connections` connections however many are opened, and when the process
//! runs out of descriptors (`EMFILE` from `accept`) it pauses and recovers instead
//! of exiting. The checks count this process's descriptors and lower its soft limit
//! (with `prlimit`, util-linux), so they run one after the other, in one test, in a
//! binary of their own.
#![cfg(all(feature = "server", target_os = "linux"))]

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use metrics_runtime::serve::MetricsServer;
use support::collectors::slow_registry;
use support::http::get;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

const TEST_LIMIT: Duration = Duration::from_secs(60);

fn open_descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn descriptors_stay_bounded_and_running_out_of_them_is_survived() {
    connections_beyond_the_limit_wait_and_the_descriptors_stay_bounded().await;
    the_server_survives_running_out_of_file_descriptors().await;
}

async fn connections_beyond_the_limit_wait_and_the_descriptors_stay_bounded() {
    tokio::time::timeout(TEST_LIMIT, async {
        let limit = 8;
        let server = MetricsServer::builder()
            .registry(slow_registry(Duration::ZERO))
            .max_connections(limit)
            .header_read_timeout(Duration::from_millis(500))
            .bind("127.0.0.1:0")
            .await
            .unwrap()
            .spawn();
        let addr = server.local_addr();
        // Once served, whatever the runtime opens lazily is open already.
        assert_eq!(get(addr, "/metrics", &[]).await.status, 200);
        let before = open_descriptors();
        let mut idle = Vec::new();
        for _ in 0..40 {
            idle.push(TcpStream::connect(addr).await.unwrap());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        // Ours: one per client socket; the server's: at most `limit` (80 without
        // the limit), with a little room for the runtime's own.
        let held = open_descriptors().saturating_sub(before);
        assert!(held <= 40 + limit + 6, "{held} descriptors for 40 connections");
        // A scrape behind them waits for idle ones to time out, then is served.
        let started = Instant::now();
        assert_eq!(get(addr, "/metrics", &[]).await.status, 200);
        println!(
            "40 idle connections, {limit} allowed: scrape served after {:?}",
            started.elapsed()
        );
        // Every idle connection was served (closed by the header timeout) in turn.
        for mut connection in idle {
            let mut buf = [0u8; 16];
            let read = tokio::time::timeout(Duration::from_secs(20), connection.read(&mut buf));
            assert!(matches!(read.await, Ok(Ok(0) | Err(_))));
        }
        server.shutdown().await;
    })
    .await
    .expect("test took longer than its time limit");
}

/// Sets this process's soft limit on open files with `prlimit`.
fn set_soft_open_files(soft: usize) -> bool {
    Command::new("prlimit")
        .arg(format!("--pid={}", std::process::id()))
        .arg(format!("--nofile={soft}:"))
        .status()
        .is_ok_and(|s| s.success())
}

fn soft_open_files() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

async fn the_server_survives_running_out_of_file_descriptors() {
    let Some(original) = soft_open_files() else {
        println!("SKIPPED: no /proc/self/limits");
        return;
    };
    tokio::time::timeout(TEST_LIMIT, async {
        let server = MetricsServer::builder()
            .registry(slow_registry(Duration::ZERO))
            .header_read_timeout(Duration::from_secs(2))
            .bind("127.0.0.1:0")
            .await
            .unwrap()
            .spawn();
        let addr = server.local_addr();
        // Room for 20 more descriptors: 40 connections (80 with the server's side)
        // cannot all be had.
        let headroom = 20;
        if !set_soft_open_files(open_descriptors() + headroom) {
            println!("SKIPPED: prlimit could not lower the open-files limit");
            server.shutdown().await;
            return;
        }
        let mut clients = Vec::new();
        let mut refused = 0;
        for _ in 0..40 {
            match tokio::time::timeout(Duration::from_secs(1), TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => clients.push(stream),
                _ => refused += 1,
            }
        }
        // The server meets EMFILE on `accept` meanwhile, and pauses.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let still_serving = !server.is_finished();
        drop(clients);
        assert!(set_soft_open_files(original), "could not restore the open-files limit");
        assert!(still_serving, "the server exited when it ran out of descriptors");
        assert!(refused > 0 || open_descriptors() > 0);
        // Descriptors back: scrapes are served again.
        let started = Instant::now();
        loop {
            let reply = tokio::time::timeout(Duration::from_secs(5), get(addr, "/metrics", &[]));
            if let Ok(reply) = reply.await
                && reply.status == 200
            {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "never served again");
        }
        println!(
            "out of descriptors ({refused} connects refused): served again after {:?}",
            started.elapsed()
        );
        server.shutdown().await;
    })
    .await
    .expect("test took longer than its time limit");
}
