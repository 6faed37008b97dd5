//! Local External Connections lifecycle: `POST|GET /v1/connections`, `GET /v1/connections/{id}`,
//! `POST …/{id}/rotate`, `POST …/{id}/revoke`, `GET …/{id}/audit`. The acts behind the pipeline;
//! the core admitted the request (owner only) and decides the answer.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{Value, json};

use super::Daemon;
use super::http::{self, Body};
use super::pipeline::{self, Acted, Call, Success};
use super::requests::{ConnectionCreateBody, RotateBody};
use crate::host::SecretString;
use crate::host::wit::gate::{ConnectionRecord, ConnectionStatus, SnippetOptions};
use crate::host::wit::policy::{Effect, InputKind};
use crate::host::wit::tokens::TokenKind;
use crate::store::ConnectionRow;

fn view(c: &ConnectionRow) -> Value {
    json!({
        "id": c.record.id,
        "name": c.name,
        "patterns": c.record.patterns,
        "status": match c.record.status { ConnectionStatus::Active => "active", ConnectionStatus::Revoked => "revoked" },
        "mechanism": if c.public_key.is_some() { "agent_identity" } else { "api_key" },
        "public_key": c.public_key,
        "created_ms": c.created_ms,
        "rotated_ms": c.rotated_ms,
    })
}

/// An agent's public key from a request body, checked by the component; its reference.
fn identity_key(call: &Call, public_key: Option<&str>) -> Result<String, Box<Acted>> {
    let Some(k) = public_key else {
        return Err(Box::new(Acted::input(
            InputKind::BadMechanism,
            "agent_identity needs public_key: the agent's Ed25519 public key, 32 bytes in standard base64",
        )));
    };
    match call.core(|i| i.check_public_key(k)) {
        Ok(Ok(bytes)) => {
            call.core(|i| i.key_reference(&bytes)).map_err(|_| Box::new(Acted::internal("checking the public key")))
        }
        Ok(Err(e)) => match call.core(|i| i.describe_key_error(e)) {
            Ok(why) => Err(Box::new(Acted::input(
                InputKind::BadMechanism,
                format!("public_key: {why}; send the agent's Ed25519 public key, 32 bytes in standard base64"),
            ))),
            Err(_) => Err(Box::new(Acted::internal("checking the public key"))),
        },
        Err(_) => Err(Box::new(Acted::internal("checking the public key"))),
    }
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

fn mint(call: &Call) -> anyhow::Result<(SecretString, String)> {
    call.core(|i| {
        let t = i.mint(TokenKind::ConnectionKey)?;
        let r = i.reference(t.expose_secret())?;
        Ok((t, r))
    })
}

pub async fn create(d: &Arc<Daemon>, call: Call, req: Request<Incoming>) -> Response<Body> {
    let body: ConnectionCreateBody = match pipeline::body(req, http::MAX_BODY, "the request body is over 2 MiB").await {
        Ok(b) => b,
        Err(a) => return d.finish(&call, a).await,
    };
    // The core checks the name, the mechanism and every pattern (each rejection with its reason).
    let patterns =
        match call.core(|i| i.check_connection_request(&body.name, body.mechanism.as_deref(), &body.patterns)) {
            Ok(Ok(p)) => p,
            Ok(Err(p)) => return d.finish(&call, Acted::failed(Effect::BadInput(p))).await,
            Err(_) => return d.finish(&call, Acted::internal("checking the connection request")).await,
        };
    let is_identity = body.mechanism.as_deref() == Some("agent_identity");
    let (key, key_ref) = if is_identity {
        match identity_key(&call, body.public_key.as_deref()) {
            Ok(r) => (None, r),
            Err(a) => return d.finish(&call, *a).await,
        }
    } else if body.public_key.is_some() {
        let a = Acted::input(
            InputKind::BadMechanism,
            "public_key is for the agent_identity mechanism: an api_key connection gets a minted key",
        );
        return d.finish(&call, a).await;
    } else {
        let Ok((key, key_ref)) = mint(&call) else {
            return d.finish(&call, Acted::internal("minting the key")).await;
        };
        (Some(key), key_ref)
    };
    let mut id = [0u8; 8];
    if getrandom::fill(&mut id).is_err() {
        return d.finish(&call, Acted::internal("drawing the connection id")).await;
    }
    let row = ConnectionRow {
        record: ConnectionRecord {
            id: format!("conn_{}", hex::encode(id)),
            company_id: "local".into(),
            status: ConnectionStatus::Active,
            key_ref,
            patterns,
            company_enabled: true,
        },
        name: body.name,
        created_ms: call.ctx.now_ms,
        rotated_ms: None,
        public_key: if is_identity { body.public_key } else { None },
    };
    let base = snippet_base(d.listen_addr);
    let root = d.files_root_path.clone();
    // What precedes a key in the files root, for the words of where files go.
    let files_root = format!("{}/", root.display().to_string().trim_end_matches('/'));
    let ca = std::fs::canonicalize(d.home.ca_cert()).unwrap_or_else(|_| d.home.ca_cert());
    let ca = ca.to_string_lossy().into_owned();
    // The core writes the snippet (an API key's, or an agent identity's sign-in and read) and
    // names the folder it lists.
    let snippet = call.core(|i| {
        let folder = i.snippet_folder(&row.record.patterns)?;
        let options = SnippetOptions {
            base,
            patterns: row.record.patterns.clone(),
            ca_file: Some(ca),
            files_root: files_root.clone(),
        };
        let snippet = match &key {
            Some(_) => i.agent_snippet(&options)?,
            None => i.identity_snippet(&options, &row.record.id)?,
        };
        Ok((folder, snippet))
    });
    let Ok((folder, snippet)) = snippet else {
        return d.finish(&call, Acted::internal("writing the agent snippet")).await;
    };
    // How many files the connection may read now, in all and by pattern: a pattern with none is
    // told where its files go, in the core's words for that pattern.
    let keys: Vec<String> = d.files_root.walk().into_keys().collect();
    let counted = call.core(|i| {
        let mut all = 0u64;
        let mut each = vec![0u64; row.record.patterns.len()];
        for k in &keys {
            if i.allows(&row.record.patterns, k)? {
                all += 1;
                for (n, p) in each.iter_mut().zip(&row.record.patterns) {
                    if i.allows(std::slice::from_ref(p), k)? {
                        *n += 1;
                    }
                }
            }
        }
        Ok((all, each))
    });
    let Ok((readable, each)) = counted else {
        return d.finish(&call, Acted::internal("checking the files root")).await;
    };
    let places = call.core(|i| {
        row.record.patterns.iter().map(|p| i.pattern_place(p, &files_root)).collect::<wasmtime::Result<Vec<_>>>()
    });
    let Ok(places) = places else {
        return d.finish(&call, Acted::internal("wording where files go")).await;
    };
    let by_pattern: Vec<Value> = row
        .record
        .patterns
        .iter()
        .zip(each)
        .zip(places)
        .map(|((p, n), place)| json!({"pattern": p, "readable": n, "place": place}))
        .collect();
    d.transact(call, move |_, call, store| {
        // A name names one active connection (the CLI takes a name where it takes an id): the
        // core compares names.
        let active: Vec<String> = match store.list_connections() {
            Ok(rows) => rows.into_iter().filter(|c| c.record.status == ConnectionStatus::Active).map(|c| c.name).collect(),
            Err(_) => return Ok(Acted::internal("reading vault.db")),
        };
        match call.core(|i| i.connection_name_taken(&row.name, &active)) {
            Ok(true) => return Ok(Acted::failed(Effect::NameTaken).with_subject(row.name.clone())),
            Ok(false) => {}
            Err(_) => return Ok(Acted::internal("comparing connection names")),
        }
        let stored = store.insert_connection(&row).and_then(|()| match &row.public_key {
            Some(k) => store.set_public_key(&row.record.id, k),
            None => Ok(()),
        });
        let mut answer = json!({"connection": view(&row), "snippet": snippet,
            "files": {"root": root.to_string_lossy(), "folder": folder, "readable": readable,
                      "patterns": by_pattern}});
        match &key {
            Some(k) => {
                answer["key"] = json!(k.expose_secret());
                answer["note"] = json!("the key is shown once: store it where your agent reads HQ_CONNECTION_KEY; rotate if it is lost");
            }
            None => {
                answer["note"] = json!("nothing secret is shown: the agent signs in with its private key (PKCS#8, base64, in HQ_AGENT_KEY) for a 1 h session");
            }
        }
        Ok(match stored {
            Ok(()) => Acted::done(Effect::Done, Success::Json(answer)).with_subject(row.record.id.clone()),
            Err(_) => Acted::internal("writing vault.db"),
        })
    })
    .await
}

pub async fn list(d: &Arc<Daemon>, call: Call) -> Response<Body> {
    let acted = match d.db(|s| s.list_connections()) {
        Ok(rows) => {
            Acted::done(Effect::Done, Success::Json(json!({"connections": rows.iter().map(view).collect::<Vec<_>>()})))
        }
        Err(_) => Acted::internal("reading vault.db"),
    };
    d.finish(&call, acted).await
}

pub async fn get(d: &Arc<Daemon>, call: Call) -> Response<Body> {
    let acted = match d.db(|s| s.connection(call.target())) {
        Ok(Some(row)) => Acted::done(Effect::Done, Success::Json(json!({"connection": view(&row)}))),
        Ok(None) => Acted::failed(Effect::NotFound),
        Err(_) => Acted::internal("reading vault.db"),
    };
    d.finish(&call, acted).await
}

/// `POST /v1/connections/{id}/rotate`: an API-key connection with no body, an agent identity with
/// `{"public_key"}` (its new key; the old key's sessions end).
pub async fn rotate(d: &Arc<Daemon>, call: Call, req: Request<Incoming>) -> Response<Body> {
    let has_body = req.headers().contains_key(hyper::header::CONTENT_TYPE)
        || req.headers().get(hyper::header::CONTENT_LENGTH).is_some_and(|l| l != "0");
    let new_key = if has_body {
        let body: RotateBody = match pipeline::body(req, http::MAX_BODY, "the request body is over 2 MiB").await {
            Ok(b) => b,
            Err(a) => return d.finish(&call, a).await,
        };
        match body.public_key {
            Some(k) => match identity_key(&call, Some(&k)) {
                Ok(key_ref) => Some((k, key_ref)),
                Err(a) => return d.finish(&call, *a).await,
            },
            None => None,
        }
    } else {
        None
    };
    d.transact(call, move |_, call, store| {
        let id = call.target();
        Ok(match store.connection(id) {
            Ok(Some(row)) if row.record.status == ConnectionStatus::Revoked => Acted::failed(Effect::ConnectionRevoked),
            Ok(Some(row)) if row.public_key.is_some() != new_key.is_some() => Acted::input(
                InputKind::BadMechanism,
                if new_key.is_some() {
                    "this connection takes an API key: rotate it without a body to get a new hqxc_ key"
                } else {
                    "this connection is an agent identity: rotate it with {\"public_key\"}, the agent's new Ed25519 public key"
                },
            ),
            Ok(Some(row)) if new_key.is_some() => {
                let (k, key_ref) = new_key.clone().unwrap_or_default();
                match store.rotate_connection(id, &key_ref, call.ctx.now_ms).and_then(|_| store.set_public_key(id, &k)) {
                    Ok(()) => {
                        let row = store.connection(id).ok().flatten().unwrap_or(row);
                        Acted::done(
                            Effect::Done,
                            Success::Json(json!({"connection": view(&row),
                                                 "note": "every session of the old key has ended: the agent signs in with its new key"})),
                        )
                    }
                    Err(_) => Acted::internal("writing vault.db"),
                }
            }
            Ok(Some(row)) => {
                let Ok((key, key_ref)) = mint(call) else { return Ok(Acted::internal("minting the key")) };
                match store.rotate_connection(id, &key_ref, call.ctx.now_ms) {
                    Ok(true) => {
                        let row = store.connection(id).ok().flatten().unwrap_or(row);
                        Acted::done(
                            Effect::Done,
                            Success::Json(json!({"connection": view(&row), "key": key.expose_secret(),
                                                 "note": "the old key is refused from its next read"})),
                        )
                    }
                    _ => Acted::internal("writing vault.db"),
                }
            }
            Ok(None) => Acted::failed(Effect::NotFound),
            Err(_) => Acted::internal("reading vault.db"),
        })
    })
    .await
}

pub async fn revoke(d: &Arc<Daemon>, call: Call) -> Response<Body> {
    d.transact(call, |_, call, store| {
        let id = call.target();
        Ok(match store.connection(id) {
            Ok(Some(row)) => match store.revoke_connection(id) {
                Ok(_) => {
                    let row = store.connection(id).ok().flatten().unwrap_or(row);
                    Acted::done(Effect::Done, Success::Json(json!({"connection": view(&row)})))
                }
                Err(_) => Acted::internal("writing vault.db"),
            },
            Ok(None) => Acted::failed(Effect::NotFound),
            Err(_) => Acted::internal("reading vault.db"),
        })
    })
    .await
}

/// The connection's reads, newest first, 100 a page; `cursor` is the number of events skipped.
pub async fn audit(d: &Arc<Daemon>, call: Call, req: &Request<Incoming>) -> Response<Body> {
    let acted = connection_audit(d, &call, req);
    d.finish(&call, acted).await
}

fn connection_audit(d: &Daemon, call: &Call, req: &Request<Incoming>) -> Acted {
    let id = call.target();
    match d.db(|s| s.connection(id)) {
        Ok(Some(_)) => {}
        Ok(None) => return Acted::failed(Effect::NotFound),
        Err(_) => return Acted::internal("reading vault.db"),
    }
    let q = match http::query(req) {
        Ok(q) => q,
        Err(m) => return Acted::input(InputKind::BadQuery, m),
    };
    let skip: usize = match http::param(&q, "cursor").map(str::parse) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return Acted::input(InputKind::BadCursor, "the cursor is not one this API returned"),
    };
    let Ok(lines) = crate::audit_log::read_lines(&d.home.audit_log()) else {
        return Acted::internal("reading audit.log");
    };
    let mine: Vec<Value> = lines
        .iter()
        .rev()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["actor"] == id && (v["op"] == "list" || v["op"] == "get"))
        .collect();
    let page: Vec<Value> = mine.iter().skip(skip).take(100).cloned().collect();
    let next = (skip + page.len() < mine.len()).then(|| (skip + page.len()).to_string());
    Acted::done(Effect::Done, Success::Json(json!({"events": page, "cursor": next})))
}
