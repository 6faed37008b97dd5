//! `hq-vault trust`: the vault's CA in the user's NSS databases (Chromium's `~/.pki/nssdb`, Firefox
//! profiles), checked with NSS's own `certutil`; `--uninstall` removes exactly it; `init`, `doctor`
//! and `ingest --web` suggest it while the CA is not trusted. Every command runs with `HOME` in a
//! temporary folder, so the real user's databases are never touched, and with `--store nss`, so the
//! system store is never touched when the tests run as root. (Chromium itself opening the page
//! after `trust`: tests/browser/ingest.test.mjs.)

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use sha2::{Digest, Sha256};

/// `certutil`, which `scripts/setup` installs (Debian's `libnss3-tools`).
fn certutil(args: &[&str]) -> Output {
    Command::new("certutil")
        .args(args)
        .output()
        .expect("certutil is missing: `apt-get install libnss3-tools` (scripts/setup installs it)")
}

/// The NSS nickname `trust` uses for the CA of `vault_home`: its fingerprint's first 16 hex digits.
fn nickname(vault_home: &Path) -> String {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let der = CertificateDer::from_pem_file(vault_home.join("tls/ca.pem")).unwrap();
    format!("HQ Vault local CA {}", &hex::encode(Sha256::digest(der.as_ref()))[..16])
}

/// Whether the NSS database `db` trusts `nick` as a CA of TLS servers.
fn trusts(db: &Path, nick: &str) -> bool {
    certutil(&["-V", "-d", &format!("sql:{}", db.display()), "-u", "L", "-n", nick]).status.success()
}

/// The CLI for `vault_home`, as the user whose home folder is `user`.
fn cli(vault_home: &Path, user: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.env("HQ_VAULT_HOME", vault_home).env("HOME", user);
    c
}

/// `ingest --web` that expires at once: all it printed.
fn ingest_message(d: &Daemon, user: &Path) -> String {
    let mut c = d.cli();
    c.env("HOME", user);
    let out = run_with(c, &["ingest", "x/y", "--web", "--expires", "1s"], None);
    assert!(!out.status.success(), "nothing was stored: {}", text(&out));
    let t = text(&out);
    assert!(t.contains("/ingest/"), "{t}");
    t
}

#[test]
fn trust_adds_exactly_this_vaults_ca_to_every_browser_database_and_uninstall_removes_exactly_it() {
    let d = daemon();
    let user: PathBuf = d.dir.path().join("user");
    let chromium = user.join(".pki/nssdb");
    // A Firefox profile that exists before `trust` runs.
    let firefox = user.join(".mozilla/firefox/abcd1234.default-release");
    std::fs::create_dir_all(&firefox).unwrap();
    assert!(certutil(&["-N", "-d", &format!("sql:{}", firefox.display()), "--empty-password"]).status.success());
    let nick = nickname(&d.home());
    // The command for this home: not the default one, so it is named.
    let run_trust = format!("run `HQ_VAULT_HOME={} hq-vault trust`", d.home().display());

    // Not trusted yet: doctor, ingest --web and init say what to run.
    let doctor = run_with(cli(&d.home(), &user), &["doctor"], None);
    let t = String::from_utf8_lossy(&doctor.stdout).to_string();
    assert!(
        t.contains("note  Your browsers do not trust this vault's certificate yet") && t.contains(&run_trust),
        "{t}"
    );
    assert!(ingest_message(&d, &user).contains(&run_trust));
    let other = d.dir.path().join("other-vault");
    let init = run_with(
        cli(&other, &user),
        &["init", "--passphrase-stdin", "--kdf-m-cost-kib", "8192", "--kdf-t-cost", "1"],
        Some(b"another passphrase\n"),
    );
    assert!(init.status.success(), "{}", text(&init));
    let other_trust = format!("run `HQ_VAULT_HOME={} hq-vault trust`", other.display());
    assert!(text(&init).contains(&other_trust), "init suggests it for its home: {}", text(&init));

    // `trust`: Chromium's database is made, and both databases trust the CA for TLS servers.
    let out = run_with(cli(&d.home(), &user), &["trust", "--store", "nss"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(&format!("{nick}: trusted by Chromium ({})", chromium.display())), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("{nick}: trusted by Firefox profile ({})", firefox.display())),
        "{}",
        text(&out)
    );
    assert!(chromium.join("cert9.db").is_file());
    assert!(trusts(&chromium, &nick) && trusts(&firefox, &nick));
    // The undo it names is for this home (a home of its own in this test).
    let undo = format!("Undo with `HQ_VAULT_HOME={} hq-vault trust --uninstall --store nss`", d.home().display());
    assert!(text(&out).contains(&undo), "{}", text(&out));
    // Nothing suggests it any more.
    let doctor = run_with(cli(&d.home(), &user), &["doctor"], None);
    let t = String::from_utf8_lossy(&doctor.stdout).to_string();
    assert!(t.contains("ok    your browsers trust the vault's certificate") && !t.contains("hq-vault trust"), "{t}");
    assert!(!ingest_message(&d, &user).contains("hq-vault trust"));
    // Twice is harmless: still one entry.
    assert!(run_with(cli(&d.home(), &user), &["trust", "--store", "nss"], None).status.success());
    let list = certutil(&["-L", "-d", &format!("sql:{}", chromium.display())]);
    assert_eq!(String::from_utf8_lossy(&list.stdout).matches(&nick).count(), 1);

    // A second vault's CA gets its own name; uninstalling the first leaves it alone.
    let other_nick = nickname(&other);
    assert_ne!(nick, other_nick);
    assert!(run_with(cli(&other, &user), &["trust", "--store", "nss"], None).status.success());
    let out = run_with(cli(&d.home(), &user), &["trust", "--uninstall", "--store", "nss"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(&format!("{nick}: removed from Chromium")), "{}", text(&out));
    for db in [&chromium, &firefox] {
        assert!(!trusts(db, &nick), "{} still trusts the uninstalled CA", db.display());
        assert!(!certutil(&["-L", "-d", &format!("sql:{}", db.display()), "-n", &nick]).status.success());
        assert!(trusts(db, &other_nick), "{} lost the other vault's CA", db.display());
    }
    let again = run_with(cli(&d.home(), &user), &["trust", "--uninstall", "--store", "nss"], None);
    assert!(again.status.success() && text(&again).contains("was in no trust store"), "{}", text(&again));
    let doctor = run_with(cli(&d.home(), &user), &["doctor"], None);
    assert!(String::from_utf8_lossy(&doctor.stdout).contains("note  Your browsers do not trust"));
}

#[test]
fn without_certutil_trust_says_what_to_install_and_the_others_suggest_it() {
    let d = daemon();
    let user = d.dir.path().join("user");
    let empty_path = d.dir.path().join("no-tools");
    std::fs::create_dir_all(&empty_path).unwrap();
    let mut c = cli(&d.home(), &user);
    c.env("PATH", &empty_path);
    let out = run_with(c, &["trust", "--store", "nss"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("apt-get install libnss3-tools"), "{}", text(&out));
    let mut c = cli(&d.home(), &user);
    c.env("PATH", &empty_path);
    let doctor = run_with(c, &["doctor"], None);
    let t = String::from_utf8_lossy(&doctor.stdout).to_string();
    assert!(t.contains("libnss3-tools") && t.contains(" hq-vault trust`"), "{t}");
    assert!(!user.join(".pki").exists(), "nothing was made");
}

#[test]
fn trust_without_a_vault_names_the_home_and_how_to_point_at_another() {
    let dir = tempfile::tempdir().unwrap();
    let none = dir.path().join("none");
    let out = run_with(cli(&none, dir.path()), &["trust", "--store", "nss"], None);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(t.contains(&format!("{} holds no vault", none.display())), "{t}");
    assert!(t.contains("`HQ_VAULT_HOME=<that home> hq-vault trust`"), "{t}");
    assert!(!t.contains("hq-vault init"), "a vault elsewhere is not made anew: {t}");
    assert!(!t.contains("os error") && !t.contains("No such file"), "said in words, not the system's: {t}");
}
