//! `PUT|GET|DELETE /v1/secrets/{path}` and `GET /v1/secrets?prefix=`.
//!
//! Order of checks, the same for every route: credentials (401), path (400), locked (423),
//! scope (403), existence (404); the audit line is durable before any effect.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hq_vault_core::audit::Outcome;
use hq_vault_core::crypto::CryptoError;
use hq_vault_core::tokens::TokenDenial;
use hyper::Request;
use hyper::Response;
use hyper::body::Incoming;
use serde_json::json;
use zeroize::Zeroizing;

use super::Daemon;
use super::auth::Caller;
use super::http::{self, Body, Ctx};
use super::requests::{CheckedPut, PutBody};
use crate::store::SecretMeta;

/// Decode and check the secret's path with the component.
async fn checked_path(d: &Daemon, ctx: &Ctx, actor: &str, op: &str, raw: &str) -> Result<String, Response<Body>> {
    let Some(decoded) = http::decode_path(raw) else {
        return Err(d
            .refuse(ctx, actor, op, None, 400, "bad_path", "the path is not valid UTF-8 after decoding")
            .await);
    };
    match d.core(|i| i.check_key(&decoded)) {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(e)) => Err(d.refuse(ctx, actor, op, None, 400, "bad_path", &e.to_string()).await),
        Err(_) => Err(http::internal(ctx, "checking the path")),
    }
}

/// Authenticate, check the path, and require the owner (writes and deletes).
async fn owner_path(
    d: &Daemon,
    ctx: &Ctx,
    req: &Request<Incoming>,
    op: &str,
    raw: &str,
) -> Result<String, Response<Body>> {
    let caller = d.authenticate(ctx, req, op).await?;
    let path = checked_path(d, ctx, caller.name(), op, raw).await?;
    d.require_owner(ctx, &caller, op, Some(&path)).await?;
    Ok(path)
}

async fn require_unlocked(d: &Daemon, ctx: &Ctx, actor: &str, op: &str, path: &str) -> Result<(), Response<Body>> {
    if d.is_unlocked() {
        d.touch();
        Ok(())
    } else {
        Err(d.refuse(ctx, actor, op, Some(path), 423, "locked", "the vault is locked: run `hq-vault unlock`").await)
    }
}

pub async fn put(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>, raw: &str) -> Response<Body> {
    let op = "store";
    let path = match owner_path(d, ctx, &req, op, raw).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    // `?overwrite=false`: refuse (409 `exists`) rather than replace a secret already at the path.
    let overwrite = match http::query(&req) {
        Ok(q) => match http::param(&q, "overwrite") {
            None | Some("true") => true,
            Some("false") => false,
            Some(_) => return http::error(ctx, 400, "bad_query", "overwrite must be `true` or `false`"),
        },
        Err(m) => return http::error(ctx, 400, "bad_query", m),
    };
    let too_large =
        "the request body is over 6 MiB: a secret may be at most 1 MiB (1048576 bytes), however it is encoded";
    let body: PutBody = match http::read_json_limited(ctx, req, http::MAX_SECRET_BODY, too_large).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let CheckedPut { value, kind, description } = match body.check() {
        Ok(c) => c,
        Err(e) => return http::error(ctx, e.status, e.code, &e.message),
    };
    if let Err(r) = require_unlocked(d, ctx, "bootstrap", op, &path).await {
        return r;
    }
    let sealed = match d.keyholder.lock() {
        Ok(mut kh) => kh.with_key(|inst, k| inst.seal(k, &value, path.as_bytes())),
        Err(_) => return http::internal(ctx, "sealing"),
    };
    let sealed = match sealed {
        Some(Ok(Ok(sealed))) => sealed,
        None => {
            return d
                .refuse(ctx, "bootstrap", op, Some(&path), 423, "locked", "the vault is locked: run `hq-vault unlock`")
                .await;
        }
        _ => return http::internal(ctx, "sealing"),
    };
    // The line names the status the caller will get: 201 for a new secret, 200 for a replacement.
    let existing = match d.db(|s| s.secret_meta(&path)) {
        Ok(existing) => existing,
        Err(_) => return http::internal(ctx, "reading vault.db"),
    };
    let status = if existing.is_some() { 200 } else { 201 };
    if existing.is_some() && !overwrite {
        return d
            .refuse(
                ctx,
                "bootstrap",
                op,
                Some(&path),
                409,
                "exists",
                "a secret already exists at this path and overwrite=false: nothing was stored",
            )
            .await;
    }
    // A replacement keeps the stored type and description unless new ones are given.
    let (kind, description) = match existing {
        Some(old) => (kind.or(old.kind), description.or(old.description)),
        None => (kind, description),
    };
    if d.audit.record(d.event(ctx, "bootstrap", op, Some(&path), Outcome::Allowed, status, None)).await.is_err() {
        return http::audit_failed(ctx);
    }
    let meta = SecretMeta {
        path: path.clone(),
        size: value.len() as u64,
        kind,
        description,
        created_ms: ctx.now_ms,
        updated_ms: ctx.now_ms,
    };
    match d.db(|s| s.put_secret(&meta, &sealed)) {
        Ok(created) => http::json(
            ctx,
            if created { 201 } else { 200 },
            &json!({"path": meta.path, "size": meta.size, "type": meta.kind, "description": meta.description, "created": created}),
        ),
        _ => http::internal(ctx, "writing vault.db"),
    }
}

pub async fn get(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>, raw: &str) -> Response<Body> {
    let op = "get";
    let caller = match d.authenticate(ctx, &req, op).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let actor = caller.name().to_owned();
    let path = match checked_path(d, ctx, &actor, op, raw).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(r) = require_unlocked(d, ctx, &actor, op, &path).await {
        return r;
    }
    // A managed token: ask the core with the path (scope), then count the use. Both under the
    // store's lock, so concurrent reads cannot spend more uses than the token has.
    let mut spent = None;
    if let Caller::Managed(t) = &caller {
        let verdict = {
            let Ok(store) = d.store.lock() else {
                return http::internal(ctx, "reading tokens");
            };
            let row = match store.token_by_reference(&t.reference) {
                Ok(Some(r)) => r,
                _ => return http::internal(ctx, "reading tokens"),
            };
            match d.core(|i| i.evaluate(&row.rules, ctx.now_ms, Some(&path))) {
                Ok(Ok(())) => match store.get_secret(&path) {
                    Ok(Some(found)) => {
                        if store.spend_use(&t.reference).is_err() {
                            return http::internal(ctx, "counting the token's use");
                        }
                        spent = Some(t.reference.clone());
                        Ok(found)
                    }
                    Ok(None) => Err((404, "not_found", "no secret at this path".to_owned())),
                    Err(_) => return http::internal(ctx, "reading vault.db"),
                },
                Ok(Err(TokenDenial::OutOfScope)) => Err((403, "out_of_scope", TokenDenial::OutOfScope.to_string())),
                Ok(Err(e)) => {
                    let (code, msg) = crate::daemon::auth::denial(&row, e);
                    Err((401, code, msg))
                }
                Err(_) => return http::internal(ctx, "checking the token"),
            }
        };
        return match verdict {
            Ok((meta, sealed)) => finish_get(d, ctx, &actor, &path, meta, sealed, spent).await,
            Err((status, code, msg)) => d.refuse(ctx, &actor, op, Some(&path), status, code, &msg).await,
        };
    }
    let found = match d.db(|s| s.get_secret(&path)) {
        Ok(f) => f,
        _ => return http::internal(ctx, "reading vault.db"),
    };
    match found {
        Some((meta, sealed)) => finish_get(d, ctx, &actor, &path, meta, sealed, None).await,
        None => d.refuse(ctx, &actor, op, Some(&path), 404, "not_found", "no secret at this path").await,
    }
}

/// Open the value, then audit the outcome the caller gets, then answer. A managed token's use
/// was reserved by the caller (`spent`); it is given back unless the value is delivered.
async fn finish_get(
    d: &Daemon,
    ctx: &Ctx,
    actor: &str,
    path: &str,
    meta: SecretMeta,
    sealed: Vec<u8>,
    spent: Option<String>,
) -> Response<Body> {
    let refund = || {
        if let Some(reference) = &spent {
            let _ = d.db(|s| s.refund_use(reference));
        }
    };
    let opened = match d.keyholder.lock() {
        Ok(mut kh) => kh.with_key(|inst, k| inst.open(k, &sealed, path.as_bytes())),
        Err(_) => {
            refund();
            return http::internal(ctx, "opening");
        }
    };
    let value = match opened {
        Some(Ok(Ok(v))) => v,
        None => {
            refund();
            return d
                .refuse(ctx, actor, "get", Some(path), 423, "locked", "the vault is locked: run `hq-vault unlock`")
                .await;
        }
        Some(Ok(Err(CryptoError::Tampered | CryptoError::BadFormat))) => {
            refund();
            return d
                .refuse(ctx, actor, "get", Some(path), 409, "tampered", "the stored ciphertext for this path failed authentication: vault.db was changed outside hq-vault; restore it from a backup")
                .await;
        }
        _ => {
            refund();
            return http::internal(ctx, "opening");
        }
    };
    if d.audit.record(d.event(ctx, actor, "get", Some(path), Outcome::Allowed, 200, None)).await.is_err() {
        refund();
        return http::audit_failed(ctx);
    }
    secret_response(ctx, path, &meta, &value)
}

/// The answer to a read: written straight into a buffer that is wiped when the response body is
/// dropped, so the value leaves no copy of ours behind in the heap.
fn secret_response(ctx: &Ctx, path: &str, meta: &SecretMeta, value: &[u8]) -> Response<Body> {
    #[derive(serde::Serialize)]
    struct Read<'a> {
        path: &'a str,
        size: u64,
        #[serde(rename = "type")]
        kind: Option<&'a str>,
        description: Option<&'a str>,
        updated_ms: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        value: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        value_base64: Option<&'a str>,
    }
    let b64 = match std::str::from_utf8(value) {
        Ok(_) => None,
        Err(_) => Some(Zeroizing::new(B64.encode(value))),
    };
    let body = Read {
        path,
        size: meta.size,
        kind: meta.kind.as_deref(),
        description: meta.description.as_deref(),
        updated_ms: meta.updated_ms,
        value: std::str::from_utf8(value).ok(),
        value_base64: b64.as_deref().map(|s| s.as_str()),
    };
    let mut buf = Zeroizing::new(Vec::with_capacity(value.len() * 2 + 256));
    if serde_json::to_writer(&mut *buf, &body).is_err() {
        return http::internal(ctx, "encoding the answer");
    }
    http::wiped_json(ctx, 200, buf)
}

pub async fn delete(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>, raw: &str) -> Response<Body> {
    let op = "delete";
    let path = match owner_path(d, ctx, &req, op, raw).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(r) = require_unlocked(d, ctx, "bootstrap", op, &path).await {
        return r;
    }
    match d.db(|s| s.secret_meta(&path)) {
        Ok(Some(_)) => {}
        Ok(None) => {
            return d.refuse(ctx, "bootstrap", op, Some(&path), 404, "not_found", "no secret at this path").await;
        }
        _ => return http::internal(ctx, "reading vault.db"),
    }
    if d.audit.record(d.event(ctx, "bootstrap", op, Some(&path), Outcome::Allowed, 204, None)).await.is_err() {
        return http::audit_failed(ctx);
    }
    match d.db(|s| s.delete_secret(&path)) {
        Ok(_) => {
            let mut r = Response::new(http::empty());
            *r.status_mut() = hyper::StatusCode::NO_CONTENT;
            r
        }
        _ => http::internal(ctx, "writing vault.db"),
    }
}

/// A secret prefix as the folder it names: `myapp` and `myapp/` are both `myapp/`; empty (every
/// secret) stays empty. The same rule makes `token create --prefix aws` grant `aws/*`.
pub fn folder(raw: &str) -> String {
    if raw.is_empty() || raw.ends_with('/') { raw.to_owned() } else { format!("{raw}/") }
}

pub async fn list(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>) -> Response<Body> {
    let op = "list";
    let caller = match d.authenticate(ctx, &req, op).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let actor = caller.name().to_owned();
    let q = match http::query(&req) {
        Ok(q) => q,
        Err(m) => return http::error(ctx, 400, "bad_query", m),
    };
    let raw = http::param(&q, "prefix").unwrap_or("");
    // A prefix is a folder: `myapp` lists `myapp/…`, never a sibling `myappx/…`.
    let prefix = folder(raw);
    match d.core(|i| i.check_path(&prefix)) {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            return d.refuse(ctx, &actor, op, None, 400, "bad_path", &e.to_string()).await;
        }
        Err(_) => return http::internal(ctx, "checking the prefix"),
    }
    if let Err(r) = require_unlocked(d, ctx, &actor, op, &prefix).await {
        return r;
    }
    let all = match d.db(|s| s.list_secrets(&prefix)) {
        Ok(v) => v,
        _ => return http::internal(ctx, "reading vault.db"),
    };
    // A scoped token sees only what its scope grants: the core decides each path.
    let visible: Vec<SecretMeta> = match &caller {
        Caller::Bootstrap => all,
        Caller::Managed(t) => {
            let mut out = Vec::new();
            for m in all {
                match d.core(|i| i.evaluate(&t.rules, ctx.now_ms, Some(&m.path))) {
                    Ok(Ok(())) => out.push(m),
                    Ok(Err(_)) => {}
                    Err(_) => return http::internal(ctx, "checking the token's scope"),
                }
            }
            out
        }
    };
    if d.audit.record(d.event(ctx, &actor, op, Some(&prefix), Outcome::Allowed, 200, None)).await.is_err() {
        return http::audit_failed(ctx);
    }
    http::json(ctx, 200, &json!({ "prefix": prefix, "secrets": visible }))
}
