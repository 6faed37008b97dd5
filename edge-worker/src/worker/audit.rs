//! Where a lifecycle refusal's event goes: the company's object (its own stream, `crate::company`)
//! or, for callers without a usable credential, the Worker's log. Every other event is appended by
//! the company's object in the same step as the read or the act it records.

use hq_vault_core::audit::{self, Event};
use hq_vault_core::policy::{Caller, Request, is_company_id};
use worker::{Env, Result, console_log};

use super::object;
use crate::company::RecordCall;

/// Where an event is filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stream {
    /// A company's own stream in its object: lifecycle events that name no connection of it.
    Company(String),
    /// The Worker's log only (Workers Logs, `wrangler tail`): events of callers without a usable
    /// credential, which anyone can cause at any rate and which no storage write is spent on.
    Log,
}

impl Stream {
    /// The stream of a refusal: the company the URL names, else (a company that is no company id)
    /// the admin's own company; the log for an anonymous caller (`summarized`).
    pub fn of(request: &Request, summarized: bool) -> Stream {
        if summarized {
            return Stream::Log;
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
}

/// File the event and wait until the company's object has stored it.
pub async fn record(env: &Env, stream: &Stream, ev: &Event) -> Result<()> {
    match stream {
        Stream::Log => {
            console_log!("audit {}", audit::encode(ev));
            Ok(())
        }
        Stream::Company(c) => {
            let call = RecordCall { connection: None, event: ev.clone() };
            object::call::<_, serde_json::Value>(env, c, "record", &call).await.map(|_| ())
        }
    }
}
