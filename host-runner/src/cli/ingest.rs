//! `hq-vault ingest`: a person types the secret; the agent that ran the command only ever sees
//! `Stored: PATH (N bytes, type: T)`.
//!
//! Without `--web`: a hidden prompt on the terminal. With `--web`: a one-time HTTPS page on a random
//! loopback port behind an unguessable URL. A submit must come from the page itself (its `Origin`
//! is the page's own); the page stores the value in the vault before it answers, and confirms only
//! what the vault accepted. A submit the vault refuses (locked, unreachable, …) shows the daemon's
//! own message and leaves the page open for another try; the first value stored uses the page up,
//! and it shuts down. It expires after 10 minutes either way.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use hq_vault::home::Home;
use hq_vault_client::Client;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use zeroize::Zeroizing;

#[derive(clap::Args)]
pub struct Args {
    /// Where to store it, such as `stripe/secret-key`.
    path: String,
    /// A type label, such as `api-key`.
    #[arg(long = "type")]
    kind: Option<String>,
    /// What the secret is for.
    #[arg(long)]
    description: Option<String>,
    /// Refuse to replace a secret already at the path (nothing is stored then).
    #[arg(long)]
    no_overwrite: bool,
    /// Open a one-time local web page instead of prompting in the terminal.
    #[arg(long)]
    web: bool,
    /// How long the page stays open (with --web).
    #[arg(long, default_value = "10m", hide = true)]
    expires: String,
}

pub fn run(home: &Home, a: Args) -> Result<ExitCode> {
    let client = Client::from_env()?;
    let request =
        SecretRequest { path: a.path, kind: a.kind, description: a.description, no_overwrite: a.no_overwrite };
    let ttl = if a.web { Some(page_lifetime(home, &a.expires).context("--expires")?) } else { None };
    // Everything that can be checked is checked before the person is asked.
    let Some(ttl) = ttl else {
        if let Some(note) = request.preflight(home, &client, Asking::Terminal)? {
            eprintln!("{note}");
        }
        let v = ask_terminal(&request.path)?;
        outln!("{}", request.store(&client, v.as_bytes())?);
        return Ok(ExitCode::SUCCESS);
    };
    let note = request.preflight(home, &client, Asking::Page)?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let page = OpenPage::open(home, client, request, ttl).await?;
        eprintln!(
            "Open this one-time page to enter the secret for {} (it expires in {} min):\n  {}",
            page.path(),
            ttl.as_secs() / 60,
            page.url(),
        );
        if let Some(note) = note {
            eprintln!("{note}");
        }
        if let Some(s) = hq_vault::trust::suggestion(home) {
            eprintln!("{s}");
        }
        match page.closed().await {
            Outcome::Stored(line) => {
                outln!("{line}");
                Ok(ExitCode::SUCCESS)
            }
            Outcome::Expired => bail!("the page expired before your vault stored a value: nothing was stored"),
        }
    })
}

/// What to store, and how: the same for the terminal and the page.
pub struct SecretRequest {
    pub path: String,
    pub kind: Option<String>,
    pub description: Option<String>,
    pub no_overwrite: bool,
}

/// How the person is asked for the value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Asking {
    /// A hidden prompt: answered at once, so the vault must be unlocked now.
    Terminal,
    /// A one-time page, open for minutes: a locked vault is a note (the page says so at its
    /// submit and stays open for another try after `hq-vault unlock`).
    Page,
}

impl SecretRequest {
    /// Everything that can be known before the person is asked, so that nobody types a value that
    /// is then refused: the path is a secret path (the core's rule), the daemon answers, the
    /// credential is accepted, the vault is unlocked (for a page, a locked vault is only said), and
    /// with `--no-overwrite` nothing is stored at the path yet. `Ok(Some(note))`: a note for the
    /// person (the path holds a secret the value will replace; the vault is locked). What cannot be
    /// known before the value is there (a size over 1 MiB, a race with another writer) is still
    /// answered by the store itself.
    pub fn preflight(&self, home: &Home, client: &Client, asking: Asking) -> Result<Option<String>> {
        let nothing = "nothing was asked or stored";
        let cache = home.cache();
        let host = hq_vault::host::CoreHost::new(cache.is_dir().then_some(cache.as_path()))?;
        let mut inst = host.instance()?;
        if let Err(e) = inst.check_key(&self.path).map_err(anyhow::Error::from)? {
            let why = inst.describe_path_error(e).map_err(anyhow::Error::from)?;
            bail!("`{}` cannot be a secret's path: {why}; {nothing}", self.path.escape_debug());
        }
        let health = client.health()?;
        if health["locked"] == true {
            if asking == Asking::Terminal {
                bail!("the vault is locked: run `hq-vault unlock`, then ask again; {nothing}");
            }
            return Ok(Some(
                "The vault is locked: run `hq-vault unlock` before the value is submitted (the page says so, and stays open for another try).".into(),
            ));
        }
        // The folder's listing (metadata only) proves the credential and shows whether the path
        // holds a secret.
        let folder = self.path.rsplit_once('/').map(|(f, _)| format!("{f}/")).unwrap_or_default();
        let secrets = client.list_folder(&folder)?.secrets;
        if secrets.iter().any(|s| s.path == self.path) {
            if self.no_overwrite {
                bail!(
                    "{} already holds a secret and replacing it was ruled out (--no-overwrite, or no_overwrite over MCP): {nothing}",
                    self.path
                );
            }
            return Ok(Some(format!(
                "{} holds a secret: the value entered replaces it (its type and description stay unless new ones are given).",
                self.path
            )));
        }
        Ok(None)
    }

    /// Store `value`; the `Stored: …` line, never the value.
    pub fn store(&self, client: &Client, value: &[u8]) -> Result<String> {
        super::secrets::store_value(
            client,
            &self.path,
            value,
            self.kind.as_deref(),
            self.description.as_deref(),
            self.no_overwrite,
        )
    }
}

/// Ask for the value with a hidden prompt on the controlling terminal (`/dev/tty`, never
/// standard input or output). An empty answer, or one of only spaces, stores nothing.
pub fn ask_terminal(path: &str) -> Result<Zeroizing<String>> {
    let mut left = super::TRIES;
    loop {
        left -= 1;
        let v = Zeroizing::new(
            rpassword::prompt_password(format!("Value for {path} (hidden): "))
                .context("reading from the terminal (no terminal? use --web, or `hq-vault store` with a pipe)")?,
        );
        // Only spaces is no secret either: an Enter pressed early, a paste that did not arrive.
        if !super::is_blank(v.as_bytes()) {
            return Ok(v);
        }
        if left == 0 {
            bail!("no value after {} tries (each was empty or only spaces): nothing was stored", super::TRIES);
        }
        eprintln!("The value is {}. {}", if v.is_empty() { "empty" } else { "only spaces" }, super::try_again(left));
    }
}

/// A page lifetime such as `10m`, read by the core's duration rule.
pub fn page_lifetime(home: &Home, text: &str) -> Result<Duration> {
    let ms = hq_vault::host::CoreHost::new(Some(&home.cache()))?
        .instance()?
        .parse_duration(text)
        .map_err(anyhow::Error::from)?
        .map_err(|m| anyhow::anyhow!("{m}"))?;
    Ok(Duration::from_millis(ms))
}

/// Where the one-time page is in its life.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for a value; a submit the vault refused leaves it here, for another try.
    Open,
    /// The vault accepted a value: the page is used up.
    Stored,
    /// Expired without a stored value.
    Closed,
}

struct Page {
    secret: String,
    /// `https://127.0.0.1:PORT`: the only `Origin` a submit may come from.
    origin: String,
    request: SecretRequest,
    client: Client,
    /// Held for the whole of a submit, so two submits never both store, and expiry waits for a
    /// store already under way.
    phase: tokio::sync::Mutex<Phase>,
    /// Set once, to the `Stored: …` line, when the vault accepted the value.
    stored: tokio::sync::watch::Sender<Option<String>>,
    /// The secret already at the path (metadata only), which the value will replace.
    replaces: Option<hq_vault_client::SecretInfo>,
}

fn html(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    let h = r.headers_mut();
    for (k, v) in [
        ("content-type", "text/html; charset=utf-8"),
        ("cache-control", "no-store"),
        (
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
        // `same-origin`, not `no-referrer`: with `no-referrer` a browser sends `Origin: null` on
        // the form's POST, and the submit's `Origin` is what proves it came from this page. No
        // other origin is ever sent a referrer (the URL holds the page's secret).
        ("referrer-policy", "same-origin"),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
    ] {
        h.insert(k, v.parse().expect("static header"));
    }
    r
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1d2433}\
h1{font-size:1.4rem}.box{border:1px solid #d0d7e2;border-radius:8px;padding:1rem 1.2rem;background:#f7f9fc}\
code{background:#eef2f7;padding:.1rem .3rem;border-radius:4px}textarea{width:100%;height:6rem;font-family:monospace}\
button{margin-top:.8rem;padding:.5rem 1.2rem;font-size:1rem}.note{color:#566176;font-size:.9rem}\
.error{border:1px solid #d33;border-radius:8px;padding:.8rem 1.2rem;background:#fdf0f0;color:#8a1c1c;margin-bottom:1rem}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0 0 1rem}dt{color:#566176}dd{margin:0}\
textarea{-webkit-text-security:disc}#show:checked~textarea{-webkit-text-security:none}\
#show{margin-left:1rem}label[for=show]{font-size:.9rem;color:#566176}";

/// The form; `error` (already HTML) is shown above it when the last submit was not stored.
fn form(p: &Page, error: Option<&str>) -> String {
    let row = |k: &str, v: Option<String>| v.map(|v| format!("<dt>{k}</dt><dd>{v}</dd>")).unwrap_or_default();
    let (title, banner) = match error {
        Some(e) => (
            "HQ Vault — not stored",
            format!("<div class=error role=alert id=error><strong>Not stored.</strong> {e}</div>"),
        ),
        None => ("HQ Vault — enter a secret", String::new()),
    };
    // A replacement says so, and shows the type and description that stay unless new ones were
    // asked for.
    let old = p.replaces.as_ref();
    let kind = p.request.kind.as_deref().or(old.and_then(|s| s.kind.as_deref()));
    let description = p.request.description.as_deref().or(old.and_then(|s| s.description.as_deref()));
    let banner = match old {
        Some(s) if error.is_none() => format!(
            "<div class=error role=status id=replaces><strong>Replaces the secret stored at this path</strong> ({} bytes). \
Its type and description stay unless new ones were given.</div>",
            s.size
        ),
        _ => banner,
    };
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title><style>{STYLE}</style></head><body>\
<h1>HQ Vault: enter a secret</h1>{banner}<div class=box><p>The value you enter is encrypted on this machine and stored in your local vault.</p>\
<dl>{}{}{}</dl>\
<form method=post action=\"/ingest/{}\"><label for=v>Secret value</label><input type=checkbox id=show><label for=show>Show</label>\
<textarea id=v name=value autocomplete=off spellcheck=false autofocus required></textarea>\
<button type=submit>Store in the vault</button></form></div>\
<p class=note>The agent that asked sees only the path, the size and the type, never the value. This page works once: \
it closes after the vault stores your value, or in 10 minutes; until then it can be reloaded. If the vault cannot store it, this page says why and stays open for another try.</p></body></html>",
        row("Path", Some(format!("<code>{}</code>", escape(&p.request.path)))),
        row("Type", kind.map(escape)),
        row("What it is for", description.map(escape)),
        p.secret
    )
}

/// `value=…` of an `application/x-www-form-urlencoded` body.
fn form_value(body: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let text = std::str::from_utf8(body).ok()?;
    let raw = text.split('&').find_map(|kv| kv.strip_prefix("value="))?;
    let plus = Zeroizing::new(raw.replace('+', " "));
    Some(Zeroizing::new(percent_encoding::percent_decode_str(&plus).collect()))
}

fn gone() -> Response<Full<Bytes>> {
    html(
        StatusCode::NOT_FOUND,
        "<!doctype html><title>Not found</title><p>Nothing here. This page may already have been used.".into(),
    )
}

async fn handle(page: Arc<Page>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let want = format!("/ingest/{}", page.secret);
    let path_ok = hq_vault::daemon::constant_time_eq(req.uri().path().as_bytes(), want.as_bytes());
    if !path_ok {
        return gone();
    }
    match *req.method() {
        Method::GET => {
            if *page.phase.lock().await != Phase::Open {
                return gone();
            }
            html(StatusCode::OK, form(&page, None))
        }
        Method::POST => {
            // Only the page itself may submit: a form or script of any other origin (a site the
            // person has open, which can guess nothing but could replay a leaked URL) is refused.
            let same_origin = req.headers().get("origin").is_some_and(|o| o.as_bytes() == page.origin.as_bytes());
            if !same_origin {
                return html(
                    StatusCode::FORBIDDEN,
                    "<!doctype html><title>Refused</title><p>This submit did not come from the page itself \
(its Origin header is missing or another site's), so nothing was stored."
                        .into(),
                );
            }
            let Ok(body) = Limited::new(req.into_body(), 2 * 1024 * 1024).collect().await else {
                return html(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "<!doctype html><p>The value is too large (1 MiB at most).".into(),
                );
            };
            let body = Zeroizing::new(body.to_bytes().to_vec());
            let Some(value) = form_value(&body).filter(|v| !super::is_blank(v)) else {
                return html(
                    StatusCode::BAD_REQUEST,
                    form(&page, Some("No value was sent (it was empty or only spaces): enter it, then submit again.")),
                );
            };
            let mut phase = page.phase.lock().await;
            if *phase != Phase::Open {
                return gone();
            }
            // Store now, and confirm only what the vault accepted.
            let p = page.clone();
            let result = tokio::task::spawn_blocking(move || p.request.store(&p.client, &value)).await;
            match result {
                Ok(Ok(line)) => {
                    *phase = Phase::Stored;
                    page.stored.send_replace(Some(line));
                    html(
                        StatusCode::OK,
                        format!(
                            "<!doctype html><html lang=en><head><meta charset=utf-8><title>HQ Vault — stored</title><style>{STYLE}</style></head>\
<body><h1>Stored</h1><div class=box><p>Your vault stored the value for <code>{}</code>. This page is now closed; you can close the tab.</p></div></body></html>",
                            escape(&page.request.path)
                        ),
                    )
                }
                Ok(Err(e)) => {
                    // The daemon's own words (they never hold the value), and what to do next.
                    let locked = e
                        .downcast_ref::<hq_vault_client::Error>()
                        .is_some_and(|e| matches!(e, hq_vault_client::Error::Locked));
                    // Never a panic if whoever ran the command closed our stderr.
                    let _ = writeln!(
                        std::io::stderr(),
                        "hq-vault: the value from the page was not stored: {e:#}. The page stays open for another try."
                    );
                    let status = if locked {
                        StatusCode::from_u16(423).unwrap_or(StatusCode::CONFLICT)
                    } else {
                        StatusCode::BAD_GATEWAY
                    };
                    html(
                        status,
                        form(
                            &page,
                            Some(&format!(
                                "{}, then submit again. This page stays open until your vault stores a value, or it expires.",
                                escape(&format!("{e:#}"))
                            )),
                        ),
                    )
                }
                Err(_) => html(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    form(&page, Some("The store did not finish: submit again.")),
                ),
            }
        }
        _ => html(StatusCode::METHOD_NOT_ALLOWED, "<!doctype html><p>Method not allowed.".into()),
    }
}

/// How a one-time page ended.
#[derive(Clone)]
pub enum Outcome {
    /// The vault stored the value: the `Stored: …` line.
    Stored(String),
    /// The page expired with no value stored.
    Expired,
}

/// A one-time page, served until a value is stored or it expires (whoever holds it or not).
/// Clones watch the same page.
#[derive(Clone)]
pub struct OpenPage {
    url: String,
    path: String,
    expires: tokio::time::Instant,
    /// `None` while the page is open; the outcome once it has closed.
    outcome: tokio::sync::watch::Receiver<Option<Outcome>>,
}

impl OpenPage {
    /// Serve the page for `request` on a random loopback port, for `ttl` at most.
    pub async fn open(home: &Home, client: Client, request: SecretRequest, ttl: Duration) -> Result<OpenPage> {
        let tls = hq_vault::tls::server_config(home)?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
        let path = request.path.clone();
        // What the page replaces, so that the person sees it before typing (metadata only).
        let folder = path.rsplit_once('/').map(|(f, _)| format!("{f}/")).unwrap_or_default();
        // A locked vault lists nothing: the page then says only what preflight said.
        let listed = tokio::task::block_in_place(|| client.list_folder(&folder)).ok();
        let replaces = listed.and_then(|l| l.secrets.into_iter().find(|s| s.path == path));
        let page = Arc::new(Page {
            secret: hex::encode(secret),
            origin: format!("https://127.0.0.1:{port}"),
            request,
            client,
            phase: tokio::sync::Mutex::new(Phase::Open),
            stored: tokio::sync::watch::Sender::new(None),
            replaces,
        });
        let url = format!("{}/ingest/{}", page.origin, page.secret);
        let acceptor = tokio_rustls::TlsAcceptor::from(tls);
        let server = {
            let page = page.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((tcp, _)) = listener.accept().await else {
                        continue;
                    };
                    let (acceptor, page) = (acceptor.clone(), page.clone());
                    tokio::spawn(async move {
                        let Ok(tls) = acceptor.accept(tcp).await else {
                            return;
                        };
                        let svc = hyper::service::service_fn(move |req| {
                            let page = page.clone();
                            async move { Ok::<_, std::convert::Infallible>(handle(page, req).await) }
                        });
                        let _ =
                            hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), svc).await;
                    });
                }
            })
        };
        let (outcome_tx, outcome) = tokio::sync::watch::channel(None);
        let expires = tokio::time::Instant::now() + ttl;
        tokio::spawn(async move {
            let mut stored = page.stored.subscribe();
            tokio::select! {
                _ = stored.wait_for(Option::is_some) => {}
                _ = tokio::time::sleep_until(expires) => {}
            }
            // A store under way when the time ran out finishes first: its answer is the truth.
            let line = {
                let mut phase = page.phase.lock().await;
                if *phase == Phase::Open {
                    *phase = Phase::Closed;
                }
                page.stored.borrow().clone().filter(|_| *phase == Phase::Stored)
            };
            // Give the browser its confirmation page, then close the listener for good.
            tokio::time::sleep(Duration::from_millis(300)).await;
            server.abort();
            outcome_tx.send_replace(Some(line.map_or(Outcome::Expired, Outcome::Stored)));
        });
        Ok(OpenPage { url, path, expires, outcome })
    }

    /// `https://127.0.0.1:PORT/ingest/<64 hex>`: whoever opens it can submit one value.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The secret's path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Time left before the page expires.
    pub fn remaining(&self) -> Duration {
        self.expires.saturating_duration_since(tokio::time::Instant::now())
    }

    /// The outcome once the page has closed, waiting for it at most `limit`; `None`: still open.
    pub async fn wait(&mut self, limit: Duration) -> Option<Outcome> {
        let got = tokio::time::timeout(limit, self.outcome.wait_for(Option::is_some)).await;
        got.ok().and_then(|r| r.ok()).and_then(|o| o.clone())
    }

    /// Wait until the page has closed (a value stored, or expired).
    pub async fn closed(mut self) -> Outcome {
        match self.outcome.wait_for(Option::is_some).await {
            Ok(o) => o.clone().unwrap_or(Outcome::Expired),
            Err(_) => Outcome::Expired,
        }
    }
}
