//! `hq-vault-client`: read secrets from the local HQ Vault daemon, and company files through an
//! External Connection, from Rust. The `hq-vault` CLI is built on it, so there is one client.
//!
//! ```no_run
//! # fn main() -> Result<(), hq_vault_client::Error> {
//! let vault = hq_vault_client::Client::from_env()?;          // HQ_VAULT_URL, HQ_VAULT_TOKEN, the CA file
//! let key = vault.get_secret("stripe/secret-key")?;          // Zeroizing<Vec<u8>>
//! let env = vault.env("myapp/")?;                            // DATABASE_URL => …
//! let files = hq_vault_client::Connection::from_env()?;      // HQ_CONNECTION_URL, HQ_CONNECTION_KEY
//! for object in files.list("knowledge/")? { let _bytes = files.get(&object.key)?; }
//! # let _ = (key, env); Ok(()) }
//! ```
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use zeroize::Zeroizing;

mod home_socket;

/// Network mode's home socket, `serve.sock` in the home: `serve --network` serves the home's
/// owner there with no token, and [`Client::from_env`] uses it when the home has no token file and
/// `HQ_VAULT_URL` is not set.
pub const HOME_SOCKET: &str = "serve.sock";

/// What went wrong, and what to do about it. Never holds a secret value or a credential.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "nothing answers at {0}: start the daemon with `hq-vault serve`, or, if it listens elsewhere (`serve --listen`), set HQ_VAULT_URL to its address"
    )]
    NotRunning(String),
    #[error("cannot reach {0}: start the daemon with `hq-vault serve`, or check HQ_VAULT_URL")]
    Unreachable(String),
    /// An address setting (`HQ_VAULT_URL`, `HQ_CONNECTION_URL`) that is no address of a server:
    /// the message says what is wrong with the value and what it should look like.
    #[error("{0}")]
    BadUrl(String),
    /// The host of the address does not resolve.
    #[error(
        "the host `{host}` of {setting} ({url}) is not known: no address could be found for it. Check {setting}; the local daemon is at {local}",
        local = DEFAULT_URL
    )]
    UnknownHost { url: String, host: String, setting: &'static str },
    #[error("the vault is locked: run `hq-vault unlock`")]
    Locked,
    /// A 401: `code` is the daemon's (`invalid_token`, `token_expired`, `token_exhausted`,
    /// `token_revoked`, `wrong_passphrase`, `malformed_credentials`, …); `message` is the daemon's
    /// message with where this client took the token from and what to do.
    #[error("{message}")]
    Unauthorized { code: String, message: String },
    #[error("{message}")]
    Api { status: u16, code: String, message: String },
    /// No token to send: the message says where one was looked for.
    #[error("{0}")]
    NoToken(String),
    /// `HQ_VAULT_TOKEN` is set but empty (or blank): the token meant for this process did not
    /// arrive. The home's token file is the owner's and is never read in its place.
    #[error(
        "HQ_VAULT_TOKEN is set but empty: the token meant for this process did not arrive (did minting it fail?). The home's token file (the owner's token) is not used in its place: pass the token, or unset HQ_VAULT_TOKEN to use the token file"
    )]
    EmptyToken,
    /// The home holds no vault (no `tls/ca.pem`) and `HQ_VAULT_CA_CERT` is not set; the message
    /// says whether something listens at the URL (a daemon of another home) or not.
    #[error("{0}")]
    NoVault(String),
    /// The daemon's certificate is not signed by the CA this client trusts: it runs with another home.
    #[error(
        "the daemon at {url} was started with another home: its certificate is not signed by {ca}. Point the CLI at the daemon's home with HQ_VAULT_HOME=<the home `hq-vault serve` printed> (or set HQ_VAULT_CA_CERT to that home's tls/ca.pem)"
    )]
    ForeignDaemon { url: String, ca: String },
    /// A settings file that cannot be read; the reason in words, said once.
    #[error("reading {}: {} ({hint})", redact(&path.display().to_string()), io_words(cause))]
    File { path: PathBuf, cause: std::io::Error, hint: &'static str },
    #[error("the certificate file is not PEM: {0}")]
    BadCertificate(String),
    #[error("{0} is not set")]
    MissingSetting(&'static str),
    #[error("talking to {url}: {detail}")]
    Transport { url: String, detail: String },
    #[error("the answer was not what this client understands: {0}")]
    BadAnswer(String),
    #[error("{0}")]
    Env(String),
    #[error(
        "the value is {size} bytes; a secret may be at most 1 MiB ({max} bytes): nothing was stored",
        max = MAX_VALUE
    )]
    ValueTooLarge { size: usize },
}

/// The daemon's address when `HQ_VAULT_URL` is not set.
pub const DEFAULT_URL: &str = "https://127.0.0.1:13100";

/// A file error in words, without the system's error number: `no such file`, `permission denied`,
/// else the system's own words.
fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "it is a folder, not a file".to_owned(),
        _ => {
            let text = e.to_string();
            text.split(" (os error").next().unwrap_or(&text).to_owned()
        }
    }
}

/// `raw` as a message may show it: control characters escaped, and never the user name, password,
/// query or fragment it holds (`https://…@host:1`, `https://host:1?…`).
fn shown_url(raw: &str) -> String {
    let text = raw.trim();
    let (scheme, rest) = match text.find("://") {
        Some(i) => text.split_at(i + 3),
        None => ("", text),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let rest = match rest[..authority_end].rfind('@') {
        Some(at) => format!("…{}", &rest[at..]),
        None => rest.to_owned(),
    };
    let rest = match rest.find(['?', '#']) {
        Some(q) => format!("{}?…", &rest[..q]),
        None => rest,
    };
    redact(&format!("{scheme}{rest}")).escape_debug().to_string()
}

/// `text` with every credential in it (`hqvt_…`, `hqvs_…`, `hqxc_…`, any letter case) cut to its
/// kind: a token given where an address or a path belongs is never repeated.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let lower = rest.to_ascii_lowercase();
        let at = ["hqvt_", "hqvs_", "hqxc_"].iter().filter_map(|p| lower.find(p)).min();
        let Some(at) = at else { break };
        out.push_str(&rest[..at + 5]);
        out.push('…');
        let tail = &rest[at + 5..];
        let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// The origin (`scheme://host:port`) of a server address read from the setting `setting`, or what
/// is wrong with it in words: no scheme (`127.0.0.1:13100`), a scheme the server does not speak
/// (`http://` for the daemon, which serves HTTPS only: `https_only`), a path, query or fragment
/// after the host and port (the client adds `/v1/…` itself), credentials in it, a port that is no
/// number from 1 to 65535, a host that is no host name or IP address. Read with the WHATWG URL
/// parser (`url`), which also drops surrounding spaces.
pub fn server_origin(setting: &'static str, raw: &str, https_only: bool) -> Result<String, Error> {
    let example = if https_only {
        DEFAULT_URL
    } else {
        "https://vault.example.com (or http://127.0.0.1:8787 for a local Worker)"
    };
    let shown = shown_url(raw);
    let bad = |what: String| Error::BadUrl(format!("{setting} `{shown}` {what}; it should look like {example}"));
    let text = raw.trim();
    let parsed = url::Url::parse(text);
    let no_scheme = match &parsed {
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        // `localhost:13100` reads as the scheme `localhost`: a scheme is followed by `://` here.
        Ok(u) => !text.contains("://") && !matches!(u.scheme(), "http" | "https"),
        Err(_) => false,
    };
    if no_scheme {
        let text = shown_url(text);
        let guess = if https_only { format!("https://{text}") } else { format!("https://{text} or http://{text}") };
        return Err(bad(format!("has no scheme: write it as {guess}")));
    }
    let u = match parsed {
        Ok(u) => u,
        Err(url::ParseError::InvalidPort) => return Err(bad("has a port that is no number from 1 to 65535".into())),
        Err(url::ParseError::EmptyHost) => return Err(bad("has no host".into())),
        Err(e) => return Err(bad(format!("is not a URL ({e})"))),
    };
    match u.scheme() {
        "https" => {}
        "http" if https_only => {
            let mut fixed = u.clone();
            let _ = fixed.set_scheme("https");
            return Err(bad(format!(
                "uses http://, but the daemon speaks only HTTPS: use {}",
                fixed.origin().ascii_serialization()
            )));
        }
        "http" => {}
        other => return Err(bad(format!("uses the scheme `{other}://`, not https://"))),
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(bad("holds a user name or password: give only the scheme, host and port".into()));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host".into()));
    }
    let origin = u.origin().ascii_serialization();
    let extra = &u[url::Position::BeforePath..];
    if u.query().is_some() || u.fragment().is_some() {
        // Not repeated: a query may hold a token.
        return Err(bad(format!(
            "has a query or fragment after the host and port: give only {origin} (the client adds the API's paths itself)"
        )));
    }
    if !(extra.is_empty() || extra == "/") {
        return Err(bad(format!(
            "has `{}` after the host and port: give only {origin} (the client adds the API's paths itself)",
            redact(extra).escape_debug()
        )));
    }
    Ok(origin)
}

/// The largest secret value the daemon stores, in bytes (1 MiB). The daemon answers a larger one
/// with `413 value_too_large`; [`Client::put_secret`] refuses it before sending, so that it never
/// sends a body the daemon stops reading.
pub const MAX_VALUE: usize = 1024 * 1024;

/// The JSON body field that carries `value` most compactly: `value` for UTF-8 text that JSON
/// writes as is (no control character, `"` or `\`, which JSON escapes to up to 6 bytes each),
/// else `value_base64` (4 bytes per 3). Either way a value of [`MAX_VALUE`] bytes fits well under
/// the daemon's body limit, whatever its bytes.
fn value_field(value: &[u8]) -> Value {
    match std::str::from_utf8(value) {
        Ok(s) if !s.chars().any(|c| c.is_control() || c == '"' || c == '\\') => json!({ "value": s }),
        _ => json!({ "value_base64": B64.encode(value) }),
    }
}

/// An HTTP answer: status and JSON body (or the text, when not JSON). No `Debug`: a body may hold
/// a secret's value.
pub struct Reply {
    pub status: u16,
    pub body: Value,
    /// Where the token that was sent came from, for the advice of a 401.
    source: Arc<Source>,
}

/// Where a client's token and certificate came from: a 401 or a failed handshake names them.
#[derive(Debug, Default)]
struct Source {
    url: String,
    token: TokenSource,
    /// The setting the URL was read from (`HQ_VAULT_URL`), when it was.
    setting: Option<&'static str>,
}

#[derive(Debug, Default)]
enum TokenSource {
    /// `HQ_VAULT_TOKEN`.
    Env,
    /// The home's token file.
    File(PathBuf),
    /// A token file named by the caller ([`Client::with_token_file`], `mcp --token-file`).
    NamedFile(PathBuf),
    /// Given to [`Client::new`].
    #[default]
    Given,
    /// The session `hq-vault login` cached (`session.json`).
    Session(PathBuf),
    /// None: network mode's home socket, whose file is the owner's.
    HomeSocket,
}

impl Reply {
    /// The error message of an error answer.
    pub fn message(&self) -> String {
        self.body["error"]["message"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("the server answered {}", self.status))
    }

    fn code(&self) -> String {
        self.body["error"]["code"].as_str().unwrap_or_default().to_owned()
    }

    /// The body of a 2xx answer, or the error it stands for.
    pub fn ok(self) -> Result<Value, Error> {
        match self.status {
            200..=299 => Ok(self.body),
            423 => Err(Error::Locked),
            401 => {
                let code = self.code();
                let message = unauthorized(&code, &self.message(), &self.source);
                Err(Error::Unauthorized { code, message })
            }
            status => Err(Error::Api { status, code: self.code(), message: self.message() }),
        }
    }
}

/// The daemon's 401 message, with what this client knows: where the token came from, and what
/// that means for each of the daemon's codes.
fn unauthorized(code: &str, message: &str, source: &Source) -> String {
    let url = &source.url;
    match (code, &source.token) {
        ("invalid_token", TokenSource::Env) => format!(
            "{message}: HQ_VAULT_TOKEN is not a token of the daemon at {url}. Unset it to use the bootstrap token of the daemon's home, or ask the vault's owner for a new one (`hq-vault token create`)"
        ),
        ("invalid_token", TokenSource::File(path)) => format!(
            "{message}: the daemon at {url} did not write {}. Either it runs with another home (set HQ_VAULT_HOME to the home `hq-vault serve` printed), or a later `hq-vault serve` of this home replaced the file (run one daemon per home)",
            path.display()
        ),
        ("invalid_token", TokenSource::NamedFile(path)) => format!(
            "{message}: {} holds no token of the daemon at {url}: write a current one into it (`hq-vault token create`)",
            path.display()
        ),
        ("malformed_credentials", TokenSource::NamedFile(path)) => format!(
            "{message}: {} does not hold one `hqvt_` token: write the agent's token into it (`hq-vault token create`)",
            path.display()
        ),
        ("malformed_credentials", TokenSource::Env) => format!("{message} (HQ_VAULT_TOKEN)"),
        ("invalid_token" | "session_expired", TokenSource::Session(path)) => format!(
            "{message}: the session in {} is not valid at {url} any more (it expired, its identity was revoked, or the server no longer knows it): log in again (`hq-vault login --identity NAME`)",
            path.display()
        ),
        ("malformed_credentials", TokenSource::Session(path)) => {
            format!("{message} ({} is damaged: log in again with `hq-vault login --identity NAME`)", path.display())
        }
        ("malformed_credentials", TokenSource::File(path)) => {
            format!("{message} ({} is damaged: restart `hq-vault serve` to write it again)", path.display())
        }
        ("token_expired" | "token_exhausted" | "token_revoked", TokenSource::Env) => {
            format!("{message} (the token in HQ_VAULT_TOKEN)")
        }
        _ => message.to_owned(),
    }
}

/// The home the daemon uses: `$HQ_VAULT_HOME`, or `~/.hq-vault`.
pub fn default_home() -> Result<PathBuf, Error> {
    if let Some(dir) = std::env::var_os("HQ_VAULT_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME").ok_or(Error::MissingSetting("HQ_VAULT_HOME (or HOME)"))?;
    Ok(PathBuf::from(home).join(".hq-vault"))
}

fn agent(ca_pem: Option<&[u8]>) -> Result<ureq::Agent, Error> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let roots = match ca_pem {
        Some(pem) => {
            let cert = Certificate::from_pem(pem).map_err(|e| Error::BadCertificate(e.to_string()))?.to_owned();
            RootCerts::Specific(Arc::new(vec![cert]))
        }
        None => RootCerts::WebPki,
    };
    let config = ureq::Agent::config_builder()
        .tls_config(TlsConfig::builder().root_certs(roots).build())
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        // The daemon closes a keep-alive connection after 10 s idle (its header timeout): never
        // reuse one that old, or a request could be sent into a closing socket.
        .max_idle_age(Duration::from_secs(5))
        .build();
    Ok(config.into())
}

/// Whether a transport error is a certificate that the trusted CA did not sign.
fn bad_certificate(e: &ureq::Error) -> bool {
    let invalid = |r: &rustls::Error| matches!(r, rustls::Error::InvalidCertificate(_));
    match e {
        ureq::Error::Rustls(r) => invalid(r),
        ureq::Error::Io(io) => io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()).is_some_and(invalid),
        _ => false,
    }
}

fn transport(source: &Source, ca: Option<&str>, e: ureq::Error) -> Error {
    let base = &source.url;
    // Named without a credential, should one have been given as the address.
    let shown = redact(base);
    match e {
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => Error::NotRunning(shown.clone()),
        // A lookup failure comes as `HostNotFound` or as an I/O error in the resolver's words:
        // whether the host resolves is asked again, so either is named for what it is.
        ureq::Error::HostNotFound | ureq::Error::Io(_) if unresolvable_host(base).is_some() => Error::UnknownHost {
            url: shown.clone(),
            host: redact(&unresolvable_host(base).unwrap_or_default()),
            setting: source.setting.unwrap_or("the URL"),
        },
        ureq::Error::HostNotFound => Error::Unreachable(shown.clone()),
        ureq::Error::ConnectionFailed => Error::Unreachable(shown.clone()),
        e if bad_certificate(&e) && ca.is_some() => {
            Error::ForeignDaemon { url: shown.clone(), ca: ca.unwrap_or_default().to_owned() }
        }
        // A connection's server whose certificate no trusted CA signed: name the setting.
        e if bad_certificate(&e) && source.setting == Some("HQ_CONNECTION_URL") => Error::Transport {
            url: shown.clone(),
            detail: format!(
                "{e}: its certificate is not signed by a CA this client trusts. For a local daemon's connection, set HQ_CONNECTION_CA_CERT to the daemon's tls/ca.pem (or HQ_VAULT_HOME to its home)"
            ),
        },
        other => Error::Transport { url: shown.clone(), detail: other.to_string() },
    }
}

fn reply(
    source: &Arc<Source>,
    ca: Option<&str>,
    r: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Reply, Error> {
    let mut r = r.map_err(|e| transport(source, ca, e))?;
    let status = r.status().as_u16();
    let text = r.body_mut().with_config().limit(64 * 1024 * 1024).read_to_string().unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok(Reply { status, body, source: source.clone() })
}

/// The host of `url` when no address can be found for it.
fn unresolvable_host(url: &str) -> Option<String> {
    use std::net::ToSocketAddrs;
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?.trim_start_matches('[').trim_end_matches(']').to_owned();
    let port = u.port_or_known_default().unwrap_or(443);
    let resolves = (host.as_str(), port).to_socket_addrs().is_ok_and(|mut addrs| addrs.next().is_some());
    (!resolves).then_some(host)
}

/// Whether anything accepts a TCP connection at `url`'s host and port (within a second).
fn listens(url: &str) -> bool {
    use std::net::{TcpStream, ToSocketAddrs};
    let Ok(uri) = url.parse::<ureq::http::Uri>() else {
        return false;
    };
    let Some(host) = uri.host() else {
        return false;
    };
    let port = uri.port_u16().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (host, port)
        .to_socket_addrs()
        .map(|mut addrs| addrs.any(|a| TcpStream::connect_timeout(&a, Duration::from_secs(1)).is_ok()))
        .unwrap_or(false)
}

/// Why a home without `tls/ca.pem` has no client: another home's daemon listens at `url`, or no
/// daemon runs at all.
fn no_vault(home: &std::path::Path, url: &str) -> String {
    let home = home.display();
    if listens(url) {
        format!(
            "{home} holds no vault (no tls/ca.pem), but something listens at {url}: a daemon started with another home? Point the CLI at that home with HQ_VAULT_HOME=<the home `hq-vault serve` printed>, or set HQ_VAULT_URL to this home's daemon. A network-mode server's client sets HQ_VAULT_CA_CERT to the server's CA certificate (its tls/ca.pem, or the CA of its --tls-cert) instead"
        )
    } else {
        format!(
            "{home} holds no vault and nothing answers at {url}: start the daemon with `hq-vault serve` (its first start creates the vault), or set HQ_VAULT_HOME to the home of your vault. A network-mode server's client sets HQ_VAULT_URL and HQ_VAULT_CA_CERT (the server's CA certificate)"
        )
    }
}

/// Percent-encode a secret path for the URL, keeping `/` as the separator.
pub fn encode_path(p: &str) -> String {
    const SET: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(p, SET).to_string()
}

/// Percent-encode a query value.
pub fn encode_query(p: &str) -> String {
    percent_encoding::utf8_percent_encode(p, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A folder as the daemon listed it: `GET /v1/secrets?prefix=` with the prefix read as a folder.
#[derive(Debug, Clone)]
pub struct Folder {
    /// The folder listed (`myapp` → `myapp/`; empty: every secret).
    pub prefix: String,
    /// Its secrets the caller may see, metadata only.
    pub secrets: Vec<SecretInfo>,
    /// Whether the caller's token has a prefix scope, so that only its part of the folder is
    /// shown (how much is hidden is never said).
    pub scoped: bool,
}

impl Folder {
    /// Why the folder shows no secret, in words that name it: nothing there, or nothing this
    /// token's scope covers.
    pub fn empty_reason(&self) -> String {
        let shown = if self.prefix.is_empty() { "the vault".to_owned() } else { format!("`{}`", self.prefix) };
        if self.scoped {
            format!(
                "no secrets under {shown} that this token may read (a managed token sees only the folders of its --prefix, an identity only the projects of its memberships; ask the vault owner for a token that covers this folder, or an org's admin to approve an access request)"
            )
        } else if self.prefix.is_empty() {
            "no secrets in the vault yet: add one with `hq-vault store PATH` or `hq-vault ingest PATH`".to_owned()
        } else {
            format!("no secrets under {shown} (a prefix is a folder: `myapp` means `myapp/`): see `hq-vault list`")
        }
    }
}

/// A secret's metadata, as listings show it (never its value).
#[derive(Debug, Clone, Deserialize)]
pub struct SecretInfo {
    pub path: String,
    pub size: u64,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub description: Option<String>,
    pub updated_ms: u64,
}

/// The environment variable for a secret under a prefix: `myapp/db/url` under `myapp/` → `DB_URL`.
pub fn var_name(prefix: &str, path: &str) -> String {
    let rest = path.strip_prefix(prefix).unwrap_or(path);
    let mut n: String =
        rest.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    if n.is_empty() || n.starts_with(|c: char| c.is_ascii_digit()) {
        n.insert(0, '_');
    }
    n
}

/// A client of the local daemon.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: Option<Zeroizing<String>>,
    /// Where the token and the certificate came from, for advice in errors.
    source: Arc<Source>,
    /// The CA file trusted, as errors name it.
    ca: Option<String>,
    /// The token file looked for when there was no token, as [`Error::NoToken`] names it.
    token_file: Option<PathBuf>,
    /// Connected to network mode's home socket, where the owner sends no token.
    home_socket: bool,
    /// Why there is no token, when the home knows better than "no token file" (a session cached
    /// for another server).
    no_token: Option<String>,
}

/// Where this home's daemon said it listens: `serve` writes its address to `serve.lock` at every
/// start (`https://127.0.0.1:13100`), so a daemon started with `--listen` elsewhere is found
/// without HQ_VAULT_URL. An address for every interface (`0.0.0.0`, `[::]`) is reached on loopback;
/// `None` when the file is absent or holds no address.
fn served_at(home: &Path) -> Option<String> {
    let text = std::fs::read_to_string(home.join("serve.lock")).ok()?;
    let origin = server_origin("serve.lock", text.trim(), true).ok()?;
    Some(origin.replacen("https://0.0.0.0:", "https://127.0.0.1:", 1).replacen("https://[::]:", "https://[::1]:", 1))
}

impl Client {
    /// `HQ_VAULT_URL` (default: the address in the home's `serve.lock`, else
    /// `https://127.0.0.1:13100`), `HQ_VAULT_TOKEN` (default: the home's
    /// token file), `HQ_VAULT_CA_CERT` (default: the home's `tls/ca.pem`). A home with no
    /// `tls/ca.pem` is [`Error::NoVault`], which says whether something listens at the URL.
    pub fn from_env() -> Result<Client, Error> {
        let home = default_home()?;
        let base = match std::env::var("HQ_VAULT_URL") {
            Ok(raw) if !raw.trim().is_empty() => server_origin("HQ_VAULT_URL", &raw, true)?,
            Ok(_) | Err(std::env::VarError::NotPresent) => served_at(&home).unwrap_or_else(|| DEFAULT_URL.to_owned()),
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(Error::BadUrl(format!(
                    "HQ_VAULT_URL is not UTF-8 text; it should look like {DEFAULT_URL}"
                )));
            }
        };
        let base = base.as_str();
        let ca_path = match std::env::var_os("HQ_VAULT_CA_CERT").filter(|v| !v.is_empty()) {
            Some(p) => PathBuf::from(p),
            None => {
                let p = home.join("tls/ca.pem");
                if !p.exists() {
                    return Err(Error::NoVault(no_vault(&home, base)));
                }
                p
            }
        };
        let ca = std::fs::read(&ca_path).map_err(|cause| Error::File {
            path: ca_path.clone(),
            cause,
            hint: "check HQ_VAULT_CA_CERT, or unset it to trust the home's tls/ca.pem",
        })?;
        let token_file = home.join("token");
        let explicit_url = std::env::var("HQ_VAULT_URL").is_ok_and(|u| !u.trim().is_empty());
        let mut elsewhere = None;
        let (token, source) = match std::env::var("HQ_VAULT_TOKEN") {
            Ok(t) if !t.trim().is_empty() => (Some(t.trim().to_owned()), TokenSource::Env),
            // Set but empty: the token meant for this process did not arrive (a failed mint). The
            // home's file holds the owner's token: never read it in its place.
            Ok(_) => return Err(Error::EmptyToken),
            // No token file (this home runs no daemon): the session `hq-vault login` cached, if any
            // (network mode; `session.json`, 0600, in this home).
            Err(_) => match std::fs::read_to_string(&token_file) {
                Ok(t) => (Some(t.trim().to_owned()), TokenSource::File(token_file.clone())),
                // Network mode's server home: no token file, the home socket instead.
                Err(_) if !explicit_url && home.join(HOME_SOCKET).exists() => {
                    return Client::on_home_socket(&home.join(HOME_SOCKET));
                }
                Err(_) => {
                    // The session goes only to the server that issued it.
                    let session = home.join("session.json");
                    let cached = std::fs::read(&session).ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok());
                    let issuer = cached.as_ref().and_then(|v| v["url"].as_str()).map(|u| u.trim_end_matches('/'));
                    if let Some(other) = issuer.filter(|u| *u != base.trim_end_matches('/')) {
                        elsewhere = Some(format!(
                            "no token for {base}: the session in {} was issued by {other}, and goes to no other address. Log in to this server (`hq-vault login --identity NAME`), or set HQ_VAULT_URL to {other}",
                            session.display()
                        ));
                    }
                    let token =
                        cached.filter(|_| elsewhere.is_none()).and_then(|v| v["token"].as_str().map(str::to_owned));
                    (token, TokenSource::Session(session))
                }
            },
        };
        let mut client = Client::new(base, token, &ca)?;
        client.source = Arc::new(Source { url: client.base.clone(), token: source, setting: Some("HQ_VAULT_URL") });
        client.ca = Some(ca_path.display().to_string());
        client.token_file = Some(token_file);
        client.no_token = elsewhere;
        Ok(client)
    }

    /// The same client with its token read from `path` instead (the file's content, trimmed: one
    /// `hqvt_` token); a 401 names the file.
    ///
    /// Errors: [`Error::File`] when the file cannot be read.
    pub fn with_token_file(mut self, path: &std::path::Path) -> Result<Client, Error> {
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|cause| Error::File {
            path: path.to_owned(),
            cause,
            hint: "the token file holds one hqvt_ token: check the path given",
        })?);
        if text.trim().is_empty() {
            return Err(Error::NoToken(format!(
                "{} is empty: write the agent's token into it (`hq-vault token create --name NAME > {}`)",
                path.display(),
                path.display()
            )));
        }
        self.token = Some(Zeroizing::new(text.trim().to_owned()));
        self.source = Arc::new(Source {
            url: self.base.clone(),
            token: TokenSource::NamedFile(path.to_owned()),
            setting: self.source.setting,
        });
        self.token_file = Some(path.to_owned());
        Ok(self)
    }

    /// A client of the daemon at `base`, trusting only `ca_pem`.
    pub fn new(base: &str, token: Option<String>, ca_pem: &[u8]) -> Result<Client, Error> {
        let base = base.trim_end_matches('/').to_owned();
        Ok(Client {
            agent: agent(Some(ca_pem))?,
            source: Arc::new(Source { url: base.clone(), token: TokenSource::Given, setting: None }),
            base,
            token: token.map(Zeroizing::new),
            ca: Some("the CA certificate given".to_owned()),
            token_file: None,
            home_socket: false,
            no_token: None,
        })
    }

    /// A client of network mode's home socket at `path` (`serve.sock` in a home whose daemon runs
    /// `serve --network`): plain HTTP/1.1 on the socket, no token (the socket is the owner's). Errors
    /// name the socket (`unix:PATH`): [`Error::NotRunning`] when no daemon answers there.
    pub fn on_home_socket(path: &Path) -> Result<Client, Error> {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            home_socket::HomeSocket(path.to_owned()),
            ureq::unversioned::resolver::DefaultResolver::default(),
        );
        let shown = format!("unix:{}", path.display());
        Ok(Client {
            agent,
            // The URL's host is never resolved to a connection: every request goes to the socket.
            base: "http://127.0.0.1".to_owned(),
            token: None,
            source: Arc::new(Source { url: shown.clone(), token: TokenSource::HomeSocket, setting: None }),
            ca: None,
            token_file: None,
            home_socket: true,
            no_token: None,
        })
    }

    /// Where this client sends its requests, as errors name it: the daemon's origin, or
    /// `unix:PATH` for network mode's home socket.
    pub fn shown_url(&self) -> String {
        redact(&self.source.url)
    }

    /// The URL of an API path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `request` with the `Authorization` header, or as it is on the home socket (which takes no
    /// token).
    fn authorized<B>(&self, request: ureq::RequestBuilder<B>) -> Result<ureq::RequestBuilder<B>, Error> {
        if self.home_socket {
            return Ok(request);
        }
        Ok(request.header("authorization", self.auth()?))
    }

    fn auth(&self) -> Result<String, Error> {
        if let Some(t) = &self.token {
            return Ok(format!("Bearer {}", t.as_str()));
        }
        // No token file: is the daemon there another home's? That is the cause to name, then.
        if let Err(e @ Error::ForeignDaemon { .. }) = self.get_anonymous("/v1/health") {
            return Err(e);
        }
        if let Some(why) = &self.no_token {
            return Err(Error::NoToken(why.clone()));
        }
        Err(Error::NoToken(match &self.token_file {
            Some(f) => format!(
                "no token: {} does not exist (`hq-vault serve` writes it at each start). If the daemon runs with another home, set HQ_VAULT_HOME to the home it printed; else start it with `hq-vault serve`; an agent sets HQ_VAULT_TOKEN; against a network-mode server, log in first (`hq-vault login --identity NAME`)",
                f.display()
            ),
            None => "no token was given".to_owned(),
        }))
    }

    fn reply(&self, r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Reply, Error> {
        reply(&self.source, self.ca.as_deref(), r)
    }

    pub fn get(&self, path: &str) -> Result<Reply, Error> {
        self.reply(self.authorized(self.agent.get(self.url(path)))?.call())
    }

    pub fn get_anonymous(&self, path: &str) -> Result<Reply, Error> {
        self.reply(self.agent.get(self.url(path)).call())
    }

    pub fn delete(&self, path: &str) -> Result<Reply, Error> {
        self.reply(self.authorized(self.agent.delete(self.url(path)))?.call())
    }

    pub fn post(&self, path: &str, body: &Value) -> Result<Reply, Error> {
        let r = self
            .authorized(self.agent.post(self.url(path)))?
            .header("content-type", "application/json")
            .send(body.to_string());
        self.reply(r)
    }

    /// A POST without a credential: network mode's registration and login routes take none.
    pub fn post_anonymous(&self, path: &str, body: &Value) -> Result<Reply, Error> {
        let r = self.agent.post(self.url(path)).header("content-type", "application/json").send(body.to_string());
        self.reply(r)
    }

    pub fn put(&self, path: &str, body: &Value) -> Result<Reply, Error> {
        let r = self
            .authorized(self.agent.put(self.url(path)))?
            .header("content-type", "application/json")
            .send(body.to_string());
        self.reply(r)
    }

    /// `GET /v1/health`.
    pub fn health(&self) -> Result<Value, Error> {
        self.get_anonymous("/v1/health")?.ok()
    }

    /// Check that the credential is the vault owner's, with no effect and no audit line when it
    /// is (`GET /v1/audit/follow`, the owner-only route a follower polls; a refusal is audited
    /// as any is). Commands that ask a person for a passphrase call it first, so that nobody types
    /// one for a token that cannot use it. Errors: [`Error::Api`] 401/403 with the daemon's words.
    pub fn check_owner(&self) -> Result<(), Error> {
        self.get(&format!("/v1/audit/follow?after={}", u32::MAX))?.ok().map(drop)
    }

    /// A secret's value.
    pub fn get_secret(&self, path: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
        let body = self.get(&format!("/v1/secrets/{}", encode_path(path)))?.ok()?;
        if let Some(s) = body["value"].as_str() {
            Ok(Zeroizing::new(s.as_bytes().to_vec()))
        } else if let Some(b) = body["value_base64"].as_str() {
            B64.decode(b).map(Zeroizing::new).map_err(|_| Error::BadAnswer("malformed base64".into()))
        } else {
            Err(Error::BadAnswer("the answer has no value".into()))
        }
    }

    /// Store a secret of at most [`MAX_VALUE`] bytes, any bytes; returns the daemon's summary
    /// (path, size, type), never the value. A larger value is [`Error::ValueTooLarge`], unsent.
    pub fn put_secret(
        &self,
        path: &str,
        value: &[u8],
        kind: Option<&str>,
        description: Option<&str>,
    ) -> Result<Value, Error> {
        self.put_secret_with(path, value, kind, description, true)
    }

    /// Like [`Client::put_secret`]; with `overwrite` false, a secret already at `path` is kept and
    /// the daemon answers 409 `exists` ([`Error::Api`]). A replacement keeps the stored type and
    /// description where `kind`/`description` are `None`. The answer's `created` tells a new
    /// secret (`true`) from a replacement.
    pub fn put_secret_with(
        &self,
        path: &str,
        value: &[u8],
        kind: Option<&str>,
        description: Option<&str>,
        overwrite: bool,
    ) -> Result<Value, Error> {
        if value.len() > MAX_VALUE {
            return Err(Error::ValueTooLarge { size: value.len() });
        }
        let mut body = value_field(value);
        body["type"] = json!(kind);
        body["description"] = json!(description);
        let query = if overwrite { "" } else { "?overwrite=false" };
        let r = self.put(&format!("/v1/secrets/{}{query}", encode_path(path)), &body);
        if let Value::Object(m) = &mut body {
            m.values_mut().for_each(|v| *v = Value::Null);
        }
        r?.ok()
    }

    /// The secrets under a prefix (metadata only). A prefix is a folder: `myapp` means `myapp/`.
    pub fn list(&self, prefix: &str) -> Result<Vec<SecretInfo>, Error> {
        self.list_folder(prefix).map(|f| f.secrets)
    }

    /// The folder the daemon listed for `prefix` (`myapp` → `myapp/`; empty stays empty, every
    /// secret) and the secrets in it, metadata only.
    pub fn list_folder(&self, prefix: &str) -> Result<Folder, Error> {
        let body = self.get(&format!("/v1/secrets?prefix={}", encode_query(prefix)))?.ok()?;
        let folder = body["prefix"].as_str().ok_or_else(|| Error::BadAnswer("no `prefix` in the list".to_owned()))?;
        let secrets = serde_json::from_value(body["secrets"].clone()).map_err(|e| Error::BadAnswer(e.to_string()))?;
        let scoped = body["scoped"].as_bool().unwrap_or(false);
        Ok(Folder { prefix: folder.to_owned(), secrets, scoped })
    }

    /// Delete a secret.
    pub fn delete_secret(&self, path: &str) -> Result<(), Error> {
        self.delete(&format!("/v1/secrets/{}", encode_path(path)))?.ok().map(drop)
    }

    /// The secrets under a prefix as environment variables (see [`var_name`]), as bytes: an
    /// environment variable may hold any byte but NUL, so a value holding NUL is refused, as are
    /// two paths that map to one name. The prefix is a folder (`myapp` means `myapp/`); a folder
    /// with no secret is an error that names it. Errors name the path, never the value.
    pub fn env_values(&self, prefix: &str) -> Result<BTreeMap<String, Zeroizing<Vec<u8>>>, Error> {
        let mut out = BTreeMap::new();
        let listed = self.list_folder(prefix)?;
        if listed.secrets.is_empty() {
            return Err(Error::Env(listed.empty_reason()));
        }
        let (folder, secrets) = (listed.prefix, listed.secrets);
        let prefix = folder.as_str();
        for s in secrets {
            let value = self.get_secret(&s.path)?;
            if value.contains(&0) {
                return Err(Error::Env(format!(
                    "{} holds a NUL byte, which no environment variable can carry",
                    s.path
                )));
            }
            let name = var_name(prefix, &s.path);
            if out.insert(name.clone(), value).is_some() {
                return Err(Error::Env(format!("two secrets under {prefix} map to the variable {name}: rename one")));
            }
        }
        Ok(out)
    }

    /// Like [`Client::env_values`], but every value must also be UTF-8 text.
    pub fn env(&self, prefix: &str) -> Result<BTreeMap<String, Zeroizing<String>>, Error> {
        let mut out = BTreeMap::new();
        for (name, value) in self.env_values(prefix)? {
            let text = std::str::from_utf8(&value)
                .map_err(|_| Error::Env(format!("{name} is binary; environment variables must be text")))?;
            out.insert(name, Zeroizing::new(text.to_owned()));
        }
        Ok(out)
    }
}

/// An object as a connection lists it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Object {
    pub key: String,
    pub size: u64,
    pub etag: String,
    pub uploaded: String,
}

/// One page of a listing, as the read API answers it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Page {
    /// The granted objects on this page, keys company-relative (`knowledge/a.md`).
    pub objects: Vec<Object>,
    /// With a delimiter: the folders one level down (`knowledge/2024/`).
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// More entries follow: ask again with `cursor`.
    pub truncated: bool,
    pub cursor: Option<String>,
}

/// Part of an object: the bytes read and the object's whole size.
#[derive(Debug, Clone)]
pub struct Part {
    /// The bytes from the offset asked for: all that remain, or as many as asked for.
    pub bytes: Vec<u8>,
    /// The size of the whole object, in bytes.
    pub size: u64,
}

/// The whole size in a `Content-Range` header: `bytes 0-9/1234` or `bytes */1234`.
fn content_range_size(r: &ureq::http::Response<ureq::Body>) -> Option<u64> {
    r.headers().get("content-range")?.to_str().ok()?.rsplit('/').next()?.trim().parse().ok()
}

/// A reader of company files through an External Connection (the daemon's or the Worker's).
pub struct Connection {
    agent: ureq::Agent,
    base: String,
    key: Zeroizing<String>,
    page_size: Option<u32>,
    /// The setting `base` was read from, for advice in errors.
    setting: Option<&'static str>,
}

impl Connection {
    /// `HQ_CONNECTION_URL` and `HQ_CONNECTION_KEY`; `HQ_CONNECTION_CA_CERT` to trust a local
    /// daemon's certificate (default: for an `https://` loopback address, the home's `tls/ca.pem`
    /// when there is one, as [`Client::from_env`] trusts the daemon; else the public web PKI, as
    /// for the hosted Worker).
    pub fn from_env() -> Result<Connection, Error> {
        let raw = std::env::var("HQ_CONNECTION_URL").map_err(|_| Error::MissingSetting("HQ_CONNECTION_URL"))?;
        let base = server_origin("HQ_CONNECTION_URL", &raw, false)?;
        let key = std::env::var("HQ_CONNECTION_KEY").map_err(|_| Error::MissingSetting("HQ_CONNECTION_KEY"))?;
        let ca = match std::env::var_os("HQ_CONNECTION_CA_CERT") {
            Some(p) => {
                let path = PathBuf::from(p);
                Some(std::fs::read(&path).map_err(|cause| Error::File {
                    path,
                    cause,
                    hint: "check HQ_CONNECTION_CA_CERT",
                })?)
            }
            None => {
                let local = url::Url::parse(&base).is_ok_and(|u| {
                    u.scheme() == "https"
                        && u.host().is_some_and(|h| match h {
                            url::Host::Domain(d) => d == "localhost",
                            url::Host::Ipv4(ip) => ip.is_loopback(),
                            url::Host::Ipv6(ip) => ip.is_loopback(),
                        })
                });
                let home_ca = default_home().ok().map(|h| h.join("tls").join("ca.pem")).filter(|_| local);
                home_ca.and_then(|p| std::fs::read(p).ok())
            }
        };
        let mut c = Connection::new(&base, &key, ca.as_deref())?;
        c.setting = Some("HQ_CONNECTION_URL");
        Ok(c)
    }

    pub fn new(base: &str, key: &str, ca_pem: Option<&[u8]>) -> Result<Connection, Error> {
        Ok(Connection {
            agent: agent(ca_pem)?,
            base: base.trim_end_matches('/').to_owned(),
            key: Zeroizing::new(key.to_owned()),
            page_size: None,
            setting: None,
        })
    }

    /// Ask for pages of at most `n` entries (1 to 1000; the server's default is 1000).
    pub fn with_page_size(mut self, n: u32) -> Connection {
        self.page_size = Some(n);
        self
    }

    fn source(&self) -> Arc<Source> {
        Arc::new(Source { url: self.base.clone(), token: TokenSource::Given, setting: self.setting })
    }

    fn get_raw(&self, path: &str, range: Option<String>) -> Result<ureq::http::Response<ureq::Body>, Error> {
        let mut req = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {}", self.key.as_str()));
        if let Some(r) = range {
            req = req.header("range", r);
        }
        req.call().map_err(|e| transport(&self.source(), None, e))
    }

    /// Every granted object under `prefix`, following the cursor across pages.
    pub fn list(&self, prefix: &str) -> Result<Vec<Object>, Error> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self.list_page(prefix, cursor.as_deref(), self.page_size, None)?;
            out.extend(page.objects);
            match page.cursor {
                Some(c) if page.truncated => cursor = Some(c),
                _ => return Ok(out),
            }
        }
    }

    /// One page of the granted objects under `prefix`: at most `limit` entries (1 to 1000; the
    /// server's default is 1000), from `cursor` (the previous page's), and with a `delimiter`
    /// (`/`) the folders one level down instead of what they hold.
    pub fn list_page(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: Option<u32>,
        delimiter: Option<&str>,
    ) -> Result<Page, Error> {
        let mut q = format!("/v1/connections/files?path={}", encode_query(prefix));
        if let Some(n) = limit {
            q.push_str(&format!("&limit={n}"));
        }
        if let Some(c) = cursor {
            q.push_str(&format!("&cursor={}", encode_query(c)));
        }
        if let Some(d) = delimiter {
            q.push_str(&format!("&delimiter={}", encode_query(d)));
        }
        let body = reply(&self.source(), None, Ok(self.get_raw(&q, None)?))?.ok()?;
        serde_json::from_value(body).map_err(|e| Error::BadAnswer(e.to_string()))
    }

    /// One object's bytes.
    pub fn get(&self, key: &str) -> Result<Vec<u8>, Error> {
        let mut r = self.get_raw(&format!("/v1/connections/files/object?path={}", encode_query(key)), None)?;
        if r.status().as_u16() != 200 {
            return Err(reply(&self.source(), None, Ok(r))?
                .ok()
                .err()
                .unwrap_or(Error::BadAnswer("unexpected status".into())));
        }
        r.body_mut().with_config().limit(u64::MAX).read_to_vec().map_err(|e| transport(&self.source(), None, e))
    }

    /// At most `max` bytes of an object from byte `offset` (an HTTP `Range` request, RFC 9110
    /// §14), and the object's size. An offset at or past the end gives no bytes; only a server
    /// that ignores `Range` sends more than asked for, and only `max` bytes of that are read.
    pub fn read(&self, key: &str, offset: u64, max: u64) -> Result<Part, Error> {
        let path = format!("/v1/connections/files/object?path={}", encode_query(key));
        let range = (max > 0).then(|| format!("bytes={offset}-{}", offset.saturating_add(max - 1)));
        let mut r = self.get_raw(&path, range)?;
        let status = r.status().as_u16();
        let size = content_range_size(&r);
        let io = |e: std::io::Error| Error::Transport { url: self.base.clone(), detail: e.to_string() };
        match status {
            206 => {
                let bytes = r
                    .body_mut()
                    .with_config()
                    .limit(max)
                    .read_to_vec()
                    .map_err(|e| transport(&self.source(), None, e))?;
                let size = size.ok_or_else(|| Error::BadAnswer("a partial answer without Content-Range".into()))?;
                Ok(Part { bytes, size })
            }
            // The range starts at or past the end.
            416 => Ok(Part { bytes: Vec::new(), size: size.unwrap_or(offset) }),
            200 => {
                // The whole object: skip to the offset, keep `max` bytes.
                let size = r.headers().get("content-length").and_then(|v| v.to_str().ok()?.parse().ok());
                let mut reader = r.body_mut().with_config().limit(u64::MAX).reader();
                std::io::copy(&mut reader.by_ref().take(offset), &mut std::io::sink()).map_err(io)?;
                let mut bytes = Vec::new();
                reader.take(max).read_to_end(&mut bytes).map_err(io)?;
                let size = size.unwrap_or(offset + bytes.len() as u64);
                Ok(Part { bytes, size })
            }
            _ => Err(reply(&self.source(), None, Ok(r))?
                .ok()
                .err()
                .unwrap_or(Error::BadAnswer("unexpected status".into()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_encodings() {
        assert_eq!(var_name("myapp/", "myapp/database-url"), "DATABASE_URL");
        assert_eq!(var_name("", "1key"), "_1KEY");
        assert_eq!(encode_path("a b/c%"), "a%20b/c%25");
        assert_eq!(encode_query("a/b"), "a%2Fb");
    }

    #[test]
    fn a_malformed_server_address_is_named_for_what_is_wrong() {
        let vault = |raw: &str| server_origin("HQ_VAULT_URL", raw, true);
        assert_eq!(vault("https://127.0.0.1:13100").unwrap(), "https://127.0.0.1:13100");
        assert_eq!(vault(" https://127.0.0.1:13100/ ").unwrap(), "https://127.0.0.1:13100");
        assert_eq!(vault("https://LOCALHOST:13100").unwrap(), "https://localhost:13100");
        for (raw, says) in [
            ("127.0.0.1:13100", "has no scheme: write it as https://127.0.0.1:13100"),
            ("localhost:13100", "has no scheme: write it as https://localhost:13100"),
            ("http://127.0.0.1:13100", "the daemon speaks only HTTPS: use https://127.0.0.1:13100"),
            ("ftp://127.0.0.1:13100", "uses the scheme `ftp://`"),
            ("https://127.0.0.1:13100/v1", "has `/v1` after the host and port"),
            ("https://127.0.0.1:13100?x=1", "has a query or fragment after the host and port"),
            ("https://127.0.0.1:13100/?token=hqvt_S3CRETPW", "has a query or fragment"),
            ("http://me:S3CRETPW@127.0.0.1:13100", "use https://127.0.0.1:13100"),
            ("https://me:S3CRETPW@127.0.0.1:abc", "a port that is no number"),
            ("https://127.0.0.1:13100 x", "a port that is no number from 1 to 65535"),
            ("https://127.0.0.1:13100/ x", "has `/%20x` after the host and port"),
            ("https://127.0.0.1:13100x", "a port that is no number from 1 to 65535"),
            ("https://127.0.0.1:99999", "a port that is no number from 1 to 65535"),
            ("https://me:pw@127.0.0.1:13100", "a user name or password"),
            ("https://", "no host"),
        ] {
            let e = vault(raw).unwrap_err().to_string();
            assert!(e.contains(says), "{raw}: {e}");
            assert!(!e.contains("S3CRETPW") && !e.contains(":pw@"), "a credential repeated: {e}");
        }
        // A token given where the address belongs is never repeated.
        let token = "hqvt_2WNNabcdefghijklmnopqrstuvwxyz0123456789AB";
        for raw in [token.to_owned(), format!("https://127.0.0.1:13100/{token}")] {
            let e = vault(&raw).unwrap_err().to_string();
            assert!(!e.contains("2WNN"), "a token repeated: {e}");
            assert!(e.starts_with("HQ_VAULT_URL `"), "{raw}: {e}");
            assert!(e.contains("it should look like https://127.0.0.1:13100"), "{raw}: {e}");
        }
        // A connection may be a local Worker's plain-HTTP address.
        assert_eq!(
            server_origin("HQ_CONNECTION_URL", "http://127.0.0.1:8787", false).unwrap(),
            "http://127.0.0.1:8787"
        );
    }

    #[test]
    fn values_are_sent_in_their_most_compact_field() {
        assert_eq!(value_field("sk_live_1 café".as_bytes()), json!({ "value": "sk_live_1 café" }));
        for escaped in [&b"a\"b"[..], b"a\\b", b"\x01", b"line\n", b"\xff"] {
            assert_eq!(value_field(escaped)["value_base64"], B64.encode(escaped));
        }
        for worst in [vec![b'"'; MAX_VALUE], vec![1; MAX_VALUE], vec![0xff; MAX_VALUE]] {
            assert!(value_field(&worst).to_string().len() < MAX_VALUE * 4 / 3 + 64);
        }
    }

    #[test]
    fn error_answers_say_what_to_do() {
        let source = Arc::new(Source::default());
        let locked = Reply { status: 423, body: Value::Null, source: source.clone() }.ok().unwrap_err();
        assert!(locked.to_string().contains("hq-vault unlock"));
        let other = Reply {
            status: 404,
            body: json!({"error": {"code": "not_found", "message": "no secret at this path"}}),
            source,
        };
        assert!(matches!(other.ok(), Err(Error::Api { status: 404, .. })));
    }
}
