//! Host side of `hq:vault/audit`.

use hq_vault_core::audit::{ChainError, ChainedLine, Event, Outcome};
use wasmtime::Result;

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

impl Instance {
    /// The `prev` of a log's first line.
    pub fn audit_genesis(&mut self) -> Result<String> {
        self.core.hq_vault_audit().call_genesis(&mut self.store)
    }

    /// One JSON line chained to the previous line's hash.
    pub fn audit_chain(&mut self, event: &Event, prev: &str) -> Result<ChainedLine> {
        let c = self.core.hq_vault_audit().call_chain(&mut self.store, &event_to_wit(event), prev)?;
        Ok(ChainedLine { line: c.line, hash: c.hash })
    }

    /// Verify a whole log; the number of lines and the head hash.
    pub fn audit_verify(&mut self, lines: &[String]) -> Result<Result<(u64, String), ChainError>> {
        let r = self.core.hq_vault_audit().call_verify(&mut self.store, lines)?;
        Ok(r.map_err(|e| ChainError { line: e.line, reason: e.reason }))
    }
}
