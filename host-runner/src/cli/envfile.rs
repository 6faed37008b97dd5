//! `env-file` and `run`: secrets as environment variables.
//!
//! Names come from the path below the prefix: `myapp/database-url` under `myapp/` is
//! `DATABASE_URL`. Values are single-quoted so that `eval` is safe for any byte but NUL, which no
//! environment variable can hold.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Result;
use hq_vault_client::Client;
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

/// Single-quote for POSIX shells: `'` becomes `'\''`.
pub fn shell_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', "'\\''"))
}

pub fn env_file(a: EnvFileArgs) -> Result<ExitCode> {
    let client = Client::from_env()?;
    let vars = client.env(&a.prefix)?;
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

pub fn run(a: RunArgs) -> Result<ExitCode> {
    let client = Client::from_env()?;
    let vars = client.env(&a.prefix)?;
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
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
