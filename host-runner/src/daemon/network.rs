//! Network mode's routes (seed 002, docs/policy.md "Network mode"): identities, orgs and their
//! projects, and access requests decided by a human admin. The core admitted each request and
//! decides every answer (`decide-problem` for an approve or deny once the request is found); these
//! acts only read the body, ask the core to check it, and write `vault.db` inside the pipeline's
//! transaction.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::json;

use super::Daemon;
use super::http::Body;
use super::pipeline::{self, Acted, Call, Success, role_of};
use super::requests::{AccessRequestBody, DecideBody, IdentityBody, OrgBody, ProjectBody};
use crate::host::wit::policy::{AccessRequest, Caller, Effect, IdentityKind, InputKind, Role};
use crate::store::{AccessRequestRow, IdentityRow, MembershipRow};

/// The largest body of these routes (a justification is at most 1000 characters).
const MAX_BODY: usize = 16 * 1024;
const TOO_LARGE: &str = "the request body is over 16 KiB";

/// `prefix` and 16 random hex digits from the OS generator.
fn new_id(prefix: &str) -> anyhow::Result<String> {
    let mut id = [0u8; 8];
    getrandom::fill(&mut id).map_err(|e| anyhow::anyhow!("drawing an id: {e}"))?;
    Ok(format!("{prefix}{}", hex::encode(id)))
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Admin => "admin",
        Role::Member => "member",
        Role::Readonly => "readonly",
    }
}

/// `POST /v1/identities` `{"name","type","public_key"}` → 201 `{"id","name","type","created_ms"}`.
pub async fn register(d: &Arc<Daemon>, call: Call, req: Request<Incoming>) -> Response<Body> {
    let body: IdentityBody = match pipeline::body(req, MAX_BODY, TOO_LARGE).await {
        Ok(b) => b,
        Err(a) => return d.finish(&call, a).await,
    };
    let (kind, key_ref) = match call.core(|i| i.check_identity_registration(&body.name, &body.kind, &body.public_key)) {
        Ok(Ok(v)) => v,
        Ok(Err(p)) => return d.finish(&call, Acted::failed(Effect::BadInput(p))).await,
        Err(_) => return d.finish(&call, Acted::internal("checking the identity")).await,
    };
    let Ok(id) = new_id("id_") else {
        return d.finish(&call, Acted::internal("drawing the identity id")).await;
    };
    let row = IdentityRow {
        id,
        name: body.name,
        kind: if kind == IdentityKind::Human { "human" } else { "agent" }.into(),
        key_ref,
        status: "active".into(),
        created_ms: call.ctx.now_ms,
    };
    d.transact(call, move |_, _, store| {
        // One key, one identity: a key registered twice would let one holder act as two.
        match store.key_registered(&row.key_ref) {
            Ok(false) => {}
            Ok(true) => return Ok(Acted::failed(Effect::KeyTaken)),
            Err(_) => return Ok(Acted::internal("reading vault.db")),
        }
        Ok(match store.insert_identity(&row) {
            Ok(true) => {
                Acted::done(Effect::Done, Success::Json(json!(row))).with_subject(format!("{} ({})", row.name, row.id))
            }
            Ok(false) => Acted::failed(Effect::NameTaken).with_subject(row.name.clone()),
            Err(_) => Acted::internal("writing vault.db"),
        })
    })
    .await
}

/// `GET /v1/identities` → `{"identities": [{"id","name","type","status","created_ms","memberships"}]}`.
pub async fn list(d: &Arc<Daemon>, call: Call) -> Response<Body> {
    let rows = d.db(|s| {
        let mut out = Vec::new();
        for row in s.list_identities()? {
            let memberships = s.memberships(&row.id)?;
            let mut v = json!(row);
            v["memberships"] = json!(memberships);
            out.push(v);
        }
        Ok(out)
    });
    match rows {
        Ok(rows) => d.finish(&call, Acted::done(Effect::Done, Success::Json(json!({ "identities": rows })))).await,
        Err(_) => d.finish(&call, Acted::internal("reading vault.db")).await,
    }
}

/// `POST /v1/identities/{id}/revoke`: the identity is revoked and its sessions end at once.
pub async fn revoke(d: &Arc<Daemon>, call: Call) -> Response<Body> {
    d.transact(call, |_, call, store| {
        let id = call.target();
        Ok(match store.identity(id) {
            Ok(Some(row)) => match store.revoke_identity(id, call.ctx.now_ms) {
                Ok(changed) => Acted::done(
                    Effect::Done,
                    Success::Json(json!({"id": row.id, "name": row.name, "revoked": true, "was_active": changed})),
                ),
                Err(_) => Acted::internal("writing vault.db"),
            },
            Ok(None) => Acted::failed(Effect::NotFound),
            Err(_) => Acted::internal("reading vault.db"),
        })
    })
    .await
}

/// The core's check of an org's or a project's name: what to finish with when it is refused.
fn name_refused(call: &Call, name: &str) -> Option<Acted> {
    match call.core(|i| i.check_org_name(name)) {
        Ok(Ok(())) => None,
        Ok(Err(p)) => Some(Acted::failed(Effect::BadInput(p))),
        Err(_) => Some(Acted::internal("checking the name")),
    }
}

/// `POST /v1/orgs` `{"name","admin"?}`: the org and, with `admin` (an identity's name or id), its
/// first admin (admin of the whole org).
pub async fn create_org(d: &Arc<Daemon>, call: Call, req: Request<Incoming>) -> Response<Body> {
    let body: OrgBody = match pipeline::body(req, MAX_BODY, TOO_LARGE).await {
        Ok(b) => b,
        Err(a) => return d.finish(&call, a).await,
    };
    if let Some(a) = name_refused(&call, &body.name) {
        return d.finish(&call, a).await;
    }
    d.transact(call, move |_, call, store| {
        let admin = match body.admin.as_deref() {
            None => None,
            Some(who) => match store.identity(who).and_then(|r| match r {
                Some(r) => Ok(Some(r)),
                None => store.identity_by_name(who),
            }) {
                Ok(Some(row)) if row.status == "active" => Some(row),
                Ok(_) => return Ok(Acted::failed(Effect::NotFound).with_subject(body.name.clone())),
                Err(_) => return Ok(Acted::internal("reading vault.db")),
            },
        };
        let now = call.ctx.now_ms;
        // An existing org gets another admin this way (the server's owner only): an org whose
        // admins were all revoked is never left without a way back.
        let existed = match store.org_exists(&body.name) {
            Ok(e) => e,
            Err(_) => return Ok(Acted::internal("reading vault.db")),
        };
        if existed && admin.is_none() {
            return Ok(Acted::failed(Effect::NameTaken).with_subject(body.name.clone()));
        }
        Ok(match if existed { Ok(true) } else { store.insert_org(&body.name, now) } {
            Ok(true) => {
                if let Some(a) = &admin {
                    let m = MembershipRow { org: body.name.clone(), project: None, role: "admin".into() };
                    if store.insert_membership(&a.id, &m, now).is_err() {
                        return Ok(Acted::internal("writing vault.db"));
                    }
                }
                let admin = admin.map(|a| json!({"id": a.id, "name": a.name}));
                Acted::done(Effect::Done, Success::Json(json!({"name": body.name, "admin": admin, "existed": existed})))
                    .with_subject(body.name.clone())
            }
            Ok(false) => Acted::failed(Effect::NameTaken).with_subject(body.name.clone()),
            Err(_) => Acted::internal("writing vault.db"),
        })
    })
    .await
}

/// `POST /v1/orgs/{org}/projects` `{"name"}`.
pub async fn create_project(d: &Arc<Daemon>, call: Call, req: Request<Incoming>) -> Response<Body> {
    let body: ProjectBody = match pipeline::body(req, MAX_BODY, TOO_LARGE).await {
        Ok(b) => b,
        Err(a) => return d.finish(&call, a).await,
    };
    if let Some(a) = name_refused(&call, &body.name) {
        return d.finish(&call, a).await;
    }
    d.transact(call, move |_, call, store| {
        let org = call.target();
        Ok(match store.org_exists(org) {
            Ok(false) => Acted::failed(Effect::NotFound),
            Ok(true) => match store.insert_project(org, &body.name, call.ctx.now_ms) {
                Ok(true) => Acted::done(Effect::Done, Success::Json(json!({"org": org, "name": body.name})))
                    .with_subject(format!("{org}/{}", body.name)),
                Ok(false) => Acted::failed(Effect::NameTaken).with_subject(body.name.clone()),
                Err(_) => Acted::internal("writing vault.db"),
            },
            Err(_) => Acted::internal("reading vault.db"),
        })
    })
    .await
}

/// The caller's identity id (the policy admitted only sessions where one is needed).
fn caller_id(call: &Call) -> String {
    match call.caller() {
        Caller::Session(s) => s.id.clone(),
        _ => String::new(),
    }
}

/// `POST /v1/access-requests` `{"org","project"?,"role","justification"}` → 201 `{"id","status":"pending",…}`.
pub async fn create_request(d: &Arc<Daemon>, call: Call, req: Request<Incoming>) -> Response<Body> {
    let body: AccessRequestBody = match pipeline::body(req, MAX_BODY, TOO_LARGE).await {
        Ok(b) => b,
        Err(a) => return d.finish(&call, a).await,
    };
    let role = match call
        .core(|i| i.check_access_request(&body.org, body.project.as_deref(), &body.role, &body.justification))
    {
        Ok(Ok(r)) => r,
        Ok(Err(p)) => return d.finish(&call, Acted::failed(Effect::BadInput(p))).await,
        Err(_) => return d.finish(&call, Acted::internal("checking the request")).await,
    };
    let Ok(id) = new_id("ar_") else {
        return d.finish(&call, Acted::internal("drawing the request id")).await;
    };
    let row = AccessRequestRow {
        id,
        identity_id: caller_id(&call),
        org: body.org,
        project: body.project,
        role: role_name(role).into(),
        justification: body.justification,
        status: "pending".into(),
        created_ms: call.ctx.now_ms,
        decided_by: None,
        decided_ms: None,
        reason: None,
    };
    d.transact(call, move |_, _, store| {
        let exists = match &row.project {
            Some(p) => store.project_exists(&row.org, p),
            None => store.org_exists(&row.org),
        };
        Ok(match exists {
            Ok(false) => Acted::failed(Effect::NotFound),
            Ok(true) => match store.insert_access_request(&row) {
                Ok(()) => Acted::done(Effect::Done, Success::Json(json!(row))).with_subject(row.id.clone()),
                Err(_) => Acted::internal("writing vault.db"),
            },
            Err(_) => Acted::internal("reading vault.db"),
        })
    })
    .await
}

fn wit_request(r: &AccessRequestRow) -> AccessRequest {
    AccessRequest {
        id: r.id.clone(),
        identity_id: r.identity_id.clone(),
        org: r.org.clone(),
        project: r.project.clone(),
        role: role_of(&r.role),
        status: r.status.clone(),
    }
}

/// `GET /v1/access-requests` → `{"access_requests": [...]}`, newest first, with the requester's
/// name: what the core lets the caller see (`access-request-visible`).
pub async fn list_requests(d: &Arc<Daemon>, call: Call) -> Response<Body> {
    let rows = match d.db(|s| {
        let mut out = Vec::new();
        for r in s.list_access_requests()? {
            let name = s.identity(&r.identity_id)?.map(|i| i.name);
            out.push((r, name));
        }
        Ok(out)
    }) {
        Ok(r) => r,
        Err(_) => return d.finish(&call, Acted::internal("reading vault.db")).await,
    };
    let mut out = Vec::new();
    for (r, name) in rows {
        match call.core(|i| i.access_request_visible(call.caller(), &wit_request(&r))) {
            Ok(true) => {
                let mut v = json!(r);
                v["identity_name"] = json!(name);
                out.push(v);
            }
            Ok(false) => {}
            Err(_) => return d.finish(&call, Acted::internal("filtering the requests")).await,
        }
    }
    d.finish(&call, Acted::done(Effect::Done, Success::Json(json!({ "access_requests": out })))).await
}

/// `POST /v1/access-requests/{id}/approve` (`approve` true: the membership is created) or
/// `…/deny`, with a JSON body `{}` or `{"reason"}`.
pub async fn decide(d: &Arc<Daemon>, call: Call, req: Request<Incoming>, approve: bool) -> Response<Body> {
    let body: DecideBody = match pipeline::body(req, MAX_BODY, TOO_LARGE).await {
        Ok(b) => b,
        Err(a) => return d.finish(&call, a).await,
    };
    if let Some(r) = &body.reason
        && (r.chars().count() > 1000 || r.chars().any(|c| c.is_control() && c != '\n'))
    {
        return d
            .finish(
                &call,
                Acted::input(
                    InputKind::BadJustification,
                    "a reason is at most 1000 characters, no control characters but new lines",
                ),
            )
            .await;
    }
    let decider = call.admission.actor.clone();
    d.transact(call, move |_, call, store| {
        let row = match store.access_request(call.target()) {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(Acted::failed(Effect::NotFound)),
            Err(_) => return Ok(Acted::internal("reading vault.db")),
        };
        if row.status != "pending" {
            return Ok(Acted::failed(Effect::AlreadyDecided));
        }
        match call.core(|i| i.decide_problem(call.caller(), &wit_request(&row))) {
            Ok(None) => {}
            Ok(Some(why)) => return Ok(Acted::failed(Effect::NotPermitted(why))),
            Err(_) => return Ok(Acted::internal("deciding")),
        }
        let now = call.ctx.now_ms;
        let status = if approve { "approved" } else { "denied" };
        if approve {
            let m = MembershipRow { org: row.org.clone(), project: row.project.clone(), role: row.role.clone() };
            if store.insert_membership(&row.identity_id, &m, now).is_err() {
                return Ok(Acted::internal("writing vault.db"));
            }
        }
        Ok(match store.decide_access_request(&row.id, status, &decider, body.reason.as_deref(), now) {
            Ok(true) => Acted::done(
                Effect::Done,
                Success::Json(json!({"id": row.id, "status": status, "identity_id": row.identity_id, "org": row.org,
                                     "project": row.project, "role": row.role, "decided_by": decider})),
            ),
            Ok(false) => Acted::failed(Effect::AlreadyDecided),
            Err(_) => Acted::internal("writing vault.db"),
        })
    })
    .await
}
