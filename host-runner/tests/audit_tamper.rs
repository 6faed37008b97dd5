//! Audit that cannot be quietly rewritten (issue "Keep every promise", item 7): a removed line
//! with the plain chain re-linked, a rewritten outcome, a cut tail, a deleted log — each is
//! reported by `audit verify` and, where the file changed while the daemon was stopped, at start.
//! Failed authentications are rate-limited into a summary line.

mod common;

use std::process::Output;

use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn sha_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A daemon that has written a handful of keyed lines, then stopped.
fn stopped_daemon_with_history() -> Daemon {
    let mut d = daemon();
    assert_eq!(d.store("audit/a", "value-a").status, 201);
    assert_eq!(d.owner("GET", "/v1/secrets/audit/a", None).status, 200);
    assert_eq!(d.req("GET", "/v1/secrets/audit/a", Some("Bearer hqvt_nope"), None).status, 401);
    assert_eq!(d.owner("DELETE", "/v1/secrets/audit/a", None).status, 204);
    assert_eq!(d.store("audit/b", "value-b").status, 201);
    d.stop();
    d
}

fn raw_lines(d: &Daemon) -> Vec<String> {
    std::fs::read_to_string(d.home().join("audit.log")).unwrap().lines().map(str::to_owned).collect()
}

/// Write lines back, re-linking every `prev` as a plain SHA-256 chain, as an editor would.
fn write_relinked(d: &Daemon, lines: &[String]) {
    let mut prev = "0".repeat(64);
    let mut out = String::new();
    for l in lines {
        let at = l.find("\"prev\":\"").expect("a chained line") + 8;
        let text = format!("{}{}{}", &l[..at], prev, &l[at + 64..]);
        prev = sha_hex(&text);
        out.push_str(&text);
        out.push('\n');
    }
    std::fs::write(d.home().join("audit.log"), out).unwrap();
    // The forger rewrites audit.head's plain part to match; the keyed part cannot be remade.
    let head_path = d.home().join("audit.head");
    let Ok(head) = std::fs::read(&head_path) else {
        return;
    };
    let mut head: Value = serde_json::from_slice(&head).unwrap();
    head["lines"] = lines.len().into();
    head["hash"] = prev.clone().into();
    if head["keyed"].is_object() {
        head["keyed"]["lines"] = lines.len().into();
        head["keyed"]["hash"] = prev.into();
    }
    std::fs::write(&head_path, serde_json::to_vec(&head).unwrap()).unwrap();
}

fn verify_with_key(d: &Daemon, extra: &[&str]) -> Output {
    let mut args = vec!["audit", "verify", "--passphrase-stdin"];
    args.extend_from_slice(extra);
    d.run(&args, Some(format!("{PASS}\n").as_bytes()))
}

#[test]
fn an_untouched_log_verifies_with_the_key() {
    let d = stopped_daemon_with_history();
    let v = verify_with_key(&d, &[]);
    assert!(v.status.success(), "{}", text(&v));
    assert!(text(&v).contains("MACs checked"), "{}", text(&v));
    let a = d.run(&["audit", "anchor", "--passphrase-stdin"], Some(format!("{PASS}\n").as_bytes()));
    assert!(a.status.success(), "{}", text(&a));
    let anchor = String::from_utf8_lossy(&a.stdout).trim().to_owned();
    assert!(anchor.starts_with("hqva1:"), "{anchor}");
    let v = verify_with_key(&d, &["--anchor", &anchor]);
    assert!(v.status.success(), "{}", text(&v));
}

#[test]
fn a_removed_line_with_the_chain_relinked_is_detected() {
    let d = stopped_daemon_with_history();
    let mut lines = raw_lines(&d);
    let victim = lines.iter().position(|l| l.contains("\"op\":\"delete\"")).expect("a delete line");
    lines.remove(victim);
    write_relinked(&d, &lines);
    let v = verify_with_key(&d, &[]);
    assert!(!v.status.success(), "a removed line went unnoticed: {}", text(&v));
    assert!(text(&v).contains(&format!("line {}", victim + 1)), "the first bad line is named: {}", text(&v));
}

#[test]
fn a_rewritten_outcome_is_detected() {
    let d = stopped_daemon_with_history();
    let mut lines = raw_lines(&d);
    let i = lines.iter().position(|l| l.contains("\"status\":401")).expect("a refused request");
    lines[i] = lines[i]
        .replace("\"outcome\":\"denied\"", "\"outcome\":\"allowed\"")
        .replace("\"status\":401", "\"status\":200");
    write_relinked(&d, &lines);
    let v = verify_with_key(&d, &[]);
    assert!(!v.status.success(), "a rewritten outcome went unnoticed: {}", text(&v));
}

#[test]
fn a_cut_tail_is_reported_at_start_and_by_verify() {
    let mut d = stopped_daemon_with_history();
    let lines = raw_lines(&d);
    std::fs::write(d.home().join("audit.log"), lines[..lines.len() - 2].join("\n") + "\n").unwrap();
    let v = verify_with_key(&d, &[]);
    assert!(!v.status.success(), "a cut tail went unnoticed: {}", text(&v));
    assert!(text(&v).contains("cut off the end"), "{}", text(&v));
    d.start();
    let err = std::fs::read_to_string(d.dir.path().join("daemon.stderr")).unwrap();
    assert!(err.contains("cut off the end"), "the daemon restarted silently: {err}");
    let breaks: Vec<Value> = audit_lines(&d).into_iter().filter(|l| l["op"] == "audit-break").collect();
    assert_eq!(breaks.len(), 1, "the break is recorded in the log");
    d.stop();
    let v = verify_with_key(&d, &[]);
    assert!(!v.status.success());
}

#[test]
fn a_cut_tail_with_a_consistent_head_is_caught_by_an_anchor() {
    let d = stopped_daemon_with_history();
    let a = d.run(&["audit", "anchor", "--passphrase-stdin"], Some(format!("{PASS}\n").as_bytes()));
    let anchor = String::from_utf8_lossy(&a.stdout).trim().to_owned();
    // Roll back both files to an earlier state (as from an old backup).
    let lines = raw_lines(&d);
    let keep = &lines[..lines.len() - 2];
    std::fs::write(d.home().join("audit.log"), keep.join("\n") + "\n").unwrap();
    let head = serde_json::json!({"lines": keep.len(), "hash": sha_hex(keep.last().unwrap()), "keyed": null});
    std::fs::write(d.home().join("audit.head"), head.to_string()).unwrap();
    let v = verify_with_key(&d, &["--anchor", &anchor]);
    assert!(!v.status.success(), "{}", text(&v));
    assert!(text(&v).contains("anchor"), "{}", text(&v));
}

#[test]
fn a_deleted_log_is_reported_at_start_and_by_verify() {
    for also_head in [false, true] {
        let mut d = stopped_daemon_with_history();
        std::fs::remove_file(d.home().join("audit.log")).unwrap();
        if also_head {
            std::fs::remove_file(d.home().join("audit.head")).unwrap();
        }
        let v = verify_with_key(&d, &[]);
        assert!(!v.status.success(), "a deleted log went unnoticed (head deleted too: {also_head}): {}", text(&v));
        d.start();
        let err = std::fs::read_to_string(d.dir.path().join("daemon.stderr")).unwrap();
        assert!(err.contains("warning: audit"), "the daemon restarted silently (head deleted too: {also_head}): {err}");
        assert_eq!(audit_lines(&d)[0]["op"], "audit-break");
        d.stop();
    }
}

#[test]
fn stripped_macs_and_a_plain_head_are_reported_at_start_and_not_vouched_for_after_unlock() {
    let mut d = stopped_daemon_with_history();
    // Strip every MAC, turn refusals into successes, re-link, and write a head with no keyed part.
    let lines: Vec<String> = raw_lines(&d)
        .iter()
        .map(|l| {
            let l = match l.find(",\"mac\":\"") {
                Some(at) => format!("{}}}", &l[..at]),
                None => l.clone(),
            };
            l.replace("\"outcome\":\"denied\"", "\"outcome\":\"allowed\"").replace("\"status\":401", "\"status\":200")
        })
        .collect();
    write_relinked(&d, &lines);
    let head = serde_json::json!({"lines": lines.len(), "hash": sha_hex(lines.last().unwrap()), "keyed": null});
    std::fs::write(d.home().join("audit.head"), head.to_string()).unwrap();
    let v = d.run(&["audit", "verify"], None);
    assert!(!v.status.success(), "verify without the passphrase called a stripped log intact: {}", text(&v));
    d.start();
    let err = std::fs::read_to_string(d.dir.path().join("daemon.stderr")).unwrap();
    assert!(err.contains("MACs were stripped"), "the daemon restarted silently: {err}");
    // New keyed lines after an unlock must not launder the forged history.
    d.unlock();
    assert_eq!(d.owner("GET", "/v1/secrets?prefix=", None).status, 200);
    d.stop();
    let v = verify_with_key(&d, &[]);
    assert!(!v.status.success(), "after an unlock the forged history verified: {}", text(&v));
}

#[test]
fn an_earlier_runs_stripped_macs_are_caught_by_the_next_runs_resume_line() {
    let mut d = stopped_daemon_with_history();
    d.start();
    d.unlock();
    assert_eq!(d.store("audit/c", "value-c").status, 201);
    d.stop();
    // Strip the MACs of the first run only (the second run's lines stay keyed).
    let all = raw_lines(&d);
    let second_run = all.iter().rposition(|l| l.contains("\"op\":\"audit-resume\"")).unwrap();
    let lines: Vec<String> = all
        .iter()
        .enumerate()
        .map(|(i, l)| match (i < second_run, l.find(",\"mac\":\"")) {
            (true, Some(at)) => format!("{}}}", &l[..at]),
            _ => l.clone(),
        })
        .collect();
    write_relinked(&d, &lines);
    let v = verify_with_key(&d, &[]);
    assert!(!v.status.success(), "an earlier run's stripped MACs went unnoticed: {}", text(&v));
}

#[test]
fn unknown_connection_keys_are_rate_limited_too() {
    let mut d = daemon();
    let before = audit_lines(&d).len();
    let bogus = format!("Bearer hqxc_{}", "A".repeat(49));
    for _ in 0..300 {
        let a = d.req("GET", "/v1/connections/files?path=", Some(&bogus), None);
        assert!(a.status == 401 || a.status == 403, "{}", a.status);
    }
    d.stop();
    let lines = audit_lines(&d);
    assert!(lines.len() - before <= 22, "{} lines for 300 refused connection keys", lines.len() - before);
}

#[test]
fn anonymous_failures_are_summarized_not_written_one_by_one() {
    let mut d = daemon();
    let before = audit_lines(&d).len();
    for _ in 0..300 {
        assert_eq!(d.req("GET", "/v1/secrets/x", None, None).status, 401);
    }
    d.stop();
    let lines = audit_lines(&d);
    let anon: Vec<&Value> = lines[before..].iter().filter(|l| l["actor"] == "anonymous").collect();
    assert!(anon.len() <= 21, "{} lines for 300 failed authentications", anon.len());
    let summary = anon.iter().find(|l| l["op"] == "failed-authentications").expect("a summary line at shutdown");
    assert!(summary["reason"].as_str().unwrap().starts_with("280 more"), "{summary}");
    let v = verify_with_key(&d, &[]);
    assert!(v.status.success(), "{}", text(&v));
}

/// `serve --passphrase-stdin` on a new home, stopped before any request, twice: neither start
/// may find a problem, and the log verifies with the key (it used to hold nothing while
/// `vault.db` said keyed lines existed: "MACs were stripped" forever after).
#[test]
fn runs_stopped_before_any_request_leave_a_log_that_verifies() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let mut args = vec!["serve", "--passphrase-stdin", "--listen", "127.0.0.1:0"];
    args.extend_from_slice(CHEAP_KDF);
    for run in 0..2 {
        let mut child = Command::new(BIN)
            .env("HQ_VAULT_HOME", &home)
            .args(if run == 0 { &args[..] } else { &args[..4] })
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("{PASS}\n").as_bytes()).unwrap();
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut ready).unwrap();
        assert!(ready.contains("https://"), "run {run}: the daemon did not start: {ready:?}");
        Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("audit-break") && !err.contains("MACs"),
            "run {run} found a problem in an untouched log: {err}"
        );
    }
    let mut c = Command::new(BIN);
    c.env("HQ_VAULT_HOME", &home);
    let v = run_with(c, &["audit", "verify", "--passphrase-stdin"], Some(format!("{PASS}\n").as_bytes()));
    assert!(v.status.success(), "{}", text(&v));
    assert!(text(&v).contains("MACs checked"), "{}", text(&v));
}
