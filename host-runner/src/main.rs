//! `hq-vault`: the local daemon and CLI.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use hq_vault::host::CoreHost;

#[derive(Parser)]
#[command(
    name = "hq-vault",
    version,
    about = "Secrets and files for AI agents, never in a chat or a .env file"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the known-answer vectors through the embedded component.
    ///
    /// Example: hq-vault conformance --vectors tests/vectors
    Conformance {
        /// Directory of vector files.
        #[arg(long, default_value = "tests/vectors")]
        vectors: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Conformance { vectors } => {
            let host = CoreHost::new(None)?;
            let mut instance = host.instance()?;
            let report = hq_vault::conformance::run_dir(&vectors, &mut instance)?;
            for f in &report.failures {
                println!("FAIL {f}");
            }
            println!(
                "conformance: {} passed, {} failed",
                report.passed,
                report.failures.len()
            );
            Ok(if report.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
