//! The JSON bodies the daemon's routes take, in one place, public so that they are fuzzed as the
//! routes decode them (fuzz/, target `request_bodies`).
//!
//! Each route reads at most its byte limit and decodes the body with [`decode`]
//! (`serde_json::from_slice`); a body that does not decode is a 400 `bad_json`. Unknown fields are
//! refused where the type says `deny_unknown_fields`. Fields that hold a secret (a value, a
//! passphrase) are `Zeroizing` and the types holding them have no `Debug`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use super::http::MAX_VALUE;

/// Decode a JSON body exactly as the routes do. The error names the field and position, never a
/// value.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(body)
}

/// `PUT /v1/secrets/{path}`: exactly one of `value` (UTF-8 text) or `value_base64` (any bytes,
/// standard base64 with padding), and an optional `type` (≤ 64 bytes) and `description`
/// (≤ 512 bytes), neither with control characters. See [`PutBody::check`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutBody {
    pub value: Option<Zeroizing<String>>,
    pub value_base64: Option<Zeroizing<String>>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub description: Option<String>,
}

/// A [`PutBody`] that passed [`PutBody::check`].
pub struct CheckedPut {
    /// The value's bytes, at most [`MAX_VALUE`] (1 MiB).
    pub value: Zeroizing<Vec<u8>>,
    /// The type: `None` when absent (a replacement keeps the stored one), `Some("")` to clear it.
    pub kind: Option<String>,
    /// The description: `None` when absent (a replacement keeps the stored one), `Some("")` to
    /// clear it.
    pub description: Option<String>,
}

/// Why a decoded body was refused: the HTTP status, the error code and a message that never holds
/// a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

fn refuse(status: u16, code: &'static str, message: impl Into<String>) -> BodyError {
    BodyError { status, code, message: message.into() }
}

fn short_text(v: Option<String>, max: usize) -> Result<Option<String>, String> {
    match v {
        Some(s) if s.len() > max || s.chars().any(char::is_control) => {
            Err(format!("must be at most {max} bytes without control characters"))
        }
        other => Ok(other),
    }
}

impl PutBody {
    /// Check the body, in this order: exactly one of `value`/`value_base64` and valid base64
    /// (400 `bad_value`), the decoded size (413 `value_too_large`), then `type` (400 `bad_type`)
    /// and `description` (400 `bad_description`).
    pub fn check(self) -> Result<CheckedPut, BodyError> {
        let value: Zeroizing<Vec<u8>> = match (self.value, self.value_base64) {
            (Some(v), None) => Zeroizing::new(v.as_bytes().to_vec()),
            (None, Some(b)) => match B64.decode(b.as_bytes()) {
                Ok(v) => Zeroizing::new(v),
                Err(_) => return Err(refuse(400, "bad_value", "value_base64 is not valid base64")),
            },
            _ => return Err(refuse(400, "bad_value", "give exactly one of `value` or `value_base64`")),
        };
        if value.len() > MAX_VALUE {
            let message = format!(
                "the value is {} bytes; a secret may be at most 1 MiB ({} bytes): nothing was stored",
                value.len(),
                MAX_VALUE
            );
            return Err(refuse(413, "value_too_large", message));
        }
        let (kind, description) = match (short_text(self.kind, 64), short_text(self.description, 512)) {
            (Ok(k), Ok(ds)) => (k, ds),
            (Err(e), _) => return Err(refuse(400, "bad_type", format!("type {e}"))),
            (_, Err(e)) => return Err(refuse(400, "bad_description", format!("description {e}"))),
        };
        Ok(CheckedPut { value, kind, description })
    }
}

/// `POST /v1/tokens`: a managed token's `name`, optional `ttl` (a duration such as `15m`, see
/// the core's `tokens.parse-duration`), optional `max_uses` (≥ 1) and `prefix` scope patterns.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenCreateBody {
    pub name: String,
    pub ttl: Option<String>,
    pub max_uses: Option<u32>,
    #[serde(default)]
    pub prefix: Vec<String>,
}

/// `POST /v1/connections`: a connection's `name`, its allowlist `patterns` and the optional
/// `mechanism` (only `api_key` is offered locally).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionCreateBody {
    pub name: String,
    pub patterns: Vec<String>,
    #[serde(default)]
    pub mechanism: Option<String>,
    /// The agent's Ed25519 public key (standard base64), for `agent_identity`.
    #[serde(default)]
    pub public_key: Option<String>,
}

/// `POST /v1/connections/{id}/rotate`: an agent identity's new public key; none (or no body) for
/// an API-key connection.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateBody {
    #[serde(default)]
    pub public_key: Option<String>,
}

/// `POST /v1/connections/auth/challenge` and `…/verify` (`nonce` and `signature` are verify's).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthBody {
    pub connection_id: String,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub signature: Option<String>,
}

/// Network mode's `POST /v1/auth/challenge` `{"identity_id"}` and `…/verify` `{"identity_id",
/// "nonce", "signature", "public_key"}` (the server keeps only the key's reference, so verify
/// takes the key).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkAuthBody {
    pub identity_id: String,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub public_key: Option<String>,
}

/// `POST /v1/identities` `{"name","type","public_key"}`: an identity's key, made by its holder.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityBody {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub public_key: String,
}

/// `POST /v1/orgs` `{"name","admin"?}`: an org, and its first admin (an identity's name or id).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgBody {
    pub name: String,
    #[serde(default)]
    pub admin: Option<String>,
}

/// `POST /v1/orgs/{org}/projects` `{"name"}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectBody {
    pub name: String,
}

/// `POST /v1/access-requests` `{"org","project"?,"role","justification"}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessRequestBody {
    pub org: String,
    #[serde(default)]
    pub project: Option<String>,
    pub role: String,
    pub justification: String,
}

/// `POST /v1/access-requests/{id}/approve|deny` `{"reason"?}` (or no body).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /v1/unlock`: the passphrase. Unknown fields are ignored.
#[derive(Deserialize)]
pub struct UnlockBody {
    pub passphrase: Zeroizing<String>,
}

/// `POST /v1/passphrase`: the current and the new passphrase. Unknown fields are ignored.
#[derive(Deserialize)]
pub struct PassphraseBody {
    pub old: Zeroizing<String>,
    pub new: Zeroizing<String>,
}
