//! Host side of `hq:vault/audit`.

use hq_vault_core::audit::{ChainError, ChainSummary, ChainedLine, Event, Outcome};
use wasmtime::Result;
use wasmtime::component::ResourceAny;

use super::Instance;
use super::bindings::exports::hq::vault::audit as w;

pub(super) fn event_from_wit(e: w::Event) -> Event {
    Event {
        time_ms: e.time_ms,
        actor: e.actor,
        operation: e.operation,
        path: e.path,
        outcome: match e.outcome {
            w::Outcome::Allowed => Outcome::Allowed,
            w::Outcome::Denied => Outcome::Denied,
            w::Outcome::Failed => Outcome::Failed,
        },
        status: e.status,
        request_id: e.request_id,
        source_ip: e.source_ip,
        reason: e.reason,
    }
}

pub(super) fn event_to_wit(e: &Event) -> w::Event {
    w::Event {
        time_ms: e.time_ms,
        actor: e.actor.clone(),
        operation: e.operation.clone(),
        path: e.path.clone(),
        outcome: match e.outcome {
            Outcome::Allowed => w::Outcome::Allowed,
            Outcome::Denied => w::Outcome::Denied,
            Outcome::Failed => w::Outcome::Failed,
        },
        status: e.status,
        request_id: e.request_id.clone(),
        source_ip: e.source_ip.clone(),
        reason: e.reason.clone(),
    }
}

/// A handle to the vault's audit key inside one instance (its bytes stay in the component).
/// Give it back with [`Instance::drop_audit_key`].
pub struct AuditKey(pub(super) ResourceAny);

fn summary(s: w::ChainSummary) -> ChainSummary {
    ChainSummary { lines: s.lines, head: s.head, keyed: s.keyed, last_keyed: s.last_keyed }
}

fn chain_err(e: w::ChainError) -> ChainError {
    ChainError { line: e.line, reason: e.reason }
}

impl Instance {
    /// One JSON line chained to `prev` and authenticated with the audit key.
    pub fn audit_chain_keyed(&mut self, key: &AuditKey, event: &Event, prev: &str) -> Result<ChainedLine> {
        let c =
            self.exports.hq_vault_audit().audit_key().call_chain(&mut self.store, key.0, &event_to_wit(event), prev)?;
        Ok(ChainedLine { line: c.line, hash: c.hash })
    }

    /// Verify a whole log with the audit key: every link and every MAC.
    pub fn audit_verify_keyed(&mut self, key: &AuditKey, lines: &[String]) -> Result<Result<ChainSummary, ChainError>> {
        let r = self.exports.hq_vault_audit().audit_key().call_verify(&mut self.store, key.0, lines)?;
        Ok(r.map(summary).map_err(chain_err))
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
    pub fn audit_check_anchor(&mut self, key: &AuditKey, anchor: &str) -> Result<Result<(u64, String), ChainError>> {
        let r = self.exports.hq_vault_audit().audit_key().call_check_anchor(&mut self.store, key.0, anchor)?;
        Ok(r.map_err(chain_err))
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
    pub fn audit_summarize(&mut self, lines: &[String]) -> Result<Result<ChainSummary, ChainError>> {
        Ok(self.exports.hq_vault_audit().call_summarize(&mut self.store, lines)?.map(summary).map_err(chain_err))
    }

    /// The `prev` of a log's first line.
    pub fn audit_genesis(&mut self) -> Result<String> {
        self.exports.hq_vault_audit().call_genesis(&mut self.store)
    }

    /// One JSON line chained to the previous line's hash.
    pub fn audit_chain(&mut self, event: &Event, prev: &str) -> Result<ChainedLine> {
        let c = self.exports.hq_vault_audit().call_chain(&mut self.store, &event_to_wit(event), prev)?;
        Ok(ChainedLine { line: c.line, hash: c.hash })
    }

    /// Verify a whole log; the number of lines and the head hash.
    pub fn audit_verify(&mut self, lines: &[String]) -> Result<Result<(u64, String), ChainError>> {
        let r = self.exports.hq_vault_audit().call_verify(&mut self.store, lines)?;
        Ok(r.map_err(|e| ChainError { line: e.line, reason: e.reason }))
    }
}
