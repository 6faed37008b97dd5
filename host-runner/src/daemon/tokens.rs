//! `POST|GET /v1/tokens`, `DELETE /v1/tokens/{name}`: managed tokens for agents and workers. The
//! acts behind the pipeline; the core admitted the request (owner only) and decides the answer.

use std::sync::Arc;

use hyper::Request;
use hyper::Response;
use hyper::body::Incoming;
use serde_json::json;

use super::Daemon;
use super::http::{self, Body};
use super::pipeline::{self, Acted, Call, Success};
use super::requests::TokenCreateBody;
use crate::host::wit::policy::Effect;
use crate::host::wit::tokens::TokenKind;

pub async fn create(d: &Arc<Daemon>, call: Call, req: Request<Incoming>) -> Response<Body> {
    let body: TokenCreateBody = match pipeline::body(req, http::MAX_BODY, "the request body is over 2 MiB").await {
        Ok(b) => b,
        Err(a) => return d.finish(&call, a).await,
    };
    // The core holds the rules: the name (what audit lines show as the actor), the TTL, max_uses,
    // and each prefix as the folder it names.
    let now = call.ctx.now_ms;
    let rules =
        match call.core(|i| i.check_token_request(&body.name, body.ttl.as_deref(), body.max_uses, &body.prefix, now)) {
            Ok(Ok(r)) => r,
            Ok(Err(p)) => return d.finish(&call, Acted::failed(Effect::BadInput(p)).with_subject(body.name)).await,
            Err(_) => return d.finish(&call, Acted::internal("checking the token request")).await,
        };
    let (token, reference) = match call.core(|i| {
        let t = i.mint(TokenKind::VaultToken)?;
        let r = i.reference(t.expose_secret())?;
        Ok((t, r))
    }) {
        Ok(v) => v,
        Err(_) => return d.finish(&call, Acted::internal("minting the token")).await,
    };
    let name = body.name;
    d.transact(call, move |_, call, store| {
        Ok(match store.insert_token(&name, &reference, &rules, call.ctx.now_ms) {
            Ok(true) => Acted::done(
                Effect::Done,
                Success::Json(
                    json!({"name": name, "token": token.expose_secret(), "expires_at_ms": rules.expires_at_ms,
                                     "max_uses": rules.max_uses, "scope": rules.scope}),
                ),
            )
            .with_subject(name),
            Ok(false) => Acted::failed(Effect::NameTaken).with_subject(name),
            Err(_) => Acted::internal("writing vault.db"),
        })
    })
    .await
}

pub async fn list(d: &Arc<Daemon>, call: Call) -> Response<Body> {
    let rows = match d.db(|s| s.list_tokens()) {
        Ok(r) => r,
        Err(_) => return d.finish(&call, Acted::internal("reading vault.db")).await,
    };
    let mut out = Vec::new();
    for t in rows {
        let state = match call.core(|i| i.evaluate(&t.rules, call.ctx.now_ms, None)) {
            Ok(Ok(())) => "active".to_owned(),
            // The WIT case's name: `expired`, `exhausted`, `revoked`.
            Ok(Err(e)) => e.name().to_owned(),
            Err(_) => return d.finish(&call, Acted::internal("checking tokens")).await,
        };
        out.push(json!({"name": t.name, "state": state, "expires_at_ms": t.rules.expires_at_ms,
                        "max_uses": t.rules.max_uses, "uses": t.rules.uses, "scope": t.rules.scope,
                        "created_ms": t.created_ms}));
    }
    d.finish(&call, Acted::done(Effect::Done, Success::Json(json!({ "tokens": out })))).await
}

pub async fn revoke(d: &Arc<Daemon>, call: Call) -> Response<Body> {
    d.transact(call, |_, call, store| {
        let name = call.target();
        Ok(match store.token_by_name(name) {
            Ok(Some(_)) => match store.revoke_token(name) {
                Ok(changed) => Acted::done(
                    Effect::Done,
                    Success::Json(json!({"name": name, "revoked": true, "was_active": changed})),
                ),
                Err(_) => Acted::internal("writing vault.db"),
            },
            Ok(None) => Acted::failed(Effect::NotFound),
            Err(_) => Acted::internal("reading vault.db"),
        })
    })
    .await
}
