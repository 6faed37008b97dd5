//! `hq-vault doctor`: checks the home's permissions, the certificate, the daemon and the audit chain,
//! and says what to do about each problem. It only reads: it creates no file or folder and changes
//! no mode (a fix is printed for the person to run).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use hq_vault::home::Home;
use hq_vault::host::CoreHost;
use hq_vault::store::VaultDb;
use hq_vault_client::Client;

struct Report {
    problems: usize,
    /// Standard output could not be written (a full disk): the report is incomplete, exit 1.
    unwritten: std::cell::Cell<bool>,
}

impl Report {
    fn say(&self, line: std::fmt::Arguments) {
        use std::io::Write as _;
        if writeln!(std::io::stdout(), "{line}").is_err() {
            self.unwritten.set(true);
        }
    }
    fn ok(&self, what: &str) {
        self.say(format_args!("ok    {what}"));
    }
    /// Worth knowing, not a problem (the exit status stays 0).
    fn note(&self, what: &str) {
        self.say(format_args!("note  {what}"));
    }
    fn fail(&mut self, what: &str, fix: &str) {
        self.problems += 1;
        self.say(format_args!("FAIL  {what}\n      → {fix}"));
    }
    /// A problem whose text already says what to do (a client error).
    fn problem(&mut self, text: &str) {
        self.problems += 1;
        self.say(format_args!("FAIL  {text}"));
    }
    /// The last line, and the exit code: success only without a problem and with the whole
    /// report written.
    fn finish(&self) -> ExitCode {
        if self.problems == 0 {
            self.say(format_args!("All checks passed."));
        } else {
            self.say(format_args!("{}.", super::count(self.problems as u64, "problem")));
        }
        if self.unwritten.get() {
            eprintln!("error: writing to standard output failed: the report above is incomplete");
        }
        if self.problems == 0 && !self.unwritten.get() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
    }
    fn mode(&mut self, path: &Path, want: u32, what: &str) {
        match std::fs::metadata(path) {
            Ok(m) => {
                let mode = m.permissions().mode() & 0o777;
                if mode & !want == 0 {
                    self.ok(&format!("{what} {} is {mode:o}", path.display()));
                } else {
                    self.fail(
                        &format!("{what} {} is {mode:o}: readable by others", path.display()),
                        &format!("chmod {want:o} {}", path.display()),
                    );
                }
            }
            Err(_) => self.fail(
                &format!("{what} {} is missing", path.display()),
                "`hq-vault serve` makes it (the first start creates the vault; later starts remake tls/)",
            ),
        }
    }
}

pub fn run(home: &Home) -> Result<ExitCode> {
    let mut r = Report { problems: 0, unwritten: std::cell::Cell::new(false) };
    if !home.dir.is_dir() {
        // The client's own error says it all when it has no home either (another home's daemon,
        // or none at all); with HQ_VAULT_CA_CERT set it has one, and the daemon is checked.
        match Client::from_env() {
            Err(e @ hq_vault_client::Error::NoVault(_)) => r.problem(&e.to_string()),
            _ => {
                r.fail(
                    &format!("no vault home at {}", home.dir.display()),
                    "if the daemon runs with another home, set HQ_VAULT_HOME to the home `hq-vault serve` printed; else `hq-vault serve` creates this one on its first start",
                );
                daemon(&mut r);
            }
        }
        return Ok(r.finish());
    }
    r.mode(&home.dir, 0o700, "home");
    let store = if home.db().exists() {
        r.mode(&home.db(), 0o600, "database");
        match VaultDb::open_read_only(&home.db()).and_then(|s| s.vault().map(|v| (s, v))) {
            Ok((s, Some(v))) => {
                r.ok(&format!(
                    "vault key record present (Argon2id t={}, {} MiB)",
                    v.params.t_cost,
                    v.params.m_cost_kib / 1024
                ));
                Some(s)
            }
            Ok((_, None)) => {
                r.fail("vault.db holds no vault key record", "`hq-vault serve` asks for a passphrase and creates it");
                None
            }
            Err(e) => {
                let (what, fix) = unreadable(&e);
                r.fail(&format!("vault.db {what}: {e:#}"), fix);
                None
            }
        }
    } else if let Some(why) = super::init::lost_vault(home) {
        r.fail("vault.db is missing, but audit.log remains", &why);
        None
    } else {
        r.fail(
            &format!("{} holds no vault (no vault.db)", home.dir.display()),
            "`hq-vault serve` creates it on its first start (or `hq-vault init`)",
        );
        None
    };
    r.mode(&home.server_key(), 0o600, "TLS key");
    r.mode(&home.ca_cert(), 0o644, "CA certificate");
    if home.ca_cert().exists() {
        match hq_vault::trust::suggestion(home) {
            None => r.ok("your browsers trust the vault's certificate (`ingest --web` opens with no warning)"),
            Some(s) => r.note(&s),
        }
    }
    if home.socket().exists() {
        r.mode(&home.socket(), 0o600, "home socket (network mode)");
    }
    if home.token().exists() {
        r.mode(&home.token(), 0o600, "token file");
    }
    daemon(&mut r);
    let Some(store) = store else {
        return Ok(r.finish());
    };
    let lines = hq_vault::audit_log::read_lines(&home.audit_log())?;
    let head = hq_vault::audit_log::read_head(&home.audit_head()).ok().flatten();
    let expect = hq_vault::audit_log::Expect::from_store(&store)?;
    // No compiled-code cache: doctor writes nothing in the home.
    let mut inst = CoreHost::new(None)?.instance()?;
    let problems = hq_vault::audit_log::head_problems(&mut inst, &lines, head.as_ref(), expect)?;
    if problems.is_empty() {
        r.ok(&format!(
            "audit.log: {}, links and audit.head agree (MACs: `hq-vault audit verify`)",
            super::count(lines.len() as u64, "line")
        ));
    }
    for p in problems {
        r.fail(
            &format!("audit: {p}"),
            "keep audit.log and audit.head as evidence; `hq-vault audit verify` checks the MACs too",
        );
    }
    if home.audit_log().exists() {
        r.mode(&home.audit_log(), 0o600, "audit log");
    }
    Ok(r.finish())
}

/// Whether the daemon answers at `HQ_VAULT_URL` with the certificate this home trusts. A client
/// error names its own cause and next step (nothing listens, another home's daemon, no vault).
fn daemon(r: &mut Report) {
    match Client::from_env().and_then(|c| c.get_anonymous("/v1/health").map(|h| (c.url(""), h))) {
        Ok((_, h)) if h.status == 200 => {
            let locked = h.body["locked"] == true;
            r.ok(&format!(
                "daemon answers over TLS with the home's certificate ({})",
                if locked { "locked: run `hq-vault unlock`" } else { "unlocked" }
            ));
        }
        Ok((url, h)) => r.fail(
            &format!("{url} answered {} to /v1/health", h.status),
            "that is not an hq-vault daemon: set HQ_VAULT_URL to the address `hq-vault serve` printed",
        ),
        Err(e) => r.problem(&e.to_string()),
    }
}

/// What an unreadable `vault.db` means, and what to do: a damaged file is restored from a backup,
/// a file this user may not read is checked as the vault's owner.
fn unreadable(e: &anyhow::Error) -> (&'static str, &'static str) {
    use rusqlite::ErrorCode;
    let code = e.chain().find_map(|c| c.downcast_ref::<rusqlite::Error>()).and_then(|e| e.sqlite_error_code());
    match code {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            ("is damaged", "restore vault.db from a backup (and keep the damaged file as evidence)")
        }
        Some(ErrorCode::PermissionDenied | ErrorCode::CannotOpen | ErrorCode::ReadOnly) => {
            ("cannot be opened", "run doctor as the user that runs `hq-vault serve`, and check the home's owner")
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => ("is busy", "run doctor again"),
        _ => ("cannot be read", "check that vault.db is a file of this vault (`hq-vault serve` opens it)"),
    }
}
