//! The fetch handler: HTTP, KV and R2 only. Decisions come from `hq_vault_core`.
//!
//! - [`reads`]: the read routes of a connection key (`/v1/connections/files…`), decided by the
//!   core's `gate`.
//! - [`pipeline`]: the one path of every lifecycle route (`/v1/companies/{company}/…`): the route
//!   table, authentication, the core's `admit`, the act, `conclude`, the audit event, the answer.
//! - [`lifecycle`]: the acts of the lifecycle routes (what happened and what to write, never a
//!   status).
//! - [`audit`]: audit events into KV (or the log) within KV's metadata limit.
//! - [`storage`]: KV records: connections, the key index, settings, admin credentials.

mod audit;
mod lifecycle;
mod pipeline;
mod reads;
mod storage;

use hq_vault_core::gate::{self, Route};
use worker::{Context, Env, Headers, Request, Response, Result, event};

/// Per-request facts.
pub(crate) struct Ctx {
    pub request_id: String,
    pub ip: String,
    pub now_ms: u64,
    /// The Worker's own origin (for the agent snippet).
    pub origin: String,
}

/// `n` random bytes in hex, from workerd's OS generator (`crypto.getRandomValues`); no fallback.
pub(crate) fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).expect("no randomness in this runtime");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(crate) fn json_response(ctx: &Ctx, status: u16, text: String) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    headers.set("x-request-id", &ctx.request_id)?;
    Ok(Response::ok(text)?.with_status(status).with_headers(headers))
}

/// A host-side error (no decision of the core's applies): the project's error body.
pub(crate) fn error(ctx: &Ctx, status: u16, code: &str, message: &str) -> Result<Response> {
    let r = json_response(ctx, status, gate::error_body(code, message, &ctx.request_id))?;
    if status == 401 {
        r.headers().set("www-authenticate", "Bearer")?;
    }
    Ok(r)
}

pub(crate) fn method_not_allowed(ctx: &Ctx, allow: &str) -> Result<Response> {
    let r = error(ctx, 405, "method_not_allowed", &format!("this route takes {allow}"))?;
    r.headers().set("allow", allow)?;
    Ok(r)
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, wctx: Context) -> Result<Response> {
    let url = req.url()?;
    let ctx = Ctx {
        request_id: req.headers().get("cf-ray")?.unwrap_or_else(|| format!("req_{}", random_hex(8))),
        ip: req.headers().get("cf-connecting-ip")?.unwrap_or_else(|| "unknown".into()),
        now_ms: worker::Date::now().as_millis(),
        origin: url.origin().ascii_serialization(),
    };
    let kv = env.kv("CONNECTIONS")?;
    match url.path() {
        "/v1/connections/files" => reads::read(req, &env, &kv, &wctx, &ctx, Route::List).await,
        "/v1/connections/files/object" => reads::read(req, &env, &kv, &wctx, &ctx, Route::Object).await,
        p if p.starts_with(crate::routes::PREFIX) => pipeline::serve(req, &kv, &ctx).await,
        _ => error(&ctx, 404, "not_found", "no such route: see the README's API"),
    }
}
