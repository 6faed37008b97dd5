//! Agent identity, the second mechanism of External Connections (docs/design.md §3.6): an
//! `agent_identity` connection holds an Ed25519 public key; the agent asks for a challenge, signs
//! it with its private key and gets an `hqvs_` session token, which is then its bearer on the read
//! routes with the connection's patterns.
//!
//! The rules, all here so that every host applies the same ones:
//! - A public key is 32 bytes in standard base64 (RFC 4648 §4, with padding), a valid Ed25519
//!   point of large order. Its reference (the connection's `key_ref`) is the lower-case hex
//!   SHA-256 of the 32 bytes.
//! - A nonce is 32 bytes of OS randomness in standard base64 (44 characters), bound to one
//!   connection, valid for [`NONCE_LIFETIME_MS`] (60 s) and for one `verify` only: the host marks
//!   the nonce it found used whatever the answer.
//! - The signed message is the UTF-8 of `hq-vault-auth-v1` ‖ nonce (its base64 text) ‖ connection
//!   id ([`challenge_message`]).
//! - A session lasts [`SESSION_LIFETIME_MS`] (1 h) and is bound to its connection and to the key
//!   that signed in: a rotate (new public key) or a revoke ends it at once
//!   ([`crate::gate::decide_session`]).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

use crate::audit::{Event, Outcome};
use crate::gate::{ConnectionRecord, ConnectionStatus, SessionRecord, error_body};
use crate::policy::is_connection_id;
use crate::secret::SecretString;
use crate::tokens::{self, TokenKind};

/// How long a nonce may be answered: 60 s, in milliseconds.
pub const NONCE_LIFETIME_MS: u64 = 60_000;
/// How long a session lasts: 1 h, in milliseconds.
pub const SESSION_LIFETIME_MS: u64 = 3_600_000;
/// Random bytes in a nonce.
pub const NONCE_BYTES: usize = 32;
/// Domain separation of challenge signatures.
pub const CHALLENGE_DOMAIN: &str = "hq-vault-auth-v1";

/// Why a public key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyError {
    /// Not standard base64 (RFC 4648 §4, with padding).
    #[error("the public key is not standard base64 (RFC 4648, with = padding)")]
    NotBase64,
    /// Not 32 bytes once decoded.
    #[error("an Ed25519 public key is 32 bytes (44 characters of base64)")]
    WrongLength,
    /// Not a point of the curve, or one of small order that any signature could match.
    #[error("these 32 bytes are not a usable Ed25519 public key")]
    WeakKey,
}

impl KeyError {
    /// The kebab-case code of the reason.
    pub fn code(self) -> &'static str {
        match self {
            KeyError::NotBase64 => "not-base64",
            KeyError::WrongLength => "wrong-length",
            KeyError::WeakKey => "weak-key",
        }
    }
}

/// Decode and check a public key sent as standard base64: 32 bytes, a point of the curve, not of
/// small order.
pub fn check_public_key(text: &str) -> Result<Vec<u8>, KeyError> {
    let bytes = STANDARD.decode(text.as_bytes()).map_err(|_| KeyError::NotBase64)?;
    let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| KeyError::WrongLength)?;
    let vk = VerifyingKey::from_bytes(&arr).map_err(|_| KeyError::WeakKey)?;
    if vk.is_weak() {
        return Err(KeyError::WeakKey);
    }
    Ok(bytes)
}

/// The reference of a public key (the connection's `key_ref`): lower-case hex SHA-256 of its bytes.
pub fn key_reference(public_key: &[u8]) -> String {
    crate::crypto::sha256_hex(public_key)
}

/// The message an agent signs: the UTF-8 bytes of `hq-vault-auth-v1` ‖ nonce ‖ connection id.
/// A nonce is always 44 characters of base64, so the concatenation is unambiguous.
pub fn challenge_message(nonce: &str, connection_id: &str) -> Vec<u8> {
    [CHALLENGE_DOMAIN, nonce, connection_id].concat().into_bytes()
}

/// A nonce as the host stores it (in the company's object, or the daemon's database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonceRecord {
    /// The nonce, standard base64 of 32 random bytes.
    pub nonce: String,
    /// The connection it was issued for.
    pub connection_id: String,
    /// When it stops being accepted (ms since the epoch).
    pub expires_at_ms: u64,
    /// Whether a `verify` has named it already.
    pub used: bool,
}

/// What the host knows of the connection named by a challenge or verify call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityConnection {
    /// The connection's record; for an agent identity, `key_ref` is [`key_reference`] of the key.
    pub connection: ConnectionRecord,
    /// The Ed25519 public key (32 bytes) of an `agent_identity` connection; none for `api_key`.
    pub public_key: Option<Vec<u8>>,
    /// Network mode: the identity's name, which the audit event gives beside its id.
    #[serde(default)]
    pub name: Option<String>,
}

/// A call of `POST /v1/connections/auth/challenge` or `…/verify`, as the host read it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AuthRequest {
    /// `connection_id` of the body; in network mode, `identity_id`.
    pub connection_id: String,
    /// Network mode's login (`POST /v1/auth/challenge`, `…/verify`, docs/design.md §5): the id
    /// is an identity's, and at verify the public key presented must be the one whose reference
    /// the identity holds (the server keeps only the reference).
    #[serde(default)]
    pub network: bool,
    /// Network mode's verify: the identity's Ed25519 public key (standard base64), as sent.
    #[serde(default)]
    pub public_key: Option<String>,
    /// `nonce` of the body (verify).
    #[serde(default)]
    pub nonce: Option<String>,
    /// `signature` of the body (verify): standard base64 of 64 bytes.
    #[serde(default)]
    pub signature: Option<String>,
    /// The `Authorization` header, if any: these routes take none.
    #[serde(default)]
    pub authorization: Option<String>,
    /// Time of the request (ms since the epoch).
    #[serde(default)]
    pub time_ms: u64,
    /// Request id.
    #[serde(default)]
    pub request_id: String,
    /// Client IP address.
    #[serde(default)]
    pub source_ip: String,
}

/// A session granted by `verify`: the token (shown once) and what the host stores. No `Debug`:
/// it holds the token.
pub struct SessionGrant {
    /// The `hqvs_` token; only its reference is stored.
    pub token: SecretString,
    /// The session to store (under `session.reference`).
    pub session: SessionRecord,
}

/// The answer to a challenge or verify call (no `Debug`: a grant holds the token).
pub struct AuthDecision {
    /// 200 when granted, else the error status.
    pub status: u16,
    /// Error code (empty when granted).
    pub code: String,
    /// Error message (empty when granted); never holds a nonce, a signature or a credential.
    pub message: String,
    /// The JSON error body (empty when granted).
    pub error_body: String,
    /// `challenge`: the nonce to store and answer.
    pub nonce: Option<NonceRecord>,
    /// `verify`: the session to store and answer.
    pub session: Option<SessionGrant>,
    /// The audit event to record, whatever the outcome (`auth-challenge` or `auth-verify`).
    pub audit: Event,
}

struct Ctx<'a> {
    req: &'a AuthRequest,
    operation: &'static str,
    /// The name of the identity the request names, when the host found it (network mode).
    name: Option<&'a str>,
}

impl Ctx<'_> {
    /// Whether the request names a principal of its kind: a connection, or (network) an identity.
    fn id_ok(&self) -> bool {
        let id = &self.req.connection_id;
        if self.req.network { crate::policy::is_identity_id(id) } else { is_connection_id(id) }
    }

    /// What the messages call the principal.
    fn what(&self) -> (&'static str, &'static str) {
        if self.req.network { ("identity", "identity_id") } else { ("connection", "connection_id") }
    }

    fn event(&self, outcome: Outcome, status: u16, reason: Option<&str>) -> Event {
        let id = &self.req.connection_id;
        Event {
            time_ms: self.req.time_ms,
            actor: match (self.id_ok(), self.name) {
                (true, Some(name)) => format!("{name} ({id})"),
                (true, None) => id.clone(),
                (false, _) => "unknown".into(),
            },
            operation: self.operation.into(),
            path: None,
            outcome,
            status,
            request_id: self.req.request_id.clone(),
            source_ip: self.req.source_ip.clone(),
            reason: reason.map(str::to_owned),
        }
    }

    fn deny(&self, status: u16, code: &str, message: &str) -> AuthDecision {
        let outcome = if status == 400 { Outcome::Failed } else { Outcome::Denied };
        AuthDecision {
            status,
            code: code.into(),
            message: message.into(),
            error_body: error_body(code, message, &self.req.request_id),
            nonce: None,
            session: None,
            audit: self.event(outcome, status, Some(code)),
        }
    }

    fn grant(&self, nonce: Option<NonceRecord>, session: Option<SessionGrant>) -> AuthDecision {
        AuthDecision {
            status: 200,
            code: String::new(),
            message: String::new(),
            error_body: String::new(),
            nonce,
            session,
            audit: self.event(Outcome::Allowed, 200, None),
        }
    }

    /// The checks both routes make, in order: the connection id, no credential, an active
    /// agent-identity connection of an enabled company. Returns its public key.
    fn identity(&self, conn: Option<&IdentityConnection>) -> Result<Vec<u8>, Box<AuthDecision>> {
        if self.req.network {
            return self.network_identity(conn);
        }
        if !is_connection_id(&self.req.connection_id) {
            return Err(Box::new(self.deny(
                400,
                "bad_connection_id",
                "connection_id must be the id of a connection (conn_…)",
            )));
        }
        if self.req.authorization.is_some() {
            return Err(Box::new(self.deny(
                400,
                "unexpected_credentials",
                "these routes take no Authorization header: an agent identity signs a challenge instead",
            )));
        }
        let no = "no active agent-identity connection has this id: check connection_id and the connection's mechanism";
        let Some(c) = conn.filter(|c| c.connection.id == self.req.connection_id) else {
            return Err(Box::new(self.deny(403, "invalid_identity", no)));
        };
        let Some(key) = c.public_key.as_deref() else {
            return Err(Box::new(self.deny(
                403,
                "invalid_identity",
                "this connection takes an API key (Authorization: Bearer hqxc_…), not an agent identity",
            )));
        };
        if c.connection.status == ConnectionStatus::Revoked {
            return Err(Box::new(self.deny(403, "invalid_identity", no)));
        }
        if !c.connection.company_enabled {
            return Err(Box::new(self.deny(
                403,
                "connections_disabled",
                "connections are switched off for this company: ask an owner or admin",
            )));
        }
        Ok(key.to_vec())
    }
}

impl Ctx<'_> {
    /// Network mode's checks, in order: the identity id, no credential, an active identity; at
    /// verify, the public key sent, whose reference must be the identity's (constant time).
    /// Returns the key to verify with (at challenge, none is needed: empty).
    fn network_identity(&self, conn: Option<&IdentityConnection>) -> Result<Vec<u8>, Box<AuthDecision>> {
        if !crate::policy::is_identity_id(&self.req.connection_id) {
            return Err(Box::new(self.deny(
                400,
                "bad_identity_id",
                "identity_id must be the id of an identity (id_…): `hq-vault identity list` shows them",
            )));
        }
        if self.req.authorization.is_some() {
            return Err(Box::new(self.deny(
                400,
                "unexpected_credentials",
                "these routes take no Authorization header: an identity signs a challenge instead",
            )));
        }
        let no = "no active identity has this id: check identity_id (`hq-vault identity list`)";
        let Some(c) = conn.filter(|c| c.connection.id == self.req.connection_id) else {
            return Err(Box::new(self.deny(403, "invalid_identity", no)));
        };
        if c.connection.status == ConnectionStatus::Revoked {
            return Err(Box::new(self.deny(403, "invalid_identity", no)));
        }
        if self.operation == "auth-challenge" {
            return Ok(Vec::new());
        }
        let key = match self.req.public_key.as_deref().map(check_public_key) {
            Some(Ok(k)) => k,
            Some(Err(e)) => {
                let message =
                    format!("public_key: {e}: send the identity's Ed25519 public key, 32 bytes in standard base64");
                return Err(Box::new(self.deny(400, "bad_public_key", &message)));
            }
            None => {
                return Err(Box::new(self.deny(
                    400,
                    "bad_request",
                    "send {\"identity_id\", \"nonce\", \"signature\", \"public_key\"}",
                )));
            }
        };
        if !tokens::references_equal(&key_reference(&key), &c.connection.key_ref) {
            return Err(Box::new(self.deny(
                403,
                "invalid_identity",
                "this public key is not the identity's: sign with the key pair `hq-vault identity create` made",
            )));
        }
        Ok(key)
    }
}

/// The identity's name, when the record the host found is the one the request names.
fn named<'a>(req: &AuthRequest, conn: Option<&'a IdentityConnection>) -> Option<&'a str> {
    conn.filter(|c| req.network && c.connection.id == req.connection_id).and_then(|c| c.name.as_deref())
}

/// `POST /v1/connections/auth/challenge`: a fresh single-use nonce for an active agent-identity
/// connection, valid [`NONCE_LIFETIME_MS`]; or the refusal. The host stores the nonce before
/// answering.
pub fn challenge(req: &AuthRequest, conn: Option<&IdentityConnection>) -> AuthDecision {
    let ctx = Ctx { req, operation: "auth-challenge", name: named(req, conn) };
    if let Err(d) = ctx.identity(conn) {
        return *d;
    }
    let mut raw = [0u8; NONCE_BYTES];
    crate::rng::fill(&mut raw);
    let nonce = NonceRecord {
        nonce: STANDARD.encode(raw),
        connection_id: req.connection_id.clone(),
        expires_at_ms: req.time_ms.saturating_add(NONCE_LIFETIME_MS),
        used: false,
    };
    ctx.grant(Some(nonce), None)
}

/// `POST /v1/connections/auth/verify`: check the answer to a challenge and grant a session.
/// `nonce` is the record the host found for the nonce sent (none if unknown); the host marks it
/// used whatever the answer. Checked in order: the connection (as [`challenge`]), the body's
/// fields, the nonce (unknown or another connection's, used, expired), the signature's encoding,
/// the signature over [`challenge_message`].
pub fn verify(req: &AuthRequest, nonce: Option<&NonceRecord>, conn: Option<&IdentityConnection>) -> AuthDecision {
    let ctx = Ctx { req, operation: "auth-verify", name: named(req, conn) };
    let key = match ctx.identity(conn) {
        Ok(k) => k,
        Err(d) => return *d,
    };
    let (Some(sent), Some(signature)) = (req.nonce.as_deref(), req.signature.as_deref()) else {
        let shape = if req.network {
            "send {\"identity_id\", \"nonce\", \"signature\", \"public_key\"}"
        } else {
            "send {\"connection_id\", \"nonce\", \"signature\"}"
        };
        return ctx.deny(400, "bad_request", shape);
    };
    let Some(n) = nonce.filter(|n| n.connection_id == req.connection_id && tokens::references_equal(&n.nonce, sent))
    else {
        let message = format!("this nonce was not issued for this {}: ask for a new challenge", ctx.what().0);
        return ctx.deny(403, "unknown_nonce", &message);
    };
    if n.used {
        return ctx.deny(
            403,
            "nonce_used",
            "this nonce was answered already: each is single-use, ask for a new challenge",
        );
    }
    if req.time_ms >= n.expires_at_ms {
        return ctx.deny(403, "nonce_expired", "this nonce has expired (60 s): ask for a new challenge");
    }
    let Ok(sig) = STANDARD.decode(signature.as_bytes()) else {
        return ctx.deny(400, "bad_signature", "the signature must be standard base64 of 64 bytes");
    };
    let message = challenge_message(sent, &req.connection_id);
    if crate::crypto::verify_signature(&key, &message, &sig).is_err() {
        let (what, field) = ctx.what();
        let message = format!(
            "the signature does not verify with this {what}'s public key over hq-vault-auth-v1 + nonce + {field}"
        );
        return ctx.deny(403, "bad_signature", &message);
    }
    let token = tokens::mint(TokenKind::SessionToken);
    let session = SessionRecord {
        reference: tokens::reference(token.expose_secret()),
        connection_id: req.connection_id.clone(),
        key_ref: key_reference(&key),
        expires_at_ms: req.time_ms.saturating_add(SESSION_LIFETIME_MS),
    };
    ctx.grant(None, Some(SessionGrant { token, session }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn conn(sk: &SigningKey) -> IdentityConnection {
        let pk = sk.verifying_key().to_bytes().to_vec();
        IdentityConnection {
            connection: ConnectionRecord {
                id: "conn_0123456789abcdef".into(),
                company_id: "acme".into(),
                status: ConnectionStatus::Active,
                key_ref: key_reference(&pk),
                patterns: vec!["knowledge/*".into()],
                company_enabled: true,
            },
            public_key: Some(pk),
            name: None,
        }
    }

    #[test]
    fn a_challenge_answered_once_gives_a_session_bound_to_the_key() {
        let sk = SigningKey::from_bytes(&[7u8; 32]);
        let c = conn(&sk);
        let mut req = AuthRequest { connection_id: c.connection.id.clone(), time_ms: 1000, ..Default::default() };
        let ch = challenge(&req, Some(&c));
        let n = ch.nonce.expect("a nonce");
        assert_eq!((n.nonce.len(), n.expires_at_ms), (44, 61_000));
        req.nonce = Some(n.nonce.clone());
        req.signature = Some(STANDARD.encode(sk.sign(&challenge_message(&n.nonce, &c.connection.id)).to_bytes()));
        let d = verify(&req, Some(&n), Some(&c));
        assert_eq!(d.status, 200, "{}", d.message);
        let s = d.session.unwrap();
        assert_eq!(tokens::parse(s.token.expose_secret()), Ok(TokenKind::SessionToken));
        assert_eq!(s.session.key_ref, c.connection.key_ref);
        assert_eq!(s.session.expires_at_ms, 1000 + SESSION_LIFETIME_MS);
        let used = NonceRecord { used: true, ..n.clone() };
        assert_eq!(verify(&req, Some(&used), Some(&c)).code, "nonce_used");
        let late = AuthRequest { time_ms: n.expires_at_ms, ..req.clone() };
        assert_eq!(verify(&late, Some(&n), Some(&c)).code, "nonce_expired");
        let other = conn(&SigningKey::from_bytes(&[8u8; 32]));
        assert_eq!(verify(&req, Some(&n), Some(&other)).code, "bad_signature");
    }

    #[test]
    fn public_keys_are_32_bytes_of_standard_base64_and_not_weak() {
        let pk = SigningKey::from_bytes(&[7u8; 32]).verifying_key().to_bytes();
        assert_eq!(check_public_key(&STANDARD.encode(pk)), Ok(pk.to_vec()));
        assert_eq!(check_public_key("not base64!"), Err(KeyError::NotBase64));
        assert_eq!(check_public_key(&STANDARD.encode([1u8; 31])), Err(KeyError::WrongLength));
        assert_eq!(check_public_key(&STANDARD.encode([0u8; 32])), Err(KeyError::WeakKey));
    }
}
