//! The vault's home: `$HQ_VAULT_HOME`, default `~/.hq-vault/` (mode 0700).

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Where everything of one vault lives.
#[derive(Debug, Clone)]
pub struct Home {
    pub dir: PathBuf,
}

impl Home {
    /// `$HQ_VAULT_HOME`, or `~/.hq-vault` (the same rule as the client's).
    pub fn from_env() -> Result<Home> {
        Ok(Home { dir: hq_vault_client::default_home()? })
    }

    pub fn db(&self) -> PathBuf {
        self.dir.join("vault.db")
    }
    pub fn token(&self) -> PathBuf {
        self.dir.join("token")
    }
    /// Network mode's home socket, where this home's CLI is served as the owner with no token
    /// (`serve --network`; the client's `HOME_SOCKET`).
    pub fn socket(&self) -> PathBuf {
        self.dir.join(hq_vault_client::HOME_SOCKET)
    }
    pub fn audit_log(&self) -> PathBuf {
        self.dir.join("audit.log")
    }
    /// The audit log's anchored head (see `audit_log`).
    pub fn audit_head(&self) -> PathBuf {
        self.dir.join("audit.head")
    }
    pub fn tls(&self) -> PathBuf {
        self.dir.join("tls")
    }
    /// The certificate clients trust (the local CA that signed the daemon's certificate).
    pub fn ca_cert(&self) -> PathBuf {
        self.tls().join("ca.pem")
    }
    pub fn server_cert(&self) -> PathBuf {
        self.tls().join("server.pem")
    }
    pub fn server_key(&self) -> PathBuf {
        self.tls().join("server.key")
    }
    pub fn files(&self) -> PathBuf {
        self.dir.join("files")
    }
    /// wasmtime's compiled-code cache.
    pub fn cache(&self) -> PathBuf {
        self.dir.join("cache")
    }

    /// Create the home (0700) and its `tls/` folder if missing; tighten the mode if too open.
    pub fn ensure(&self) -> Result<()> {
        for d in [self.dir.clone(), self.tls()] {
            fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
            fs::set_permissions(&d, fs::Permissions::from_mode(0o700))
                .with_context(|| format!("setting mode 0700 on {}", d.display()))?;
        }
        Ok(())
    }
}

/// Write a file readable by its owner only (0600), atomically: a reader sees the old or the new
/// content, never a mix.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let _ = fs::remove_file(&tmp);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}
