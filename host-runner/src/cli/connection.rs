//! `connection create|list|rotate|revoke|audit`: External Connections of this daemon.

use std::process::ExitCode;

use anyhow::{Result, bail};
use hq_vault_client::{Client, encode_path};
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
    /// A connection's reads, newest first.
    #[command(
        after_help = "Example:\n  hq-vault connection audit docs-bot\n  hq-vault connection audit conn_0123456789abcdef"
    )]
    Audit {
        /// The connection's name or id (`connection list` shows both).
        connection: String,
    },
}

pub fn run(c: Command) -> Result<ExitCode> {
    let client = Client::from_env()?;
    match c {
        Command::Create { name, patterns } => {
            let r = client.post("/v1/connections", &json!({"name": name, "patterns": patterns}))?;
            if let Some(rej) = r.body["error"]["rejections"].as_array() {
                for x in rej {
                    eprintln!("pattern {}: {}", x["pattern"], x["message"].as_str().unwrap_or_default());
                }
            }
            let b = r.ok()?;
            println!("{}", b["key"].as_str().unwrap_or_default());
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
                println!(
                    "{}\t{}\t{}\t{}",
                    c["id"].as_str().unwrap_or_default(),
                    c["status"].as_str().unwrap_or_default(),
                    c["name"].as_str().unwrap_or_default(),
                    patterns(&c["patterns"])
                );
            }
        }
        Command::Rotate { connection } => {
            let (id, name) = resolve(&client, &connection, true)?;
            let b = client.post(&format!("/v1/connections/{}/rotate", encode_path(&id)), &json!({}))?.ok()?;
            println!("{}", b["key"].as_str().unwrap_or_default());
            eprintln!("New key for `{name}` ({id}, shown once); the old key is refused from its next read.");
        }
        Command::Revoke { connection } => {
            let (id, name) = resolve(&client, &connection, true)?;
            client.post(&format!("/v1/connections/{}/revoke", encode_path(&id)), &json!({}))?.ok()?;
            println!("Revoked: `{name}` ({id}). Every later read is refused; its audit stays.");
        }
        Command::Audit { connection } => {
            let (id, _) = resolve(&client, &connection, false)?;
            let mut cursor: Option<String> = None;
            loop {
                let q = cursor.as_deref().map(|c| format!("?cursor={c}")).unwrap_or_default();
                let b = client.get(&format!("/v1/connections/{}/audit{q}", encode_path(&id)))?.ok()?;
                for e in b["events"].as_array().cloned().unwrap_or_default() {
                    println!("{e}");
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

/// Where the connection's files are, from the daemon's answer: how many it may read now, or, when
/// none, the folder to put them in and the files root.
fn files_line(files: &Value) -> String {
    let root = files["root"].as_str().unwrap_or_default();
    let folder = std::path::Path::new(root).join(files["folder"].as_str().unwrap_or_default());
    match files["readable"].as_u64().unwrap_or(0) {
        0 => format!("No file it may read yet: put them in {} (the daemon's files root is {root}).", folder.display()),
        n => format!(
            "It may read {} now, under {} (the daemon's files root is {root}).",
            super::count(n, "file"),
            folder.display()
        ),
    }
}

/// A connection's patterns for people: `knowledge/*, projects/plan.md`.
fn patterns(p: &Value) -> String {
    p.as_array().map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")).unwrap_or_default()
}

/// The id and name of the connection `given` names: an id as is, else the connections of that
/// name. Several of one name are narrowed to the active ones when `active_only` (rotate and revoke
/// act on an active connection); still several, or none, is an error that lists what there is.
fn resolve(client: &Client, given: &str, active_only: bool) -> Result<(String, String)> {
    let b = client.get("/v1/connections")?.ok()?;
    let all = b["connections"].as_array().cloned().unwrap_or_default();
    let text = |c: &Value, k: &str| c[k].as_str().unwrap_or_default().to_owned();
    if let Some(c) = all.iter().find(|c| c["id"] == given) {
        return Ok((text(c, "id"), text(c, "name")));
    }
    let mut named: Vec<&Value> = all.iter().filter(|c| c["name"] == given).collect();
    if named.len() > 1 && active_only {
        named.retain(|c| c["status"] == "active");
    }
    match named.as_slice() {
        [one] => Ok((text(one, "id"), text(one, "name"))),
        [] => bail!("no connection is named or has the id `{given}`: `hq-vault connection list` shows names and ids"),
        many => {
            let ids: Vec<String> = many.iter().map(|c| format!("{} ({})", text(c, "id"), text(c, "status"))).collect();
            bail!("{} connections are named `{given}`: give one's id instead: {}", many.len(), ids.join(", "))
        }
    }
}
