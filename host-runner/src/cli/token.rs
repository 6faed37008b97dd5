//! `token create|list|revoke`.

use std::process::ExitCode;

use anyhow::Result;
use hq_vault_client::{Client, encode_path};
use serde_json::json;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create a managed token; it is printed once.
    #[command(
        after_help = "Example:\n  hq-vault token create --name ci-build-main --ttl 30m --max-uses 5 --prefix deploy/prod/"
    )]
    Create {
        /// A name for audit lines, such as `deploy-bot-prod`: 1-63 of lower-case a-z, 0-9, `.`,
        /// `-`, starting with a letter or a digit; `anonymous`, `bootstrap`, `daemon`, `unknown`,
        /// `owner` and `system` are reserved for the vault's own actors.
        #[arg(long)]
        name: String,
        /// Time to live: 90s, 15m, 1h, 7d.
        #[arg(long)]
        ttl: Option<String>,
        /// Most secret reads it may make.
        #[arg(long)]
        max_uses: Option<u32>,
        /// Only paths in this folder (repeatable; `aws` means `aws/`).
        #[arg(long)]
        prefix: Vec<String>,
    },
    /// List managed tokens (never their values).
    #[command(after_help = "Example:\n  hq-vault token list")]
    List,
    /// Revoke a managed token by name.
    #[command(after_help = "Example:\n  hq-vault token revoke deploy-run-42")]
    Revoke {
        /// The token's name.
        name: String,
    },
}

pub fn run(c: Command) -> Result<ExitCode> {
    let client = Client::from_env()?;
    match c {
        Command::Create { name, ttl, max_uses, prefix } => {
            let b = client
                .post("/v1/tokens", &json!({"name": name, "ttl": ttl, "max_uses": max_uses, "prefix": prefix}))?
                .ok()?;
            println!("{}", b["token"].as_str().unwrap_or_default());
            eprintln!(
                "Token `{}` created (shown once): ttl {}, max uses {}, scope {}. Pass it as HQ_VAULT_TOKEN.",
                b["name"].as_str().unwrap_or_default(),
                ttl.as_deref().unwrap_or("none"),
                b["max_uses"],
                b["scope"]
            );
        }
        Command::List => {
            let b = client.get("/v1/tokens")?.ok()?;
            for t in b["tokens"].as_array().cloned().unwrap_or_default() {
                println!(
                    "{}\t{}\tuses {}/{}\tscope {}",
                    t["name"].as_str().unwrap_or_default(),
                    t["state"].as_str().unwrap_or_default(),
                    t["uses"],
                    t["max_uses"],
                    t["scope"]
                );
            }
        }
        Command::Revoke { name } => {
            client.delete(&format!("/v1/tokens/{}", encode_path(&name)))?.ok()?;
            println!("Revoked: {name}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
