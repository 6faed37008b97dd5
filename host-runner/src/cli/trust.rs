//! `hq-vault trust [--uninstall]`: the vault's local CA in the browsers' trust stores (and the
//! system store as root), so `ingest --web` opens with no certificate warning. The work is in
//! `hq_vault::trust`.

use std::process::ExitCode;

use anyhow::Result;
use hq_vault::home::Home;
use hq_vault::trust::{self, Store};

#[derive(clap::Args)]
pub struct Args {
    /// Remove this vault's CA from the stores instead (exactly it: other CAs stay).
    #[arg(long)]
    uninstall: bool,
    /// Only these stores (repeatable). Default: nss, and system when run as root.
    #[arg(long = "store", value_enum)]
    stores: Vec<Store>,
}

pub fn run(home: &Home, a: Args) -> Result<ExitCode> {
    let ca = trust::LocalCa::load(home)?;
    if a.uninstall {
        let removal = trust::uninstall(home, &a.stores)?;
        if removal.done.is_empty() && removal.left.is_empty() {
            outln!("{} was in no trust store: nothing to remove.", ca.nickname());
        }
        for d in &removal.done {
            outln!("{}: {d}", ca.nickname());
        }
        // A copy this user cannot remove is named, with the command that removes it: the command
        // did not do all it was asked.
        for l in &removal.left {
            eprintln!("{}: {l}", ca.nickname());
        }
        return Ok(if removal.left.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    let done = trust::install(home, &a.stores)?;
    for d in &done {
        outln!("{}: {d}", ca.nickname());
    }
    if a.stores.is_empty() && !trust::is_root() {
        eprintln!(
            "The system store (curl, OpenSSL) is unchanged; clients of the vault trust {} by file anyway.",
            ca.pem_path.display()
        );
    }
    // The undo names the same stores, so that it touches nothing this command did not.
    let stores: String = a
        .stores
        .iter()
        .map(|s| match s {
            trust::Store::Nss => " --store nss",
            trust::Store::System => " --store system",
        })
        .collect();
    eprintln!("Restart your browser if it is open. Undo with `{} --uninstall{stores}`.", trust::trust_command(home));
    Ok(ExitCode::SUCCESS)
}
