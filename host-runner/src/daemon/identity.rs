//! Challenge–response logins, one core for both (docs/design.md §3.6 and §5):
//!
//! - an agent identity of the daemon's External Connections, as on the Worker: `POST
//!   /v1/connections/auth/challenge` `{"connection_id"}` and `…/verify`
//!   `{"connection_id","nonce","signature"}`;
//! - network mode's identities: `POST /v1/auth/challenge` `{"identity_id"}` and `POST
//!   /v1/auth/verify` `{"identity_id","nonce","signature","public_key"}` (the server keeps only the
//!   key's reference, so verify takes the key; the core checks it is the identity's).
//!
//! The component decides (`identity.challenge`, `identity.verify`); this module reads the body,
//! looks the connection or identity and the nonce up in `vault.db` (spending the nonce whatever the
//! answer), stores what was granted, writes the audit line, and answers.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use serde_json::json;

use super::Daemon;
use super::http::{self, Body, Channel, Ctx};
use super::requests::{AuthBody, NetworkAuthBody};
use crate::host::wit::gate::{ConnectionRecord, ConnectionStatus};
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
        ..request_of(ctx, authorization)
    };
    login(d, ctx, request, verify).await
}

/// Serve network mode's `POST /v1/auth/challenge` (`verify` false) or `…/verify`.
pub async fn serve_network(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>, verify: bool) -> Response<Body> {
    if req.method() != Method::POST {
        let r = http::error(ctx, 405, "method_not_allowed", "this route takes POST");
        return with_allow(r);
    }
    let authorization = http::authorization(&req);
    let shape =
        if verify { "{\"identity_id\", \"nonce\", \"signature\", \"public_key\"}" } else { "{\"identity_id\"}" };
    let body: NetworkAuthBody = match http::read_json_body(req, 16 * 1024).await {
        Ok(b) => b,
        Err(_) => return http::error(ctx, 400, "bad_request", &format!("send a JSON body {shape} of at most 16 KiB")),
    };
    if !verify && (body.nonce.is_some() || body.signature.is_some() || body.public_key.is_some()) {
        return http::error(ctx, 400, "bad_request", &format!("send a JSON body {shape} of at most 16 KiB"));
    }
    let request = AuthRequest {
        connection_id: body.identity_id,
        network: true,
        public_key: body.public_key,
        nonce: body.nonce,
        signature: body.signature,
        ..request_of(ctx, authorization)
    };
    login(d, ctx, request, verify).await
}

/// The request's own facts (time, id, source, its `Authorization` header) for a login.
fn request_of(ctx: &Ctx, authorization: Option<String>) -> AuthRequest {
    AuthRequest {
        connection_id: String::new(),
        network: false,
        public_key: None,
        nonce: None,
        signature: None,
        authorization,
        time_ms: ctx.now_ms,
        request_id: ctx.request_id.clone(),
        source_ip: ctx.ip.clone(),
    }
}

/// What the core needs of the identity a network login names: its id, status and key reference
/// (never a key: the server has none).
fn network_identity(row: crate::store::IdentityRow) -> IdentityConnection {
    IdentityConnection {
        connection: ConnectionRecord {
            status: if row.status == "active" { ConnectionStatus::Active } else { ConnectionStatus::Revoked },
            id: row.id,
            company_id: String::new(),
            key_ref: row.key_ref,
            patterns: Vec::new(),
            company_enabled: true,
        },
        public_key: None,
        name: Some(row.name),
    }
}

/// Decide a challenge or verify with the core, store what it granted, audit, answer.
async fn login(d: &Arc<Daemon>, ctx: &Ctx, request: AuthRequest, verify: bool) -> Response<Body> {
    let network = request.network;
    let mut inst = match d.host.instance() {
        Ok(i) => i,
        Err(_) => return http::internal(ctx, "instantiating the component"),
    };
    // Look-up, decision and storage under the database lock: a nonce is spent once.
    let decided = d.db(|s| {
        let conn = if network {
            s.identity(&request.connection_id)?.map(network_identity)
        } else if ctx.channel == Channel::Network {
            // External Connections are local mode's: on network mode's listener no connection
            // is found, so none is logged in to (the core's unknown-connection refusal).
            None
        } else {
            s.connection(&request.connection_id)?.map(|row| IdentityConnection {
                public_key: row.public_key.as_deref().and_then(|k| inst.check_public_key(k).ok()?.ok()),
                connection: row.record,
                name: None,
            })
        };
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
        (Some(n), _) if network => json!({"identity_id": n.connection_id, "nonce": n.nonce,
                                          "expires_at": rfc3339(n.expires_at_ms), "expires_at_ms": n.expires_at_ms}),
        (Some(n), _) => json!({"connection_id": n.connection_id, "nonce": n.nonce, "expires_at_ms": n.expires_at_ms}),
        (_, Some(g)) => {
            // The session token is answered once and wiped from this copy; only its reference
            // was stored.
            let token = zeroize::Zeroizing::new(std::mem::take(&mut g.token));
            if network {
                json!({"identity_id": g.session.connection_id, "token": token.as_str(), "token_type": "Bearer",
                       "expires_at": rfc3339(g.session.expires_at_ms), "expires_at_ms": g.session.expires_at_ms})
            } else {
                json!({"connection_id": g.session.connection_id, "session": token.as_str(),
                       "token_type": "Bearer", "expires_at_ms": g.session.expires_at_ms})
            }
        }
        _ => return http::internal(ctx, "answering the login"),
    };
    http::json(ctx, 200, &answer)
}

/// `ms` (since the epoch) as RFC 3339 in UTC, to the second: `2026-12-01T07:00:00Z`.
fn rfc3339(ms: u64) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => String::new(),
    }
}

fn with_allow(mut r: Response<Body>) -> Response<Body> {
    r.headers_mut().insert(hyper::header::ALLOW, hyper::header::HeaderValue::from_static("POST"));
    r
}
