//! What the Worker keeps in KV `CONNECTIONS` and where company files live in R2 `VAULT`.
//!
//! | KV key | value |
//! |---|---|
//! | `conn:{id}` | [`ConnectionDoc`] |
//! | `keyref:{sha256 of the key}` | the [`ConnectionDoc`] again: a read needs one KV lookup |
//! | `company-conn:{company}:{id}` | empty (listing a company's connections) |
//! | `company:{company}` | [`CompanySettings`] |
//! | `admin:{sha256 of the credential}` | [`AdminCredential`] |
//! | `audit:{id}:{inverted time}:{request id}:{n}` | empty; the event line is the key's metadata, 90-day TTL: a connection's reads and lifecycle |
//! | `audit-company:{company}:{inverted time}:{request id}:{n}` | the same, for a company's lifecycle events that name no connection of it |
//!
//! R2 keys are `{company_id}/{company-relative key}`.

use hq_vault_core::audit::{self, Event};
use hq_vault_core::gate::{ConnectionRecord, ConnectionStatus};
use hq_vault_core::policy::{self, Caller, CompanyAdmin};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Audit events are kept 90 days.
pub const AUDIT_TTL_SECONDS: u64 = 90 * 24 * 3600;

/// Workers KV's limit on a key's metadata (its JSON serialization), in bytes.
pub const KV_MAX_METADATA: usize = 1024;

/// How many bytes of the request id an audit key holds (Workers KV keys are at most 512 bytes).
const KEY_REQUEST_ID: usize = 64;

/// A connection as stored. The key itself is never stored, only its reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionDoc {
    pub id: String,
    pub company_id: String,
    pub name: String,
    pub patterns: Vec<String>,
    pub status: ConnectionStatus,
    pub key_ref: String,
    pub mechanism: String,
    pub created_ms: u64,
    pub rotated_ms: Option<u64>,
}

impl ConnectionDoc {
    /// What the gate needs, with the company's switch.
    pub fn record(&self, company_enabled: bool) -> ConnectionRecord {
        ConnectionRecord {
            id: self.id.clone(),
            company_id: self.company_id.clone(),
            status: self.status,
            key_ref: self.key_ref.clone(),
            patterns: self.patterns.clone(),
            company_enabled,
        }
    }

    /// The public view: never the key or its reference.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "company_id": self.company_id,
            "name": self.name,
            "patterns": self.patterns,
            "status": self.status,
            "mechanism": self.mechanism,
            "created_ms": self.created_ms,
            "rotated_ms": self.rotated_ms,
        })
    }
}

/// A company's switches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySettings {
    pub connections_enabled: bool,
}

impl Default for CompanySettings {
    fn default() -> Self {
        CompanySettings { connections_enabled: true }
    }
}

/// Roles of admin credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Member,
}

/// An admin credential as stored (under the reference of an `hqvt_` token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminCredential {
    pub company_id: String,
    pub role: Role,
    pub name: String,
}

impl AdminCredential {
    /// The caller the core's policy decides for.
    pub fn caller(self) -> Caller {
        let role = match self.role {
            Role::Owner => policy::Role::Owner,
            Role::Admin => policy::Role::Admin,
            Role::Member => policy::Role::Member,
        };
        Caller::CompanyAdmin(CompanyAdmin { name: self.name, company_id: self.company_id, role })
    }
}

pub fn conn_key(id: &str) -> String {
    format!("conn:{id}")
}
pub fn keyref_key(reference: &str) -> String {
    format!("keyref:{reference}")
}
pub fn company_conn_prefix(company: &str) -> String {
    format!("company-conn:{company}:")
}
pub fn company_key(company: &str) -> String {
    format!("company:{company}")
}
pub fn admin_key(reference: &str) -> String {
    format!("admin:{reference}")
}
/// The prefix of a connection's audit events (what `GET …/connections/{id}/audit` lists).
pub fn audit_prefix(conn_id: &str) -> String {
    format!("audit:{conn_id}:")
}

/// The prefix of a company's lifecycle events that name no connection of it (a listing, the
/// switch, a refused create, a refusal).
pub fn company_audit_prefix(company: &str) -> String {
    format!("audit-company:{company}:")
}

/// An audit key under `prefix`: newest first in KV's lexicographic listing, and within one request
/// (the same time and request id) the later event (`seq` 1, a correction) before the earlier.
/// The request id is cut to 64 bytes so that the key stays within KV's 512.
pub fn audit_key(prefix: &str, time_ms: u64, request_id: &str, seq: u8) -> String {
    let inverted = u64::MAX / 2 - time_ms.min(u64::MAX / 2);
    format!("{prefix}{inverted:016}:{}:{}", cut(request_id, KEY_REQUEST_ID), 9 - seq.min(9))
}

/// `s` cut to at most `max` bytes at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The event as KV metadata: the core's audit line (`audit::encode`), within
/// [`KV_MAX_METADATA`] bytes. When the line is longer (a 960-byte path, a long admin name), the
/// longest of its free-text fields (path, actor, reason, request id, IP) is cut at a character
/// boundary and ends in `…`, until it fits, and the line gets `"truncated": true`. The line never
/// holds a credential (the core's events never do), so a cut one does not either.
pub fn audit_metadata(ev: &Event) -> Value {
    let mut e = ev.clone();
    let mut truncated = false;
    // Each round empties at least one field or fits; five fields, plus one round for the flag.
    for _ in 0..8 {
        let mut line: Value = serde_json::from_str(&audit::encode(&e)).unwrap_or(Value::Null);
        if truncated {
            line["truncated"] = Value::Bool(true);
        }
        let len = line.to_string().len();
        if len <= KV_MAX_METADATA {
            return line;
        }
        truncated = true;
        let over = len - KV_MAX_METADATA;
        let mut path = e.path.take().unwrap_or_default();
        let mut reason = e.reason.take().unwrap_or_default();
        let fields = [&mut path, &mut e.actor, &mut reason, &mut e.request_id, &mut e.source_ip];
        if let Some(longest) = fields.into_iter().max_by_key(|f| f.len()) {
            // Removing `over` bytes and 3 for the `…` removes at least as many from the JSON
            // (escapes only make a byte longer there).
            let keep = cut(longest, longest.len().saturating_sub(over + '…'.len_utf8())).len();
            longest.truncate(keep);
            longest.push('…');
        }
        e.path = ev.path.as_ref().map(|_| path);
        e.reason = ev.reason.as_ref().map(|_| reason);
    }
    serde_json::json!({"time_ms": ev.time_ms, "op": ev.operation, "status": ev.status, "truncated": true})
}

/// R2's longest key, in bytes.
pub const R2_MAX_KEY: usize = 1024;

/// The R2 key of a company-relative key. With a company id the core accepts
/// (`policy::is_company_id`: at most 63 bytes) and a key it accepts (at most 960 bytes), it is at
/// most 1024 bytes: R2's limit.
pub fn r2_key(company: &str, key: &str) -> String {
    format!("{company}/{key}")
}

/// An R2 `startAfter` bound for `key`, cut to R2's key length at a character boundary. Every R2
/// key fits in 1024 bytes, so a longer bound (only a hand-made cursor makes one) orders like its
/// first 1024 bytes; the cut keeps R2 from refusing the listing.
pub fn r2_start_after(company: &str, key: &str) -> String {
    let mut k = r2_key(company, key);
    if k.len() > R2_MAX_KEY {
        let mut end = R2_MAX_KEY;
        while !k.is_char_boundary(end) {
            end -= 1;
        }
        k.truncate(end);
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    use hq_vault_core::audit::Outcome;

    #[test]
    fn audit_keys_sort_newest_first() {
        let p = audit_prefix("conn_01");
        let older = audit_key(&p, 1_000, "r1", 0);
        let newer = audit_key(&p, 2_000, "r2", 0);
        assert!(newer < older);
        assert!(older.starts_with(&p));
        // A correction of the same request sorts before (newer than) the event it corrects.
        assert!(audit_key(&p, 1_000, "r1", 1) < older);
        // A long request id does not make a key KV refuses.
        assert!(audit_key(&company_audit_prefix(&"c".repeat(63)), 0, &"r".repeat(4000), 1).len() <= 512);
    }

    fn event(path: Option<String>, actor: &str, reason: Option<String>) -> Event {
        Event {
            time_ms: 1_700_000_000_000,
            actor: actor.into(),
            operation: "get".into(),
            path,
            outcome: Outcome::Allowed,
            status: 200,
            request_id: "8f00ba11cafe-LHR".into(),
            source_ip: "203.0.113.7".into(),
            reason,
        }
    }

    #[test]
    fn a_short_event_is_the_core_line_unchanged() {
        let ev = event(Some("knowledge/a.md".into()), "conn_0123456789abcdef", None);
        let m = audit_metadata(&ev);
        assert_eq!(m, serde_json::from_str::<Value>(&audit::encode(&ev)).unwrap());
        assert!(m.get("truncated").is_none());
    }

    #[test]
    fn every_event_fits_kv_metadata() {
        let long_path = format!("kb/{}", "\u{e9}\u{1}".repeat(400));
        let cases = [
            event(Some("k".repeat(960)), "conn_0123456789abcdef", None),
            event(Some(long_path.clone()), &"a\"".repeat(700), Some("x".repeat(2000))),
            event(None, &"\u{7}".repeat(3000), Some("conn_0123456789abcdef".into())),
        ];
        for ev in cases {
            let m = audit_metadata(&ev);
            let text = m.to_string();
            assert!(text.len() <= KV_MAX_METADATA, "{} bytes", text.len());
            assert_eq!(m["truncated"], true);
            assert_eq!((m["status"].as_u64(), m["op"].as_str()), (Some(200), Some("get")));
            assert_eq!(m["request_id"], "8f00ba11cafe-LHR", "short fields are kept");
        }
        let m = audit_metadata(&event(Some("k".repeat(960)), "conn_0123456789abcdef", None));
        assert!(m["path"].as_str().unwrap().starts_with("kkkk") && m["path"].as_str().unwrap().ends_with('…'));
        assert_eq!(m["actor"], "conn_0123456789abcdef");
    }

    #[test]
    fn the_longest_key_of_the_longest_company_fits_r2() {
        let company = "c".repeat(63);
        let key = "k".repeat(hq_vault_core::patterns::MAX_KEY_LEN);
        assert!(hq_vault_core::patterns::check_object_key(&key).is_ok());
        assert_eq!(r2_key(&company, &key).len(), R2_MAX_KEY);
        let long = format!("{}\u{e9}", "k".repeat(1023 - 5));
        let cut = r2_start_after("acme", &long);
        assert!(cut.len() <= R2_MAX_KEY && cut.starts_with("acme/kkk") && !cut.ends_with('\u{e9}'));
    }
}
