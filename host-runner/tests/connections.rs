//! Local External Connections: the shared scenario file `tests/scenarios/connections.json` (the
//! Worker runs the same file), the lifecycle, paging, and the audit of every read.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use common::*;
use serde_json::{Value, json};

fn scenarios() -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios/connections.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Seed the files, create the connections, revoke and rotate as the scenario file says.
fn setup(d: &Daemon, s: &Value) -> HashMap<String, String> {
    let root = d.home().join("files");
    for (key, content) in s["files"].as_object().unwrap() {
        let p = root.join(key);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content.as_str().unwrap()).unwrap();
    }
    let mut keys = HashMap::new();
    let mut ids = HashMap::new();
    for (name, patterns) in s["connections"].as_object().unwrap() {
        let a = d.owner("POST", "/v1/connections", Some(json!({"name": name, "patterns": patterns})));
        assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
        keys.insert(format!("key:{name}"), a.json()["key"].as_str().unwrap().to_owned());
        ids.insert(name.clone(), a.json()["connection"]["id"].as_str().unwrap().to_owned());
    }
    keys.insert("revoked".into(), keys["key:revoked"].clone());
    assert_eq!(d.owner("POST", &format!("/v1/connections/{}/revoke", ids["revoked"]), None).status, 200);
    keys.insert("rotated-old".into(), keys["key:rotated"].clone());
    let r = d.owner("POST", &format!("/v1/connections/{}/rotate", ids["rotated"]), None);
    assert_eq!(r.status, 200);
    keys.insert("rotated-new".into(), r.json()["key"].as_str().unwrap().to_owned());
    // Agent identities: created, logged in, then revoked and rotated as the file says.
    for (name, ident) in s["identities"].as_object().unwrap() {
        let body = json!({"name": name, "patterns": ident["patterns"], "mechanism": "agent_identity",
                          "public_key": ident["public_key"]});
        let a = d.owner("POST", "/v1/connections", Some(body));
        assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
        assert!(a.json().get("key").is_none(), "nothing secret is shown for an agent identity");
        let id = a.json()["connection"]["id"].as_str().unwrap().to_owned();
        let (status, session) = login(d, s, &id, name, None, false);
        assert_eq!(status, 200, "{name} logs in");
        keys.insert(format!("session:{name}"), session["session"].as_str().unwrap().to_owned());
        ids.insert(name.clone(), id);
    }
    assert_eq!(d.owner("POST", &format!("/v1/connections/{}/revoke", ids["agent-revoked"]), None).status, 200);
    let to = &s["identities"]["agent-rotated"]["rotate_to"];
    let r = d.owner(
        "POST",
        &format!("/v1/connections/{}/rotate", ids["agent-rotated"]),
        Some(json!({"public_key": to["public_key"]})),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let (status, session) = login(d, s, &ids["agent-rotated"], to["signer"].as_str().unwrap(), None, false);
    assert_eq!(status, 200);
    keys.insert("session:agent-rotated-new".into(), session["session"].as_str().unwrap().to_owned());
    for (k, v) in ids {
        keys.insert(format!("id:{k}"), v);
    }
    keys
}

/// Challenge, sign with `signer`'s seed, verify (twice when `replay`): the status and body of the
/// last answer, or of the challenge when it is refused.
fn login(d: &Daemon, s: &Value, id: &str, signer: &str, bearer: Option<&str>, replay: bool) -> (u16, Value) {
    use base64::Engine as _;
    use ed25519_dalek::Signer as _;
    let mut headers = Vec::new();
    if let Some(b) = bearer {
        headers.push(("authorization".into(), format!("Bearer {b}")));
    }
    let post = |path: &str, body: Value| d.raw("POST", path, &headers, Some(body.to_string().into_bytes()));
    let ch = post("/v1/connections/auth/challenge", json!({"connection_id": id}));
    if ch.status != 200 {
        return (ch.status, ch.json());
    }
    let nonce = ch.json()["nonce"].as_str().unwrap().to_owned();
    let seed: [u8; 32] = hex_seed(s["signers"][signer].as_str().unwrap());
    let sig = ed25519_dalek::SigningKey::from_bytes(&seed).sign(format!("hq-vault-auth-v1{nonce}{id}").as_bytes());
    let body = json!({"connection_id": id, "nonce": nonce,
                      "signature": base64::engine::general_purpose::STANDARD.encode(sig.to_bytes())});
    let mut v = post("/v1/connections/auth/verify", body.clone());
    if replay {
        assert_eq!(v.status, 200, "the first answer of a replayed login");
        v = post("/v1/connections/auth/verify", body);
    }
    (v.status, v.json())
}

fn hex_seed(h: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// The shared login cases: each answer's status and code.
fn run_logins(d: &Daemon, s: &Value, keys: &HashMap<String, String>) -> Vec<String> {
    let mut failures = Vec::new();
    for l in s["logins"].as_array().unwrap() {
        let (id, own) = match (l["identity"].as_str(), l["connection"].as_str()) {
            (Some(n), _) => (keys[&format!("id:{n}")].clone(), n.to_owned()),
            (None, Some(c)) => (keys[&format!("id:{c}")].clone(), "stranger".to_owned()),
            _ => panic!("a login case names an identity or a connection"),
        };
        let signer = l["sign_with"].as_str().unwrap_or(&own);
        let bearer = l["bearer"].as_str().map(|b| keys[b].as_str());
        let (status, body) = login(d, s, &id, signer, bearer, l["replay"] == true);
        let e = &l["expect"];
        let code = body["error"]["code"].as_str();
        if e["status"].as_u64() != Some(u64::from(status)) || e["code"].as_str().is_some_and(|c| Some(c) != code) {
            failures.push(format!("{}: expected {e}, got {status} {body}", l["id"]));
        }
    }
    failures
}

fn run_case(d: &Daemon, keys: &HashMap<String, String>, c: &Value) -> Result<(), String> {
    let route = if c["route"] == "object" { "/v1/connections/files/object" } else { "/v1/connections/files" };
    let q = c["query"].as_str().unwrap();
    let path = if q.is_empty() { route.to_owned() } else { format!("{route}?{q}") };
    let mut headers: Vec<(String, String)> = Vec::new();
    let auth = c["auth"].as_str().unwrap();
    if let Some(raw) = auth.strip_prefix("raw:") {
        headers.push(("authorization".into(), raw.into()));
    } else if auth != "none" {
        headers.push(("authorization".into(), format!("Bearer {}", keys[auth])));
    }
    if let Some(h) = c["headers"].as_object() {
        for (k, v) in h {
            headers.push((k.clone(), v.as_str().unwrap().to_owned()));
        }
    }
    let a = d.raw(c["method"].as_str().unwrap(), &path, &headers, None);
    let e = &c["expect"];
    let body = String::from_utf8_lossy(&a.body).to_string();
    let fail = |what: String| {
        Err(format!("{}: {what}; got {} {}", c["id"], a.status, body.chars().take(300).collect::<String>()))
    };
    if e["status"].as_u64() != Some(a.status as u64) {
        return fail(format!("status {} expected", e["status"]));
    }
    if let Some(code) = e["code"].as_str()
        && a.code() != code
    {
        return fail(format!("code {code} expected"));
    }
    if let Some(want) = e["keys"].as_array() {
        let got: Vec<Value> =
            a.json()["objects"].as_array().cloned().unwrap_or_default().iter().map(|o| o["key"].clone()).collect();
        if &got != want {
            return fail(format!("keys {want:?} expected"));
        }
    }
    if let Some(want) = e["prefixes"].as_array()
        && a.json()["prefixes"].as_array() != Some(want)
    {
        return fail(format!("prefixes {want:?} expected"));
    }
    if let Some(t) = e["truncated"].as_bool()
        && (a.json()["truncated"].as_bool() != Some(t) || a.json()["cursor"].is_string() != t)
    {
        return fail(format!("truncated {t} (and a cursor exactly then) expected"));
    }
    if let Some(b) = e["body"].as_str()
        && body != b
    {
        return fail(format!("body {b:?} expected"));
    }
    if e["no_body"] == true && !a.body.is_empty() {
        return fail("no body expected".into());
    }
    if let Some(h) = e["headers"].as_object() {
        for (k, v) in h {
            if a.header(k) != v.as_str() {
                return fail(format!("header {k}: {v} expected, got {:?}", a.header(k)));
            }
        }
    }
    if a.status >= 400 && a.status != 416 {
        let j = a.json();
        if !j["error"]["request_id"].is_string() || !j["error"]["message"].is_string() {
            return fail("the error shape {error:{code,message,request_id}} expected".into());
        }
    }
    for (_, k) in keys.iter().filter(|(n, _)| !n.starts_with("id:")) {
        if body.contains(k.as_str()) {
            return fail("a credential was echoed".into());
        }
    }
    Ok(())
}

#[test]
fn the_shared_scenarios_pass_on_the_daemon() {
    let d = daemon();
    let s = scenarios();
    let keys = setup(&d, &s);
    let cases = s["cases"].as_array().unwrap();
    assert!(cases.len() >= 150);
    let log_len = || std::fs::read_to_string(d.home().join("audit.log")).unwrap().lines().count();
    let mut failures: Vec<String> = Vec::new();
    for c in cases {
        let before = log_len();
        if let Err(e) = run_case(&d, &keys, c) {
            failures.push(e);
        }
        // Exactly one audit line per read, allowed or denied.
        if log_len() != before + 1 {
            failures.push(format!("{}: {} audit lines written, 1 expected", c["id"], log_len() - before));
        }
    }
    failures.extend(run_logins(&d, &s, &keys));
    assert!(failures.is_empty(), "{} of {} scenarios failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    // Never a key in the audit file or the database.
    let log = std::fs::read_to_string(d.home().join("audit.log")).unwrap();
    for (_, k) in keys.iter().filter(|(n, _)| !n.starts_with("id:")) {
        assert!(!log.contains(k.as_str()), "a connection key reached the audit log");
        let r = d.home().join("vault.db");
        let db = std::fs::read(&r).unwrap();
        assert!(!db.windows(k.len()).any(|w| w == k.as_bytes()), "a connection key reached vault.db");
    }
}

#[test]
fn paging_walks_every_key_exactly_once() {
    let d = daemon();
    let root = d.home().join("files");
    for i in 0..57 {
        let p = root.join(format!("docs/{:03}/{i}.md", i % 7));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, format!("{i}")).unwrap();
    }
    std::fs::create_dir_all(root.join("private")).unwrap();
    std::fs::write(root.join("private/no.md"), "no").unwrap();
    let c = d
        .owner("POST", "/v1/connections", Some(json!({"name": "pager", "patterns": ["docs/", "private/none"]})))
        .json();
    let key = format!("Bearer {}", c["key"].as_str().unwrap());
    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let q = match &cursor {
            Some(cur) => format!("/v1/connections/files?path=&limit=10&cursor={cur}"),
            None => "/v1/connections/files?path=&limit=10".to_owned(),
        };
        let a = d.req("GET", &q, Some(&key), None);
        assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
        let j = a.json();
        for o in j["objects"].as_array().unwrap() {
            seen.push(o["key"].as_str().unwrap().to_owned());
        }
        pages += 1;
        match j["cursor"].as_str() {
            Some(cur) => cursor = Some(cur.to_owned()),
            None => break,
        }
        assert!(pages < 20);
    }
    assert_eq!(pages, 6);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 57, "every key once");
    assert_eq!(seen, sorted, "in key order");
    assert!(seen.iter().all(|k| k.starts_with("docs/")));
    // Delimited paging over folders.
    let a = d.req("GET", "/v1/connections/files?path=docs/&delimiter=/&limit=3", Some(&key), None).json();
    assert_eq!(a["prefixes"].as_array().unwrap().len(), 3);
    let next = a["cursor"].as_str().unwrap();
    let b = d
        .req("GET", &format!("/v1/connections/files?path=docs/&delimiter=/&limit=10&cursor={next}"), Some(&key), None)
        .json();
    assert_eq!(b["prefixes"].as_array().unwrap().len(), 4);
    assert_eq!(b["cursor"], Value::Null);
}

#[test]
fn lifecycle_rotate_revoke_and_per_connection_audit() {
    let d = daemon();
    std::fs::create_dir_all(d.home().join("files/knowledge")).unwrap();
    std::fs::write(d.home().join("files/knowledge/a.md"), "alpha").unwrap();
    // Every rejected pattern comes back with its reason.
    let bad = d.owner(
        "POST",
        "/v1/connections",
        Some(json!({"name": "x", "patterns": ["ok/", "/abs", "a/*/b", "caf\u{e9}"]})),
    );
    assert_eq!(bad.status, 400);
    let rej = bad.json()["error"]["rejections"].as_array().unwrap().clone();
    let reasons: Vec<&str> = rej.iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["leading-slash", "misplaced-star", "non-ascii"]);
    assert_eq!(d.owner("POST", "/v1/connections", Some(json!({"name": "x", "patterns": []}))).status, 400);

    let c = d.owner("POST", "/v1/connections", Some(json!({"name": "docs-bot", "patterns": ["knowledge/"]})));
    assert_eq!(c.status, 201);
    let j = c.json();
    assert_eq!(j["connection"]["patterns"], json!(["knowledge/*"]));
    assert!(j["snippet"].as_str().unwrap().contains("const FOLDER = \"knowledge/\";"));
    assert!(j["snippet"].as_str().unwrap().contains(&format!("const BASE = \"{}\";", d.url)), "BASE is this daemon");
    let id = j["connection"]["id"].as_str().unwrap().to_owned();
    let k1 = format!("Bearer {}", j["key"].as_str().unwrap());
    // Lists and gets never show a key or its reference.
    let listed = d.owner("GET", "/v1/connections", None);
    let one = d.owner("GET", &format!("/v1/connections/{id}"), None);
    for a in [&listed, &one] {
        let t = String::from_utf8_lossy(&a.body);
        assert!(!t.contains("hqxc_") && !t.contains("key_ref"), "{t}");
    }
    let obj = "/v1/connections/files/object?path=knowledge/a.md";
    assert_eq!(d.req("GET", obj, Some(&k1), None).status, 200);
    let r = d.owner("POST", &format!("/v1/connections/{id}/rotate"), None).json();
    let k2 = format!("Bearer {}", r["key"].as_str().unwrap());
    assert_eq!(r["connection"]["id"], id.as_str(), "rotate keeps the id");
    assert_eq!(d.req("GET", obj, Some(&k1), None).status, 403, "the old key is refused on its next read");
    assert_eq!(d.req("GET", obj, Some(&k2), None).status, 200);
    assert_eq!(
        d.owner("POST", &format!("/v1/connections/{id}/revoke"), None).json()["connection"]["status"],
        "revoked"
    );
    assert_eq!(d.req("GET", obj, Some(&k2), None).status, 403);
    assert_eq!(d.owner("POST", &format!("/v1/connections/{id}/rotate"), None).status, 409);
    // The audit stays, newest first: the refused read, then the allowed one, ...
    let a = d.owner("GET", &format!("/v1/connections/{id}/audit"), None).json();
    let ev = a["events"].as_array().unwrap();
    assert_eq!(ev.len(), 3, "{a}");
    assert_eq!(
        (ev[0]["status"].as_u64(), ev[1]["status"].as_u64(), ev[2]["status"].as_u64()),
        (Some(403), Some(200), Some(200))
    );
    assert_eq!(ev[1]["path"], "knowledge/a.md");
    assert_eq!(ev[1]["ip"], "127.0.0.1");
    assert!(ev[1]["request_id"].as_str().unwrap().starts_with("req_"));
    // Unknown ids and wrong methods.
    assert_eq!(d.owner("GET", "/v1/connections/conn_0000000000000000", None).status, 404);
    let malformed = d.owner("GET", "/v1/connections/conn_nope", None);
    assert_eq!((malformed.status, malformed.code()), (400, "bad_connection_id".to_owned()));
    assert_eq!(d.owner("DELETE", &format!("/v1/connections/{id}"), None).status, 405);
    // Managed tokens cannot manage connections.
    let t = d.owner("POST", "/v1/tokens", Some(json!({"name": "reader"}))).json();
    let tok = format!("Bearer {}", t["token"].as_str().unwrap());
    assert_eq!(d.req("GET", "/v1/connections", Some(&tok), None).status, 403);
}

#[test]
fn a_large_object_streams_whole_and_in_ranges() {
    let d = daemon();
    let root = d.home().join("files/big");
    std::fs::create_dir_all(&root).unwrap();
    let data: Vec<u8> = (0..(20 * 1024 * 1024u32)).map(|i| (i % 251) as u8).collect();
    std::fs::write(root.join("blob.bin"), &data).unwrap();
    let c = d.owner("POST", "/v1/connections", Some(json!({"name": "big", "patterns": ["big/"]}))).json();
    let key = format!("Bearer {}", c["key"].as_str().unwrap());
    let a = d.req("GET", "/v1/connections/files/object?path=big/blob.bin", Some(&key), None);
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-length"), Some("20971520"));
    assert!(a.body == data, "the streamed body equals the file");
    let etag = a.header("etag").unwrap().to_owned();
    let h = vec![("authorization".to_owned(), key.clone()), ("if-none-match".to_owned(), etag)];
    assert_eq!(d.raw("GET", "/v1/connections/files/object?path=big/blob.bin", &h, None).status, 304);
    let h = vec![("authorization".to_owned(), key), ("range".to_owned(), "bytes=10485760-10485769".to_owned())];
    let r = d.raw("GET", "/v1/connections/files/object?path=big/blob.bin", &h, None);
    assert_eq!(r.status, 206);
    assert_eq!(r.body, data[10_485_760..10_485_770]);
}

#[test]
fn a_symlink_never_leads_out_of_the_files_root() {
    let d = daemon();
    let outside = d.dir.path().join("outside.txt");
    std::fs::write(&outside, "outside the root").unwrap();
    std::fs::create_dir_all(d.home().join("files/k")).unwrap();
    std::os::unix::fs::symlink(&outside, d.home().join("files/k/link.txt")).unwrap();
    let c = d.owner("POST", "/v1/connections", Some(json!({"name": "all", "patterns": ["*"]}))).json();
    let key = format!("Bearer {}", c["key"].as_str().unwrap());
    assert_eq!(d.req("GET", "/v1/connections/files/object?path=k/link.txt", Some(&key), None).status, 404);
    let l = d.req("GET", "/v1/connections/files?path=k/", Some(&key), None);
    assert_eq!(l.json()["objects"], json!([]));
}
