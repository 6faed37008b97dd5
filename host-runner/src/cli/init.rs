//! `hq-vault init`: the home, the TLS certificate, and the passphrase-derived key.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use hq_vault::home::Home;
use hq_vault::host::{CoreHost, Instance, MasterKey};
use hq_vault::store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// Read the passphrase from standard input (one line) instead of a hidden prompt.
    #[arg(long)]
    pub passphrase_stdin: bool,
    /// Argon2id iterations (default 3). Raising it makes unlocking slower and guessing harder.
    #[arg(long, default_value_t = 3)]
    pub kdf_t_cost: u32,
    /// Argon2id memory in KiB (default 262144 = 256 MiB). Lower it only for tests.
    #[arg(long, default_value_t = 262_144)]
    pub kdf_m_cost_kib: u32,
}

/// Create the vault's key in `inst` and store the wrapped key. Returns the unlocked key.
pub fn create_vault(home: &Home, inst: &mut Instance, args: &Args) -> Result<MasterKey> {
    home.ensure()?;
    hq_vault::tls::ensure_certificates(home)?;
    let store = Store::open(&home.db())?;
    if store.vault()?.is_some() {
        bail!("a vault already exists in {}: use `hq-vault serve` and `hq-vault unlock`", home.dir.display());
    }
    let pass = super::new_passphrase(args.passphrase_stdin)?;
    eprintln!("Deriving the key (Argon2id, t={}, {} MiB)…", args.kdf_t_cost, args.kdf_m_cost_kib / 1024);
    let t = Instant::now();
    let (key, vault) = inst
        .create_vault(&pass, args.kdf_t_cost, args.kdf_m_cost_kib, 1)
        .map_err(anyhow::Error::from)?
        .map_err(|e| anyhow::anyhow!("creating the key: {e}"))?;
    store.set_vault(&vault)?;
    eprintln!("Created the vault in {} ({:.1} s).", home.dir.display(), t.elapsed().as_secs_f64());
    // `init` and the first `serve` both come here: the person learns about `trust` before the
    // first `ingest --web` meets a certificate warning.
    if let Some(s) = hq_vault::trust::suggestion(home) {
        eprintln!("{s}");
    }
    Ok(key)
}

pub fn run(home: &Home, args: Args) -> Result<ExitCode> {
    let host = CoreHost::new(Some(&home.cache()))?;
    let mut inst = host.instance()?;
    let key = create_vault(home, &mut inst, &args)?;
    inst.drop_key(key).map_err(anyhow::Error::from)?;
    println!("Initialized. Start the daemon with `hq-vault serve`; clients trust {}", home.ca_cert().display());
    Ok(ExitCode::SUCCESS)
}
