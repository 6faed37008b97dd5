//! The command line. Every command has `--help` with an example.

/// `println!` for the CLI's output: an error (`writing to standard output: …`, exit 1) instead of a
/// panic when standard output cannot be written (a full disk, a file that went away). Only in
/// functions that return `anyhow::Result`.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*).map_err(|e| {
            anyhow::anyhow!("writing to standard output: {e} (what the command did before this line is done: only its report was lost)")
        })?
    }};
}

mod audit;
mod completions;
mod connection;
mod doctor;
mod envfile;
mod ingest;
mod init;
mod isolate;
mod mask;
mod mcp;
mod network;
mod run;
mod secrets;
mod serve;
mod session;
mod token;
mod trust;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use hq_vault::home::Home;

#[derive(Parser)]
#[command(
    name = "hq-vault",
    version,
    about = "Secrets and files for AI agents, never in a chat or a .env file",
    after_help = "Start with: hq-vault serve   (asks for a passphrase on first start)\nHome: $HQ_VAULT_HOME (default ~/.hq-vault). Clients: HQ_VAULT_URL, HQ_VAULT_TOKEN."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the vault: home, TLS certificate, passphrase-derived key.
    #[command(after_help = "Example:\n  hq-vault init\n  printf '%s' \"$PASS\" | hq-vault init --passphrase-stdin")]
    Init(init::Args),
    /// Run the daemon on https://127.0.0.1:13100 (first start: asks for a passphrase).
    #[command(after_help = "Example:\n  hq-vault serve\n  hq-vault serve --idle-lock 10m --listen 127.0.0.1:13101")]
    Serve(serve::Args),
    /// Make your browsers trust this vault's certificate (for `ingest --web`); --uninstall undoes it.
    #[command(
        after_help = "Adds the vault's local CA (tls/ca.pem, named by its fingerprint) to the NSS databases of Chromium\n(~/.pki/nssdb, made when missing) and of every Firefox profile with NSS's certutil\n(Debian: `sudo apt-get install libnss3-tools`), and, run as root, to the system store.\n--uninstall removes exactly this CA again.\n\nExample:\n  hq-vault trust\n  hq-vault trust --uninstall"
    )]
    Trust(trust::Args),
    /// Unlock the running daemon (asks for the passphrase without echo).
    #[command(after_help = "Example:\n  hq-vault unlock")]
    Unlock(session::UnlockArgs),
    /// Lock the running daemon: the key is dropped from memory.
    #[command(after_help = "Example:\n  hq-vault lock")]
    Lock,
    /// Show whether the daemon runs and is unlocked.
    #[command(after_help = "Example:\n  hq-vault status")]
    Status,
    /// Exit 0 when the daemon answers its health route, else 1: a container's HEALTHCHECK (in network
    /// mode it asks over the home socket, whatever names the TLS certificate holds).
    #[command(after_help = "Example:\n  hq-vault health && echo up")]
    Health,
    /// Store a secret from a file or standard input; prints only its size and type.
    #[command(
        after_help = "What is stored: a single line of text (UTF-8, one newline, at the end) loses that newline\n(`\\n` or `\\r\\n`), as `$(…)` would drop it; multi-line text (a PEM, an SSH key) and anything that\nis not UTF-8 are stored byte for byte; --raw stores the input exactly. A value may be at most\n1 MiB (1048576 bytes), any bytes.\n\nOn a path that holds a secret, store replaces it and prints `Replaced:`; the stored type and\ndescription stay unless --type/--description are given (an empty one clears it). --no-overwrite\nrefuses instead.\n\nExample:\n  hq-vault store myapp/database-url --file <(grep DATABASE_URL .env | cut -d= -f2-)\n  printf '%s' \"$VALUE\" | hq-vault store stripe/secret-key --type api-key\n  hq-vault store deploy/ssh-key --file ~/.ssh/id_ed25519"
    )]
    Store(secrets::StoreArgs),
    /// Ask a person for a secret (hidden prompt, or a one-time browser page) and store it.
    #[command(
        after_help = "Example:\n  hq-vault ingest stripe/secret-key --type api-key --description \"Stripe live key\"\n  hq-vault ingest slack/token --web"
    )]
    Ingest(ingest::Args),
    /// Print a secret's value to standard output.
    #[command(after_help = "Example:\n  hq-vault get aws/deploy/access-key")]
    Get(secrets::GetArgs),
    /// List secrets (paths and metadata, never values).
    #[command(
        after_help = "A prefix is a folder: `aws` and `aws/` both list `aws/…`, never `awsx/…`.\n\nExample:\n  hq-vault list aws/"
    )]
    List(secrets::ListArgs),
    /// Delete a secret.
    #[command(after_help = "Example:\n  hq-vault delete myapp/old-key")]
    Delete(secrets::DeleteArgs),
    /// Print the secrets under a prefix as an env file (dotenv, export or json).
    #[command(
        name = "env-file",
        after_help = "Names: `myapp/database-url` under `myapp/` is DATABASE_URL. A prefix is a folder: `myapp` means\n`myapp/` (never `myappx/`); a folder with no secret is an error and nothing is written.\n\nFormats, each read back exactly or refused with the variable's name (nothing is written then):\n  dotenv  for python-dotenv, npm dotenv, dotenvx and node --env-file: NAME='value', verbatim\n          (newlines included); a value holding ' is written NAME=\"value\" with newlines as \\n.\n          Refused: a carriage return or ${ anywhere; \\\\ or a final \\; ' together with \", \\ or $.\n  export  export NAME='value' (' as '\\''): POSIX shell, safe under eval for any byte but NUL.\n  json    one object {\"NAME\": \"value\"}; any text.\n\nExample:\n  hq-vault env-file myapp/ > .env\n  eval \"$(hq-vault env-file myapp/ --format export)\"\n  hq-vault env-file myapp/ --format json"
    )]
    EnvFile(envfile::EnvFileArgs),
    /// Run a command with the secrets under a prefix in its environment only.
    #[command(
        after_help = "The child gets this environment without HQ_VAULT_TOKEN, plus one variable per secret (names as\nin env-file; a prefix is a folder: `myapp` means `myapp/`; a folder with no secret is an error,\nand nothing is run). A secret that would replace an inherited variable, or PATH, HOME, SHELL, IFS,\nENV, BASH_ENV, NODE_OPTIONS, PYTHONPATH, LD_*, DYLD_*, HQ_VAULT_* and the like, is refused\nunless --allow-override NAME.\n\nEvery injected value in the child's stdout and stderr is shown as <hq-vault:NAME> (values\nshorter than 4 bytes are not masked, and run says which); --no-mask passes the output through.\nSIGINT, SIGTERM and SIGHUP are forwarded to the child; run exits with the child's code, or\n128+N when signal N killed it (127: command not found, 126: cannot be run).\n\nExample:\n  hq-vault run --prefix myapp/ -- node server.js\n  hq-vault run --prefix tools/ --allow-override PATH -- make deploy"
    )]
    Run(run::RunArgs),
    /// Managed tokens for agents and workers.
    #[command(
        subcommand,
        after_help = "--prefix is a folder: `aws` and `aws/` both grant `aws/*` (a pattern ending in `*` is kept).\n\nExample:\n  hq-vault token create --name deploy-run-42 --ttl 1h --max-uses 10 --prefix aws/deploy/"
    )]
    Token(token::Command),
    /// Show the audit log as a table (--json: its raw lines), follow it, or verify its chain.
    #[command(
        after_help = "Columns: TIME (UTC), ACTOR, OP, PATH, IP, STATUS (outcome and HTTP status, with the reason\nof a refusal).\n\nExample:\n  hq-vault audit\n  hq-vault audit --tail\n  hq-vault audit --json | jq 'select(.outcome != \"allowed\")'\n  hq-vault audit verify"
    )]
    Audit(audit::Args),
    /// Change the passphrase (rewraps the key; no secret is re-encrypted).
    #[command(subcommand, after_help = "Example:\n  hq-vault passphrase change")]
    Passphrase(session::PassphraseCommand),
    /// External Connections served by this daemon over its files root.
    #[command(subcommand, after_help = "Example:\n  hq-vault connection create --name docs-bot --pattern knowledge/")]
    Connection(connection::Command),
    /// Network mode: this home's identities (an Ed25519 key pair each; the key stays here).
    #[command(
        subcommand,
        after_help = "Example:\n  hq-vault identity create --name deploy-bot --type agent\n  hq-vault identity list\n  hq-vault identity revoke deploy-bot"
    )]
    Identity(network::IdentityCommand),
    /// Network mode: sign the server's challenge with this home's identity; the session (1 h) is
    /// cached in this home and renewed when it expires.
    #[command(after_help = "Example:\n  hq-vault login --identity deploy-bot")]
    Login(network::LoginArgs),
    /// Network mode: orgs (made with the server's home).
    #[command(subcommand)]
    Org(network::OrgCommand),
    /// Network mode: an org's projects.
    #[command(subcommand)]
    Project(network::ProjectCommand),
    /// Network mode: ask for access, and (a human admin) approve or deny.
    #[command(
        subcommand,
        name = "access-requests",
        after_help = "Example:\n  hq-vault access-requests create --org indigo --project hq-cloud --role member --justification 'deploys'\n  hq-vault access-requests list\n  hq-vault access-requests approve ar_…"
    )]
    AccessRequests(network::AccessCommand),
    /// Check the home's permissions, the certificate, the daemon and the audit chain.
    #[command(after_help = "Example:\n  hq-vault doctor")]
    Doctor,
    /// Serve the vault to an agent over MCP (stdio): list secrets, ask the person for one, run
    /// commands with secrets and masked output, read files. No tool ever returns a secret value.
    #[command(after_help = "Standard input and output are the MCP protocol: start it from an agent's MCP configuration
(command `hq-vault`, args [\"mcp\"]). Tools: secrets_list, secret_request, run_with_secrets, and
files_list/files_read when HQ_CONNECTION_URL and HQ_CONNECTION_KEY are set.

Example:
  claude mcp add hq-vault -- hq-vault mcp
  HQ_VAULT_TOKEN=hqvt_… hq-vault mcp --ask terminal")]
    Mcp(mcp::Args),
    /// Print shell completions.
    #[command(
        after_help = "Example:\n  hq-vault completions bash > ~/.local/share/bash-completion/completions/hq-vault"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write the embedded hq:vault component (the very bytes the daemon runs) to a file, for other hosts.
    #[command(after_help = "Example:\n  hq-vault component --out hq_vault_core.wasm")]
    Component {
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    if !matches!(cli.command, Command::Serve(_) | Command::Run(_) | Command::Mcp(_)) {
        end_quietly_on_broken_pipe()?;
    }
    let home = Home::from_env()?;
    // A session cached by `hq-vault login` that has expired is renewed before a command uses it.
    if matches!(
        cli.command,
        Command::Get(_)
            | Command::List(_)
            | Command::Store(_)
            | Command::Delete(_)
            | Command::EnvFile(_)
            | Command::Run(_)
            | Command::Org(_)
            | Command::Project(_)
            | Command::AccessRequests(_)
    ) {
        network::renew_session(&home);
    }
    match cli.command {
        Command::Init(a) => init::run(&home, a),
        Command::Serve(a) => serve::run(home, a),
        Command::Trust(a) => trust::run(&home, a),
        Command::Unlock(a) => session::unlock(a),
        Command::Lock => session::lock(),
        Command::Status => session::status(),
        Command::Health => session::health(),
        Command::Store(a) => secrets::store(a),
        Command::Ingest(a) => ingest::run(&home, a),
        Command::Get(a) => secrets::get(a),
        Command::List(a) => secrets::list(a),
        Command::Delete(a) => secrets::delete(a),
        Command::EnvFile(a) => envfile::env_file(a),
        Command::Run(a) => run::run(a),
        Command::Token(c) => token::run(c),
        Command::Audit(a) => audit::run(&home, a),
        Command::Passphrase(c) => session::passphrase(c),
        Command::Connection(c) => connection::run(c),
        Command::Identity(c) => network::identity(&home, c),
        Command::Login(a) => network::login(&home, a),
        Command::Org(c) => network::org(c),
        Command::Project(c) => network::project(c),
        Command::AccessRequests(c) => network::access(c),
        Command::Doctor => doctor::run(&home),
        Command::Mcp(a) => mcp::run(&home, a),
        Command::Completions { shell } => {
            use std::io::Write as _;
            std::io::stdout()
                .write_all(completions::script(shell).as_bytes())
                .and_then(|()| std::io::stdout().flush())
                .map_err(|e| anyhow::anyhow!("writing to standard output: {e}"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Component { out } => {
            std::fs::write(&out, hq_vault::host::COMPONENT).with_context(|| format!("writing {}", out.display()))?;
            eprintln!(
                "Wrote the hq:vault@0.1.0 component ({}) to {}",
                count(hq_vault::host::COMPONENT.len() as u64, "byte"),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A command that prints ends as `cat` or `ls` do when its reader goes away (`hq-vault audit |
/// head`): killed by SIGPIPE, quietly, instead of a panic or an error about a broken pipe. Rust
/// ignores SIGPIPE, which turns the signal into write errors; this restores the default action for
/// the signal (in signal-hook's handler, at the failing write). Not for `serve`, which must outlive
/// its readers, nor `run` and `mcp`, which handle a closed output themselves (`run` stops reading
/// the child's stream, so the child meets the closed pipe itself; `mcp` ends its session).
fn end_quietly_on_broken_pipe() -> Result<()> {
    let always = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    signal_hook::flag::register_conditional_default(signal_hook::consts::SIGPIPE, always)?;
    Ok(())
}

/// Write a credential shown once (a new token or key) and its newline to standard output, flushed.
/// The error, when it cannot be written (a full disk), says what was lost: the caller undoes what
/// it can and says what to do.
pub fn print_once(credential: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    if stdout_goes_nowhere() {
        return Err(std::io::Error::other(
            "standard output is /dev/null or closed: the credential would be shown to no one",
        ));
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{credential}").and_then(|()| out.flush())
}

/// Whether `value` is blank: empty, or text of only spaces (any Unicode white space) and
/// zero-width characters. No secret and no passphrase is blank: `store`, `ingest` (terminal and
/// page) and new passphrases refuse it.
pub fn is_blank(value: &[u8]) -> bool {
    let blank = |c: char| c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}');
    std::str::from_utf8(value).is_ok_and(|t| t.chars().all(blank))
}

/// Whether standard output is `/dev/null` (the character device 1:3), as it is when it was closed
/// (the Rust runtime opens `/dev/null` in its place): what is printed there reaches no one.
pub fn stdout_goes_nowhere() -> bool {
    rustix::fs::fstat(std::io::stdout()).is_ok_and(|st| {
        rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::CharacterDevice
            && rustix::fs::major(st.st_rdev) == 1
            && rustix::fs::minor(st.st_rdev) == 3
    })
}

/// A message without the system's error numbers (` (os error 2)`): the words before them say it.
pub fn without_error_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" (os error ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " (os error ".len()..];
        match after.find(')') {
            Some(close) if after[..close].bytes().all(|b| b.is_ascii_digit()) => rest = &after[close + 1..],
            _ => {
                out.push_str(" (os error ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A count with its noun for people: `1 byte`, `0 bytes`, `2 lines`. `one` is the singular; the
/// plural adds `s` (every noun the CLI counts takes it).
pub fn count(n: impl Into<u64>, one: &str) -> String {
    let n = n.into();
    if n == 1 { format!("1 {one}") } else { format!("{n} {one}s") }
}

/// Read a passphrase: from standard input when asked to, else a hidden prompt on the terminal.
pub fn read_passphrase(prompt: &str, from_stdin: bool) -> Result<zeroize::Zeroizing<String>> {
    use std::io::BufRead;
    if from_stdin {
        let mut line = zeroize::Zeroizing::new(String::new());
        std::io::stdin().lock().read_line(&mut line)?;
        let trimmed = zeroize::Zeroizing::new(line.trim_end_matches(['\n', '\r']).to_owned());
        return Ok(trimmed);
    }
    let p = rpassword::prompt_password(prompt)
        .map_err(|e| anyhow::anyhow!("reading the passphrase from the terminal: {e} (use --passphrase-stdin)"))?;
    Ok(zeroize::Zeroizing::new(p))
}

/// Tries a person gets at a terminal's passphrase prompts (`init`, `unlock`, `passphrase change`);
/// standard input, a script's, gets one.
pub const TRIES: u32 = 3;

/// `Try again (2 tries left).`
pub fn try_again(left: u32) -> String {
    format!("Try again ({left} {} left).", if left == 1 { "try" } else { "tries" })
}

/// The fewest characters a passphrase may have (the daemon's `passphrase change` holds the same).
const MIN_PASSPHRASE: usize = 8;

/// Largest passphrase file read (`--passphrase-file`): one line, with room to spare.
const MAX_PASSPHRASE_FILE: u64 = 4096;

/// The passphrase in `file`'s first line (`--passphrase-file`): a UTF-8 byte-order mark and the
/// line's end (`\n`, `\r\n`, stray `\r`s) are not part of it, as with `--passphrase-stdin`. A
/// new one (`new`) must follow the same rules as a typed one (at least 8 characters, not only
/// spaces). Errors name the file, never its content.
pub fn passphrase_from_file(file: &std::path::Path, new: bool, nothing: &str) -> Result<zeroize::Zeroizing<String>> {
    use std::io::Read as _;
    let shown = file.display();
    let opened = std::fs::File::open(file);
    let mut f = match opened {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => anyhow::bail!(
            "the passphrase file {shown} is not readable by this process's user (uid {}): give it that user (in the image, uid 65532: `chown 65532 {shown}`), keeping it unreadable to others; {nothing}",
            rustix::process::geteuid().as_raw()
        ),
        Err(e) => return Err(e).with_context(|| format!("reading the passphrase file {shown}; {nothing}")),
    };
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    (&mut f)
        .take(MAX_PASSPHRASE_FILE + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading the passphrase file {shown}; {nothing}"))?;
    if bytes.len() as u64 > MAX_PASSPHRASE_FILE {
        anyhow::bail!(
            "the passphrase file {shown} is over {MAX_PASSPHRASE_FILE} bytes: it holds one line, the passphrase; {nothing}"
        );
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        anyhow::bail!("the passphrase file {shown} is not UTF-8 text; {nothing}");
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let p = zeroize::Zeroizing::new(text.lines().next().unwrap_or_default().trim_end_matches('\r').to_owned());
    if p.is_empty() {
        anyhow::bail!("the passphrase file {shown} has no passphrase on its first line; {nothing}");
    }
    if new && let Some(problem) = passphrase_problem(&p) {
        anyhow::bail!("the passphrase in {shown} was refused: {problem}; {nothing}");
    }
    Ok(p)
}

/// Why a new passphrase cannot be used, if it cannot.
fn passphrase_problem(p: &str) -> Option<&'static str> {
    if p.chars().count() < MIN_PASSPHRASE {
        Some("it is shorter than 8 characters")
    } else if is_blank(p.as_bytes()) {
        Some("it is only spaces")
    } else {
        None
    }
}

/// Ask for a new passphrase: at least 8 characters, and on a terminal typed twice. A terminal gets
/// three tries, each refusal saying why; standard input (a script) gets one. `nothing` says what a
/// final refusal leaves: "nothing was created", "nothing was changed".
pub fn new_passphrase(from_stdin: bool, nothing: &str) -> Result<zeroize::Zeroizing<String>> {
    let mut left = TRIES;
    loop {
        left -= 1;
        let p = read_passphrase("New passphrase: ", from_stdin)?;
        let problem = if let Some(problem) = passphrase_problem(&p) {
            problem
        } else if from_stdin || *read_passphrase("Repeat it: ", false)? == *p {
            return Ok(p);
        } else {
            "the two entries differ"
        };
        if from_stdin {
            anyhow::bail!("the passphrase was refused: {problem}; {nothing}");
        }
        if left == 0 {
            anyhow::bail!("no passphrase after {TRIES} tries (the last: {problem}); {nothing}");
        }
        eprintln!("That passphrase cannot be used: {problem}. {}", try_again(left));
    }
}
