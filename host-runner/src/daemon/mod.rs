//! The local daemon: HTTPS on loopback, the component behind a mutex, SQLite, the audit log.
//!
//! One module per concern of the API: `session` (health, unlock, lock, passphrase), `secrets`,
//! `tokens`, `audit`, `connections` (lifecycle) and `files` (the External Connections read routes).

mod audit;
mod auth;
pub mod beneath;
mod connections;
mod files;
mod http;
pub mod listener;
pub mod requests;
mod secrets;
mod session;
mod tokens;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::audit_log::AuditLog;
use crate::home::Home;
use crate::host::{CoreHost, Instance, MasterKey};
use crate::store::Store;
use http::{Body, Ctx};

/// Compare two byte strings in constant time (for URL secrets; tokens go through the core).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// The unlocked key and the one instance that holds it.
struct Unlocked {
    inst: Instance,
    key: MasterKey,
}

/// The vault's key state.
///
/// Locking drops the key-holding instance whole, not just the key resource: its linear memory
/// (where the key and every value it opened were) is unmapped, so no copy of the data key stays
/// in the process. Every lock bumps an epoch; an unlock that began in an older epoch is refused
/// when it tries to install its key, so an acknowledged lock wins over an unlock still deriving.
pub struct KeyHolder {
    unlocked: Option<Unlocked>,
    epoch: u64,
}

impl KeyHolder {
    /// Locked.
    pub fn locked() -> KeyHolder {
        KeyHolder { unlocked: None, epoch: 0 }
    }

    /// Unlocked with `key`, held by `inst` (the first start, which has just created the vault).
    pub fn unlocked(inst: Instance, key: MasterKey) -> KeyHolder {
        KeyHolder { unlocked: Some(Unlocked { inst, key }), epoch: 0 }
    }

    pub fn is_unlocked(&self) -> bool {
        self.unlocked.is_some()
    }

    /// The current lock epoch (pass it back to [`KeyHolder::install`]).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Lock: drop the key and the instance that held it. Returns whether it was unlocked.
    pub fn lock(&mut self) -> bool {
        self.epoch += 1;
        match self.unlocked.take() {
            Some(mut u) => {
                let _ = u.inst.drop_key(u.key);
                drop(u.inst);
                true
            }
            None => false,
        }
    }

    /// Install a key unlocked by an unlock that began at `epoch`. If a lock came since, the key
    /// and its instance are dropped and `false` is returned: the lock wins.
    pub fn install(&mut self, epoch: u64, mut inst: Instance, key: MasterKey) -> bool {
        if epoch != self.epoch {
            let _ = inst.drop_key(key);
            return false;
        }
        self.lock();
        self.epoch = epoch;
        self.unlocked = Some(Unlocked { inst, key });
        true
    }

    /// Run `f` with the key, if unlocked.
    pub fn with_key<T>(&mut self, f: impl FnOnce(&mut Instance, &MasterKey) -> T) -> Option<T> {
        self.unlocked.as_mut().map(|u| f(&mut u.inst, &u.key))
    }
}

/// Everything a request may touch.
pub struct Daemon {
    pub home: Home,
    /// For throwaway instances: Argon2 grows an instance's memory to 256 MiB, and wasm memory
    /// never shrinks, so derivations run in an instance that is dropped afterwards.
    pub host: CoreHost,
    pub keyholder: Mutex<KeyHolder>,
    /// Held while the key state changes (lock, the end of an unlock, idle lock) and its audit
    /// line is written, so the line and the state always agree.
    pub transition: tokio::sync::Mutex<()>,
    /// An instance for key-free work (checks, tokens, the gate).
    pub pool: Mutex<Instance>,
    pub store: Mutex<Store>,
    pub audit: AuditLog,
    pub bootstrap_ref: String,
    /// The files root, opened once at start; objects and listings are reached by descriptor.
    pub files_root: beneath::FilesRoot,
    /// Where the files root is, absolute (what `connection create` tells the person).
    pub files_root_path: PathBuf,
    /// The address the daemon listens on (what the connection snippet's `BASE` names).
    pub listen_addr: SocketAddr,
    pub idle_lock: Duration,
    pub last_activity: AtomicU64,
}

/// How to start the daemon.
pub struct Options {
    pub listen: SocketAddr,
    pub idle_lock: Duration,
    pub files_root: PathBuf,
    /// A key already unlocked (first start: the vault was just created), in `keyholder`.
    pub keyholder: KeyHolder,
    /// Connection cap and timeouts.
    pub limits: listener::Limits,
}

impl Daemon {
    /// Run `f` on the key-free instance.
    pub fn core<T>(&self, f: impl FnOnce(&mut Instance) -> wasmtime::Result<T>) -> Result<T> {
        let mut inst = self.pool.lock().map_err(|_| anyhow::anyhow!("the component instance is poisoned"))?;
        f(&mut inst).map_err(anyhow::Error::from)
    }

    /// Run `f` on the database; the lock is released before this returns (never held across an await).
    pub fn db<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        let store = self.store.lock().map_err(|_| anyhow::anyhow!("the database handle is poisoned"))?;
        f(&store)
    }

    /// Note vault activity (resets the idle-lock timer).
    pub fn touch(&self) {
        self.last_activity.store(now_ms(), Ordering::Relaxed);
    }

    pub fn is_unlocked(&self) -> bool {
        self.keyholder.lock().map(|k| k.is_unlocked()).unwrap_or(false)
    }
}

/// Start serving; returns when the process is asked to stop (the key is dropped first).
pub async fn serve(home: Home, host: CoreHost, opts: Options, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    let store = Store::open(&home.db())?;
    // Once a vault has audited, its log and head must exist: their absence is a deletion.
    let expect = crate::audit_log::Expect::from_store(&store)?;
    let audit = AuditLog::open(&home.audit_log(), &home.audit_head(), &host, expect).await?;
    store.set_meta("audit_started", "1")?;
    let mut keyholder = opts.keyholder;
    if let Some(r) = keyholder.with_key(|inst, key| audit.install_key(inst, key)) {
        r.context("giving the audit writer the vault's audit key")?;
        store.set_meta("audit_keyed", "1")?;
    }
    let tls = crate::tls::server_config(&home)?;
    let mut pool = host.instance()?;

    // A new bootstrap token at every start; only its reference stays in memory.
    let bootstrap = pool.mint(hq_vault_core::tokens::TokenKind::VaultToken).map_err(anyhow::Error::from)?;
    let bootstrap_ref = pool.reference(bootstrap.expose_secret()).map_err(anyhow::Error::from)?;
    crate::home::write_private(&home.token(), format!("{}\n", bootstrap.expose_secret()).as_bytes())
        .context("writing the bootstrap token file")?;
    drop(bootstrap);

    let listener = TcpListener::bind(opts.listen)
        .await
        .with_context(|| format!("listening on {} (is another hq-vault running? try --listen)", opts.listen))?;
    let addr = listener.local_addr()?;
    let files_root = beneath::FilesRoot::open(&opts.files_root)
        .with_context(|| format!("opening the files root {}", opts.files_root.display()))?;
    let files_root_path = std::fs::canonicalize(&opts.files_root).unwrap_or(opts.files_root);
    let daemon = Arc::new(Daemon {
        home,
        host: host.clone(),
        keyholder: Mutex::new(keyholder),
        transition: tokio::sync::Mutex::new(()),
        pool: Mutex::new(pool),
        store: Mutex::new(store),
        audit,
        bootstrap_ref,
        files_root,
        files_root_path,
        listen_addr: addr,
        idle_lock: opts.idle_lock,
        last_activity: AtomicU64::new(now_ms()),
    });
    ready(addr);

    tokio::spawn(session::idle_locker(daemon.clone()));
    tokio::spawn(audit::summarize_anonymous(daemon.clone()));
    let acceptor = TlsAcceptor::from(tls);
    let handler = {
        let daemon = daemon.clone();
        move |req, peer| route(daemon.clone(), req, peer)
    };
    listener::accept_loop(listener, acceptor, opts.limits, handler, shutdown_signal()).await;
    if let Ok(mut k) = daemon.keyholder.lock() {
        k.lock();
    }
    let _ = daemon.audit.flush_anonymous(now_ms(), true).await;
    eprintln!("hq-vault: stopped; the key was dropped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
}

async fn route(d: Arc<Daemon>, req: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
    let ctx = Ctx::new(peer);
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let segs: Vec<&str> = path.trim_start_matches('/').splitn(3, '/').collect();
    match segs.as_slice() {
        ["v1", "health"] => only(&method, &[Method::GET], || session::health(&d, &ctx)),
        ["v1", "unlock"] if method == Method::POST => session::unlock(&d, &ctx, req).await,
        ["v1", "lock"] if method == Method::POST => session::lock(&d, &ctx, req).await,
        ["v1", "passphrase"] if method == Method::POST => session::change_passphrase(&d, &ctx, req).await,
        ["v1", "unlock" | "lock" | "passphrase"] => http::method_not_allowed(&ctx, "POST"),
        ["v1", "secrets"] if method == Method::GET => secrets::list(&d, &ctx, req).await,
        ["v1", "secrets"] => http::method_not_allowed(&ctx, "GET"),
        ["v1", "secrets", rest] => {
            let rest = rest.to_string();
            match method {
                Method::GET => secrets::get(&d, &ctx, req, &rest).await,
                Method::PUT => secrets::put(&d, &ctx, req, &rest).await,
                Method::DELETE => secrets::delete(&d, &ctx, req, &rest).await,
                _ => http::method_not_allowed(&ctx, "GET, PUT, DELETE"),
            }
        }
        ["v1", "tokens"] if method == Method::GET => tokens::list(&d, &ctx, req).await,
        ["v1", "tokens"] if method == Method::POST => tokens::create(&d, &ctx, req).await,
        ["v1", "tokens"] => http::method_not_allowed(&ctx, "GET, POST"),
        ["v1", "tokens", name] if !name.contains('/') && method == Method::DELETE => {
            let name = name.to_string();
            tokens::revoke(&d, &ctx, req, &name).await
        }
        ["v1", "tokens", name] if !name.contains('/') => http::method_not_allowed(&ctx, "DELETE"),
        ["v1", "audit"] if method == Method::GET => audit::read(&d, &ctx, req).await,
        ["v1", "audit"] => http::method_not_allowed(&ctx, "GET"),
        ["v1", "connections", "files"] | ["v1", "connections", "files/object"] => files::read(&d, &ctx, req).await,
        ["v1", "connections"] if method == Method::GET => connections::list(&d, &ctx, req).await,
        ["v1", "connections"] if method == Method::POST => connections::create(&d, &ctx, req).await,
        ["v1", "connections"] => http::method_not_allowed(&ctx, "GET, POST"),
        ["v1", "connections", rest] => {
            let rest = rest.to_string();
            connections::by_id(&d, &ctx, req, &rest).await
        }
        _ => http::error(&ctx, 404, "not_found", "no such route: see the API in the README"),
    }
}

fn only(method: &Method, allowed: &[Method], f: impl FnOnce() -> Response<Body>) -> Response<Body> {
    if allowed.contains(method) {
        f()
    } else {
        let list: Vec<&str> = allowed.iter().map(Method::as_str).collect();
        http::method_not_allowed(&Ctx::new(([127, 0, 0, 1], 0).into()), &list.join(", "))
    }
}
