//! The known-answer vector runner.
//!
//! `tests/vectors/*.json` hold one case per entry with its expectation. Every host runs the same
//! files through its own binding of the core (natively here, through the wasm component in
//! `host-runner`) by implementing [`Binding`]; the runner compares answers and counts failures.

use serde::Deserialize;
use serde_json::Value;

use crate::audit::{ChainError, ChainSummary, ChainedLine, Event};
use crate::crypto::CryptoError;
use crate::gate::{ConnectionRecord, Decision, ReadRequest, SessionRecord};
use crate::http::{Answer, Preconditions, Representation};
use crate::identity::{self, AuthDecision, AuthRequest, IdentityConnection, NonceRecord};
use crate::patterns::{AllowlistError, KeyError, ListingSource, PathError};
use crate::policy::{
    self, AccessRequest, Admission, Caller, CredentialProblem, DecideRefusal, Effect, IdentityKind, InputProblem, Role,
};
use crate::tokens::{TokenError, TokenKind, TokenNameError, TokenRules};

/// The operations the vectors exercise, as one host exposes them.
pub trait Binding {
    fn normalize(&mut self, raw: &str) -> Result<String, PathError>;
    fn normalize_all(&mut self, raw: &[String]) -> Result<Vec<String>, AllowlistError>;
    fn check_path(&mut self, raw: &str) -> Result<String, PathError>;
    fn check_key(&mut self, raw: &str) -> Result<String, PathError>;
    fn check_object_key(&mut self, raw: &str) -> Result<String, KeyError>;
    fn check_object_prefix(&mut self, raw: &str) -> Result<String, KeyError>;
    fn allows(&mut self, patterns: &[String], key: &str) -> bool;
    fn plan_listing(&mut self, patterns: &[String], prefix: &str, delimited: bool) -> Vec<ListingSource>;
    fn parse_token(&mut self, token: &str) -> Result<TokenKind, TokenError>;
    fn reference(&mut self, token: &str) -> String;
    fn parse_duration(&mut self, text: &str) -> Result<u64, String>;
    fn check_token_name(&mut self, name: &str) -> Result<(), TokenNameError>;
    #[allow(clippy::too_many_arguments)]
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
    ) -> Result<Vec<u8>, CryptoError>;
    fn xchacha_seal(&mut self, key: &[u8], nonce: &[u8], pt: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError>;
    fn verify_signature(&mut self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), CryptoError>;
    fn audit_chain(&mut self, event: &Event, prev: &str) -> ChainedLine;
    fn audit_verify(&mut self, lines: &[String]) -> Result<(u64, String), ChainError>;
    /// A keyed line with the audit key of a raw data key (`None`: not a 32-byte key).
    fn audit_keyed_chain(&mut self, data_key: &[u8], event: &Event, prev: &str) -> Option<ChainedLine>;
    /// Verify a log with the audit key of a raw data key (`None`: not a 32-byte key).
    fn audit_keyed_verify(&mut self, data_key: &[u8], lines: &[String]) -> Option<Result<ChainSummary, ChainError>>;
    fn decide(&mut self, req: &ReadRequest, record: Option<&ConnectionRecord>) -> Decision;
    fn decide_session(
        &mut self,
        req: &ReadRequest,
        session: Option<&SessionRecord>,
        record: Option<&ConnectionRecord>,
    ) -> Decision;
    fn check_public_key(&mut self, text: &str) -> Result<Vec<u8>, identity::KeyError>;
    fn challenge_message(&mut self, nonce: &str, connection_id: &str) -> Vec<u8>;
    fn identity_challenge(&mut self, req: &AuthRequest, conn: Option<&IdentityConnection>) -> AuthDecision;
    fn identity_verify(
        &mut self,
        req: &AuthRequest,
        nonce: Option<&NonceRecord>,
        conn: Option<&IdentityConnection>,
    ) -> AuthDecision;
    fn answer(&mut self, request: &Preconditions<'_>, rep: &Representation<'_>, now_ms: u64) -> Answer;
    fn policy_credential(&mut self, authorization: Option<&str>) -> Result<String, CredentialProblem>;
    fn policy_admit(&mut self, req: &policy::Request) -> Result<Admission, Box<policy::Decision>>;
    fn policy_conclude(
        &mut self,
        req: &policy::Request,
        adm: &Admission,
        effect: &Effect,
        subject: Option<&str>,
    ) -> policy::Decision;
    fn policy_visible(&mut self, caller: &Caller, path: &str, time_ms: u64) -> bool;
    fn policy_token_request(
        &mut self,
        name: &str,
        ttl: Option<&str>,
        max_uses: Option<u32>,
        prefixes: &[String],
        now_ms: u64,
    ) -> Result<TokenRules, InputProblem>;
    fn policy_connection_request(
        &mut self,
        name: &str,
        mechanism: Option<&str>,
        patterns: &[String],
    ) -> Result<Vec<String>, InputProblem>;
    fn policy_connection_name_taken(&mut self, name: &str, active: &[String]) -> bool;
    fn policy_decide_problem(&mut self, caller: &Caller, request: &AccessRequest) -> Option<DecideRefusal>;
    fn policy_access_request_visible(&mut self, caller: &Caller, request: &AccessRequest) -> bool;
    fn policy_identity_registration(
        &mut self,
        name: &str,
        kind: &str,
        public_key: &str,
    ) -> Result<(IdentityKind, String), InputProblem>;
    fn policy_org_name(&mut self, name: &str) -> Result<(), InputProblem>;
    fn policy_access_request_input(
        &mut self,
        org: &str,
        project: Option<&str>,
        role: &str,
        justification: &str,
    ) -> Result<Role, InputProblem>;
}

/// The core called directly, as an rlib.
#[derive(Debug, Default)]
pub struct Native;

impl Binding for Native {
    fn normalize(&mut self, raw: &str) -> Result<String, PathError> {
        crate::patterns::normalize(raw)
    }
    fn normalize_all(&mut self, raw: &[String]) -> Result<Vec<String>, AllowlistError> {
        crate::patterns::normalize_all(raw)
    }
    fn check_path(&mut self, raw: &str) -> Result<String, PathError> {
        crate::patterns::check_path(raw).map(str::to_owned)
    }
    fn check_key(&mut self, raw: &str) -> Result<String, PathError> {
        crate::patterns::check_key(raw).map(str::to_owned)
    }
    fn check_object_key(&mut self, raw: &str) -> Result<String, KeyError> {
        crate::patterns::check_object_key(raw).map(str::to_owned)
    }
    fn check_object_prefix(&mut self, raw: &str) -> Result<String, KeyError> {
        crate::patterns::check_object_prefix(raw).map(str::to_owned)
    }
    fn allows(&mut self, patterns: &[String], key: &str) -> bool {
        crate::patterns::allows(patterns, key)
    }
    fn plan_listing(&mut self, patterns: &[String], prefix: &str, delimited: bool) -> Vec<ListingSource> {
        crate::patterns::plan_listing(patterns, prefix, delimited)
    }
    fn parse_token(&mut self, token: &str) -> Result<TokenKind, TokenError> {
        crate::tokens::parse(token)
    }
    fn reference(&mut self, token: &str) -> String {
        crate::tokens::reference(token)
    }
    fn parse_duration(&mut self, text: &str) -> Result<u64, String> {
        crate::tokens::parse_duration(text)
    }
    fn check_token_name(&mut self, name: &str) -> Result<(), TokenNameError> {
        crate::tokens::check_name(name)
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
        let mut out = vec![0u8; len as usize];
        crate::crypto::argon2id(password, salt, secret, ad, t, m, p, &mut out)?;
        Ok(out)
    }
    fn xchacha_seal(&mut self, key: &[u8], nonce: &[u8], pt: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        crate::crypto::xchacha_seal(key, nonce, pt, aad)
    }
    fn verify_signature(&mut self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        crate::crypto::verify_signature(pk, msg, sig)
    }
    fn audit_chain(&mut self, event: &Event, prev: &str) -> ChainedLine {
        crate::audit::chain(event, prev)
    }
    fn audit_verify(&mut self, lines: &[String]) -> Result<(u64, String), ChainError> {
        crate::audit::verify(lines)
    }
    fn audit_keyed_chain(&mut self, data_key: &[u8], event: &Event, prev: &str) -> Option<ChainedLine> {
        crate::audit::AuditKey::from_data_key(data_key).map(|k| k.chain(event, prev))
    }
    fn audit_keyed_verify(&mut self, data_key: &[u8], lines: &[String]) -> Option<Result<ChainSummary, ChainError>> {
        crate::audit::AuditKey::from_data_key(data_key).map(|k| k.verify(lines))
    }
    fn decide(&mut self, req: &ReadRequest, record: Option<&ConnectionRecord>) -> Decision {
        crate::gate::decide(req, record)
    }
    fn decide_session(
        &mut self,
        req: &ReadRequest,
        session: Option<&SessionRecord>,
        record: Option<&ConnectionRecord>,
    ) -> Decision {
        crate::gate::decide_session(req, session, record)
    }
    fn check_public_key(&mut self, text: &str) -> Result<Vec<u8>, identity::KeyError> {
        identity::check_public_key(text)
    }
    fn challenge_message(&mut self, nonce: &str, connection_id: &str) -> Vec<u8> {
        identity::challenge_message(nonce, connection_id)
    }
    fn identity_challenge(&mut self, req: &AuthRequest, conn: Option<&IdentityConnection>) -> AuthDecision {
        identity::challenge(req, conn)
    }
    fn identity_verify(
        &mut self,
        req: &AuthRequest,
        nonce: Option<&NonceRecord>,
        conn: Option<&IdentityConnection>,
    ) -> AuthDecision {
        identity::verify(req, nonce, conn)
    }
    fn answer(&mut self, request: &Preconditions<'_>, rep: &Representation<'_>, now_ms: u64) -> Answer {
        crate::http::answer(request, rep, now_ms)
    }
    fn policy_credential(&mut self, authorization: Option<&str>) -> Result<String, CredentialProblem> {
        policy::credential(authorization)
    }
    fn policy_admit(&mut self, req: &policy::Request) -> Result<Admission, Box<policy::Decision>> {
        policy::admit(req)
    }
    fn policy_conclude(
        &mut self,
        req: &policy::Request,
        adm: &Admission,
        effect: &Effect,
        subject: Option<&str>,
    ) -> policy::Decision {
        policy::conclude(req, adm, effect, subject)
    }
    fn policy_visible(&mut self, caller: &Caller, path: &str, time_ms: u64) -> bool {
        policy::visible(caller, path, time_ms)
    }
    fn policy_token_request(
        &mut self,
        name: &str,
        ttl: Option<&str>,
        max_uses: Option<u32>,
        prefixes: &[String],
        now_ms: u64,
    ) -> Result<TokenRules, InputProblem> {
        policy::token_rules(name, ttl, max_uses, prefixes, now_ms)
    }
    fn policy_connection_request(
        &mut self,
        name: &str,
        mechanism: Option<&str>,
        patterns: &[String],
    ) -> Result<Vec<String>, InputProblem> {
        policy::connection_patterns(name, mechanism, patterns)
    }
    fn policy_connection_name_taken(&mut self, name: &str, active: &[String]) -> bool {
        policy::connection_name_taken(name, active)
    }
    fn policy_decide_problem(&mut self, caller: &Caller, request: &AccessRequest) -> Option<DecideRefusal> {
        policy::decide_problem(caller, request)
    }
    fn policy_access_request_visible(&mut self, caller: &Caller, request: &AccessRequest) -> bool {
        policy::access_request_visible(caller, request)
    }
    fn policy_identity_registration(
        &mut self,
        name: &str,
        kind: &str,
        public_key: &str,
    ) -> Result<(IdentityKind, String), InputProblem> {
        policy::identity_registration(name, kind, public_key)
    }
    fn policy_org_name(&mut self, name: &str) -> Result<(), InputProblem> {
        policy::org_name(name)
    }
    fn policy_access_request_input(
        &mut self,
        org: &str,
        project: Option<&str>,
        role: &str,
        justification: &str,
    ) -> Result<Role, InputProblem> {
        policy::access_request_input(org, project, role, justification)
    }
}

/// The outcome of running vector files.
#[derive(Debug, Default)]
pub struct Report {
    pub passed: usize,
    /// One line per failed case: file, case id, expected and got.
    pub failures: Vec<String>,
}

impl Report {
    fn check(&mut self, file: &str, id: &str, expected: &Value, got: &Value) {
        if expected == got {
            self.passed += 1;
        } else {
            self.failures.push(format!("{file} {id}: expected {expected}, got {got}"));
        }
    }

    fn bad_case(&mut self, file: &str, id: &str, why: &str) {
        self.failures.push(format!("{file} {id}: the case itself is malformed: {why}"));
    }

    /// Merge another report into this one.
    pub fn merge(&mut self, other: Report) {
        self.passed += other.passed;
        self.failures.extend(other.failures);
    }
}

#[derive(Deserialize)]
struct File {
    cases: Vec<Value>,
}

fn unhex(v: &Value, field: &str) -> Result<Vec<u8>, String> {
    let s = v.get(field).and_then(Value::as_str).unwrap_or("");
    hex::decode(s).map_err(|e| format!("{field} is not hex: {e}"))
}

fn text<'a>(v: &'a Value, field: &str) -> Result<&'a str, String> {
    v.get(field).and_then(Value::as_str).ok_or_else(|| format!("missing string `{field}`"))
}

fn strings(v: &Value, field: &str) -> Result<Vec<String>, String> {
    serde_json::from_value(v.get(field).cloned().unwrap_or(Value::Null)).map_err(|e| format!("`{field}`: {e}"))
}

fn num(v: &Value, field: &str) -> Result<u32, String> {
    v.get(field)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| format!("missing number `{field}`"))
}

fn path_result(r: Result<String, PathError>) -> Value {
    match r {
        Ok(s) => serde_json::json!({"ok": s}),
        Err(e) => serde_json::json!({"error": e.code()}),
    }
}

fn key_result(r: Result<String, KeyError>) -> Value {
    match r {
        Ok(s) => serde_json::json!({"ok": s}),
        Err(e) => serde_json::json!({"error": e.code()}),
    }
}

/// An [`Answer`] as the vectors write it: `full`, `not-modified`, `unsatisfiable`, or
/// `{"partial": {"start", "end"}}`.
pub fn answer_json(a: Answer) -> Value {
    match a {
        Answer::NotModified => Value::from("not-modified"),
        Answer::Full => Value::from("full"),
        Answer::Unsatisfiable => Value::from("unsatisfiable"),
        Answer::Partial { start, end } => serde_json::json!({"partial": {"start": start, "end": end}}),
    }
}

fn opt_text<'a>(v: &'a Value, field: &str) -> Option<&'a str> {
    v.get(field).and_then(Value::as_str)
}

fn num64(v: &Value, field: &str) -> Result<u64, String> {
    v.get(field).and_then(Value::as_u64).ok_or_else(|| format!("missing number `{field}`"))
}

fn allowlist_result(r: Result<Vec<String>, AllowlistError>) -> Value {
    match r {
        Ok(v) => serde_json::json!({"ok": v}),
        Err(AllowlistError::None) => serde_json::json!({"error": "none"}),
        Err(AllowlistError::TooMany(n)) => serde_json::json!({"error": format!("too-many:{n}")}),
        Err(AllowlistError::Invalid { index, reason }) => {
            serde_json::json!({"error": format!("invalid:{index}:{}", reason.code())})
        }
    }
}

fn crypto_err(e: CryptoError) -> Value {
    serde_json::json!({ "error": e })
}

/// The expectation part of a case: every field but `id`, `note` and the inputs named.
fn expected(case: &Value, inputs: &[&str]) -> Value {
    let mut m = case.as_object().cloned().unwrap_or_default();
    m.remove("id");
    m.remove("note");
    for k in inputs {
        m.remove(*k);
    }
    Value::Object(m)
}

fn field<T: serde::de::DeserializeOwned>(case: &Value, name: &str) -> Result<T, String> {
    serde_json::from_value(case.get(name).cloned().unwrap_or(Value::Null)).map_err(|e| format!("`{name}`: {e}"))
}

fn kebab<T: serde::Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}

/// What a policy decision looks like in `policy.json`: status, code, headers, the summary flag and
/// the audit event (its time, request id and source must be the request's).
fn decision_view(d: &policy::Decision) -> Value {
    serde_json::json!({
        "status": d.status,
        "code": d.code,
        "summarized": d.summarized,
        "headers": d.headers,
        "audit": d.audit.as_ref().map(|e| serde_json::json!({
            "actor": e.actor, "operation": e.operation, "path": e.path, "outcome": kebab(&e.outcome),
            "status": e.status, "reason": e.reason, "time_ms": e.time_ms, "request_id": e.request_id,
            "source_ip": e.source_ip,
        })),
    })
}

fn run_policy(case: &Value, core: &mut dyn Binding) -> Result<Value, String> {
    let f = case.get("fn").and_then(Value::as_str).unwrap_or("");
    Ok(match f {
        "admit" => match core.policy_admit(&field(case, "request")?) {
            Ok(a) => serde_json::json!({ "admitted": kebab(&a) }),
            Err(d) => decision_view(&d),
        },
        "conclude" => {
            let req: policy::Request = field(case, "request")?;
            let adm = core.policy_admit(&req).map_err(|d| format!("not admitted: {}", d.code))?;
            let effect: Effect = field(case, "effect")?;
            let subject: Option<String> = field(case, "subject")?;
            decision_view(&core.policy_conclude(&req, &adm, &effect, subject.as_deref()))
        }
        "credential" => {
            let auth: Option<String> = field(case, "authorization")?;
            match core.policy_credential(auth.as_deref()) {
                Ok(r) => serde_json::json!({ "ok": r }),
                Err(p) => serde_json::json!({ "error": kebab(&p) }),
            }
        }
        "visible" => Value::Bool(core.policy_visible(
            &field(case, "caller")?,
            &field::<String>(case, "path")?,
            field(case, "time_ms")?,
        )),
        "check-token-request" => {
            let name: String = field(case, "name")?;
            let ttl: Option<String> = field(case, "ttl")?;
            let prefixes: Vec<String> = field(case, "prefixes")?;
            match core.policy_token_request(
                &name,
                ttl.as_deref(),
                field(case, "max_uses")?,
                &prefixes,
                field(case, "now_ms")?,
            ) {
                Ok(r) => serde_json::json!({ "ok": r }),
                Err(p) => serde_json::json!({ "error": kebab(&p.kind) }),
            }
        }
        "check-connection-request" => {
            let name: String = field(case, "name")?;
            let mechanism: Option<String> = field(case, "mechanism")?;
            let patterns: Vec<String> = field(case, "patterns")?;
            match core.policy_connection_request(&name, mechanism.as_deref(), &patterns) {
                Ok(p) => serde_json::json!({ "ok": p }),
                Err(p) => serde_json::json!({ "error": {
                    "kind": kebab(&p.kind), "rejected": p.rejections.iter().map(|r| r.index).collect::<Vec<_>>() } }),
            }
        }
        "connection-name-taken" => Value::Bool(
            core.policy_connection_name_taken(&field::<String>(case, "name")?, &field::<Vec<String>>(case, "active")?),
        ),
        "decide-problem" => {
            match core.policy_decide_problem(&field(case, "caller")?, &field(case, "access_request")?) {
                Some(r) => kebab(&r),
                None => Value::Null,
            }
        }
        "access-request-visible" => {
            Value::Bool(core.policy_access_request_visible(&field(case, "caller")?, &field(case, "access_request")?))
        }
        "check-identity-registration" => {
            let (name, kind, key): (String, String, String) =
                (field(case, "name")?, field(case, "kind")?, field(case, "public_key")?);
            match core.policy_identity_registration(&name, &kind, &key) {
                Ok((k, reference)) => serde_json::json!({ "ok": { "kind": kebab(&k), "key_ref": reference } }),
                Err(p) => serde_json::json!({ "error": kebab(&p.kind) }),
            }
        }
        "check-org-name" => match core.policy_org_name(&field::<String>(case, "name")?) {
            Ok(()) => serde_json::json!({ "ok": null }),
            Err(p) => serde_json::json!({ "error": kebab(&p.kind) }),
        },
        "check-access-request" => {
            let project: Option<String> = field(case, "project")?;
            match core.policy_access_request_input(
                &field::<String>(case, "org")?,
                project.as_deref(),
                &field::<String>(case, "role")?,
                &field::<String>(case, "justification")?,
            ) {
                Ok(r) => serde_json::json!({ "ok": kebab(&r) }),
                Err(p) => serde_json::json!({ "error": kebab(&p.kind) }),
            }
        }
        other => return Err(format!("no policy function `{other}`")),
    })
}

/// An `identity-connection` as the vectors write it: `{"record", "public_key": hex | null}`.
fn identity_connection(case: &Value) -> Result<Option<IdentityConnection>, String> {
    let Some(c) = case.get("connection").filter(|c| !c.is_null()) else { return Ok(None) };
    let public_key = match c.get("public_key").and_then(Value::as_str) {
        Some(h) => Some(hex::decode(h).map_err(|e| format!("public_key is not hex: {e}"))?),
        None => None,
    };
    let name = c.get("name").and_then(Value::as_str).map(str::to_owned);
    Ok(Some(IdentityConnection { connection: field(c, "record")?, public_key, name }))
}

/// An auth decision as the vectors write it: status, code, the audit event's outcome, actor,
/// operation and reason; a nonce's shape and record; a session's record with the token's kind and
/// whether the reference is the token's.
fn auth_json(core: &mut dyn Binding, d: &AuthDecision) -> Value {
    let a = &d.audit;
    let mut got = serde_json::json!({
        "status": d.status,
        "code": d.code,
        "audit": {"outcome": a.outcome, "actor": a.actor, "operation": a.operation, "reason": a.reason, "status": a.status},
    });
    if let Some(n) = &d.nonce {
        let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &n.nonce).map(|b| b.len());
        got["nonce"] = serde_json::json!({
            "base64_bytes": bytes.ok(), "connection_id": n.connection_id, "expires_at_ms": n.expires_at_ms, "used": n.used,
        });
    }
    if let Some(g) = &d.session {
        let token = g.token.expose_secret();
        got["session"] = serde_json::json!({
            "token_kind": core.parse_token(token).ok(),
            "reference_is_the_tokens": core.reference(token) == g.session.reference,
            "connection_id": g.session.connection_id,
            "key_ref": g.session.key_ref,
            "expires_at_ms": g.session.expires_at_ms,
        });
    }
    got
}

fn run_identity(case: &Value, core: &mut dyn Binding) -> Result<Value, String> {
    Ok(match text(case, "fn")? {
        "check-public-key" => match core.check_public_key(text(case, "text")?) {
            Ok(b) => serde_json::json!({"ok": hex::encode(b)}),
            Err(e) => serde_json::json!({"error": e.code()}),
        },
        "challenge-message" => {
            serde_json::json!({"message": hex::encode(core.challenge_message(text(case, "nonce")?, text(case, "connection_id")?))})
        }
        "challenge" => {
            let d = core.identity_challenge(&field(case, "request")?, identity_connection(case)?.as_ref());
            auth_json(core, &d)
        }
        "verify" => {
            let nonce: Option<NonceRecord> = field(case, "nonce")?;
            let d = core.identity_verify(&field(case, "request")?, nonce.as_ref(), identity_connection(case)?.as_ref());
            auth_json(core, &d)
        }
        "decide-session" => {
            let session: Option<SessionRecord> = field(case, "session")?;
            let record: Option<ConnectionRecord> = field(case, "record")?;
            let d = core.decide_session(&field(case, "request")?, session.as_ref(), record.as_ref());
            serde_json::json!({
                "status": d.status, "code": d.code, "headers": d.headers, "plan": d.plan,
                "audit_outcome": d.audit.outcome, "audit_actor": d.audit.actor,
            })
        }
        other => return Err(format!("no identity function `{other}`")),
    })
}

fn run_case(file: &str, case: &Value, core: &mut dyn Binding) -> Result<(Value, Value), String> {
    let stem = file.trim_end_matches(".json");
    Ok(match stem {
        "patterns" | "paths" => {
            let input = text(case, "input")?;
            let kind = case.get("kind").and_then(Value::as_str).unwrap_or("pattern");
            let got = match kind {
                "pattern" => path_result(core.normalize(input)),
                "path" => path_result(core.check_path(input)),
                "key" => path_result(core.check_key(input)),
                other => return Err(format!("unknown kind `{other}`")),
            };
            (expected(case, &["input", "kind"]), got)
        }
        "keys" => {
            let input = text(case, "input")?;
            let got = match case.get("kind").and_then(Value::as_str) {
                Some("object-key") => key_result(core.check_object_key(input)),
                Some("object-prefix") => key_result(core.check_object_prefix(input)),
                other => return Err(format!("unknown kind `{other:?}`")),
            };
            (expected(case, &["input", "kind"]), got)
        }
        "reads" => {
            let rep = Representation {
                size: num64(case, "size")?,
                etag: text(case, "etag")?,
                modified_ms: num64(case, "modified_ms")?,
            };
            let pre = Preconditions {
                if_none_match: opt_text(case, "if_none_match"),
                range: opt_text(case, "range"),
                if_range: opt_text(case, "if_range"),
            };
            let got = core.answer(&pre, &rep, num64(case, "now_ms")?);
            let inputs = ["size", "etag", "modified_ms", "now_ms", "if_none_match", "range", "if_range"];
            (expected(case, &inputs), serde_json::json!({ "answer": answer_json(got) }))
        }
        "allowlists" => {
            let got = allowlist_result(core.normalize_all(&strings(case, "patterns")?));
            (expected(case, &["patterns"]), got)
        }
        "allows" => {
            let got = core.allows(&strings(case, "patterns")?, text(case, "key")?);
            (expected(case, &["patterns", "key"]), serde_json::json!({ "allowed": got }))
        }
        "listing" => {
            let delimited = case.get("delimited").and_then(Value::as_bool).unwrap_or(false);
            let got = core.plan_listing(&strings(case, "patterns")?, text(case, "prefix")?, delimited);
            let got: Vec<Value> = got
                .into_iter()
                .map(|s| serde_json::json!({"prefix": s.prefix, "exact": s.exact, "rollup": s.rollup}))
                .collect();
            (expected(case, &["patterns", "prefix", "delimited"]), serde_json::json!({ "sources": got }))
        }
        "tokens" => {
            let token = text(case, "token")?;
            let got = match core.parse_token(token) {
                Ok(k) => serde_json::json!({"kind": k, "reference": core.reference(token)}),
                Err(e) => serde_json::json!({ "error": e }),
            };
            (expected(case, &["token"]), got)
        }
        "durations" => {
            let got = match core.parse_duration(text(case, "text")?) {
                Ok(ms) => serde_json::json!({ "ms": ms }),
                Err(_) => serde_json::json!({ "error": true }),
            };
            (expected(case, &["text"]), got)
        }
        "token-names" => {
            let got = match core.check_token_name(text(case, "name")?) {
                Ok(()) => serde_json::json!({ "ok": true }),
                Err(e) => serde_json::json!({ "error": e.code() }),
            };
            (expected(case, &["name"]), got)
        }
        "argon2id" => {
            let got = core.argon2id(
                &unhex(case, "password")?,
                &unhex(case, "salt")?,
                &unhex(case, "secret")?,
                &unhex(case, "ad")?,
                num(case, "t")?,
                num(case, "m")?,
                num(case, "p")?,
                num(case, "len")?,
            );
            let got = match got {
                Ok(tag) => serde_json::json!({ "tag": hex::encode(tag) }),
                Err(e) => crypto_err(e),
            };
            (expected(case, &["password", "salt", "secret", "ad", "t", "m", "p", "len"]), got)
        }
        "xchacha" => {
            let got = core.xchacha_seal(
                &unhex(case, "key")?,
                &unhex(case, "nonce")?,
                &unhex(case, "plaintext")?,
                &unhex(case, "aad")?,
            );
            let got = match got {
                Ok(ct) => serde_json::json!({ "sealed": hex::encode(ct) }),
                Err(e) => crypto_err(e),
            };
            (expected(case, &["key", "nonce", "plaintext", "aad"]), got)
        }
        "ed25519" => {
            let got = core
                .verify_signature(&unhex(case, "public_key")?, &unhex(case, "message")?, &unhex(case, "signature")?)
                .is_ok();
            (expected(case, &["public_key", "message", "signature"]), serde_json::json!({ "valid": got }))
        }
        "audit-chain" => {
            let event: Event =
                serde_json::from_value(case.get("event").cloned().unwrap_or(Value::Null)).map_err(|e| e.to_string())?;
            let got = core.audit_chain(&event, text(case, "prev")?);
            (expected(case, &["event", "prev"]), serde_json::json!({"line": got.line, "hash": got.hash}))
        }
        "audit-verify" => {
            let got = match core.audit_verify(&strings(case, "lines")?) {
                Ok((n, head)) => serde_json::json!({"count": n, "head": head}),
                Err(e) => serde_json::json!({ "bad_line": e.line }),
            };
            (expected(case, &["lines"]), got)
        }
        "audit-keyed" if case.get("line").is_some() => {
            let event: Event =
                serde_json::from_value(case.get("event").cloned().unwrap_or(Value::Null)).map_err(|e| e.to_string())?;
            let got = core
                .audit_keyed_chain(&unhex(case, "data_key")?, &event, text(case, "prev")?)
                .ok_or("the data key is not 32 bytes")?;
            (expected(case, &["data_key", "event", "prev"]), serde_json::json!({"line": got.line, "hash": got.hash}))
        }
        "audit-keyed" => {
            let got = match core.audit_keyed_verify(&unhex(case, "data_key")?, &strings(case, "lines")?) {
                Some(Ok(s)) => serde_json::json!({"verify": s}),
                Some(Err(e)) => serde_json::json!({ "bad_line": e.line }),
                None => return Err("the data key is not 32 bytes".into()),
            };
            (expected(case, &["data_key", "lines"]), got)
        }
        "gate" => {
            let req: ReadRequest = serde_json::from_value(case.get("request").cloned().unwrap_or(Value::Null))
                .map_err(|e| e.to_string())?;
            let rec: Option<ConnectionRecord> =
                serde_json::from_value(case.get("record").cloned().unwrap_or(Value::Null))
                    .map_err(|e| e.to_string())?;
            let d = core.decide(&req, rec.as_ref());
            let mut got = serde_json::json!({"status": d.status, "code": d.code});
            if case.get("plan").is_some() {
                got["plan"] = serde_json::to_value(&d.plan).unwrap_or(Value::Null);
            }
            if case.get("audit_outcome").is_some() {
                got["audit_outcome"] = serde_json::to_value(d.audit.outcome).unwrap_or(Value::Null);
                got["audit_actor"] = Value::String(d.audit.actor.clone());
            }
            if case.get("headers").is_some() {
                got["headers"] = serde_json::to_value(&d.headers).unwrap_or(Value::Null);
            }
            (expected(case, &["request", "record"]), got)
        }
        "policy" => (case.get("expect").cloned().unwrap_or(Value::Null), run_policy(case, core)?),
        "identity" => (case.get("expect").cloned().unwrap_or(Value::Null), run_identity(case, core)?),
        other => return Err(format!("no runner for vector file `{other}`")),
    })
}

/// Run one vector file (its name, such as `patterns.json`, picks the runner).
pub fn run_file(file: &str, json: &str, core: &mut dyn Binding) -> Report {
    let mut report = Report::default();
    let parsed: File = match serde_json::from_str(json) {
        Ok(f) => f,
        Err(e) => {
            report.bad_case(file, "-", &format!("not a vector file: {e}"));
            return report;
        }
    };
    for (i, case) in parsed.cases.iter().enumerate() {
        let id = case.get("id").and_then(Value::as_str).map_or_else(|| format!("#{i}"), str::to_owned);
        match run_case(file, case, core) {
            Ok((want, got)) => report.check(file, &id, &want, &got),
            Err(why) => report.bad_case(file, &id, &why),
        }
    }
    if parsed.cases.is_empty() {
        report.bad_case(file, "-", "no cases");
    }
    report
}
