//! `store`, `get`, `list`, `delete`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use hq_vault_client::{Client, encode_query};
use zeroize::Zeroizing;

#[derive(clap::Args)]
pub struct StoreArgs {
    /// Where to store it, such as `stripe/secret-key`.
    path: String,
    /// Read the value from this file (default: standard input).
    #[arg(long)]
    file: Option<PathBuf>,
    /// A type label, such as `api-key` or `password`.
    #[arg(long = "type")]
    kind: Option<String>,
    /// What the secret is for.
    #[arg(long)]
    description: Option<String>,
}

/// Store a value and print what an agent may see: path, size and type, never the value.
pub fn put_value(
    client: &Client,
    path: &str,
    value: &[u8],
    kind: Option<&str>,
    description: Option<&str>,
) -> Result<()> {
    let got = client.put_secret(path, value, kind, description)?;
    println!(
        "Stored: {} ({} bytes, type: {})",
        got["path"].as_str().unwrap_or(path),
        got["size"],
        got["type"].as_str().unwrap_or("unspecified")
    );
    Ok(())
}

pub fn store(a: StoreArgs) -> Result<ExitCode> {
    let client = Client::from_env()?;
    let mut value = Zeroizing::new(Vec::new());
    match &a.file {
        Some(f) => {
            std::fs::File::open(f).with_context(|| format!("opening {}", f.display()))?.read_to_end(&mut value)?;
        }
        None => {
            if std::io::stdin().is_terminal() {
                bail!("no value: pipe it in, use --file, or use `hq-vault ingest` for a hidden prompt");
            }
            std::io::stdin().read_to_end(&mut value)?;
        }
    }
    // A value read from a file or pipe usually ends with one newline that is not part of it.
    if value.ends_with(b"\n") {
        value.pop();
        if value.ends_with(b"\r") {
            value.pop();
        }
    }
    if value.is_empty() {
        bail!("the value is empty: nothing was stored");
    }
    put_value(&client, &a.path, &value, a.kind.as_deref(), a.description.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct GetArgs {
    /// The secret's path.
    path: String,
}

pub fn get(a: GetArgs) -> Result<ExitCode> {
    let client = Client::from_env()?;
    let value = client.get_secret(&a.path)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&value)?;
    if std::io::stdout().is_terminal() && !value.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct ListArgs {
    /// Only paths starting with this.
    prefix: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn list(a: ListArgs) -> Result<ExitCode> {
    let client = Client::from_env()?;
    let prefix = a.prefix.as_deref().unwrap_or("");
    if a.json {
        let body = client.get(&format!("/v1/secrets?prefix={}", encode_query(prefix)))?.ok()?;
        println!("{}", serde_json::to_string_pretty(&body["secrets"])?);
        return Ok(ExitCode::SUCCESS);
    }
    let items = client.list(prefix)?;
    if items.is_empty() {
        eprintln!("No secrets{}.", a.prefix.map(|p| format!(" under {p}")).unwrap_or_default());
    }
    for s in items {
        println!(
            "{}\t{} bytes\t{}\t{}",
            s.path,
            s.size,
            s.kind.as_deref().unwrap_or("-"),
            s.description.as_deref().unwrap_or("")
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct DeleteArgs {
    /// The secret's path.
    path: String,
}

pub fn delete(a: DeleteArgs) -> Result<ExitCode> {
    let client = Client::from_env()?;
    client.delete_secret(&a.path)?;
    println!("Deleted: {}", a.path);
    Ok(ExitCode::SUCCESS)
}
