//! The one writer of `vault.db`: group commit. Every change ([`Daemon::transact`]) is a job on
//! this thread's queue. Jobs that are waiting together share one SQLite transaction, each in a
//! savepoint of its own that is rolled back alone when the core refuses it or it fails; their audit
//! lines go to the audit writer in one go (so one `fsync` makes them durable together); then one
//! commit makes every success visible, and only then is each answered. The order of
//! docs/consistency.md ("no effect before its line is durable") holds for each job as it did
//! when each had a transaction of its own; a counted use costs a share of two `fsync`s instead of
//! two.

use std::sync::{Arc, Weak, mpsc};

use hyper::Response;
use tokio::runtime::Handle;

use super::Daemon;
use super::http::{self, Body};
use super::pipeline::{Acted, Call, Success, respond};
use crate::host::wit::policy::Decision;
use crate::store::VaultDb;

/// What a job does inside the transaction: what happened, or the core's refusal on re-admission.
pub type Act = Box<dyn FnOnce(&Daemon, &Call, &VaultDb) -> Result<Acted, Box<Decision>> + Send>;

/// One change waiting for the writer, and where its answer goes.
pub struct Job {
    pub call: Call,
    pub act: Act,
    pub answer: tokio::sync::oneshot::Sender<Response<Body>>,
}

/// Most jobs in one transaction.
const MAX_BATCH: usize = 64;

/// Start the writer thread for `daemon`; it ends when the daemon (and so the queue's sender) is
/// dropped.
pub fn start(daemon: Weak<Daemon>, queue: mpsc::Receiver<Job>, handle: Handle) -> std::io::Result<()> {
    std::thread::Builder::new().name("vault.db writer".into()).spawn(move || {
        while let Ok(first) = queue.recv() {
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            let Some(d) = daemon.upgrade() else { return };
            run(&d, jobs, &handle);
        }
    })?;
    Ok(())
}

/// A job's way through the batch.
enum Outcome {
    /// Answered already (its line is durable or it had none; nothing of it is in the transaction).
    Done(Response<Body>),
    /// Decided: its line is still to be made durable; `kept` when its savepoint was released
    /// (a success, to be committed with the batch).
    Decided { decision: Decision, body: Option<Success>, kept: bool },
}

/// One batch: one transaction, one batch of audit lines, one commit, then every answer.
fn run(d: &Arc<Daemon>, jobs: Vec<Job>, handle: &Handle) {
    let Ok(store) = d.store.lock() else {
        for j in jobs {
            let _ = j.answer.send(http::internal(&j.call.ctx, "opening a transaction"));
        }
        return;
    };
    if store.begin().is_err() {
        for j in jobs {
            let _ = j.answer.send(http::internal(&j.call.ctx, "opening a transaction"));
        }
        return;
    }
    let mut done = Vec::with_capacity(jobs.len());
    for Job { call, act, answer } in jobs {
        // A job that panics is answered 500 and undone alone; the writer goes on with the others
        // (as a task of its own used to end alone).
        let decided = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decide(d, &call, act, &store, handle)));
        let outcome = decided.unwrap_or_else(|_| {
            let _ = store.rollback_savepoint();
            Outcome::Done(http::internal(&call.ctx, "the write"))
        });
        done.push((call, answer, outcome));
    }
    // Every decided line, in the jobs' order, durable together.
    let lines: Vec<_> = done
        .iter()
        .filter_map(|(_, _, o)| match o {
            Outcome::Decided { decision, .. } => decision.audit.clone().map(|ev| (ev, decision.summarized)),
            Outcome::Done(_) => None,
        })
        .collect();
    let mut recorded = handle.block_on(d.audit.record_all(lines)).into_iter();
    let mut lost = false;
    let mut durable = Vec::with_capacity(done.len());
    for (_, _, o) in &done {
        let ok = match o {
            Outcome::Decided { decision, .. } if decision.audit.is_some() => recorded.next().is_some_and(|r| r.is_ok()),
            _ => true,
        };
        lost |= !ok;
        durable.push(ok);
    }
    // A line that could not be written: nothing of the batch becomes visible. The jobs whose
    // success line was written get a second line saying the change was not made.
    let committed = !lost && store.commit().is_ok();
    if !committed {
        let _ = store.rollback();
    }
    drop(store);
    for ((call, answer, outcome), line_ok) in done.into_iter().zip(durable) {
        let response = match outcome {
            Outcome::Done(r) => r,
            Outcome::Decided { .. } if !line_ok => http::audit_failed(&call.ctx),
            Outcome::Decided { decision, body, kept } => {
                if !kept {
                    respond(&call.ctx, &decision, None)
                } else if committed {
                    respond(&call.ctx, &decision, body)
                } else {
                    let failed = Acted::internal("committing the change to vault.db");
                    if let Ok(dec) = d.conclude(&call, &failed)
                        && let Some(ev) = &dec.audit
                    {
                        let _ = handle.block_on(d.audit.record(ev.clone(), false));
                    }
                    http::internal(&call.ctx, "committing the change to vault.db")
                }
            }
        };
        let _ = answer.send(response);
    }
}

/// Run one job in a savepoint of its own: released for a success, rolled back otherwise.
fn decide(d: &Daemon, call: &Call, act: Act, store: &VaultDb, handle: &Handle) -> Outcome {
    if store.savepoint().is_err() {
        return Outcome::Done(http::internal(&call.ctx, "opening a transaction"));
    }
    let (decision, body) = match act(d, call, store) {
        // A refusal on re-admission inside the transaction is the core's decision too.
        Err(refused) => (*refused, None),
        Ok(acted) => match d.conclude(call, &acted) {
            Ok(dec) => {
                // The daemon's own act on the way (a trap that locked the vault) is recorded first.
                if let Some(act) = &acted.host_act {
                    let recorded = call
                        .core(|i| i.host_event(act, super::now_ms(), &call.ctx.request_id))
                        .is_ok_and(|ev| handle.block_on(d.audit.record(ev, false)).is_ok());
                    if !recorded {
                        let _ = store.rollback_savepoint();
                        return Outcome::Done(http::audit_failed(&call.ctx));
                    }
                }
                (dec, acted.body)
            }
            Err(_) => {
                let _ = store.rollback_savepoint();
                return Outcome::Done(http::internal(&call.ctx, "concluding the request"));
            }
        },
    };
    // Only a success is kept; a refusal or failure leaves nothing behind (a counted use is given
    // back).
    let kept = decision.status < 300 && store.release_savepoint().is_ok();
    if !kept {
        let _ = store.rollback_savepoint();
    }
    Outcome::Decided { decision, body, kept }
}
