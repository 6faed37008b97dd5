//! `connection create|list|rotate|revoke|audit`: External Connections of this daemon.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use hq_vault_client::{Client, encode_path, encode_query};
use serde_json::{Value, json};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create a read-only connection over the files root; its key is printed once.
    #[command(
        after_help = "Example:\n  hq-vault connection create --name docs-bot --pattern knowledge/ --pattern projects/plan.md"
    )]
    Create {
        /// What the connection is for.
        #[arg(long)]
        name: String,
        /// An allowed pattern (repeatable): `*`, `knowledge/*`, `knowledge/`, or one key.
        #[arg(long = "pattern", required = true)]
        patterns: Vec<String>,
    },
    /// List connections (never keys).
    #[command(after_help = "Example:\n  hq-vault connection list")]
    List,
    /// Issue a new key for a connection; the old one is refused from its next read.
    #[command(
        after_help = "Example:\n  hq-vault connection rotate docs-bot\n  hq-vault connection rotate conn_0123456789abcdef"
    )]
    Rotate {
        /// The connection's name or id (`connection list` shows both).
        connection: String,
    },
    /// Revoke a connection: every later read is refused; its audit stays.
    #[command(
        after_help = "Example:\n  hq-vault connection revoke docs-bot\n  hq-vault connection revoke conn_0123456789abcdef"
    )]
    Revoke {
        /// The connection's name or id (`connection list` shows both).
        connection: String,
    },
    /// A connection's reads, newest first, as a table (--json: the raw lines).
    #[command(
        after_help = "Columns as in `hq-vault audit`: TIME (UTC), ACTOR (the connection's id), OP, PATH, IP, STATUS.\n\nExample:\n  hq-vault connection audit docs-bot\n  hq-vault connection audit conn_0123456789abcdef --json"
    )]
    Audit {
        /// The connection's name or id (`connection list` shows both).
        connection: String,
        /// Print the raw JSON lines, one a line, instead of the table.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(c: Command) -> Result<ExitCode> {
    let client = Client::from_env()?;
    if matches!(c, Command::Create { .. } | Command::Rotate { .. }) && super::stdout_goes_nowhere() {
        bail!(
            "standard output is /dev/null or closed: the key, shown once, would reach no one. Send it to a file or a pipe (`hq-vault connection … > key.txt`); nothing was changed"
        );
    }
    match c {
        Command::Create { name, patterns } => {
            let r = client.post("/v1/connections", &json!({"name": name, "patterns": patterns}))?;
            if let Some(rej) = r.body["error"]["rejections"].as_array() {
                for x in rej {
                    eprintln!("pattern {}: {}", x["pattern"], x["message"].as_str().unwrap_or_default());
                }
            }
            let b = r.ok()?;
            if let Err(e) = super::print_once(b["key"].as_str().unwrap_or_default()) {
                // Shown once and lost: the connection is revoked again, so that no key is left that nobody has.
                let id = b["connection"]["id"].as_str().unwrap_or_default();
                let undone = client
                    .post(&format!("/v1/connections/{}/revoke", encode_path(id)), &json!({}))
                    .and_then(|r| r.ok())
                    .is_ok();
                bail!(
                    "connection `{name}` ({id}) was created, but its key could not be written to standard output ({e}): {}",
                    if undone {
                        "it was revoked again: create it again with standard output going somewhere writable"
                    } else {
                        "revoke it (`hq-vault connection revoke ID`) and create another"
                    }
                );
            }
            eprintln!(
                "Connection {} created for {}. Its key, the line above, is shown once: give it to your agent as\n\
HQ_CONNECTION_KEY (`export HQ_CONNECTION_KEY=$(hq-vault connection create …)` keeps it off the screen).",
                b["connection"]["id"].as_str().unwrap_or_default(),
                self::patterns(&b["connection"]["patterns"])
            );
            eprintln!("{}", files_line(&b["files"]));
            eprintln!(
                "\nAgent snippet (JavaScript): save it as agent.mjs and run it as its first line says.\n\n{}",
                b["snippet"].as_str().unwrap_or_default()
            );
        }
        Command::List => {
            let b = client.get("/v1/connections")?.ok()?;
            let all = b["connections"].as_array().cloned().unwrap_or_default();
            if all.is_empty() {
                eprintln!("No connections: `hq-vault connection create --name NAME --pattern knowledge/` makes one.");
            }
            for c in all {
                outln!(
                    "{}\t{}\t{}\t{}",
                    c["id"].as_str().unwrap_or_default(),
                    c["status"].as_str().unwrap_or_default(),
                    c["name"].as_str().unwrap_or_default(),
                    patterns(&c["patterns"])
                );
            }
        }
        Command::Rotate { connection } => {
            let (id, name, _) = resolve(&client, &connection, true)?;
            let b = client.post(&format!("/v1/connections/{}/rotate", encode_path(&id)), &json!({}))?.ok()?;
            if let Err(e) = super::print_once(b["key"].as_str().unwrap_or_default()) {
                bail!(
                    "the key of `{name}` ({id}) was rotated, but the new key could not be written to standard output ({e}); the old key is already refused: rotate again with standard output going somewhere writable"
                );
            }
            eprintln!("New key for `{name}` ({id}, shown once); the old key is refused from its next read.");
        }
        Command::Revoke { connection } => {
            let (id, name, status) = resolve(&client, &connection, true)?;
            if status == "revoked" {
                outln!("`{name}` ({id}) was already revoked: nothing changed.");
                return Ok(ExitCode::SUCCESS);
            }
            client.post(&format!("/v1/connections/{}/revoke", encode_path(&id)), &json!({}))?.ok()?;
            outln!("Revoked: `{name}` ({id}). Every later read is refused; its audit stays.");
        }
        Command::Audit { connection, json } => {
            let (id, name, _) = resolve(&client, &connection, false)?;
            let mut cursor: Option<String> = None;
            let mut out = std::io::stdout().lock();
            let mut shown = 0u64;
            // The header once the first page came: a refused read prints no table at all.
            let mut header_due = !json;
            loop {
                let q = cursor.as_deref().map(|c| format!("?cursor={}", encode_query(c))).unwrap_or_default();
                let b = client.get(&format!("/v1/connections/{}/audit{q}", encode_path(&id)))?.ok()?;
                if std::mem::take(&mut header_due) {
                    writeln!(out, "{}", super::audit::header())
                        .map_err(|e| anyhow::anyhow!("writing to standard output: {e}"))?;
                }
                for e in b["events"].as_array().map(Vec::as_slice).unwrap_or_default() {
                    super::audit::write_line(&mut out, e, json)?;
                    shown += 1;
                }
                out.flush()?;
                if shown == 0 && cursor.is_none() && b["cursor"].is_null() {
                    eprintln!("No reads by `{name}` ({id}) yet.");
                }
                match b["cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_owned()),
                    None => break,
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Where the connection's files are, from the daemon's answer: how many it may read now, and for
/// each pattern that grants none yet, where its files go in the core's words for that pattern (a
/// folder, a name's start, or the one file a pattern without `*` grants).
fn files_line(files: &Value) -> String {
    let root = files["root"].as_str().unwrap_or_default();
    let folder = std::path::Path::new(root).join(files["folder"].as_str().unwrap_or_default());
    let patterns = files["patterns"].as_array().map(Vec::as_slice).unwrap_or_default();
    let empty: Vec<&Value> = patterns.iter().filter(|p| p["readable"].as_u64() == Some(0)).collect();
    let place = |p: &Value| p["place"].as_str().unwrap_or_default().to_owned();
    match files["readable"].as_u64().unwrap_or(0) {
        0 => match empty.as_slice() {
            [one] => format!("No file it may read yet: {} (the daemon's files root is {root}).", place(one)),
            many => {
                let mut text = format!("No file it may read yet (the daemon's files root is {root}):");
                for p in many {
                    text.push_str(&format!("\n  {}: {}", p["pattern"].as_str().unwrap_or_default(), place(p)));
                }
                text
            }
        },
        n => {
            let mut text = format!(
                "It may read {} now, under {} (the daemon's files root is {root}).",
                super::count(n, "file"),
                folder.display()
            );
            for p in empty {
                text.push_str(&format!(
                    "\nNone yet for `{}`: {}.",
                    p["pattern"].as_str().unwrap_or_default(),
                    place(p)
                ));
            }
            text
        }
    }
}

/// A connection's patterns for people: `knowledge/*, projects/plan.md`.
fn patterns(p: &Value) -> String {
    p.as_array().map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")).unwrap_or_default()
}

/// The id and name of the connection `given` names: an id as is, else the connections of that
/// name. Several of one name are narrowed to the active ones when `active_only` (rotate and revoke
/// act on an active connection); still several, or none, is an error that lists what there is.
fn resolve(client: &Client, given: &str, active_only: bool) -> Result<(String, String, String)> {
    let b = client.get("/v1/connections")?.ok()?;
    let all = b["connections"].as_array().cloned().unwrap_or_default();
    let text = |c: &Value, k: &str| c[k].as_str().unwrap_or_default().to_owned();
    let found = |c: &Value| (text(c, "id"), text(c, "name"), text(c, "status"));
    if let Some(c) = all.iter().find(|c| c["id"] == given) {
        return Ok(found(c));
    }
    // A name as typed, else as a person means it: letter case aside, spaces around it dropped
    // (names are unique among active connections in those terms).
    let mut named: Vec<&Value> = all.iter().filter(|c| c["name"] == given).collect();
    if named.is_empty() {
        let key = given.trim().to_lowercase();
        named = all.iter().filter(|c| text(c, "name").to_lowercase() == key).collect();
    }
    if named.len() > 1 && active_only && named.iter().any(|c| c["status"] == "active") {
        named.retain(|c| c["status"] == "active");
    }
    match named.as_slice() {
        [one] => Ok(found(one)),
        [] => bail!("no connection is named or has the id `{given}`: `hq-vault connection list` shows names and ids"),
        many if active_only => {
            let ids: Vec<String> = many.iter().map(|c| text(c, "id")).collect();
            bail!("every connection named `{given}` is revoked ({}): there is no active one to change", ids.join(", "))
        }
        many => {
            let ids: Vec<String> = many.iter().map(|c| format!("{} ({})", text(c, "id"), text(c, "status"))).collect();
            bail!("{} connections are named `{given}`: give one's id instead: {}", many.len(), ids.join(", "))
        }
    }
}
