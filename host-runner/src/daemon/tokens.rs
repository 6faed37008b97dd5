//! `POST|GET /v1/tokens`, `DELETE /v1/tokens/{name}`: managed tokens for agents and workers.

use std::sync::Arc;

use hq_vault_core::audit::Outcome;
use hq_vault_core::tokens::{TokenKind, TokenRules};
use hyper::Request;
use hyper::Response;
use hyper::body::Incoming;
use serde_json::json;

use super::Daemon;
use super::http::{self, Body, Ctx};
use super::requests::TokenCreateBody;

/// Longest name `DELETE /v1/tokens/{name}` looks up. Revocation only looks a name up, so a token
/// named before the core's name rule (upper case, `_`) can still be revoked.
const MAX_LOOKUP_NAME: usize = 256;

pub async fn create(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>) -> Response<Body> {
    let op = "token-create";
    if let Err(r) = d.authenticate_owner(ctx, &req, op).await {
        return r;
    }
    let body: TokenCreateBody = match http::read_json(ctx, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    // The name is what audit lines show as the actor: the core's rule keeps it from reading as
    // another actor (bootstrap, anonymous, daemon, unknown, a connection id).
    match d.core(|i| i.check_token_name(&body.name)) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            let msg = format!("{e} ({})", hq_vault_core::tokens::NAME_RULE);
            return http::error(ctx, 400, "bad_name", &msg);
        }
        Err(_) => return http::internal(ctx, "checking the token name"),
    }
    let expires_at_ms = match body.ttl.as_deref() {
        None => None,
        Some(t) => match d.core(|i| i.parse_duration(t)) {
            Ok(Ok(ms)) => Some(ctx.now_ms + ms),
            Ok(Err(m)) => return http::error(ctx, 400, "bad_ttl", &m),
            Err(_) => return http::internal(ctx, "parsing the TTL"),
        },
    };
    if body.max_uses == Some(0) {
        return http::error(ctx, 400, "bad_max_uses", "max_uses must be at least 1");
    }
    let scope = if body.prefix.is_empty() {
        Vec::new()
    } else {
        // A prefix is a folder (`aws` grants `aws/*`, as `aws/` does); `*` keeps its pattern meaning.
        let folders: Vec<String> =
            body.prefix.iter().map(|p| if p.ends_with('*') { p.clone() } else { super::secrets::folder(p) }).collect();
        match d.core(|i| i.normalize_all(&folders)) {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return http::error(ctx, 400, "bad_prefix", &e.to_string()),
            Err(_) => return http::internal(ctx, "checking the scope"),
        }
    };
    let rules = TokenRules { expires_at_ms, max_uses: body.max_uses, uses: 0, revoked: false, scope };
    let (token, reference) = match d.core(|i| {
        let t = i.mint(TokenKind::VaultToken)?;
        let r = i.reference(t.expose_secret())?;
        Ok((t, r))
    }) {
        Ok(v) => v,
        Err(_) => return http::internal(ctx, "minting the token"),
    };
    if d.audit
        .record(d.event(ctx, "bootstrap", op, None, Outcome::Allowed, 201, Some(&format!("name={}", body.name))))
        .await
        .is_err()
    {
        return http::audit_failed(ctx);
    }
    match d.db(|s| s.insert_token(&body.name, &reference, &rules, ctx.now_ms)) {
        Ok(true) => http::json(
            ctx,
            201,
            &json!({"name": body.name, "token": token.expose_secret(), "expires_at_ms": rules.expires_at_ms,
                    "max_uses": rules.max_uses, "scope": rules.scope}),
        ),
        Ok(false) => {
            let state = match d.db(|s| s.token_by_name(&body.name)) {
                Ok(Some(t)) => match d.core(|i| i.evaluate(&t.rules, ctx.now_ms, None)) {
                    Ok(Ok(())) => "active".to_owned(),
                    Ok(Err(e)) => state_word(e).to_owned(),
                    Err(_) => return http::internal(ctx, "checking tokens"),
                },
                _ => return http::internal(ctx, "reading vault.db"),
            };
            let name = &body.name;
            let msg = format!(
                "a token named `{name}` exists ({state}): pick another name, or revoke it first (`hq-vault token revoke {name}`): a revoked token's name is free again"
            );
            http::error(ctx, 409, "name_taken", &msg)
        }
        _ => http::internal(ctx, "writing vault.db"),
    }
}

pub async fn list(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>) -> Response<Body> {
    let op = "token-list";
    if let Err(r) = d.authenticate_owner(ctx, &req, op).await {
        return r;
    }
    let rows = match d.db(|s| s.list_tokens()) {
        Ok(r) => r,
        _ => return http::internal(ctx, "reading vault.db"),
    };
    let mut out = Vec::new();
    for t in rows {
        let state = match d.core(|i| i.evaluate(&t.rules, ctx.now_ms, None)) {
            Ok(Ok(())) => "active".to_owned(),
            Ok(Err(e)) => state_word(e).to_owned(),
            Err(_) => return http::internal(ctx, "checking tokens"),
        };
        out.push(
            json!({"name": t.name, "state": state, "expires_at_ms": t.rules.expires_at_ms, "max_uses": t.rules.max_uses,
                        "uses": t.rules.uses, "scope": t.rules.scope, "created_ms": t.created_ms}),
        );
    }
    http::json(ctx, 200, &json!({ "tokens": out }))
}

/// A token's state in `GET /v1/tokens` for the core's refusal: `expired`, `exhausted`, `revoked`.
fn state_word(denial: hq_vault_core::tokens::TokenDenial) -> &'static str {
    use hq_vault_core::tokens::TokenDenial;
    match denial {
        TokenDenial::Expired => "expired",
        TokenDenial::Exhausted => "exhausted",
        TokenDenial::Revoked => "revoked",
        TokenDenial::OutOfScope => "out-of-scope",
    }
}

pub async fn revoke(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>, raw: &str) -> Response<Body> {
    let op = "token-revoke";
    if let Err(r) = d.authenticate_owner(ctx, &req, op).await {
        return r;
    }
    let name = http::decode_path(raw).unwrap_or_default();
    if name.is_empty() || name.len() > MAX_LOOKUP_NAME || name.chars().any(char::is_control) {
        return http::error(ctx, 400, "bad_name", "not a token name: `hq-vault token list` shows the names");
    }
    match d.db(|s| s.token_by_name(&name)) {
        Ok(Some(_)) => {}
        Ok(None) => {
            return d.refuse(ctx, "bootstrap", op, None, 404, "not_found", "no token with this name").await;
        }
        _ => return http::internal(ctx, "reading vault.db"),
    }
    if d.audit
        .record(d.event(ctx, "bootstrap", op, None, Outcome::Allowed, 200, Some(&format!("name={name}"))))
        .await
        .is_err()
    {
        return http::audit_failed(ctx);
    }
    match d.db(|s| s.revoke_token(&name)) {
        Ok(changed) => http::json(ctx, 200, &json!({"name": name, "revoked": true, "was_active": changed})),
        _ => http::internal(ctx, "writing vault.db"),
    }
}
