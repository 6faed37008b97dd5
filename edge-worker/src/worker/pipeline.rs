//! The one request pipeline of the lifecycle routes (docs/policy.md, "The Worker"): route table →
//! authenticate → the core's `admit` → act → the core's `conclude` → audit event (awaited) → KV
//! writes → respond.
//!
//! A handler (`super::lifecycle`) receives an admitted [`Call`] and returns an [`Acted`]: what
//! happened (an [`Effect`], never a status), the body to send if the core says it succeeded, and
//! the KV writes that make the change. It writes nothing itself and cannot choose a status or an
//! audit event: the pipeline records the core's event, and only then, and only for a success,
//! makes the writes.

use hq_vault_core::policy::{self, Admission, Caller, CredentialProblem, Decision, Effect, InputKind, InputProblem};
use serde_json::Value;
use worker::kv::KvStore;
use worker::{Request, Response, Result};

use super::audit::{self, Stream};
use super::storage::{self, Put};
use super::{Ctx, error, json_response, lifecycle, method_not_allowed};
use crate::routes::{self, Miss};

/// A request the core admitted.
pub struct Call<'a> {
    pub ctx: &'a Ctx,
    pub request: policy::Request,
    pub admission: Admission,
}

impl Call<'_> {
    /// The company the URL names (a company id: the policy admitted it).
    pub fn company(&self) -> &str {
        self.request.company.as_deref().unwrap_or("")
    }

    /// The checked target: a connection id.
    pub fn target(&self) -> &str {
        self.admission.target.as_deref().unwrap_or("")
    }
}

/// What a handler did.
pub struct Acted {
    pub effect: Effect,
    /// What a create made (the new connection's id), for the audit event.
    pub subject: Option<String>,
    /// The connection of the URL's company the act found or made: the event is filed in its audit.
    pub connection: Option<String>,
    /// The answer's body when the core says it succeeded (the status is the core's).
    pub body: Option<Value>,
    /// The writes that make the change, in order; made only after the event is durable and only
    /// when the core concluded a success.
    pub writes: Vec<Put>,
}

impl Acted {
    pub fn done(body: Value) -> Acted {
        Acted { effect: Effect::Done, subject: None, connection: None, body: Some(body), writes: Vec::new() }
    }

    pub fn failed(effect: Effect) -> Acted {
        Acted { effect, subject: None, connection: None, body: None, writes: Vec::new() }
    }

    pub fn input(kind: InputKind, detail: impl Into<String>) -> Acted {
        Acted::failed(Effect::BadInput(InputProblem { kind, detail: detail.into(), rejections: Vec::new() }))
    }

    /// A storage read that failed.
    pub fn kv_failed() -> Acted {
        Acted::failed(Effect::Failed("reading Workers KV".into()))
    }

    /// The event goes to connection `id`'s audit.
    pub fn on(mut self, id: &str) -> Acted {
        self.connection = Some(id.to_owned());
        self
    }

    pub fn subject(mut self, subject: &str) -> Acted {
        self.subject = Some(subject.to_owned());
        self
    }

    pub fn writing(mut self, puts: impl IntoIterator<Item = Put>) -> Acted {
        self.writes.extend(puts);
        self
    }
}

/// Who the `Authorization` header names: the core parses it; KV knows the admin credentials.
async fn authenticate(req: &Request, kv: &KvStore) -> Result<Caller> {
    let header = req.headers().get("authorization")?;
    let reference = match policy::credential(header.as_deref()) {
        Ok(r) => r,
        Err(problem) => return Ok(Caller::Anonymous(problem)),
    };
    Ok(match storage::admin(kv, &reference).await? {
        Some(a) => a.caller(),
        None => Caller::Anonymous(CredentialProblem::Unknown),
    })
}

/// Serve a lifecycle route.
pub async fn serve(req: Request, kv: &KvStore, ctx: &Ctx) -> Result<Response> {
    let path = req.path();
    let (route, wrong_method) = match routes::resolve(req.method().as_ref(), &path) {
        Ok(r) => (r, None),
        // The same words as the policy's 404, so that no one can tell a route that does not exist
        // from one hidden from them.
        Err(Miss::NoRoute) => return error(ctx, 404, "not_found", policy::NO_SUCH_ROUTE),
        Err(Miss::Method { allow, probe }) => (probe, Some(allow)),
    };
    let Ok(caller) = authenticate(&req, kv).await else {
        return error(ctx, 500, "internal", "reading the admin credential from Workers KV failed: retry the request");
    };
    let request = policy::Request {
        operation: route.operation,
        caller,
        target: route.target,
        company: Some(route.company),
        locked: false,
        time_ms: ctx.now_ms,
        request_id: ctx.request_id.clone(),
        source_ip: ctx.ip.clone(),
    };
    let admission = match policy::admit(&request) {
        Ok(a) => a,
        Err(refused) => {
            let stream = Stream::of(&request, None, refused.summarized);
            return answer(kv, ctx, &stream, &refused).await;
        }
    };
    // A method the route does not take, asked by someone who may use the route: the table's 405.
    if let Some(allow) = wrong_method {
        return method_not_allowed(ctx, allow);
    }
    let call = Call { ctx, request, admission };
    let acted = lifecycle::act(&call, req, kv).await;
    finish(kv, &call, acted).await
}

/// Conclude; make the event durable; then, for a success, the writes; then answer. If the event
/// cannot be written nothing is written and the answer is 503. If a write fails after the event,
/// a second event of the same request records the 500 the caller gets.
async fn finish(kv: &KvStore, call: &Call<'_>, acted: Acted) -> Result<Response> {
    let conclude = |effect: &Effect| policy::conclude(&call.request, &call.admission, effect, acted.subject.as_deref());
    let decision = conclude(&acted.effect);
    let stream = Stream::of(&call.request, acted.connection.as_deref(), decision.summarized);
    let Some(ev) = &decision.audit else { return respond(call.ctx, &decision, acted.body) };
    if audit::record(kv, &stream, ev, 0).await.is_err() {
        return audit_unavailable(call.ctx);
    }
    if decision.status < 300 && storage::apply(kv, &acted.writes).await.is_err() {
        let failed = conclude(&Effect::Failed("writing Workers KV".into()));
        if let Some(ev) = &failed.audit {
            // Best effort: KV just failed a write.
            let _ = audit::record(kv, &stream, ev, 1).await;
        }
        return respond(call.ctx, &failed, None);
    }
    respond(call.ctx, &decision, acted.body)
}

/// Record a refusal's event, then answer it.
async fn answer(kv: &KvStore, ctx: &Ctx, stream: &Stream, d: &Decision) -> Result<Response> {
    if let Some(ev) = &d.audit
        && audit::record(kv, stream, ev, 0).await.is_err()
    {
        return audit_unavailable(ctx);
    }
    respond(ctx, d, None)
}

fn audit_unavailable(ctx: &Ctx) -> Result<Response> {
    error(
        ctx,
        503,
        "audit_unavailable",
        "the audit event could not be written to Workers KV, so nothing was done: retry the request",
    )
}

/// The answer to a decision: the success body with the core's status, or the core's error body
/// and headers.
fn respond(ctx: &Ctx, d: &Decision, body: Option<Value>) -> Result<Response> {
    if d.status >= 300 {
        let r = json_response(ctx, d.status, d.error_body.clone())?;
        for (k, v) in &d.headers {
            r.headers().set(k, v)?;
        }
        return Ok(r);
    }
    json_response(ctx, d.status, body.map(|b| b.to_string()).unwrap_or_default())
}
