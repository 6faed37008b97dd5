//! `unlock`, `lock`, `status`, `passphrase change`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use hq_vault_client::Client;
use serde_json::json;

#[derive(clap::Args)]
pub struct UnlockArgs {
    /// Read the passphrase from standard input (one line) instead of a hidden prompt.
    #[arg(long)]
    passphrase_stdin: bool,
}

pub fn unlock(a: UnlockArgs) -> Result<ExitCode> {
    let client = Client::from_env()?;
    let pass = super::read_passphrase("Passphrase: ", a.passphrase_stdin)?;
    eprint!("Unlocking (Argon2id key derivation, about a second)… ");
    let _ = std::io::stderr().flush();
    let t = Instant::now();
    let body = client.post("/v1/unlock", &json!({ "passphrase": pass.as_str() })).and_then(|r| r.ok());
    let body = body.inspect_err(|_| eprintln!("failed"))?;
    eprintln!("done in {:.1} s", t.elapsed().as_secs_f64());
    println!("{}", if body["already"] == true { "Already unlocked." } else { "Unlocked." });
    Ok(ExitCode::SUCCESS)
}

pub fn lock() -> Result<ExitCode> {
    Client::from_env()?.post("/v1/lock", &json!({}))?.ok()?;
    println!("Locked: the key was dropped from the daemon's memory.");
    Ok(ExitCode::SUCCESS)
}

pub fn status() -> Result<ExitCode> {
    let client = Client::from_env()?;
    let h = client.get_anonymous("/v1/health")?.ok()?;
    println!(
        "hq-vault {} at {}: {} (idle lock after {} s)",
        h["version"].as_str().unwrap_or("?"),
        client.url(""),
        if h["locked"] == true { "locked — run `hq-vault unlock`" } else { "unlocked" },
        h["idle_lock_seconds"]
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Subcommand)]
pub enum PassphraseCommand {
    /// Change the passphrase: the data key is rewrapped, no secret is re-encrypted.
    #[command(after_help = "Example:\n  hq-vault passphrase change")]
    Change {
        /// Read the old and the new passphrase from standard input (two lines).
        #[arg(long)]
        passphrase_stdin: bool,
    },
}

pub fn passphrase(c: PassphraseCommand) -> Result<ExitCode> {
    let PassphraseCommand::Change { passphrase_stdin } = c;
    let client = Client::from_env()?;
    let old = super::read_passphrase("Current passphrase: ", passphrase_stdin)?;
    let new = super::new_passphrase(passphrase_stdin, "nothing was changed")?;
    eprintln!("Rewrapping the key (two Argon2id derivations)…");
    client.post("/v1/passphrase", &json!({"old": old.as_str(), "new": new.as_str()}))?.ok()?;
    println!("Passphrase changed. No secret was re-encrypted.");
    Ok(ExitCode::SUCCESS)
}
