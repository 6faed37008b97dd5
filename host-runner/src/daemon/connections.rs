//! Local External Connections lifecycle: `POST|GET /v1/connections`, `GET /v1/connections/{id}`,
//! `POST …/{id}/rotate`, `POST …/{id}/revoke`, `GET …/{id}/audit`. Owner (bootstrap token) only.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use hq_vault_core::audit::Outcome;
use hq_vault_core::gate::ConnectionStatus;
use hq_vault_core::tokens::TokenKind;
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use serde_json::{Value, json};

use super::Daemon;
use super::http::{self, Body, Ctx};
use super::requests::ConnectionCreateBody;
use crate::store::ConnectionRow;

fn view(c: &ConnectionRow) -> Value {
    json!({
        "id": c.record.id,
        "name": c.name,
        "patterns": c.record.patterns,
        "status": match c.record.status { ConnectionStatus::Active => "active", ConnectionStatus::Revoked => "revoked" },
        "mechanism": "api_key",
        "created_ms": c.created_ms,
        "rotated_ms": c.rotated_ms,
    })
}

/// The snippet's `BASE`: the daemon's own listening address, never a request header. A `Host`
/// header is the caller's to choose (`127.0.0.1:1@evil.example`, or a quote that ends the string
/// the snippet puts it in); the socket's address is not. A daemon bound to every address
/// (`0.0.0.0`, `::`) is named by the loopback address of that family, which its certificate covers.
fn snippet_base(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("https://{}", SocketAddr::new(ip, addr.port()))
}

fn mint(d: &Daemon) -> anyhow::Result<(hq_vault_core::secret::SecretString, String)> {
    d.core(|i| {
        let t = i.mint(TokenKind::ConnectionKey)?;
        let r = i.reference(t.expose_secret())?;
        Ok((t, r))
    })
}

pub async fn create(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>) -> Response<Body> {
    let op = "connection-create";
    if let Err(r) = d.authenticate_owner(ctx, &req, op).await {
        return r;
    }
    let body: ConnectionCreateBody = match http::read_json(ctx, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    if body.name.trim().is_empty() || body.name.len() > 128 || body.name.chars().any(char::is_control) {
        return http::error(ctx, 400, "bad_name", "a connection name is 1-128 characters without control characters");
    }
    if body.mechanism.as_deref().is_some_and(|m| m != "api_key") {
        return http::error(ctx, 400, "bad_mechanism", "the local daemon offers the api_key mechanism only");
    }
    // Every rejected pattern with its reason, then the whole allowlist's rules.
    let mut rejections = Vec::new();
    for (i, p) in body.patterns.iter().enumerate() {
        match d.core(|inst| inst.normalize(p)) {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => rejections.push(json!({"index": i, "pattern": p.escape_default().to_string(), "reason": e.code(), "message": e.to_string()})),
            Err(_) => return http::internal(ctx, "checking patterns"),
        }
    }
    if !rejections.is_empty() {
        let mut r = http::error(ctx, 400, "bad_patterns", &format!("{} pattern(s) rejected", rejections.len()));
        let body = json!({"error": {"code": "bad_patterns", "message": format!("{} pattern(s) rejected", rejections.len()),
                                    "request_id": ctx.request_id, "rejections": rejections}});
        *r.body_mut() = http::full(body.to_string());
        return r;
    }
    let patterns = match d.core(|i| i.normalize_all(&body.patterns)) {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return http::error(ctx, 400, "bad_patterns", &e.to_string()),
        Err(_) => return http::internal(ctx, "checking patterns"),
    };
    let Ok((key, key_ref)) = mint(d) else {
        return http::internal(ctx, "minting the key");
    };
    let mut id = [0u8; 8];
    let _ = getrandom::fill(&mut id);
    let row = ConnectionRow {
        record: hq_vault_core::gate::ConnectionRecord {
            id: format!("conn_{}", hex::encode(id)),
            company_id: "local".into(),
            status: ConnectionStatus::Active,
            key_ref,
            patterns,
            company_enabled: true,
        },
        name: body.name,
        created_ms: ctx.now_ms,
        rotated_ms: None,
    };
    if d.audit.record(d.event(ctx, "bootstrap", op, None, Outcome::Allowed, 201, Some(&row.record.id))).await.is_err() {
        return http::audit_failed(ctx);
    }
    if d.db(|s| s.insert_connection(&row)).is_err() {
        return http::internal(ctx, "writing vault.db");
    }
    let base = snippet_base(d.listen_addr);
    let root = &d.files_root_path;
    let folder = hq_vault_core::gate::snippet_folder(&row.record.patterns);
    let files_from = format!("{}", root.join(&folder).display());
    let ca = std::fs::canonicalize(d.home.ca_cert()).unwrap_or_else(|_| d.home.ca_cert());
    let ca = ca.to_string_lossy();
    let snippet = hq_vault_core::gate::agent_snippet(&hq_vault_core::gate::SnippetOptions {
        base: &base,
        patterns: &row.record.patterns,
        ca_file: Some(&ca),
        files_from: &files_from,
    });
    // How many files the connection may read now: none means the person has yet to put some there.
    let keys: Vec<String> = d.files_root.walk().into_keys().collect();
    let readable = d.core(|i| {
        let mut n = 0u64;
        for k in &keys {
            if i.allows(&row.record.patterns, k)? {
                n += 1;
            }
        }
        Ok(n)
    });
    let Ok(readable) = readable else {
        return http::internal(ctx, "checking the files root");
    };
    http::json(
        ctx,
        201,
        &json!({"connection": view(&row), "key": key.expose_secret(), "snippet": snippet,
        "files": {"root": root.to_string_lossy(), "folder": folder, "readable": readable},
        "note": "the key is shown once: store it where your agent reads HQ_CONNECTION_KEY; rotate if it is lost"}),
    )
}

pub async fn list(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = d.authenticate_owner(ctx, &req, "connection-list").await {
        return r;
    }
    match d.db(|s| s.list_connections()) {
        Ok(rows) => http::json(ctx, 200, &json!({"connections": rows.iter().map(view).collect::<Vec<_>>()})),
        _ => http::internal(ctx, "reading vault.db"),
    }
}

pub async fn by_id(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>, rest: &str) -> Response<Body> {
    let (id, action) = match rest.split_once('/') {
        Some((id, a)) => (id.to_owned(), a.to_owned()),
        None => (rest.to_owned(), String::new()),
    };
    let method = req.method().clone();
    let op = match (action.as_str(), &method) {
        ("", &Method::GET) => "connection-get",
        ("rotate", &Method::POST) => "connection-rotate",
        ("revoke", &Method::POST) => "connection-revoke",
        ("audit", &Method::GET) => "connection-audit",
        ("", _) | ("audit", _) => return http::method_not_allowed(ctx, "GET"),
        ("rotate" | "revoke", _) => return http::method_not_allowed(ctx, "POST"),
        _ => return http::error(ctx, 404, "not_found", "no such route"),
    };
    if let Err(r) = d.authenticate_owner(ctx, &req, op).await {
        return r;
    }
    let row = match d.db(|s| s.connection(&id)) {
        Ok(Some(r)) => r,
        Ok(None) => return http::error(ctx, 404, "not_found", "no connection with this id"),
        _ => return http::internal(ctx, "reading vault.db"),
    };
    match op {
        "connection-get" => http::json(ctx, 200, &json!({"connection": view(&row)})),
        "connection-rotate" => {
            if row.record.status == ConnectionStatus::Revoked {
                return http::error(ctx, 409, "revoked", "a revoked connection cannot be rotated: create a new one");
            }
            let Ok((key, key_ref)) = mint(d) else {
                return http::internal(ctx, "minting the key");
            };
            if d.audit.record(d.event(ctx, "bootstrap", op, None, Outcome::Allowed, 200, Some(&id))).await.is_err() {
                return http::audit_failed(ctx);
            }
            match d.db(|s| s.rotate_connection(&id, &key_ref, ctx.now_ms)) {
                Ok(true) => {}
                _ => return http::internal(ctx, "writing vault.db"),
            }
            let row = d.db(|s| s.connection(&id)).ok().flatten().unwrap_or(row);
            http::json(
                ctx,
                200,
                &json!({"connection": view(&row), "key": key.expose_secret(),
                "note": "the old key is refused from its next read"}),
            )
        }
        "connection-revoke" => {
            if d.audit.record(d.event(ctx, "bootstrap", op, None, Outcome::Allowed, 200, Some(&id))).await.is_err() {
                return http::audit_failed(ctx);
            }
            match d.db(|s| s.revoke_connection(&id)) {
                Ok(_) => {}
                _ => return http::internal(ctx, "writing vault.db"),
            }
            let row = d.db(|s| s.connection(&id)).ok().flatten().unwrap_or(row);
            http::json(ctx, 200, &json!({"connection": view(&row)}))
        }
        _ => connection_audit(d, ctx, &req, &id),
    }
}

/// The connection's reads, newest first, 100 a page; `cursor` is the number of events skipped.
fn connection_audit(d: &Daemon, ctx: &Ctx, req: &Request<Incoming>, id: &str) -> Response<Body> {
    let q = match http::query(req) {
        Ok(q) => q,
        Err(m) => return http::error(ctx, 400, "bad_query", m),
    };
    let skip: usize = match http::param(&q, "cursor").map(str::parse) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            return http::error(ctx, 400, "bad_cursor", "the cursor is not one this API returned");
        }
    };
    let Ok(lines) = crate::audit_log::read_lines(&d.home.audit_log()) else {
        return http::internal(ctx, "reading audit.log");
    };
    let mine: Vec<Value> = lines
        .iter()
        .rev()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["actor"] == id && (v["op"] == "list" || v["op"] == "get"))
        .collect();
    let page: Vec<Value> = mine.iter().skip(skip).take(100).cloned().collect();
    let next = (skip + page.len() < mine.len()).then(|| (skip + page.len()).to_string());
    http::json(ctx, 200, &json!({"events": page, "cursor": next}))
}
