//! Every known-answer vector of `tests/vectors/` through the component, in wasmtime.
//!
//! The runner is the core's own (`hq_vault_core::conformance`, a dev-dependency: the daemon never
//! links the core natively). This file binds it to the daemon's [`Instance`], converting between
//! the core's Rust types, in which the runner states expectations, and the WIT types wasmtime
//! generates, which the daemon speaks. The known-answer entry points that no shipped world
//! exports (a seal with a caller-chosen nonce) run in an instance of the `vectors` component.

use std::path::PathBuf;

use hq_vault::host::wit::tokens as wt;
use hq_vault::host::wit::{
    audit as wa, crypto as wc, gate as wg, http as wh, identity as wi, patterns as wp, policy as wpo,
};
use hq_vault::host::{CoreHost, Instance};
use hq_vault_core::audit::{ChainError, ChainSummary, ChainedLine, Event, Outcome};
use hq_vault_core::conformance::{Binding, Report, run_file};
use hq_vault_core::crypto::CryptoError;
use hq_vault_core::gate::{
    ConnectionRecord, ConnectionStatus, Decision, ListPlan, Plan, ReadRequest, Route, SessionRecord,
};
use hq_vault_core::http::{Answer, Preconditions, Representation};
use hq_vault_core::identity::{self, AuthDecision, AuthRequest, IdentityConnection, NonceRecord, SessionGrant};
use hq_vault_core::patterns::{AllowlistError, KeyError, ListingSource, PathError};
use hq_vault_core::policy::{
    self, AccessRequest, Admission, Caller, CredentialProblem, DecideRefusal, Effect, IdentityKind, InputProblem, Role,
};
use hq_vault_core::secret::SecretString;
use hq_vault_core::tokens::{TokenError, TokenKind, TokenNameError, TokenRules};

/// The `vectors` world, for its `known-answer` interface only.
mod vectors_world {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "vectors",
        imports: { default: trappable },
    });
}

/// A store of the vectors component: its entropy is the OS's, as the daemon's is.
struct VectorsState;

impl vectors_world::hq::vault::entropy::Host for VectorsState {
    fn fill(&mut self, len: u32) -> wasmtime::Result<Vec<u8>> {
        let mut buf = vec![0u8; len.min(4096) as usize];
        getrandom::fill(&mut buf).map_err(|e| wasmtime::format_err!("{e}"))?;
        Ok(buf)
    }
}

/// The daemon's instance of the `core` component, and an instance of the `vectors` component for
/// the known-answer entry points.
struct Wasmtime {
    inst: Instance,
    vectors_store: wasmtime::Store<VectorsState>,
    vectors: vectors_world::Vectors,
}

impl Wasmtime {
    fn new() -> Wasmtime {
        let inst = CoreHost::new(None).expect("the embedded component compiles").instance().unwrap();
        let engine = wasmtime::Engine::new(&wasmtime::Config::new()).unwrap();
        let bytes = include_bytes!(env!("HQ_VAULT_VECTORS_COMPONENT"));
        let component = wasmtime::component::Component::new(&engine, bytes).unwrap();
        let mut linker = wasmtime::component::Linker::new(&engine);
        vectors_world::Vectors::add_to_linker::<VectorsState, wasmtime::component::HasSelf<VectorsState>>(
            &mut linker,
            |s| s,
        )
        .unwrap();
        let mut vectors_store = wasmtime::Store::new(&engine, VectorsState);
        let vectors = vectors_world::Vectors::instantiate(&mut vectors_store, &component, &linker).unwrap();
        Wasmtime { inst, vectors_store, vectors }
    }
}

/// A trap inside the component is a bug, never an expected answer: stop the run loudly.
fn ok<T>(r: wasmtime::Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("the component trapped: {e:#}"),
    }
}

/// Convert a unit enum of the core and its WIT twin, both ways, variant by variant.
macro_rules! enum_twins {
    ($to:ident, $from:ident, $rust:ty, $wit:ty, [$($v:ident),* $(,)?]) => {
        #[allow(dead_code)]
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
    path_err_to_wit,
    path_err,
    PathError,
    wp::PathError,
    [
        Empty,
        LeadingSlash,
        DotSegment,
        EmptySegment,
        MisplacedStar,
        Backslash,
        ControlCharacter,
        Whitespace,
        NonAscii,
        TooLong,
        NotAKey
    ]
);
enum_twins!(
    key_err_to_wit,
    key_err,
    KeyError,
    wp::KeyError,
    [Empty, LeadingSlash, DotSegment, EmptySegment, ControlCharacter, TooLong, NotAKey]
);
enum_twins!(kind_to_wit, kind, TokenKind, wt::TokenKind, [ConnectionKey, VaultToken, SessionToken]);
enum_twins!(
    token_err_to_wit,
    token_err,
    TokenError,
    wt::TokenError,
    [Empty, UnknownPrefix, WrongLength, BadCharacter, BadChecksum]
);
enum_twins!(
    name_err_to_wit,
    name_err,
    TokenNameError,
    wt::TokenNameError,
    [Empty, TooLong, BadCharacter, BadFirstCharacter, Reserved]
);
enum_twins!(
    crypto_err_to_wit,
    crypto_err,
    CryptoError,
    wc::CryptoError,
    [WrongPassphrase, Tampered, BadFormat, BadParameters, OutOfMemory, BadSignature]
);
enum_twins!(id_key_err_to_wit, id_key_err, identity::KeyError, wi::KeyError, [NotBase64, WrongLength, WeakKey]);
enum_twins!(outcome_to_wit, outcome, Outcome, wa::Outcome, [Allowed, Denied, Failed]);
enum_twins!(route_to_wit, route, Route, wg::Route, [List, Object]);
enum_twins!(status_to_wit, status, ConnectionStatus, wg::ConnectionStatus, [Active, Revoked]);
enum_twins!(
    op_to_wit,
    op,
    policy::Operation,
    wpo::Operation,
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
        PatternCheck,
        SettingsRead,
        SettingsWrite,
        IdentityRegister,
        IdentityList,
        IdentityRevoke,
        OrgCreate,
        ProjectCreate,
        AccessRequestCreate,
        AccessRequestList,
        AccessRequestApprove,
        AccessRequestDeny,
    ]
);
enum_twins!(
    problem_to_wit,
    problem,
    CredentialProblem,
    wpo::CredentialProblem,
    [Missing, Malformed, WrongKind, Unknown]
);
enum_twins!(role_to_wit, role, policy::Role, wpo::Role, [Owner, Admin, Member, Readonly]);
enum_twins!(ikind_to_wit, ikind, IdentityKind, wpo::IdentityKind, [Agent, Human]);
enum_twins!(
    refusal_to_wit,
    refusal,
    DecideRefusal,
    wpo::DecideRefusal,
    [AgentCannotDecide, OwnRequest, NotOrgAdmin, RoleAboveApprover]
);
enum_twins!(
    input_to_wit,
    input,
    policy::InputKind,
    wpo::InputKind,
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
        BadPublicKey,
        BadRole,
        BadJustification,
    ]
);

fn event_to_wit(e: &Event) -> wa::Event {
    wa::Event {
        time_ms: e.time_ms,
        actor: e.actor.clone(),
        operation: e.operation.clone(),
        path: e.path.clone(),
        outcome: outcome_to_wit(e.outcome),
        status: e.status,
        request_id: e.request_id.clone(),
        source_ip: e.source_ip.clone(),
        reason: e.reason.clone(),
    }
}

fn event(e: wa::Event) -> Event {
    Event {
        time_ms: e.time_ms,
        actor: e.actor,
        operation: e.operation,
        path: e.path,
        outcome: outcome(e.outcome),
        status: e.status,
        request_id: e.request_id,
        source_ip: e.source_ip,
        reason: e.reason,
    }
}

fn chained(c: wa::ChainedLine) -> ChainedLine {
    ChainedLine { line: c.line, hash: c.hash }
}

fn chain_err(e: wa::ChainError) -> ChainError {
    ChainError { line: e.line, reason: e.reason }
}

fn source(s: wp::ListingSource) -> ListingSource {
    ListingSource { prefix: s.prefix, exact: s.exact, rollup: s.rollup }
}

fn rules_to_wit(r: &TokenRules) -> wt::TokenRules {
    wt::TokenRules {
        expires_at_ms: r.expires_at_ms,
        max_uses: r.max_uses,
        uses: r.uses,
        revoked: r.revoked,
        scope: r.scope.clone(),
    }
}

fn caller_to_wit(c: &Caller) -> wpo::Caller {
    match c {
        Caller::Anonymous(p) => wpo::Caller::Anonymous(problem_to_wit(*p)),
        Caller::Owner => wpo::Caller::Owner,
        Caller::Managed(t) => {
            wpo::Caller::Managed(wpo::ManagedToken { name: t.name.clone(), rules: rules_to_wit(&t.rules) })
        }
        Caller::Session(s) => wpo::Caller::Session(wpo::IdentitySession {
            id: s.id.clone(),
            kind: ikind_to_wit(s.kind),
            name: s.name.clone(),
            memberships: s
                .memberships
                .iter()
                .map(|m| wpo::Membership { org: m.org.clone(), project: m.project.clone(), role: role_to_wit(m.role) })
                .collect(),
            expires_at_ms: s.expires_at_ms,
        }),
        Caller::CompanyAdmin(a) => wpo::Caller::CompanyAdmin(wpo::CompanyAdmin {
            name: a.name.clone(),
            company_id: a.company_id.clone(),
            role: role_to_wit(a.role),
        }),
    }
}

fn request_to_wit(r: &policy::Request) -> wpo::Request {
    wpo::Request {
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

fn policy_decision(d: wpo::Decision) -> policy::Decision {
    policy::Decision {
        status: d.status,
        code: d.code,
        message: d.message,
        error_body: d.error_body,
        headers: d.headers,
        audit: d.audit.map(event),
        summarized: d.summarized,
    }
}

fn input_problem(p: wpo::InputProblem) -> InputProblem {
    InputProblem {
        kind: input(p.kind),
        detail: p.detail,
        rejections: p
            .rejections
            .into_iter()
            .map(|r| policy::PatternRejection {
                index: r.index,
                pattern: r.pattern,
                reason: r.reason,
                message: r.message,
            })
            .collect(),
    }
}

fn effect_to_wit(e: &Effect) -> wpo::Effect {
    match e {
        Effect::Done => wpo::Effect::Done,
        Effect::Created => wpo::Effect::Created,
        Effect::Replaced => wpo::Effect::Replaced,
        Effect::NotFound => wpo::Effect::NotFound,
        Effect::Exists => wpo::Effect::Exists,
        Effect::NameTaken => wpo::Effect::NameTaken,
        Effect::ConnectionRevoked => wpo::Effect::ConnectionRevoked,
        Effect::Tampered => wpo::Effect::Tampered,
        Effect::WrongPassphrase => wpo::Effect::WrongPassphrase,
        Effect::LockedMeanwhile => wpo::Effect::LockedMeanwhile,
        Effect::Locked => wpo::Effect::Locked,
        Effect::NotInitialized => wpo::Effect::NotInitialized,
        Effect::BadInput(p) => wpo::Effect::BadInput(wpo::InputProblem {
            kind: input_to_wit(p.kind),
            detail: p.detail.clone(),
            rejections: p
                .rejections
                .iter()
                .map(|r| wpo::PatternRejection {
                    index: r.index,
                    pattern: r.pattern.clone(),
                    reason: r.reason.clone(),
                    message: r.message.clone(),
                })
                .collect(),
        }),
        Effect::AlreadyDecided => wpo::Effect::AlreadyDecided,
        Effect::KeyTaken => wpo::Effect::KeyTaken,
        Effect::NotPermitted(r) => wpo::Effect::NotPermitted(refusal_to_wit(*r)),
        Effect::Failed(what) => wpo::Effect::Failed(what.clone()),
    }
}

fn access_request_to_wit(r: &AccessRequest) -> wpo::AccessRequest {
    wpo::AccessRequest {
        id: r.id.clone(),
        identity_id: r.identity_id.clone(),
        org: r.org.clone(),
        project: r.project.clone(),
        role: role_to_wit(r.role),
        status: r.status.clone(),
    }
}

fn read_request_to_wit(r: &ReadRequest) -> wg::ReadRequest {
    wg::ReadRequest {
        method: r.method.clone(),
        route: route_to_wit(r.route),
        path: r.path.clone(),
        cursor: r.cursor.clone(),
        limit: r.limit.clone(),
        delimiter: r.delimiter.clone(),
        authorization: r.authorization.clone(),
        time_ms: r.time_ms,
        request_id: r.request_id.clone(),
        source_ip: r.source_ip.clone(),
    }
}

fn record_to_wit(r: &ConnectionRecord) -> wg::ConnectionRecord {
    wg::ConnectionRecord {
        id: r.id.clone(),
        company_id: r.company_id.clone(),
        status: status_to_wit(r.status),
        key_ref: r.key_ref.clone(),
        patterns: r.patterns.clone(),
        company_enabled: r.company_enabled,
    }
}

fn gate_decision(d: wg::Decision) -> Decision {
    Decision {
        status: d.status,
        code: d.code,
        message: d.message,
        error_body: d.error_body,
        headers: d.headers,
        plan: d.plan.map(|p| match p {
            wg::Plan::Object(k) => Plan::Object(k),
            wg::Plan::List(l) => Plan::List(ListPlan {
                sources: l.sources.into_iter().map(source).collect(),
                start_source: l.start_source,
                start_inner: l.start_inner,
                limit: l.limit,
                delimited: l.delimited,
            }),
        }),
        audit: event(d.audit),
        summarized: d.summarized,
    }
}

fn session_to_wit(s: &SessionRecord) -> wg::SessionRecord {
    wg::SessionRecord {
        reference: s.reference.clone(),
        connection_id: s.connection_id.clone(),
        key_ref: s.key_ref.clone(),
        expires_at_ms: s.expires_at_ms,
    }
}

fn auth_request_to_wit(r: &AuthRequest) -> wi::AuthRequest {
    wi::AuthRequest {
        connection_id: r.connection_id.clone(),
        network: r.network,
        public_key: r.public_key.clone(),
        nonce: r.nonce.clone(),
        signature: r.signature.clone(),
        authorization: r.authorization.clone(),
        time_ms: r.time_ms,
        request_id: r.request_id.clone(),
        source_ip: r.source_ip.clone(),
    }
}

fn identity_connection_to_wit(c: &IdentityConnection) -> wi::IdentityConnection {
    wi::IdentityConnection {
        connection: record_to_wit(&c.connection),
        public_key: c.public_key.clone(),
        name: c.name.clone(),
    }
}

fn nonce_to_wit(n: &NonceRecord) -> wi::NonceRecord {
    wi::NonceRecord {
        nonce: n.nonce.clone(),
        connection_id: n.connection_id.clone(),
        expires_at_ms: n.expires_at_ms,
        used: n.used,
    }
}

fn auth_decision(d: wi::AuthDecision) -> AuthDecision {
    AuthDecision {
        status: d.status,
        code: d.code,
        message: d.message,
        error_body: d.error_body,
        nonce: d.nonce.map(|n| NonceRecord {
            nonce: n.nonce,
            connection_id: n.connection_id,
            expires_at_ms: n.expires_at_ms,
            used: n.used,
        }),
        session: d.session.map(|g| SessionGrant {
            token: SecretString::new(g.token),
            session: SessionRecord {
                reference: g.session.reference,
                connection_id: g.session.connection_id,
                key_ref: g.session.key_ref,
                expires_at_ms: g.session.expires_at_ms,
            },
        }),
        audit: event(d.audit),
    }
}

impl Binding for Wasmtime {
    fn normalize(&mut self, raw: &str) -> Result<String, PathError> {
        ok(self.inst.normalize(raw)).map_err(path_err)
    }
    fn normalize_all(&mut self, raw: &[String]) -> Result<Vec<String>, AllowlistError> {
        ok(self.inst.normalize_all(raw)).map_err(|e| match e {
            wp::AllowlistError::None => AllowlistError::None,
            wp::AllowlistError::TooMany(n) => AllowlistError::TooMany(n),
            wp::AllowlistError::Invalid(i) => AllowlistError::Invalid { index: i.index, reason: path_err(i.reason) },
        })
    }
    fn check_path(&mut self, raw: &str) -> Result<String, PathError> {
        ok(self.inst.check_path(raw)).map_err(path_err)
    }
    fn check_key(&mut self, raw: &str) -> Result<String, PathError> {
        ok(self.inst.check_key(raw)).map_err(path_err)
    }
    fn check_object_key(&mut self, raw: &str) -> Result<String, KeyError> {
        ok(self.inst.check_object_key(raw)).map_err(key_err)
    }
    fn check_object_prefix(&mut self, raw: &str) -> Result<String, KeyError> {
        ok(self.inst.check_object_prefix(raw)).map_err(key_err)
    }
    fn allows(&mut self, patterns: &[String], key: &str) -> bool {
        ok(self.inst.allows(patterns, key))
    }
    fn plan_listing(&mut self, patterns: &[String], prefix: &str, delimited: bool) -> Vec<ListingSource> {
        ok(self.inst.plan_listing(patterns, prefix, delimited)).into_iter().map(source).collect()
    }
    fn parse_token(&mut self, token: &str) -> Result<TokenKind, TokenError> {
        ok(self.inst.parse_token(token)).map(kind).map_err(token_err)
    }
    fn reference(&mut self, token: &str) -> String {
        ok(self.inst.reference(token))
    }
    fn parse_duration(&mut self, text: &str) -> Result<u64, String> {
        ok(self.inst.parse_duration(text))
    }
    fn check_token_name(&mut self, name: &str) -> Result<(), TokenNameError> {
        ok(self.inst.check_token_name(name)).map_err(name_err)
    }
    fn argon2id(
        &mut self,
        password: &[u8],
        salt: &[u8],
        secret: &[u8],
        ad: &[u8],
        t: u32,
        m: u32,
        p: u32,
        len: u32,
    ) -> Result<Vec<u8>, CryptoError> {
        ok(self.inst.argon2id(password, salt, secret, ad, t, m, p, len)).map_err(crypto_err)
    }
    fn xchacha_seal(&mut self, key: &[u8], nonce: &[u8], pt: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let ka = self.vectors.hq_vault_known_answer();
        ok(ka.call_xchacha_seal(&mut self.vectors_store, key, nonce, pt, aad)).map_err(|e| {
            use vectors_world::exports::hq::vault::crypto::CryptoError as V;
            match e {
                V::WrongPassphrase => CryptoError::WrongPassphrase,
                V::Tampered => CryptoError::Tampered,
                V::BadFormat => CryptoError::BadFormat,
                V::BadParameters => CryptoError::BadParameters,
                V::OutOfMemory => CryptoError::OutOfMemory,
                V::BadSignature => CryptoError::BadSignature,
            }
        })
    }
    fn verify_signature(&mut self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        ok(self.inst.verify_signature(pk, msg, sig)).map_err(crypto_err)
    }
    fn audit_chain(&mut self, e: &Event, prev: &str) -> ChainedLine {
        chained(ok(self.inst.audit_chain(&event_to_wit(e), prev)))
    }
    fn audit_verify(&mut self, lines: &[String]) -> Result<(u64, String), ChainError> {
        ok(self.inst.audit_verify(lines)).map_err(chain_err)
    }
    fn audit_keyed_chain(&mut self, data_key: &[u8], e: &Event, prev: &str) -> Option<ChainedLine> {
        let key = ok(self.inst.audit_key_from_data_key(data_key))?;
        let line = ok(self.inst.audit_chain_keyed(&key, &event_to_wit(e), prev));
        ok(self.inst.drop_audit_key(key));
        Some(chained(line))
    }
    fn audit_keyed_verify(&mut self, data_key: &[u8], lines: &[String]) -> Option<Result<ChainSummary, ChainError>> {
        let key = ok(self.inst.audit_key_from_data_key(data_key))?;
        let r = ok(self.inst.audit_verify_keyed(&key, lines));
        ok(self.inst.drop_audit_key(key));
        Some(
            r.map(|s| ChainSummary { lines: s.lines, head: s.head, keyed: s.keyed, last_keyed: s.last_keyed })
                .map_err(chain_err),
        )
    }
    fn decide(&mut self, req: &ReadRequest, record: Option<&ConnectionRecord>) -> Decision {
        let rec = record.map(record_to_wit);
        gate_decision(ok(self.inst.decide(&read_request_to_wit(req), rec.as_ref())))
    }
    fn decide_session(
        &mut self,
        req: &ReadRequest,
        session: Option<&SessionRecord>,
        record: Option<&ConnectionRecord>,
    ) -> Decision {
        let rec = record.map(record_to_wit);
        let ses = session.map(session_to_wit);
        gate_decision(ok(self.inst.decide_session(&read_request_to_wit(req), ses.as_ref(), rec.as_ref())))
    }
    fn check_public_key(&mut self, text: &str) -> Result<Vec<u8>, identity::KeyError> {
        ok(self.inst.check_public_key(text)).map_err(id_key_err)
    }
    fn challenge_message(&mut self, nonce: &str, connection_id: &str) -> Vec<u8> {
        ok(self.inst.challenge_message(nonce, connection_id))
    }
    fn identity_challenge(&mut self, req: &AuthRequest, conn: Option<&IdentityConnection>) -> AuthDecision {
        let c = conn.map(identity_connection_to_wit);
        auth_decision(ok(self.inst.identity_challenge(&auth_request_to_wit(req), c.as_ref())))
    }
    fn identity_verify(
        &mut self,
        req: &AuthRequest,
        nonce: Option<&NonceRecord>,
        conn: Option<&IdentityConnection>,
    ) -> AuthDecision {
        let c = conn.map(identity_connection_to_wit);
        let n = nonce.map(nonce_to_wit);
        auth_decision(ok(self.inst.identity_verify(&auth_request_to_wit(req), n.as_ref(), c.as_ref())))
    }
    fn answer(&mut self, request: &Preconditions<'_>, rep: &Representation<'_>, now_ms: u64) -> Answer {
        let pre = wh::Preconditions {
            if_none_match: request.if_none_match.map(str::to_owned),
            range: request.range.map(str::to_owned),
            if_range: request.if_range.map(str::to_owned),
        };
        let rep = wh::Representation { size: rep.size, etag: rep.etag.to_owned(), modified_ms: rep.modified_ms };
        match ok(self.inst.answer(&pre, &rep, now_ms)) {
            wh::ReadAnswer::NotModified => Answer::NotModified,
            wh::ReadAnswer::Full => Answer::Full,
            wh::ReadAnswer::Partial(s) => Answer::Partial { start: s.start, end: s.end },
            wh::ReadAnswer::Unsatisfiable => Answer::Unsatisfiable,
        }
    }
    fn policy_credential(&mut self, authorization: Option<&str>) -> Result<String, CredentialProblem> {
        ok(self.inst.policy_credential(authorization)).map_err(problem)
    }
    fn policy_admit(&mut self, req: &policy::Request) -> Result<Admission, Box<policy::Decision>> {
        ok(self.inst.admit(&request_to_wit(req)))
            .map(|a| Admission { target: a.target, actor: a.actor, count_use: a.count_use, scoped: a.scoped })
            .map_err(|d| Box::new(policy_decision(*d)))
    }
    fn policy_conclude(
        &mut self,
        req: &policy::Request,
        adm: &Admission,
        effect: &Effect,
        subject: Option<&str>,
    ) -> policy::Decision {
        let adm = wpo::Admission {
            target: adm.target.clone(),
            actor: adm.actor.clone(),
            count_use: adm.count_use,
            scoped: adm.scoped,
        };
        policy_decision(ok(self.inst.conclude(&request_to_wit(req), &adm, &effect_to_wit(effect), subject)))
    }
    fn policy_visible(&mut self, caller: &Caller, path: &str, time_ms: u64) -> bool {
        ok(self.inst.visible(&caller_to_wit(caller), path, time_ms))
    }
    fn policy_token_request(
        &mut self,
        name: &str,
        ttl: Option<&str>,
        max_uses: Option<u32>,
        prefixes: &[String],
        now_ms: u64,
    ) -> Result<TokenRules, InputProblem> {
        ok(self.inst.check_token_request(name, ttl, max_uses, prefixes, now_ms))
            .map(|r| TokenRules {
                expires_at_ms: r.expires_at_ms,
                max_uses: r.max_uses,
                uses: r.uses,
                revoked: r.revoked,
                scope: r.scope,
            })
            .map_err(input_problem)
    }
    fn policy_connection_request(
        &mut self,
        name: &str,
        mechanism: Option<&str>,
        patterns: &[String],
    ) -> Result<Vec<String>, InputProblem> {
        ok(self.inst.check_connection_request(name, mechanism, patterns)).map_err(input_problem)
    }
    fn policy_connection_name_taken(&mut self, name: &str, active: &[String]) -> bool {
        ok(self.inst.connection_name_taken(name, active))
    }
    fn policy_decide_problem(&mut self, caller: &Caller, request: &AccessRequest) -> Option<DecideRefusal> {
        ok(self.inst.decide_problem(&caller_to_wit(caller), &access_request_to_wit(request))).map(refusal)
    }
    fn policy_access_request_visible(&mut self, caller: &Caller, request: &AccessRequest) -> bool {
        ok(self.inst.access_request_visible(&caller_to_wit(caller), &access_request_to_wit(request)))
    }
    fn policy_identity_registration(
        &mut self,
        name: &str,
        kind: &str,
        public_key: &str,
    ) -> Result<(IdentityKind, String), InputProblem> {
        ok(self.inst.check_identity_registration(name, kind, public_key))
            .map(|(k, r)| (ikind(k), r))
            .map_err(input_problem)
    }
    fn policy_org_name(&mut self, name: &str) -> Result<(), InputProblem> {
        ok(self.inst.check_org_name(name)).map_err(input_problem)
    }
    fn policy_access_request_input(
        &mut self,
        org: &str,
        project: Option<&str>,
        role: &str,
        justification: &str,
    ) -> Result<Role, InputProblem> {
        ok(self.inst.check_access_request(org, project, role, justification)).map(self::role).map_err(input_problem)
    }
}

#[test]
fn every_vector_passes_through_the_component() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "only {} vector files in {}", files.len(), dir.display());
    let mut core = Wasmtime::new();
    let mut report = Report::default();
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        report.merge(run_file(name, &std::fs::read_to_string(f).unwrap(), &mut core));
    }
    assert!(report.failures.is_empty(), "{}", report.failures.join("\n"));
    assert!(report.passed >= 1290, "only {} cases ran", report.passed);
}
