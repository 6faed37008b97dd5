//! `store`, `get`, `list`, `delete`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use hq_vault_client::{Client, MAX_VALUE, encode_query};
use zeroize::Zeroizing;

#[derive(clap::Args)]
pub struct StoreArgs {
    /// Where to store it, such as `stripe/secret-key`.
    path: String,
    /// Read the value from this file (default: standard input).
    #[arg(long)]
    file: Option<PathBuf>,
    /// Store the input exactly as read, even a single line's terminating newline.
    #[arg(long)]
    raw: bool,
    /// A type label, such as `api-key` or `password`.
    #[arg(long = "type")]
    kind: Option<String>,
    /// What the secret is for.
    #[arg(long)]
    description: Option<String>,
    /// Refuse to replace a secret already at the path (nothing is stored then).
    #[arg(long)]
    no_overwrite: bool,
}

/// Store a value; returns the line an agent may see: `Stored: PATH (N bytes, type: T)`, or
/// `Replaced: …` when the path held a secret. Never the value.
pub fn store_value(
    client: &Client,
    path: &str,
    value: &[u8],
    kind: Option<&str>,
    description: Option<&str>,
    no_overwrite: bool,
) -> Result<String> {
    let got = match client.put_secret_with(path, value, kind, description, !no_overwrite) {
        Err(hq_vault_client::Error::Api { status: 409, code, .. }) if code == "exists" => {
            bail!("{path} already holds a secret and --no-overwrite was given: nothing was stored")
        }
        other => other?,
    };
    // A replacement says so: the old value is gone (its type and description are kept unless new
    // ones were given).
    let verb = if got["created"].as_bool() == Some(false) { "Replaced" } else { "Stored" };
    Ok(format!(
        "{verb}: {} ({}, type: {})",
        got["path"].as_str().unwrap_or(path),
        bytes(got["size"].as_u64().unwrap_or(0)),
        got["type"].as_str().unwrap_or("unspecified")
    ))
}

/// A size for people: `1 byte`, `0 bytes`, `2048 bytes`.
fn bytes(n: u64) -> String {
    super::count(n, "byte")
}

/// What `store` keeps of its input unless `--raw`: a single line of UTF-8 text (one newline, at
/// the end) loses that terminating `\n` or `\r\n`, as `$(…)` would drop it and as
/// `grep … | cut -d= -f2-` adds it; multi-line text (a PEM, an OpenSSH key) and anything that is
/// not UTF-8 are kept byte for byte.
pub fn trim_single_line(input: &mut Vec<u8>) {
    let Some(line) = input.strip_suffix(b"\n") else {
        return;
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if !line.contains(&b'\n') && std::str::from_utf8(line).is_ok() {
        let keep = line.len();
        input.truncate(keep);
    }
}

/// Read at most `limit` bytes of `from` into `into`.
fn read_bounded(from: impl Read, into: &mut Vec<u8>, limit: usize) -> std::io::Result<()> {
    from.take(limit as u64).read_to_end(into).map(drop)
}

pub fn store(a: StoreArgs) -> Result<ExitCode> {
    let client = Client::from_env()?;
    // Enough to tell a value over the limit (after at most `\r\n` is trimmed) without reading
    // an input of any size whole; allocated once, so no reallocation leaves a copy behind.
    let limit = MAX_VALUE + 3;
    let mut value = Zeroizing::new(Vec::with_capacity(limit));
    match &a.file {
        Some(f) => {
            let file = std::fs::File::open(f).with_context(|| format!("opening {}", f.display()))?;
            read_bounded(file, &mut value, limit).with_context(|| format!("reading {}", f.display()))?;
        }
        None => {
            if std::io::stdin().is_terminal() {
                bail!("no value: pipe it in, use --file, or use `hq-vault ingest` for a hidden prompt");
            }
            read_bounded(std::io::stdin().lock(), &mut value, limit).context("reading standard input")?;
        }
    }
    if !a.raw {
        trim_single_line(&mut value);
    }
    if value.is_empty() {
        bail!("the value is empty: nothing was stored");
    }
    // Only spaces is no secret (an empty variable piped with its newline): refused as `ingest`
    // refuses it, unless --raw asks for the bytes as given.
    if !a.raw && super::is_blank(&value) {
        bail!("the value is only spaces: nothing was stored (--raw stores the bytes as given)");
    }
    if value.len() > MAX_VALUE {
        bail!("the value is over 1 MiB: a secret may be at most 1 MiB ({MAX_VALUE} bytes); nothing was stored");
    }
    outln!("{}", store_value(&client, &a.path, &value, a.kind.as_deref(), a.description.as_deref(), a.no_overwrite)?);
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
    // Flushed here: a value that could not be written (a full disk) is an error, never exit 0.
    let written = out.write_all(&value).and_then(|()| {
        if std::io::stdout().is_terminal() && !value.ends_with(b"\n") { out.write_all(b"\n") } else { Ok(()) }
    });
    written.and_then(|()| out.flush()).context("writing the value to standard output")?;
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct ListArgs {
    /// Only the secrets in this folder (`aws` means `aws/`).
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
        outln!("{}", serde_json::to_string_pretty(&body["secrets"])?);
        return Ok(ExitCode::SUCCESS);
    }
    let listed = client.list_folder(prefix)?;
    if listed.secrets.is_empty() {
        let why = listed.empty_reason();
        eprintln!("{}{}.", why[..1].to_uppercase(), &why[1..]);
    } else if listed.scoped {
        // On stderr: the rows on stdout stay one secret a line.
        eprintln!(
            "Only the secrets this credential may read are shown (a managed token's --prefix scope, or an identity's memberships)."
        );
    }
    for s in listed.secrets {
        outln!(
            "{}\t{}\t{}\t{}",
            s.path,
            bytes(s.size),
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
    outln!("Deleted: {}", a.path);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::trim_single_line;

    fn trimmed(input: &[u8]) -> Vec<u8> {
        let mut v = input.to_vec();
        trim_single_line(&mut v);
        v
    }

    #[test]
    fn only_a_single_line_of_text_loses_its_newline() {
        assert_eq!(trimmed(b"sk_live_1\n"), b"sk_live_1");
        assert_eq!(trimmed(b"sk_live_1\r\n"), b"sk_live_1");
        assert_eq!(trimmed(b"sk_live_1"), b"sk_live_1");
        assert_eq!(trimmed("caf\u{e9}\n".as_bytes()), "caf\u{e9}".as_bytes());
        // Multi-line text, a blank last line, and bytes that are not UTF-8 are kept whole.
        let pem = b"-----BEGIN KEY-----\nAAAA\n-----END KEY-----\n";
        assert_eq!(trimmed(pem), pem);
        assert_eq!(trimmed(b"one\n\n"), b"one\n\n");
        assert_eq!(trimmed(b"\xff\xfe\x0a"), b"\xff\xfe\x0a");
        assert_eq!(trimmed(b"a\r"), b"a\r");
    }
}
