//! The one request pipeline of the vault API (docs/policy.md): route table → authenticate → the
//! core's `admit` → act → the core's `conclude` → audit (durable) → respond.
//!
//! A handler receives an admitted [`Call`] and returns an [`Acted`]: what happened (an
//! [`Effect`], never a status) and the body to send if the core says it succeeded. It cannot
//! choose a status or write an audit line. Writes run in a SQLite transaction that commits only
//! once the audit line is on disk ([`Daemon::transact`]): no effect is visible before its line is
//! durable, and an effect whose line cannot be written is rolled back.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use serde::de::DeserializeOwned;

use super::Daemon;
use super::http::{self, Body, Channel, Ctx};
use crate::host::Instance;
use crate::host::wit::audit::HostAct;
use crate::host::wit::policy::{
    Admission, Caller, CredentialProblem, Decision, Effect, IdentityKind, IdentitySession, InputKind, InputProblem,
    ManagedToken, Membership, Operation, Request as PolicyRequest, Role,
};

/// A request the core admitted.
pub struct Call {
    pub ctx: Ctx,
    pub request: PolicyRequest,
    pub admission: Admission,
    /// A managed token's reference (its row's key: a revoked token's name may be reused).
    pub token_reference: Option<String>,
    /// This request's own short-lived instance of the component (no key in it), made from the
    /// `InstancePre` when the request arrived and dropped with it.
    inst: std::sync::Mutex<Instance>,
}

impl Call {
    /// The checked target (a secret's path, a listing folder, a token name, a connection id).
    pub fn target(&self) -> &str {
        self.admission.target.as_deref().unwrap_or("")
    }

    pub fn caller(&self) -> &Caller {
        &self.request.caller
    }

    /// Run `f` on this request's instance.
    pub fn core<T>(&self, f: impl FnOnce(&mut Instance) -> wasmtime::Result<T>) -> anyhow::Result<T> {
        let mut inst = self.inst.lock().map_err(|_| anyhow::anyhow!("the request's instance is poisoned"))?;
        f(&mut inst).map_err(anyhow::Error::from)
    }
}

/// What a handler did: the effect for the core, the subject a create made, and the success body.
pub struct Acted {
    pub effect: Effect,
    pub subject: Option<String>,
    /// The answer's body when the core says it succeeded (the status is the core's).
    pub body: Option<Success>,
    /// An act of the daemon's own that happened on the way (the key-holding instance trapped and
    /// the vault was locked): its line is made durable before the request's.
    pub host_act: Option<HostAct>,
}

/// A success body.
pub enum Success {
    Json(serde_json::Value),
    /// A body that carries a secret value: its buffer is wiped when dropped.
    Wiped(zeroize::Zeroizing<Vec<u8>>),
    Empty,
}

impl Acted {
    pub fn done(effect: Effect, body: Success) -> Acted {
        Acted { effect, subject: None, body: Some(body), host_act: None }
    }

    pub fn failed(effect: Effect) -> Acted {
        Acted { effect, subject: None, body: None, host_act: None }
    }

    pub fn input(kind: InputKind, detail: impl Into<String>) -> Acted {
        Acted::failed(Effect::BadInput(InputProblem { kind, detail: detail.into(), rejections: Vec::new() }))
    }

    pub fn internal(what: &str) -> Acted {
        Acted::failed(Effect::Failed(what.to_owned()))
    }

    pub fn with_subject(mut self, subject: impl Into<String>) -> Acted {
        self.subject = Some(subject.into());
        self
    }
}

/// A stored role's name as the policy's role (`readonly` for anything unknown: the least).
pub fn role_of(role: &str) -> Role {
    match role {
        "owner" => Role::Owner,
        "admin" => Role::Admin,
        "member" => Role::Member,
        _ => Role::Readonly,
    }
}

/// The route table: method and path → the operation and the target the URL names; `Err` for a
/// route that does not exist (404) or a method it does not take (405, with `Allow`).
pub fn resolve(method: &Method, path: &str) -> Result<(Operation, Option<String>), (u16, &'static str)> {
    use Operation as O;
    let segs: Vec<&str> = path.trim_start_matches('/').splitn(3, '/').collect();
    let m = |allowed: &'static str, ops: &[(Method, Operation)]| {
        ops.iter().find(|(mm, _)| mm == method).map(|(_, o)| *o).ok_or((405, allowed))
    };
    let target = |raw: &str| Some(raw.to_owned());
    Ok(match segs.as_slice() {
        ["v1", "health"] => (m("GET", &[(Method::GET, O::Health)])?, None),
        ["v1", "unlock"] => (m("POST", &[(Method::POST, O::Unlock)])?, None),
        ["v1", "lock"] => (m("POST", &[(Method::POST, O::Lock)])?, None),
        ["v1", "passphrase"] => (m("POST", &[(Method::POST, O::PassphraseChange)])?, None),
        ["v1", "secrets"] => (m("GET", &[(Method::GET, O::SecretList)])?, None),
        ["v1", "secrets", rest] => (
            m(
                "GET, PUT, DELETE",
                &[(Method::GET, O::SecretGet), (Method::PUT, O::SecretPut), (Method::DELETE, O::SecretDelete)],
            )?,
            target(rest),
        ),
        ["v1", "tokens"] => (m("GET, POST", &[(Method::GET, O::TokenList), (Method::POST, O::TokenCreate)])?, None),
        ["v1", "tokens", name] if !name.contains('/') => {
            (m("DELETE", &[(Method::DELETE, O::TokenRevoke)])?, target(name))
        }
        ["v1", "audit"] => (m("GET", &[(Method::GET, O::AuditRead)])?, None),
        ["v1", "audit", "follow"] => (m("GET", &[(Method::GET, O::AuditFollow)])?, None),
        ["v1", "connections"] => {
            (m("GET, POST", &[(Method::GET, O::ConnectionList), (Method::POST, O::ConnectionCreate)])?, None)
        }
        ["v1", "identities"] => {
            (m("GET, POST", &[(Method::GET, O::IdentityList), (Method::POST, O::IdentityRegister)])?, None)
        }
        ["v1", "identities", rest] => match rest.split_once('/') {
            Some((id, "revoke")) => (m("POST", &[(Method::POST, O::IdentityRevoke)])?, target(id)),
            _ => return Err((404, "")),
        },
        ["v1", "orgs"] => (m("POST", &[(Method::POST, O::OrgCreate)])?, None),
        ["v1", "orgs", rest] => match rest.split_once('/') {
            Some((org, "projects")) => (m("POST", &[(Method::POST, O::ProjectCreate)])?, target(org)),
            _ => return Err((404, "")),
        },
        ["v1", "access-requests"] => {
            (m("GET, POST", &[(Method::GET, O::AccessRequestList), (Method::POST, O::AccessRequestCreate)])?, None)
        }
        ["v1", "access-requests", rest] => match rest.split_once('/') {
            Some((id, "approve")) => (m("POST", &[(Method::POST, O::AccessRequestApprove)])?, target(id)),
            Some((id, "deny")) => (m("POST", &[(Method::POST, O::AccessRequestDeny)])?, target(id)),
            _ => return Err((404, "")),
        },
        ["v1", "connections", rest] => {
            let (id, action) = rest.split_once('/').unwrap_or((rest, ""));
            let op = match action {
                "" => m("GET", &[(Method::GET, O::ConnectionGet)])?,
                "rotate" => m("POST", &[(Method::POST, O::ConnectionRotate)])?,
                "revoke" => m("POST", &[(Method::POST, O::ConnectionRevoke)])?,
                "audit" => m("GET", &[(Method::GET, O::ConnectionAudit)])?,
                _ => return Err((404, "")),
            };
            (op, target(id))
        }
        _ => return Err((404, "")),
    })
}

impl Daemon {
    /// Who the `Authorization` header names: the core parses it, the store is asked.
    /// With a managed token, its reference too.
    fn caller(
        &self,
        inst: &mut Instance,
        authorization: Option<&str>,
        channel: Channel,
    ) -> anyhow::Result<(Caller, Option<String>)> {
        // Network mode's home socket: its file's permissions and the peer's user, checked at
        // accept, are the credential; the home's owner needs no token there.
        if channel == Channel::HomeSocket {
            return Ok((Caller::Owner, None));
        }
        let reference = match inst.policy_credential(authorization)? {
            Ok(r) => r,
            Err(p) => return Ok((Caller::Anonymous(p), None)),
        };
        // The bootstrap token is local mode's (network mode makes none): an unknown credential
        // on network mode's listener, audited as any.
        let local = channel == Channel::Local;
        if local
            && let Some(bootstrap) = &self.bootstrap_ref
            && inst.references_equal(&reference, bootstrap)?
        {
            return Ok((Caller::Owner, None));
        }
        // Managed tokens are the local mode's too: on network mode's listener every caller is an
        // identity with a session.
        if local && let Some(row) = self.db(|s| s.token_by_reference(&reference))? {
            return Ok((Caller::Managed(ManagedToken { name: row.name, rules: row.rules }), Some(reference)));
        }
        // An identity's session (network mode): its identity active, with the key it logged in
        // with, and its memberships as stored now (an approval counts at the next request).
        let session = self.db(|s| {
            let Some(session) = s.session(&reference)? else { return Ok(None) };
            let Some(identity) = s.identity(&session.connection_id)? else { return Ok(None) };
            if identity.status != "active" || identity.key_ref != session.key_ref {
                return Ok(None);
            }
            let memberships = s.memberships(&identity.id)?;
            Ok(Some((session, identity, memberships)))
        })?;
        Ok(match session {
            Some((session, identity, memberships)) => (
                Caller::Session(IdentitySession {
                    id: identity.id,
                    kind: if identity.kind == "human" { IdentityKind::Human } else { IdentityKind::Agent },
                    name: identity.name,
                    memberships: memberships
                        .into_iter()
                        .map(|m| Membership { org: m.org, project: m.project, role: role_of(&m.role) })
                        .collect(),
                    expires_at_ms: session.expires_at_ms,
                }),
                None,
            ),
            None => (Caller::Anonymous(CredentialProblem::Unknown), None),
        })
    }

    /// Route, authenticate and admit; `Err` is the answer already (a refusal, audited).
    pub async fn admit(&self, ctx: Ctx, req: &Request<Incoming>) -> Result<Call, Response<Body>> {
        let mut inst = match self.host.instance() {
            Ok(i) => i,
            Err(_) => return Err(http::internal(&ctx, "instantiating the component")),
        };
        let (operation, raw) = match resolve(req.method(), req.uri().path()) {
            Ok(r) => r,
            Err((status, allow)) => {
                return Err(self.refuse_route(&mut inst, ctx, (status == 405).then_some(allow)).await);
            }
        };
        let (caller, token_reference) = if operation == Operation::Health {
            (Caller::Anonymous(CredentialProblem::Missing), None)
        } else {
            match self.caller(&mut inst, http::authorization(req).as_deref(), ctx.channel) {
                Ok(c) => c,
                Err(_) => return Err(http::internal(&ctx, "checking the credential")),
            }
        };
        // A URL segment is decoded once (`%2e%2e` becomes `..`, which the core refuses); one
        // that is not UTF-8 after decoding is a target the core refuses too.
        let target = match operation {
            // The listing's folder is the `prefix` query parameter (decoded once by `query`); a
            // query that cannot be read is the core's to refuse (`query_problem`).
            Operation::SecretList => http::query(req).ok().and_then(|q| http::param(&q, "prefix").map(str::to_owned)),
            _ => raw.map(|r| http::decode_path(&r).unwrap_or_else(|| "\u{fffd}\u{0}".to_owned())),
        };
        let request = PolicyRequest {
            operation,
            caller,
            target,
            company: None,
            query_problem: http::query(req).err().map(str::to_owned),
            locked: !self.is_unlocked(),
            time_ms: ctx.now_ms,
            request_id: ctx.request_id.clone(),
            source_ip: ctx.ip.clone(),
        };
        match inst.admit(&request) {
            Ok(Ok(admission)) => {
                if operation.needs_activity() {
                    self.touch();
                }
                Ok(Call { ctx, request, admission, token_reference, inst: std::sync::Mutex::new(inst) })
            }
            Ok(Err(decision)) => Err(self.answer(&ctx, &decision, None).await),
            Err(_) => Err(http::internal(&ctx, "admitting the request")),
        }
    }

    /// The policy's answer (and audit line) for a request the route table has no operation for.
    pub async fn refuse_route(&self, inst: &mut Instance, ctx: Ctx, allow: Option<&str>) -> Response<Body> {
        match inst.refuse_route(allow, ctx.now_ms, &ctx.request_id, &ctx.ip) {
            Ok(d) => self.answer(&ctx, &d, None).await,
            Err(_) => http::internal(&ctx, "refusing the route"),
        }
    }

    /// What a failed use of the key means for the request; a trap also gets its own audit line
    /// (the vault was locked by it).
    pub fn key_failure(&self, e: super::KeyError) -> Acted {
        match e {
            super::KeyError::Locked => Acted::failed(Effect::Locked),
            super::KeyError::Trapped(why) => {
                eprintln!("hq-vault: {}", super::KeyError::Trapped(why));
                // The lock's own line is written (and waited for) before the request's.
                let mut acted = Acted::internal("the key-holding instance (it trapped, so the vault was locked)");
                acted.host_act = Some(HostAct::TrapLock);
                acted
            }
            super::KeyError::Stopped => Acted::internal("the key thread"),
        }
    }

    /// The core's decision for what a handler did.
    pub fn conclude(&self, call: &Call, acted: &Acted) -> anyhow::Result<Decision> {
        call.core(|i| i.conclude(&call.request, &call.admission, &acted.effect, acted.subject.as_deref()))
    }

    /// Record the daemon's own act (an idle lock, say), outside any request: the core writes the
    /// line; returns once it is durable.
    pub async fn record_host_act(&self, act: &HostAct) -> anyhow::Result<()> {
        let ctx = Ctx::new(([127, 0, 0, 1], 0).into());
        let event = self.host.instance()?.host_event(act, ctx.now_ms, &ctx.request_id).map_err(anyhow::Error::from)?;
        Ok(self.audit.record(event, false).await?)
    }

    /// Conclude, make the audit line durable, then answer.
    pub async fn finish(&self, call: &Call, acted: Acted) -> Response<Body> {
        if let Some(act) = &acted.host_act {
            let event = call.core(|i| i.host_event(act, super::now_ms(), &call.ctx.request_id));
            let recorded = match event {
                Ok(ev) => self.audit.record(ev, false).await.is_ok(),
                Err(_) => false,
            };
            if !recorded {
                return http::audit_failed(&call.ctx);
            }
        }
        match self.conclude(call, &acted) {
            Ok(d) => self.answer(&call.ctx, &d, acted.body).await,
            Err(_) => http::internal(&call.ctx, "concluding the request"),
        }
    }

    /// Record the decision's audit line (durable before anything is answered), then answer it.
    pub async fn answer(&self, ctx: &Ctx, d: &Decision, body: Option<Success>) -> Response<Body> {
        if let Some(ev) = &d.audit
            && self.audit.record(ev.clone(), d.summarized).await.is_err()
        {
            return http::audit_failed(ctx);
        }
        respond(ctx, d, body)
    }

    /// Run a write in a SQLite transaction: `act` returns what happened; the core concludes; the
    /// audit line is made durable; only then is the transaction committed, and only for a
    /// success (a refusal or failure is rolled back). If the line cannot be written nothing of it
    /// is committed and the answer is 503. If the commit itself fails after the line was written,
    /// a second line records the failure (500). Writes that wait together share one transaction
    /// and one `fsync` of the audit log (`daemon::writer`, group commit).
    pub async fn transact(
        self: &Arc<Self>,
        call: Call,
        act: impl FnOnce(&Daemon, &Call, &crate::store::VaultDb) -> Result<Acted, Box<Decision>> + Send + 'static,
    ) -> Response<Body> {
        let ctx = call.ctx.clone();
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job = super::writer::Job { call, act: Box::new(act), answer };
        if self.writes.send(job).is_err() {
            return http::internal(&ctx, "the writer of vault.db has stopped");
        }
        answered.await.unwrap_or_else(|_| http::internal(&ctx, "the write"))
    }
}

impl OperationExt for Operation {
    fn needs_activity(self) -> bool {
        matches!(self, Operation::SecretGet | Operation::SecretPut | Operation::SecretDelete | Operation::SecretList)
    }
}

/// Whether an operation resets the idle-lock timer (a use of the unlocked vault).
trait OperationExt {
    fn needs_activity(self) -> bool;
}

/// The answer to a decision: the success body with the core's status, or the core's error body.
pub fn respond(ctx: &Ctx, d: &Decision, body: Option<Success>) -> Response<Body> {
    if d.status >= 300 {
        let mut r = http::raw_json(ctx, d.status, d.error_body.clone());
        for (k, v) in &d.headers {
            if let (Ok(k), Ok(v)) = (hyper::header::HeaderName::try_from(k.as_str()), v.parse()) {
                r.headers_mut().insert(k, v);
            }
        }
        // The rest of an unread body cannot be skipped: the connection closes.
        if matches!(d.status, 408 | 413) {
            r.headers_mut().insert("connection", "close".parse().expect("static header"));
        }
        return r;
    }
    match body {
        Some(Success::Json(v)) => http::json(ctx, d.status, &v),
        Some(Success::Wiped(buf)) => http::wiped_json(ctx, d.status, buf),
        Some(Success::Empty) | None => {
            let mut r = Response::new(http::empty());
            *r.status_mut() = hyper::StatusCode::from_u16(d.status).unwrap_or(hyper::StatusCode::NO_CONTENT);
            r
        }
    }
}

/// Read a JSON body of at most `limit` bytes; what is wrong with it is an input problem.
pub async fn body<T: DeserializeOwned>(req: Request<Incoming>, limit: usize, too_large: &str) -> Result<T, Acted> {
    http::read_json_body(req, limit).await.map_err(|(kind, detail)| {
        Acted::input(kind, if kind == InputKind::BodyTooLarge { too_large.to_owned() } else { detail })
    })
}
