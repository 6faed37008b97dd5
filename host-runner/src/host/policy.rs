//! Host side of `hq:vault/policy`: who may do what on the vault API (docs/policy.md).

use hq_vault_core::policy::{
    Admission, Caller, CompanyAdmin, CredentialProblem, Decision, Effect, IdentitySession, InputKind, InputProblem,
    ManagedToken, Membership, Operation, PatternRejection, Request, Role,
};
use hq_vault_core::tokens::TokenRules;
use wasmtime::Result;

use super::Instance;
use super::audit::event_from_wit;
use super::bindings::exports::hq::vault::policy as w;
use super::bindings::exports::hq::vault::tokens as wt;

/// Convert a unit enum of the core and its WIT twin, both ways, variant by variant.
macro_rules! enum_twins {
    ($to:ident, $from:ident, $rust:ty, $wit:ty, [$($v:ident),* $(,)?]) => {
        fn $to(x: $rust) -> $wit {
            match x { $(<$rust>::$v => <$wit>::$v),* }
        }
        #[allow(dead_code)]
        fn $from(x: $wit) -> $rust {
            match x { $(<$wit>::$v => <$rust>::$v),* }
        }
    };
}

enum_twins!(
    op_to_wit,
    op_from_wit,
    Operation,
    w::Operation,
    [
        Health,
        Unlock,
        Lock,
        PassphraseChange,
        SecretGet,
        SecretPut,
        SecretDelete,
        SecretList,
        TokenCreate,
        TokenList,
        TokenRevoke,
        AuditRead,
        AuditFollow,
        ConnectionCreate,
        ConnectionList,
        ConnectionGet,
        ConnectionRotate,
        ConnectionRevoke,
        ConnectionAudit,
        SettingsRead,
        SettingsWrite,
    ]
);
enum_twins!(
    problem_to_wit,
    problem_from_wit,
    CredentialProblem,
    w::CredentialProblem,
    [Missing, Malformed, WrongKind, Unknown,]
);
enum_twins!(role_to_wit, role_from_wit, Role, w::Role, [Owner, Admin, Member, Readonly]);
enum_twins!(
    input_to_wit,
    input_from_wit,
    InputKind,
    w::InputKind,
    [
        BadJson,
        BodyTooLarge,
        BodyTimeout,
        BadQuery,
        BadValue,
        ValueTooLarge,
        BadType,
        BadDescription,
        BadName,
        BadTtl,
        BadMaxUses,
        BadPrefix,
        BadPatterns,
        BadMechanism,
        WeakPassphrase,
        BadCursor,
    ]
);

fn rules_to_wit(r: &TokenRules) -> wt::TokenRules {
    wt::TokenRules {
        expires_at_ms: r.expires_at_ms,
        max_uses: r.max_uses,
        uses: r.uses,
        revoked: r.revoked,
        scope: r.scope.clone(),
    }
}

fn caller_to_wit(c: &Caller) -> w::Caller {
    match c {
        Caller::Anonymous(p) => w::Caller::Anonymous(problem_to_wit(*p)),
        Caller::Owner => w::Caller::Owner,
        Caller::Managed(ManagedToken { name, rules }) => {
            w::Caller::Managed(w::ManagedToken { name: name.clone(), rules: rules_to_wit(rules) })
        }
        Caller::Session(IdentitySession { name, memberships, expires_at_ms }) => {
            w::Caller::Session(w::IdentitySession {
                name: name.clone(),
                memberships: memberships
                    .iter()
                    .map(|m: &Membership| w::Membership {
                        org: m.org.clone(),
                        project: m.project.clone(),
                        role: role_to_wit(m.role),
                    })
                    .collect(),
                expires_at_ms: *expires_at_ms,
            })
        }
        Caller::CompanyAdmin(CompanyAdmin { name, company_id, role }) => w::Caller::CompanyAdmin(w::CompanyAdmin {
            name: name.clone(),
            company_id: company_id.clone(),
            role: role_to_wit(*role),
        }),
    }
}

fn request_to_wit(r: &Request) -> w::Request {
    w::Request {
        operation: op_to_wit(r.operation),
        caller: caller_to_wit(&r.caller),
        target: r.target.clone(),
        company: r.company.clone(),
        query_problem: r.query_problem.clone(),
        locked: r.locked,
        time_ms: r.time_ms,
        request_id: r.request_id.clone(),
        source_ip: r.source_ip.clone(),
    }
}

fn admission_to_wit(a: &Admission) -> w::Admission {
    w::Admission { target: a.target.clone(), actor: a.actor.clone(), count_use: a.count_use, scoped: a.scoped }
}

fn decision_from_wit(d: w::Decision) -> Decision {
    Decision {
        status: d.status,
        code: d.code,
        message: d.message,
        error_body: d.error_body,
        headers: d.headers,
        audit: d.audit.map(event_from_wit),
        summarized: d.summarized,
    }
}

fn rejections_from_wit(r: Vec<w::PatternRejection>) -> Vec<PatternRejection> {
    r.into_iter()
        .map(|r| PatternRejection { index: r.index, pattern: r.pattern, reason: r.reason, message: r.message })
        .collect()
}

fn problem_from_wit_input(p: w::InputProblem) -> InputProblem {
    InputProblem { kind: input_from_wit(p.kind), detail: p.detail, rejections: rejections_from_wit(p.rejections) }
}

fn effect_to_wit(e: &Effect) -> w::Effect {
    match e {
        Effect::Done => w::Effect::Done,
        Effect::Created => w::Effect::Created,
        Effect::Replaced => w::Effect::Replaced,
        Effect::NotFound => w::Effect::NotFound,
        Effect::Exists => w::Effect::Exists,
        Effect::NameTaken => w::Effect::NameTaken,
        Effect::ConnectionRevoked => w::Effect::ConnectionRevoked,
        Effect::Tampered => w::Effect::Tampered,
        Effect::WrongPassphrase => w::Effect::WrongPassphrase,
        Effect::LockedMeanwhile => w::Effect::LockedMeanwhile,
        Effect::Locked => w::Effect::Locked,
        Effect::NotInitialized => w::Effect::NotInitialized,
        Effect::BadInput(p) => w::Effect::BadInput(w::InputProblem {
            kind: input_to_wit(p.kind),
            detail: p.detail.clone(),
            rejections: p
                .rejections
                .iter()
                .map(|r| w::PatternRejection {
                    index: r.index,
                    pattern: r.pattern.clone(),
                    reason: r.reason.clone(),
                    message: r.message.clone(),
                })
                .collect(),
        }),
        Effect::Failed(what) => w::Effect::Failed(what.clone()),
    }
}

impl Instance {
    /// The reference of the vault or session token in an `Authorization` header, or why none.
    pub fn policy_credential(&mut self, authorization: Option<&str>) -> Result<Result<String, CredentialProblem>> {
        let r = self.exports.hq_vault_policy().call_credential(&mut self.store, authorization)?;
        Ok(r.map_err(problem_from_wit))
    }

    /// Admit or refuse a request (credentials, target, locked, permission and scope).
    pub fn admit(&mut self, req: &Request) -> Result<Result<Admission, Box<Decision>>> {
        let r = self.exports.hq_vault_policy().call_admit(&mut self.store, &request_to_wit(req))?;
        Ok(match r {
            Ok(a) => Ok(Admission { target: a.target, actor: a.actor, count_use: a.count_use, scoped: a.scoped }),
            Err(d) => Err(Box::new(decision_from_wit(d))),
        })
    }

    /// The answer and audit event for what the host did with an admitted request.
    pub fn conclude(
        &mut self,
        req: &Request,
        adm: &Admission,
        effect: &Effect,
        subject: Option<&str>,
    ) -> Result<Decision> {
        let d = self.exports.hq_vault_policy().call_conclude(
            &mut self.store,
            &request_to_wit(req),
            &admission_to_wit(adm),
            &effect_to_wit(effect),
            subject,
        )?;
        Ok(decision_from_wit(d))
    }

    /// Whether a scoped caller may see `path` in a listing.
    pub fn visible(&mut self, caller: &Caller, path: &str, time_ms: u64) -> Result<bool> {
        self.exports.hq_vault_policy().call_visible(&mut self.store, &caller_to_wit(caller), path, time_ms)
    }

    /// A managed token's rules from its create request, or what is wrong with it.
    pub fn check_token_request(
        &mut self,
        name: &str,
        ttl: Option<&str>,
        max_uses: Option<u32>,
        prefixes: &[String],
        now_ms: u64,
    ) -> Result<Result<TokenRules, InputProblem>> {
        let r = self.exports.hq_vault_policy().call_check_token_request(
            &mut self.store,
            name,
            ttl,
            max_uses,
            prefixes,
            now_ms,
        )?;
        Ok(r.map(|r| TokenRules {
            expires_at_ms: r.expires_at_ms,
            max_uses: r.max_uses,
            uses: r.uses,
            revoked: r.revoked,
            scope: r.scope,
        })
        .map_err(problem_from_wit_input))
    }

    /// A connection's normalized patterns from its create request, or what is wrong with it.
    pub fn check_connection_request(
        &mut self,
        name: &str,
        mechanism: Option<&str>,
        patterns: &[String],
    ) -> Result<Result<Vec<String>, InputProblem>> {
        let r =
            self.exports.hq_vault_policy().call_check_connection_request(&mut self.store, name, mechanism, patterns)?;
        Ok(r.map_err(problem_from_wit_input))
    }
}
