//! Agent identity on the daemon's External Connections (docs/design.md §3.6), the same core as the
//! Worker's: `POST /v1/connections/auth/challenge` `{"connection_id"}` and `POST
//! /v1/connections/auth/verify` `{"connection_id","nonce","signature"}`. The component decides
//! (`identity.challenge`, `identity.verify`); this module reads the body, looks the connection and
//! the nonce up in `vault.db` (spending the nonce whatever the answer), stores what was granted,
//! writes the audit line, and answers.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use serde_json::json;

use super::Daemon;
use super::http::{self, Body, Ctx};
use super::requests::AuthBody;
use crate::host::wit::identity::{AuthRequest, IdentityConnection};

/// How long an ended nonce or session is kept, so that a late attempt is told why (used, expired).
const GRACE_MS: u64 = 3_600_000;

/// Serve `…/auth/challenge` (`verify` false) or `…/auth/verify`.
pub async fn serve(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>, verify: bool) -> Response<Body> {
    if req.method() != Method::POST {
        let r = http::error(ctx, 405, "method_not_allowed", "this route takes POST");
        return with_allow(r);
    }
    let authorization = http::authorization(&req);
    let shape = if verify { "{\"connection_id\", \"nonce\", \"signature\"}" } else { "{\"connection_id\"}" };
    let body: AuthBody = match http::read_json_body(req, 16 * 1024).await {
        Ok(b) => b,
        Err(_) => return http::error(ctx, 400, "bad_request", &format!("send a JSON body {shape} of at most 16 KiB")),
    };
    if !verify && (body.nonce.is_some() || body.signature.is_some()) {
        return http::error(ctx, 400, "bad_request", &format!("send a JSON body {shape} of at most 16 KiB"));
    }
    let request = AuthRequest {
        connection_id: body.connection_id,
        network: false,
        public_key: None,
        nonce: body.nonce,
        signature: body.signature,
        authorization,
        time_ms: ctx.now_ms,
        request_id: ctx.request_id.clone(),
        source_ip: ctx.ip.clone(),
    };
    let mut inst = match d.host.instance() {
        Ok(i) => i,
        Err(_) => return http::internal(ctx, "instantiating the component"),
    };
    // Look-up, decision and storage under the database lock: a nonce is spent once.
    let decided = d.db(|s| {
        let conn = s.connection(&request.connection_id)?.map(|row| IdentityConnection {
            public_key: row.public_key.as_deref().and_then(|k| inst.check_public_key(k).ok()?.ok()),
            connection: row.record,
        });
        let d = if verify {
            let nonce = match request.nonce.as_deref() {
                Some(n) => s.spend_nonce(n)?,
                None => None,
            };
            let d = inst.identity_verify(&request, nonce.as_ref(), conn.as_ref())?;
            if let Some(g) = &d.session {
                s.insert_session(&g.session)?;
            }
            d
        } else {
            let d = inst.identity_challenge(&request, conn.as_ref())?;
            if let Some(n) = &d.nonce {
                s.insert_nonce(n, ctx.now_ms.saturating_sub(GRACE_MS))?;
            }
            d
        };
        Ok(d)
    });
    let Ok(mut decision) = decided else {
        return http::internal(ctx, "deciding the login");
    };
    // An attempt that names no connection is an anonymous failure: summarized.
    let anonymous = decision.audit.actor == "unknown";
    if d.audit.record(decision.audit.clone(), anonymous).await.is_err() {
        return http::audit_failed(ctx);
    }
    if decision.status >= 300 {
        let body = serde_json::from_str(&decision.error_body).unwrap_or_default();
        return http::json(ctx, decision.status, &body);
    }
    let answer = match (&decision.nonce, &mut decision.session) {
        (Some(n), _) => json!({"connection_id": n.connection_id, "nonce": n.nonce, "expires_at_ms": n.expires_at_ms}),
        (_, Some(g)) => {
            // The session token is answered once and wiped from this copy; only its reference
            // was stored.
            let token = zeroize::Zeroizing::new(std::mem::take(&mut g.token));
            json!({"connection_id": g.session.connection_id, "session": token.as_str(),
                   "token_type": "Bearer", "expires_at_ms": g.session.expires_at_ms})
        }
        _ => return http::internal(ctx, "answering the login"),
    };
    http::json(ctx, 200, &answer)
}

fn with_allow(mut r: Response<Body>) -> Response<Body> {
    r.headers_mut().insert(hyper::header::ALLOW, hyper::header::HeaderValue::from_static("POST"));
    r
}
