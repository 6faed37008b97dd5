//! Audit events into Workers KV: one key per event under its stream, the core's line as the key's
//! metadata (within KV's 1024 bytes, `model::audit_metadata`), kept 90 days.
//!
//! A Durable Object replaces KV here later (docs/design.md §3.5); until then an event is as
//! durable as a KV write the Worker awaited.

use hq_vault_core::audit::{self, Event};
use hq_vault_core::policy::{Caller, Request, is_company_id};
use worker::kv::KvStore;
use worker::{Context, Result, console_log};

use crate::model;

/// Where an event is filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stream {
    /// A connection's audit (`GET …/connections/{id}/audit` lists it).
    Connection(String),
    /// A company's lifecycle events that name no connection of it.
    Company(String),
    /// The Worker's log only (Workers Logs, `wrangler tail`): events of callers without a usable
    /// credential, which anyone can cause at any rate and which no KV write is spent on.
    Log,
}

impl Stream {
    /// The stream of a lifecycle event: the connection the act found or made in the URL's company,
    /// else that company, else (a company that is no company id) the admin's own company; the log
    /// for an anonymous caller (`summarized`).
    pub fn of(request: &Request, connection: Option<&str>, summarized: bool) -> Stream {
        if summarized {
            return Stream::Log;
        }
        if let Some(id) = connection {
            return Stream::Connection(id.to_owned());
        }
        let own = match &request.caller {
            Caller::CompanyAdmin(a) => Some(a.company_id.as_str()),
            _ => None,
        };
        match request.company.as_deref().into_iter().chain(own).find(|c| is_company_id(c)) {
            Some(c) => Stream::Company(c.to_owned()),
            None => Stream::Log,
        }
    }

    fn prefix(&self) -> Option<String> {
        match self {
            Stream::Connection(id) => Some(model::audit_prefix(id)),
            Stream::Company(c) => Some(model::company_audit_prefix(c)),
            Stream::Log => None,
        }
    }
}

/// Write the event and wait until KV has it. `seq` orders events of one request (0, then 1 for
/// a correction).
pub async fn record(kv: &KvStore, stream: &Stream, ev: &Event, seq: u8) -> Result<()> {
    let Some(prefix) = stream.prefix() else {
        console_log!("audit {}", audit::encode(ev));
        return Ok(());
    };
    let key = model::audit_key(&prefix, ev.time_ms, &ev.request_id, seq);
    kv.put(&key, "")?.metadata(model::audit_metadata(ev))?.expiration_ttl(model::AUDIT_TTL_SECONDS).execute().await?;
    Ok(())
}

/// A read's event, written after the response without delaying it (`waitUntil`), under the
/// connection the key belongs to.
pub fn record_after(kv: &KvStore, wctx: &Context, ev: &Event) {
    if ev.actor == "unknown" {
        // No connection to file it under: unknown keys are not stored (they are not ours to keep).
        return;
    }
    let kv = kv.clone();
    let stream = Stream::Connection(ev.actor.clone());
    let ev = ev.clone();
    wctx.wait_until(async move {
        let _ = record(&kv, &stream, &ev, 0).await;
    });
}
