//! Health, unlock, lock, passphrase change, and the idle auto-lock.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use hq_vault_core::audit::Outcome;
use hq_vault_core::crypto::CryptoError;
use hyper::Request;
use hyper::Response;
use hyper::body::Incoming;
use serde_json::json;

use super::http::{self, Body, Ctx};
use super::requests::{PassphraseBody, UnlockBody};
use super::{Daemon, now_ms};

pub fn health(d: &Daemon, ctx: &Ctx) -> Response<Body> {
    http::json(
        ctx,
        200,
        &json!({"status": "ok", "locked": !d.is_unlocked(), "version": env!("CARGO_PKG_VERSION"), "idle_lock_seconds": d.idle_lock.as_secs()}),
    )
}

pub async fn unlock(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = d.authenticate_owner(ctx, &req, "unlock").await {
        return r;
    }
    // Already unlocked: answer before the body (the passphrase) is even read.
    if d.is_unlocked() {
        d.touch();
        return http::json(ctx, 200, &json!({"unlocked": true, "already": true}));
    }
    let body: UnlockBody = match http::read_json(ctx, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let vault = match d.db(|s| s.vault()) {
        Ok(Some(v)) => v,
        Ok(None) => {
            return http::error(ctx, 409, "not_initialized", "this vault has no key yet: run `hq-vault init`");
        }
        _ => return http::internal(ctx, "reading the vault key record"),
    };
    // A lock acknowledged from now on wins over this unlock (see `KeyHolder::install`).
    let Ok(epoch) = d.keyholder.lock().map(|k| k.epoch()) else {
        return http::internal(ctx, "reading the key state");
    };
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
            return d
                .refuse(
                    ctx,
                    "bootstrap",
                    "unlock",
                    None,
                    401,
                    "wrong_passphrase",
                    "the passphrase does not unlock this vault: run `hq-vault unlock` and type it again",
                )
                .await;
        }
        Ok(Ok(Err(e))) => {
            return d.refuse(ctx, "bootstrap", "unlock", None, 500, "unlock_failed", &e.to_string()).await;
        }
        _ => return http::internal(ctx, "unlocking"),
    };
    // From now on the audit writer holds the audit key: remember that lines must be keyed.
    if d.db(|s| s.set_meta("audit_keyed", "1")).is_err() {
        return http::internal(ctx, "writing vault.db");
    }
    // The state change and its line happen together: no lock can slip between them.
    let _transition = d.transition.lock().await;
    let lock_won = d.keyholder.lock().map(|k| k.epoch() != epoch).unwrap_or(true);
    if lock_won {
        drop((holder, key));
        return d
            .refuse(
                ctx,
                "bootstrap",
                "unlock",
                None,
                409,
                "locked_meanwhile",
                "the vault was locked while this unlock was deriving the key, and the lock wins: unlock again",
            )
            .await;
    }
    // The line first: a key is never installed without its audit line.
    if d.audit.record(d.event(ctx, "bootstrap", "unlock", None, Outcome::Allowed, 200, None)).await.is_err() {
        drop((holder, key));
        return http::audit_failed(ctx);
    }
    match d.keyholder.lock() {
        Ok(mut kh) => {
            if !kh.install(epoch, holder, key) {
                return http::internal(ctx, "installing the key");
            }
        }
        Err(_) => return http::internal(ctx, "installing the key"),
    }
    d.touch();
    eprintln!("hq-vault: unlocked in {:.2} s", started.elapsed().as_secs_f64());
    http::json(ctx, 200, &json!({"unlocked": true}))
}

pub async fn lock(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = d.authenticate_owner(ctx, &req, "lock").await {
        return r;
    }
    let _transition = d.transition.lock().await;
    // Locking always happens, even if the line cannot be written: dropping the key is safe.
    let was = d.keyholder.lock().map(|mut k| k.lock()).unwrap_or(false);
    if d.audit.record(d.event(ctx, "bootstrap", "lock", None, Outcome::Allowed, 200, None)).await.is_err() {
        return http::audit_failed(ctx);
    }
    http::json(ctx, 200, &json!({"locked": true, "was_unlocked": was}))
}

pub async fn change_passphrase(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>) -> Response<Body> {
    let op = "passphrase-change";
    if let Err(r) = d.authenticate_owner(ctx, &req, op).await {
        return r;
    }
    let body: PassphraseBody = match http::read_json(ctx, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    if body.new.chars().count() < 8 {
        return http::error(ctx, 400, "weak_passphrase", "the new passphrase must be at least 8 characters");
    }
    let vault = match d.db(|s| s.vault()) {
        Ok(Some(v)) => v,
        _ => {
            return http::error(ctx, 409, "not_initialized", "this vault has no key yet: run `hq-vault init`");
        }
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
            return d
                .refuse(
                    ctx,
                    "bootstrap",
                    op,
                    None,
                    401,
                    "wrong_passphrase",
                    "the current passphrase is wrong: nothing was changed",
                )
                .await;
        }
        _ => return http::internal(ctx, "changing the passphrase"),
    };
    if d.audit.record(d.event(ctx, "bootstrap", op, None, Outcome::Allowed, 200, None)).await.is_err() {
        return http::audit_failed(ctx);
    }
    match d.db(|s| s.set_vault(&newer)) {
        Ok(()) => http::json(ctx, 200, &json!({"changed": true, "reencrypted_secrets": 0})),
        _ => http::internal(ctx, "storing the rewrapped key"),
    }
}

/// Lock the vault after `idle_lock` without a vault operation.
pub async fn idle_locker(d: Arc<Daemon>) {
    let tick = (d.idle_lock / 4).clamp(Duration::from_millis(200), Duration::from_secs(15));
    loop {
        tokio::time::sleep(tick).await;
        let idle = now_ms().saturating_sub(d.last_activity.load(Ordering::Relaxed));
        if idle < d.idle_lock.as_millis() as u64 || !d.is_unlocked() {
            continue;
        }
        let _transition = d.transition.lock().await;
        let was = d.keyholder.lock().map(|mut k| k.lock()).unwrap_or(false);
        if was {
            let ctx = Ctx::new(([127, 0, 0, 1], 0).into());
            let _ =
                d.audit.record(d.event(&ctx, "daemon", "auto-lock", None, Outcome::Allowed, 200, Some("idle"))).await;
            eprintln!("hq-vault: locked after {} s without a vault operation", idle / 1000);
        }
    }
}
