//! `env-file`: the secrets under a prefix as a file that env loaders read back exactly.
//!
//! Names come from the path below the prefix: `myapp/database-url` under `myapp/` is
//! `DATABASE_URL`. The encoder (formats, quoting, refusals) is [`hq_vault::envfile`].

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use hq_vault::envfile::{Format, render};
use hq_vault_client::Client;

#[derive(clap::Args)]
pub struct EnvFileArgs {
    /// The folder of the secrets, such as `myapp/` (`myapp` means the same).
    prefix: String,
    /// Output format: dotenv (for dotenv loaders), export (POSIX shell, for `eval`), json (an object).
    #[arg(long, value_enum, default_value = "dotenv")]
    format: Format,
}

pub fn env_file(a: EnvFileArgs) -> Result<ExitCode> {
    let client = Client::from_env()?;
    let vars = client.env_values(&a.prefix)?;
    let out = match render(a.format, &vars) {
        Ok(out) => out,
        Err(why) => bail!("{why}"),
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&out)
        .and_then(|()| stdout.flush())
        .map_err(|e| anyhow::anyhow!("writing to standard output: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
