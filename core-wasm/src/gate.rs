//! The External Connections read decision, shared by the Worker and the local daemon.
//!
//! A host calls [`credential_reference`] to learn which record to look up, then [`decide`] with the
//! record it found (or none). The decision carries the status, the JSON error body, the headers to
//! add, what to read when allowed, and the audit event to record whatever happened.

use serde::{Deserialize, Serialize};

use crate::audit::{Event, Outcome};
use crate::patterns::{self, ListingSource};
use crate::tokens::{self, TokenKind};

/// Default and largest page size of a listing.
pub const MAX_LIMIT: u32 = 1000;
const CURSOR_PREFIX: &str = "c1.";
const MAX_CURSOR_LEN: usize = 4096;

/// Which read route was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Route {
    List,
    Object,
}

/// Whether a connection may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConnectionStatus {
    Active,
    Revoked,
}

/// What the host knows of the connection a credential points to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionRecord {
    pub id: String,
    pub company_id: String,
    pub status: ConnectionStatus,
    pub key_ref: String,
    pub patterns: Vec<String>,
    #[serde(default = "yes")]
    pub company_enabled: bool,
}

fn yes() -> bool {
    true
}

/// A session of an agent identity as the host stores it (docs/design.md §3.6): never the token,
/// only its reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Lower-case hex SHA-256 of the `hqvs_` token.
    pub reference: String,
    /// The connection it reads as.
    pub connection_id: String,
    /// The connection's key reference when the session was granted: a rotate changes the
    /// connection's and so ends the session.
    pub key_ref: String,
    /// When it ends (ms since the epoch).
    pub expires_at_ms: u64,
}

/// The request as the host received it: query values percent-decoded exactly once, `+` read as a
/// space (see [`crate::http::query_pairs`]), so a key holding a literal `+` arrives as `%2B`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadRequest {
    pub method: String,
    pub route: Route,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub limit: Option<String>,
    #[serde(default)]
    pub delimiter: Option<String>,
    #[serde(default)]
    pub authorization: Option<String>,
    #[serde(default)]
    pub time_ms: u64,
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub source_ip: String,
}

/// A listing to perform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPlan {
    /// Sources to read in order; their key ranges are disjoint and sorted.
    pub sources: Vec<ListingSource>,
    /// The source to start with (from the cursor).
    pub start_source: u32,
    /// The store's own cursor inside that source (from the cursor), if any.
    pub start_inner: Option<String>,
    /// Most entries (objects and prefixes) in the page.
    pub limit: u32,
    /// Whether `/` is the delimiter.
    pub delimited: bool,
}

/// What the host must do when a request is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Plan {
    List(ListPlan),
    Object(String),
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// 200 when allowed, else the error status.
    pub status: u16,
    /// Error code (empty when allowed).
    pub code: String,
    /// Error message (empty when allowed); never holds a credential.
    pub message: String,
    /// The JSON error body to send (empty when allowed).
    pub error_body: String,
    /// Headers to add (`WWW-Authenticate`, `Allow`).
    pub headers: Vec<(String, String)>,
    /// What to do when allowed.
    pub plan: Option<Plan>,
    /// The audit event to record.
    pub audit: Event,
    /// Whether the event is a credential failure of a caller no connection is known for
    /// (missing, malformed or unknown key): hosts rate-limit these into summary lines.
    pub summarized: bool,
}

/// The JSON error body: `{"error":{"code","message","request_id"}}`.
pub fn error_body(code: &str, message: &str, request_id: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": message, "request_id": request_id}}).to_string()
}

/// How [`agent_snippet`] is written for one connection.
#[derive(Debug, Clone, Copy)]
pub struct SnippetOptions<'a> {
    /// The origin the snippet fetches from (`https://127.0.0.1:13100`): the host's own address,
    /// never a request header.
    pub base: &'a str,
    /// The connection's normalized patterns; the snippet lists the folder of the first
    /// ([`snippet_folder`]).
    pub patterns: &'a [String],
    /// The CA file Node must trust to reach `base` (the daemon's self-signed CA), named on the run
    /// line as `NODE_EXTRA_CA_CERTS`; `None` for a host with a public certificate.
    pub ca_file: Option<&'a str>,
    /// What precedes a key where the files are, printed when the listing is empty, with
    /// [`pattern_place`]'s words for the first pattern (the daemon: its files root with a final
    /// `/`; the Worker: `the R2 bucket under {company}/`).
    pub files_root: &'a str,
}

/// The folder the snippet lists: the first pattern without its final `*` (`knowledge/*` →
/// `knowledge/`, `*` → the whole grant, `projects/plan.md` → that key), so the listing is always
/// one the connection is granted.
pub fn snippet_folder(patterns: &[String]) -> String {
    let first = patterns.first().map(String::as_str).unwrap_or_default();
    first.strip_suffix('*').unwrap_or(first).to_owned()
}

/// Where a person puts the files one normalized pattern grants, in words that finish "No file it
/// may read yet: …", by the pattern rules of docs/design.md §3.1: `*` grants every key, a final
/// `*` every key that starts with what precedes it, and a pattern without `*` exactly one key (a
/// folder is `knowledge/`, which is `knowledge/*`). `root` is what precedes a key where the files
/// are (the daemon's files root with a final `/`, `the R2 bucket under acme/`).
///
/// - `*` → `put them in ROOT`
/// - `knowledge/*` → `put them in ROOTknowledge/`
/// - `kb*` → `put them in ROOT under a name that starts with `kb` (ROOTkb.md, or in ROOTkb/)`
/// - `knowledge` → `put the file at ROOTknowledge: the pattern `knowledge` has no `*`, so it grants
///   that one file; to grant the folder ROOTknowledge/, use the pattern `knowledge/``
pub fn pattern_place(pattern: &str, root: &str) -> String {
    match pattern.strip_suffix('*') {
        Some(folder) if folder.is_empty() || folder.ends_with('/') => format!("put them in {root}{folder}"),
        Some(start) => {
            let (dir, name) = start.rsplit_once('/').map(|(d, n)| (format!("{d}/"), n)).unwrap_or_default();
            let name = if dir.is_empty() { start } else { name };
            format!(
                "put them in {root}{dir} under a name that starts with `{name}` ({root}{start}.md, or in {root}{start}/)"
            )
        }
        None => format!(
            "put the file at {root}{pattern}: the pattern `{pattern}` has no `*`, so it grants that one file; to grant the folder {root}{pattern}/, use the pattern `{pattern}/`"
        ),
    }
}

/// The run line's `NODE_EXTRA_CA_CERTS=…`, quoted for a POSIX shell. A path that a shell word or a
/// JavaScript comment cannot hold (NUL, a line terminator) is named in words instead, so the
/// comment never ends early.
fn node_ca_assignment(ca_file: &str) -> String {
    let fallback = "NODE_EXTRA_CA_CERTS=<the daemon's tls/ca.pem> ".to_owned();
    match shlex::try_quote(ca_file) {
        Ok(q) if !q.contains(['\n', '\r', '\u{2028}', '\u{2029}']) => format!("NODE_EXTRA_CA_CERTS={q} "),
        _ => fallback,
    }
}

/// The agent snippet shown once with a new connection key: an ES module in plain JavaScript that
/// runs as printed with Node 18 or later (`node agent.mjs`; its first line says how, with the CA to
/// trust when the host has its own). It reads the key from `HQ_CONNECTION_KEY`, lists the
/// connection's folder ([`snippet_folder`]) and prints the first file, or says where files come
/// from when there is none; a refused listing throws with the host's status and message.
///
/// Every value put in it (`base`, the folder, `files_root`) is written as a JSON string literal
/// (which is a JavaScript one), so no character of them can end the string and become code; the
/// CA path on the first line is shell-quoted, or named in words when it holds a line terminator.
pub fn agent_snippet(o: &SnippetOptions<'_>) -> String {
    let ca = o.ca_file.map(node_ca_assignment).unwrap_or_default();
    format!(
        "// agent.mjs (JavaScript, Node 18 or later). With the connection's key in HQ_CONNECTION_KEY, run: {ca}node agent.mjs\n\
const BASE = {base};\n\
const FOLDER = {folder};\n\
const KEY = process.env.HQ_CONNECTION_KEY; // hqxc_…\n\
if (!KEY) throw new Error(\"set HQ_CONNECTION_KEY to the connection's hqxc_ key\");\n\
const h = {{ Authorization: `Bearer ${{KEY}}` }};\n{read}",
        base = js(o.base),
        folder = js(&snippet_folder(o.patterns)),
        read = snippet_read(o),
    )
}

/// The agent snippet of an `agent_identity` connection (docs/design.md §3.6), shown with the new
/// connection: an ES module in plain JavaScript that signs in with Web Crypto's Ed25519 (Node 20
/// or later) and then reads as [`agent_snippet`] does. The agent's private key is read from
/// `HQ_AGENT_KEY` (PKCS#8 DER in base64: `openssl pkey -in agent.pem -outform DER | base64 -w0`);
/// the challenge, the signature over `hq-vault-auth-v1` ‖ nonce ‖ connection id, and the session
/// token as the bearer. Values are JSON string literals, as in [`agent_snippet`].
pub fn identity_snippet(o: &SnippetOptions<'_>, connection_id: &str) -> String {
    let ca = o.ca_file.map(node_ca_assignment).unwrap_or_default();
    format!(
        "// agent.mjs (JavaScript, Node 20 or later). With the agent's private key (PKCS#8, base64) in HQ_AGENT_KEY, run: {ca}node agent.mjs\n\
const BASE = {base};\n\
const FOLDER = {folder};\n\
const ID = {id};\n\
const post = (p, b) => fetch(BASE + p, {{ method: \"POST\", headers: {{ \"content-type\": \"application/json\" }}, body: JSON.stringify(b) }}).then(async (r) => {{ if (!r.ok) throw new Error(p + \": \" + r.status + \" \" + (await r.text())); return r.json(); }});\n\
const key = await crypto.subtle.importKey(\"pkcs8\", Buffer.from(process.env.HQ_AGENT_KEY ?? \"\", \"base64\"), \"Ed25519\", false, [\"sign\"]);\n\
const {{ nonce }} = await post(\"/v1/connections/auth/challenge\", {{ connection_id: ID }});\n\
const sig = await crypto.subtle.sign(\"Ed25519\", key, new TextEncoder().encode(\"hq-vault-auth-v1\" + nonce + ID));\n\
const {{ session }} = await post(\"/v1/connections/auth/verify\", {{ connection_id: ID, nonce, signature: Buffer.from(sig).toString(\"base64\") }});\n\
const h = {{ Authorization: `Bearer ${{session}}` }}; // hqvs_…, 1 h\n{read}",
        base = js(o.base),
        folder = js(&snippet_folder(o.patterns)),
        id = js(connection_id),
        read = snippet_read(o),
    )
}

/// A JSON string literal (which is a JavaScript one); U+2028 and U+2029 are escaped too: JSON
/// leaves them raw, and a reader that splits lines on them should still see one line.
fn js(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string().replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029")
}

/// The snippets' reading lines, with `FOLDER` and the bearer headers in `h` defined: list the
/// connection's folder and print the first file, or say where files come from.
fn snippet_read(o: &SnippetOptions<'_>) -> String {
    let folder = snippet_folder(o.patterns);
    let first = o.patterns.first().map(String::as_str).unwrap_or_default();
    let empty = match first.strip_suffix('*') {
        // A folder (or everything): where to add files.
        Some(f) if f.is_empty() || f.ends_with('/') => {
            let shown = if f.is_empty() { "your files" } else { f };
            format!("No file under {shown} yet: add some to {}{f}", o.files_root)
        }
        _ => format!("No file yet: {}", pattern_place(first, o.files_root)),
    };
    let empty = js(&empty);
    let shown = if folder.is_empty() { "your files".to_owned() } else { folder.clone() };
    let listing = js(&format!("listing {shown}: "));
    format!(
        "const list = await fetch(`${{BASE}}/v1/connections/files?path=${{encodeURIComponent(FOLDER)}}`, {{ headers: h }});\n\
if (!list.ok) throw new Error({listing} + list.status + \" \" + (await list.text()));\n\
const {{ objects }} = await list.json();\n\
if (objects.length === 0) console.log({empty});\n\
else console.log(objects[0].key + \"\\n\" + (await fetch(`${{BASE}}/v1/connections/files/object?path=${{encodeURIComponent(objects[0].key)}}`, {{ headers: h }}).then((r) => r.text())));\n",
    )
}

/// The token of an `Authorization: Bearer …` header value (scheme case-insensitive), if well formed.
pub fn bearer(authorization: &str) -> Option<&str> {
    let (scheme, rest) = authorization.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = rest.trim_matches(' ');
    (!token.is_empty() && !token.contains(' ')).then_some(token)
}

/// Step 1: the reference of a well-formed connection credential, for the key-index lookup.
pub fn credential_reference(authorization: Option<&str>) -> Option<String> {
    let token = bearer(authorization?)?;
    match tokens::parse(token) {
        Ok(TokenKind::ConnectionKey) => Some(tokens::reference(token)),
        _ => None,
    }
}

/// Step 1 for an agent identity: the reference of a well-formed `hqvs_` session token, for the
/// session lookup (then [`decide_session`]).
pub fn session_reference(authorization: Option<&str>) -> Option<String> {
    let token = bearer(authorization?)?;
    match tokens::parse(token) {
        Ok(TokenKind::SessionToken) => Some(tokens::reference(token)),
        _ => None,
    }
}

/// Encode a listing cursor: the source index and the store's own cursor inside it.
pub fn encode_cursor(source: u32, inner: &str) -> String {
    format!("{CURSOR_PREFIX}{source}.{}", hex::encode(inner.as_bytes()))
}

fn decode_cursor(cursor: &str, sources: usize) -> Option<(u32, Option<String>)> {
    if cursor.len() > MAX_CURSOR_LEN {
        return None;
    }
    let rest = cursor.strip_prefix(CURSOR_PREFIX)?;
    let (idx, inner) = rest.split_once('.')?;
    if idx.is_empty() || idx.len() > 4 || !idx.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let idx: u32 = idx.parse().ok()?;
    if idx as usize >= sources {
        return None;
    }
    let inner = String::from_utf8(hex::decode(inner).ok()?).ok()?;
    Some((idx, (!inner.is_empty()).then_some(inner)))
}

struct Ctx<'a> {
    req: &'a ReadRequest,
    actor: String,
    path: Option<String>,
}

impl Ctx<'_> {
    fn event(&self, outcome: Outcome, status: u16, reason: Option<&str>) -> Event {
        Event {
            time_ms: self.req.time_ms,
            actor: self.actor.clone(),
            operation: match self.req.route {
                Route::List => "list".into(),
                Route::Object => "get".into(),
            },
            path: self.path.clone(),
            outcome,
            status,
            request_id: self.req.request_id.clone(),
            source_ip: self.req.source_ip.clone(),
            reason: reason.map(str::to_owned),
        }
    }

    fn deny(&self, status: u16, code: &str, message: &str) -> Decision {
        let mut headers = Vec::new();
        if status == 401 {
            headers.push(("WWW-Authenticate".to_owned(), "Bearer".to_owned()));
        }
        if status == 405 {
            headers.push(("Allow".to_owned(), "GET, HEAD".to_owned()));
        }
        let outcome = if status == 404 || status == 400 || status >= 500 { Outcome::Failed } else { Outcome::Denied };
        Decision {
            status,
            code: code.to_owned(),
            message: message.to_owned(),
            error_body: error_body(code, message, &self.req.request_id),
            headers,
            plan: None,
            audit: self.event(outcome, status, Some(code)),
            summarized: self.actor == UNKNOWN_ACTOR && matches!(status, 401 | 403),
        }
    }

    fn allow(&self, plan: Plan) -> Decision {
        Decision {
            status: 200,
            code: String::new(),
            message: String::new(),
            error_body: String::new(),
            headers: Vec::new(),
            plan: Some(plan),
            audit: self.event(Outcome::Allowed, 200, None),
            summarized: false,
        }
    }
}

/// Step 2: decide, given the record found for the credential's reference (none if unknown). A
/// host without agent identities: only `hqxc_` keys are taken (an `hqvs_` token is 401).
pub fn decide(req: &ReadRequest, record: Option<&ConnectionRecord>) -> Decision {
    decide_with(req, record, None)
}

/// Step 2 of a host with agent identities: an `hqxc_` key is decided as [`decide`] does; an
/// `hqvs_` session token with the session found for its reference (none if unknown) and the
/// record of the session's connection. A session reads only while its connection is active, holds
/// the key that signed in (a rotate ends it) and before it expires (401 `session_expired`: log in
/// again).
pub fn decide_session(
    req: &ReadRequest,
    session: Option<&SessionRecord>,
    record: Option<&ConnectionRecord>,
) -> Decision {
    decide_with(req, record, Some(session))
}

fn decide_with(
    req: &ReadRequest,
    record: Option<&ConnectionRecord>,
    sessions: Option<Option<&SessionRecord>>,
) -> Decision {
    let mut ctx = Ctx { req, actor: record.map_or_else(|| UNKNOWN_ACTOR.to_owned(), |r| r.id.clone()), path: None };
    if req.method != "GET" && req.method != "HEAD" {
        return ctx.deny(405, "method_not_allowed", "connections are read-only: use GET or HEAD");
    }
    let Some(header) = req.authorization.as_deref() else {
        return ctx.deny(401, "missing_credentials", "send `Authorization: Bearer hqxc_…` with the connection key");
    };
    let Some(token) = bearer(header) else {
        return ctx.deny(401, "malformed_credentials", "the Authorization header must be `Bearer hqxc_…`");
    };
    let invalid = "this connection key is not valid: it is unknown, rotated or revoked";
    let rec = match (tokens::parse(token), sessions) {
        (Ok(TokenKind::ConnectionKey), _) => {
            let reference = tokens::reference(token);
            // A record found by an old index entry keeps its id as the actor: an attempt with a
            // rotated-away key shows in that connection's audit.
            let Some(rec) = record.filter(|r| tokens::references_equal(&r.key_ref, &reference)) else {
                return ctx.deny(403, "invalid_key", invalid);
            };
            if rec.status == ConnectionStatus::Revoked {
                return ctx.deny(403, "invalid_key", invalid);
            }
            rec
        }
        (Ok(TokenKind::SessionToken), Some(session)) => {
            let reference = tokens::reference(token);
            let session = session.filter(|s| tokens::references_equal(&s.reference, &reference));
            if let (Some(s), UNKNOWN_ACTOR) = (session, ctx.actor.as_str()) {
                ctx.actor = s.connection_id.clone();
            }
            let ended =
                "this session is not valid: it is unknown, or its connection was rotated or revoked; log in again";
            let Some((s, rec)) = session.zip(record).filter(|(s, r)| {
                r.id == s.connection_id
                    && r.status == ConnectionStatus::Active
                    && tokens::references_equal(&r.key_ref, &s.key_ref)
            }) else {
                return ctx.deny(403, "invalid_session", ended);
            };
            if req.time_ms >= s.expires_at_ms {
                return ctx.deny(401, "session_expired", "this session has expired (1 h): sign a new challenge");
            }
            rec
        }
        (Ok(_), _) => {
            let takes = if sessions.is_some() { "an hqxc_ key or an hqvs_ session" } else { "an hqxc_ key" };
            return ctx.deny(
                401,
                "malformed_credentials",
                &format!("this is not a connection credential: connections take {takes}"),
            );
        }
        (Err(e), _) => return ctx.deny(401, "malformed_credentials", &e.to_string()),
    };
    if !rec.company_enabled {
        return ctx.deny(
            403,
            "connections_disabled",
            "connections are switched off for this company: ask an owner or admin",
        );
    }
    match req.route {
        Route::Object => {
            let raw = req.path.as_deref().unwrap_or("");
            let key = match patterns::check_object_key(raw) {
                Ok(k) => k.to_owned(),
                Err(e) => return ctx.deny(400, "bad_path", &e.to_string()),
            };
            ctx.path = Some(key.clone());
            if !patterns::allows(&rec.patterns, &key) {
                return ctx.deny(403, "forbidden_path", "the path is outside this connection's allowed prefixes");
            }
            ctx.allow(Plan::Object(key))
        }
        Route::List => {
            let raw = req.path.as_deref().unwrap_or("");
            let prefix = match patterns::check_object_prefix(raw) {
                Ok(p) => p.to_owned(),
                Err(e) => return ctx.deny(400, "bad_path", &e.to_string()),
            };
            ctx.path = Some(prefix.clone());
            let limit = match req.limit.as_deref() {
                None => MAX_LIMIT,
                Some(s) => match s.parse::<u32>() {
                    Ok(n) if (1..=MAX_LIMIT).contains(&n) && !s.starts_with('+') && s.len() <= 4 => n,
                    _ => {
                        return ctx.deny(400, "bad_limit", "limit must be a whole number from 1 to 1000");
                    }
                },
            };
            let delimited = match req.delimiter.as_deref() {
                None | Some("") => false,
                Some("/") => true,
                Some(_) => {
                    return ctx.deny(400, "bad_delimiter", "the only delimiter supported is `/`");
                }
            };
            let sources = patterns::plan_listing(&rec.patterns, &prefix, delimited);
            if sources.is_empty() {
                return ctx.deny(403, "forbidden_path", "the path is outside this connection's allowed prefixes");
            }
            let (start_source, start_inner) = match req.cursor.as_deref() {
                None | Some("") => (0, None),
                Some(c) => match decode_cursor(c, sources.len()) {
                    Some(v) => v,
                    None => {
                        return ctx.deny(
                            400,
                            "bad_cursor",
                            "the cursor is not one this API returned for this listing: start again without it",
                        );
                    }
                },
            };
            ctx.allow(Plan::List(ListPlan { sources, start_source, start_inner, limit, delimited }))
        }
    }
}

/// The audit actor of a read whose credential names no connection.
const UNKNOWN_ACTOR: &str = "unknown";

/// The decision for a read whose query string cannot be read (a parameter given twice, a value
/// that is not UTF-8 after decoding): 400 `bad_query`, audited as a failed read of the `unknown`
/// caller, since no credential was looked at.
pub fn refuse_query(
    method: &str,
    route: Route,
    problem: &str,
    time_ms: u64,
    request_id: &str,
    source_ip: &str,
) -> Decision {
    let req = ReadRequest {
        method: method.to_owned(),
        route,
        path: None,
        cursor: None,
        limit: None,
        delimiter: None,
        authorization: None,
        time_ms,
        request_id: request_id.to_owned(),
        source_ip: source_ip.to_owned(),
    };
    let ctx = Ctx { req: &req, actor: UNKNOWN_ACTOR.to_owned(), path: None };
    ctx.deny(400, "bad_query", problem)
}

/// The answer to a read that got no decision: the host could not have its authority decide it in
/// time (the Worker: the company's object did not answer, or the call was given up). 503
/// `company_unavailable`, audited as a failed read of the `unknown` caller (no connection was
/// looked at where this is answered); the authority may still have filed its own event under the
/// same request id, with the answer it would have allowed.
pub fn unavailable(req: &ReadRequest) -> Decision {
    let ctx = Ctx { req, actor: UNKNOWN_ACTOR.to_owned(), path: req.path.clone() };
    ctx.deny(503, "company_unavailable", "the company's object did not answer: retry the request")
}

/// The decision for an allowed object read whose object does not exist.
pub fn not_found(req: &ReadRequest, record: &ConnectionRecord) -> Decision {
    let ctx = Ctx { req, actor: record.id.clone(), path: req.path.clone() };
    ctx.deny(404, "not_found", "no object at this path")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(patterns: &[&str], ca_file: Option<&str>, files_root: &str) -> String {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        agent_snippet(&SnippetOptions { base: "https://127.0.0.1:13100", patterns: &patterns, ca_file, files_root })
    }

    #[test]
    fn a_read_without_a_decision_is_a_failed_503_of_the_unknown_caller() {
        let req = ReadRequest {
            method: "GET".into(),
            route: Route::Object,
            path: Some("kb/a.md".into()),
            cursor: None,
            limit: None,
            delimiter: None,
            authorization: Some("Bearer hqxc_whatever".into()),
            time_ms: 7,
            request_id: "req_1".into(),
            source_ip: "192.0.2.1".into(),
        };
        let d = unavailable(&req);
        assert_eq!(
            (d.status, d.code.as_str(), d.plan.is_none(), d.summarized),
            (503, "company_unavailable", true, false)
        );
        assert_eq!(d.audit.outcome, Outcome::Failed);
        assert_eq!(
            (d.audit.actor.as_str(), d.audit.path.as_deref(), d.audit.status),
            ("unknown", Some("kb/a.md"), 503)
        );
        assert_eq!(d.audit.reason.as_deref(), Some("company_unavailable"));
        assert!(!d.audit.request_id.is_empty() && !crate::audit::encode(&d.audit).contains("hqxc_"));
    }

    #[test]
    fn where_files_go_follows_the_pattern_rules() {
        let r = "/srv/files/";
        assert_eq!(pattern_place("*", r), "put them in /srv/files/");
        assert_eq!(pattern_place("knowledge/*", r), "put them in /srv/files/knowledge/");
        assert_eq!(
            pattern_place("kb*", r),
            "put them in /srv/files/ under a name that starts with `kb` (/srv/files/kb.md, or in /srv/files/kb/)"
        );
        assert_eq!(
            pattern_place("docs/20*", r),
            "put them in /srv/files/docs/ under a name that starts with `20` (/srv/files/docs/20.md, or in /srv/files/docs/20/)"
        );
        // A pattern without `*` is one key, never a folder: the advice says so and how to grant one.
        let exact = pattern_place("knowledge", r);
        assert!(exact.starts_with("put the file at /srv/files/knowledge: "), "{exact}");
        assert!(exact.contains("grants that one file") && exact.ends_with("use the pattern `knowledge/`"), "{exact}");
        let s = snippet(&["knowledge"], None, r);
        assert!(s.contains("No file yet: put the file at /srv/files/knowledge: the pattern"), "{s}");
        assert!(!s.contains("add some to /srv/files/knowledge"), "folder advice for a key: {s}");
    }

    #[test]
    fn the_snippet_lists_the_first_patterns_folder_and_names_its_run_line() {
        assert_eq!(snippet_folder(&["knowledge/*".into(), "x".into()]), "knowledge/");
        assert_eq!(snippet_folder(&["*".into()]), "");
        assert_eq!(snippet_folder(&["projects/plan.md".into()]), "projects/plan.md");
        let s = snippet(&["projects/*"], Some("/home/a b/.hq-vault/tls/ca.pem"), "/srv/files/");
        let first = s.lines().next().unwrap();
        assert!(first.starts_with("// agent.mjs (JavaScript"), "{first}");
        assert!(first.ends_with("run: NODE_EXTRA_CA_CERTS='/home/a b/.hq-vault/tls/ca.pem' node agent.mjs"), "{first}");
        assert!(s.contains("const FOLDER = \"projects/\";"), "{s}");
        assert!(s.contains("No file under projects/ yet: add some to /srv/files/projects/"), "{s}");
        assert!(!s.contains("HQ_CONNECTION_KEY!"), "no TypeScript: {s}");
        let worker = snippet(&["*"], None, "R2/");
        assert!(worker.lines().next().unwrap().ends_with("run: node agent.mjs"), "{worker}");
    }

    #[test]
    fn nothing_put_in_the_snippet_can_end_its_comment_or_its_strings() {
        for evil in ["/tmp/x\nprocess.exit(7)//", "/tmp/x\rprocess.exit(7)", "/tmp/x\u{2028}process.exit(7)", "/t\0"] {
            let s = snippet(&["k/*"], Some(evil), evil);
            let first = s.lines().next().unwrap();
            assert!(first.contains("NODE_EXTRA_CA_CERTS=<the daemon's tls/ca.pem> node agent.mjs"), "{evil:?}: {s}");
            assert!(
                !s.split(['\n', '\r', '\u{2028}', '\u{2029}']).any(|l| l.starts_with("process.exit")),
                "{evil:?}: {s}"
            );
            // `files_root` lives only inside a JSON string literal.
            assert_eq!(s.matches("process.exit(7)").count(), evil.matches("process.exit(7)").count(), "{evil:?}: {s}");
        }
    }

    #[test]
    fn the_identity_snippet_signs_in_then_reads_and_quotes_every_value() {
        let patterns = vec!["knowledge/*".to_owned()];
        let o = SnippetOptions { base: "https://h\"x", patterns: &patterns, ca_file: None, files_root: "R2 " };
        let s = identity_snippet(&o, "conn_\"evil\n");
        assert!(s.contains(r#"const ID = "conn_\"evil\n";"#), "{s}");
        assert!(s.contains(r#"const BASE = "https://h\"x";"#), "{s}");
        assert!(s.contains(
            "crypto.subtle.sign(\"Ed25519\", key, new TextEncoder().encode(\"hq-vault-auth-v1\" + nonce + ID))"
        ));
        assert!(s.contains("const FOLDER = \"knowledge/\";"));
        // As short as the API-key snippet but for the connection id and the three steps of signing in.
        assert_eq!(s.lines().count(), agent_snippet(&o).lines().count() + 4, "{s}");
    }

    #[test]
    fn cursor_round_trips_and_is_bounded() {
        let c = encode_cursor(2, "opaque/x");
        assert_eq!(decode_cursor(&c, 3), Some((2, Some("opaque/x".into()))));
        assert_eq!(decode_cursor(&c, 2), None);
        assert_eq!(decode_cursor("c1.0.zz", 1), None);
        assert_eq!(decode_cursor("garbage", 1), None);
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer a b"), None);
        assert_eq!(bearer("Bearer"), None);
    }

    fn read(method: &str, authorization: Option<&str>) -> ReadRequest {
        ReadRequest {
            method: method.into(),
            route: Route::Object,
            path: Some("kb/a.md".into()),
            cursor: None,
            limit: None,
            delimiter: None,
            authorization: authorization.map(str::to_owned),
            time_ms: 5,
            request_id: "req_1".into(),
            source_ip: "10.0.0.1".into(),
        }
    }

    #[test]
    fn only_credential_failures_without_a_known_connection_are_summarized() {
        let key = tokens::mint(TokenKind::ConnectionKey);
        let auth = format!("Bearer {}", key.expose_secret());
        let rec = ConnectionRecord {
            id: "conn_1".into(),
            company_id: "local".into(),
            status: ConnectionStatus::Active,
            key_ref: tokens::reference(key.expose_secret()),
            patterns: vec!["kb/*".into()],
            company_enabled: true,
        };
        // No credential, a malformed one, a well-formed key no connection has: summarized.
        assert!(decide(&read("GET", None), None).summarized);
        assert!(decide(&read("GET", Some("Bearer nope")), None).summarized);
        let unknown = decide(&read("GET", Some(&auth)), None);
        assert_eq!((unknown.status, unknown.summarized), (403, true));
        // A known connection's refusals, a 405 and an allowed read are written one by one.
        let revoked = ConnectionRecord { status: ConnectionStatus::Revoked, ..rec.clone() };
        assert!(!decide(&read("GET", Some(&auth)), Some(&revoked)).summarized);
        assert!(!decide(&read("POST", None), None).summarized);
        assert!(!decide(&read("GET", Some(&auth)), Some(&rec)).summarized);
        assert!(!not_found(&read("GET", Some(&auth)), &rec).summarized);
    }

    #[test]
    fn an_unreadable_query_is_the_gates_400_audited_as_the_unknown_callers_failed_read() {
        let d = refuse_query("HEAD", Route::List, "a query parameter is given twice", 7, "req_9", "10.0.0.2");
        assert_eq!((d.status, d.code.as_str(), d.summarized, d.plan.is_none()), (400, "bad_query", false, true));
        assert_eq!(
            d.error_body,
            r#"{"error":{"code":"bad_query","message":"a query parameter is given twice","request_id":"req_9"}}"#
        );
        let e = d.audit;
        assert_eq!(
            (e.actor.as_str(), e.operation.as_str(), e.outcome, e.status),
            ("unknown", "list", Outcome::Failed, 400)
        );
        assert_eq!((e.time_ms, e.request_id.as_str(), e.source_ip.as_str()), (7, "req_9", "10.0.0.2"));
        assert_eq!(e.reason.as_deref(), Some("bad_query"));
    }
}
