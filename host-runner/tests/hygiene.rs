//! Slow and abandoned connections (issue "Keep every promise", item 6): a half-sent request is
//! dropped after the header timeout, an idle keep-alive connection is closed, concurrent
//! connections are capped below the fd limit, and `accept` failing with EMFILE backs off
//! instead of spinning a core.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

/// Read until the peer closes the connection or `limit` passes; returns what arrived and whether
/// the peer closed it.
fn read_until_closed(s: &mut impl Read, limit: Duration) -> (Vec<u8>, bool) {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while start.elapsed() < limit {
        match s.read(&mut buf) {
            Ok(0) => return (got, true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return (got, true),
        }
    }
    (got, false)
}

#[test]
fn a_half_sent_request_is_dropped_not_served() {
    let d = daemon_with(&["--header-timeout", "1s"]);
    let mut s = tls_stream(&d);
    s.write_all(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n").unwrap();
    s.flush().unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    // The rest of the request, long after the timeout: it must not be answered.
    let _ = s.write_all(b"\r\n");
    let _ = s.flush();
    let (got, closed) = read_until_closed(&mut s, Duration::from_secs(20));
    assert!(closed, "the daemon kept a half-sent request open");
    assert!(
        !String::from_utf8_lossy(&got).contains("200 OK"),
        "a request completed after the header timeout was served: {}",
        String::from_utf8_lossy(&got)
    );
}

#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let d = daemon_with(&["--header-timeout", "1s"]);
    let mut s = tls_stream(&d);
    s.write_all(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    s.flush().unwrap();
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"), "the first request is served");
    let t = Instant::now();
    let (_, closed) = read_until_closed(&mut s, Duration::from_secs(20));
    assert!(closed, "an idle keep-alive connection stayed open for {:?}", t.elapsed());
}

/// The daemon's open file descriptors.
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map(|r| r.count()).unwrap_or(0)
}

#[test]
fn connections_are_capped_and_a_client_gets_through_after_the_timeout() {
    let d = daemon_with(&["--header-timeout", "2s", "--max-connections", "8"]);
    let pid = d.child.as_ref().unwrap().id();
    let before = open_fds(pid);
    let addr = d.url.trim_start_matches("https://").to_owned();
    // 60 connections that never even start TLS, as a slowloris client would hold them.
    let idle: Vec<TcpStream> = (0..60).map(|_| TcpStream::connect(&addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(800));
    let during = open_fds(pid);
    assert!(
        during <= before + 8 + 2,
        "the daemon holds {} descriptors with 60 idle connections (cap 8, {before} before)",
        during
    );
    // Once the idle ones time out, a real client is served.
    std::thread::sleep(Duration::from_secs(3));
    let a = d.req("GET", "/v1/health", None, None);
    assert_eq!(a.status, 200);
    drop(idle);
}

/// CPU time (user + system, in clock ticks) the process has used.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of stat(5) are utime and stime; `after_name` starts at field 3.
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

#[test]
fn accept_failing_with_emfile_backs_off_instead_of_spinning() {
    let d = daemon_with(&["--header-timeout", "30s"]);
    let pid = d.child.as_ref().unwrap().id();
    let addr = d.url.trim_start_matches("https://").to_owned();
    // Leave the running daemon two free descriptors (prlimit changes a live process's limit):
    // two idle connections take them, and every later `accept` fails with EMFILE.
    let limit = open_fds(pid) + 2;
    let st = Command::new("prlimit")
        .args(["--pid", &pid.to_string(), &format!("--nofile={limit}:")])
        .status()
        .expect("prlimit (util-linux)");
    assert!(st.success());
    let idle: Vec<TcpStream> = (0..40).filter_map(|_| TcpStream::connect(&addr).ok()).collect();
    std::thread::sleep(Duration::from_millis(500));
    let t0 = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(3));
    let spent = cpu_ticks(pid) - t0;
    let log = std::fs::read_to_string(d.dir.path().join("daemon.stderr")).unwrap();
    drop(idle);
    let failures = log.matches("accepting a connection failed").count();
    // A spinning accept loop uses a whole core: ~300 ticks in 3 s. Backing off uses next to none.
    assert!(spent < 100, "the daemon used {spent} CPU ticks in 3 s while accept failed (a spin)");
    assert!(failures >= 1, "accept never failed, so this test proved nothing: {log}");
    assert!(failures < 60, "accept failures were retried {failures} times in ~3.5 s: no backoff");
    // Once descriptors are free again, the daemon serves.
    let st = Command::new("prlimit").args(["--pid", &pid.to_string(), "--nofile=1024:"]).status().unwrap();
    assert!(st.success());
    assert_eq!(d.req("GET", "/v1/health", None, None).status, 200);
}
