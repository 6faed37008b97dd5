//! Host side of `hq:vault/identity` (agent identity: challenge, verify, public keys) and of the
//! gate's session functions (`session-reference`, `decide-session`).

use hq_vault_core::gate::{ConnectionRecord, Decision, ReadRequest, SessionRecord};
use hq_vault_core::identity::{AuthDecision, AuthRequest, IdentityConnection, KeyError, NonceRecord, SessionGrant};
use hq_vault_core::secret::SecretString;
use wasmtime::Result;

use super::Instance;
use super::audit::event_from_wit;
use super::bindings::exports::hq::vault::gate as wg;
use super::bindings::exports::hq::vault::identity as w;
use super::gate::{decision_from_wit, record_to_wit, request_to_wit};

fn session_to_wit(s: &SessionRecord) -> wg::SessionRecord {
    wg::SessionRecord {
        reference: s.reference.clone(),
        connection_id: s.connection_id.clone(),
        key_ref: s.key_ref.clone(),
        expires_at_ms: s.expires_at_ms,
    }
}

fn session_from_wit(s: wg::SessionRecord) -> SessionRecord {
    SessionRecord {
        reference: s.reference,
        connection_id: s.connection_id,
        key_ref: s.key_ref,
        expires_at_ms: s.expires_at_ms,
    }
}

fn auth_request_to_wit(r: &AuthRequest) -> w::AuthRequest {
    w::AuthRequest {
        connection_id: r.connection_id.clone(),
        nonce: r.nonce.clone(),
        signature: r.signature.clone(),
        authorization: r.authorization.clone(),
        time_ms: r.time_ms,
        request_id: r.request_id.clone(),
        source_ip: r.source_ip.clone(),
    }
}

fn connection_to_wit(c: &IdentityConnection) -> w::IdentityConnection {
    w::IdentityConnection { connection: record_to_wit(&c.connection), public_key: c.public_key.clone() }
}

fn nonce_to_wit(n: &NonceRecord) -> w::NonceRecord {
    w::NonceRecord {
        nonce: n.nonce.clone(),
        connection_id: n.connection_id.clone(),
        expires_at_ms: n.expires_at_ms,
        used: n.used,
    }
}

fn auth_decision_from_wit(d: w::AuthDecision) -> AuthDecision {
    AuthDecision {
        status: d.status,
        code: d.code,
        message: d.message,
        error_body: d.error_body,
        nonce: d.nonce.map(|n| NonceRecord {
            nonce: n.nonce,
            connection_id: n.connection_id,
            expires_at_ms: n.expires_at_ms,
            used: n.used,
        }),
        session: d
            .session
            .map(|g| SessionGrant { token: SecretString::new(g.token), session: session_from_wit(g.session) }),
        audit: event_from_wit(d.audit),
    }
}

impl Instance {
    /// The reference of a well-formed `hqvs_` session token, for the session lookup.
    pub fn session_reference(&mut self, authorization: Option<&str>) -> Result<Option<String>> {
        self.exports.hq_vault_gate().call_session_reference(&mut self.store, authorization)
    }

    /// Decide a read by an `hqxc_` key or an `hqvs_` session (with the session found, if any).
    pub fn decide_session(
        &mut self,
        req: &ReadRequest,
        session: Option<&SessionRecord>,
        record: Option<&ConnectionRecord>,
    ) -> Result<Decision> {
        let rec = record.map(record_to_wit);
        let ses = session.map(session_to_wit);
        let d = self.exports.hq_vault_gate().call_decide_session(
            &mut self.store,
            &request_to_wit(req),
            ses.as_ref(),
            rec.as_ref(),
        )?;
        Ok(decision_from_wit(d))
    }

    /// Decode and check an agent's public key (standard base64 of 32 bytes).
    pub fn check_public_key(&mut self, text: &str) -> Result<Result<Vec<u8>, KeyError>> {
        let r = self.exports.hq_vault_identity().call_check_public_key(&mut self.store, text)?;
        Ok(r.map_err(|e| match e {
            w::KeyError::NotBase64 => KeyError::NotBase64,
            w::KeyError::WrongLength => KeyError::WrongLength,
            w::KeyError::WeakKey => KeyError::WeakKey,
        }))
    }

    /// The reference of a public key (its connection's `key_ref`).
    pub fn key_reference(&mut self, public_key: &[u8]) -> Result<String> {
        self.exports.hq_vault_identity().call_key_reference(&mut self.store, public_key)
    }

    /// The message an agent signs for this nonce and connection.
    pub fn challenge_message(&mut self, nonce: &str, connection_id: &str) -> Result<Vec<u8>> {
        self.exports.hq_vault_identity().call_challenge_message(&mut self.store, nonce, connection_id)
    }

    /// Answer a challenge call (a fresh nonce to store, or the refusal).
    pub fn identity_challenge(&mut self, req: &AuthRequest, conn: Option<&IdentityConnection>) -> Result<AuthDecision> {
        let c = conn.map(connection_to_wit);
        let d =
            self.exports.hq_vault_identity().call_challenge(&mut self.store, &auth_request_to_wit(req), c.as_ref())?;
        Ok(auth_decision_from_wit(d))
    }

    /// Answer a verify call, given the nonce's record (a session to store, or the refusal).
    pub fn identity_verify(
        &mut self,
        req: &AuthRequest,
        nonce: Option<&NonceRecord>,
        conn: Option<&IdentityConnection>,
    ) -> Result<AuthDecision> {
        let c = conn.map(connection_to_wit);
        let n = nonce.map(nonce_to_wit);
        let d = self.exports.hq_vault_identity().call_verify(
            &mut self.store,
            &auth_request_to_wit(req),
            n.as_ref(),
            c.as_ref(),
        )?;
        Ok(auth_decision_from_wit(d))
    }
}
