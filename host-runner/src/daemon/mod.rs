//! The local daemon: HTTPS on loopback, the component behind a mutex, SQLite, the audit log.
//!
//! Every vault API request goes through one pipeline (`pipeline`: route table → authenticate →
//! the core's policy → act → audit → respond); one module per concern holds the acts: `session`
//! (health, unlock, lock, passphrase), `secrets`, `tokens`, `audit`, `connections` (lifecycle).
//! `files` serves the External Connections read routes on the core's `gate` decision.

mod audit;
pub mod beneath;
mod connections;
mod files;
mod http;
mod key_holder;
pub mod listener;
mod pipeline;
pub mod requests;
pub use key_holder::{KeyError, KeyHolder};
mod identity;
mod network;
mod secrets;
mod session;
mod tokens;
mod writer;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use hyper::body::Incoming;
use hyper::{Request, Response};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::audit_log::AuditLog;
use crate::home::Home;
use crate::host::CoreHost;
use crate::store::VaultDb;
use http::{Body, Channel, Ctx};

/// Compare two byte strings in constant time (for URL secrets; tokens go through the core).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Everything a request may touch.
pub struct Daemon {
    pub home: Home,
    /// The component, ready to instantiate: every piece of key-free work runs on a short-lived
    /// instance of its own (wasmtime's pooling allocator makes that cheap), and derivations run in
    /// one that is dropped afterwards (Argon2 grows its memory to 256 MiB).
    pub host: CoreHost,
    /// The key, held by one instance on its own thread.
    pub keyholder: KeyHolder,
    /// Held while the key state changes (lock, the end of an unlock, idle lock) and its audit
    /// line is written, so the line and the state always agree.
    pub transition: tokio::sync::Mutex<()>,
    pub store: Mutex<VaultDb>,
    /// The queue of the one writer of `vault.db` (group commit; `writer`).
    writes: std::sync::mpsc::Sender<writer::Job>,
    pub audit: AuditLog,
    /// The bootstrap token's reference; none in network mode, which makes no bootstrap token.
    pub bootstrap_ref: Option<String>,
    /// Network mode (`serve --network`): the listener takes identity sessions only, and the
    /// home's owner is served on the home socket.
    pub network: bool,
    /// The files root, opened once at start; objects and listings are reached by descriptor.
    pub files_root: beneath::FilesRoot,
    /// Where the files root is, absolute (what `connection create` tells the person).
    pub files_root_path: PathBuf,
    /// The address the daemon listens on (what the connection snippet's `BASE` names).
    pub listen_addr: SocketAddr,
    /// Lock after this long without a vault operation; `None`: never (`--idle-lock off`).
    pub idle_lock: Option<Duration>,
    pub last_activity: AtomicU64,
}

/// How to start the daemon.
pub struct Options {
    /// The socket, bound before anything else was done, so that a busy address fails a start
    /// that has not yet touched the home.
    pub listener: std::net::TcpListener,
    /// `None`: no idle lock.
    pub idle_lock: Option<Duration>,
    pub files_root: PathBuf,
    /// A key already unlocked (first start: the vault was just created), in `keyholder`.
    pub keyholder: KeyHolder,
    /// Connection cap and timeouts.
    pub limits: listener::Limits,
    /// Network mode: the home socket (`serve.sock`, bound in the 0700 home), where the home's
    /// owner is served with no token; the main listener then takes identity sessions only, and
    /// no bootstrap token is made.
    pub home_socket: Option<std::os::unix::net::UnixListener>,
    /// The certificate and key served instead of the home's self-made ones (`--tls-cert`,
    /// `--tls-key`), PEM files.
    pub tls_files: Option<(PathBuf, PathBuf)>,
}

impl Daemon {
    /// Run `f` on the database; the lock is released before this returns (never held across an await).
    pub fn db<T>(&self, f: impl FnOnce(&VaultDb) -> Result<T>) -> Result<T> {
        let store = self.store.lock().map_err(|_| anyhow::anyhow!("the database handle is poisoned"))?;
        f(&store)
    }

    /// Note vault activity (resets the idle-lock timer).
    pub fn touch(&self) {
        self.last_activity.store(now_ms(), Ordering::Relaxed);
    }

    pub fn is_unlocked(&self) -> bool {
        self.keyholder.is_unlocked()
    }
}

/// Start serving; returns when the process is asked to stop (SIGINT or SIGTERM; the key is dropped
/// first). `starting` is the flag under which `serve`'s start let those signals end the process at
/// once (see `cli::serve`): it is cleared here once this function listens for them itself, so a
/// signal at any moment of a start stops the daemon, and one after it a graceful stop.
pub async fn serve(
    home: Home,
    host: CoreHost,
    opts: Options,
    starting: &std::sync::atomic::AtomicBool,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let stop = StopSignals::listen().context("listening for SIGINT and SIGTERM")?;
    starting.store(false, Ordering::SeqCst);
    let store = VaultDb::open(&home.db())?;
    // Once a vault has audited, its log and head must exist: their absence is a deletion.
    let expect = crate::audit_log::Expect::from_store(&store)?;
    let audit = AuditLog::open(&home.audit_log(), &home.audit_head(), &host, expect).await?;
    store.set_meta("audit_started", "1")?;
    let keyholder = opts.keyholder;
    if keyholder.is_unlocked() {
        let writer = audit.clone();
        keyholder
            .run(move |inst, key| writer.install_key(inst, key).map_err(|e| wasmtime::format_err!("{e:#}")))
            .await
            .context("giving the audit writer the vault's audit key")?;
        // Its first keyed line is on disk before vault.db says keyed lines must exist: a run
        // stopped before any request leaves a log that verifies.
        audit.write_opening(now_ms(), "start").await.context("writing the audit log's opening line")?;
        store.set_meta("audit_keyed", "1")?;
    }
    let tls = match &opts.tls_files {
        Some((cert, key)) => crate::tls::server_config_from(
            cert,
            key,
            "the --tls-key is not the --tls-cert's private key: give the key the certificate was issued for",
        )?,
        None => crate::tls::server_config(&home)?,
    };
    let bootstrap_ref = if opts.home_socket.is_some() {
        // Network mode makes no bootstrap token; one an earlier local-mode start left goes, so
        // that no client of this home sends it anywhere.
        match std::fs::remove_file(home.token()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).context("removing local mode's bootstrap token file"),
        }
        None
    } else {
        // A new bootstrap token at every start; only its reference stays in memory.
        let mut inst = host.instance()?;
        let bootstrap = inst.mint(crate::host::wit::tokens::TokenKind::VaultToken).map_err(anyhow::Error::from)?;
        let reference = inst.reference(bootstrap.expose_secret()).map_err(anyhow::Error::from)?;
        crate::home::write_private(&home.token(), format!("{}\n", bootstrap.expose_secret()).as_bytes())
            .context("writing the bootstrap token file")?;
        Some(reference)
    };

    opts.listener.set_nonblocking(true)?;
    let listener = TcpListener::from_std(opts.listener)?;
    let addr = listener.local_addr()?;
    let files_root = beneath::FilesRoot::open(&opts.files_root)
        .with_context(|| format!("opening the files root {}", opts.files_root.display()))?;
    let files_root_path = std::fs::canonicalize(&opts.files_root).unwrap_or(opts.files_root);
    let (writes, queue) = std::sync::mpsc::channel();
    let daemon = Arc::new(Daemon {
        home,
        host: host.clone(),
        keyholder,
        transition: tokio::sync::Mutex::new(()),
        store: Mutex::new(store),
        writes,
        audit,
        bootstrap_ref,
        network: opts.home_socket.is_some(),
        files_root,
        files_root_path,
        listen_addr: addr,
        idle_lock: opts.idle_lock,
        last_activity: AtomicU64::new(now_ms()),
    });
    writer::start(Arc::downgrade(&daemon), queue, tokio::runtime::Handle::current())
        .context("starting the writer of vault.db")?;
    let home_socket = match opts.home_socket {
        Some(l) => {
            l.set_nonblocking(true)?;
            Some(tokio::net::UnixListener::from_std(l)?)
        }
        None => None,
    };
    ready(addr);

    tokio::spawn(session::idle_locker(daemon.clone()));
    tokio::spawn(audit::summarize_anonymous(daemon.clone()));
    let acceptor = TlsAcceptor::from(tls);
    let handler = {
        let daemon = daemon.clone();
        move |req, peer| route(daemon.clone(), req, peer)
    };
    // One stop for every listener.
    let (stopped, watch) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        stop.recv().await;
        let _ = stopped.send(true);
    });
    let until_stopped = |mut w: tokio::sync::watch::Receiver<bool>| async move {
        let _ = w.wait_for(|s| *s).await;
    };
    let home_channel = home_socket.map(|l| {
        let source = listener::Source::HomeSocket(l);
        tokio::spawn(listener::accept_loop(source, opts.limits, handler.clone(), until_stopped(watch.clone())))
    });
    let source = listener::Source::Tls(listener, acceptor);
    listener::accept_loop(source, opts.limits, handler, until_stopped(watch)).await;
    if let Some(h) = home_channel {
        let _ = h.await;
    }
    daemon.keyholder.drop_key().await;
    let _ = daemon.audit.flush_anonymous(now_ms(), true).await;
    eprintln!("hq-vault: stopped; the key was dropped");
    Ok(())
}

/// SIGINT and SIGTERM, listened for from creation on: one delivered before [`StopSignals::recv`]
/// is awaited is not lost.
struct StopSignals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn listen() -> std::io::Result<StopSignals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(StopSignals { interrupt: signal(SignalKind::interrupt())?, terminate: signal(SignalKind::terminate())? })
    }

    async fn recv(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

/// Answer one request; `peer` is the client's address, `None` on the home socket.
async fn route(d: Arc<Daemon>, req: Request<Incoming>, peer: Option<SocketAddr>) -> Response<Body> {
    use crate::host::wit::policy::Operation as O;
    let ctx = match peer {
        None => Ctx::on("local".to_owned(), Channel::HomeSocket),
        Some(p) => Ctx::on(p.ip().to_string(), if d.network { Channel::Network } else { Channel::Local }),
    };
    if matches!(req.uri().path(), "/v1/connections/files" | "/v1/connections/files/object") {
        return files::read(&d, &ctx, req).await;
    }
    match req.uri().path() {
        "/v1/connections/auth/challenge" => return identity::serve(&d, &ctx, req, false).await,
        "/v1/connections/auth/verify" => return identity::serve(&d, &ctx, req, true).await,
        "/v1/auth/challenge" => return identity::serve_network(&d, &ctx, req, false).await,
        "/v1/auth/verify" => return identity::serve_network(&d, &ctx, req, true).await,
        _ => {}
    }
    let call = match d.admit(ctx, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match call.request.operation {
        O::Health => session::health(&d, call).await,
        O::Unlock => session::unlock(&d, call, req).await,
        O::Lock => session::lock(&d, call).await,
        O::PassphraseChange => session::change_passphrase(&d, call, req).await,
        O::SecretGet => secrets::get(&d, call).await,
        O::SecretPut => secrets::put(&d, call, req).await,
        O::SecretDelete => secrets::delete(&d, call).await,
        O::SecretList => secrets::list(&d, call).await,
        O::TokenCreate => tokens::create(&d, call, req).await,
        O::TokenList => tokens::list(&d, call).await,
        O::TokenRevoke => tokens::revoke(&d, call).await,
        O::AuditRead | O::AuditFollow => audit::read(&d, call, &req).await,
        O::ConnectionCreate => connections::create(&d, call, req).await,
        O::ConnectionList => connections::list(&d, call).await,
        O::ConnectionGet => connections::get(&d, call).await,
        O::ConnectionRotate => connections::rotate(&d, call, req).await,
        O::ConnectionRevoke => connections::revoke(&d, call).await,
        O::ConnectionAudit => connections::audit(&d, call, &req).await,
        O::IdentityRegister => network::register(&d, call, req).await,
        O::IdentityList => network::list(&d, call).await,
        O::IdentityRevoke => network::revoke(&d, call).await,
        O::OrgCreate => network::create_org(&d, call, req).await,
        O::ProjectCreate => network::create_project(&d, call, req).await,
        O::AccessRequestCreate => network::create_request(&d, call, req).await,
        O::AccessRequestList => network::list_requests(&d, call).await,
        O::AccessRequestApprove => network::decide(&d, call, req, true).await,
        O::AccessRequestDeny => network::decide(&d, call, req, false).await,
        // The Worker's company settings and the console's pattern check: no such route on the
        // daemon.
        O::SettingsRead | O::SettingsWrite | O::PatternCheck => match d.host.instance() {
            Ok(mut inst) => d.refuse_route(&mut inst, call.ctx, None).await,
            Err(_) => http::internal(&call.ctx, "instantiating the component"),
        },
    }
}
