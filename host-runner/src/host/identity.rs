//! Host side of `hq:vault/identity` (agent identity: challenge, verify, public keys) and of the
//! gate's session functions (`session-reference`, `decide-session`).

use wasmtime::Result;

use super::Instance;
use super::bindings::exports::hq::vault::gate as wg;
use super::bindings::exports::hq::vault::identity as w;

impl Instance {
    /// The reference of a well-formed `hqvs_` session token, for the session lookup.
    pub fn session_reference(&mut self, authorization: Option<&str>) -> Result<Option<String>> {
        self.exports.hq_vault_gate().call_session_reference(&mut self.store, authorization)
    }

    /// Decide a read by an `hqxc_` key or an `hqvs_` session (with the session found, if any).
    pub fn decide_session(
        &mut self,
        req: &wg::ReadRequest,
        session: Option<&wg::SessionRecord>,
        record: Option<&wg::ConnectionRecord>,
    ) -> Result<wg::Decision> {
        self.exports.hq_vault_gate().call_decide_session(&mut self.store, req, session, record)
    }

    /// The agent snippet of an `agent_identity` connection: sign in, then read.
    pub fn identity_snippet(&mut self, options: &wg::SnippetOptions, connection_id: &str) -> Result<String> {
        self.exports.hq_vault_gate().call_identity_snippet(&mut self.store, options, connection_id)
    }

    /// Decode and check an agent's public key (standard base64 of 32 bytes).
    pub fn check_public_key(&mut self, text: &str) -> Result<Result<Vec<u8>, w::KeyError>> {
        self.exports.hq_vault_identity().call_check_public_key(&mut self.store, text)
    }

    /// What a refused public key means and what to send instead, in the core's words.
    pub fn describe_key_error(&mut self, error: w::KeyError) -> Result<String> {
        self.exports.hq_vault_identity().call_describe_key_error(&mut self.store, error)
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
    pub fn identity_challenge(
        &mut self,
        req: &w::AuthRequest,
        conn: Option<&w::IdentityConnection>,
    ) -> Result<w::AuthDecision> {
        self.exports.hq_vault_identity().call_challenge(&mut self.store, req, conn)
    }

    /// Answer a verify call, given the nonce's record (a session to store, or the refusal).
    pub fn identity_verify(
        &mut self,
        req: &w::AuthRequest,
        nonce: Option<&w::NonceRecord>,
        conn: Option<&w::IdentityConnection>,
    ) -> Result<w::AuthDecision> {
        self.exports.hq_vault_identity().call_verify(&mut self.store, req, nonce, conn)
    }
}
