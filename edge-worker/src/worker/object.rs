//! The company's Durable Object `Company` (binding `COMPANY`, SQLite storage): the authority over
//! a company's connections, its switch, its agent identities' nonces and sessions and its audit
//! events (the protocol: `crate::company`).
//!
//! Every call runs its reads and writes of SQLite without an `await` between them, so a call is
//! one indivisible step of the object: two lifecycle calls never interleave, and a read's decision
//! sees every change whose call has returned. The object's answer leaves only once its writes are
//! durable (the runtime's output gate), so an answered change and its event are stored.
//!
//! Tables:
//!
//! | table | rows |
//! |---|---|
//! | `connections(id, doc)` | one [`ConnectionDoc`] (JSON) a connection |
//! | `keyrefs(ref, connection)` | every key reference a connection ever had (a rotated-away key's attempts are filed under its connection) |
//! | `settings(name, value)` | `connections_enabled`; `alarm_at` (when the retention alarm is due) |
//! | `audit(seq, time_ms, connection, line)` | the core's audit line of each event; `connection` NULL for the company's own stream |
//! | `nonces(nonce, connection, expires_at_ms, used)` | agent-identity challenges (single use; kept an hour past expiry) |
//! | `sessions(ref, connection, key_ref, expires_at_ms)` | agent-identity sessions by token reference; kept an hour past expiry. Rotate and revoke end them at once without deleting them (the gate refuses a session whose key or connection no longer holds), so that their later attempts are filed under the connection |

use std::cell::RefCell;

use hq_vault_core::audit::{self, Event, Outcome};
use hq_vault_core::gate::{self, ConnectionStatus, Plan, SessionRecord};
use hq_vault_core::identity::{self, NonceRecord};
use hq_vault_core::policy::{self, Effect, InputKind, InputProblem, is_company_id, is_connection_id};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use worker::{
    DurableObject, Env, Method, Request, RequestInit, Response, Result, SqlStorageValue, State, durable_object,
};

use super::store::{Mirror, Store};
use crate::company::{
    AUDIT_PAGE, Act, Answered, AuthCall, AuthOp, AuthReply, EventsCall, LifecycleCall, LifecycleReply, ReadCall,
    ReadVerdict, ReadsCall, ReadsReply, RecordCall, alarm_lost, answered_event, audit_cursor, next_alarm_ms,
    nonce_lifetime_ms, parse_audit_cursor, retention_ms,
};
use crate::model::ConnectionDoc;

const SCHEMA: [&str; 8] = [
    "CREATE TABLE IF NOT EXISTS connections (id TEXT PRIMARY KEY, doc TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS keyrefs (ref TEXT PRIMARY KEY, connection TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, \
     connection TEXT, line TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS audit_by_stream ON audit (connection, seq)",
    // When each connection last read something (an allowed read): the list's "last used".
    "CREATE TABLE IF NOT EXISTS used (connection TEXT PRIMARY KEY, time_ms INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, connection TEXT NOT NULL, \
     expires_at_ms INTEGER NOT NULL, used INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sessions (ref TEXT PRIMARY KEY, connection TEXT NOT NULL, key_ref TEXT NOT NULL, \
     expires_at_ms INTEGER NOT NULL)",
];

/// How long a spent or expired nonce, and an ended session, are kept after they expire: so that a
/// late replay is told `nonce_used`/`nonce_expired` and a late read `session_expired`.
const GRACE_MS: u64 = 3_600_000;

/// One company's object.
#[durable_object(alarm)]
pub struct Company {
    state: State,
    env: Env,
    /// The rows every read looks up, kept beside SQLite (see [`super::store`]).
    mirror: RefCell<Mirror>,
}

impl DurableObject for Company {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        for statement in SCHEMA {
            // A schema that cannot be made fails every later call with its own error.
            let _ = sql.exec(statement, None);
        }
        Company { state, env, mirror: RefCell::default() }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let path = req.path();
        let text = req.text().await?;
        let sql = Store::new(self.state.storage().sql(), &self.mirror);
        // From here to the answer: no `await` but the alarm's (after every write of the call).
        let (reply, due) = match self.dispatch(&sql, &path, &text) {
            Ok(Some(done)) => done,
            Ok(None) => return Response::error("no such route of the company object", 404),
            Err(e) => {
                // What the failed call wrote before failing is read again from SQLite.
                sql.forget();
                return Err(e);
            }
        };
        if let Some(at) = due {
            // What the call did is stored and stands: an alarm that could not be set now is set
            // again by a later event once it is overdue (`alarm_lost`).
            if let Err(e) = self.schedule(at).await {
                worker::console_error!("the retention alarm could not be set: {e}");
            }
        }
        Response::from_json(&reply)
    }

    /// Delete the events older than the retention period, then wake again when the oldest left
    /// reaches it.
    async fn alarm(&self) -> Result<Response> {
        let sql = Store::new(self.state.storage().sql(), &self.mirror);
        let due = self.expire(&sql).inspect_err(|_| sql.forget())?;
        if let Some(at) = due {
            self.schedule(at).await?;
        }
        Response::ok("")
    }
}

impl Company {
    /// One call of the company's protocol (`crate::company`): its reply and when the retention
    /// alarm must be set, or `None` for a route the protocol does not have.
    fn dispatch(&self, sql: &Store, path: &str, text: &str) -> Result<Option<(Value, Option<u64>)>> {
        Ok(Some(match path {
            "/reads" => {
                let call: ReadsCall = parse(text)?;
                let mut verdicts = Vec::with_capacity(call.calls.len());
                let mut due = None;
                for read in call.calls {
                    match self.read(sql, read) {
                        Ok((v, d)) => {
                            verdicts.push(v);
                            // Each append that moves the alarm stores it: the last one is kept.
                            due = d.or(due);
                        }
                        Err(e) => {
                            // The reads before this one stand (their events are stored); this
                            // one and the rest are answered undecided.
                            worker::console_error!("a read of a shared call failed: {e}");
                            sql.forget();
                            break;
                        }
                    }
                }
                (serde_json::to_value(ReadsReply { verdicts })?, due)
            }
            // One read a call: what Workers deployed before shared calls send.
            "/read" => {
                let (v, due) = self.read(sql, parse(text)?)?;
                (serde_json::to_value(v)?, due)
            }
            "/lifecycle" => {
                let (v, due) = self.lifecycle(sql, parse(text)?)?;
                (serde_json::to_value(v)?, due)
            }
            "/auth" => {
                let (v, due) = self.auth(sql, parse(text)?)?;
                (serde_json::to_value(v)?, due)
            }
            "/record" => {
                let call: RecordCall = parse(text)?;
                (json!({}), self.append(sql, call.connection.as_deref(), &call.event)?)
            }
            "/events" => {
                let call: EventsCall = parse(text)?;
                (json!({"events": events(sql, call.connection.as_deref(), None, u32::MAX)?.0}), None)
            }
            _ => return Ok(None),
        }))
    }

    /// The alarm's deletions; returns when to wake next (when the oldest event left expires).
    fn expire(&self, sql: &Store) -> Result<Option<u64>> {
        let now = worker::Date::now().as_millis();
        let cutoff = now.saturating_sub(self.retention());
        sql.exec("DELETE FROM audit WHERE time_ms < ?", vec![int(cutoff)])?;
        sql.delete_setting("alarm_at")?;
        #[derive(Deserialize)]
        struct Oldest {
            t: Option<f64>,
        }
        let oldest: Vec<Oldest> = sql.exec("SELECT MIN(time_ms) AS t FROM audit", None)?.to_array()?;
        let Some(t) = oldest.first().and_then(|o| o.t) else { return Ok(None) };
        let at = next_alarm_ms((t as u64).saturating_add(self.retention()), now);
        sql.set_setting("alarm_at", &at.to_string())?;
        Ok(Some(at))
    }

    fn retention(&self) -> u64 {
        retention_ms(self.env.var("AUDIT_RETENTION_MS").ok().map(|v| v.to_string()).as_deref())
    }

    async fn schedule(&self, at_ms: u64) -> Result<()> {
        let now = worker::Date::now().as_millis();
        let offset = at_ms.saturating_sub(now).min(i64::MAX as u64) as i64;
        self.state.storage().set_alarm(offset).await
    }

    /// Store an event in `connection`'s stream (or the company's own). Returns when the retention
    /// alarm must be (re)set: when none is due yet or the one due is later than this event's
    /// expiry (an event written with an older time), or the one due was lost (see [`alarm_lost`]).
    fn append(&self, sql: &Store, connection: Option<&str>, ev: &Event) -> Result<Option<u64>> {
        sql.exec(
            "INSERT INTO audit (time_ms, connection, line) VALUES (?, ?, ?)",
            vec![int(ev.time_ms), connection.map(str::to_owned).into(), audit::encode(ev).into()],
        )?;
        let expires = ev.time_ms.saturating_add(self.retention());
        let due = sql.setting("alarm_at")?.and_then(|v| v.parse::<u64>().ok());
        let now = worker::Date::now().as_millis();
        if due.is_some_and(|d| d <= expires && !alarm_lost(d, now)) {
            return Ok(None);
        }
        // A lost alarm wakes now: it deletes what has expired and sets the next wake itself.
        let at = if due.is_some_and(|d| alarm_lost(d, now)) { now } else { expires };
        sql.set_setting("alarm_at", &at.to_string())?;
        Ok(Some(at))
    }

    /// The gate's decision for a read, with the read's event appended.
    fn read(&self, sql: &Store, call: ReadCall) -> Result<(ReadVerdict, Option<u64>)> {
        let rr = call.request;
        let auth = rr.authorization.as_deref();
        let (found, session) = match (gate::credential_reference(auth), gate::session_reference(auth)) {
            (Some(r), _) => (sql.connection_by_ref(&r)?, None),
            (None, Some(r)) => match session_by_ref(sql, &r)? {
                Some(s) => (sql.connection(&s.connection_id)?, Some(s)),
                None => (None, None),
            },
            (None, None) => (None, None),
        };
        let record = match &found {
            Some(doc) => Some(doc.record(sql.settings()?.connections_enabled)),
            None => None,
        };
        let mut decision = gate::decide_session(&rr, session.as_ref(), record.as_ref());
        if let (Some(Plan::Object(_)), Some(a), Some(rec)) = (&decision.plan, call.answered, &record) {
            decision.audit = match a {
                Answered { status: 404 } => gate::not_found(&rr, rec).audit,
                a => answered_event(&decision.audit, a),
            };
        }
        let due = match &found {
            Some(doc) => {
                if decision.audit.outcome == Outcome::Allowed {
                    sql.exec(
                        "INSERT INTO used (connection, time_ms) VALUES (?, ?) \
                         ON CONFLICT (connection) DO UPDATE SET time_ms = excluded.time_ms",
                        vec![doc.id.as_str().into(), int(decision.audit.time_ms)],
                    )?;
                }
                self.append(sql, Some(&doc.id), &decision.audit)?
            }
            // A reference this company never had (a stale routing entry): nothing to file it under.
            None => {
                worker::console_log!("audit {}", audit::encode(&decision.audit));
                None
            }
        };
        let allowed = decision.plan.is_some();
        Ok((
            ReadVerdict {
                allowed,
                status: decision.status,
                error_body: decision.error_body,
                headers: decision.headers,
                plan: decision.plan,
                known: found.is_some(),
            },
            due,
        ))
    }

    /// An agent-identity call: the core decides with the connection and (verify) the nonce sent,
    /// which is spent whatever the answer; a granted nonce or session is stored, and the event
    /// appended under the connection, in the same step.
    fn auth(&self, sql: &Store, call: AuthCall) -> Result<(AuthReply, Option<u64>)> {
        let req = call.request;
        let now = req.time_ms;
        let stale = int(now.saturating_sub(GRACE_MS));
        sql.exec("DELETE FROM nonces WHERE expires_at_ms < ?", vec![stale.clone()])?;
        sql.exec("DELETE FROM sessions WHERE expires_at_ms < ?", vec![stale])?;
        let doc = if is_connection_id(&req.connection_id) { sql.connection(&req.connection_id)? } else { None };
        let conn = match &doc {
            Some(d) => Some(d.identity(sql.settings()?.connections_enabled)),
            None => None,
        };
        let mut body = None;
        let (mut session_ref, mut session_expires_at_ms) = (None, None);
        let decision = match call.op {
            AuthOp::Challenge => {
                let mut d = identity::challenge(&req, conn.as_ref());
                if let Some(n) = &mut d.nonce {
                    n.expires_at_ms = n.expires_at_ms.min(now.saturating_add(self.nonce_lifetime()));
                    sql.exec(
                        "INSERT OR REPLACE INTO nonces (nonce, connection, expires_at_ms, used) VALUES (?, ?, ?, 0)",
                        vec![n.nonce.as_str().into(), n.connection_id.as_str().into(), int(n.expires_at_ms)],
                    )?;
                    body = Some(
                        json!({"connection_id": n.connection_id, "nonce": n.nonce, "expires_at_ms": n.expires_at_ms}),
                    );
                }
                d
            }
            AuthOp::Verify => {
                let found = match req.nonce.as_deref() {
                    Some(n) => nonce(sql, n)?,
                    None => None,
                };
                if let Some(n) = &found {
                    sql.exec("UPDATE nonces SET used = 1 WHERE nonce = ?", vec![n.nonce.as_str().into()])?;
                }
                let d = identity::verify(&req, found.as_ref(), conn.as_ref());
                if let Some(g) = &d.session {
                    let s = &g.session;
                    sql.exec(
                        "INSERT OR REPLACE INTO sessions (ref, connection, key_ref, expires_at_ms) VALUES (?, ?, ?, ?)",
                        vec![
                            s.reference.as_str().into(),
                            s.connection_id.as_str().into(),
                            s.key_ref.as_str().into(),
                            int(s.expires_at_ms),
                        ],
                    )?;
                    body = Some(json!({
                        "connection_id": s.connection_id,
                        "session": g.token.expose_secret(),
                        "token_type": "Bearer",
                        "expires_at_ms": s.expires_at_ms,
                    }));
                    session_ref = Some(s.reference.clone());
                    session_expires_at_ms = Some(s.expires_at_ms);
                }
                d
            }
        };
        let due = match &doc {
            Some(d) => self.append(sql, Some(&d.id), &decision.audit)?,
            // No such connection in this company: nothing to file it under.
            None => {
                worker::console_log!("audit {}", audit::encode(&decision.audit));
                None
            }
        };
        let reply = AuthReply {
            status: decision.status,
            error_body: decision.error_body,
            body,
            session_ref,
            session_expires_at_ms,
        };
        Ok((reply, due))
    }

    fn nonce_lifetime(&self) -> u64 {
        nonce_lifetime_ms(self.env.var("NONCE_LIFETIME_MS").ok().map(|v| v.to_string()).as_deref())
    }

    /// Perform the act, conclude with the core, append the event: one step.
    fn lifecycle(&self, sql: &Store, call: LifecycleCall) -> Result<(LifecycleReply, Option<u64>)> {
        let target = call.admission.target.clone().filter(|t| is_connection_id(t));
        let (effect, subject, connection, body) = act(sql, call.act, target.as_deref(), call.request.time_ms)?;
        let decision = policy::conclude(&call.request, &call.admission, &effect, subject.as_deref());
        let due = match &decision.audit {
            Some(ev) => self.append(sql, connection.as_deref(), ev)?,
            None => None,
        };
        // The writes of a success were made by `act`; a refusal wrote nothing.
        let body = if decision.status < 300 { body } else { None };
        Ok((LifecycleReply { decision, body }, due))
    }
}

/// What an act did: its effect, its subject (a created connection's id), the connection whose
/// stream gets the event, and the body of a success. A failing act writes nothing.
type Acted = (Effect, Option<String>, Option<String>, Option<Value>);

fn done(body: Value, connection: Option<&str>) -> Acted {
    (Effect::Done, None, connection.map(str::to_owned), Some(body))
}

/// A connection as the lifecycle routes show it, with when it last read something.
fn view(sql: &Store, doc: &ConnectionDoc) -> Result<Value> {
    #[derive(Deserialize)]
    struct Row {
        time_ms: f64,
    }
    let rows: Vec<Row> =
        sql.exec("SELECT time_ms FROM used WHERE connection = ?", vec![doc.id.as_str().into()])?.to_array()?;
    Ok(doc.view(rows.first().map(|r| r.time_ms as u64)))
}

fn act(sql: &Store, act: Act, target: Option<&str>, now_ms: u64) -> Result<Acted> {
    let named = |sql: &Store| -> Result<Option<ConnectionDoc>> {
        match target {
            Some(id) => sql.connection(id),
            None => Ok(None),
        }
    };
    Ok(match act {
        Act::Create { doc } => {
            if !is_connection_id(&doc.id) {
                return Ok((Effect::Failed("naming the connection".into()), None, None, None));
            }
            // A name names one active connection, as on the daemon.
            #[derive(Deserialize)]
            struct Row {
                doc: String,
            }
            let rows: Vec<Row> = sql.exec("SELECT doc FROM connections", None)?.to_array()?;
            let active: Vec<String> = rows
                .iter()
                .filter_map(|r| serde_json::from_str::<ConnectionDoc>(&r.doc).ok())
                .filter(|d| d.status == ConnectionStatus::Active)
                .map(|d| d.name)
                .collect();
            if policy::connection_name_taken(&doc.name, &active) {
                return Ok((Effect::NameTaken, Some(doc.name.clone()), None, None));
            }
            sql.put_connection(&doc)?;
            sql.add_key_ref(&doc.key_ref, &doc.id)?;
            (Effect::Done, Some(doc.id.clone()), Some(doc.id.clone()), Some(json!({"connection": view(sql, &doc)?})))
        }
        Act::List => {
            #[derive(Deserialize)]
            struct Row {
                doc: String,
                last_used_ms: Option<f64>,
            }
            let rows: Vec<Row> = sql
                .exec(
                    "SELECT c.doc AS doc, u.time_ms AS last_used_ms FROM connections c \
                     LEFT JOIN used u ON u.connection = c.id ORDER BY c.id",
                    None,
                )?
                .to_array()?;
            let views: Vec<Value> = rows
                .iter()
                .filter_map(|r| {
                    serde_json::from_str::<ConnectionDoc>(&r.doc).ok().map(|d| d.view(r.last_used_ms.map(|t| t as u64)))
                })
                .collect();
            done(json!({"connections": views}), None)
        }
        Act::Get => match named(sql)? {
            Some(doc) => done(json!({"connection": view(sql, &doc)?}), Some(&doc.id)),
            None => (Effect::NotFound, None, None, None),
        },
        Act::Rotate { key_ref, public_key } => match named(sql)? {
            Some(doc) if doc.status == ConnectionStatus::Revoked => {
                (Effect::ConnectionRevoked, None, Some(doc.id), None)
            }
            Some(doc) if doc.public_key.is_some() != public_key.is_some() => {
                let detail = if public_key.is_some() {
                    "this connection takes an API key: rotate it without a body to get a new hqxc_ key"
                } else {
                    "this connection is an agent identity: rotate it with {\"public_key\"}, the agent's new Ed25519 public key"
                };
                let problem =
                    InputProblem { kind: InputKind::BadMechanism, detail: detail.into(), rejections: Vec::new() };
                (Effect::BadInput(problem), None, Some(doc.id), None)
            }
            Some(mut doc) => {
                doc.key_ref = key_ref;
                doc.public_key = public_key;
                doc.rotated_ms = Some(now_ms);
                sql.put_connection(&doc)?;
                sql.add_key_ref(&doc.key_ref, &doc.id)?;
                done(json!({"connection": view(sql, &doc)?}), Some(&doc.id))
            }
            None => (Effect::NotFound, None, None, None),
        },
        Act::Revoke => match named(sql)? {
            Some(mut doc) => {
                doc.status = ConnectionStatus::Revoked;
                sql.put_connection(&doc)?;
                done(json!({"connection": view(sql, &doc)?}), Some(&doc.id))
            }
            None => (Effect::NotFound, None, None, None),
        },
        Act::Audit { cursor } => match named(sql)? {
            Some(doc) => {
                let after = match cursor.as_deref().filter(|c| !c.is_empty()) {
                    None => None,
                    Some(c) => {
                        match parse_audit_cursor(c).filter(|s| event_exists(sql, &doc.id, *s).unwrap_or(false)) {
                            Some(seq) => Some(seq),
                            None => {
                                let problem = InputProblem {
                                kind: InputKind::BadCursor,
                                detail: "the cursor is not one this API returned for this connection's audit: start again without it".into(),
                                rejections: Vec::new(),
                            };
                                return Ok((Effect::BadInput(problem), None, Some(doc.id), None));
                            }
                        }
                    }
                };
                let (page, next) = events(sql, Some(&doc.id), after, AUDIT_PAGE)?;
                done(json!({"events": page, "cursor": next.map(audit_cursor)}), Some(&doc.id))
            }
            None => (Effect::NotFound, None, None, None),
        },
        Act::SettingsRead => done(json!(sql.settings()?), None),
        Act::PatternCheck => done(json!({}), None),
        Act::SettingsWrite { settings } => {
            sql.set_setting("connections_enabled", if settings.connections_enabled { "true" } else { "false" })?;
            done(json!(settings), None)
        }
        Act::Failed { effect, connection } => {
            // Filed under the connection only if it is one of this company's.
            let filed = match connection.filter(|c| is_connection_id(c)) {
                Some(c) => sql.connection(&c)?.map(|d| d.id),
                None => None,
            };
            (effect, None, filed, None)
        }
    })
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|e| worker::Error::RustError(format!("a call the company object cannot read: {e}")))
}

/// The largest integer a JavaScript number holds exactly (2^53 − 1): what SQLite values cross as.
const MAX_SAFE: i64 = (1 << 53) - 1;

fn int(n: u64) -> SqlStorageValue {
    SqlStorageValue::Integer(n.min(MAX_SAFE as u64) as i64)
}

fn session_by_ref(sql: &Store, reference: &str) -> Result<Option<SessionRecord>> {
    #[derive(Deserialize)]
    struct Row {
        connection: String,
        key_ref: String,
        expires_at_ms: f64,
    }
    let rows: Vec<Row> = sql
        .exec("SELECT connection, key_ref, expires_at_ms FROM sessions WHERE ref = ?", vec![reference.into()])?
        .to_array()?;
    Ok(rows.into_iter().next().map(|r| SessionRecord {
        reference: reference.to_owned(),
        connection_id: r.connection,
        key_ref: r.key_ref,
        expires_at_ms: r.expires_at_ms as u64,
    }))
}

fn nonce(sql: &Store, nonce: &str) -> Result<Option<NonceRecord>> {
    #[derive(Deserialize)]
    struct Row {
        connection: String,
        expires_at_ms: f64,
        used: f64,
    }
    let rows: Vec<Row> = sql
        .exec("SELECT connection, expires_at_ms, used FROM nonces WHERE nonce = ?", vec![nonce.into()])?
        .to_array()?;
    Ok(rows.into_iter().next().map(|r| NonceRecord {
        nonce: nonce.to_owned(),
        connection_id: r.connection,
        expires_at_ms: r.expires_at_ms as u64,
        used: r.used != 0.0,
    }))
}

fn event_exists(sql: &Store, connection: &str, seq: i64) -> Result<bool> {
    #[derive(Deserialize)]
    struct Row {
        #[allow(dead_code)]
        seq: f64,
    }
    let rows: Vec<Row> = sql
        .exec(
            "SELECT seq FROM audit WHERE connection = ? AND seq = ?",
            vec![connection.into(), SqlStorageValue::Integer(seq)],
        )?
        .to_array()?;
    Ok(!rows.is_empty())
}

/// Up to `limit` events of a stream, newest first, before the event `after`; and the sequence
/// number to continue after when there are more.
fn events(sql: &Store, connection: Option<&str>, after: Option<i64>, limit: u32) -> Result<(Vec<Value>, Option<i64>)> {
    #[derive(Deserialize)]
    struct Row {
        seq: f64,
        line: String,
    }
    let before = after.unwrap_or(MAX_SAFE);
    let take = i64::from(limit.min(1 << 30)) + 1;
    let rows: Vec<Row> = match connection {
        Some(c) => sql.exec(
            "SELECT seq, line FROM audit WHERE connection = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
            vec![c.into(), SqlStorageValue::Integer(before), SqlStorageValue::Integer(take)],
        )?,
        None => sql.exec(
            "SELECT seq, line FROM audit WHERE connection IS NULL AND seq < ? ORDER BY seq DESC LIMIT ?",
            vec![SqlStorageValue::Integer(before), SqlStorageValue::Integer(take)],
        )?,
    }
    .to_array()?;
    let more = rows.len() as i64 == take;
    let page: Vec<&Row> = rows.iter().take(limit as usize).collect();
    let next = if more { page.last().map(|r| r.seq as i64) } else { None };
    Ok((page.iter().filter_map(|r| serde_json::from_str(&r.line).ok()).collect(), next))
}

/// Ask company `company`'s object: `op` is one of its routes (`crate::company`). The company id is
/// checked before it names an object.
pub async fn call<T: serde::Serialize, R: DeserializeOwned>(env: &Env, company: &str, op: &str, msg: &T) -> Result<R> {
    call_if_known(env, company, op, msg)
        .await?
        .ok_or_else(|| worker::Error::RustError(format!("the company object has no route /{op}")))
}

/// As [`call`], but `Ok(None)` when the object answers 404: it has no such route (an object still
/// running a version of the Worker from before the route).
pub async fn call_if_known<T: serde::Serialize, R: DeserializeOwned>(
    env: &Env,
    company: &str,
    op: &str,
    msg: &T,
) -> Result<Option<R>> {
    if !is_company_id(company) {
        return Err(worker::Error::RustError("not a company id: no object is named by it".into()));
    }
    let stub = env.durable_object("COMPANY")?.id_from_name(company)?.get_stub()?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(serde_json::to_string(msg)?.into()));
    let req = Request::new_with_init(&format!("https://company.internal/{op}"), &init)?;
    let mut resp = stub.fetch_with_request(req).await?;
    match resp.status_code() {
        200 => resp.json().await.map(Some),
        404 => Ok(None),
        s => Err(worker::Error::RustError(format!("the company object answered {s}"))),
    }
}
