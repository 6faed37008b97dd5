//! The company's Durable Object (`Company`, binding `COMPANY`, docs/design.md §3.5): what the
//! Worker asks it and what it answers, and the rules of its audit table that need no runtime.
//!
//! One object per company (named by the company id, checked with `policy::is_company_id` before
//! it names anything) holds, in its SQLite storage, the connection records with their current and
//! past key references, the company switch, and the audit events. Every read is decided in one
//! call ([`ReadCall`] → [`ReadVerdict`]): the core's `gate` decides inside the object and the same
//! call appends the read's event. Reads that wait together in one isolate share a call
//! ([`ReadsCall`], see the Worker's `batch` module), decided in order in that one step. Every lifecycle act is one call ([`LifecycleCall`] →
//! [`LifecycleReply`]): the change, the core's `conclude` and the event, in one step of the object,
//! so that lifecycle changes are serialized (a rotate never undoes a revoke, two rotates never
//! leave two live keys).
//!
//! The object's routes (reachable only through the binding, never from the Internet):
//!
//! | path | body | answer |
//! |---|---|---|
//! | `/reads` | [`ReadsCall`] | [`ReadsReply`]: a verdict for each read, in order |
//! | `/read` | [`ReadCall`] | [`ReadVerdict`] (one read; what Workers before shared calls send) |
//! | `/lifecycle` | [`LifecycleCall`] | [`LifecycleReply`] |
//! | `/auth` | [`AuthCall`] | [`AuthReply`] |
//! | `/record` | [`RecordCall`] | `{}` |
//! | `/events` | [`EventsCall`] | `{"events": [...]}`, newest first (tests and operators) |

use hq_vault_core::audit::{Event, Outcome};
use hq_vault_core::gate::{Plan, ReadRequest};
use hq_vault_core::identity::{self, AuthRequest};
use hq_vault_core::policy::{self, Admission, Effect};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{CompanySettings, ConnectionDoc};

/// How long audit events are kept: 90 days (docs/design.md §3.4), in milliseconds.
pub const AUDIT_RETENTION_MS: u64 = 90 * 24 * 3600 * 1000;

/// Events a page of `GET …/connections/{id}/audit` holds.
pub const AUDIT_PAGE: u32 = 100;

/// A read, as the Worker received it, and what the Worker would answer if the gate allows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadCall {
    pub request: ReadRequest,
    /// For an object read: the answer the Worker prepared from R2 before asking (the status
    /// actually sent when the read is allowed: 200, 206, 304, 404, 416, 503…). `None` for a
    /// listing, which is answered 200 when allowed.
    #[serde(default)]
    pub answered: Option<Answered>,
}

/// The reads of one call of `/reads`, decided in this order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadsCall {
    pub calls: Vec<ReadCall>,
}

/// The verdicts of a [`ReadsCall`], one a call, in the same order. Fewer than the calls when the
/// object failed partway: the reads without a verdict were not answered (the failing one may have
/// stored part of its writes; the ones after it wrote nothing).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadsReply {
    pub verdicts: Vec<ReadVerdict>,
}

/// The answer an allowed read gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answered {
    pub status: u16,
}

/// The object's answer to a read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadVerdict {
    /// Whether the gate allowed the read (the Worker then sends what it prepared, or the listing).
    pub allowed: bool,
    /// The refusal's status, body and headers when not allowed.
    pub status: u16,
    pub error_body: String,
    pub headers: Vec<(String, String)>,
    pub plan: Option<Plan>,
    /// Whether the key or session is one of this company's (the read's event is filed under its
    /// connection): the routing entry that led here is then known to be right.
    #[serde(default)]
    pub known: bool,
}

/// The event of an allowed read, made to say what was actually answered: a 304, a 206, a 416,
/// a 404 (`not_found`: the object does not exist), a 503 (`object_changing`), a 400
/// (`bad_query`: a parameter given twice). 2xx and 304 stay `allowed`; any other status is a
/// `failed` read with the error code as its reason.
pub fn answered_event(allowed: &Event, answered: Answered) -> Event {
    let mut ev = allowed.clone();
    ev.status = answered.status;
    let reason = match answered.status {
        200..=299 | 304 => None,
        400 => Some("bad_query"),
        404 => Some("not_found"),
        416 => Some("range_not_satisfiable"),
        503 => Some("object_changing"),
        _ => Some("internal"),
    };
    if let Some(r) = reason {
        ev.outcome = Outcome::Failed;
        ev.reason = Some(r.to_owned());
    }
    ev
}

/// A lifecycle request the core's policy admitted, and the act to perform.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LifecycleCall {
    pub request: policy::Request,
    pub admission: Admission,
    pub act: Act,
}

/// What a lifecycle route asks the object to do. Everything that needs no state (the body, the
/// patterns, minting a key and routing its reference in KV) was done by the Worker before.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "act")]
pub enum Act {
    /// Store a new connection (its key's reference is in `doc.key_ref`).
    Create {
        doc: ConnectionDoc,
    },
    List,
    Get,
    /// Replace the connection's key reference with `key_ref`, unless it is revoked; an agent
    /// identity's with the reference of `public_key`, its new public key (which an `api_key`
    /// connection refuses, and an agent identity requires). The sessions of the old key end with it.
    Rotate {
        key_ref: String,
        #[serde(default)]
        public_key: Option<String>,
    },
    Revoke,
    /// A page of the connection's events, newest first, after `cursor`.
    Audit {
        cursor: Option<String>,
    },
    SettingsRead,
    /// The console's pattern check: nothing to do but conclude (the verdicts are the Worker's).
    PatternCheck,
    SettingsWrite {
        settings: CompanySettings,
    },
    /// The Worker could not act (a bad body, a failed KV write): only the event is recorded.
    /// `connection` files it under a connection of the company.
    Failed {
        effect: Effect,
        connection: Option<String>,
    },
}

/// Which agent-identity route was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthOp {
    /// `POST /v1/connections/auth/challenge`.
    Challenge,
    /// `POST /v1/connections/auth/verify`.
    Verify,
}

/// A call of an agent-identity route (docs/design.md §3.6), for the object named by the
/// connection's routing entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthCall {
    pub op: AuthOp,
    pub request: AuthRequest,
}

/// The object's answer to an agent-identity call: the core's status and body; for a granted
/// session, its reference (the Worker routes it in KV until the session ends).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthReply {
    pub status: u16,
    pub error_body: String,
    pub body: Option<Value>,
    pub session_ref: Option<String>,
    pub session_expires_at_ms: Option<u64>,
}

/// How long a nonce is kept: the core's lifetime, or shorter when the Worker sets
/// `NONCE_LIFETIME_MS` to a positive number of milliseconds (tests of expiry).
pub fn nonce_lifetime_ms(var: Option<&str>) -> u64 {
    var.and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| *n > 0)
        .map_or(identity::NONCE_LIFETIME_MS, |n| n.min(identity::NONCE_LIFETIME_MS))
}

/// The object's answer to a lifecycle call: the core's decision (its event is already stored)
/// and, for a success, the body (never a credential: the Worker adds a minted key itself).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LifecycleReply {
    pub decision: policy::Decision,
    pub body: Option<Value>,
}

/// An event to file without an act (a refusal of the policy), under `connection` or, when
/// `None`, the company's own stream.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordCall {
    pub connection: Option<String>,
    pub event: Event,
}

/// Every stored event of one stream: a connection's, or the company's own (`None`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventsCall {
    pub connection: Option<String>,
}

/// The audit cursor after an event: opaque to callers (`a1.` and the event's sequence number).
pub fn audit_cursor(seq: i64) -> String {
    format!("a1.{seq}")
}

/// The sequence number an audit cursor names; `None` for anything this API did not make (the
/// object then also checks that the event exists in that connection's stream).
pub fn parse_audit_cursor(cursor: &str) -> Option<i64> {
    let digits = cursor.strip_prefix("a1.")?;
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().filter(|n| *n > 0 && *n < 1 << 53)
}

/// The retention period: `AUDIT_RETENTION_MS` when the Worker sets it to a positive number of
/// milliseconds (tests shorten it), else [`AUDIT_RETENTION_MS`].
pub fn retention_ms(var: Option<&str>) -> u64 {
    var.and_then(|v| v.trim().parse::<u64>().ok()).filter(|n| *n > 0).unwrap_or(AUDIT_RETENTION_MS)
}

/// The least delay, in milliseconds, of an alarm set from inside the alarm handler. workerd drops an
/// alarm re-armed from `alarm()` at a time that has already passed when the handler ends
/// (cloudflare/workerd#6866; measured here with miniflare 4.20260426: `Date.now()` and
/// `Date.now() - 5` stall the chain, `+ 1` and more do not), so the next wake is never sooner.
pub const ALARM_MIN_DELAY_MS: u64 = 2_000;

/// When the retention alarm must wake next, from inside the alarm handler: when the oldest event
/// left expires (`expires_ms`, Unix ms), but no sooner than [`ALARM_MIN_DELAY_MS`] after `now_ms`.
pub fn next_alarm_ms(expires_ms: u64, now_ms: u64) -> u64 {
    expires_ms.max(now_ms.saturating_add(ALARM_MIN_DELAY_MS))
}

/// Whether an alarm recorded as due at `due_ms` (Unix ms) has been lost: it should have woken more
/// than a minute before `now_ms` and its handler would have cleared the record. A lost alarm is set
/// again by the next event, so that no event outlives the retention period for want of a wake.
pub fn alarm_lost(due_ms: u64, now_ms: u64) -> bool {
    due_ms.saturating_add(60_000) < now_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Event {
        Event {
            time_ms: 1,
            actor: "conn_0123456789abcdef".into(),
            operation: "get".into(),
            path: Some("a.md".into()),
            outcome: Outcome::Allowed,
            status: 200,
            request_id: "r".into(),
            source_ip: "ip".into(),
            reason: None,
        }
    }

    #[test]
    fn the_event_says_what_was_answered() {
        for (status, outcome, reason) in [
            (200, Outcome::Allowed, None),
            (206, Outcome::Allowed, None),
            (304, Outcome::Allowed, None),
            (404, Outcome::Failed, Some("not_found")),
            (416, Outcome::Failed, Some("range_not_satisfiable")),
            (400, Outcome::Failed, Some("bad_query")),
            (503, Outcome::Failed, Some("object_changing")),
        ] {
            let ev = answered_event(&allowed(), Answered { status });
            assert_eq!((ev.status, ev.outcome, ev.reason.as_deref()), (status, outcome, reason));
            assert_eq!(ev.path.as_deref(), Some("a.md"));
        }
    }

    #[test]
    fn only_cursors_of_this_api_parse() {
        assert_eq!(parse_audit_cursor(&audit_cursor(42)), Some(42));
        for forged in [
            "",
            "42",
            "a1.",
            "a1.-3",
            "a1.0",
            "a1.4x",
            "a2.42",
            "a1.99999999999999999999",
            "a1.9007199254740992",
            "a1. 4",
        ] {
            assert_eq!(parse_audit_cursor(forged), None, "{forged:?}");
        }
    }

    #[test]
    fn retention_defaults_to_ninety_days() {
        assert_eq!(retention_ms(None), 7_776_000_000);
        assert_eq!(retention_ms(Some("0")), AUDIT_RETENTION_MS);
        assert_eq!(retention_ms(Some("soon")), AUDIT_RETENTION_MS);
        assert_eq!(retention_ms(Some("1500")), 1500);
    }

    #[test]
    fn an_alarm_set_from_the_alarm_is_never_in_the_past() {
        assert_eq!(next_alarm_ms(10_000, 1_000), 10_000);
        assert_eq!(next_alarm_ms(10_000, 9_999), 11_999);
        assert_eq!(next_alarm_ms(10_000, 10_000), 12_000);
        assert_eq!(next_alarm_ms(5, u64::MAX), u64::MAX);
    }

    #[test]
    fn an_alarm_overdue_by_a_minute_is_lost() {
        assert!(!alarm_lost(100_000, 100_000));
        assert!(!alarm_lost(100_000, 160_000));
        assert!(alarm_lost(100_000, 160_001));
    }
}
