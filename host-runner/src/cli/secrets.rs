//! `store`, `get`, `list`, `delete`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hq_vault::client::{Client, encode_path, encode_query};
use hq_vault::home::Home;
use serde_json::{Value, json};
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
    let mut body = match std::str::from_utf8(value) {
        Ok(s) => json!({ "value": s }),
        Err(_) => json!({ "value_base64": B64.encode(value) }),
    };
    body["type"] = json!(kind);
    body["description"] = json!(description);
    let r = client.put(&format!("/v1/secrets/{}", encode_path(path)), &body)?;
    if let Value::Object(m) = &mut body {
        for v in m.values_mut() {
            *v = Value::Null;
        }
    }
    let got = r.ok()?;
    println!(
        "Stored: {} ({} bytes, type: {})",
        got["path"].as_str().unwrap_or(path),
        got["size"],
        got["type"].as_str().unwrap_or("unspecified")
    );
    Ok(())
}

pub fn store(home: &Home, a: StoreArgs) -> Result<ExitCode> {
    let client = Client::from_env(home)?;
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

/// Fetch a secret's value bytes.
pub fn fetch(client: &Client, path: &str) -> Result<Zeroizing<Vec<u8>>> {
    let body = client.get(&format!("/v1/secrets/{}", encode_path(path)))?.ok()?;
    if let Some(s) = body["value"].as_str() {
        Ok(Zeroizing::new(s.as_bytes().to_vec()))
    } else if let Some(b) = body["value_base64"].as_str() {
        Ok(Zeroizing::new(B64.decode(b).context("the daemon sent malformed base64")?))
    } else {
        bail!("the daemon's answer has no value")
    }
}

pub fn get(home: &Home, a: GetArgs) -> Result<ExitCode> {
    let client = Client::from_env(home)?;
    let value = fetch(&client, &a.path)?;
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

/// The metadata of the secrets under a prefix.
pub fn list_meta(client: &Client, prefix: &str) -> Result<Vec<Value>> {
    let body = client.get(&format!("/v1/secrets?prefix={}", encode_query(prefix)))?.ok()?;
    Ok(body["secrets"].as_array().cloned().unwrap_or_default())
}

pub fn list(home: &Home, a: ListArgs) -> Result<ExitCode> {
    let client = Client::from_env(home)?;
    let items = list_meta(&client, a.prefix.as_deref().unwrap_or(""))?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&items)?);
    } else if items.is_empty() {
        eprintln!("No secrets{}.", a.prefix.map(|p| format!(" under {p}")).unwrap_or_default());
    } else {
        for s in items {
            println!(
                "{}\t{} bytes\t{}\t{}",
                s["path"].as_str().unwrap_or(""),
                s["size"],
                s["type"].as_str().unwrap_or("-"),
                s["description"].as_str().unwrap_or("")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct DeleteArgs {
    /// The secret's path.
    path: String,
}

pub fn delete(home: &Home, a: DeleteArgs) -> Result<ExitCode> {
    let client = Client::from_env(home)?;
    client.delete(&format!("/v1/secrets/{}", encode_path(&a.path)))?.ok()?;
    println!("Deleted: {}", a.path);
    Ok(ExitCode::SUCCESS)
}
