//! What the Worker keeps in KV `CONNECTIONS` and where company files live in R2 `VAULT`.
//!
//! | KV key | value |
//! |---|---|
//! | `conn:{id}` | [`ConnectionDoc`] |
//! | `keyref:{sha256 of the key}` | the [`ConnectionDoc`] again: a read needs one KV lookup |
//! | `company-conn:{company}:{id}` | empty (listing a company's connections) |
//! | `company:{company}` | [`CompanySettings`] |
//! | `admin:{sha256 of the credential}` | [`AdminCredential`] |
//! | `audit:{id}:{inverted time}:{request id}` | empty; the event line is the key's metadata, 90-day TTL |
//!
//! R2 keys are `{company_id}/{company-relative key}`.

use hq_vault_core::gate::{ConnectionRecord, ConnectionStatus};
use serde::{Deserialize, Serialize};

/// Audit events are kept 90 days.
pub const AUDIT_TTL_SECONDS: u64 = 90 * 24 * 3600;

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
pub fn audit_prefix(conn_id: &str) -> String {
    format!("audit:{conn_id}:")
}

/// The audit key: newest first in KV's lexicographic listing.
pub fn audit_key(conn_id: &str, time_ms: u64, request_id: &str) -> String {
    format!("{}{:016}:{request_id}", audit_prefix(conn_id), u64::MAX / 2 - time_ms.min(u64::MAX / 2))
}

/// R2's longest key, in bytes.
pub const R2_MAX_KEY: usize = 1024;

/// The R2 key of a company-relative key. With a [`valid_id`] company (at most 63 bytes) and a key
/// the core accepts (at most 960 bytes), it is at most 1024 bytes: R2's limit.
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

/// Company ids and connection ids as they may appear in a URL: `[a-z0-9_-]`, 1 to 63 bytes, so
/// that `{company_id}/` and a 960-byte key fit R2's 1024-byte key limit.
pub fn valid_id(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_keys_sort_newest_first() {
        let older = audit_key("c", 1_000, "r1");
        let newer = audit_key("c", 2_000, "r2");
        assert!(newer < older);
        assert!(older.starts_with(&audit_prefix("c")));
    }

    #[test]
    fn ids() {
        assert!(valid_id("acme") && valid_id("conn_0a1b"));
        assert!(!valid_id("") && !valid_id("Acme") && !valid_id("a/b") && !valid_id(&"a".repeat(64)));
        assert!(valid_id(&"a".repeat(63)));
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
