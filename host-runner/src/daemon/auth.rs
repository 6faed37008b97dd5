//! Who is calling: the bootstrap token or a managed token, decided by the component.
//!
//! Failed authentications are audited too (actor `anonymous`).

use hq_vault_core::audit::{Event, Outcome};
use hq_vault_core::tokens::{TokenDenial, TokenKind};
use hyper::Request;
use hyper::Response;
use hyper::body::Incoming;

use super::Daemon;
use super::http::{self, Body, Ctx};
use crate::store::TokenRow;

/// An authenticated caller.
pub enum Caller {
    /// The bootstrap token of this run of the daemon: the vault's owner.
    Bootstrap,
    /// A managed token, with its rules as read at authentication.
    Managed(TokenRow),
}

impl Caller {
    pub fn name(&self) -> &str {
        match self {
            Caller::Bootstrap => "bootstrap",
            Caller::Managed(t) => &t.name,
        }
    }
}

/// The code and message of the core's refusal of a managed token: each names the token, the real
/// cause (expired when, used up, revoked) and who can fix it (a token's holder cannot make a new
/// one; the vault's owner can).
pub fn denial(row: &TokenRow, denial: TokenDenial) -> (&'static str, String) {
    let new_one = "the vault's owner can create a new one with `hq-vault token create`";
    let name = &row.name;
    match denial {
        TokenDenial::Expired => {
            let at = row.rules.expires_at_ms.map(hq_vault_core::time::rfc3339).unwrap_or_default();
            ("token_expired", format!("the token `{name}` expired at {at}: {new_one}"))
        }
        TokenDenial::Exhausted => {
            let n = row.rules.max_uses.unwrap_or_default();
            ("token_exhausted", format!("the token `{name}` has no uses left (--max-uses {n}): {new_one}"))
        }
        TokenDenial::Revoked => ("token_revoked", format!("the token `{name}` was revoked: {new_one}")),
        TokenDenial::OutOfScope => ("out_of_scope", "the path is outside the token's scope".to_owned()),
    }
}

impl Daemon {
    /// Build an audit event for this request.
    pub fn event(
        &self,
        ctx: &Ctx,
        actor: &str,
        op: &str,
        path: Option<&str>,
        outcome: Outcome,
        status: u16,
        reason: Option<&str>,
    ) -> Event {
        Event {
            time_ms: ctx.now_ms,
            actor: actor.to_owned(),
            operation: op.to_owned(),
            path: path.map(str::to_owned),
            outcome,
            status,
            request_id: ctx.request_id.clone(),
            source_ip: ctx.ip.clone(),
            reason: reason.map(str::to_owned),
        }
    }

    /// Record a refusal or failure and answer it; 503 if even that line cannot be written.
    pub async fn refuse(
        &self,
        ctx: &Ctx,
        actor: &str,
        op: &str,
        path: Option<&str>,
        status: u16,
        code: &str,
        message: &str,
    ) -> Response<Body> {
        let outcome = if matches!(status, 401 | 403 | 423) { Outcome::Denied } else { Outcome::Failed };
        match self.audit.record(self.event(ctx, actor, op, path, outcome, status, Some(code))).await {
            Ok(()) => http::error(ctx, status, code, message),
            Err(_) => http::audit_failed(ctx),
        }
    }

    /// Authenticate the request's bearer vault token.
    pub async fn authenticate(&self, ctx: &Ctx, req: &Request<Incoming>, op: &str) -> Result<Caller, Response<Body>> {
        let outcome = match http::authorization(req) {
            None => Err((
                "missing_credentials",
                "send `Authorization: Bearer hqvt_…` (the token file, or HQ_VAULT_TOKEN)".to_owned(),
            )),
            Some(h) => self.check_token(ctx, &h),
        };
        match outcome {
            Ok(c) => Ok(c),
            Err((code, msg)) => Err(self.refuse(ctx, "anonymous", op, None, 401, code, &msg).await),
        }
    }

    /// The caller of `header`, or the refusal's code and message. Each message names the real
    /// cause (unknown, expired, used up, revoked) and who can fix it: a managed token's holder
    /// cannot make a new one, the vault's owner can.
    fn check_token(&self, ctx: &Ctx, header: &str) -> Result<Caller, (&'static str, String)> {
        let internal = || ("internal", "the token could not be checked".to_owned());
        let Some(token) = hq_vault_core::gate::bearer(header) else {
            return Err(("malformed_credentials", "the Authorization header must be `Bearer hqvt_…`".to_owned()));
        };
        match self.core(|i| i.parse_token(token)).map_err(|_| internal())? {
            Ok(TokenKind::VaultToken) => {}
            Ok(_) => {
                return Err((
                    "malformed_credentials",
                    "this is not a vault token: the vault API takes an hqvt_ token".to_owned(),
                ));
            }
            Err(_) => {
                return Err(("malformed_credentials", "the token is malformed: check it was copied whole".to_owned()));
            }
        }
        let reference = self.core(|i| i.reference(token)).map_err(|_| internal())?;
        if self.core(|i| i.references_equal(&reference, &self.bootstrap_ref)).map_err(|_| internal())? {
            return Ok(Caller::Bootstrap);
        }
        let row = {
            let store = self.store.lock().map_err(|_| internal())?;
            store.token_by_reference(&reference).map_err(|_| internal())?
        };
        let Some(row) = row else {
            return Err((
                "invalid_token",
                "this token is not known to this vault (a bootstrap token from an earlier start, or another vault's token?)"
                    .to_owned(),
            ));
        };
        match self.core(|i| i.evaluate(&row.rules, ctx.now_ms, None)).map_err(|_| internal())? {
            Ok(()) => Ok(Caller::Managed(row)),
            Err(e) => Err(denial(&row, e)),
        }
    }

    /// Authenticate, and require the owner, for a route without a path.
    pub async fn authenticate_owner(&self, ctx: &Ctx, req: &Request<Incoming>, op: &str) -> Result<(), Response<Body>> {
        let caller = self.authenticate(ctx, req, op).await?;
        self.require_owner(ctx, &caller, op, None).await
    }

    /// Only the vault's owner (the bootstrap token) may do this.
    pub async fn require_owner(
        &self,
        ctx: &Ctx,
        caller: &Caller,
        op: &str,
        path: Option<&str>,
    ) -> Result<(), Response<Body>> {
        match caller {
            Caller::Bootstrap => Ok(()),
            Caller::Managed(t) => Err(self
                .refuse(
                    ctx,
                    &t.name,
                    op,
                    path,
                    403,
                    "owner_only",
                    "managed tokens may only read secrets: use the bootstrap token for this",
                )
                .await),
        }
    }
}
