//! What the Worker keeps in KV `CONNECTIONS`, what the company's Durable Object stores, and where
//! company files live in R2 `VAULT`.
//!
//! KV holds no authority over a connection (docs/design.md §3.5):
//!
//! | KV key | value |
//! |---|---|
//! | `keyref:{sha256 of a connection key or session token}` | the company id: the routing index (which company's object decides); a session's entry expires with it |
//! | `connection:{connection id}` | the company id: where the agent-identity routes find a connection |
//! | `admin:{sha256 of the credential}` | [`AdminCredential`] |
//!
//! The company's object (`crate::company`) holds the [`ConnectionDoc`]s, every key reference a
//! connection ever had, the [`CompanySettings`] and the audit events. R2 keys are
//! `{company_id}/{company-relative key}`.

use hq_vault_core::gate::{ConnectionRecord, ConnectionStatus};
use hq_vault_core::identity::{self, IdentityConnection};
use hq_vault_core::policy::{self, Caller, CompanyAdmin};
use serde::{Deserialize, Serialize};

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
    /// An `agent_identity` connection's Ed25519 public key, standard base64 (docs/design.md §3.6);
    /// its `key_ref` is the key's reference. `None` for `api_key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
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

    /// What the core's `identity` decides with: the record and, for an agent identity, its key.
    pub fn identity(&self, company_enabled: bool) -> IdentityConnection {
        let public_key = self.public_key.as_deref().and_then(|k| identity::check_public_key(k).ok());
        IdentityConnection { connection: self.record(company_enabled), public_key, name: None }
    }

    /// The public view, as the lifecycle routes show it: never the key or its reference (an
    /// agent's public key is no secret); `last_used_ms` is when it last read something (Unix ms),
    /// if ever.
    pub fn view(&self, last_used_ms: Option<u64>) -> serde_json::Value {
        let mut v = serde_json::json!({
            "id": self.id,
            "company_id": self.company_id,
            "name": self.name,
            "patterns": self.patterns,
            "status": self.status,
            "mechanism": self.mechanism,
            "created_ms": self.created_ms,
            "rotated_ms": self.rotated_ms,
            "last_used_ms": last_used_ms,
        });
        if let Some(k) = &self.public_key {
            v["public_key"] = serde_json::Value::String(k.clone());
        }
        v
    }
}

/// A company's switches (the body of `PUT …/settings`: an unknown field or a field given twice is
/// refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

/// The routing entry of a connection key's reference: its value is the company id.
pub fn keyref_key(reference: &str) -> String {
    format!("keyref:{reference}")
}
/// The routing entry of a connection id (the agent-identity routes name a connection, not a key).
pub fn connection_key(id: &str) -> String {
    format!("connection:{id}")
}
/// The admin credential with this reference.
pub fn admin_key(reference: &str) -> String {
    format!("admin:{reference}")
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
