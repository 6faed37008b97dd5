//! `hq-vault doctor`: checks the home's permissions, the certificate, the daemon and the audit chain,
//! and says what to do about each problem.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use hq_vault::home::Home;
use hq_vault::host::CoreHost;
use hq_vault::store::Store;
use hq_vault_client::Client;

struct Report {
    problems: usize,
}

impl Report {
    fn ok(&self, what: &str) {
        println!("ok    {what}");
    }
    /// Worth knowing, not a problem (the exit status stays 0).
    fn note(&self, what: &str) {
        println!("note  {what}");
    }
    fn fail(&mut self, what: &str, fix: &str) {
        self.problems += 1;
        println!("FAIL  {what}\n      → {fix}");
    }
    fn mode(&mut self, path: &Path, want: u32, what: &str) {
        match std::fs::metadata(path) {
            Ok(m) => {
                let mode = m.permissions().mode() & 0o777;
                if mode & !want == 0 {
                    self.ok(&format!("{what} {} is {mode:o}", path.display()));
                } else {
                    self.fail(
                        &format!("{what} {} is {mode:o}: readable by others", path.display()),
                        &format!("chmod {want:o} {}", path.display()),
                    );
                }
            }
            Err(_) => {
                self.fail(&format!("{what} {} is missing", path.display()), "run `hq-vault init` (or `hq-vault serve`)")
            }
        }
    }
}

pub fn run(home: &Home) -> Result<ExitCode> {
    let mut r = Report { problems: 0 };
    r.mode(&home.dir, 0o700, "home");
    r.mode(&home.db(), 0o600, "database");
    match Store::open(&home.db()).and_then(|s| s.vault()) {
        Ok(Some(v)) => r.ok(&format!(
            "vault key record present (Argon2id t={}, {} MiB)",
            v.params.t_cost,
            v.params.m_cost_kib / 1024
        )),
        Ok(None) => r.fail("no vault key record", "run `hq-vault init`"),
        Err(e) => r.fail(&format!("vault.db cannot be read: {e:#}"), "restore vault.db from a backup"),
    }
    r.mode(&home.server_key(), 0o600, "TLS key");
    r.mode(&home.ca_cert(), 0o644, "CA certificate");
    if home.ca_cert().exists() {
        match hq_vault::trust::suggestion(home) {
            None => r.ok("your browsers trust the vault's certificate (`ingest --web` opens with no warning)"),
            Some(s) => r.note(&s),
        }
    }
    if home.token().exists() {
        r.mode(&home.token(), 0o600, "token file");
    }
    match Client::from_env().and_then(|c| c.get_anonymous("/v1/health")) {
        Ok(h) if h.status == 200 => {
            let locked = h.body["locked"] == true;
            r.ok(&format!(
                "daemon answers over TLS with the home's certificate ({})",
                if locked { "locked: run `hq-vault unlock`" } else { "unlocked" }
            ));
        }
        Ok(h) => r.fail(&format!("daemon answered {}", h.status), "check HQ_VAULT_URL"),
        Err(e) => {
            r.fail(&format!("{e:#}"), "start it with `hq-vault serve`, or check HQ_VAULT_URL and HQ_VAULT_CA_CERT")
        }
    }
    let lines = hq_vault::audit_log::read_lines(&home.audit_log())?;
    let head = hq_vault::audit_log::read_head(&home.audit_head()).ok().flatten();
    let expect = hq_vault::audit_log::Expect::from_store(&hq_vault::store::Store::open(&home.db())?)?;
    let mut inst = CoreHost::new(Some(&home.cache()))?.instance()?;
    let problems = hq_vault::audit_log::head_problems(&mut inst, &lines, head.as_ref(), expect)?;
    if problems.is_empty() {
        r.ok(&format!(
            "audit.log: {}, links and audit.head agree (MACs: `hq-vault audit verify`)",
            super::count(lines.len() as u64, "line")
        ));
    }
    for p in problems {
        r.fail(
            &format!("audit: {p}"),
            "keep audit.log and audit.head as evidence; `hq-vault audit verify` checks the MACs too",
        );
    }
    if home.audit_log().exists() {
        r.mode(&home.audit_log(), 0o600, "audit log");
    }
    println!(
        "{}",
        if r.problems == 0 {
            "All checks passed.".to_owned()
        } else {
            format!("{}.", super::count(r.problems as u64, "problem"))
        }
    );
    Ok(if r.problems == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
