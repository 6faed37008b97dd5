//! The accept loop and connection hygiene: a cap on concurrent connections, timeouts for the TLS
//! handshake, the request header and idle keep-alive, and backoff when `accept` fails. One loop
//! serves a TCP listener over TLS or network mode's home socket ([`Source`]).
//!
//! What each limit stops (issue "Keep every promise", item 6):
//! - a half-sent request is dropped after [`Limits::header_timeout`] (hyper's header read timeout,
//!   which also runs while a keep-alive connection waits for its next request, so an idle
//!   keep-alive connection is closed after the same time);
//! - a TLS handshake that does not finish within the same time is dropped;
//! - at most [`Limits::max_connections`] connections are served at once, always below the
//!   process's file-descriptor limit; one more is accepted and closed at once, so the accept
//!   queue keeps moving and no file descriptor is held for it;
//! - `accept` failing (`EMFILE`, `ENFILE`, `ENOBUFS`…) sleeps 10 ms, doubling up to 1 s, instead
//!   of retrying at once and spinning a core.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use super::http::Body;

/// File descriptors kept free for everything but connections: SQLite, the audit log, the files
/// root, the certificate, the runtime's own.
const RESERVED_FDS: u64 = 64;
/// First and longest wait after a failed `accept`.
const BACKOFF_START: Duration = Duration::from_millis(10);
const BACKOFF_MAX: Duration = Duration::from_secs(1);

/// The limits of the listener.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Time to finish the TLS handshake, and to send a request's headers — counted from the
    /// connection's start or from the end of the previous response (idle keep-alive).
    pub header_timeout: Duration,
    /// Most connections served at once (clamped below the file-descriptor limit).
    pub max_connections: usize,
}

impl Limits {
    /// The defaults: 10 s, and 512 connections (or fewer, to stay below the fd limit).
    pub fn default_for_process() -> Limits {
        Limits { header_timeout: Duration::from_secs(10), max_connections: 512 }.clamped()
    }

    /// `max_connections` lowered, if needed, to the soft `RLIMIT_NOFILE` minus [`RESERVED_FDS`]
    /// (never below 1).
    pub fn clamped(mut self) -> Limits {
        if let Some(limit) = fd_limit() {
            let room = limit.saturating_sub(RESERVED_FDS).max(1);
            self.max_connections = self.max_connections.min(room as usize).max(1);
        }
        self
    }
}

/// The soft limit on open files, if it is finite.
fn fd_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

/// Where connections come from.
pub enum Source {
    /// A TCP listener, each connection served over TLS.
    Tls(TcpListener, TlsAcceptor),
    /// Network mode's home socket: each connection served in plain HTTP/1.1 (its bytes never
    /// leave the machine) if its peer runs as the daemon's own user (`SO_PEERCRED`), else closed
    /// at once; the socket file is also 0600 in the 0700 home.
    HomeSocket(UnixListener),
}

/// A connection accepted, before TLS or the peer check.
enum Accepted {
    Tcp(TcpStream, SocketAddr),
    Unix(UnixStream),
}

impl Source {
    async fn accept(&self) -> std::io::Result<Accepted> {
        match self {
            Source::Tls(l, _) => l.accept().await.map(|(s, peer)| Accepted::Tcp(s, peer)),
            Source::HomeSocket(l) => l.accept().await.map(|(s, _)| Accepted::Unix(s)),
        }
    }
}

/// Accept connections until `shutdown` resolves; serve each with `handle`, which is given the
/// client's address (`None` on the home socket).
pub async fn accept_loop<H, F>(
    source: Source,
    limits: Limits,
    handle: H,
    shutdown: impl std::future::Future<Output = ()>,
) where
    H: Fn(Request<Incoming>, Option<SocketAddr>) -> F + Clone + Send + Sync + 'static,
    F: std::future::Future<Output = Response<Body>> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut backoff = BACKOFF_START;
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            a = source.accept() => a,
            _ = &mut shutdown => return,
        };
        let conn = match accepted {
            Ok(c) => {
                backoff = BACKOFF_START;
                c
            }
            Err(e) => {
                // EMFILE and friends: the connection stays queued in the kernel; wait, then retry.
                eprintln!("hq-vault: accepting a connection failed ({e}); retrying in {} ms", backoff.as_millis());
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = &mut shutdown => return,
                }
                backoff = (backoff * 2).min(BACKOFF_MAX);
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            // Over the cap: close it now (the client sees a reset) rather than hold a descriptor.
            drop(conn);
            continue;
        };
        let handle = handle.clone();
        match conn {
            Accepted::Tcp(tcp, peer) => {
                let Source::Tls(_, acceptor) = &source else { continue };
                let _ = tcp.set_nodelay(true);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let _slot = slot;
                    let Ok(Ok(tls)) = tokio::time::timeout(limits.header_timeout, acceptor.accept(tcp)).await else {
                        return;
                    };
                    serve_connection(tls, limits, handle, Some(peer)).await;
                });
            }
            Accepted::Unix(unix) => {
                // Another user's process never gets an answer, whatever the socket file's mode.
                let own = rustix::process::geteuid().as_raw();
                if unix.peer_cred().map(|c| c.uid()).ok() != Some(own) {
                    continue;
                }
                tokio::spawn(async move {
                    let _slot = slot;
                    serve_connection(unix, limits, handle, None).await;
                });
            }
        }
    }
}

/// Serve HTTP/1.1 on one connection until it closes or idles past the header timeout.
async fn serve_connection<I, H, F>(io: I, limits: Limits, handle: H, peer: Option<SocketAddr>)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    H: Fn(Request<Incoming>, Option<SocketAddr>) -> F + Clone + Send + Sync + 'static,
    F: std::future::Future<Output = Response<Body>> + Send + 'static,
{
    let svc = hyper::service::service_fn(move |req| {
        let handle = handle.clone();
        async move { Ok::<_, std::convert::Infallible>(handle(req, peer).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), svc)
        .await;
}
