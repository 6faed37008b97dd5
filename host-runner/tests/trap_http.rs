//! A trap in the key-holding instance, met through the daemon's HTTP API (docs/policy.md, "The
//! daemon's pipeline"): the request that met it gets a 500 that says what happened, the vault is
//! locked (the instance and its key are dropped), an `auto-lock` line records the trap, nothing is
//! stored, and an unlock brings a fresh instance that works. The daemon runs in this process so
//! that its entropy source can be made to fail; everything else is as in production: HTTPS on
//! loopback, the real SQLite file and audit log of a home made by `hq-vault init`.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::*;
use hq_vault::daemon::{KeyHolder, Options, listener::Limits, serve};
use hq_vault::home::Home;
use hq_vault::host::{CoreHost, EntropySource};
use serde_json::json;

#[test]
fn a_trap_while_sealing_answers_500_locks_the_vault_and_stores_nothing() {
    let mut d = initialized(CHEAP_KDF);
    let home = d.home();

    // The daemon, in this process, with an entropy source the test can make fail.
    let failing = Arc::new(AtomicBool::new(false));
    let host = CoreHost::with_entropy(None, EntropySource::FailWhile(failing.clone())).unwrap();
    let files_root = home.join("files");
    std::fs::create_dir_all(&files_root).unwrap();
    let opts = Options {
        listener: std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
        idle_lock: Some(Duration::from_secs(3600)),
        files_root,
        keyholder: KeyHolder::locked(),
        limits: Limits::default_for_process(),
        home_socket: None,
        tls_files: None,
    };
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let daemon_home = Home { dir: home.clone() };
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        let starting = std::sync::atomic::AtomicBool::new(true);
        let served = rt.block_on(serve(daemon_home, host, opts, &starting, move |addr| ready_tx.send(addr).unwrap()));
        if let Err(e) = served {
            eprintln!("the daemon stopped: {e:#}");
        }
    });
    let addr = ready_rx.recv_timeout(Duration::from_secs(120)).expect("the daemon started");
    d.url = format!("https://{addr}");
    d.unlock();
    assert_eq!(d.store("app/kept", "kept-value-1234").status, 201);

    // Sealing draws a nonce from the entropy import; failing, it traps the guest.
    failing.store(true, Ordering::SeqCst);
    let trapped = d.owner("PUT", "/v1/secrets/app/lost", Some(json!({"value": "never-stored-5678"})));
    assert_eq!(trapped.status, 500, "{}", String::from_utf8_lossy(&trapped.body));
    let body = trapped.json();
    assert_eq!(body["error"]["code"], "internal", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("trapped") && message.contains("locked"), "the message says what happened: {message}");
    assert!(!message.contains("never-stored"), "{message}");

    // The vault is locked: the key went with the instance.
    let health = d.owner("GET", "/v1/health", None).json();
    assert_eq!(health["locked"], true, "{health}");
    assert_eq!(d.owner("GET", "/v1/secrets/app/kept", None).status, 423);

    // The trap is in the audit log as an automatic lock (written by the daemon, within a bound).
    let start = Instant::now();
    let line = loop {
        let found = audit_lines(&d).into_iter().find(|l| l["op"] == "auto-lock" && l["reason"] == "trap");
        if let Some(l) = found {
            break l;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "no auto-lock line: {:?}", audit_lines(&d));
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(line["actor"], "daemon", "{line}");

    // A new unlock builds a fresh instance: reads and writes work again; the failed write stored nothing.
    failing.store(false, Ordering::SeqCst);
    d.unlock();
    let kept = d.owner("GET", "/v1/secrets/app/kept", None).json();
    assert_eq!(kept["value"], "kept-value-1234");
    assert_eq!(d.owner("GET", "/v1/secrets/app/lost", None).status, 404, "the trapped write stored nothing");
    assert_eq!(d.store("app/after", "after-value-9012").status, 201);
    d.secrets.push("never-stored-5678".into());
    d.assert_no_leaks();
}
