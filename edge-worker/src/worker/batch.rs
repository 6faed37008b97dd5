//! Group commit at the edge: the reads of one company that wait in this isolate at the same time
//! share one call to the company's object (`/reads`), which decides each with the core's `gate`
//! and appends each one's event, in order, in one step.
//!
//! A read joins its company's queue. If the company has no leader, it leads: it sends the calls
//! (in its request's `waitUntil`, so that its client going away does not strand the others), each
//! with the reads queued by then, at most [`MAX_BATCH`], and the reads that queue while a call is
//! in flight go in the next one. A leader sends calls for at most [`LEAD_MS`] and [`LEAD_CALLS`]
//! calls (each is a subrequest of its request); then the reads still queued start again, and the
//! first back leads from its own request. A call the object does not answer within [`CALL_MS`]
//! is given up: its reads are answered 503. A leader that has led longer than [`STALE_MS`] (its
//! `waitUntil` was cut short) is replaced by the next read that finds it so. A read never sent
//! within [`GIVE_UP_MS`] leaves the queue undecided and is answered 503.
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

/// How long the leader waits for the object to answer one call, in ms; then the call's reads are
/// answered 503 `company_unavailable` (the object may still decide and file them: docs/consistency.md).
pub const CALL_MS: u64 = 10_000;

/// How long one leader goes on sending calls for the reads that queue behind it, in ms, and how
/// many calls at most (each call is a subrequest of the leader's request).
pub const LEAD_MS: u64 = 2_000;
pub const LEAD_CALLS: u32 = 16;

/// A leader that has led longer than this, in ms, is taken for gone (its request's `waitUntil` was
/// cut short): the next read that finds it so leads instead.
pub const STALE_MS: u64 = LEAD_MS + CALL_MS + 5_000;

/// How often a waiting read looks at its queue, in ms; and how long it waits in all before it is
/// answered 503 `company_unavailable`.
pub const CHECK_MS: u64 = 5_000;
pub const GIVE_UP_MS: u64 = 30_000;

/// What a waiting read is told.
#[derive(Serialize, Deserialize)]
enum Delivery {
    Verdict(ReadVerdict),
    /// Join the queue again (the leader stopped leading).
    Again,
    /// The object did not decide this read (no answer in time, or it failed before this read).
    Unavailable,
}

struct Waiting {
    /// Which read this is (to find it in the queue).
    id: u64,
    call: ReadCall,
    /// The `resolve` of the promise the read awaits, made in the read's own request.
    resolve: Function,
}

/// The read leading a company's calls: which one (a leader that finds another generation in
/// charge stops) and since when (Unix ms).
struct Lead {
    generation: u64,
    since_ms: u64,
}

#[derive(Default)]
struct Queue {
    lead: Option<Lead>,
    waiting: Vec<Waiting>,
}

thread_local! {
    static NEXT: Cell<u64> = const { Cell::new(0) };
    /// Company id → its queue. Only companies with a leader or reads waiting have one.
    static QUEUES: RefCell<HashMap<String, Queue>> = RefCell::new(HashMap::new());
}

fn next_id() -> u64 {
    NEXT.with(|n| {
        let id = n.get().wrapping_add(1);
        n.set(id);
        id
    })
}

fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

/// The object's verdict on `call`, decided and audited in company `company`'s object. `None` when
/// the object did not decide it (the caller answers 503).
pub async fn decide(env: &Env, wctx: &Context, company: &str, call: ReadCall) -> Result<Option<ReadVerdict>> {
    let start = now_ms();
    loop {
        // Back from `Again` after the time allowed: not queued again, never decided.
        if now_ms().saturating_sub(start) >= GIVE_UP_MS {
            return Ok(None);
        }
        let mut resolve = None;
        let promise = Promise::new(&mut |res, _rej| resolve = Some(res));
        let resolve = resolve.ok_or_else(|| worker::Error::RustError("a promise without its resolve".into()))?;
        let id = next_id();
        let lead = QUEUES.with_borrow_mut(|queues| {
            let q = queues.entry(company.to_owned()).or_default();
            q.waiting.push(Waiting { id, call: call.clone(), resolve });
            take_lead(q)
        });
        if let Some(generation) = lead {
            wctx.wait_until(lead_calls(env.clone(), company.to_owned(), generation));
        }
        let mut answer = JsFuture::from(promise);
        loop {
            // The timer is this request's own pending event: workerd takes a request that awaits
            // another request's promise, and nothing else, for hung.
            // Look again every CHECK_MS, and at GIVE_UP_MS and GIVE_UP_MS + CALL_MS exactly.
            let elapsed = now_ms().saturating_sub(start);
            let until = if elapsed < GIVE_UP_MS { GIVE_UP_MS } else { GIVE_UP_MS + CALL_MS };
            let left = until.saturating_sub(elapsed);
            match select(answer, Delay::from(Duration::from_millis(CHECK_MS.min(left).max(1)))).await {
                Either::Left((value, _)) => {
                    let text = value.map_err(worker::Error::from)?.as_string().unwrap_or_default();
                    match serde_json::from_str::<Delivery>(&text)? {
                        Delivery::Verdict(v) => return Ok(Some(v)),
                        Delivery::Unavailable => return Ok(None),
                        Delivery::Again => break,
                    }
                }
                Either::Right((_, pending)) => {
                    answer = pending;
                    let waited = now_ms().saturating_sub(start);
                    let (queued, lead) = QUEUES.with_borrow_mut(|queues| match queues.get_mut(company) {
                        Some(q) if q.waiting.iter().any(|w| w.id == id) => {
                            if waited >= GIVE_UP_MS {
                                // Never sent: it leaves the queue undecided, with no event.
                                q.waiting.retain(|w| w.id != id);
                                (true, None)
                            } else {
                                (true, take_lead(q))
                            }
                        }
                        _ => (false, None),
                    });
                    if let Some(generation) = lead {
                        wctx.wait_until(lead_calls(env.clone(), company.to_owned(), generation));
                    }
                    // In a call: the leader answers it within CALL_MS, unless the leader is gone.
                    if waited >= GIVE_UP_MS && (queued || waited >= GIVE_UP_MS + CALL_MS) {
                        return Ok(None);
                    }
                }
            }
        }
    }
}

/// Become the queue's leader if it has none, or if its leader is stale: the new generation.
fn take_lead(q: &mut Queue) -> Option<u64> {
    let now = now_ms();
    if q.lead.as_ref().is_some_and(|l| now.saturating_sub(l.since_ms) < STALE_MS) {
        return None;
    }
    let generation = next_id();
    q.lead = Some(Lead { generation, since_ms: now });
    Some(generation)
}

/// Whether `generation` still leads `company`'s queue.
fn leads(company: &str, generation: u64) -> bool {
    QUEUES.with_borrow(|queues| {
        queues.get(company).and_then(|q| q.lead.as_ref()).is_some_and(|l| l.generation == generation)
    })
}

/// Send calls for the company's queued reads until none wait, [`LEAD_MS`] has passed or
/// [`LEAD_CALLS`] were sent; then the reads still waiting start again.
async fn lead_calls(env: Env, company: String, generation: u64) {
    let start = now_ms();
    let mut calls_sent = 0;
    while leads(&company, generation) {
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
        let sent = Box::pin(send(&env, &company, calls));
        calls_sent += 1;
        let verdicts = match select(sent, Delay::from(Duration::from_millis(CALL_MS))).await {
            Either::Left((Ok(v), _)) if v.len() <= n => v,
            _ => Vec::new(),
        };
        let mut deliveries: Vec<Delivery> = verdicts.into_iter().map(Delivery::Verdict).collect();
        deliveries.resize_with(n, || Delivery::Unavailable);
        for (resolve, d) in resolvers.iter().zip(deliveries) {
            deliver(resolve, &d);
        }
        if now_ms().saturating_sub(start) >= LEAD_MS || calls_sent >= LEAD_CALLS {
            break;
        }
    }
    // Step down, unless another generation already leads; the reads still queued start again.
    let rest = QUEUES.with_borrow_mut(|queues| {
        let Some(q) = queues.get_mut(&company) else { return Vec::new() };
        if q.lead.as_ref().is_none_or(|l| l.generation != generation) {
            return Vec::new();
        }
        queues.remove(&company).map(|q| q.waiting).unwrap_or_default()
    });
    for w in &rest {
        deliver(&w.resolve, &Delivery::Again);
    }
}

/// One shared call: the verdicts of the reads decided, in order. An object still running a Worker
/// version from before shared calls (404 for `/reads`) is asked one read at a time (`/read`).
async fn send(env: &Env, company: &str, calls: Vec<ReadCall>) -> Result<Vec<ReadVerdict>> {
    let call = ReadsCall { calls };
    if let Some(r) = object::call_if_known::<_, ReadsReply>(env, company, "reads", &call).await? {
        return Ok(r.verdicts);
    }
    let mut verdicts = Vec::with_capacity(call.calls.len());
    for one in &call.calls {
        match object::call::<_, ReadVerdict>(env, company, "read", one).await {
            Ok(v) => verdicts.push(v),
            Err(_) => break,
        }
    }
    Ok(verdicts)
}

fn deliver(resolve: &Function, d: &Delivery) {
    let text = serde_json::to_string(d).unwrap_or_default();
    // A read whose request has ended is resolved all the same; workerd drops its continuation.
    let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(&text));
}
