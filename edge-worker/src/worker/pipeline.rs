//! The one request pipeline of the lifecycle routes (docs/policy.md, "The Worker"): route table →
//! authenticate → the core's `admit` → prepare the act → one call to the company's object (act,
//! the core's `conclude`, the audit event, in one step) → respond.
//!
//! A handler (`super::lifecycle`) receives an admitted [`Call`] and returns a [`Prepared`]: the
//! [`Act`] for the object (or the input problem it found) and what the answer of a success adds
//! (a minted key, the snippet). It cannot choose a status or an audit event: the object records
//! the core's event, and only the object changes a connection.

use hq_vault_core::policy::{self, Admission, Caller, CredentialProblem, Decision, Effect};
use serde_json::Value;
use worker::kv::KvStore;
use worker::{Env, Request, Response, Result};

use super::audit::{self, Stream};
use super::{Ctx, error, json_response, lifecycle, method_not_allowed, object};
use crate::company::{Act, LifecycleCall, LifecycleReply};
use crate::model::{self, AdminCredential};
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

/// What a handler prepared for the company's object.
pub struct Prepared {
    pub act: Act,
    /// Fields the answer of a success gets besides the object's body (a minted key, the snippet).
    pub extra: Option<Value>,
}

impl Prepared {
    pub fn act(act: Act) -> Prepared {
        Prepared { act, extra: None }
    }

    /// The Worker could not act: only the core's answer and its event.
    pub fn failed(effect: Effect, connection: Option<&str>) -> Prepared {
        Prepared::act(Act::Failed { effect, connection: connection.map(str::to_owned) })
    }
}

/// Who the `Authorization` header names: the core parses it; KV knows the admin credentials.
async fn authenticate(req: &Request, kv: &KvStore) -> Result<Caller> {
    let header = req.headers().get("authorization")?;
    let reference = match policy::credential(header.as_deref()) {
        Ok(r) => r,
        Err(problem) => return Ok(Caller::Anonymous(problem)),
    };
    let stored = match kv.get(&model::admin_key(&reference)).text().await? {
        Some(t) => serde_json::from_str::<AdminCredential>(&t).ok(),
        None => None,
    };
    Ok(match stored {
        Some(a) => a.caller(),
        None => Caller::Anonymous(CredentialProblem::Unknown),
    })
}

/// Serve a lifecycle route.
pub async fn serve(req: Request, env: &Env, kv: &KvStore, ctx: &Ctx) -> Result<Response> {
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
        // The lifecycle routes read their few query parameters in the act.
        query_problem: None,
        locked: false,
        time_ms: ctx.now_ms,
        request_id: ctx.request_id.clone(),
        source_ip: ctx.ip.clone(),
    };
    let admission = match policy::admit(&request) {
        Ok(a) => a,
        Err(refused) => {
            let stream = Stream::of(&request, refused.summarized);
            if let Some(ev) = &refused.audit
                && audit::record(env, &stream, ev).await.is_err()
            {
                return unavailable(ctx);
            }
            return respond(ctx, &refused, None);
        }
    };
    // A method the route does not take, asked by someone who may use the route: the table's 405.
    if let Some(allow) = wrong_method {
        return method_not_allowed(ctx, allow);
    }
    let call = Call { ctx, request, admission };
    let prepared = lifecycle::prepare(&call, req, kv).await;
    let company = call.company().to_owned();
    let msg = LifecycleCall { request: call.request, admission: call.admission, act: prepared.act };
    match object::call::<_, LifecycleReply>(env, &company, "lifecycle", &msg).await {
        Ok(reply) => {
            let body = match (reply.body, prepared.extra) {
                (Some(Value::Object(mut b)), Some(Value::Object(extra))) => {
                    b.extend(extra);
                    Some(Value::Object(b))
                }
                (b, _) => b,
            };
            respond(ctx, &reply.decision, body)
        }
        Err(_) => unavailable(ctx),
    }
}

fn unavailable(ctx: &Ctx) -> Result<Response> {
    error(
        ctx,
        503,
        "company_unavailable",
        "the company's object did not answer: read the connection or settings back, then retry if nothing changed",
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
