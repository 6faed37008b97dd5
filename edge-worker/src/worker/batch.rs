//! Group commit at the edge: the reads of one company that wait in this isolate at the same time
//! share one call to the company's object (`/reads`), which decides each with the core's `gate`
//! and appends each one's event, in order, in one step.
//!
//! A read joins its company's queue. If no call of that company is in flight, it leads: it starts
//! the call (in its request's `waitUntil`, so that its client going away does not strand the
//! others) with every read queued by then, at most [`MAX_BATCH`]. Reads that arrive while a call is
//! in flight wait for it to return and go in the next one, which the same leader sends. A leader
//! sends calls for at most [`LEAD_MS`]; then the reads still queued start again, and the first
//! back leads from its own request.
//!
//! Each read waits on a JavaScript promise made in its own request and resolved by the leader:
//! workerd runs the continuation in the request that awaited it, so a read never touches another
//! request's I/O. What crosses is a string: the read's own verdict, "start again" or "the object
//! did not answer".
//!
//! What holds is what holds for one read a call (docs/design.md §3.5): a read queued after a
//! revoke or rotate returned is in a call sent after it, so the object refuses the old key; each
//! read's event is appended in the call that decides it.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::Duration;

use futures_util::future::{Either, select};

use js_sys::{Function, Promise};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use worker::{Context, Delay, Env, Result};

use super::object;
use crate::company::{ReadCall, ReadVerdict, ReadsCall, ReadsReply};

/// The most reads one call carries.
pub const MAX_BATCH: usize = 64;

/// How long a read waits for its verdict, in ms, before it is answered 503 `company_unavailable`.
pub const WAIT_MS: u64 = 20_000;

/// How long one leader goes on sending calls for the reads that queue behind it, in ms (well
/// within the 30 s a Worker's `waitUntil` may run after its response).
pub const LEAD_MS: u64 = 2_000;

/// What a waiting read is told.
#[derive(Serialize, Deserialize)]
enum Delivery {
    Verdict(ReadVerdict),
    /// Join the queue again (the leader stopped leading).
    Again,
    /// The object did not answer the call that carried this read.
    Unavailable,
}

struct Waiting {
    /// Which read this is (to leave the queue).
    id: u64,
    call: ReadCall,
    /// The `resolve` of the promise the read awaits, made in the read's own request.
    resolve: Function,
}

#[derive(Default)]
struct Queue {
    in_flight: bool,
    waiting: Vec<Waiting>,
}

thread_local! {
    static NEXT: Cell<u64> = const { Cell::new(0) };
    /// Company id → its queue. Only companies with a call in flight or reads waiting have one.
    static QUEUES: RefCell<HashMap<String, Queue>> = RefCell::new(HashMap::new());
}

/// The object's verdict on `call`, decided and audited in company `company`'s object. `None` when
/// the object did not answer within [`WAIT_MS`] (the caller answers 503).
pub async fn decide(env: &Env, wctx: &Context, company: &str, call: ReadCall) -> Result<Option<ReadVerdict>> {
    let start = worker::Date::now().as_millis();
    loop {
        let mut resolve = None;
        let promise = Promise::new(&mut |res, _rej| resolve = Some(res));
        let resolve = resolve.ok_or_else(|| worker::Error::RustError("a promise without its resolve".into()))?;
        let id = NEXT.with(|n| n.replace(n.get().wrapping_add(1)));
        let lead = QUEUES.with_borrow_mut(|queues| {
            let q = queues.entry(company.to_owned()).or_default();
            q.waiting.push(Waiting { id, call: call.clone(), resolve });
            !std::mem::replace(&mut q.in_flight, true)
        });
        if lead {
            wctx.wait_until(lead_calls(env.clone(), company.to_owned()));
        }
        // The timer is this request's own pending event: workerd does not take a request that
        // awaits another request's promise, and nothing else, for hung.
        let left = WAIT_MS.saturating_sub(worker::Date::now().as_millis().saturating_sub(start));
        let timer = Delay::from(Duration::from_millis(left));
        match select(JsFuture::from(promise), timer).await {
            Either::Left((value, _)) => {
                let text = value.map_err(worker::Error::from)?.as_string().unwrap_or_default();
                match serde_json::from_str::<Delivery>(&text)? {
                    Delivery::Verdict(v) => return Ok(Some(v)),
                    Delivery::Unavailable => return Ok(None),
                    Delivery::Again => continue,
                }
            }
            Either::Right(_) => {
                // Still queued: leave the queue. Already in a call: its verdict is not waited for.
                QUEUES.with_borrow_mut(|queues| {
                    if let Some(q) = queues.get_mut(company) {
                        q.waiting.retain(|w| w.id != id);
                    }
                });
                return Ok(None);
            }
        }
    }
}

/// Send calls for the company's queued reads until none wait or [`LEAD_MS`] has passed; then the
/// reads still waiting start again.
async fn lead_calls(env: Env, company: String) {
    let start = worker::Date::now().as_millis();
    loop {
        let batch: Vec<Waiting> = QUEUES.with_borrow_mut(|queues| match queues.get_mut(&company) {
            Some(q) => {
                let n = q.waiting.len().min(MAX_BATCH);
                q.waiting.drain(..n).collect()
            }
            None => Vec::new(),
        });
        if batch.is_empty() {
            break;
        }
        let (calls, resolvers): (Vec<ReadCall>, Vec<Function>) = batch.into_iter().map(|w| (w.call, w.resolve)).unzip();
        let n = calls.len();
        let reply: Result<ReadsReply> = object::call(&env, &company, "reads", &ReadsCall { calls }).await;
        let mut verdicts = match reply {
            Ok(r) if r.verdicts.len() == n => r.verdicts.into_iter().map(Delivery::Verdict).collect(),
            _ => Vec::new(),
        };
        verdicts.resize_with(n, || Delivery::Unavailable);
        for (resolve, d) in resolvers.iter().zip(verdicts) {
            deliver(resolve, &d);
        }
        if worker::Date::now().as_millis().saturating_sub(start) >= LEAD_MS {
            break;
        }
    }
    let rest = QUEUES.with_borrow_mut(|queues| queues.remove(&company).map(|q| q.waiting).unwrap_or_default());
    for w in &rest {
        deliver(&w.resolve, &Delivery::Again);
    }
}

fn deliver(resolve: &Function, d: &Delivery) {
    let text = serde_json::to_string(d).unwrap_or_default();
    // A read whose request has ended is resolved all the same; workerd drops its continuation.
    let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(&text));
}
