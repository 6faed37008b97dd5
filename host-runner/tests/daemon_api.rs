//! The daemon's HTTPS API against a real SQLite file, over real TLS on loopback.

mod common;

use common::*;
use serde_json::json;

#[test]
fn health_needs_no_token_and_tells_the_lock_state() {
    let d = daemon();
    let a = d.req("GET", "/v1/health", None, None);
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["locked"], false);
    assert_eq!(d.req("POST", "/v1/health", None, None).status, 405);
}

#[test]
fn secrets_round_trip_with_metadata_and_no_value_in_listings() {
    let mut d = daemon();
    let a = d.store("stripe/secret-key", "sk_live_4f9a");
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.json()["size"], 12);
    assert_eq!(d.store("stripe/secret-key", "sk_live_4f9b").status, 200, "an overwrite answers 200");
    let g = d.owner("GET", "/v1/secrets/stripe/secret-key", None);
    assert_eq!(g.status, 200);
    assert_eq!(g.json()["value"], "sk_live_4f9b");
    assert_eq!(g.json()["type"], "api-key");
    // Binary values survive as base64.
    let bin = d.owner("PUT", "/v1/secrets/bin/blob", Some(json!({"value_base64": "AAEC/w=="})));
    assert_eq!(bin.status, 201);
    assert_eq!(d.owner("GET", "/v1/secrets/bin/blob", None).json()["value_base64"], "AAEC/w==");
    let l = d.owner("GET", "/v1/secrets?prefix=stripe/", None);
    assert_eq!(l.status, 200);
    let items = l.json()["secrets"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert!(!String::from_utf8_lossy(&l.body).contains("sk_live"), "a listing never carries values");
    assert_eq!(d.owner("DELETE", "/v1/secrets/stripe/secret-key", None).status, 204);
    assert_eq!(d.owner("GET", "/v1/secrets/stripe/secret-key", None).status, 404);
    assert_eq!(d.owner("DELETE", "/v1/secrets/stripe/secret-key", None).status, 404);
    d.assert_no_leaks();
}

#[test]
fn managed_tokens_follow_ttl_max_uses_scope_and_revocation() {
    let mut d = daemon();
    d.store("aws/deploy/key", "AKIA-deploy-1");
    d.store("gcp/key", "gcp-secret-1");
    let t = d.owner(
        "POST",
        "/v1/tokens",
        Some(json!({"name": "deploy-run-42", "ttl": "1h", "max_uses": 2, "prefix": ["aws/deploy/"]})),
    );
    assert_eq!(t.status, 201, "{}", String::from_utf8_lossy(&t.body));
    let tok = format!("Bearer {}", t.json()["token"].as_str().unwrap());
    assert_eq!(d.owner("POST", "/v1/tokens", Some(json!({"name": "deploy-run-42"}))).status, 409, "names are unique");
    // Scope: outside is 403 and spends nothing.
    assert_eq!(d.req("GET", "/v1/secrets/gcp/key", Some(&tok), None).status, 403);
    // A listing shows only the scope.
    let l = d.req("GET", "/v1/secrets", Some(&tok), None);
    assert_eq!(l.json()["secrets"].as_array().unwrap().len(), 1);
    // Writes are the owner's.
    assert_eq!(d.req("PUT", "/v1/secrets/aws/deploy/key", Some(&tok), Some(json!({"value": "x"}))).status, 403);
    assert_eq!(d.req("POST", "/v1/tokens", Some(&tok), Some(json!({"name": "x"}))).status, 403);
    // Two reads, then exhausted.
    assert_eq!(d.req("GET", "/v1/secrets/aws/deploy/key", Some(&tok), None).status, 200);
    assert_eq!(d.req("GET", "/v1/secrets/aws/deploy/key", Some(&tok), None).status, 200);
    let third = d.req("GET", "/v1/secrets/aws/deploy/key", Some(&tok), None);
    assert_eq!(third.status, 401);
    assert_eq!(third.code(), "token_exhausted");
    let list = d.owner("GET", "/v1/tokens", None).json();
    assert_eq!(list["tokens"][0]["uses"], 2);
    assert_eq!(list["tokens"][0]["state"], "exhausted");
    assert!(!list.to_string().contains("hqvt_"), "a token listing never carries a token");

    // Revocation.
    let r = d.owner("POST", "/v1/tokens", Some(json!({"name": "short"}))).json();
    let short = format!("Bearer {}", r["token"].as_str().unwrap());
    assert_eq!(d.req("GET", "/v1/secrets/gcp/key", Some(&short), None).status, 200);
    assert_eq!(d.owner("DELETE", "/v1/tokens/short", None).status, 200);
    let after = d.req("GET", "/v1/secrets/gcp/key", Some(&short), None);
    assert_eq!((after.status, after.code().as_str()), (401, "token_revoked"));
    assert_eq!(d.owner("DELETE", "/v1/tokens/nobody", None).status, 404);

    // Bad token requests.
    for (body, code) in [
        (json!({"name": "bad name"}), "bad_name"),
        (json!({"name": "bootstrap"}), "bad_name"),
        (json!({"name": "t1", "ttl": "1y"}), "bad_ttl"),
        (json!({"name": "t2", "max_uses": 0}), "bad_max_uses"),
        (json!({"name": "t3", "prefix": ["../x"]}), "bad_prefix"),
        (json!({"name": "t4", "surprise": 1}), "bad_json"),
    ] {
        let a = d.owner("POST", "/v1/tokens", Some(body.clone()));
        assert_eq!((a.status, a.code()), (400, code.to_owned()), "{body}");
    }
    d.assert_no_leaks();
}

#[test]
fn an_expired_token_is_refused_and_logged() {
    let mut d = daemon();
    d.store("a/b", "value-for-expiry");
    let t = d.owner("POST", "/v1/tokens", Some(json!({"name": "blink", "ttl": "1s"}))).json();
    let tok = format!("Bearer {}", t["token"].as_str().unwrap());
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let a = d.req("GET", "/v1/secrets/a/b", Some(&tok), None);
    assert_eq!((a.status, a.code().as_str()), (401, "token_expired"));
    let log = std::fs::read_to_string(d.home().join("audit.log")).unwrap();
    assert!(log.lines().last().unwrap().contains("token_expired"));
}

#[test]
fn lock_unlock_idle_lock_and_wrong_passphrase() {
    let mut d = daemon_with(&["--idle-lock", "1s"]);
    d.store("x/y", "idle-value-1");
    assert_eq!(d.owner("POST", "/v1/lock", None).status, 200);
    let locked = d.owner("GET", "/v1/secrets/x/y", None);
    assert_eq!((locked.status, locked.code().as_str()), (423, "locked"));
    assert!(locked.json()["error"]["message"].as_str().unwrap().contains("hq-vault unlock"));
    // Locked answers 423 even for a path that does not exist: nothing is revealed.
    assert_eq!(d.owner("GET", "/v1/secrets/x/missing", None).status, 423);
    let wrong = d.owner("POST", "/v1/unlock", Some(json!({"passphrase": "not the passphrase"})));
    assert_eq!((wrong.status, wrong.code().as_str()), (401, "wrong_passphrase"));
    d.unlock();
    assert_eq!(d.owner("GET", "/v1/secrets/x/y", None).status, 200);
    // Idle lock after 1 s without a vault operation.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    assert_eq!(d.req("GET", "/v1/health", None, None).json()["locked"], true);
    assert_eq!(d.owner("GET", "/v1/secrets/x/y", None).status, 423);
    let log = std::fs::read_to_string(d.home().join("audit.log")).unwrap();
    assert!(log.contains("\"op\":\"auto-lock\""));
}

#[test]
fn the_bootstrap_token_is_new_at_each_start_and_private() {
    use std::os::unix::fs::PermissionsExt;
    let mut d = daemon();
    let first = d.token();
    let mode = std::fs::metadata(d.home().join("token")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(std::fs::metadata(d.home()).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(std::fs::metadata(d.home().join("vault.db")).unwrap().permissions().mode() & 0o777, 0o600);
    d.stop();
    d.start();
    assert_ne!(d.token(), first);
    // The old bootstrap token is refused; the vault starts locked.
    let a = d.req("GET", "/v1/secrets/a", Some(&format!("Bearer {first}")), None);
    assert_eq!(a.status, 401);
    assert_eq!(d.req("GET", "/v1/health", None, None).json()["locked"], true);
}

#[test]
fn bad_input_gets_the_right_status_and_a_clear_message() {
    let mut d = daemon();
    d.store("ok/key", "bad-input-value");
    let long = "a".repeat(2000);
    let cases: Vec<(&str, String, u16)> = vec![
        ("GET", "/v1/secrets/..%2Fetc%2Fpasswd".into(), 400),
        ("GET", "/v1/secrets/%2e%2e/ok/key".into(), 400),
        ("GET", "/v1/secrets/ok/../ok/key".into(), 400),
        ("GET", "/v1/secrets/ok%5Ckey".into(), 400),
        ("GET", "/v1/secrets/%2Fok/key".into(), 400),
        ("GET", "/v1/secrets/ok//key".into(), 400),
        ("GET", "/v1/secrets/ok/key%00".into(), 400),
        ("GET", "/v1/secrets/ok/%C3%A9".into(), 400),
        ("GET", "/v1/secrets/ok/%FF".into(), 400),
        ("GET", "/v1/secrets/ok/".into(), 400),
        ("GET", "/v1/secrets/ok/*".into(), 400),
        ("GET", format!("/v1/secrets/{long}"), 400),
        ("PUT", "/v1/secrets/..%2Fx".into(), 400),
        ("DELETE", "/v1/secrets/%2e%2e".into(), 400),
        ("GET", "/v1/secrets?prefix=..%2F".into(), 400),
        ("PATCH", "/v1/secrets/ok/key".into(), 405),
        ("POST", "/v1/secrets/ok/key".into(), 405),
        ("DELETE", "/v1/secrets".into(), 405),
        ("GET", "/v1/unlock".into(), 405),
        ("PUT", "/v1/tokens".into(), 405),
        ("GET", "/v1/nope".into(), 404),
    ];
    for (m, p, want) in &cases {
        let a = d.owner(m, p, None);
        assert_eq!(a.status, *want, "{m} {p}: {}", String::from_utf8_lossy(&a.body));
        let msg = a.json()["error"]["message"].as_str().unwrap_or_default().to_owned();
        assert!(msg.len() > 10, "{m} {p}: no clear message");
        if *want == 405 {
            assert!(a.header("allow").is_some(), "{m} {p}: 405 without Allow");
        }
    }
    // Credentials: missing, malformed, foreign (a connection key, another vault's token).
    let foreign_vt = "hqvt_0000000000000000000000000000000000000000000000000";
    for (auth, code) in [
        (None, "missing_credentials"),
        (Some("Basic Zm9vOmJhcg=="), "malformed_credentials"),
        (Some("Bearer"), "malformed_credentials"),
        (Some("Bearer hqvt_short"), "malformed_credentials"),
        (Some("Bearer hqxc_0000000000000000000000000000000000000000000000000"), "malformed_credentials"),
        (Some(foreign_vt), "malformed_credentials"),
    ] {
        let a = d.req("GET", "/v1/secrets/ok/key", auth, None);
        assert_eq!((a.status, a.code()), (401, code.to_owned()), "{auth:?}");
        assert_eq!(a.header("www-authenticate"), Some("Bearer"));
    }
    let other = daemon();
    let a = d.req("GET", "/v1/secrets/ok/key", Some(&format!("Bearer {}", other.token())), None);
    assert_eq!((a.status, a.code().as_str()), (401, "invalid_token"), "another vault's token");
    // Bodies: not JSON, wrong shape, both values, too large.
    for (body, status) in [
        (b"not json".to_vec(), 400u16),
        (br#"{"value": 5}"#.to_vec(), 400),
        (br#"{"value": "a", "value_base64": "YQ=="}"#.to_vec(), 400),
        (br#"{"value_base64": "***"}"#.to_vec(), 400),
        (br#"{"value": "a", "type": "x\u0000"}"#.to_vec(), 400),
        (format!(r#"{{"value": "{}"}}"#, "v".repeat(1024 * 1024 + 1)).into_bytes(), 413),
        // Over the body limit of a secret's PUT (its worst JSON spelling, 6 MiB + 64 KiB).
        (vec![b'a'; 7 * 1024 * 1024], 413),
    ] {
        let h = vec![("authorization".to_owned(), format!("Bearer {}", d.token()))];
        let big = body.len() > 6 * 1024 * 1024;
        match d.try_raw("PUT", "/v1/secrets/ok/new", &h, Some(body)) {
            Ok(a) => assert_eq!(a.status, status, "{}", String::from_utf8_lossy(&a.body)),
            // Over the limit the daemon answers 413 without reading the rest, so a client still
            // sending may see the connection closed instead; either way nothing is stored (below).
            Err(e) => assert!(big, "transport error on a small body: {e}"),
        }
    }
    // A refused oversized body closes its connection and says so, so the next request is fine.
    let h = vec![("authorization".to_owned(), format!("Bearer {}", d.token()))];
    if let Ok(a) = d.try_raw("PUT", "/v1/secrets/ok/new", &h, Some(vec![b'a'; 7 * 1024 * 1024])) {
        assert_eq!(a.status, 413);
        assert_eq!(a.header("connection"), Some("close"));
    }
    // Nothing was lost or half-written by any of it.
    assert_eq!(d.owner("GET", "/v1/secrets/ok/key", None).json()["value"], "bad-input-value");
    assert_eq!(d.owner("GET", "/v1/secrets/ok/new", None).status, 404);
    d.assert_no_leaks();
}

#[test]
fn a_tampered_ciphertext_row_is_refused() {
    let mut d = daemon();
    d.store("t/one", "tamper-target-1");
    d.store("t/two", "tamper-target-2");
    let db = rusqlite::Connection::open(d.home().join("vault.db")).unwrap();
    // Flip a bit of one row; move the other's ciphertext to another path.
    let mut sealed: Vec<u8> = db.query_row("SELECT sealed FROM secrets WHERE path='t/one'", [], |r| r.get(0)).unwrap();
    sealed[30] ^= 1;
    db.execute("UPDATE secrets SET sealed=?1 WHERE path='t/one'", rusqlite::params![sealed]).unwrap();
    db.execute("UPDATE secrets SET path='t/moved' WHERE path='t/two'", []).unwrap();
    drop(db);
    for p in ["t/one", "t/moved"] {
        let a = d.owner("GET", &format!("/v1/secrets/{p}"), None);
        assert_eq!((a.status, a.code().as_str()), (409, "tampered"), "{p}");
        assert!(a.json()["error"]["message"].as_str().unwrap().contains("backup"));
    }
    d.assert_no_leaks();
}

#[test]
fn an_unwritable_audit_log_fails_the_operation_and_does_nothing() {
    let mut d = daemon();
    d.store("keep/me", "audit-fail-1");
    d.stop();
    let log = d.home().join("audit.log");
    std::fs::rename(&log, d.home().join("audit.log.saved")).unwrap();
    std::os::unix::fs::symlink("/dev/full", &log).unwrap();
    d.start();
    // Unlock needs its line: it fails, and the vault stays locked.
    let u = d.owner("POST", "/v1/unlock", Some(json!({"passphrase": PASS})));
    assert_eq!((u.status, u.code().as_str()), (503, "audit_unavailable"));
    assert_eq!(d.req("GET", "/v1/health", None, None).json()["locked"], true);
    d.stop();
    std::fs::remove_file(&log).unwrap();
    std::fs::rename(d.home().join("audit.log.saved"), &log).unwrap();
    d.start();
    d.unlock();
    assert_eq!(d.owner("GET", "/v1/secrets/keep/me", None).json()["value"], "audit-fail-1");
}

#[test]
fn every_operation_is_audited_without_values_and_the_chain_verifies() {
    let mut d = daemon();
    d.store("audit/a", "audited-value-xyz");
    d.owner("GET", "/v1/secrets/audit/a", None);
    d.req("GET", "/v1/secrets/audit/a", Some("Bearer nonsense"), None);
    let a = d.owner("GET", "/v1/audit", None);
    assert_eq!(a.status, 200);
    let lines = a.json()["lines"].as_array().unwrap().clone();
    let ops: Vec<&str> = lines.iter().map(|l| l["op"].as_str().unwrap()).collect();
    assert!(ops.contains(&"unlock") && ops.contains(&"store") && ops.contains(&"get"));
    let failed = lines.iter().find(|l| l["actor"] == "anonymous").expect("the failed authentication is audited");
    assert_eq!(failed["status"], 401);
    assert_eq!(failed["ip"], "127.0.0.1");
    let tail = d.owner("GET", &format!("/v1/audit?after={}", lines.len()), None).json();
    assert!(tail["lines"].as_array().unwrap().len() <= 1);
    let v = d.run(&["audit", "verify"], None);
    assert!(v.status.success(), "{}", text(&v));
    // Edit a line by hand: verify names it.
    let log = d.home().join("audit.log");
    let original = std::fs::read_to_string(&log).unwrap();
    let edited_at = original.lines().position(|l| l.contains("\"op\":\"store\"")).unwrap() + 1;
    let content = original.replacen("\"op\":\"store\"", "\"op\":\"stora\"", 1);
    std::fs::write(&log, content).unwrap();
    let v = d.run(&["audit", "verify"], None);
    assert!(!v.status.success());
    // The edited line's successor no longer links to it.
    assert!(text(&v).contains(&format!("line {}", edited_at + 1)), "{}", text(&v));
    d.assert_no_leaks();
}

#[test]
fn passphrase_change_rewraps_without_reencrypting() {
    let mut d = daemon();
    d.store("p/q", "rewrap-value-1");
    let before: Vec<u8> = rusqlite::Connection::open(d.home().join("vault.db"))
        .unwrap()
        .query_row("SELECT sealed FROM secrets WHERE path='p/q'", [], |r| r.get(0))
        .unwrap();
    let bad = d.owner("POST", "/v1/passphrase", Some(json!({"old": "wrong one", "new": "new passphrase 1"})));
    assert_eq!(bad.status, 401);
    let ok = d.owner("POST", "/v1/passphrase", Some(json!({"old": PASS, "new": "new passphrase 1"})));
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    let after: Vec<u8> = rusqlite::Connection::open(d.home().join("vault.db"))
        .unwrap()
        .query_row("SELECT sealed FROM secrets WHERE path='p/q'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, after, "no secret is re-encrypted");
    d.stop();
    d.start();
    assert_eq!(d.owner("POST", "/v1/unlock", Some(json!({"passphrase": PASS}))).status, 401);
    assert_eq!(d.owner("POST", "/v1/unlock", Some(json!({"passphrase": "new passphrase 1"}))).status, 200);
    assert_eq!(d.owner("GET", "/v1/secrets/p/q", None).json()["value"], "rewrap-value-1");
}
