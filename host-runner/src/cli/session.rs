//! `unlock`, `lock`, `status`, `health`, `passphrase change`.

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
    /// Read the passphrase from this file's first line (a container's secret, as `serve
    /// --passphrase-file`) instead of a prompt.
    #[arg(long, value_name = "FILE", conflicts_with = "passphrase_stdin")]
    passphrase_file: Option<std::path::PathBuf>,
}

/// Whether an error is the daemon's `wrong_passphrase`.
fn wrong_passphrase(e: &hq_vault_client::Error) -> bool {
    matches!(e, hq_vault_client::Error::Unauthorized { code, .. } if code == "wrong_passphrase")
}

pub fn unlock(a: UnlockArgs) -> Result<ExitCode> {
    let client = Client::from_env()?;
    // Before the passphrase is asked: the daemon answers, and it is not unlocked already.
    if client.health()?["locked"] == false {
        outln!("Already unlocked.");
        return Ok(ExitCode::SUCCESS);
    }
    // ...and the token is the owner's: nobody types a passphrase for a token that cannot unlock.
    client.check_owner()?;
    let tries = if a.passphrase_stdin || a.passphrase_file.is_some() { 1 } else { super::TRIES };
    let mut left = tries;
    loop {
        left -= 1;
        let pass = match &a.passphrase_file {
            Some(file) => super::passphrase_from_file(file, false, "the vault stays locked")?,
            None => super::read_passphrase("Passphrase: ", a.passphrase_stdin)?,
        };
        eprint!("Unlocking (Argon2id key derivation, about a second)… ");
        let _ = std::io::stderr().flush();
        let t = Instant::now();
        match client.post("/v1/unlock", &json!({ "passphrase": pass.as_str() })).and_then(|r| r.ok()) {
            Ok(body) => {
                eprintln!("done in {:.1} s", t.elapsed().as_secs_f64());
                outln!("{}", if body["already"] == true { "Already unlocked." } else { "Unlocked." });
                return Ok(ExitCode::SUCCESS);
            }
            Err(e) if wrong_passphrase(&e) && tries > 1 => {
                eprintln!("failed");
                if left == 0 {
                    anyhow::bail!(
                        "no passphrase unlocked this vault after {tries} tries: it stays locked (run `hq-vault unlock` to try again)"
                    );
                }
                eprintln!("That passphrase does not unlock this vault. {}", super::try_again(left));
            }
            Err(e) => {
                eprintln!("failed");
                return Err(e.into());
            }
        }
    }
}

pub fn lock() -> Result<ExitCode> {
    Client::from_env()?.post("/v1/lock", &json!({}))?.ok()?;
    outln!("Locked: the key was dropped from the daemon's memory.");
    Ok(ExitCode::SUCCESS)
}

pub fn status() -> Result<ExitCode> {
    let client = Client::from_env()?;
    let h = client.get_anonymous("/v1/health")?.ok()?;
    outln!(
        "hq-vault {} at {}: {} ({})",
        h["version"].as_str().unwrap_or("?"),
        client.shown_url(),
        if h["locked"] == true { "locked — run `hq-vault unlock`" } else { "unlocked" },
        match h["idle_lock_seconds"].as_u64() {
            Some(s) => format!("idle lock after {s} s"),
            None => "no idle lock".to_owned(),
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `hq-vault health`: `ok (unlocked)` or `ok (locked)` when the daemon answers its health route;
/// an error (exit 1) when it does not.
pub fn health() -> Result<ExitCode> {
    let h = Client::from_env()?.get_anonymous("/v1/health")?.ok()?;
    outln!("ok ({})", if h["locked"] == true { "locked" } else { "unlocked" });
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
    // Before anything is asked: the daemon answers, and the token is the owner's.
    client.check_owner()?;
    let mut old = super::read_passphrase("Current passphrase: ", passphrase_stdin)?;
    // On a terminal the new one is asked as `init` asks it: three tries, each refusal saying why.
    let new = super::new_passphrase(passphrase_stdin, "nothing was changed")?;
    let tries = if passphrase_stdin { 1 } else { super::TRIES };
    let mut left = tries;
    loop {
        left -= 1;
        eprintln!("Rewrapping the key (two Argon2id derivations)…");
        match client.post("/v1/passphrase", &json!({"old": old.as_str(), "new": new.as_str()})).and_then(|r| r.ok()) {
            Ok(_) => break,
            // A wrong current passphrase is asked again; the new one, accepted already, is kept.
            Err(e) if wrong_passphrase(&e) && tries > 1 => {
                if left == 0 {
                    anyhow::bail!("the current passphrase was wrong {tries} times: nothing was changed");
                }
                eprintln!("That is not the current passphrase. {}", super::try_again(left));
                old = super::read_passphrase("Current passphrase: ", false)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    outln!("Passphrase changed. No secret was re-encrypted.");
    Ok(ExitCode::SUCCESS)
}
