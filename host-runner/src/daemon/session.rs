//! Health, unlock, lock, passphrase change (the acts behind the pipeline), and the idle auto-lock.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use hyper::Request;
use hyper::Response;
use hyper::body::Incoming;
use serde_json::json;

use super::http::{self, Body};
use super::pipeline::{self, Acted, Call, Success};
use super::requests::{PassphraseBody, UnlockBody};
use super::{Daemon, now_ms};
use crate::host::wit::audit::HostAct;
use crate::host::wit::crypto::CryptoError;
use crate::host::wit::policy::{Effect, InputKind};

const TOO_LARGE: &str = "the request body is over 2 MiB";

pub async fn health(d: &Arc<Daemon>, call: Call) -> Response<Body> {
    let body = json!({"status": "ok", "locked": !d.is_unlocked(), "version": env!("CARGO_PKG_VERSION"),
                      "idle_lock_seconds": d.idle_lock.map(|i| i.as_secs())});
    d.finish(&call, Acted::done(Effect::Done, Success::Json(body))).await
}

pub async fn unlock(d: &Arc<Daemon>, call: Call, req: Request<Incoming>) -> Response<Body> {
    // Already unlocked: answer before the body (the passphrase) is even read.
    if d.is_unlocked() {
        d.touch();
        return d
            .finish(&call, Acted::done(Effect::Done, Success::Json(json!({"unlocked": true, "already": true}))))
            .await;
    }
    let body: UnlockBody = match pipeline::body(req, http::MAX_BODY, TOO_LARGE).await {
        Ok(b) => b,
        Err(a) => return d.finish(&call, a).await,
    };
    let vault = match d.db(|s| s.vault()) {
        Ok(Some(v)) => v,
        Ok(None) => return d.finish(&call, Acted::failed(Effect::NotInitialized)).await,
        Err(_) => return d.finish(&call, Acted::internal("reading the vault key record")).await,
    };
    // A lock acknowledged from now on wins over this unlock (see `KeyHolder::install`).
    let epoch = d.keyholder.epoch();
    eprintln!(
        "hq-vault: unlocking: deriving the key (Argon2id, t={}, {} MiB)…",
        vault.params.t_cost,
        vault.params.m_cost_kib / 1024
    );
    let started = Instant::now();
    let host = d.host.clone();
    let audit = d.audit.clone();
    let derived = tokio::task::spawn_blocking(move || {
        // Derive in a throwaway instance, then move the key into a fresh one that will hold it:
        // the 256 MiB Argon2 needs goes with the throwaway, and the key never leaves a component.
        let mut tmp = host.instance()?;
        let key = match tmp.unlock(&body.passphrase, &vault.params, &vault.wrapped_key).map_err(anyhow::Error::from)? {
            Ok(k) => k,
            Err(e) => return Ok(Err(e)),
        };
        drop(body);
        // The audit writer gets the audit key (not the data key): from now on lines carry a MAC.
        let _problems = audit.install_key(&mut tmp, &key)?;
        let mut holder = host.instance()?;
        let r = holder.receive_key(&mut tmp, key).map_err(anyhow::Error::from)?;
        Ok::<_, anyhow::Error>(r.map(|k| (holder, k)))
    })
    .await;
    let (holder, key) = match derived {
        Ok(Ok(Ok(k))) => k,
        Ok(Ok(Err(CryptoError::WrongPassphrase))) => {
            return d.finish(&call, Acted::failed(Effect::WrongPassphrase)).await;
        }
        _ => return d.finish(&call, Acted::internal("unlocking")).await,
    };
    // From now on the audit writer holds the audit key: its opening line is durable first, then
    // vault.db remembers that lines must be keyed.
    if d.audit.write_opening(call.ctx.now_ms, &call.ctx.request_id).await.is_err() {
        return d.finish(&call, Acted::internal("writing the audit log")).await;
    }
    if d.db(|s| s.set_meta("audit_keyed", "1")).is_err() {
        return d.finish(&call, Acted::internal("writing vault.db")).await;
    }
    // The state change and its line happen together: no lock can slip between them.
    let _transition = d.transition.lock().await;
    let lock_won = d.keyholder.epoch() != epoch;
    if lock_won {
        drop((holder, key));
        return d.finish(&call, Acted::failed(Effect::LockedMeanwhile)).await;
    }
    // The line first: a key is never installed without its audit line.
    let acted = Acted::done(Effect::Done, Success::Json(json!({"unlocked": true})));
    let decision = match d.conclude(&call, &acted) {
        Ok(dec) => dec,
        Err(_) => return http::internal(&call.ctx, "concluding the unlock"),
    };
    if let Some(ev) = &decision.audit
        && d.audit.record(ev.clone(), false).await.is_err()
    {
        drop((holder, key));
        return http::audit_failed(&call.ctx);
    }
    if !d.keyholder.install(epoch, holder, key).await {
        return http::internal(&call.ctx, "installing the key");
    }
    d.touch();
    eprintln!("hq-vault: unlocked in {:.2} s", started.elapsed().as_secs_f64());
    pipeline::respond(&call.ctx, &decision, acted.body)
}

pub async fn lock(d: &Arc<Daemon>, call: Call) -> Response<Body> {
    let _transition = d.transition.lock().await;
    // Locking always happens, even if the line cannot be written: dropping the key is safe.
    let was = d.keyholder.drop_key().await;
    let acted = Acted::done(Effect::Done, Success::Json(json!({"locked": true, "was_unlocked": was})));
    let decision = match d.conclude(&call, &acted) {
        Ok(dec) => dec,
        Err(_) => return http::internal(&call.ctx, "concluding the lock"),
    };
    if let Some(ev) = &decision.audit
        && d.audit.record(ev.clone(), false).await.is_err()
    {
        // Unlike every other refusal for this reason, the lock did happen: say so.
        return http::error(
            &call.ctx,
            503,
            "audit_unavailable",
            "the vault is locked (a lock is always done), but its audit line could not be written: \
             check free space and the permissions of audit.log",
        );
    }
    pipeline::respond(&call.ctx, &decision, acted.body)
}

pub async fn change_passphrase(d: &Arc<Daemon>, call: Call, req: Request<Incoming>) -> Response<Body> {
    let body: PassphraseBody = match pipeline::body(req, http::MAX_BODY, TOO_LARGE).await {
        Ok(b) => b,
        Err(a) => return d.finish(&call, a).await,
    };
    // One change at a time, like every key-state change: a second change racing this one checks
    // its old passphrase against the record this one writes, so both cannot answer 200.
    let _transition = d.transition.lock().await;
    if body.new.chars().count() < 8 || body.new.trim().is_empty() {
        return d
            .finish(
                &call,
                Acted::input(
                    InputKind::WeakPassphrase,
                    "the new passphrase must be at least 8 characters, not only spaces",
                ),
            )
            .await;
    }
    let vault = match d.db(|s| s.vault()) {
        Ok(Some(v)) => v,
        Ok(None) => return d.finish(&call, Acted::failed(Effect::NotInitialized)).await,
        Err(_) => return d.finish(&call, Acted::internal("reading the vault key record")).await,
    };
    let d2 = d.clone();
    let rewrapped = tokio::task::spawn_blocking(move || {
        let mut tmp = d2.host.instance()?;
        let old = match tmp.unlock(&body.old, &vault.params, &vault.wrapped_key).map_err(anyhow::Error::from)? {
            Ok(k) => k,
            Err(e) => return Ok(Err(e)),
        };
        let p = &vault.params;
        let r = tmp.rewrap(&old, &body.new, p.t_cost, p.m_cost_kib, p.p_cost).map_err(anyhow::Error::from);
        let _ = tmp.drop_key(old);
        r
    })
    .await;
    let newer = match rewrapped {
        Ok(Ok(Ok(v))) => v,
        Ok(Ok(Err(CryptoError::WrongPassphrase))) => {
            return d.finish(&call, Acted::failed(Effect::WrongPassphrase)).await;
        }
        _ => return d.finish(&call, Acted::internal("changing the passphrase")).await,
    };
    d.transact(call, move |_, _, store| {
        Ok(match store.set_vault(&newer) {
            Ok(()) => Acted::done(Effect::Done, Success::Json(json!({"changed": true, "reencrypted_secrets": 0}))),
            Err(_) => Acted::internal("storing the rewrapped key"),
        })
    })
    .await
}

/// Lock the vault after `idle_lock` without a vault operation (never, when it is `None`).
pub async fn idle_locker(d: Arc<Daemon>) {
    let Some(idle_lock) = d.idle_lock else { return };
    let tick = (idle_lock / 4).clamp(Duration::from_millis(200), Duration::from_secs(15));
    loop {
        tokio::time::sleep(tick).await;
        let idle = now_ms().saturating_sub(d.last_activity.load(Ordering::Relaxed));
        if idle < idle_lock.as_millis() as u64 || !d.is_unlocked() {
            continue;
        }
        let _transition = d.transition.lock().await;
        let was = d.keyholder.drop_key().await;
        if was {
            // Not a request: the daemon's own act, whose line the core writes.
            if let Err(e) = d.record_host_act(&HostAct::IdleLock).await {
                eprintln!("hq-vault: the idle lock's audit line could not be written: {e:#}");
            }
            eprintln!("hq-vault: locked after {} s without a vault operation", idle / 1000);
        }
    }
}
