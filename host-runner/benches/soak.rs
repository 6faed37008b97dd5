//! Soak: mixed load on a real daemon for a fixed time, then checks; prints a table. Not a test.
//!
//! A real `hq-vault serve` (HTTPS on loopback, a real SQLite file, a temp home, cheap Argon2 as the
//! tests use) takes, for `HQ_SOAK_SECONDS` (default 60) from several threads at once:
//! - owner reads and managed-token reads (scoped to `soak/*`, and out of scope) of secrets whose
//!   writers they race, each read checked against the last write acknowledged before it began;
//! - writes (text and base64 values up to 64 KiB), each key owned by one writer;
//! - token creation, one use and revocation;
//! - lock/unlock cycles (reads and writes racing a lock answer 423);
//! - External Connections reads (object and listing) with a connection key;
//! - bad input: traversal, malformed and unknown tokens, oversized bodies, wrong methods, bad JSON;
//! - slow clients: idle TLS connections, half-sent headers and half-sent bodies, held open.
//!
//! Then it asserts: no 5xx (503 `audit_unavailable` included) and no status outside what each kind
//! of request may get; every acknowledged write readable with its last acknowledged value, before
//! and after a restart; `hq-vault audit verify --passphrase-stdin` clean. It prints the daemon's RSS
//! at the start of the load, its peak during it, and at the end.
//!
//! Run: `cargo bench -p hq-vault --bench soak` (HQ_SOAK_SECONDS to change the duration).

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::{Daemon, PASS};
use serde_json::json;

/// Keys written and read; key `i` belongs to writer `i % WRITERS`.
const KEYS: usize = 40;
const WRITERS: usize = 2;

/// What happened to one kind of request: status → count, and transport errors.
#[derive(Default)]
struct Tally {
    statuses: BTreeMap<u16, u64>,
    transport: u64,
    unexpected: Vec<String>,
}

#[derive(Default)]
struct Stats {
    kinds: Mutex<BTreeMap<&'static str, Tally>>,
}

impl Stats {
    /// Count an answer; a status outside `allowed` (or any 5xx) is kept as unexpected.
    fn count(&self, kind: &'static str, status: u16, allowed: &[u16], what: &str) {
        let mut k = self.kinds.lock().unwrap();
        let t = k.entry(kind).or_default();
        *t.statuses.entry(status).or_default() += 1;
        if (status >= 500 || !allowed.contains(&status)) && t.unexpected.len() < 100 {
            t.unexpected.push(format!("{what}: {status}"));
        }
    }

    fn transport(&self, kind: &'static str) {
        self.kinds.lock().unwrap().entry(kind).or_default().transport += 1;
    }

    /// Send a request and count its answer (or its transport error) under `kind`.
    fn ask(
        &self,
        d: &Daemon,
        kind: &'static str,
        allowed: &[u16],
        method: &str,
        path: &str,
        auth: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Option<common::Answer> {
        let headers: Vec<(String, String)> =
            auth.iter().map(|a| ("authorization".to_owned(), (*a).to_owned())).collect();
        match d.try_raw(method, path, &headers, body) {
            Ok(a) => {
                self.count(kind, a.status, allowed, &format!("{method} {path}"));
                Some(a)
            }
            Err(_) => {
                self.transport(kind);
                None
            }
        }
    }
}

/// The daemon's resident set size, from /proc, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// A value that names its key and sequence number, padded to `len` bytes.
fn value(key: usize, seq: u64, len: usize) -> String {
    let mut v = format!("soak-value:{key}:{seq}:");
    while v.len() < len {
        v.push(char::from(b'a' + (v.len() % 26) as u8));
    }
    v
}

/// The sequence number in a value written by [`value`] (or as base64 bytes of it).
fn seq_of(bytes: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(bytes).ok()?;
    s.strip_prefix("soak-value:")?.split(':').nth(1)?.parse().ok()
}

/// The value of a read answer (`{"value": …}` or `{"value_base64": …}`).
fn read_value(a: &common::Answer) -> Option<Vec<u8>> {
    let j = a.json();
    if let Some(v) = j["value"].as_str() {
        return Some(v.as_bytes().to_vec());
    }
    j["value_base64"].as_str().and_then(|b| B64.decode(b).ok())
}

/// Per key: the last acknowledged sequence number, and writes whose outcome is unknown (the
/// connection failed before an answer): the stored value may be any of those after the last ack.
struct Ledger {
    acked: Vec<AtomicU64>,
    unknown: Mutex<Vec<BTreeSet<u64>>>,
}

fn main() {
    let secs: u64 = std::env::var("HQ_SOAK_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let mut d = common::daemon();
    let owner = format!("Bearer {}", d.token());
    // Seed: every key written once (sequence 1), a scoped managed token, a connection and files.
    for k in 0..KEYS {
        let a = d.owner("PUT", &format!("/v1/secrets/soak/k{k}"), Some(json!({"value": value(k, 1, 32)})));
        assert!(a.status == 201 || a.status == 200, "seed write: {}", a.status);
    }
    d.owner("PUT", "/v1/secrets/other/k", Some(json!({"value": "outside the token's scope"})));
    let t = d.owner("POST", "/v1/tokens", Some(json!({"name": "soak-reader", "prefix": ["soak/*"]})));
    assert_eq!(t.status, 201, "token create: {}", String::from_utf8_lossy(&t.body));
    let managed = format!("Bearer {}", t.json()["token"].as_str().unwrap());
    let files = d.home().join("files/kb");
    std::fs::create_dir_all(&files).unwrap();
    for i in 0..20 {
        std::fs::write(files.join(format!("doc-{i}.md")), format!("# doc {i}\n").repeat(50)).unwrap();
    }
    let c = d.owner("POST", "/v1/connections", Some(json!({"name": "soak", "patterns": ["kb/*"]})));
    assert_eq!(c.status, 201, "connection create: {}", String::from_utf8_lossy(&c.body));
    let conn_key = format!("Bearer {}", c.json()["key"].as_str().unwrap());

    let ledger = Ledger {
        acked: (0..KEYS).map(|_| AtomicU64::new(1)).collect(),
        unknown: Mutex::new(vec![BTreeSet::new(); KEYS]),
    };
    let stats = Stats::default();
    let stop = AtomicBool::new(false);
    let pid = d.child.as_ref().unwrap().id();
    let rss_start = rss_kib(pid);
    let rss_peak = AtomicU64::new(rss_start);
    let stale_reads = AtomicU64::new(0);
    // Slow connections: opened, and of those let go, closed by the daemon without an answer.
    let (slow_opened, slow_silent) = (AtomicU64::new(0), AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);

    std::thread::scope(|s| {
        let d = &d;
        let (stats, ledger, stop, owner, managed) = (&stats, &ledger, &stop, &owner, &managed);
        let running = move || !stop.load(Ordering::Relaxed) && Instant::now() < deadline;
        let rss_peak = &rss_peak;
        // RSS sampler.
        s.spawn(move || {
            while running() {
                rss_peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        // Readers: two with the owner's token, one with the managed token.
        for (r, (kind, auth)) in
            [("owner read", owner), ("owner read", owner), ("managed read", managed)].into_iter().enumerate()
        {
            let stale_reads = &stale_reads;
            s.spawn(move || {
                let mut n = r;
                while running() {
                    n += 7;
                    let k = n % KEYS;
                    let before = ledger.acked[k].load(Ordering::SeqCst);
                    let path = format!("/v1/secrets/soak/k{k}");
                    let Some(a) = stats.ask(d, kind, &[200, 423], "GET", &path, Some(auth), None) else { continue };
                    if a.status == 200 {
                        let got = read_value(&a).and_then(|v| seq_of(&v));
                        if got.is_none_or(|g| g < before) {
                            stale_reads.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    if kind == "managed read" && n.is_multiple_of(10) {
                        let kind = "managed read out of scope";
                        stats.ask(d, kind, &[403, 423], "GET", "/v1/secrets/other/k", Some(auth), None);
                    }
                }
            });
        }
        // Writers: each owns the keys `k % WRITERS == w`.
        for w in 0..WRITERS {
            s.spawn(move || {
                let mut seq = 1u64;
                let mut n = 0usize;
                while running() {
                    n += 1;
                    let k = (n * WRITERS + w) % KEYS;
                    seq += 1;
                    let len = [16, 200, 4096, 65_536][n % 4];
                    let v = value(k, seq, len);
                    let body =
                        if n.is_multiple_of(3) { json!({"value_base64": B64.encode(&v)}) } else { json!({"value": v}) };
                    match d.try_raw(
                        "PUT",
                        &format!("/v1/secrets/soak/k{k}"),
                        &[("authorization".into(), owner.into())],
                        Some(body.to_string().into_bytes()),
                    ) {
                        Ok(a) => {
                            stats.count("write", a.status, &[200, 201, 423], "PUT soak key");
                            if a.status == 200 || a.status == 201 {
                                ledger.acked[k].store(seq, Ordering::SeqCst);
                                ledger.unknown.lock().unwrap()[k].clear();
                            }
                        }
                        Err(_) => {
                            stats.transport("write");
                            ledger.unknown.lock().unwrap()[k].insert(seq);
                        }
                    }
                }
            });
        }
        // Token creation, one use, revocation.
        s.spawn(move || {
            let mut n = 0;
            while running() {
                n += 1;
                let name = format!("soak-t{n}");
                let body = json!({"name": name, "ttl": "1h", "prefix": ["soak/*"]}).to_string().into_bytes();
                let Some(a) = stats.ask(d, "token create", &[201], "POST", "/v1/tokens", Some(owner), Some(body))
                else {
                    continue;
                };
                if a.status != 201 {
                    continue;
                }
                let t = format!("Bearer {}", a.json()["token"].as_str().unwrap_or_default());
                stats.ask(d, "new token read", &[200, 423], "GET", "/v1/secrets/soak/k0", Some(&t), None);
                stats.ask(d, "token revoke", &[200], "DELETE", &format!("/v1/tokens/{name}"), Some(owner), None);
                stats.ask(d, "revoked token read", &[401, 403], "GET", "/v1/secrets/soak/k0", Some(&t), None);
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        // Lock/unlock cycles.
        s.spawn(move || {
            while running() {
                std::thread::sleep(Duration::from_millis(1500));
                stats.ask(d, "lock", &[200], "POST", "/v1/lock", Some(owner), None);
                std::thread::sleep(Duration::from_millis(300));
                let body = json!({"passphrase": PASS}).to_string().into_bytes();
                stats.ask(d, "unlock", &[200], "POST", "/v1/unlock", Some(owner), Some(body));
            }
        });
        // External Connections reads.
        let conn_key = &conn_key;
        s.spawn(move || {
            let mut n = 0;
            while running() {
                n += 1;
                let path = if n % 4 == 0 {
                    "/v1/connections/files?path=kb/&limit=5".to_owned()
                } else {
                    format!("/v1/connections/files/object?path=kb/doc-{}.md", n % 20)
                };
                stats.ask(d, "connection read", &[200], "GET", &path, Some(conn_key), None);
            }
        });
        // Bad input: every answer a 4xx.
        s.spawn(move || {
            let big_json = format!("{{\"name\":\"{}\"}}", "x".repeat(3 * 1024 * 1024));
            let huge_put = format!("{{\"value\":\"{}\"}}", "y".repeat(7 * 1024 * 1024));
            // Method, path, Authorization, body, and the statuses it may get.
            type Case<'a> = (&'a str, String, Option<&'a str>, Option<Vec<u8>>, &'a [u16]);
            let cases: Vec<Case> = vec![
                ("GET", "/v1/secrets/..%2F..%2Fetc%2Fpasswd".into(), Some(owner), None, &[400]),
                ("GET", "/v1/secrets/a/../b".into(), Some(owner), None, &[400, 404]),
                ("GET", "/v1/secrets/%2e%2e/vault.db".into(), Some(owner), None, &[400]),
                ("GET", "/v1/secrets/soak/k1".into(), Some("Bearer hqvt_notatoken"), None, &[401]),
                (
                    "GET",
                    "/v1/secrets/soak/k1".into(),
                    Some("Bearer hqvt_0000000000000000000000000000000000000000000000000"),
                    None,
                    &[401],
                ),
                ("GET", "/v1/secrets/soak/k1".into(), Some("Basic dXNlcjpwYXNz"), None, &[401]),
                ("GET", "/v1/secrets/soak/k1".into(), None, None, &[401]),
                (
                    "GET",
                    "/v1/connections/files/object?path=kb/doc-1.md".into(),
                    Some("Bearer hqxc_garbage"),
                    None,
                    &[401],
                ),
                ("GET", "/v1/connections/files/object?path=../vault.db".into(), None, None, &[400, 401]),
                ("PATCH", "/v1/secrets/soak/k1".into(), Some(owner), None, &[405]),
                ("DELETE", "/v1/unlock".into(), Some(owner), None, &[405]),
                ("PUT", "/v1/tokens".into(), Some(owner), None, &[405]),
                ("GET", "/v1/nothing-here".into(), Some(owner), None, &[404]),
                ("POST", "/v1/tokens".into(), Some(owner), Some(b"{not json".to_vec()), &[400]),
                ("POST", "/v1/tokens".into(), Some(owner), Some(b"{\"name\":\"x\",\"extra\":1}".to_vec()), &[400]),
                ("POST", "/v1/tokens".into(), Some(owner), Some(b"{\"name\":\"BAD NAME\"}".to_vec()), &[400]),
                (
                    "POST",
                    "/v1/tokens".into(),
                    Some(owner),
                    Some(b"{\"name\":\"soak-bad-ttl\",\"ttl\":\"9y\"}".to_vec()),
                    &[400],
                ),
                (
                    "PUT",
                    "/v1/secrets/soak/bad".into(),
                    Some(owner),
                    Some(b"{\"value_base64\":\"!!\"}".to_vec()),
                    &[400, 423],
                ),
                ("POST", "/v1/tokens".into(), Some(owner), Some(big_json.into_bytes()), &[413]),
                ("PUT", "/v1/secrets/soak/huge".into(), Some(owner), Some(huge_put.into_bytes()), &[413]),
            ];
            let mut n = 0;
            while running() {
                let (method, path, auth, body, allowed) = &cases[n % cases.len()];
                n += 1;
                // A refused oversized body may be cut off while still being sent: a transport error.
                stats.ask(d, "bad input", allowed, method, path, *auth, body.clone());
            }
        });
        // Slow clients: idle connections, half-sent headers, half-sent bodies, each held open for
        // 35 s (past the daemon's 10 s header and 30 s body timeouts), about 70 at a time.
        let (slow_opened, slow_silent) = (&slow_opened, &slow_silent);
        s.spawn(move || {
            let mut held: std::collections::VecDeque<(Instant, _)> = std::collections::VecDeque::new();
            let mut n = 0;
            while running() {
                n += 1;
                let mut t = common::tls_stream(d);
                slow_opened.fetch_add(1, Ordering::Relaxed);
                let _ = match n % 3 {
                    0 => t.conn.complete_io(&mut t.sock).map(|_| ()),
                    1 => t.write_all(b"GET /v1/secrets/soak/k1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthoriz"),
                    _ => t.write_all(
                        format!(
                            "PUT /v1/secrets/soak/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {owner}\r\nContent-Length: 100\r\n\r\n{{\"value\":"
                        )
                        .as_bytes(),
                    ),
                };
                let _ = t.flush();
                held.push_back((Instant::now(), t));
                while held.front().is_some_and(|(at, _)| at.elapsed() > Duration::from_secs(35)) {
                    // Let the oldest go: read whatever the daemon answered it (a 408, or a close).
                    let (_, mut old) = held.pop_front().unwrap();
                    old.sock.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
                    let mut buf = Vec::new();
                    let _ = old.read_to_end(&mut buf);
                    if let Some(code) = std::str::from_utf8(&buf)
                        .ok()
                        .and_then(|t| t.strip_prefix("HTTP/1.1 "))
                        .and_then(|t| t.get(..3)?.parse::<u16>().ok())
                    {
                        stats.count("slow client", code, &[408], "a half-sent request");
                    } else {
                        slow_silent.fetch_add(1, Ordering::Relaxed);
                    }
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        });
        // Health, the cheapest request, throughout.
        s.spawn(move || {
            while running() {
                stats.ask(d, "health", &[200], "GET", "/v1/health", None, None);
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        while running() {
            std::thread::sleep(Duration::from_millis(100));
        }
        stop.store(true, Ordering::Relaxed);
    });
    let load_secs = started.elapsed().as_secs_f64();
    // Idle connections are let go, so the end RSS is the daemon's after the load.
    std::thread::sleep(Duration::from_secs(2));
    let rss_end = rss_kib(pid);
    let audit_lines = std::fs::read_to_string(d.home().join("audit.log")).map(|s| s.lines().count()).unwrap_or(0);

    // Every acknowledged write, with its last acknowledged value: now, and after a restart.
    let check_writes = |d: &Daemon, when: &str| -> usize {
        d.unlock();
        let unknown = ledger.unknown.lock().unwrap();
        let mut lost = 0;
        for k in 0..KEYS {
            let a = d.owner("GET", &format!("/v1/secrets/soak/k{k}"), None);
            let got = (a.status == 200).then(|| read_value(&a).and_then(|v| seq_of(&v))).flatten();
            let acked = ledger.acked[k].load(Ordering::SeqCst);
            let ok = got.is_some_and(|g| g == acked || (g > acked && unknown[k].contains(&g)));
            if !ok {
                eprintln!("{when}: soak/k{k} reads {got:?} ({}), last acknowledged {acked}", a.status);
                lost += 1;
            }
        }
        lost
    };
    let lost_before = check_writes(&d, "before the restart");
    d.stop();
    d.start();
    let lost_after = check_writes(&d, "after the restart");
    d.stop();
    let verify =
        common::run_with(d.cli(), &["audit", "verify", "--passphrase-stdin"], Some(format!("{PASS}\n").as_bytes()));
    let verify_text = common::text(&verify);

    let kinds = stats.kinds.into_inner().unwrap();
    let total: u64 = kinds.values().flat_map(|t| t.statuses.values()).sum();
    let fivexx: u64 = kinds.values().flat_map(|t| t.statuses.iter().filter(|(s, _)| **s >= 500).map(|(_, n)| n)).sum();
    let unexpected: Vec<String> =
        kinds.iter().flat_map(|(k, t)| t.unexpected.iter().take(5).map(move |u| format!("{k}: {u}"))).collect();
    let stale = stale_reads.load(Ordering::Relaxed);

    println!("| soak ({load_secs:.0} s, HQ_SOAK_SECONDS={secs}) | value |");
    println!("|---|---:|");
    for (kind, t) in &kinds {
        let statuses: Vec<String> = t.statuses.iter().map(|(s, n)| format!("{s}×{n}")).collect();
        let transport = if t.transport > 0 { format!(", {} transport errors", t.transport) } else { String::new() };
        println!("| {kind} | {}{transport} |", statuses.join(" "));
    }
    println!(
        "| slow connections opened (idle, half-sent headers or body; held 35 s each) / closed without an answer | {} / {} |",
        slow_opened.load(Ordering::Relaxed),
        slow_silent.load(Ordering::Relaxed)
    );
    println!("| requests answered | {total} ({:.0}/s) |", total as f64 / load_secs);
    println!("| 5xx answers | {fivexx} |");
    println!("| answers outside what the request may get | {} |", unexpected.len());
    println!("| reads older than a write acknowledged before them | {stale} |");
    println!("| acknowledged writes lost (before / after a restart) | {lost_before} / {lost_after} of {KEYS} keys |");
    println!("| audit lines written | {audit_lines} |");
    println!("| `audit verify --passphrase-stdin` | {} |", if verify.status.success() { "clean" } else { "FAILED" });
    println!(
        "| daemon RSS at start / peak / end | {:.1} MiB / {:.1} MiB / {:.1} MiB |",
        rss_start as f64 / 1024.0,
        rss_peak.load(Ordering::Relaxed) as f64 / 1024.0,
        rss_end as f64 / 1024.0
    );
    for u in &unexpected {
        eprintln!("unexpected: {u}");
    }
    assert_eq!(fivexx, 0, "the daemon answered 5xx under load");
    assert!(unexpected.is_empty(), "answers outside what the requests may get: {unexpected:?}");
    assert_eq!(stale, 0, "a read returned a value older than a write acknowledged before it");
    assert_eq!((lost_before, lost_after), (0, 0), "acknowledged writes were lost");
    assert!(verify.status.success(), "audit verify: {verify_text}");
}
