//! Host side of `hq:vault/audit`.

use wasmtime::Result;
use wasmtime::component::ResourceAny;

use super::Instance;
use super::bindings::exports::hq::vault::audit as w;

/// A handle to the vault's audit key inside one instance (its bytes stay in the component).
/// Give it back with [`Instance::drop_audit_key`].
pub struct AuditKey(pub(super) ResourceAny);

impl Instance {
    /// One JSON line chained to `prev` and authenticated with the audit key.
    pub fn audit_chain_keyed(&mut self, key: &AuditKey, event: &w::Event, prev: &str) -> Result<w::ChainedLine> {
        self.exports.hq_vault_audit().audit_key().call_chain(&mut self.store, key.0, event, prev)
    }

    /// Verify a whole log with the audit key: every link and every MAC.
    pub fn audit_verify_keyed(
        &mut self,
        key: &AuditKey,
        lines: &[String],
    ) -> Result<Result<w::ChainSummary, w::ChainError>> {
        self.exports.hq_vault_audit().audit_key().call_verify(&mut self.store, key.0, lines)
    }

    /// The MAC of a head (`lines` lines ending with the line whose hash is `hash`).
    pub fn audit_head_mac(&mut self, key: &AuditKey, lines: u64, hash: &str) -> Result<String> {
        self.exports.hq_vault_audit().audit_key().call_head_mac(&mut self.store, key.0, lines, hash)
    }

    /// An anchor `hqva1:<lines>:<hash>:<mac>` for a person to keep elsewhere.
    pub fn audit_anchor(&mut self, key: &AuditKey, lines: u64, hash: &str) -> Result<String> {
        self.exports.hq_vault_audit().audit_key().call_anchor(&mut self.store, key.0, lines, hash)
    }

    /// Check an anchor's MAC; its line count and hash.
    pub fn audit_check_anchor(&mut self, key: &AuditKey, anchor: &str) -> Result<Result<(u64, String), w::ChainError>> {
        self.exports.hq_vault_audit().audit_key().call_check_anchor(&mut self.store, key.0, anchor)
    }

    /// For known-answer tests: the audit key of a raw data key.
    pub fn audit_key_from_data_key(&mut self, data_key: &[u8]) -> Result<Option<AuditKey>> {
        Ok(self.exports.hq_vault_audit().audit_key().call_from_data_key(&mut self.store, data_key)?.map(AuditKey))
    }

    /// Drop an audit key: the component zeroizes it.
    pub fn drop_audit_key(&mut self, key: AuditKey) -> Result<()> {
        key.0.resource_drop(&mut self.store)
    }

    /// Verify a log's links without the key, with the counts of keyed lines.
    pub fn audit_summarize(&mut self, lines: &[String]) -> Result<Result<w::ChainSummary, w::ChainError>> {
        self.exports.hq_vault_audit().call_summarize(&mut self.store, lines)
    }

    /// The `prev` of a log's first line.
    pub fn audit_genesis(&mut self) -> Result<String> {
        self.exports.hq_vault_audit().call_genesis(&mut self.store)
    }

    /// One JSON line chained to the previous line's hash.
    pub fn audit_chain(&mut self, event: &w::Event, prev: &str) -> Result<w::ChainedLine> {
        self.exports.hq_vault_audit().call_chain(&mut self.store, event, prev)
    }

    /// Verify a whole log; the number of lines and the head hash.
    pub fn audit_verify(&mut self, lines: &[String]) -> Result<Result<(u64, String), w::ChainError>> {
        self.exports.hq_vault_audit().call_verify(&mut self.store, lines)
    }

    /// The audit event of the host's own act (a break or resume line, an auto-lock, a summary of
    /// failed authentications): the core writes it, as it writes every request's.
    pub fn host_event(&mut self, act: &w::HostAct, time_ms: u64, request_id: &str) -> Result<w::Event> {
        self.exports.hq_vault_audit().call_host_event(&mut self.store, act, time_ms, request_id)
    }
}
