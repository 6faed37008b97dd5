//! The fetch handler: HTTP, KV, R2 and calls to the company's Durable Object. Decisions come from
//! `hq_vault_core`, run inside the object for everything a connection's state decides.
//!
//! - [`reads`]: the read routes of a connection key (`/v1/connections/files…`): KV routes the key
//!   to its company, the company's object decides with the core's `gate` and files the event.
//! - [`routing`]: KV's routing index (key reference → company), remembered in the isolate.
//! - [`batch`]: reads of one company waiting together share one call to its object.
//! - [`auth`]: the agent-identity routes (`/v1/connections/auth/challenge`, `…/verify`): the
//!   company's object decides with the core's `identity` and stores nonces and sessions.
//! - [`pipeline`]: the one path of every lifecycle route (`/v1/companies/{company}/…`): the route
//!   table, authentication, the core's `admit`, the act in the company's object with `conclude`
//!   and the audit event, the answer.
//! - [`lifecycle`]: what a lifecycle act needs outside the object (its body, a minted key and its
//!   KV route), never a status.
//! - [`audit`]: where a refusal's event goes (the company's object, or the log).
//! - [`object`]: the Durable Object `Company` itself (docs/design.md §3.5).
//! - [`store`]: the object's SQLite tables and its mirror of the rows every read looks up.
//! - [`console`]: the Connections console page and its assets (docs/console.md).

mod audit;
mod auth;
mod batch;
mod console;
mod lifecycle;
mod object;
mod pipeline;
mod reads;
mod routing;
mod store;

use hq_vault_core::gate::{self, Route};

use crate::company::AuthOp;
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
        "/v1/connections/files" => reads::read(req, &env, &wctx, &kv, &ctx, Route::List).await,
        "/v1/connections/files/object" => reads::read(req, &env, &wctx, &kv, &ctx, Route::Object).await,
        "/v1/connections/auth/challenge" => auth::serve(req, &env, &kv, &ctx, AuthOp::Challenge).await,
        "/v1/connections/auth/verify" => auth::serve(req, &env, &kv, &ctx, AuthOp::Verify).await,
        p if p.starts_with(crate::routes::PREFIX) => pipeline::serve(req, &env, &kv, &ctx).await,
        p if console::is_page(p) || console::is_asset(p) => console::serve(&ctx, req.method().as_ref(), p),
        _ => error(&ctx, 404, "not_found", "no such route: see the README's API"),
    }
}
