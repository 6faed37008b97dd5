//! Who may do what on the vault API, in which order, with which answer and which audit event.
//!
//! Every route of the daemon, and the Worker's lifecycle routes, go through the same two
//! questions (docs/policy.md):
//!
//! 1. [`admit`]: the checks that need no storage, in this order: credentials (401; on the Worker's
//!    lifecycle routes, which hide themselves from whoever may not manage the company, 404),
//!    target (400), locked (423), permission and scope (403).
//! 2. [`conclude`]: once the host has acted, the answer for what happened ([`Effect`]): existence
//!    (404), conflicts (409), refused input (400, 408, 413), failures (500), or success.
//!
//! Both return the audit event the host makes durable before it answers; the host never picks a
//! status or writes an event of its own.

use serde::{Deserialize, Serialize};

use crate::audit::{Event, Outcome};
use crate::patterns::{self, PathError};
use crate::tokens::{self, TokenDenial, TokenKind, TokenRules};

/// Every operation a caller can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
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
    /// The polls of a reader that follows the log (`audit --tail`) after its first, audited read.
    AuditFollow,
    ConnectionCreate,
    ConnectionList,
    ConnectionGet,
    ConnectionRotate,
    ConnectionRevoke,
    ConnectionAudit,
    /// The console's check of allowlist patterns before a create: changes nothing, and its success
    /// is not audited (a line per typed pattern would bury the lifecycle events).
    PatternCheck,
    SettingsRead,
    SettingsWrite,
    /// `POST /v1/identities` (network mode): register an identity's public key; anyone may, and
    /// it grants nothing but filing access requests.
    IdentityRegister,
    /// `GET /v1/identities`: the server's owner, or a human admin of an org.
    IdentityList,
    /// `POST /v1/identities/{id}/revoke`: its sessions end at once; the owner or a human admin.
    IdentityRevoke,
    /// `POST /v1/orgs` `{"name","admin"?}`: an org and its first admin; the server's owner only
    /// (its home: never over the network).
    OrgCreate,
    /// `POST /v1/orgs/{org}/projects` `{"name"}`: the owner, or a human admin of the org.
    ProjectCreate,
    /// `POST /v1/access-requests`: an identity asks for a role in an org's project.
    AccessRequestCreate,
    /// `GET /v1/access-requests`: the owner sees all; an identity its own and, as a human admin,
    /// those of its orgs ([`access_request_visible`]).
    AccessRequestList,
    /// `POST /v1/access-requests/{id}/approve`: a human admin of the org ([`decide_problem`]).
    AccessRequestApprove,
    /// `POST /v1/access-requests/{id}/deny`: a human admin of the org ([`decide_problem`]).
    AccessRequestDeny,
}

impl Operation {
    /// The name audit lines give the operation.
    pub fn name(self) -> &'static str {
        use Operation as O;
        match self {
            O::Health => "health",
            O::Unlock => "unlock",
            O::Lock => "lock",
            O::PassphraseChange => "passphrase-change",
            O::SecretGet => "get",
            O::SecretPut => "store",
            O::SecretDelete => "delete",
            O::SecretList => "list",
            O::TokenCreate => "token-create",
            O::TokenList => "token-list",
            O::TokenRevoke => "token-revoke",
            O::AuditRead => "audit-read",
            O::AuditFollow => "audit-follow",
            O::ConnectionCreate => "connection-create",
            O::ConnectionList => "connection-list",
            O::ConnectionGet => "connection-get",
            O::ConnectionRotate => "connection-rotate",
            O::ConnectionRevoke => "connection-revoke",
            O::ConnectionAudit => "connection-audit",
            O::PatternCheck => "pattern-check",
            O::SettingsRead => "settings-read",
            O::SettingsWrite => "settings-write",
            O::IdentityRegister => "identity-register",
            O::IdentityList => "identity-list",
            O::IdentityRevoke => "identity-revoke",
            O::OrgCreate => "org-create",
            O::ProjectCreate => "project-create",
            O::AccessRequestCreate => "access-request-create",
            O::AccessRequestList => "access-request-list",
            O::AccessRequestApprove => "access-request-approve",
            O::AccessRequestDeny => "access-request-deny",
        }
    }

    /// What the URL's target names.
    fn target(self) -> Target {
        use Operation as O;
        match self {
            O::SecretGet | O::SecretPut | O::SecretDelete => Target::SecretPath,
            O::SecretList => Target::Folder,
            O::TokenRevoke => Target::TokenName,
            O::ConnectionGet | O::ConnectionRotate | O::ConnectionRevoke | O::ConnectionAudit => Target::ConnectionId,
            O::IdentityRevoke => Target::IdentityId,
            O::ProjectCreate => Target::OrgName,
            O::AccessRequestApprove | O::AccessRequestDeny => Target::AccessRequestId,
            _ => Target::None,
        }
    }

    /// Whether the operation needs the vault's key (unlocked).
    fn needs_key(self) -> bool {
        matches!(self, Operation::SecretGet | Operation::SecretPut | Operation::SecretDelete | Operation::SecretList)
    }

    /// The Worker's routes of a company's connections and settings.
    fn is_lifecycle(self) -> bool {
        use Operation as O;
        matches!(
            self,
            O::ConnectionCreate
                | O::ConnectionList
                | O::ConnectionGet
                | O::ConnectionRotate
                | O::ConnectionRevoke
                | O::ConnectionAudit
                | O::PatternCheck
                | O::SettingsRead
                | O::SettingsWrite
        )
    }

    /// Network mode's operations (identities, orgs, projects, access requests).
    fn is_network(self) -> bool {
        use Operation as O;
        matches!(
            self,
            O::IdentityRegister
                | O::IdentityList
                | O::IdentityRevoke
                | O::OrgCreate
                | O::ProjectCreate
                | O::AccessRequestCreate
                | O::AccessRequestList
                | O::AccessRequestApprove
                | O::AccessRequestDeny
        )
    }

    /// Whether a successful answer is audited. Every refusal and failure is; a success is
    /// unless it is `health` (no caller), `audit-follow`: a follower's poll that wrote a line
    /// would read that line at its next poll and write another, so a log that is only being
    /// followed would grow for ever (the follower's first read is an audited `audit-read`), or
    /// `pattern-check`, which changes nothing and reveals nothing of the company.
    pub fn audits_success(self) -> bool {
        !matches!(self, Operation::Health | Operation::AuditFollow | Operation::PatternCheck)
    }

    fn success_status(self) -> u16 {
        match self {
            Operation::SecretDelete => 204,
            Operation::TokenCreate
            | Operation::ConnectionCreate
            | Operation::IdentityRegister
            | Operation::OrgCreate
            | Operation::ProjectCreate
            | Operation::AccessRequestCreate => 201,
            _ => 200,
        }
    }
}

enum Target {
    None,
    SecretPath,
    Folder,
    TokenName,
    ConnectionId,
    /// An identity id ([`is_identity_id`]).
    IdentityId,
    /// An org's name (the token-name rule, `tokens::check_name`).
    OrgName,
    /// An access request's id ([`is_access_request_id`]).
    AccessRequestId,
}

/// Why no caller could be established from the `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialProblem {
    Missing,
    Malformed,
    WrongKind,
    Unknown,
}

/// A role in an org (network mode) or a company (the Worker's admins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Owner,
    Admin,
    Member,
    Readonly,
}

/// One membership of an identity: a role in an org, for one project or (`None`) all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub org: String,
    #[serde(default)]
    pub project: Option<String>,
    pub role: Role,
}

/// A managed token as stored now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedToken {
    pub name: String,
    pub rules: TokenRules,
}

/// What an identity is (network mode): an agent never approves or denies an access request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityKind {
    #[default]
    Agent,
    Human,
}

/// An identity's session (network mode).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentitySession {
    /// The identity's id (`id_` and hex digits).
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub kind: IdentityKind,
    pub name: String,
    #[serde(default)]
    pub memberships: Vec<Membership>,
    pub expires_at_ms: u64,
}

/// An admin credential of a company on the Worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyAdmin {
    pub name: String,
    pub company_id: String,
    pub role: Role,
}

/// The caller, as the host established it from the credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Caller {
    Anonymous(CredentialProblem),
    Owner,
    Managed(ManagedToken),
    Session(IdentitySession),
    CompanyAdmin(CompanyAdmin),
}

/// A request, as the route table and the authentication step saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub operation: Operation,
    pub caller: Caller,
    /// What the URL names, percent-decoded once (a secret path, a listing prefix, a token name,
    /// a connection id).
    #[serde(default)]
    pub target: Option<String>,
    /// The company the URL names (the Worker's lifecycle routes).
    #[serde(default)]
    pub company: Option<String>,
    /// Why the URL's query string could not be read; refused at the target step.
    #[serde(default)]
    pub query_problem: Option<String>,
    #[serde(default)]
    pub locked: bool,
    #[serde(default)]
    pub time_ms: u64,
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub source_ip: String,
}

/// What [`admit`] lets through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admission {
    /// The target as checked (a listing prefix as the folder it names).
    pub target: Option<String>,
    /// The audit actor.
    pub actor: String,
    /// Whether a successful answer spends one of the managed token's uses.
    pub count_use: bool,
    /// Whether a listing must be filtered with [`visible`].
    pub scoped: bool,
}

/// A decision to audit and answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub status: u16,
    /// Error code (empty on success).
    pub code: String,
    /// Error message (empty on success); never a value or a credential.
    pub message: String,
    /// The JSON error body (empty on success).
    pub error_body: String,
    /// Headers to add (`WWW-Authenticate: Bearer` on 401).
    pub headers: Vec<(String, String)>,
    /// The event to make durable before the answer and any effect; `None` for `health`, and for
    /// a success of `audit-follow` ([`Operation::audits_success`]).
    pub audit: Option<Event>,
    /// An anonymous failure: rate-limited into summary lines.
    pub summarized: bool,
}

/// Why a request's input was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
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
    /// An identity's public key that is not 32 bytes of standard base64, or its type.
    BadPublicKey,
    /// A role that is not admin, member or readonly, or a project missing for member/readonly.
    BadRole,
    /// An access request's justification: 1-1000 characters, no control characters but new lines.
    BadJustification,
}

impl InputKind {
    fn status_and_code(self) -> (u16, &'static str) {
        use InputKind as K;
        match self {
            K::BadJson => (400, "bad_json"),
            K::BodyTooLarge => (413, "body_too_large"),
            K::BodyTimeout => (408, "request_timeout"),
            K::BadQuery => (400, "bad_query"),
            K::BadValue => (400, "bad_value"),
            K::ValueTooLarge => (413, "value_too_large"),
            K::BadType => (400, "bad_type"),
            K::BadDescription => (400, "bad_description"),
            K::BadName => (400, "bad_name"),
            K::BadTtl => (400, "bad_ttl"),
            K::BadMaxUses => (400, "bad_max_uses"),
            K::BadPrefix => (400, "bad_prefix"),
            K::BadPatterns => (400, "bad_patterns"),
            K::BadMechanism => (400, "bad_mechanism"),
            K::WeakPassphrase => (400, "weak_passphrase"),
            K::BadCursor => (400, "bad_cursor"),
            K::BadPublicKey => (400, "bad_public_key"),
            K::BadRole => (400, "bad_role"),
            K::BadJustification => (400, "bad_justification"),
        }
    }
}

/// One rejected pattern of a connection's allowlist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatternRejection {
    pub index: u32,
    /// The pattern with its control characters escaped.
    pub pattern: String,
    /// The reason's code (`dot-segment`, …).
    pub reason: String,
    pub message: String,
}

/// A refused input and what exactly is wrong (never a value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputProblem {
    pub kind: InputKind,
    pub detail: String,
    #[serde(default)]
    pub rejections: Vec<PatternRejection>,
}

impl InputProblem {
    fn new(kind: InputKind, detail: impl Into<String>) -> InputProblem {
        InputProblem { kind, detail: detail.into(), rejections: Vec::new() }
    }
}

/// What happened when the host acted on an admitted request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    Done,
    Created,
    Replaced,
    NotFound,
    Exists,
    NameTaken,
    ConnectionRevoked,
    Tampered,
    WrongPassphrase,
    LockedMeanwhile,
    Locked,
    NotInitialized,
    BadInput(InputProblem),
    /// An access request already approved or denied (409).
    AlreadyDecided,
    /// `identity-register`: an identity holds this public key already, active or revoked (409):
    /// one key, one identity, or one holder could act as two, and a revoked key stays revoked.
    KeyTaken,
    /// An approve or deny that [`decide_problem`] refuses (403).
    NotPermitted(DecideRefusal),
    Failed(String),
}

/// Why a caller may not approve or deny an access request (seed 002: "agents cannot
/// self-authorize access"; the issue's rules: a human admin of that org only, never one's own
/// request, never a role above the approver's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecideRefusal {
    /// The caller is an agent (or no identity at all).
    AgentCannotDecide,
    /// The caller filed the request.
    OwnRequest,
    /// The caller is no admin of the request's org (or of its project).
    NotOrgAdmin,
    /// The request asks for a role above the approver's.
    RoleAboveApprover,
}

/// An access request as the host stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequest {
    /// `ar_` and hex digits.
    pub id: String,
    /// The requesting identity's id.
    pub identity_id: String,
    pub org: String,
    #[serde(default)]
    pub project: Option<String>,
    pub role: Role,
    /// `pending`, `approved` or `denied`.
    pub status: String,
}

/// The actor name of the vault's owner in audit lines.
pub const OWNER_ACTOR: &str = "bootstrap";
/// The actor name of a caller without a usable credential.
pub const ANONYMOUS_ACTOR: &str = "anonymous";
/// Longest token name `token-revoke` looks up: revocation only looks a name up, so a token named
/// before the name rule (upper case, `_`) can still be revoked.
pub const MAX_LOOKUP_NAME: usize = 256;
const LOCKED_MESSAGE: &str = "the vault is locked: run `hq-vault unlock`";
/// The message of the 404 that hides the Worker's lifecycle routes from whoever may not manage
/// the company. The Worker's route table answers a route that does not exist with the same words,
/// so that the two answers cannot be told apart.
pub const NO_SUCH_ROUTE: &str = "no such route";

/// The reference of the vault or session token an `Authorization` header carries.
pub fn credential(authorization: Option<&str>) -> Result<String, CredentialProblem> {
    let header = authorization.ok_or(CredentialProblem::Missing)?;
    let token = crate::gate::bearer(header).ok_or(CredentialProblem::Malformed)?;
    match tokens::parse(token) {
        Ok(TokenKind::VaultToken | TokenKind::SessionToken) => Ok(tokens::reference(token)),
        Ok(TokenKind::ConnectionKey) => Err(CredentialProblem::WrongKind),
        Err(_) => Err(CredentialProblem::Malformed),
    }
}

/// A secret prefix as the folder it names: `myapp` and `myapp/` are both `myapp/`; empty (every
/// secret) stays empty.
pub fn folder(raw: &str) -> String {
    if raw.is_empty() || raw.ends_with('/') { raw.to_owned() } else { format!("{raw}/") }
}

/// A company id (the Worker): 1 to 63 bytes of `a-z`, `0-9`, `_` and `-`, so that it can name KV
/// keys and, followed by `/` and a 960-byte object key, fit R2's 1024-byte key limit
/// (docs/design.md §3.5). A lifecycle request naming any other company is answered 404.
pub fn is_company_id(id: &str) -> bool {
    (1..=63).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// A connection id: `conn_` and 8 to 64 lower-case hex digits.
pub fn is_connection_id(id: &str) -> bool {
    id.strip_prefix("conn_").is_some_and(|h| {
        (8..=64).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

struct Refusal {
    status: u16,
    code: &'static str,
    message: String,
    /// The checked target, when the refusal comes after the target check (secret paths only).
    path: Option<String>,
}

fn refusal(status: u16, code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal { status, code, message: message.into(), path: None }
}

fn actor_of(caller: &Caller) -> String {
    match caller {
        Caller::Anonymous(_) => ANONYMOUS_ACTOR.to_owned(),
        Caller::Owner => OWNER_ACTOR.to_owned(),
        Caller::Managed(t) => t.name.clone(),
        // Network mode's audit lines name the identity by name and id.
        Caller::Session(s) if !s.id.is_empty() => format!("{} ({})", s.name, s.id),
        Caller::Session(s) => s.name.clone(),
        Caller::CompanyAdmin(a) => a.name.clone(),
    }
}

fn outcome_of(status: u16) -> Outcome {
    match status {
        200..=299 | 304 => Outcome::Allowed,
        401 | 403 | 423 => Outcome::Denied,
        _ => Outcome::Failed,
    }
}

fn event(req: &Request, actor: &str, path: Option<String>, status: u16, reason: Option<String>) -> Event {
    Event {
        time_ms: req.time_ms,
        actor: actor.to_owned(),
        operation: req.operation.name().to_owned(),
        path,
        outcome: outcome_of(status),
        status,
        request_id: req.request_id.clone(),
        source_ip: req.source_ip.clone(),
        reason,
    }
}

fn refuse(req: &Request, actor: &str, r: Refusal, rejections: &[PatternRejection]) -> Decision {
    let mut headers = Vec::new();
    if r.status == 401 {
        headers.push(("WWW-Authenticate".to_owned(), "Bearer".to_owned()));
    }
    let body = if rejections.is_empty() {
        crate::gate::error_body(r.code, &r.message, &req.request_id)
    } else {
        serde_json::json!({"error": {"code": r.code, "message": r.message, "request_id": req.request_id,
                                      "rejections": rejections}})
        .to_string()
    };
    let audit = (req.operation != Operation::Health).then(|| {
        let path = if req.operation.target().is_secret() { r.path.clone() } else { None };
        event(req, actor, path, r.status, Some(r.code.to_owned()))
    });
    Decision {
        status: r.status,
        code: r.code.to_owned(),
        message: r.message,
        error_body: body,
        headers,
        audit,
        summarized: actor == ANONYMOUS_ACTOR,
    }
}

impl Target {
    fn is_secret(&self) -> bool {
        matches!(self, Target::SecretPath | Target::Folder)
    }
}

/// The audit operation of a request the route table has no operation for.
pub const ROUTE_OPERATION: &str = "route";

/// The decision for a request a host's route table has no operation for: a path no route has
/// (`allow` none: 404 `not_found`), or a method the route does not take (405
/// `method_not_allowed`, with `Allow: <allow>`). No credential was looked at, so it is audited as
/// an `anonymous` failure of the operation `route` and rate-limited like the other anonymous ones.
pub fn refuse_route(allow: Option<&str>, time_ms: u64, request_id: &str, source_ip: &str) -> Decision {
    let (status, code, message, headers) = match allow {
        None => (404, "not_found", format!("{NO_SUCH_ROUTE}: see the API in the README"), Vec::new()),
        Some(a) => {
            (405, "method_not_allowed", format!("this route takes {a}"), vec![("Allow".to_owned(), a.to_owned())])
        }
    };
    Decision {
        status,
        code: code.to_owned(),
        error_body: crate::gate::error_body(code, &message, request_id),
        message,
        headers,
        audit: Some(Event {
            time_ms,
            actor: ANONYMOUS_ACTOR.to_owned(),
            operation: ROUTE_OPERATION.to_owned(),
            path: None,
            outcome: Outcome::Failed,
            status,
            request_id: request_id.to_owned(),
            source_ip: source_ip.to_owned(),
            reason: Some(code.to_owned()),
        }),
        summarized: true,
    }
}

/// Step 1 of the check order: who is calling, and may they call at all.
fn credentials(req: &Request) -> Result<(), Refusal> {
    use CredentialProblem as P;
    if req.operation == Operation::Health {
        return Ok(());
    }
    // Anyone may register an identity's key: without a credential, as anonymous.
    if req.operation == Operation::IdentityRegister && req.caller == Caller::Anonymous(P::Missing) {
        return Ok(());
    }
    // The Worker's lifecycle routes hide from whoever may not manage the company, before anything
    // else about the request is looked at: a member sending a malformed connection id gets the
    // same 404 as a stranger.
    if let Some(company) = &req.company {
        return if may_manage(&req.caller, company, req.operation) {
            Ok(())
        } else {
            Err(refusal(404, "not_found", NO_SUCH_ROUTE))
        };
    }
    match &req.caller {
        Caller::Anonymous(P::Missing) => Err(refusal(
            401,
            "missing_credentials",
            "send `Authorization: Bearer` and a token: a vault token (`hqvt_…`: the home's token file, or \
             HQ_VAULT_TOKEN), or on a network-mode server an identity's session (`hq-vault login`)",
        )),
        Caller::Anonymous(P::Malformed) => Err(refusal(
            401,
            "malformed_credentials",
            "the Authorization header must be `Bearer` and a whole vault token: check it was copied whole",
        )),
        Caller::Anonymous(P::WrongKind) => Err(refusal(
            401,
            "malformed_credentials",
            "this is not a vault token: the vault API takes an hqvt_ token (an hqxc_ connection key reads files only)",
        )),
        Caller::Anonymous(P::Unknown) => Err(refusal(
            401,
            "invalid_token",
            "this token is not known to this vault: a bootstrap token from an earlier start, another vault's token, \
             or a vault token sent to a network-mode server, which takes identity sessions only (`hq-vault login \
             --identity NAME`); in local mode the owner's token is rewritten to the home's `token` file at each start",
        )),
        Caller::Owner => Ok(()),
        Caller::Managed(t) => match tokens::evaluate(&t.rules, req.time_ms, None) {
            Ok(()) | Err(TokenDenial::OutOfScope) => Ok(()),
            // Each names the token and the real cause; its holder cannot make a new one, the owner can.
            Err(TokenDenial::Revoked) => Err(refusal(
                401,
                "token_revoked",
                format!(
                    "the token was revoked (token `{}`): ask the vault's owner for a new one (`hq-vault token create`)",
                    t.name
                ),
            )),
            Err(TokenDenial::Expired) => Err(refusal(
                401,
                "token_expired",
                format!(
                    "the token has expired (token `{}`, at {}): ask the vault's owner for a new one (`hq-vault token create --ttl …`)",
                    t.name,
                    t.rules.expires_at_ms.map(crate::time::rfc3339).unwrap_or_default()
                ),
            )),
            Err(TokenDenial::Exhausted) => Err(refusal(
                401,
                "token_exhausted",
                format!(
                    "the token has no uses left (token `{}`, --max-uses {}): ask the vault's owner for a new one (`hq-vault token create`)",
                    t.name,
                    t.rules.max_uses.unwrap_or_default()
                ),
            )),
        },
        Caller::Session(s) => {
            if req.time_ms >= s.expires_at_ms {
                Err(refusal(401, "session_expired", "the session has expired: log in again (`hq-vault login`)"))
            } else {
                Ok(())
            }
        }
        Caller::CompanyAdmin(_) => {
            Err(refusal(403, "forbidden", "a company admin credential manages connections only"))
        }
    }
}

fn path_refusal(e: PathError) -> Refusal {
    refusal(400, "bad_path", e.to_string())
}

/// Step 2: the target the URL names.
fn target(req: &Request) -> Result<Option<String>, Refusal> {
    if let Some(problem) = &req.query_problem {
        return Err(refusal(400, "bad_query", problem.clone()));
    }
    let raw = req.target.as_deref();
    match req.operation.target() {
        Target::None => Ok(None),
        Target::SecretPath => match patterns::check_key(raw.unwrap_or("")) {
            Ok(p) => Ok(Some(p.to_owned())),
            // A secret's path is no folder: its length rule in its own words.
            Err(PathError::TooLong) => {
                Err(refusal(400, "bad_path", "the path is longer than 1024 bytes: give a shorter one".to_owned()))
            }
            Err(e) => Err(path_refusal(e)),
        },
        Target::Folder => {
            let prefix = folder(raw.unwrap_or(""));
            if prefix.is_empty() {
                return Ok(Some(prefix));
            }
            match patterns::check_path(&prefix) {
                Ok(_) => Ok(Some(prefix)),
                // A listing names a folder, never a pattern (`myapp*` would read as one).
                Err(PathError::MisplacedStar) => {
                    let base = raw.unwrap_or("").trim_end_matches('*').trim_end_matches('/');
                    Err(refusal(
                        400,
                        "bad_path",
                        if base.is_empty() {
                            "a prefix is a folder, never a pattern: give no prefix (an empty one) for every secret"
                                .to_owned()
                        } else {
                            format!(
                                "a prefix is a folder, never a pattern: give `{base}` (the folder `{base}/`) without `*`"
                            )
                        },
                    ))
                }
                Err(e) => Err(path_refusal(e)),
            }
        }
        Target::TokenName => {
            let name = raw.unwrap_or("");
            if name.is_empty() || name.len() > MAX_LOOKUP_NAME || name.chars().any(char::is_control) {
                Err(refusal(400, "bad_name", "not a token name: `hq-vault token list` shows the names"))
            } else {
                Ok(Some(name.to_owned()))
            }
        }
        Target::ConnectionId => {
            let id = raw.unwrap_or("");
            if is_connection_id(id) {
                Ok(Some(id.to_owned()))
            } else {
                Err(refusal(
                    400,
                    "bad_connection_id",
                    "not a connection id (`conn_` and hex digits): `hq-vault connection list` shows them",
                ))
            }
        }
        Target::IdentityId => match raw.filter(|id| is_identity_id(id)) {
            Some(id) => Ok(Some(id.to_owned())),
            None => Err(refusal(
                400,
                "bad_identity_id",
                "not an identity id (`id_` and hex digits): `hq-vault identity list` shows them",
            )),
        },
        Target::OrgName => match raw.filter(|n| tokens::check_name(n).is_ok()) {
            Some(n) => Ok(Some(n.to_owned())),
            None => Err(refusal(400, "bad_name", NAME_RULE_ORG)),
        },
        Target::AccessRequestId => match raw.filter(|id| is_access_request_id(id)) {
            Some(id) => Ok(Some(id.to_owned())),
            None => Err(refusal(
                400,
                "bad_request_id",
                "not an access request id (`ar_` and hex digits): `hq-vault access-requests list` shows them",
            )),
        },
    }
}

/// The name rule of identities, orgs and projects, in words (`tokens::check_name`).
const NAME_RULE_ORG: &str =
    "a name is 1-63 of a-z, 0-9, `.` and `-`, starting with a letter or digit, and not a reserved word";

fn hex_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|h| {
        (16..=64).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// An identity id: `id_` and 16 to 64 lower-case hex digits.
pub fn is_identity_id(id: &str) -> bool {
    hex_id(id, "id_")
}

/// An access request id: `ar_` and 16 to 64 lower-case hex digits.
pub fn is_access_request_id(id: &str) -> bool {
    hex_id(id, "ar_")
}

/// The rank of a role, for "never a role above the approver's".
fn rank(role: Role) -> u8 {
    match role {
        Role::Owner => 4,
        Role::Admin => 3,
        Role::Member => 2,
        Role::Readonly => 1,
    }
}

/// The role a session holds over `org`'s `project` (`None`: the org as a whole): its highest
/// membership that covers it.
fn role_over(s: &IdentitySession, org: &str, project: Option<&str>) -> Option<Role> {
    s.memberships
        .iter()
        .filter(|m| m.org == org && (m.project.is_none() || (project.is_some() && m.project.as_deref() == project)))
        .map(|m| m.role)
        .max_by_key(|r| rank(*r))
}

/// Why `caller` may not approve or deny `request`, checked in this order: an agent (or anyone but
/// an identity) never decides; nobody decides their own request; the approver is an admin of the
/// request's org, or of its project; the role asked for is not above the approver's. `None`: it
/// may. An already decided request is the host's 409 (`Effect::AlreadyDecided`).
pub fn decide_problem(caller: &Caller, request: &AccessRequest) -> Option<DecideRefusal> {
    let Caller::Session(s) = caller else { return Some(DecideRefusal::AgentCannotDecide) };
    if s.kind != IdentityKind::Human {
        return Some(DecideRefusal::AgentCannotDecide);
    }
    if s.id == request.identity_id {
        return Some(DecideRefusal::OwnRequest);
    }
    let held = match role_over(s, &request.org, request.project.as_deref()) {
        Some(r) if rank(r) >= rank(Role::Admin) => r,
        _ => return Some(DecideRefusal::NotOrgAdmin),
    };
    if rank(request.role) > rank(held) {
        return Some(DecideRefusal::RoleAboveApprover);
    }
    None
}

/// Whether `caller` sees `request` in `GET /v1/access-requests`: the owner all of them; an
/// identity its own, and those it may decide as a human admin (pending or not).
pub fn access_request_visible(caller: &Caller, request: &AccessRequest) -> bool {
    match caller {
        Caller::Owner => true,
        Caller::Session(s) => {
            s.id == request.identity_id
                || (s.kind == IdentityKind::Human
                    && role_over(s, &request.org, request.project.as_deref())
                        .is_some_and(|r| rank(r) >= rank(Role::Admin)))
        }
        _ => false,
    }
}

/// An identity's registration (`POST /v1/identities` `{"name","type","public_key"}`): the name
/// by the token-name rule, the type `agent` or `human`, and the Ed25519 public key (32 bytes in
/// standard base64, [`crate::identity::check_public_key`]). Returns the kind and the key's
/// reference ([`crate::identity::key_reference`]: all the server keeps of it).
pub fn identity_registration(name: &str, kind: &str, public_key: &str) -> Result<(IdentityKind, String), InputProblem> {
    tokens::check_name(name)
        .map_err(|e| InputProblem::new(InputKind::BadName, format!("{NAME_RULE_ORG} ({})", e.code())))?;
    let kind = match kind {
        "agent" => IdentityKind::Agent,
        "human" => IdentityKind::Human,
        _ => return Err(InputProblem::new(InputKind::BadType, "type is agent or human")),
    };
    let key = crate::identity::check_public_key(public_key).map_err(|e| {
        InputProblem::new(
            InputKind::BadPublicKey,
            format!("public_key: {e}; send the identity's Ed25519 public key, 32 bytes in standard base64"),
        )
    })?;
    Ok((kind, crate::identity::key_reference(&key)))
}

/// An org's or a project's name (`POST /v1/orgs`, `POST /v1/orgs/{org}/projects`).
pub fn org_name(name: &str) -> Result<(), InputProblem> {
    tokens::check_name(name)
        .map_err(|e| InputProblem::new(InputKind::BadName, format!("{NAME_RULE_ORG} ({})", e.code())))
}

/// An access request's body (`{"org","project"?,"role","justification"}`): names by the name
/// rule; role `admin` (the whole org, or one project), `member` or `readonly` (a project is
/// required); a justification of 1-1000 characters with no control character but new lines.
pub fn access_request_input(
    org: &str,
    project: Option<&str>,
    role: &str,
    justification: &str,
) -> Result<Role, InputProblem> {
    org_name(org)?;
    if let Some(p) = project {
        org_name(p)?;
    }
    let role = match role {
        "admin" => Role::Admin,
        "member" => Role::Member,
        "readonly" => Role::Readonly,
        _ => return Err(InputProblem::new(InputKind::BadRole, "role is admin, member or readonly")),
    };
    if role != Role::Admin && project.is_none() {
        return Err(InputProblem::new(
            InputKind::BadRole,
            "a member or readonly role is for a project: send \"project\" (only admin may cover the whole org)",
        ));
    }
    let j = justification.trim();
    if j.is_empty()
        || justification.chars().count() > 1000
        || justification.chars().any(|c| c.is_control() && c != '\n')
    {
        return Err(InputProblem::new(
            InputKind::BadJustification,
            "a justification says why, for the human who decides: 1-1000 characters, no control characters but new lines",
        ));
    }
    Ok(role)
}

/// The org and project a network-mode path belongs to: `org/<org>/project/<project>/…`.
fn org_project(path: &str) -> Option<(&str, Option<&str>)> {
    let rest = path.strip_prefix("org/")?;
    let (org, rest) = rest.split_once('/').unwrap_or((rest, ""));
    if org.is_empty() {
        return None;
    }
    let project = rest.strip_prefix("project/").and_then(|r| r.split('/').next()).filter(|p| !p.is_empty());
    Some((org, project))
}

/// Whether an identity's memberships grant reading (or writing) `path`.
fn session_grants(s: &IdentitySession, path: &str, write: bool) -> bool {
    let Some((org, project)) = org_project(path) else { return false };
    s.memberships.iter().any(|m| {
        m.org == org
            && match m.role {
                // An admin of the whole org reaches all of it; an admin of one project, that
                // project only.
                Role::Owner | Role::Admin => m.project.is_none() || m.project.as_deref() == project,
                Role::Member | Role::Readonly => {
                    (!write || m.role == Role::Member) && m.project.is_some() && m.project.as_deref() == project
                }
            }
    })
}

/// Whether `caller` may ask for `op` on the lifecycle routes of `company` (a company id by
/// [`is_company_id`]): its owner or an admin of it, and for the company switch (`settings-write`)
/// its owner only.
fn may_manage(caller: &Caller, company: &str, op: Operation) -> bool {
    let Caller::CompanyAdmin(a) = caller else { return false };
    is_company_id(company)
        && a.company_id == company
        && op.is_lifecycle()
        && match op {
            Operation::SettingsWrite => a.role == Role::Owner,
            _ => matches!(a.role, Role::Owner | Role::Admin),
        }
}

/// Step 4: permission and scope.
fn permission(req: &Request, target: Option<&str>) -> Result<(bool, bool), Refusal> {
    use Operation as O;
    let op = req.operation;
    if op == O::Health {
        return Ok((false, false));
    }
    if req.company.is_some() {
        // Checked with the credentials (step 1).
        return Ok((false, false));
    }
    if matches!(op, O::SettingsRead | O::SettingsWrite) {
        return Err(refusal(404, "not_found", NO_SUCH_ROUTE));
    }
    if let Some(decided) = network_permission(req, target) {
        return decided;
    }
    let owner_only = || {
        refusal(
            403,
            "owner_only",
            "a managed token may only read and list secrets: use the vault owner's token for this",
        )
    };
    match &req.caller {
        Caller::Owner => Ok((false, false)),
        Caller::Managed(t) => match op {
            O::SecretGet => match tokens::evaluate(&t.rules, req.time_ms, target) {
                Ok(()) => Ok((true, false)),
                Err(_) => Err(refusal(
                    403,
                    "out_of_scope",
                    "the path is outside this token's prefix scope: ask the vault owner for a token whose --prefix covers it (the owner sees every scope with `hq-vault token list`)",
                )),
            },
            O::SecretList => Ok((false, true)),
            _ => Err(owner_only()),
        },
        Caller::Session(s) => match op {
            O::SecretGet | O::SecretPut | O::SecretDelete => {
                if session_grants(s, target.unwrap_or(""), op != O::SecretGet) {
                    Ok((false, false))
                } else {
                    Err(refusal(
                        403,
                        "forbidden",
                        "no membership of this identity grants this: file an access request for the project",
                    ))
                }
            }
            O::SecretList => Ok((false, true)),
            _ => Err(refusal(403, "owner_only", "only the vault's owner may do this")),
        },
        Caller::Anonymous(_) | Caller::CompanyAdmin(_) => Err(refusal(403, "forbidden", "not allowed")),
    }
}

/// Step 4 for network mode's operations (identities, orgs, access requests); `None` for the others.
fn network_permission(req: &Request, target: Option<&str>) -> Option<Result<(bool, bool), Refusal>> {
    use Operation as O;
    let ok = Some(Ok((false, false)));
    let no = |code: &'static str, message: &str| Some(Err(refusal(403, code, message)));
    let caller = &req.caller;
    match req.operation {
        O::IdentityRegister => match caller {
            Caller::Anonymous(_) | Caller::Owner | Caller::Session(_) => ok,
            _ => no("forbidden", "a managed token cannot register identities: register without a credential"),
        },
        // The server's identities span every org: listing or revoking them is the server's
        // owner's (its home), not one org's admin's.
        O::IdentityList | O::IdentityRevoke => match caller {
            Caller::Owner => ok,
            _ => no(
                "owner_only",
                "identities are listed and revoked with the server's home (`hq-vault identity list`, `identity revoke NAME` run there)",
            ),
        },
        O::OrgCreate => match caller {
            Caller::Owner => ok,
            _ => no(
                "owner_only",
                "an org and its first admin are made on the server itself: run `hq-vault org create NAME --admin IDENTITY` with the server's home",
            ),
        },
        O::ProjectCreate => match caller {
            Caller::Owner => ok,
            Caller::Session(s)
                if s.kind == IdentityKind::Human
                    && role_over(s, target.unwrap_or(""), None).is_some_and(|r| rank(r) >= rank(Role::Admin)) =>
            {
                ok
            }
            _ => no("admin_only", "only a human admin of the org (or the server's owner) may create its projects"),
        },
        O::AccessRequestCreate => match caller {
            Caller::Session(_) => ok,
            _ => no(
                "identity_only",
                "an access request is filed by an identity: log in first (`hq-vault login --identity NAME`)",
            ),
        },
        O::AccessRequestList => match caller {
            Caller::Owner => ok,
            Caller::Session(_) => Some(Ok((false, true))),
            _ => no("identity_only", "access requests are listed for an identity or the server's owner"),
        },
        O::AccessRequestApprove | O::AccessRequestDeny => match caller {
            Caller::Session(s) if s.kind == IdentityKind::Human => ok,
            Caller::Session(_) => no(
                "agent_cannot_decide",
                "an agent never approves or denies an access request, its own included: a human admin of the org decides",
            ),
            _ => no(
                "human_admin_only",
                "only a human admin of the org approves or denies access requests: log in with a human identity",
            ),
        },
        _ => None,
    }
}

/// Admit or refuse: credentials (401; for a request naming a `company`, 404 unless the caller may
/// manage it), target (400), locked (423), permission and scope (403).
pub fn admit(req: &Request) -> Result<Admission, Box<Decision>> {
    let actor = actor_of(&req.caller);
    credentials(req).map_err(|r| Box::new(refuse(req, &actor, r, &[])))?;
    let checked = target(req).map_err(|r| Box::new(refuse(req, &actor, r, &[])))?;
    let with_path = |mut r: Refusal| {
        r.path = checked.clone();
        Box::new(refuse(req, &actor, r, &[]))
    };
    if req.locked && req.operation.needs_key() {
        return Err(with_path(refusal(423, "locked", LOCKED_MESSAGE)));
    }
    let (count_use, scoped) = permission(req, checked.as_deref()).map_err(with_path)?;
    Ok(Admission { target: checked, actor, count_use, scoped })
}

fn not_found_message(op: Operation) -> &'static str {
    use Operation as O;
    match op {
        O::SecretGet | O::SecretPut | O::SecretDelete => "no secret at this path: `hq-vault list` shows the paths",
        O::TokenRevoke => "no token with this name: `hq-vault token list` shows the names",
        O::ConnectionGet | O::ConnectionRotate | O::ConnectionRevoke | O::ConnectionAudit => {
            "no connection with this id: `hq-vault connection list` shows them"
        }
        O::IdentityRevoke => "no identity with this id: `hq-vault identity list` shows them",
        O::ProjectCreate => "no org with this name: the server's owner makes orgs (`hq-vault org create`)",
        O::AccessRequestCreate => {
            "no such org or project: ask an admin of the org for its exact names (projects are made with `hq-vault project create`)"
        }
        O::AccessRequestApprove | O::AccessRequestDeny => {
            "no access request with this id: `hq-vault access-requests list` shows them"
        }
        O::OrgCreate => {
            "no active identity with this name or id to be the org's admin: register it first (`hq-vault identity create`)"
        }
        _ => "not found",
    }
}

/// The answer and audit event for what the host did with an admitted request. `subject` names
/// what the operation acted on when the URL did not (a created token's name, a created
/// connection's id).
pub fn conclude(req: &Request, adm: &Admission, effect: &Effect, subject: Option<&str>) -> Decision {
    let op = req.operation;
    let secret_path = if op.target().is_secret() { adm.target.clone() } else { None };
    let failure =
        |status: u16, code: &'static str, message: String| Refusal { status, code, message, path: secret_path.clone() };
    let status = match effect {
        Effect::Done => op.success_status(),
        Effect::Created => 201,
        Effect::Replaced => 200,
        other => {
            let (r, rejections) = match other {
                Effect::NotFound => (failure(404, "not_found", not_found_message(op).to_owned()), &[][..]),
                Effect::Exists => (
                    failure(409, "exists", "a secret already exists at this path and overwrite=false: nothing was stored".into()),
                    &[][..],
                ),
                Effect::NameTaken => (
                    failure(
                        409,
                        "name_taken",
                        match subject {
                            Some(name) if op == Operation::ConnectionCreate => format!(
                                "an active connection is named `{name}` (letter case aside): pick another name, or revoke that connection first (a name names one active connection)"
                            ),
                            Some(name) if op == Operation::IdentityRegister => format!(
                                "an active identity is named `{name}`: pick another name (`hq-vault identity list` shows them)"
                            ),
                            Some(name) if op == Operation::OrgCreate => format!("an org named `{name}` exists: nothing was changed"),
                            Some(name) if op == Operation::ProjectCreate => {
                                format!("this org has a project named `{name}`: nothing was changed")
                            }
                            Some(name) => format!(
                                "a token named `{name}` exists: pick another name, or revoke it first (`hq-vault token revoke {name}`): a revoked token's name is free again"
                            ),
                            None => "a token with this name exists: pick another name, or revoke it first: a revoked token's name is free again".into(),
                        },
                    ),
                    &[][..],
                ),
                Effect::ConnectionRevoked => (
                    failure(409, "revoked", "a revoked connection cannot be rotated: create a new one".into()),
                    &[][..],
                ),
                Effect::Tampered => (
                    failure(
                        409,
                        "tampered",
                        "the stored ciphertext for this path failed authentication: vault.db was changed outside hq-vault; restore it from a backup".into(),
                    ),
                    &[][..],
                ),
                Effect::WrongPassphrase => (
                    failure(
                        401,
                        "wrong_passphrase",
                        if op == Operation::PassphraseChange {
                            "the current passphrase is wrong: nothing was changed".into()
                        } else {
                            "the passphrase does not unlock this vault: run `hq-vault unlock` and type it again".into()
                        },
                    ),
                    &[][..],
                ),
                Effect::LockedMeanwhile => (
                    failure(
                        409,
                        "locked_meanwhile",
                        "the vault was locked while this unlock was deriving the key, and the lock wins: unlock again".into(),
                    ),
                    &[][..],
                ),
                Effect::Locked => (failure(423, "locked", LOCKED_MESSAGE.into()), &[][..]),
                Effect::KeyTaken => (
                    failure(
                        409,
                        "key_taken",
                        "this public key belongs to an identity already (an active one, or a revoked one: a revoked key is never registered again): each identity makes its own key pair (`hq-vault identity create`)".into(),
                    ),
                    &[][..],
                ),
                Effect::AlreadyDecided => (
                    failure(409, "already_decided", "this access request was approved or denied already: nothing was changed".into()),
                    &[][..],
                ),
                Effect::NotPermitted(why) => {
                    let (code, message) = match why {
                        DecideRefusal::AgentCannotDecide => (
                            "agent_cannot_decide",
                            "an agent never approves or denies an access request, its own included: a human admin of the org decides",
                        ),
                        DecideRefusal::OwnRequest => (
                            "own_request",
                            "nobody approves or denies their own access request: another human admin of the org decides",
                        ),
                        DecideRefusal::NotOrgAdmin => (
                            "not_org_admin",
                            "only a human admin of the request's org (or of its project) decides it",
                        ),
                        DecideRefusal::RoleAboveApprover => (
                            "role_above_approver",
                            "the request asks for a role above yours: an admin of the whole org decides it",
                        ),
                    };
                    (failure(403, code, message.into()), &[][..])
                }
                Effect::NotInitialized => (
                    failure(409, "not_initialized", "this vault has no key yet: run `hq-vault init`".into()),
                    &[][..],
                ),
                Effect::BadInput(p) => {
                    let (status, code) = p.kind.status_and_code();
                    (failure(status, code, p.detail.clone()), &p.rejections[..])
                }
                Effect::Failed(what) => {
                    (failure(500, "internal", format!("{what} failed: see the daemon's output or the Worker's log")), &[][..])
                }
                Effect::Done | Effect::Created | Effect::Replaced => unreachable!("handled above"),
            };
            let mut d = refuse(req, &adm.actor, r, rejections);
            d.summarized = false;
            return d;
        }
    };
    let reason = match op {
        Operation::TokenCreate | Operation::TokenRevoke => {
            subject.or(adm.target.as_deref()).map(|n| format!("name={n}"))
        }
        o if o.is_lifecycle() || o.is_network() => subject.or(adm.target.as_deref()).map(str::to_owned),
        _ => None,
    };
    Decision {
        status,
        code: String::new(),
        message: String::new(),
        error_body: String::new(),
        headers: Vec::new(),
        audit: op.audits_success().then(|| event(req, &adm.actor, secret_path, status, reason)),
        summarized: false,
    }
}

/// Whether a scoped caller may see `path` in a listing.
pub fn visible(caller: &Caller, path: &str, time_ms: u64) -> bool {
    match caller {
        Caller::Owner => true,
        Caller::Managed(t) => tokens::evaluate(&t.rules, time_ms, Some(path)).is_ok(),
        Caller::Session(s) => session_grants(s, path, false),
        Caller::Anonymous(_) | Caller::CompanyAdmin(_) => false,
    }
}

/// A managed token's rules from its create request: the name's rule, the TTL from `now_ms`,
/// `max_uses` ≥ 1, and each prefix as the folder it names (`aws` and `aws/` → `aws/*`; `aws/*` and
/// `*` as given; `aws*` and an empty prefix are refused: a prefix is a folder).
pub fn token_rules(
    name: &str,
    ttl: Option<&str>,
    max_uses: Option<u32>,
    prefixes: &[String],
    now_ms: u64,
) -> Result<TokenRules, InputProblem> {
    tokens::check_name(name)
        .map_err(|e| InputProblem::new(InputKind::BadName, format!("{e} ({})", tokens::NAME_RULE)))?;
    let expires_at_ms = match ttl {
        None => None,
        Some(t) => {
            Some(now_ms.saturating_add(tokens::parse_duration(t).map_err(|m| InputProblem::new(InputKind::BadTtl, m))?))
        }
    };
    if max_uses == Some(0) {
        return Err(InputProblem::new(InputKind::BadMaxUses, "max_uses (`--max-uses`) must be at least 1"));
    }
    let scope = token_scope(prefixes)?;
    Ok(TokenRules { expires_at_ms, max_uses, uses: 0, revoked: false, scope })
}

/// A managed token's scope from its `--prefix` values: each one a folder (`aws` and `aws/` →
/// `aws/*`, `aws/*` as given); `*` alone is every secret, as is no prefix (the empty scope). A prefix
/// that is no folder is refused, in words that give the folder to use: empty, `aws*` (it would
/// also grant `awsx/`), `aws/**`, `a*b`, a leading `/`, `..`, control characters.
fn token_scope(prefixes: &[String]) -> Result<Vec<String>, InputProblem> {
    let refuse = |m: String| Err(InputProblem::new(InputKind::BadPrefix, m));
    if prefixes.is_empty() {
        return Ok(Vec::new());
    }
    let mut folders = Vec::with_capacity(prefixes.len());
    for p in prefixes {
        if p == "*" {
            folders.push(p.clone());
            continue;
        }
        if p.is_empty() {
            return refuse(
                "an empty prefix names no folder: give a folder such as `myapp`, or no prefix for a token that reads every secret"
                    .to_owned(),
            );
        }
        let shown = p.escape_default();
        let base = p.trim_end_matches('*');
        let is_folder_glob = p.len() == base.len() + 1 && base.ends_with('/');
        if base.len() < p.len() && !is_folder_glob {
            let folder = base.trim_end_matches('/');
            return refuse(if folder.is_empty() {
                format!("`{shown}` is no folder: give `*` or no prefix for a token that reads every secret")
            } else if base.ends_with('/') {
                format!(
                    "`{shown}` is no folder: a prefix takes everything below it, so give `{folder}` (the folder `{folder}/`)"
                )
            } else {
                format!(
                    "`{shown}` would also grant folders that merely start with `{folder}` (such as `{folder}x/`): a prefix is a folder, so give `{folder}` (the folder `{folder}/`)"
                )
            });
        }
        let f = if is_folder_glob { p.clone() } else { folder(p) };
        if let Err(e) = patterns::normalize(&f) {
            return refuse(match e {
                PathError::MisplacedStar => {
                    let before = p.split('*').next().unwrap_or("").trim_end_matches('/');
                    let example = if before.is_empty() { "myapp" } else { before };
                    format!(
                        "`{shown}` is no folder: `*` stands alone for every secret, never inside a prefix; give a folder such as `{example}`"
                    )
                }
                e => format!("`{shown}` is no folder: {e}"),
            });
        }
        folders.push(f);
    }
    patterns::normalize_all(&folders).map_err(|e| InputProblem::new(InputKind::BadPrefix, e.to_string()))
}

/// Whether a new connection named `name` would share its name with one of the `active`
/// connections' names: names are compared without regard to letter case (`Docs-Bot` and
/// `docs-bot` are one name to a person typing it), so that a name given to `rotate`, `revoke` or
/// `audit` names one active connection.
pub fn connection_name_taken(name: &str, active: &[String]) -> bool {
    let key = name.to_lowercase();
    active.iter().any(|a| a.to_lowercase() == key)
}

/// Each pattern's verdict for the console's check (`pattern-check`), in the order given: the
/// normalized pattern (`knowledge/` → `knowledge/*`), or its rejection, with the same reason and
/// words as a create's refusal ([`connection_patterns`]).
pub fn pattern_verdicts(raw: &[String]) -> Vec<Result<String, PatternRejection>> {
    raw.iter()
        .enumerate()
        .map(|(i, p)| {
            patterns::normalize(p).map_err(|e| PatternRejection {
                index: i as u32,
                pattern: p.escape_default().to_string(),
                reason: e.code().to_owned(),
                message: e.to_string(),
            })
        })
        .collect()
}

/// A connection's create request: the name (1–128 characters, not blank, no control characters),
/// the mechanism (`api_key` or `agent_identity`, whose `public_key` the host checks with
/// [`crate::identity::check_public_key`]), and the patterns, normalized; a refusal lists every rejected
/// pattern with its reason.
pub fn connection_patterns(name: &str, mechanism: Option<&str>, raw: &[String]) -> Result<Vec<String>, InputProblem> {
    if name.trim().is_empty() || name.len() > 128 || name.chars().any(char::is_control) {
        return Err(InputProblem::new(
            InputKind::BadName,
            "a connection name is 1-128 characters without control characters",
        ));
    }
    // The CLI takes a name where it takes an id: a name must never read as another one.
    if name.trim() != name {
        return Err(InputProblem::new(
            InputKind::BadName,
            "a connection name has no spaces at its start or end (`docs-bot `, ` docs-bot` and `docs-bot` would look alike)",
        ));
    }
    // Spaces a person cannot tell apart: a name has single ordinary spaces and nothing invisible.
    let invisible = |c: char| matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}');
    if name.contains("  ") || name.chars().any(|c| invisible(c) || (c.is_whitespace() && c != ' ')) {
        return Err(InputProblem::new(
            InputKind::BadName,
            "a connection name has single ordinary spaces and no invisible characters (`docs  bot` and `docs bot` would look alike)",
        ));
    }
    if is_connection_id(&name.to_ascii_lowercase()) {
        return Err(InputProblem::new(
            InputKind::BadName,
            "a connection name cannot have the form of a connection id (`conn_` and 16 hex digits): commands take a name or an id",
        ));
    }
    match mechanism {
        None | Some("api_key") | Some("agent_identity") => {}
        Some(_) => {
            return Err(InputProblem::new(InputKind::BadMechanism, "mechanism is api_key or agent_identity"));
        }
    }
    let rejections: Vec<PatternRejection> = pattern_verdicts(raw).into_iter().filter_map(Result::err).collect();
    if !rejections.is_empty() {
        let n = rejections.len();
        return Err(InputProblem {
            kind: InputKind::BadPatterns,
            detail: format!("{n} pattern{} rejected", if n == 1 { "" } else { "s" }),
            rejections,
        });
    }
    patterns::normalize_all(raw).map_err(|e| InputProblem::new(InputKind::BadPatterns, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_prefix_with_a_star_is_refused_as_a_pattern_in_words_that_give_the_folder() {
        for (raw, words) in
            [("myapp*", "give `myapp` (the folder `myapp/`)"), ("myapp/*", "give `myapp`"), ("*", "no prefix")]
        {
            let d = admit(&req(Operation::SecretList, Caller::Owner, Some(raw))).unwrap_err();
            assert_eq!((d.status, d.code.as_str()), (400, "bad_path"));
            assert!(
                d.message.contains("a prefix is a folder, never a pattern") && d.message.contains(words),
                "{raw}: {}",
                d.message
            );
        }
    }

    #[test]
    fn a_secret_path_too_long_is_told_without_folder_words() {
        let long = "a".repeat(1025);
        let d = admit(&req(Operation::SecretGet, Caller::Owner, Some(&long))).unwrap_err();
        assert_eq!((d.status, d.code.as_str()), (400, "bad_path"));
        assert!(d.message.contains("longer than 1024 bytes") && !d.message.contains("folder"), "{}", d.message);
    }

    #[test]
    fn a_token_prefix_that_is_no_folder_is_refused_in_words_that_give_the_folder() {
        for (raw, words) in [
            ("aws/**", "give `aws` (the folder `aws/`)"),
            ("myapp*", "give `myapp` (the folder `myapp/`)"),
            ("**", "give `*` or no prefix"),
            ("a*b", "give a folder such as `a`"),
            ("/aws", "drop the leading `/`"),
            (" aws", "whitespace"),
            (".", "`.` or `..` segment"),
        ] {
            let e = token_rules("deploy", None, None, &[raw.to_owned()], 0).unwrap_err();
            assert_eq!(e.kind, InputKind::BadPrefix, "{raw}");
            assert!(e.detail.contains(words) && !e.detail.contains("pattern 0"), "{raw}: {}", e.detail);
            assert!(!e.detail.contains("//*"), "{raw}: {}", e.detail);
        }
        let all = token_rules("deploy", None, None, &["*".to_owned()], 0).unwrap();
        assert_eq!(all.scope, ["*"]);
    }

    fn req(op: Operation, caller: Caller, target: Option<&str>) -> Request {
        Request {
            operation: op,
            caller,
            target: target.map(str::to_owned),
            company: None,
            query_problem: None,
            locked: false,
            time_ms: 1_000,
            request_id: "req_1".into(),
            source_ip: "127.0.0.1".into(),
        }
    }

    #[test]
    fn a_replacement_is_audited_as_answered() {
        let r = req(Operation::SecretPut, Caller::Owner, Some("a/b"));
        let adm = admit(&r).unwrap();
        let d = conclude(&r, &adm, &Effect::Replaced, None);
        assert_eq!(d.status, 200);
        assert_eq!(d.audit.unwrap().status, 200);
    }

    #[test]
    fn following_the_log_writes_no_line_but_a_refused_follow_does() {
        let r = req(Operation::AuditFollow, Caller::Owner, None);
        let adm = admit(&r).unwrap();
        assert_eq!(conclude(&r, &adm, &Effect::Done, None).audit, None);
        let read = req(Operation::AuditRead, Caller::Owner, None);
        assert!(conclude(&read, &admit(&read).unwrap(), &Effect::Done, None).audit.is_some());
        let anon = req(Operation::AuditFollow, Caller::Anonymous(CredentialProblem::Unknown), None);
        assert_eq!(admit(&anon).unwrap_err().audit.unwrap().operation, "audit-follow");
        let bad = conclude(&r, &adm, &Effect::BadInput(InputProblem::new(InputKind::BadQuery, "after")), None);
        assert_eq!(bad.audit.unwrap().status, 400);
    }

    #[test]
    fn a_taken_name_is_audited_as_a_conflict() {
        let r = req(Operation::TokenCreate, Caller::Owner, None);
        let adm = admit(&r).unwrap();
        let d = conclude(&r, &adm, &Effect::NameTaken, Some("ci"));
        assert_eq!((d.status, d.code.as_str()), (409, "name_taken"));
        let ev = d.audit.unwrap();
        assert_eq!((ev.status, ev.outcome), (409, Outcome::Failed));
    }

    fn admin(company: &str, role: Role) -> Caller {
        Caller::CompanyAdmin(CompanyAdmin { name: "carol".into(), company_id: company.into(), role })
    }

    #[test]
    fn whoever_may_not_manage_the_company_gets_404_before_the_target_is_looked_at() {
        for caller in
            [admin("c1", Role::Member), admin("c2", Role::Admin), Caller::Anonymous(CredentialProblem::Missing)]
        {
            let mut r = req(Operation::ConnectionRotate, caller, Some("not-an-id"));
            r.company = Some("c1".into());
            let d = admit(&r).unwrap_err();
            assert_eq!((d.status, d.code.as_str(), d.message.as_str()), (404, "not_found", NO_SUCH_ROUTE));
        }
        let mut r = req(Operation::ConnectionRotate, admin("c1", Role::Admin), Some("not-an-id"));
        r.company = Some("c1".into());
        assert_eq!(admit(&r).unwrap_err().code, "bad_connection_id");
    }

    #[test]
    fn a_company_that_is_no_company_id_is_nobodys() {
        for company in ["C1", "a/b", "", &"c".repeat(64)] {
            let mut r = req(Operation::ConnectionList, admin(company, Role::Owner), None);
            r.company = Some(company.into());
            assert_eq!(admit(&r).unwrap_err().status, 404, "{company:?}");
        }
        assert!(is_company_id(&"c".repeat(63)) && is_company_id("acme_2-x"));
    }

    #[test]
    fn org_paths_split() {
        assert_eq!(org_project("org/indigo/project/hq-cloud/aws/key"), Some(("indigo", Some("hq-cloud"))));
        assert_eq!(org_project("org/indigo/x"), Some(("indigo", None)));
        assert_eq!(org_project("aws/key"), None);
    }
}
