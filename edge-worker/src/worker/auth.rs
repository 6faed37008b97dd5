//! The agent-identity routes (docs/design.md §3.6): `POST /v1/connections/auth/challenge`
//! `{"connection_id"}` and `POST /v1/connections/auth/verify` `{"connection_id","nonce","signature"}`.
//! KV routes the connection id to its company; the company's object decides with the core's
//! `identity`, stores the nonce or the session and files the event, in one call. A granted
//! session's reference is then routed in KV (expiring with the session) so that the read routes
//! find its company.

use hq_vault_core::audit;
use hq_vault_core::identity::{self, AuthRequest, SESSION_LIFETIME_MS};
use hq_vault_core::policy::{is_company_id, is_connection_id};
use serde::Deserialize;
use worker::{Env, Method, Request, Response, Result, console_log, kv::KvStore};

use super::{Ctx, error, json_response, method_not_allowed, object};
use crate::company::{AuthCall, AuthOp, AuthReply};
use crate::model;

/// The largest body these routes read.
const MAX_BODY: usize = 16 * 1024;

/// The body of both routes: `nonce` and `signature` are verify's (an unknown field or a field
/// given twice is refused).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthBody {
    connection_id: String,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    signature: Option<String>,
}

/// Serve an agent-identity route.
pub async fn serve(mut req: Request, env: &Env, kv: &KvStore, ctx: &Ctx, op: AuthOp) -> Result<Response> {
    if req.method() != Method::Post {
        return method_not_allowed(ctx, "POST");
    }
    let shape = match op {
        AuthOp::Challenge => "{\"connection_id\"}",
        AuthOp::Verify => "{\"connection_id\", \"nonce\", \"signature\"}",
    };
    let bytes = req.bytes().await.unwrap_or_default();
    let parsed = (bytes.len() <= MAX_BODY).then(|| serde_json::from_slice::<AuthBody>(&bytes).ok()).flatten();
    let Some(body) = parsed.filter(|b| op == AuthOp::Verify || (b.nonce.is_none() && b.signature.is_none())) else {
        return error(ctx, 400, "bad_request", &format!("send a JSON body {shape} of at most 16 KiB"));
    };
    let request = AuthRequest {
        connection_id: body.connection_id,
        network: false,
        public_key: None,
        nonce: body.nonce,
        signature: body.signature,
        authorization: req.headers().get("authorization")?,
        time_ms: ctx.now_ms,
        request_id: ctx.request_id.clone(),
        source_ip: ctx.ip.clone(),
    };
    let company = if is_connection_id(&request.connection_id) {
        kv.get(&model::connection_key(&request.connection_id)).text().await?.filter(|c| is_company_id(c))
    } else {
        None
    };
    let Some(company) = company else {
        // No company knows this connection: the core's refusal, logged (nothing to file it under).
        let d = match op {
            AuthOp::Challenge => identity::challenge(&request, None),
            AuthOp::Verify => identity::verify(&request, None, None),
        };
        console_log!("audit {}", audit::encode(&d.audit));
        return json_response(ctx, d.status, d.error_body);
    };
    let reply: AuthReply = match object::call(env, &company, "auth", &AuthCall { op, request }).await {
        Ok(r) => r,
        Err(_) => return error(ctx, 503, "company_unavailable", "the company's object did not answer: retry"),
    };
    if let (Some(r), Some(until)) = (&reply.session_ref, reply.session_expires_at_ms) {
        // KV keeps the entry at least 60 s; the session's own end is decided by the object.
        let ttl = (until.saturating_sub(ctx.now_ms) / 1000).clamp(60, SESSION_LIFETIME_MS / 1000) + 60;
        let put = kv.put(&model::keyref_key(r), &company).map(|p| p.expiration_ttl(ttl));
        let routed = match put {
            Ok(p) => p.execute().await.is_ok(),
            Err(_) => false,
        };
        if !routed {
            return error(ctx, 503, "kv_unavailable", "the session could not be routed: sign a new challenge");
        }
    }
    match reply.body {
        Some(b) if reply.status < 300 => json_response(ctx, reply.status, b.to_string()),
        _ => json_response(ctx, reply.status, reply.error_body),
    }
}
