//! `env-file` and `run`: secrets as environment variables.
//!
//! Names come from the path below the prefix: `myapp/database-url` under `myapp/` is
//! `DATABASE_URL`. Values are single-quoted so that `eval` is safe for any byte but NUL, which no
//! environment variable can hold.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Result, bail};
use hq_vault::client::Client;
use hq_vault::home::Home;
use zeroize::Zeroizing;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Dotenv,
    Export,
    Json,
}

#[derive(clap::Args)]
pub struct EnvFileArgs {
    /// Prefix of the secrets, such as `myapp/`.
    prefix: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "dotenv")]
    format: Format,
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// Prefix of the secrets, such as `myapp/`.
    #[arg(long)]
    prefix: String,
    /// The command and its arguments (after `--`).
    #[arg(last = true, required = true)]
    command: Vec<String>,
}

/// `myapp/db/url` under `myapp/` → `DB_URL`.
pub fn var_name(prefix: &str, path: &str) -> String {
    let rest = path.strip_prefix(prefix).unwrap_or(path);
    let mut n: String =
        rest.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    if n.is_empty() || n.starts_with(|c: char| c.is_ascii_digit()) {
        n.insert(0, '_');
    }
    n
}

/// Single-quote for POSIX shells: `'` becomes `'\''`.
pub fn shell_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', "'\\''"))
}

fn collect(client: &Client, prefix: &str) -> Result<BTreeMap<String, Zeroizing<String>>> {
    let mut out = BTreeMap::new();
    for m in super::secrets::list_meta(client, prefix)? {
        let path = m["path"].as_str().unwrap_or_default().to_owned();
        let value = super::secrets::fetch(client, &path)?;
        if value.contains(&0) {
            bail!("{path} holds a NUL byte, which no environment variable can carry");
        }
        let Ok(text) = std::str::from_utf8(&value) else {
            bail!("{path} is binary; environment variables must be text");
        };
        let name = var_name(prefix, &path);
        if out.insert(name.clone(), Zeroizing::new(text.to_owned())).is_some() {
            bail!("two secrets under {prefix} map to the variable {name}: rename one");
        }
    }
    Ok(out)
}

pub fn env_file(home: &Home, a: EnvFileArgs) -> Result<ExitCode> {
    let client = Client::from_env(home)?;
    let vars = collect(&client, &a.prefix)?;
    let mut out = Zeroizing::new(String::new());
    match a.format {
        Format::Json => {
            let m: BTreeMap<&str, &str> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            out.push_str(&serde_json::to_string_pretty(&m)?);
            out.push('\n');
        }
        Format::Dotenv | Format::Export => {
            let lead = if matches!(a.format, Format::Export) { "export " } else { "" };
            for (k, v) in &vars {
                out.push_str(&format!("{lead}{k}={}\n", shell_quote(v)));
            }
        }
    }
    print!("{}", out.as_str());
    Ok(ExitCode::SUCCESS)
}

pub fn run(home: &Home, a: RunArgs) -> Result<ExitCode> {
    let client = Client::from_env(home)?;
    let vars = collect(&client, &a.prefix)?;
    let (cmd, args) = a.command.split_first().ok_or_else(|| anyhow::anyhow!("no command given after --"))?;
    let status = std::process::Command::new(cmd)
        .args(args)
        .envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .status()
        .map_err(|e| anyhow::anyhow!("starting {cmd}: {e}"))?;
    drop(vars);
    Ok(ExitCode::from(status.code().unwrap_or(1).clamp(0, 255) as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_quotes() {
        assert_eq!(var_name("myapp/", "myapp/database-url"), "DATABASE_URL");
        assert_eq!(var_name("myapp/", "myapp/db/url"), "DB_URL");
        assert_eq!(var_name("", "1key"), "_1KEY");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
