//! `audit`, `audit --tail`, `audit verify`, `audit anchor`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use hq_vault::audit_log;
use hq_vault::home::Home;
use hq_vault::host::{AuditKey, CoreHost, Instance};
use hq_vault::store::VaultDb;
use hq_vault_client::Client;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    verify: Option<Verify>,
    /// Keep following new lines (in the same format).
    #[arg(long)]
    tail: bool,
    /// Print the raw JSON lines, one a line, instead of the table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Subcommand)]
enum Verify {
    /// Check audit.log: every chain link, every MAC (with the passphrase), and audit.head and
    /// anchors for lines cut off the end. Names the first bad line; exits 1 on any problem.
    #[command(
        after_help = "Without the passphrase (no terminal and no --passphrase-stdin) only the links and audit.head are\nchecked: a person who can write the file could recompute those, so give the passphrase.\n\nExample:\n  hq-vault audit verify\n  printf '%s\\n' \"$PASS\" | hq-vault audit verify --passphrase-stdin --anchor hqva1:1200:…"
    )]
    Verify(VerifyArgs),
    /// Print an anchor of the log's current head (`hqva1:<lines>:<hash>:<mac>`), made with the
    /// vault's key: keep it outside this machine, and give it to `audit verify --anchor` later to
    /// prove that no line up to it was removed, even if audit.log and audit.head were both replaced.
    #[command(after_help = "Example:\n  hq-vault audit anchor >> ~/Documents/hq-vault-anchors.txt")]
    Anchor(KeyArgs),
}

#[derive(clap::Args)]
struct KeyArgs {
    /// Read the passphrase from standard input (one line) instead of a hidden prompt.
    #[arg(long)]
    passphrase_stdin: bool,
}

#[derive(clap::Args)]
struct VerifyArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// An anchor printed earlier by `audit anchor`: the log must still hold that line, unchanged.
    #[arg(long)]
    anchor: Vec<String>,
}

pub fn run(home: &Home, a: Args) -> Result<ExitCode> {
    match a.verify {
        Some(Verify::Verify(v)) => return verify(home, v),
        Some(Verify::Anchor(k)) => return anchor(home, k),
        None => {}
    }
    let client = Client::from_env()?;
    let mut after = 0u64;
    let mut out = std::io::stdout().lock();
    // The header once the first page came: a refused read prints no table at all.
    let mut header_due = !a.json;
    // The first read is an audited `audit-read`; a follower's later polls go to the route the core
    // does not audit when it succeeds (`audit-follow`), so following the log never grows it.
    let mut route = "/v1/audit";
    loop {
        let b = client.get(&format!("{route}?after={after}"))?.ok()?;
        if std::mem::take(&mut header_due) {
            writeln!(out, "{}", header()).context("writing to standard output")?;
        }
        for l in b["lines"].as_array().map(Vec::as_slice).unwrap_or_default() {
            write_line(&mut out, l, a.json).context("writing to standard output")?;
        }
        out.flush()?;
        after = b["next"].as_u64().unwrap_or(after);
        if !a.tail {
            return Ok(ExitCode::SUCCESS);
        }
        route = "/v1/audit/follow";
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The table's header row.
pub fn header() -> String {
    row(["TIME", "ACTOR", "OP", "PATH", "IP", "STATUS"])
}

/// One audit line: a table row, or (`json`) the line itself.
pub fn write_line(out: &mut impl Write, line: &serde_json::Value, json: bool) -> std::io::Result<()> {
    if json { writeln!(out, "{line}") } else { writeln!(out, "{}", table_row(line)) }
}

/// Fixed column widths, so that rows printed later by `--tail` line up with the first ones; a
/// longer cell pushes only its own row. ACTOR fits a connection id (`conn_` and 16 hex digits),
/// OP the longest operation (`connection-revoke`), IP an IPv4 address. STATUS, whose refusal
/// reasons and details have any length, comes last so that it pushes nothing.
const WIDTHS: [usize; 5] = [20, 22, 18, 32, 16];

fn row<S: AsRef<str>>(cells: [S; 6]) -> String {
    let mut line = String::new();
    for (i, c) in cells.iter().enumerate() {
        // A cell never moves the cursor or talks to the terminal: control characters become `?`.
        let c: String = c.as_ref().chars().map(|ch| if ch.is_control() { '?' } else { ch }).collect();
        match WIDTHS.get(i) {
            Some(&w) => line.push_str(&format!("{c:<w$} ")),
            None => line.push_str(&c),
        }
    }
    line
}

/// One audit line as a table row: time (UTC, to the second), actor, operation, path, source IP,
/// outcome with status (and a refusal's reason). Audit lines never hold a value.
fn table_row(l: &serde_json::Value) -> String {
    let text = |k: &str| l[k].as_str().filter(|s| !s.is_empty()).unwrap_or("-").to_owned();
    let time = l["time"].as_str().map_or_else(|| "-".to_owned(), |t| t.get(..19).unwrap_or(t).replace('T', " "));
    let mut status = text("outcome");
    // The daemon's own acts (a resume, a break, an auto-lock) answered no request: no status.
    if let Some(code) = l["status"].as_u64().filter(|&c| c != 0) {
        status.push_str(&format!(" {code}"));
    }
    if let Some(r) = l["reason"].as_str() {
        status.push_str(&format!(" ({r})"));
    }
    row([time, text("actor"), text("op"), text("path"), text("ip"), status])
}

/// The vault's audit key in `inst`, from the passphrase (prompted, or one line of stdin).
/// `None` when there is no way to ask (no terminal and no `--passphrase-stdin`).
fn audit_key(home: &Home, inst: &mut Instance, k: &KeyArgs) -> Result<Option<AuditKey>> {
    if !k.passphrase_stdin && !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let vault = VaultDb::open_read_only(&home.db())?.vault()?.context("this home has no vault: run `hq-vault init`")?;
    let pass = super::read_passphrase("Passphrase (to check the MACs): ", k.passphrase_stdin)?;
    let key = match inst.unlock(&pass, &vault.params, &vault.wrapped_key).map_err(anyhow::Error::from)? {
        Ok(k) => k,
        Err(e) => anyhow::bail!(
            "{}: run the check again with the vault's passphrase (the one `hq-vault unlock` takes); nothing was checked",
            inst.describe_crypto_error(e).map_err(anyhow::Error::from)?
        ),
    };
    let audit = inst.audit_key_of(&key).map_err(anyhow::Error::from)?;
    inst.drop_key(key).map_err(anyhow::Error::from)?;
    Ok(Some(audit))
}

/// Checking a vault creates nothing: not a home, not the compiled-code cache, not a database.
fn existing_vault(home: &Home) -> Result<CoreHost> {
    if let Some(why) = super::init::lost_vault(home) {
        anyhow::bail!("{why}. Nothing was created or checked");
    }
    if !home.db().is_file() {
        anyhow::bail!(
            "{} holds no vault (no vault.db): set HQ_VAULT_HOME to the daemon's home. Nothing was created",
            home.dir.display()
        );
    }
    let cache = home.cache();
    CoreHost::new(cache.is_dir().then_some(cache.as_path()))
}

fn verify(home: &Home, a: VerifyArgs) -> Result<ExitCode> {
    let host = existing_vault(home)?;
    let lines = hq_vault::audit_log::read_lines(&home.audit_log())?;
    let head = hq_vault::audit_log::read_head(&home.audit_head())?;
    let mut inst = host.instance()?;
    let expect = hq_vault::audit_log::Expect::from_store(&VaultDb::open_read_only(&home.db())?)?;
    let mut problems = audit_log::head_problems(&mut inst, &lines, head.as_ref(), expect)?;
    let key = audit_key(home, &mut inst, &a.key)?;
    let summary = match &key {
        Some(k) => inst.audit_verify_keyed(k, &lines).map_err(anyhow::Error::from)?,
        None => inst.audit_summarize(&lines).map_err(anyhow::Error::from)?,
    };
    let mut notes = Vec::new();
    match &summary {
        Ok(s) => {
            if let Some(k) = &key {
                match head.as_ref().and_then(|h| h.keyed.as_ref()) {
                    Some(kh) => {
                        let mac = inst.audit_head_mac(k, kh.lines, &kh.hash).map_err(anyhow::Error::from)?;
                        if !hq_vault::daemon::constant_time_eq(mac.as_bytes(), kh.mac.as_bytes()) {
                            problems.push("audit.head's keyed head has a MAC this vault's key did not make: audit.head was forged".into());
                        }
                    }
                    // A keyed head is written with the first keyed line: a log that holds keyed
                    // lines, or a vault that has written some (`vault.db`), must have one. A vault
                    // made by `init` and served but never unlocked has none, rightly.
                    None if s.keyed > 0 || expect.keyed => problems.push(
                        "audit.head holds no keyed head, yet this vault has written keyed lines: audit.head was replaced".into(),
                    ),
                    None => {}
                }
            }
            if s.last_keyed < s.lines {
                let which = if s.last_keyed + 1 == s.lines {
                    format!("line {} was", s.lines)
                } else {
                    format!("lines {}–{} were", s.last_keyed + 1, s.lines)
                };
                notes.push(format!(
                    "{which} written before the vault was unlocked in the latest run: their links hold, but no MAC vouches for them"
                ));
            }
        }
        Err(e) => problems.insert(0, format!("line {}: {}", e.line, e.reason)),
    }
    for text in &a.anchor {
        let Some(k) = &key else {
            problems.push("an anchor can only be checked with the passphrase (--passphrase-stdin)".into());
            break;
        };
        match inst.audit_check_anchor(k, text).map_err(anyhow::Error::from)? {
            Err(e) => problems.push(format!("anchor {text}: {}", e.reason)),
            Ok((n, hash)) => {
                let have = match n {
                    0 => Some(inst.audit_genesis().map_err(anyhow::Error::from)?),
                    n => match lines.get(n as usize - 1) {
                        Some(l) => Some(inst.sha256_hex(l.as_bytes()).map_err(anyhow::Error::from)?),
                        None => None,
                    },
                };
                if have.as_deref() != Some(hash.as_str()) {
                    problems.push(format!(
                        "the anchor at line {n} no longer matches audit.log: lines up to it were removed or rewritten"
                    ));
                }
            }
        }
    }
    problems.dedup();
    let checked = if key.is_some() {
        "links and MACs checked with the vault's key"
    } else {
        "links checked; MACs NOT checked (give the passphrase with --passphrase-stdin, or run in a terminal)"
    };
    if problems.is_empty() {
        let s = summary.as_ref().ok();
        outln!(
            "audit.log: {}, chain intact ({checked}); {} keyed; head {}",
            super::count(s.map_or(0, |s| s.lines), "line"),
            s.map_or(0, |s| s.keyed),
            s.map_or("", |s| s.head.as_str())
        );
        for n in notes {
            outln!("note: {n}");
        }
        Ok(ExitCode::SUCCESS)
    } else {
        for p in &problems {
            outln!("audit.log: {p}");
        }
        outln!("({checked}; keep audit.log and audit.head as evidence)");
        Ok(ExitCode::FAILURE)
    }
}

fn anchor(home: &Home, a: KeyArgs) -> Result<ExitCode> {
    let host = existing_vault(home)?;
    let lines = hq_vault::audit_log::read_lines(&home.audit_log())?;
    let mut inst = host.instance()?;
    let Some(key) = audit_key(home, &mut inst, &a)? else {
        anyhow::bail!(
            "an anchor is made with the vault's key: give the passphrase (--passphrase-stdin, or run in a terminal)"
        );
    };
    let s = match inst.audit_verify_keyed(&key, &lines).map_err(anyhow::Error::from)? {
        Ok(s) => s,
        Err(e) => anyhow::bail!(
            "audit.log does not verify at line {} ({}): no anchor is made for a broken log",
            e.line,
            e.reason
        ),
    };
    outln!("{}", inst.audit_anchor(&key, s.lines, &s.head).map_err(anyhow::Error::from)?);
    eprintln!(
        "Keep this line outside this machine; `hq-vault audit verify --anchor <it>` checks the log still holds it."
    );
    Ok(ExitCode::SUCCESS)
}
