//! `audit`, `audit --tail`, `audit verify`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use hq_vault::home::Home;
use hq_vault::host::CoreHost;
use hq_vault_client::Client;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    verify: Option<Verify>,
    /// Keep following new lines.
    #[arg(long)]
    tail: bool,
}

#[derive(clap::Subcommand)]
enum Verify {
    /// Check the chain of audit.log; names the first bad line.
    #[command(after_help = "Example:\n  hq-vault audit verify")]
    Verify,
}

pub fn run(home: &Home, a: Args) -> Result<ExitCode> {
    if a.verify.is_some() {
        return verify(home);
    }
    let client = Client::from_env()?;
    let mut after = 0u64;
    loop {
        let b = client.get(&format!("/v1/audit?after={after}"))?.ok()?;
        for l in b["lines"].as_array().cloned().unwrap_or_default() {
            println!("{l}");
        }
        after = b["next"].as_u64().unwrap_or(after);
        if !a.tail {
            return Ok(ExitCode::SUCCESS);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn verify(home: &Home) -> Result<ExitCode> {
    let lines = hq_vault::audit_log::read_lines(&home.audit_log())?;
    let host = CoreHost::new(Some(&home.cache()))?;
    let mut inst = host.instance()?;
    match inst.audit_verify(&lines).map_err(anyhow::Error::from)? {
        Ok((n, head)) => {
            println!("audit.log: {n} lines, chain intact; head {head}");
            println!("(keep the head elsewhere to detect lines cut off the end later)");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("audit.log: line {}: {}", e.line, e.reason);
            Ok(ExitCode::FAILURE)
        }
    }
}
