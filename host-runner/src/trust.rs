//! Making browsers trust the vault's local CA, as mkcert does.
//!
//! The daemon and the `ingest --web` page are served with a certificate signed by the home's own
//! CA (`tls/ca.pem`). Browsers trust what is in their NSS databases: Chromium's (and every other NSS
//! program's) `~/.pki/nssdb`, Snap Chromium's, and each Firefox profile's. `hq-vault trust` adds the
//! CA there with NSS's `certutil` (Debian: `libnss3-tools`) as a CA trusted for TLS servers
//! (`-t C,,`), and, run as root, to the system store (Debian's `/usr/local/share/ca-certificates/`
//! and `update-ca-certificates`). `--uninstall` removes exactly that CA.
//!
//! The CA is named by its SHA-256 fingerprint ([`LocalCa::nickname`]), so the CAs of two homes never
//! clash and an uninstall never touches another's. Whether the CA is trusted is decided here only
//! ([`browser_trust`]), so `init`, `doctor` and `ingest --web` all say the same thing.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use sha2::{Digest, Sha256};

use crate::home::Home;

/// The home's CA certificate, and the names it is trusted under.
#[derive(Debug, Clone)]
pub struct LocalCa {
    /// `tls/ca.pem`.
    pub pem_path: PathBuf,
    /// Its PEM text, as written to the system store.
    pub pem: Vec<u8>,
    /// Lower-case hex SHA-256 of the certificate's DER.
    pub fingerprint: String,
}

impl LocalCa {
    /// Read the home's CA; an error says to run `hq-vault init` when there is none.
    pub fn load(home: &Home) -> Result<LocalCa> {
        let pem_path = home.ca_cert();
        let pem = match std::fs::read(&pem_path) {
            Ok(pem) => pem,
            // Missing: said in words, without the system's "No such file or directory".
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "{} holds no vault (no {}). If your vault lives in another home, name it: `HQ_VAULT_HOME=<that home> hq-vault trust` (`hq-vault serve` prints its home); a new vault starts with `hq-vault serve`",
                home.dir.display(),
                pem_path.display()
            ),
            Err(e) => return Err(anyhow::Error::from(e).context(format!("reading {}", pem_path.display()))),
        };
        let der = CertificateDer::from_pem_slice(&pem).with_context(|| {
            format!("{} holds no PEM certificate: delete tls/ and run `hq-vault init`", pem_path.display())
        })?;
        Ok(LocalCa { pem_path, pem, fingerprint: hex::encode(Sha256::digest(der.as_ref())) })
    }

    /// The NSS nickname: `HQ Vault local CA` and the first 16 hex digits of the fingerprint.
    pub fn nickname(&self) -> String {
        format!("HQ Vault local CA {}", &self.fingerprint[..16])
    }

    /// The file name in a system store: `hq-vault-local-ca-` and the same 16 hex digits.
    pub fn system_file_stem(&self) -> String {
        format!("hq-vault-local-ca-{}", &self.fingerprint[..16])
    }
}

/// Where a CA can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Store {
    /// The user's NSS databases: Chromium (`~/.pki/nssdb`, created when missing) and Firefox profiles.
    Nss,
    /// The operating system's store (root only).
    System,
}

/// One NSS database: a folder holding `cert9.db` (`sql:`) or the legacy `cert8.db` (`dbm:`).
#[derive(Debug, Clone)]
pub struct NssDb {
    pub dir: PathBuf,
    /// `sql` or `dbm`.
    pub kind: &'static str,
    /// Who reads it, for people: `Chromium`, `Firefox profile`, …
    pub reader: &'static str,
}

impl NssDb {
    /// The `-d` argument of `certutil`: `sql:/path` or `dbm:/path`.
    fn arg(&self) -> OsString {
        let mut s = OsString::from(format!("{}:", self.kind));
        s.push(&self.dir);
        s
    }
}

impl fmt::Display for NssDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.reader, self.dir.display())
    }
}

/// The user's home folder (`$HOME`), where browsers keep their databases.
fn user_home() -> Result<PathBuf> {
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from).context("HOME is not set")
}

/// The NSS database Chromium and other NSS programs share on Linux: `~/.pki/nssdb`.
pub fn shared_nss_dir(user_home: &Path) -> PathBuf {
    user_home.join(".pki/nssdb")
}

/// Every NSS database of the user that exists: the shared one, Snap Chromium's, and each Firefox
/// profile (`~/.mozilla/firefox/*`, Snap's `~/snap/firefox/common/.mozilla/firefox/*`).
pub fn nss_dbs(user_home: &Path) -> Vec<NssDb> {
    let mut candidates = vec![
        (shared_nss_dir(user_home), "Chromium"),
        (user_home.join("snap/chromium/current/.pki/nssdb"), "Chromium (Snap)"),
    ];
    for firefox in [user_home.join(".mozilla/firefox"), user_home.join("snap/firefox/common/.mozilla/firefox")] {
        let mut profiles: Vec<PathBuf> = std::fs::read_dir(&firefox)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        profiles.sort();
        candidates.extend(profiles.into_iter().map(|p| (p, "Firefox profile")));
    }
    candidates
        .into_iter()
        .filter_map(|(dir, reader)| {
            if dir.join("cert9.db").is_file() {
                Some(NssDb { dir, kind: "sql", reader })
            } else if dir.join("cert8.db").is_file() {
                Some(NssDb { dir, kind: "dbm", reader })
            } else {
                None
            }
        })
        .collect()
}

/// `certutil` on `PATH`, if installed.
fn certutil() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("certutil")).find(|p| p.is_file())
}

/// What to install so that `certutil` exists.
pub const CERTUTIL_MISSING: &str =
    "NSS's certutil is not installed: `sudo apt-get install libnss3-tools` (Fedora: `sudo dnf install nss-tools`)";

/// Run certutil; an error carries its own words.
fn run_certutil(certutil: &Path, args: &[OsString]) -> Result<()> {
    let out = Command::new(certutil)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", certutil.display()))?;
    if !out.status.success() {
        bail!(
            "certutil {} failed: {}",
            args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Whether `db` holds a certificate under `ca`'s nickname, trusted or not.
fn nss_has(certutil: &Path, db: &NssDb, ca: &LocalCa) -> bool {
    Command::new(certutil)
        .args([OsString::from("-L"), "-d".into(), db.arg(), "-n".into(), ca.nickname().into()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether `db` trusts `ca` as the CA of TLS servers (`certutil -V -u L`, as mkcert checks).
fn nss_trusts(certutil: &Path, db: &NssDb, ca: &LocalCa) -> bool {
    Command::new(certutil)
        .args([OsString::from("-V"), "-d".into(), db.arg(), "-u".into(), "L".into(), "-n".into(), ca.nickname().into()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether browsers trust the home's CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserTrust {
    /// Every NSS database of the user trusts it (and there is at least one).
    Trusted,
    /// These databases do not (empty: the user has no NSS database yet).
    NotTrusted(Vec<String>),
    /// `certutil` is missing, so it cannot be told (nor changed).
    NoCertutil,
}

/// Whether the browsers of `$HOME` trust the home's CA: the one place that decides it.
pub fn browser_trust(home: &Home) -> Result<BrowserTrust> {
    let ca = LocalCa::load(home)?;
    let Some(certutil) = certutil() else {
        return Ok(BrowserTrust::NoCertutil);
    };
    let dbs = nss_dbs(&user_home()?);
    let missing: Vec<String> =
        dbs.iter().filter(|db| !nss_trusts(&certutil, db, &ca)).map(|db| db.to_string()).collect();
    Ok(if dbs.is_empty() || !missing.is_empty() { BrowserTrust::NotTrusted(missing) } else { BrowserTrust::Trusted })
}

/// What to tell a person whose browsers do not trust the CA yet; `None` when they do (or when
/// there is no CA to trust yet).
pub fn suggestion(home: &Home) -> Option<String> {
    let cmd = trust_command(home);
    let fix = format!("run `{cmd}` (once; `{cmd} --uninstall` undoes it), then restart the browser if it is open");
    match browser_trust(home) {
        Ok(BrowserTrust::Trusted) | Err(_) => None,
        Ok(BrowserTrust::NotTrusted(_)) => Some(format!(
            "Your browsers do not trust this vault's certificate yet, so `ingest --web` would open on a warning: {fix}."
        )),
        Ok(BrowserTrust::NoCertutil) => Some(format!(
            "Your browsers may not trust this vault's certificate, so `ingest --web` could open on a warning. {CERTUTIL_MISSING}, then {fix}."
        )),
    }
}

/// The `trust` command for this home as a person types it: with `HQ_VAULT_HOME=…` in front when
/// the home is not the default one (the path shell-quoted when it needs it), so that it trusts
/// this vault's CA and not the default home's.
pub fn trust_command(home: &Home) -> String {
    let default = std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".hq-vault"));
    if default.as_deref() == Some(home.dir.as_path()) {
        return "hq-vault trust".to_owned();
    }
    let dir = home.dir.display().to_string();
    let plain = dir.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+,:@%".contains(c));
    let quoted = if plain { dir } else { format!("'{}'", dir.replace('\'', "'\\''")) };
    format!("HQ_VAULT_HOME={quoted} hq-vault trust")
}

/// Whether this process runs as root (the system store is changed only then).
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// A system store: where the CA file goes and the command that rebuilds the store (mkcert's three).
struct SystemStore {
    dir: &'static str,
    ext: &'static str,
    refresh: &'static [&'static str],
}

const SYSTEM_STORES: [SystemStore; 3] = [
    // Fedora, RHEL, CentOS.
    SystemStore { dir: "/etc/pki/ca-trust/source/anchors", ext: "pem", refresh: &["update-ca-trust", "extract"] },
    // Debian, Ubuntu.
    SystemStore { dir: "/usr/local/share/ca-certificates", ext: "crt", refresh: &["update-ca-certificates"] },
    // Arch.
    SystemStore { dir: "/etc/ca-certificates/trust-source/anchors", ext: "crt", refresh: &["trust", "extract-compat"] },
];

fn system_store() -> Option<&'static SystemStore> {
    SYSTEM_STORES.iter().find(|s| Path::new(s.dir).is_dir())
}

/// The CA's file in `store`.
fn system_file(store: &SystemStore, ca: &LocalCa) -> PathBuf {
    Path::new(store.dir).join(format!("{}.{}", ca.system_file_stem(), store.ext))
}

/// The command that runs `hq-vault ARGS` as root for this same home (sudo drops `HQ_VAULT_HOME`
/// and changes `HOME`), quoted for a POSIX shell.
fn as_root(home: &Home, args: &str) -> String {
    let dir = home.dir.to_string_lossy();
    let dir = shlex::try_quote(&dir).map(|q| q.into_owned()).unwrap_or_else(|_| dir.clone().into_owned());
    format!("run `sudo env HQ_VAULT_HOME={dir} hq-vault {args}`")
}

fn refresh(store: &SystemStore) -> Result<()> {
    let out = Command::new(store.refresh[0])
        .args(&store.refresh[1..])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", store.refresh.join(" ")))?;
    if !out.status.success() {
        bail!("{} failed: {}", store.refresh.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// Add the home's CA to `stores` (both when empty: NSS always, the system store when root).
/// Returns one line per thing done, for people.
pub fn install(home: &Home, stores: &[Store]) -> Result<Vec<String>> {
    let ca = LocalCa::load(home)?;
    let mut done = Vec::new();
    if stores.is_empty() || stores.contains(&Store::Nss) {
        let certutil = certutil().context(CERTUTIL_MISSING)?;
        let user_home = user_home()?;
        let shared = shared_nss_dir(&user_home);
        if !shared.join("cert9.db").is_file() && !shared.join("cert8.db").is_file() {
            // Chromium makes it on its first start; make it now so a browser started later trusts the CA.
            std::fs::create_dir_all(&shared).with_context(|| format!("creating {}", shared.display()))?;
            std::fs::set_permissions(&shared, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
            let db = NssDb { dir: shared.clone(), kind: "sql", reader: "Chromium" };
            run_certutil(&certutil, &["-N".into(), "-d".into(), db.arg(), "--empty-password".into()])?;
        }
        for db in nss_dbs(&user_home) {
            if !nss_trusts(&certutil, &db, &ca) {
                run_certutil(
                    &certutil,
                    &[
                        "-A".into(),
                        "-d".into(),
                        db.arg(),
                        "-t".into(),
                        "C,,".into(),
                        "-n".into(),
                        ca.nickname().into(),
                        "-i".into(),
                        ca.pem_path.clone().into(),
                    ],
                )?;
                if !nss_trusts(&certutil, &db, &ca) {
                    bail!("{db} still does not trust the CA after `certutil -A`: is the database writable?");
                }
            }
            done.push(format!("trusted by {db}"));
        }
    }
    if stores.contains(&Store::System) || (stores.is_empty() && is_root()) {
        if !is_root() {
            bail!("only root can change the system store: {}", as_root(home, "trust --store system"));
        }
        let store = system_store().context("no system store this command knows (Debian, Fedora, Arch)")?;
        let file = system_file(store, &ca);
        std::fs::write(&file, &ca.pem).with_context(|| format!("writing {}", file.display()))?;
        std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644))?;
        refresh(store)?;
        done.push(format!("trusted by the system store ({})", file.display()));
    }
    Ok(done)
}

/// What [`uninstall`] did, and what it could not do.
#[derive(Debug, Default)]
pub struct Removal {
    /// One line per store the CA was removed from, for people.
    pub done: Vec<String>,
    /// One line per copy left in place, each with the command that removes it (a system store's
    /// copy when not run as root).
    pub left: Vec<String>,
}

/// Remove exactly the home's CA from `stores` (as [`install`] chooses them). Not run as root and
/// with no store named, the system store is not changed, but a copy of the CA there (from an
/// earlier `trust` as root) is reported in [`Removal::left`] with the command to run as root.
pub fn uninstall(home: &Home, stores: &[Store]) -> Result<Removal> {
    let ca = LocalCa::load(home)?;
    let mut done = Vec::new();
    let mut left = Vec::new();
    if stores.is_empty() || stores.contains(&Store::Nss) {
        let certutil = certutil().context(CERTUTIL_MISSING)?;
        for db in nss_dbs(&user_home()?) {
            // Every copy under the nickname (a database may hold it more than once; a few at most).
            let mut removed = false;
            for _ in 0..8 {
                if !nss_has(&certutil, &db, &ca) {
                    break;
                }
                run_certutil(&certutil, &["-D".into(), "-d".into(), db.arg(), "-n".into(), ca.nickname().into()])?;
                removed = true;
            }
            if removed {
                done.push(format!("removed from {db}"));
            }
        }
    }
    let system = stores.contains(&Store::System) || stores.is_empty();
    if let Some((store, file)) = system_store().map(|s| (s, system_file(s, &ca))).filter(|(_, f)| system && f.exists())
    {
        let only_root = || {
            format!(
                "still in the system store ({}), which programs such as curl and OpenSSL trust; only root can remove it: {}",
                file.display(),
                as_root(home, "trust --uninstall --store system")
            )
        };
        if !is_root() && stores.contains(&Store::System) {
            bail!("{}", only_root());
        }
        if !is_root() {
            left.push(only_root());
        } else {
            std::fs::remove_file(&file).with_context(|| format!("removing {}", file.display()))?;
            refresh(store)?;
            done.push(format!("removed from the system store ({})", file.display()));
        }
    }
    Ok(Removal { done, left })
}
