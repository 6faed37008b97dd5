//! `hq-vault init`: the home, the TLS certificate, and the passphrase-derived key.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use hq_vault::home::Home;
use hq_vault::host::{CoreHost, Instance, MasterKey};
use hq_vault::store::VaultDb;

#[derive(clap::Args)]
pub struct Args {
    /// Read the passphrase from standard input (one line) instead of a hidden prompt.
    #[arg(long)]
    pub passphrase_stdin: bool,
    /// Read the passphrase from this file's first line instead of a prompt: a container's secret
    /// (`/run/secrets/…`). The file is read once and never written.
    #[arg(long, value_name = "FILE", env = "HQ_VAULT_PASSPHRASE_FILE", conflicts_with = "passphrase_stdin")]
    pub passphrase_file: Option<std::path::PathBuf>,
    /// Argon2id iterations (default 3). Raising it makes unlocking slower and guessing harder.
    #[arg(long, default_value_t = 3)]
    pub kdf_t_cost: u32,
    /// Argon2id memory in KiB (default 262144 = 256 MiB). Lower it only for tests.
    #[arg(long, default_value_t = 262_144)]
    pub kdf_m_cost_kib: u32,
}

/// Whether `home` already holds a vault. Creates nothing: a home without `vault.db` has none.
pub fn has_vault(home: &Home) -> Result<bool> {
    Ok(home.db().exists() && VaultDb::open(&home.db())?.vault()?.is_some())
}

/// The advice for a home whose `vault.db` is gone while its audit log remains: an earlier vault
/// lived here, so a new one is never made over its record; `None` when there is no such log.
pub fn lost_vault(home: &Home) -> Option<String> {
    if home.db().exists() {
        return None;
    }
    std::fs::metadata(home.audit_log()).ok().filter(|m| m.len() > 0)?;
    Some(format!(
        "{} has the audit log of an earlier vault but no vault.db: it was deleted or moved. Restore vault.db from your backup into {}; to start a new vault here instead, move audit.log and audit.head aside first (they are the old vault's record)",
        home.dir.display(),
        home.dir.display()
    ))
}

/// Create the vault's key in `inst` and store the wrapped key. Returns the unlocked key.
///
/// The passphrase is asked for (three tries on a terminal) and the key derived before anything is
/// written; if writing then fails, what this call made is removed again (a home that did not
/// exist does not exist afterwards), so a failed first start leaves no half-made home.
pub fn create_vault(home: &Home, inst: &mut Instance, args: &Args) -> Result<MasterKey> {
    if has_vault(home)? {
        bail!("a vault already exists in {}: use `hq-vault serve` and `hq-vault unlock`", home.dir.display());
    }
    if let Some(why) = lost_vault(home) {
        bail!("{why}. Nothing was created");
    }
    let pass = match &args.passphrase_file {
        Some(file) => super::passphrase_from_file(file, true, "nothing was created")?,
        None => super::new_passphrase(args.passphrase_stdin, "nothing was created")?,
    };
    eprintln!("Deriving the key (Argon2id, t={}, {} MiB)…", args.kdf_t_cost, args.kdf_m_cost_kib / 1024);
    let t = Instant::now();
    let (key, vault) =
        match inst.create_vault(&pass, args.kdf_t_cost, args.kdf_m_cost_kib, 1).map_err(anyhow::Error::from)? {
            Ok(made) => made,
            Err(e) => {
                let why = inst.describe_crypto_error(e).map_err(anyhow::Error::from)?;
                anyhow::bail!("creating the key: {why}; nothing was created")
            }
        };
    let made = Made::before(home);
    let written = (|| {
        home.ensure()?;
        hq_vault::tls::ensure_certificates(home)?;
        VaultDb::open(&home.db())?.set_vault(&vault)
    })();
    if let Err(e) = written {
        made.undo();
        let _ = inst.drop_key(key);
        return Err(e.context(format!("creating the vault in {}; nothing was left behind", home.dir.display())));
    }
    eprintln!("Created the vault in {} ({:.1} s).", home.dir.display(), t.elapsed().as_secs_f64());
    Ok(key)
}

/// After `init` or a local-mode first `serve`: the person learns about `trust` before the first
/// `ingest --web` meets a certificate warning (a network-mode server has no browser to tell).
pub fn suggest_trust(home: &Home) {
    if let Some(s) = hq_vault::trust::suggestion(home) {
        eprintln!("{s}");
    }
}

/// What a vault's creation may add, noted before it starts, so that a failure can take it back.
struct Made {
    /// The outermost folder of the home's path that did not exist (the home itself, or a parent).
    new_root: Option<PathBuf>,
    /// Files and folders of an existing home that did not exist yet.
    new_paths: Vec<PathBuf>,
}

impl Made {
    fn before(home: &Home) -> Made {
        let new_root = home.dir.ancestors().take_while(|p| !p.as_os_str().is_empty() && !p.exists()).last();
        let db = home.db();
        let candidates = [
            home.server_key(),
            home.server_cert(),
            home.ca_cert(),
            home.tls(),
            PathBuf::from(format!("{}-wal", db.display())),
            PathBuf::from(format!("{}-shm", db.display())),
            db,
        ];
        Made {
            new_root: new_root.map(Path::to_path_buf),
            new_paths: candidates.into_iter().filter(|p| !p.exists()).collect(),
        }
    }

    fn undo(self) {
        if let Some(root) = self.new_root {
            let _ = std::fs::remove_dir_all(&root);
            return;
        }
        for p in self.new_paths {
            let _ = std::fs::remove_file(&p).or_else(|_| std::fs::remove_dir(&p));
        }
    }
}

pub fn run(home: &Home, args: Args) -> Result<ExitCode> {
    // No compiled-code cache: it would be a folder in the home before the passphrase is even asked.
    let host = CoreHost::new(None)?;
    let mut inst = host.instance()?;
    let key = create_vault(home, &mut inst, &args)?;
    suggest_trust(home);
    inst.drop_key(key).map_err(anyhow::Error::from)?;
    outln!("Initialized. Start the daemon with `hq-vault serve`; clients trust {}", home.ca_cert().display());
    Ok(ExitCode::SUCCESS)
}
