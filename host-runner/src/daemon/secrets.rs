//! `PUT|GET|DELETE /v1/secrets/{path}` and `GET /v1/secrets?prefix=`: the acts behind the
//! pipeline ([`super::pipeline`]); the core admitted the request and decides the answer.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hyper::Request;
use hyper::Response;
use hyper::body::Incoming;
use serde_json::json;
use zeroize::Zeroizing;

use super::http::{self, Body};
use super::pipeline::{self, Acted, Call, Success};
use super::requests::{BodyError, CheckedPut, PutBody};
use super::{Daemon, KeyError};
use crate::host::wit::crypto::CryptoError;
use crate::host::wit::policy::{Caller, Decision, Effect, InputKind, ManagedToken};
use crate::store::{SecretMeta, VaultDb};

fn body_problem(e: BodyError) -> Acted {
    let kind = match e.code {
        "value_too_large" => InputKind::ValueTooLarge,
        "bad_type" => InputKind::BadType,
        "bad_description" => InputKind::BadDescription,
        _ => InputKind::BadValue,
    };
    Acted::input(kind, e.message)
}

pub async fn put(d: &Arc<Daemon>, call: Call, req: Request<Incoming>) -> Response<Body> {
    // `?overwrite=false`: refuse (409 `exists`) rather than replace a secret already at the path.
    let overwrite = match http::query(&req) {
        Ok(q) => match http::param(&q, "overwrite") {
            None | Some("true") => true,
            Some("false") => false,
            Some(_) => {
                return d.finish(&call, Acted::input(InputKind::BadQuery, "overwrite must be `true` or `false`")).await;
            }
        },
        Err(m) => return d.finish(&call, Acted::input(InputKind::BadQuery, m)).await,
    };
    let too_large =
        "the request body is over 6 MiB: a secret may be at most 1 MiB (1048576 bytes), however it is encoded";
    let body: PutBody = match pipeline::body(req, http::MAX_SECRET_BODY, too_large).await {
        Ok(b) => b,
        Err(a) => return d.finish(&call, a).await,
    };
    let CheckedPut { value, kind, description } = match body.check() {
        Ok(c) => c,
        Err(e) => return d.finish(&call, body_problem(e)).await,
    };
    let path = call.target().to_owned();
    let size = value.len() as u64;
    let aad = path.clone();
    let sealed = match d.keyholder.run(move |inst, k| inst.seal(k, &value, aad.as_bytes())).await {
        Ok(Ok(sealed)) => sealed,
        Ok(Err(_)) => return d.finish(&call, Acted::internal("sealing")).await,
        Err(e) => return d.finish(&call, d.key_failure(e)).await,
    };
    d.transact(call, move |_, call, store| {
        let existing = match store.secret_meta(&path) {
            Ok(e) => e,
            Err(_) => return Ok(Acted::internal("reading vault.db")),
        };
        if existing.is_some() && !overwrite {
            return Ok(Acted::failed(Effect::Exists));
        }
        // A replacement keeps the stored type and description unless new ones are given; an
        // empty one given clears it.
        let (old_kind, old_description) = existing.map(|o| (o.kind, o.description)).unwrap_or_default();
        let given = |new: Option<String>, old: Option<String>| match new {
            Some(s) if s.is_empty() => None,
            Some(s) => Some(s),
            None => old,
        };
        let (kind, description) = (given(kind, old_kind), given(description, old_description));
        let now = call.ctx.now_ms;
        let meta = SecretMeta { path: path.clone(), size, kind, description, created_ms: now, updated_ms: now };
        Ok(match store.put_secret(&meta, &sealed) {
            Ok(created) => Acted::done(
                if created { Effect::Created } else { Effect::Replaced },
                Success::Json(json!({"path": meta.path, "size": meta.size, "type": meta.kind,
                                     "description": meta.description, "created": created})),
            ),
            Err(_) => Acted::internal("writing vault.db"),
        })
    })
    .await
}

/// The read's answer from what opening the sealed value gave.
fn opened(
    d: &Daemon,
    path: &str,
    meta: &SecretMeta,
    r: Result<Result<Zeroizing<Vec<u8>>, CryptoError>, KeyError>,
) -> Acted {
    match r {
        Ok(Ok(v)) => match secret_body(path, meta, &v) {
            Some(buf) => Acted::done(Effect::Done, Success::Wiped(buf)),
            None => Acted::internal("encoding the answer"),
        },
        Ok(Err(CryptoError::Tampered | CryptoError::BadFormat)) => Acted::failed(Effect::Tampered),
        Ok(Err(_)) => Acted::internal("opening"),
        Err(e) => d.key_failure(e),
    }
}

/// Read one secret in the transaction that counts the use: the token's rules are re-read and
/// re-admitted inside it (another read may have spent the last use), and the use is committed
/// only if the core says the value was delivered.
fn counted_read(d: &Daemon, call: &Call, store: &VaultDb) -> Result<Acted, Box<Decision>> {
    let (Caller::Managed(_), Some(reference)) = (call.caller(), &call.token_reference) else {
        return Ok(Acted::internal("counting a use"));
    };
    let row = match store.token_by_reference(reference) {
        Ok(Some(row)) => row,
        _ => return Ok(Acted::internal("reading tokens")),
    };
    let mut now = call.request.clone();
    now.caller = Caller::Managed(ManagedToken { name: row.name.clone(), rules: row.rules });
    match call.core(|i| i.admit(&now)) {
        Ok(Ok(_)) => {}
        Ok(Err(refused)) => return Err(refused),
        Err(_) => return Ok(Acted::internal("admitting the request")),
    }
    if store.spend_use(reference).is_err() {
        return Ok(Acted::internal("counting the token's use"));
    }
    Ok(match store.get_secret(call.target()) {
        Ok(Some((meta, sealed))) => {
            let aad = call.target().to_owned();
            let r = d.keyholder.run_blocking(move |inst, k| inst.open(k, &sealed, aad.as_bytes()));
            opened(d, call.target(), &meta, r)
        }
        Ok(None) => Acted::failed(Effect::NotFound),
        Err(_) => Acted::internal("reading vault.db"),
    })
}

pub async fn get(d: &Arc<Daemon>, call: Call) -> Response<Body> {
    if call.admission.count_use {
        return d.transact(call, counted_read).await;
    }
    let acted = match d.db(|s| s.get_secret(call.target())) {
        Ok(Some((meta, sealed))) => {
            let aad = call.target().to_owned();
            let r = d.keyholder.run(move |inst, k| inst.open(k, &sealed, aad.as_bytes())).await;
            opened(d, call.target(), &meta, r)
        }
        Ok(None) => Acted::failed(Effect::NotFound),
        Err(_) => Acted::internal("reading vault.db"),
    };
    d.finish(&call, acted).await
}

/// The answer to a read, written straight into a buffer that is wiped when the response body is
/// dropped, so the value leaves no copy of ours behind in the heap.
fn secret_body(path: &str, meta: &SecretMeta, value: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
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
    serde_json::to_writer(&mut *buf, &body).ok()?;
    Some(buf)
}

pub async fn delete(d: &Arc<Daemon>, call: Call) -> Response<Body> {
    d.transact(call, |_, call, store| {
        Ok(match store.secret_meta(call.target()) {
            Ok(Some(_)) => match store.delete_secret(call.target()) {
                Ok(_) => Acted::done(Effect::Done, Success::Empty),
                Err(_) => Acted::internal("writing vault.db"),
            },
            Ok(None) => Acted::failed(Effect::NotFound),
            Err(_) => Acted::internal("reading vault.db"),
        })
    })
    .await
}

pub async fn list(d: &Arc<Daemon>, call: Call) -> Response<Body> {
    let prefix = call.target().to_owned();
    let all = match d.db(|s| s.list_secrets(&prefix)) {
        Ok(v) => v,
        Err(_) => return d.finish(&call, Acted::internal("reading vault.db")).await,
    };
    // A scoped caller sees only what its scope grants: the core decides each path.
    let visible: Vec<SecretMeta> = if call.admission.scoped {
        let mut out = Vec::new();
        for m in all {
            match call.core(|i| i.visible(call.caller(), &m.path, call.ctx.now_ms)) {
                Ok(true) => out.push(m),
                Ok(false) => {}
                Err(_) => return d.finish(&call, Acted::internal("checking the scope")).await,
            }
        }
        out
    } else {
        all
    };
    // `scoped`: the caller sees only its scope's part of the folder (never how much is hidden).
    let scoped = call.admission.scoped;
    let body = json!({ "prefix": prefix, "secrets": visible, "scoped": scoped });
    d.finish(&call, Acted::done(Effect::Done, Success::Json(body))).await
}
