//! `hq-vault mcp`: a stdio MCP server (the official `rmcp` SDK) through which an agent uses the
//! vault without ever being given a value (docs/design.md §6.1).
//!
//! Tools:
//! - `secrets_list`: paths and metadata of one folder, never values.
//! - `secret_request`: the person enters a value (a one-time page, or a hidden prompt on this
//!   process's terminal); the agent gets the `Stored: …` line only.
//! - `run_with_secrets`: a program run with a folder's secrets in its environment, as
//!   `hq-vault run` does; its output comes back with every value masked, in its raw bytes and in
//!   the encoded forms the masker knows ([`super::mask::forms`]).
//! - `files_list`, `files_read` (only when `HQ_CONNECTION_KEY` is set): company files through an
//!   External Connection. Files are not vault secrets: reading them is what these tools are for.
//!
//! Standard input and output are the protocol. Nothing else may touch them: at start the
//! protocol's output moves to a descriptor of its own and file descriptor 1 becomes a copy of
//! standard error, so a stray `println!` can never corrupt the protocol; commands get
//! `/dev/null` as input and pipes as output; a terminal prompt uses `/dev/tty`.

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use base64::Engine;
use hq_vault::home::Home;
use hq_vault_client::{Client, Connection};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ResourceContents, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, ServiceExt, tool, tool_handler, tool_router};
use serde::Deserialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;
use zeroize::Zeroizing;

use super::ingest::{Asking, OpenPage, Outcome, SecretRequest};
use super::isolate::{Isolation, Sandbox, find_program};
use super::run::{Captured, End, Limits};

#[derive(clap::Args)]
pub struct Args {
    /// How `secret_request` asks the person for a value: `web`, a one-time local page whose link
    /// the agent shows the person; `terminal`, a hidden prompt on this process's terminal
    /// (/dev/tty), or the page when it has none.
    #[arg(long, value_enum, default_value_t = Ask::Web)]
    ask: Ask,
    /// How long a `secret_request` page stays open.
    #[arg(long, default_value = "10m", hide = true)]
    page_expires: String,
    /// Let `run_with_secrets` run commands without isolation where bubblewrap (`bwrap`) is missing
    /// or cannot work. Such a command can read this user's vault token, and through it any
    /// secret, unmasked: use only when every agent that reaches this server may read every secret.
    #[arg(long)]
    allow_unisolated_run: bool,
    /// Read this server's vault token from FILE (one `hqvt_` token) rather than from
    /// `HQ_VAULT_TOKEN` or the home's token file. Commands run for the agent cannot read it;
    /// a token in `HQ_VAULT_TOKEN` is written in the agent's MCP configuration, which they can,
    /// so `run_with_secrets` refuses to run with one.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Commands run for the agent get no network (their own empty network namespace).
    #[arg(long)]
    run_offline: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Ask {
    Web,
    Terminal,
}

/// Variables no command run for the agent gets: the credentials this server holds.
const WITHHELD: &[&str] = &["HQ_VAULT_TOKEN", "HQ_CONNECTION_KEY"];

/// `run_with_secrets` bounds: time limit (default, most) and bytes kept per stream (default, least, most).
const RUN_TIMEOUT: (u64, u64) = (60, 3600);
const RUN_OUTPUT: (usize, usize, usize) = (64 * 1024, 1024, 1024 * 1024);
/// `files_read`: bytes returned (default, most).
const READ_BYTES: (u64, u64) = (128 * 1024, 1024 * 1024);
/// `files_list`: entries per page (default; the read API allows 1 to 1000).
const LIST_LIMIT: u32 = 200;
/// `secret_request`: how long a call waits on an open page (default, most), in seconds.
const REQUEST_WAIT: (u64, u64) = (30, 600);

pub fn run(home: &Home, a: Args) -> Result<ExitCode> {
    // The protocol gets its own descriptor of standard output (close-on-exec, so no command
    // inherits it); descriptor 1 then points at standard error.
    let protocol = rustix::io::fcntl_dupfd_cloexec(std::io::stdout(), 3).context("duplicating standard output")?;
    rustix::stdio::dup2_stdout(std::io::stderr()).context("pointing standard output at standard error")?;
    let page_ttl = super::ingest::page_lifetime(home, &a.page_expires).context("--page-expires")?;
    // Settings are read now, so that a mistake shows at start; clients are made per call, so
    // that the bootstrap token a restarted daemon rewrote is read again.
    let token_file = match &a.token_file {
        Some(f) => Some(std::fs::canonicalize(f).with_context(|| format!("--token-file {}", f.display()))?),
        None => None,
    };
    vault_client(token_file.as_deref())?;
    // A token in the environment came from the agent's MCP configuration, a file that any
    // command the agent runs can read.
    let token_in_env = token_file.is_none() && std::env::var_os("HQ_VAULT_TOKEN").is_some_and(|t| !t.is_empty());
    let connection = match std::env::var_os("HQ_CONNECTION_KEY") {
        Some(_) => Some(Arc::new(Connection::from_env()?)),
        None => None,
    };
    // The vault's home and the token file hold the tokens this server reads; a command run for
    // the agent must not.
    let mut hidden = vec![std::fs::canonicalize(&home.dir).unwrap_or_else(|_| home.dir.clone())];
    hidden.extend(token_file.clone());
    let sandbox = Sandbox {
        hidden,
        working_dir: std::env::current_dir().context("the working directory")?,
        user_home: std::env::var_os("HOME").map(PathBuf::from),
        offline: a.run_offline,
    };
    let isolation = if token_in_env {
        Isolation::Unavailable(
            "this server's token came from HQ_VAULT_TOKEN, which is written in the agent's MCP configuration, a file that a \
             command run for the agent could read, and with the token every secret it reaches, unmasked. Nothing was run. \
             Ask the person to save the token in a file of its own (`umask 077; printf '%s\\n' 'hqvt_…' > ~/.config/hq-vault/agent-token`) \
             and to start this server with `hq-vault mcp --token-file` and that path instead of HQ_VAULT_TOKEN: the file is hidden from commands."
                .to_owned(),
        )
    } else {
        Isolation::detect(sandbox, a.allow_unisolated_run)
    };
    match &isolation {
        Isolation::Unisolated => eprintln!(
            "hq-vault mcp: run_with_secrets runs commands WITHOUT isolation (--allow-unisolated-run): they can read this user's vault token"
        ),
        Isolation::Unavailable(why) => eprintln!("hq-vault mcp: run_with_secrets will refuse every command: {why}"),
        Isolation::Bubblewrap { .. } => {}
    }
    let server = Vault::new(home.clone(), a.ask, page_ttl, connection, isolation, token_file);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let out = tokio::fs::File::from_std(std::fs::File::from(protocol));
        let service = server.serve((tokio::io::stdin(), out)).await.context("starting the MCP session")?;
        service.waiting().await.context("serving MCP")?;
        anyhow::Ok(())
    })?;
    // Pending reads of standard input must not keep the process alive.
    rt.shutdown_background();
    Ok(ExitCode::SUCCESS)
}

#[derive(Clone)]
struct Vault {
    home: Home,
    ask: Ask,
    page_ttl: Duration,
    /// The one-time page open for each path, until its outcome has been reported.
    pages: Arc<tokio::sync::Mutex<HashMap<String, OpenPage>>>,
    /// One hidden prompt at a time on the terminal.
    terminal: Arc<tokio::sync::Mutex<()>>,
    connection: Option<Arc<Connection>>,
    /// How `run_with_secrets` keeps its commands from the vault's credentials.
    isolation: Arc<Isolation>,
    /// `--token-file`, canonical.
    token_file: Option<PathBuf>,
    tool_router: ToolRouter<Vault>,
}

/// A tool's failure, as the agent reads it (what went wrong and what to do; never a value).
fn failed(message: impl std::fmt::Display) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.to_string())])
}

fn text(message: impl Into<String>) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(message.into())])
}

/// Run blocking work (the vault client, a command, a prompt) off the protocol's threads; an
/// error becomes the tool's failure.
async fn blocking(work: impl FnOnce() -> Result<CallToolResult> + Send + 'static) -> Result<CallToolResult, ErrorData> {
    Ok(match tokio::task::spawn_blocking(work).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => failed(format!("{e:#}")),
        Err(e) => failed(format!("the tool stopped unexpectedly: {e}")),
    })
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ListParams {
    /// The folder to list, such as `myapp/` (`myapp` means the same); empty for every secret.
    #[serde(default)]
    prefix: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct RequestParams {
    /// Where to store the value, such as `stripe/secret-key`.
    path: String,
    /// A type label shown to the person, such as `api-key`.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// What the secret is for, shown to the person.
    description: Option<String>,
    /// Refuse to replace a secret already at the path.
    #[serde(default)]
    no_overwrite: bool,
    /// When a page for this path is already open: how long to wait for the person, in seconds
    /// (default 30, at most 600).
    wait_seconds: Option<u64>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct RunParams {
    /// The folder of the secrets, such as `myapp/`: `myapp/database-url` becomes DATABASE_URL.
    prefix: String,
    /// The program and its arguments, such as ["npm", "run", "migrate"]. No shell is involved
    /// unless you run one (["sh", "-c", "…"]).
    command: Vec<String>,
    /// Variables a secret may replace although the environment has them or they are guarded
    /// (PATH, HOME, LD_*, …).
    #[serde(default)]
    allow_override: Vec<String>,
    /// Time limit in seconds (default 60, at most 3600); the command and what it started are
    /// then ended.
    timeout_seconds: Option<u64>,
    /// Bytes kept of stdout and of stderr each (default 65536, 1024 to 1048576): the first and the
    /// last half, the middle left out and counted.
    max_output_bytes: Option<usize>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct FilesListParams {
    /// The folder or key prefix to list, such as `knowledge/`; empty for everything granted.
    #[serde(default)]
    path: String,
    /// The `cursor` of the previous page.
    cursor: Option<String>,
    /// Entries per page, 1 to 1000 (default 200).
    limit: Option<u32>,
    /// `/` to list one level: the folders below as `prefixes`, not their contents.
    delimiter: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct FilesReadParams {
    /// The file's key, as `files_list` gives it.
    path: String,
    /// The first byte to read (default 0).
    #[serde(default)]
    offset: u64,
    /// Bytes to read (default 131072, at most 1048576).
    max_bytes: Option<u64>,
}

#[tool_router]
impl Vault {
    fn new(
        home: Home,
        ask: Ask,
        page_ttl: Duration,
        connection: Option<Arc<Connection>>,
        isolation: Isolation,
        token_file: Option<PathBuf>,
    ) -> Vault {
        let mut tool_router = Self::tool_router();
        if connection.is_none() {
            tool_router.remove_route("files_list");
            tool_router.remove_route("files_read");
        }
        Vault {
            home,
            ask,
            page_ttl,
            pages: Arc::default(),
            terminal: Arc::default(),
            connection,
            isolation: Arc::new(isolation),
            token_file,
            tool_router,
        }
    }

    #[tool(
        description = "List the secrets in a folder of the vault: path, size in bytes, type, description, last update. Never a value.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn secrets_list(&self, Parameters(p): Parameters<ListParams>) -> Result<CallToolResult, ErrorData> {
        let token_file = self.token_file.clone();
        blocking(move || {
            let listed = vault_client(token_file.as_deref())?.list_folder(&p.prefix)?;
            let (folder, scoped) = (listed.prefix, listed.scoped);
            let secrets: Vec<_> = listed
                .secrets
                .into_iter()
                .map(|s| {
                    json!({"path": s.path, "size": s.size, "type": s.kind, "description": s.description, "updated_ms": s.updated_ms})
                })
                .collect();
            Ok(CallToolResult::structured(json!({ "prefix": folder, "secrets": secrets, "scoped": scoped })))
        })
        .await
    }

    #[tool(
        description = "Ask the person to enter a secret and store it in their vault; you get back only `Stored: PATH (N bytes, type: T)`, never the value. The first call opens a one-time page and returns its link: show the link to the person, then call again with the same path to wait for them (each call waits up to wait_seconds). When this server was started with --ask terminal and has a terminal, the person is asked there and the call returns when they have answered.",
        annotations(read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn secret_request(&self, Parameters(p): Parameters<RequestParams>) -> Result<CallToolResult, ErrorData> {
        let request = SecretRequest {
            path: p.path.clone(),
            kind: p.kind,
            description: p.description,
            no_overwrite: p.no_overwrite,
        };
        let mut note = String::new();
        if self.ask == Ask::Terminal {
            if std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").is_ok() {
                let _one_at_a_time = self.terminal.lock().await;
                let (home, token_file) = (self.home.clone(), self.token_file.clone());
                return blocking(move || {
                    let client = vault_client(token_file.as_deref())?;
                    // Asked only once everything that can be checked was.
                    may_store(&client)?;
                    if let Some(note) = request.preflight(&home, &client, Asking::Terminal)? {
                        eprintln!("hq-vault mcp: {note}");
                    }
                    let value = super::ingest::ask_terminal(&request.path)?;
                    Ok(text(request.store(&client, value.as_bytes())?))
                })
                .await;
            }
            note = "This server has no terminal to ask on, so a page is used instead. ".into();
        }
        let asked_wait = p.wait_seconds.unwrap_or(REQUEST_WAIT.0);
        let wait = Duration::from_secs(asked_wait.min(REQUEST_WAIT.1));
        let wait_note = if asked_wait > REQUEST_WAIT.1 {
            format!("wait_seconds {asked_wait} is above the most, {}: {} was used. ", REQUEST_WAIT.1, REQUEST_WAIT.1)
        } else {
            String::new()
        };
        let mut page = {
            let mut pages = self.pages.lock().await;
            let mut open = pages.get(&request.path).cloned();
            if let Some(page) = &mut open {
                // A page that expired unreported gives way to a new one.
                if matches!(page.wait(Duration::ZERO).await, Some(Outcome::Expired)) {
                    open = None;
                }
            }
            match open {
                Some(page) => page,
                None => {
                    let token_file = self.token_file.clone();
                    let client = match tokio::task::spawn_blocking(move || {
                        let client = vault_client(token_file.as_deref())?;
                        may_store(&client)?;
                        anyhow::Ok(client)
                    })
                    .await
                    {
                        Ok(Ok(c)) => c,
                        Ok(Err(e)) => return Ok(failed(format!("{e:#}"))),
                        Err(e) => return Ok(failed(format!("the tool stopped unexpectedly: {e}"))),
                    };
                    // The page opens only once everything that can be checked was.
                    let checked = {
                        let (home, path, no_overwrite) =
                            (self.home.clone(), request.path.clone(), request.no_overwrite);
                        let token_file = self.token_file.clone();
                        tokio::task::spawn_blocking(move || {
                            let probe = SecretRequest { path, kind: None, description: None, no_overwrite };
                            probe.preflight(&home, &vault_client(token_file.as_deref())?, Asking::Page)
                        })
                        .await
                    };
                    let page_note = match checked {
                        Ok(Ok(n)) => n.map(|n| format!("{n} ")).unwrap_or_default(),
                        Ok(Err(e)) => return Ok(failed(format!("{e:#}"))),
                        Err(e) => return Ok(failed(format!("the check stopped unexpectedly: {e}"))),
                    };
                    note.push_str(&page_note);
                    let page = match OpenPage::open(&self.home, client, request, self.page_ttl).await {
                        Ok(page) => page,
                        Err(e) => return Ok(failed(format!("opening the page: {e:#}"))),
                    };
                    eprintln!("hq-vault mcp: the page for {} is open at {}", page.path(), page.url());
                    pages.insert(p.path.clone(), page.clone());
                    let home = self.home.clone();
                    let trust = tokio::task::spawn_blocking(move || hq_vault::trust::suggestion(&home))
                        .await
                        .ok()
                        .flatten()
                        .map(|s| format!("\nTell the person too: {s}"))
                        .unwrap_or_default();
                    return Ok(text(format!(
                        "{note}Nothing is stored yet. Show the person this one-time link, and ask them to open it in a browser on this computer and enter the value for `{path}` there (it expires in {minutes} min; the value goes straight into their vault and is never shown to you):\n{url}\nThen call secret_request again with the same path: it waits for the person and answers with the `Stored:` line.{trust}",
                        path = page.path(),
                        minutes = page.remaining().as_secs().div_ceil(60),
                        url = page.url(),
                    )));
                }
            }
        };
        match page.wait(wait).await {
            Some(outcome) => {
                self.pages.lock().await.remove(&p.path);
                Ok(match outcome {
                    Outcome::Stored(line) => text(line),
                    Outcome::Expired => failed(format!(
                        "The page for `{}` expired before a value was stored: nothing was stored. Call secret_request again for a new page.",
                        p.path
                    )),
                })
            }
            None => Ok(text(format!(
                "{wait_note}Not stored yet: the person has not entered the value. The page for `{}` stays open for {} more min at\n{}\nCall secret_request again with the same path to keep waiting.",
                p.path,
                page.remaining().as_secs().div_ceil(60),
                page.url()
            ))),
        }
    }

    #[tool(
        description = "Run a program with the secrets of a folder in its environment (`myapp/database-url` becomes DATABASE_URL) and return its exit code, stdout and stderr, with every secret value masked as <hq-vault:NAME>, also in the forms programs commonly print values in (base64, base32, hex, JSON, URL, shell and Python quoting, HTML). No shell unless you run one. Standard input is empty; the run ends at the time limit. The program runs isolated: the vault's own files and every other process are out of its reach, so it can use the folder's secrets and no others.",
        annotations(read_only_hint = false, destructive_hint = true, open_world_hint = true)
    )]
    async fn run_with_secrets(
        &self,
        Parameters(p): Parameters<RunParams>,
        cancelled: CancellationToken,
    ) -> Result<CallToolResult, ErrorData> {
        if p.command.is_empty() {
            return Ok(failed("`command` is empty: give the program and its arguments, such as [\"ls\", \"-l\"]"));
        }
        let timeout = p.timeout_seconds.unwrap_or(RUN_TIMEOUT.0);
        let max_output = p.max_output_bytes.unwrap_or(RUN_OUTPUT.0);
        let limits = Limits {
            timeout: Duration::from_secs(timeout.clamp(1, RUN_TIMEOUT.1)),
            max_output: max_output.clamp(RUN_OUTPUT.1, RUN_OUTPUT.2),
            cancel: Arc::new(AtomicBool::new(false)),
        };
        // A bound out of range is moved into it, and the agent is told.
        let mut adjusted = Vec::new();
        if limits.timeout.as_secs() != timeout {
            adjusted.push(format!(
                "timeout_seconds {timeout} is outside 1 to {}: {} was used",
                RUN_TIMEOUT.1,
                limits.timeout.as_secs()
            ));
        }
        if limits.max_output != max_output {
            adjusted.push(format!(
                "max_output_bytes {max_output} is outside {} to {}: {} was used",
                RUN_OUTPUT.1, RUN_OUTPUT.2, limits.max_output
            ));
        }
        let command: Vec<OsString> = p.command.iter().map(OsString::from).collect();
        // Checked before any value is fetched: a command that will not run needs none.
        let isolated = match self.isolation.command(&command) {
            Ok(argv) => argv,
            Err(why) => return Ok(failed(why)),
        };
        // The program is looked up here, as the command would be without isolation, so that a
        // missing one answers 127 rather than bubblewrap's own failure.
        if find_program(&p.command[0], std::env::var_os("PATH")).is_none() {
            let e = std::io::Error::from_raw_os_error(libc::ENOENT);
            return Ok(run_result(&super::run::not_started(&command[0], &e, &limits), &limits, adjusted));
        }
        let cancel = limits.cancel.clone();
        let watcher = tokio::spawn(async move {
            cancelled.cancelled().await;
            cancel.store(true, Ordering::Relaxed);
        });
        let (token_file, home) = (self.token_file.clone(), self.home.clone());
        let result = blocking(move || {
            let vars = vault_client(token_file.as_deref())?.env_values(&p.prefix)?;
            let short = super::run::unmaskable(&vars);
            if !short.is_empty() {
                bail!(
                    "{} shorter than {} bytes, too short to mask without hiding ordinary output, and this tool never returns a value: nothing was run. Ask the person to move {} out of `{}`.",
                    short.join(", "),
                    super::mask::MIN_MASKED_LEN,
                    if short.len() == 1 { "it" } else { "them" },
                    p.prefix
                );
            }
            let c = super::run::capture(vars, credentials(token_file.as_deref(), &home), &p.allow_override, &isolated, WITHHELD, &limits)?;
            Ok(run_result(&c, &limits, adjusted))
        })
        .await;
        watcher.abort();
        result
    }

    #[tool(
        description = "List company files granted to this server's External Connection: key, size, etag, upload time; one page at a time (pass `cursor` for the next).",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn files_list(&self, Parameters(p): Parameters<FilesListParams>) -> Result<CallToolResult, ErrorData> {
        self.with_connection(move |conn| {
            let limit = Some(p.limit.unwrap_or(LIST_LIMIT));
            let page = conn.list_page(&p.path, p.cursor.as_deref(), limit, p.delimiter.as_deref())?;
            Ok(CallToolResult::structured(serde_json::to_value(page)?))
        })
        .await
    }

    #[tool(
        description = "Read a company file through this server's External Connection: text files as text; other files as a base64 blob. At most max_bytes from offset; a note says when more remains.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn files_read(&self, Parameters(p): Parameters<FilesReadParams>) -> Result<CallToolResult, ErrorData> {
        self.with_connection(move |conn| {
            let max = p.max_bytes.unwrap_or(READ_BYTES.0).clamp(1, READ_BYTES.1);
            let part = conn.read(&p.path, p.offset, max)?;
            Ok(file_result(&p.path, p.offset, &part))
        })
        .await
    }
}

impl Vault {
    /// Blocking work with the External Connection; without one, the failure that says how to give
    /// one (the files tools are listed only with a key, but a client may call a tool it was not
    /// shown).
    async fn with_connection(
        &self,
        work: impl FnOnce(&Connection) -> Result<CallToolResult> + Send + 'static,
    ) -> Result<CallToolResult, ErrorData> {
        let Some(conn) = self.connection.clone() else {
            return Ok(failed(
                "no External Connection: start `hq-vault mcp` with HQ_CONNECTION_URL and HQ_CONNECTION_KEY",
            ));
        };
        blocking(move || work(&conn)).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Vault {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("hq-vault", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "HQ Vault keeps the person's secrets. You never see a value: list what exists with secrets_list, \
ask the person for a missing one with secret_request, and use secrets by running a program with \
run_with_secrets (its output comes back with every value masked). files_list and files_read, when \
present, read company files through an External Connection.",
            )
    }
}

/// This server's own credentials, masked in every command's output like the folder's values: the
/// connection key and the vault token are withheld from a command's environment, but a file it can
/// read may hold them (the agent's MCP configuration names them), so they are never returned.
fn credentials(token_file: Option<&Path>, home: &Home) -> Vec<(String, Zeroizing<Vec<u8>>)> {
    let mut also = Vec::new();
    for name in ["HQ_CONNECTION_KEY", "HQ_VAULT_TOKEN"] {
        if let Some(v) = std::env::var_os(name).filter(|v| !v.is_empty()) {
            also.push((name.to_owned(), Zeroizing::new(v.into_vec())));
        }
    }
    let file = token_file.map_or_else(|| home.token(), Path::to_path_buf);
    if let Ok(t) = std::fs::read_to_string(file) {
        let t = Zeroizing::new(t);
        if !t.trim().is_empty() {
            also.push(("HQ_VAULT_TOKEN".to_owned(), Zeroizing::new(t.trim().as_bytes().to_vec())));
        }
    }
    also
}

/// A client of the vault with this server's settings: `--token-file` when given.
fn vault_client(token_file: Option<&Path>) -> Result<Client> {
    let client = Client::from_env()?;
    Ok(match token_file {
        Some(f) => client.with_token_file(f)?,
        None => client,
    })
}

/// Whether this server's token may store secrets, asked before the person is: a managed token
/// may only read, and a page or prompt whose value can never be stored wastes the person's time.
/// Asked as `GET /v1/tokens`, which only the owner may do (a managed token's refusal is audited
/// like any other).
fn may_store(client: &Client) -> Result<()> {
    match client.get("/v1/tokens").and_then(|r| r.ok()) {
        Err(hq_vault_client::Error::Api { status: 403, .. }) => bail!(
            "this server's token may only read secrets (a managed token), so a value the person entered could not be stored: nothing was asked. Ask the person to store it themselves (`hq-vault ingest PATH`), or to run this server with the vault owner's token (without HQ_VAULT_TOKEN, it uses the home's)."
        ),
        Err(e) => Err(e.into()),
        Ok(_) => Ok(()),
    }
}

/// The agent's view of a captured run: exit code (or how it was ended) and the masked output.
/// `adjusted` says which of the agent's bounds were moved into range.
fn run_result(c: &Captured, limits: &Limits, adjusted: Vec<String>) -> CallToolResult {
    let (exit_code, ended) = match c.end {
        End::Status(code) => (Some(code), None),
        End::TimedOut => (None, Some(format!("timed out after {} s and was ended", limits.timeout.as_secs()))),
        End::Cancelled => (None, Some("cancelled and ended".to_owned())),
        End::NotStarted(code) => (Some(i32::from(code)), Some("could not be started".to_owned())),
    };
    let mut notes = adjusted;
    for (name, s) in [("stdout", &c.stdout), ("stderr", &c.stderr)] {
        if s.omitted > 0 {
            notes.push(format!(
                "{} of {name} left out in the middle (max_output_bytes is {})",
                super::count(s.omitted, "byte"),
                limits.max_output
            ));
        }
    }
    if c.output_left_open {
        notes.push(
            "a process the command started kept its output open; what it wrote after the command ended is not shown"
                .into(),
        );
    }
    let body = json!({
        "exit_code": exit_code,
        "ended": ended,
        "stdout": c.stdout.text(),
        "stderr": c.stderr.text(),
        "notes": notes,
    });
    let mut result = CallToolResult::structured(body);
    result.is_error = Some(matches!(c.end, End::NotStarted(_)));
    result
}

/// The media type of common binary files, from their first bytes.
fn sniff(bytes: &[u8]) -> &'static str {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF8", "image/gif"),
        (b"%PDF-", "application/pdf"),
        (b"PK\x03\x04", "application/zip"),
    ];
    MAGIC.iter().find(|(m, _)| bytes.starts_with(m)).map_or("application/octet-stream", |(_, t)| t)
}

/// A file's bytes for the agent: text as text (a character cut by the byte limit is left for the
/// next read), anything else (not UTF-8, or holding NUL) as a base64 blob; and a note when
/// bytes remain.
fn file_result(key: &str, offset: u64, part: &hq_vault_client::Part) -> CallToolResult {
    let bytes = &part.bytes;
    let more = offset + (bytes.len() as u64) < part.size;
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => Some(t),
        // Only an incomplete last character, cut by the limit.
        Err(e) if more && e.error_len().is_none() => std::str::from_utf8(&bytes[..e.valid_up_to()]).ok(),
        Err(_) => None,
    }
    .filter(|t| !t.contains('\0'));
    let shown = text.map_or(bytes.len(), str::len) as u64;
    let mut content = Vec::new();
    match text {
        Some(t) => content.push(ContentBlock::text(t)),
        None => {
            let uri = format!("hq-vault-file:///{}", hq_vault_client::encode_path(key));
            let blob = base64::engine::general_purpose::STANDARD.encode(bytes);
            content.push(ContentBlock::resource(ResourceContents::blob(blob, uri).with_mime_type(sniff(bytes))));
            content.push(ContentBlock::text(format!(
                "`{key}` is not text: {} from offset {offset} are in the blob above, base64-encoded ({}).",
                super::count(shown, "byte"),
                sniff(bytes)
            )));
        }
    }
    if offset >= part.size && bytes.is_empty() {
        content.push(ContentBlock::text(format!(
            "[hq-vault: `{key}` has {}; offset {offset} is past its end]",
            super::count(part.size, "byte")
        )));
    } else if offset + shown < part.size {
        content.push(ContentBlock::text(format!(
            "[hq-vault: {} from offset {offset} shown, of {}; call files_read with offset {} for more]",
            super::count(shown, "byte"),
            part.size,
            offset + shown
        )));
    }
    CallToolResult::success(content)
}
