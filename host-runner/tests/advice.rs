//! Issue 9, items 5 and 7: advice that fits the situation, and tokens and connections in words.
//! Real daemons over HTTPS; each message must name the real cause and the next step.

mod common;
mod pty;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use common::*;

/// The CLI with `home` as its home, talking to `url`.
fn cli_at(home: &Path, url: &str) -> Command {
    let mut c = Command::new(BIN);
    c.env("HQ_VAULT_HOME", home).env("HQ_VAULT_URL", url).env_remove("HQ_VAULT_TOKEN").env_remove("HQ_VAULT_CA_CERT");
    c
}

fn fails_with(out: &std::process::Output, parts: &[&str]) {
    let t = text(out);
    assert!(!out.status.success(), "succeeded: {t}");
    for p in parts {
        assert!(t.contains(p), "{p:?} missing from: {t}");
    }
    assert!(!t.contains("check HQ_VAULT_TOKEN"), "the old blanket advice: {t}");
}

fn init_home(home: &Path) {
    let mut c = Command::new(BIN);
    c.env("HQ_VAULT_HOME", home);
    let out = run_with(
        c,
        &["init", "--passphrase-stdin", "--kdf-m-cost-kib", "8192", "--kdf-t-cost", "1"],
        Some(format!("{PASS}\n").as_bytes()),
    );
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_client_home_that_is_not_the_daemons_says_so_and_how_to_point_at_it() {
    let mut d = daemon();
    // A home that does not exist: not "run `hq-vault init`" but "a daemon of another home listens".
    let nowhere = d.dir.path().join("nowhere");
    let out = run_with(cli_at(&nowhere, &d.url), &["list"], None);
    fails_with(&out, &["holds no vault", &format!("something listens at {}", d.url), "HQ_VAULT_HOME="]);
    assert!(!text(&out).contains("hq-vault init"), "{}", text(&out));
    assert!(!nowhere.exists(), "the CLI created the home it was pointed at");
    // Another vault's home: its CA did not sign the daemon's certificate.
    let other = d.dir.path().join("other");
    init_home(&other);
    let out = run_with(cli_at(&other, &d.url), &["list"], None);
    fails_with(&out, &[&format!("the daemon at {} was started with another home", d.url), "HQ_VAULT_HOME="]);
    // The right CA but a token file the daemon did not write (an earlier start's bootstrap token).
    let stale = d.token();
    d.stop();
    d.start();
    std::fs::write(other.join("token"), format!("{stale}\n")).unwrap();
    let mut c = cli_at(&other, &d.url);
    c.env("HQ_VAULT_CA_CERT", d.home().join("tls/ca.pem"));
    let out = run_with(c, &["list"], None);
    fails_with(&out, &[&format!("did not write {}", other.join("token").display()), "HQ_VAULT_HOME"]);
    // The same token in HQ_VAULT_TOKEN: that variable is named, and what to do without it.
    let out = run_with(d.cli_with_token(&stale), &["list"], None);
    fails_with(&out, &["HQ_VAULT_TOKEN is not a token of the daemon", "Unset it"]);
    // Set but empty (an orchestrator's failed mint): refused; the owner's token file is not read.
    d.store("owner/only", "advice-owner-value");
    for blank in ["", " "] {
        let out = run_with(d.cli_with_token(blank), &["get", "owner/only"], None);
        assert!(!out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("HQ_VAULT_TOKEN is set but empty"), "{}", text(&out));
        assert!(!text(&out).contains("advice-owner-value"), "{}", text(&out));
    }
    // Nothing listens at all; the stopped daemon's serve.lock names no address any more.
    assert!(std::fs::read_to_string(d.home().join("serve.lock")).unwrap().starts_with("https://"));
    d.stop();
    assert_eq!(std::fs::read_to_string(d.home().join("serve.lock")).unwrap(), "");
    let out = run_with(cli_at(&nowhere, &d.url), &["list"], None);
    fails_with(&out, &["holds no vault and nothing answers at", "hq-vault serve"]);
    let out = d.run(&["list"], None);
    fails_with(&out, &[&format!("nothing answers at {}", d.url), "hq-vault serve", "HQ_VAULT_URL"]);
}

#[test]
fn each_refusal_names_its_cause_not_the_token_variable() {
    let mut d = daemon();
    d.store("app/key", "advice-value-1");
    // A wrong passphrase is a passphrase problem.
    assert!(d.run(&["lock"], None).status.success());
    let out = d.run(&["unlock", "--passphrase-stdin"], Some(b"not the passphrase\n"));
    fails_with(&out, &["the passphrase does not unlock this vault", "hq-vault unlock"]);
    assert!(!text(&out).contains("HQ_VAULT_TOKEN"), "{}", text(&out));
    d.unlock();
    let token = |args: &[&str]| {
        let out = d.run(args, None);
        assert!(out.status.success(), "{}", text(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    // Used up.
    let once = token(&["token", "create", "--name", "once", "--max-uses", "1"]);
    assert!(run_with(d.cli_with_token(&once), &["get", "app/key"], None).status.success());
    let out = run_with(d.cli_with_token(&once), &["get", "app/key"], None);
    fails_with(
        &out,
        &["the token has no uses left (token `once`, --max-uses 1)", "vault's owner", "hq-vault token create"],
    );
    // Revoked.
    let gone = token(&["token", "create", "--name", "gone"]);
    assert!(d.run(&["token", "revoke", "gone"], None).status.success());
    let out = run_with(d.cli_with_token(&gone), &["get", "app/key"], None);
    fails_with(&out, &["the token was revoked (token `gone`)", "vault's owner"]);
    // Expired.
    let brief = token(&["token", "create", "--name", "brief", "--ttl", "1s"]);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let out = run_with(d.cli_with_token(&brief), &["get", "app/key"], None);
    fails_with(&out, &["the token has expired (token `brief`, at 20", "vault's owner"]);
    // The API carries the distinct codes the CLI's words come from.
    let codes: Vec<String> = [&once, &gone, &brief]
        .iter()
        .map(|t| d.req("GET", "/v1/secrets/app/key", Some(&format!("Bearer {t}")), None).code())
        .collect();
    assert_eq!(codes, ["token_exhausted", "token_revoked", "token_expired"]);
    d.assert_no_leaks();
}

#[test]
fn a_second_serve_on_a_busy_port_creates_and_changes_nothing() {
    let d = daemon();
    let addr = d.url.trim_start_matches("https://").to_owned();
    // A fresh home: not even the home is made, and no passphrase is asked for.
    let fresh = d.dir.path().join("fresh");
    let mut c = Command::new(BIN);
    c.env("HQ_VAULT_HOME", &fresh);
    let out = run_with(c, &["serve", "--listen", &addr, "--passphrase-stdin"], Some(format!("{PASS}\n").as_bytes()));
    fails_with(&out, &[&format!("{addr} is already in use"), "Nothing was created or changed", "--listen"]);
    assert!(!fresh.exists(), "a second serve made {}", fresh.display());
    // The running daemon's own home: its token file stays the one the running daemon knows.
    let before = d.token();
    let mut c = Command::new(BIN);
    c.env("HQ_VAULT_HOME", d.home());
    let out = run_with(c, &["serve", "--listen", &addr], None);
    fails_with(&out, &["a daemon of this home", "already runs there"]);
    assert!(!text(&out).contains("--listen"), "no other address is offered for a daemon of this home: {}", text(&out));
    assert_eq!(d.token(), before, "a second serve rewrote the token file");
    // Nor on another port: one daemon per home, or the two would share one token file and
    // interleave one audit log.
    let mut c = Command::new(BIN);
    c.env("HQ_VAULT_HOME", d.home());
    let out = run_with(c, &["serve", "--listen", "127.0.0.1:0"], None);
    fails_with(
        &out,
        &["a daemon of this home", &format!("already runs at {}", d.url), "Nothing was created or changed"],
    );
    assert_eq!(d.token(), before, "a second serve on another port rewrote the token file");
    assert_eq!(d.owner("GET", "/v1/tokens", None).status, 200);
}

/// Every path under `dir` with its mode, sorted.
fn tree(dir: &Path) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        let Ok(m) = std::fs::symlink_metadata(&p) else { continue };
        out.push((p.display().to_string(), m.permissions().mode() & 0o7777));
        if m.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
        }
    }
    out.sort();
    out
}

#[test]
fn doctor_creates_nothing_and_changes_no_mode() {
    let mut d = daemon();
    // A home that does not exist stays so; the advice is not to restore a backup.
    let nowhere = d.dir.path().join("nowhere");
    let out = run_with(cli_at(&nowhere, &d.url), &["doctor"], None);
    fails_with(&out, &["holds no vault", "HQ_VAULT_HOME"]);
    assert!(!text(&out).contains("backup"), "{}", text(&out));
    assert!(!nowhere.exists(), "doctor created {}", nowhere.display());
    // A loose home with the daemon stopped: doctor reports and prints fixes, and touches nothing
    // (no chmod, no vault.db-wal or -shm, no compiled-code cache).
    d.stop();
    std::fs::remove_dir_all(d.home().join("cache")).unwrap();
    std::fs::set_permissions(d.home(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(d.home().join("vault.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let before = tree(&d.home());
    let out = d.run(&["doctor"], None);
    fails_with(&out, &[&format!("chmod 700 {}", d.home().display()), "chmod 600", "nothing answers at"]);
    assert_eq!(tree(&d.home()), before, "doctor changed the home");
    // A damaged vault.db is the one case for a backup.
    std::fs::write(d.home().join("vault.db"), b"not a database at all, but long enough to be read as a header....")
        .unwrap();
    let out = d.run(&["doctor"], None);
    fails_with(&out, &["vault.db is damaged", "restore vault.db from a backup"]);
}

#[test]
fn tokens_read_in_words_and_a_revoked_name_is_free_again() {
    let mut d = daemon();
    d.store("aws/deploy/key", "advice-value-2");
    let create = |args: &[&str]| {
        let out = d.run(args, None);
        assert!(out.status.success(), "{}", text(&out));
        (String::from_utf8_lossy(&out.stdout).trim().to_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (deploy, said) =
        create(&["token", "create", "--name", "deploy", "--ttl", "1h", "--max-uses", "10", "--prefix", "aws/deploy/"]);
    assert!(said.contains("expires ") && said.contains("(in 59m)") || said.contains("(in 1h 0m)"), "{said}");
    assert!(said.contains("uses 0/10") && said.contains("scope aws/deploy/*"), "{said}");
    let (_, said) = create(&["token", "create", "--name", "ci"]);
    assert!(said.contains("no expiry, uses 0 (no limit), scope all secrets"), "{said}");
    for _ in 0..3 {
        assert!(run_with(d.cli_with_token(&deploy), &["get", "aws/deploy/key"], None).status.success());
    }
    let list = d.run(&["token", "list"], None);
    let t = String::from_utf8_lossy(&list.stdout).into_owned();
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines.len(), 2, "{t}");
    assert!(
        lines[0].starts_with("deploy\tactive\texpires ") && lines[0].ends_with("\tuses 3/10\tscope aws/deploy/*"),
        "{t}"
    );
    assert_eq!(lines[1], "ci\tactive\tno expiry\tuses 0 (no limit)\tscope all secrets");
    assert!(!t.contains("null") && !t.contains("[]"), "{t}");
    // The name is taken while the token lives; the message says how to free it.
    let out = d.run(&["token", "create", "--name", "deploy"], None);
    fails_with(&out, &["a token named `deploy` exists", "hq-vault token revoke deploy", "free again"]);
    let out = d.run(&["token", "revoke", "deploy"], None);
    assert!(text(&out).contains("the name is free for a new token"), "{}", text(&out));
    let (again, _) = create(&["token", "create", "--name", "deploy", "--prefix", "aws/deploy/"]);
    assert!(run_with(d.cli_with_token(&again), &["get", "aws/deploy/key"], None).status.success());
    // The old token stays revoked, and says so (not "unknown").
    let out = run_with(d.cli_with_token(&deploy), &["get", "aws/deploy/key"], None);
    fails_with(&out, &["the token was revoked (token `deploy`)"]);
    let t = String::from_utf8_lossy(&d.run(&["token", "list"], None).stdout).into_owned();
    assert!(t.contains("deploy\trevoked\t") && t.contains("deploy\tactive\tno expiry\tuses 1 (no limit)"), "{t}");
    // Revoking the name again revokes the new one; a third time says it was already revoked.
    assert!(d.run(&["token", "revoke", "deploy"], None).status.success());
    let out = d.run(&["token", "revoke", "deploy"], None);
    assert!(text(&out).contains("`deploy` was already revoked"), "{}", text(&out));
    d.assert_no_leaks();
}

#[test]
fn connection_commands_take_a_name_or_an_id() {
    let d = daemon();
    std::fs::create_dir_all(d.home().join("files/knowledge")).unwrap();
    let create = |name: &str| {
        let out = d.run(&["connection", "create", "--name", name, "--pattern", "knowledge/"], None);
        assert!(out.status.success(), "{}", text(&out));
    };
    let ids = || -> Vec<(String, String, String)> {
        let out = d.run(&["connection", "list"], None);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f[0].to_owned(), f[1].to_owned(), f[2].to_owned())
            })
            .collect()
    };
    create("docs-bot");
    let list = String::from_utf8_lossy(&d.run(&["connection", "list"], None).stdout).into_owned();
    assert!(list.ends_with("\tactive\tdocs-bot\tknowledge/*\n"), "patterns in words: {list}");
    let first = ids()[0].0.clone();
    let out = d.run(&["connection", "rotate", "docs-bot"], None);
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).starts_with("hqxc_"), "{}", text(&out));
    assert!(text(&out).contains(&format!("`docs-bot` ({first}")), "{}", text(&out));
    assert!(d.run(&["connection", "audit", "docs-bot"], None).status.success());
    assert!(d.run(&["connection", "revoke", "docs-bot"], None).status.success());
    assert_eq!(ids()[0].1, "revoked");
    // A second connection of that name: rotate and revoke take the active one; audit, which
    // could mean either, asks for an id and lists both.
    create("docs-bot");
    let second = ids().into_iter().find(|c| c.1 == "active").unwrap().0;
    let out = d.run(&["connection", "rotate", "docs-bot"], None);
    assert!(out.status.success() && text(&out).contains(&second), "{}", text(&out));
    let out = d.run(&["connection", "audit", "docs-bot"], None);
    fails_with(&out, &["2 connections are named `docs-bot`", &first, &second]);
    assert!(d.run(&["connection", "audit", &first], None).status.success());
    // While one is active, a second of that name is refused: a name names one active connection.
    let dup = d.run(&["connection", "create", "--name", "docs-bot", "--pattern", "knowledge/"], None);
    fails_with(&dup, &["an active connection is named `docs-bot`", "revoke that connection first"]);
    assert_eq!(ids().iter().filter(|c| c.1 == "active").count(), 1);
    // Look-alikes are the same name (letter case aside), and a name has no spaces around it and
    // is never the form of an id.
    let dup = d.run(&["connection", "create", "--name", "Docs-Bot", "--pattern", "knowledge/"], None);
    fails_with(&dup, &["an active connection is named `Docs-Bot`"]);
    for name in ["docs-bot ", " docs-bot", first.as_str()] {
        let out = d.run(&["connection", "create", "--name", name, "--pattern", "knowledge/"], None);
        assert!(!out.status.success(), "{name:?}: {}", text(&out));
        assert!(text(&out).contains("a connection name"), "{name:?}: {}", text(&out));
    }
    assert_eq!(ids().iter().filter(|c| c.1 == "active").count(), 1);
    // A name is found as a person types it: letter case aside, spaces around it dropped.
    let out = d.run(&["connection", "rotate", " DOCS-BOT "], None);
    assert!(out.status.success() && text(&out).contains(&second), "{}", text(&out));
    // Revoking twice says the second time changed nothing.
    assert!(d.run(&["connection", "revoke", &second], None).status.success());
    let out = d.run(&["connection", "revoke", &second], None);
    assert!(out.status.success() && text(&out).contains("was already revoked: nothing changed"), "{}", text(&out));
    // With every `docs-bot` revoked, a change by name says so, not that none is named so.
    let out = d.run(&["connection", "rotate", "docs-bot"], None);
    fails_with(&out, &["every connection named `docs-bot` is revoked", &first, &second]);
    let out = d.run(&["connection", "revoke", "no-such-bot"], None);
    fails_with(&out, &["no connection is named or has the id `no-such-bot`", "hq-vault connection list"]);
}

#[test]
fn audit_checks_create_no_home() {
    let d = daemon();
    let nowhere = d.dir.path().join("nowhere");
    for args in [&["audit", "verify"][..], &["audit", "anchor", "--passphrase-stdin"][..]] {
        let out = run_with(cli_at(&nowhere, &d.url), args, None);
        fails_with(&out, &["holds no vault", "HQ_VAULT_HOME", "Nothing was created"]);
        assert!(!nowhere.exists(), "`{}` created {}", args.join(" "), nowhere.display());
    }
}

#[test]
fn the_cli_finds_its_homes_daemon_on_another_port_without_hq_vault_url() {
    let d = daemon();
    assert!(!d.url.ends_with(":13100"), "the test daemon listens on an ephemeral port: {}", d.url);
    let mut c = d.cli();
    c.env_remove("HQ_VAULT_URL");
    let out = run_with(c, &["status"], None);
    assert!(out.status.success(), "the CLI did not find the daemon at {}: {}", d.url, text(&out));
}

#[test]
fn a_lost_vault_db_is_never_replaced_by_a_new_vault_over_its_history() {
    let mut d = daemon();
    d.store("kept/key", "kept-value-1");
    d.stop();
    std::fs::remove_file(d.home().join("vault.db")).unwrap();
    for f in ["vault.db-wal", "vault.db-shm"] {
        let _ = std::fs::remove_file(d.home().join(f));
    }
    let doctor = d.run(&["doctor"], None);
    let t = String::from_utf8_lossy(&doctor.stdout).to_string();
    assert!(t.contains("vault.db is missing, but audit.log remains") && t.contains("Restore vault.db"), "{t}");
    assert!(!t.contains("creates it on its first start"), "doctor proposed a new vault over the old one's record: {t}");
    for args in [
        &["init", "--passphrase-stdin"][..],
        &["serve", "--passphrase-stdin", "--listen", "127.0.0.1:0"],
        &["audit", "verify", "--passphrase-stdin"],
    ] {
        let out = d.run(args, Some(format!("{PASS}\n").as_bytes()));
        assert!(!out.status.success(), "{args:?} made a new vault over the old one's history: {}", text(&out));
        assert!(text(&out).contains("Restore vault.db from your backup"), "{args:?}: {}", text(&out));
        // Not a first start: nothing asks for a new passphrase.
        assert!(!text(&out).contains("First start"), "{args:?}: {}", text(&out));
        assert!(!d.home().join("vault.db").exists(), "{args:?} left a vault.db");
        // A start that failed names no address for clients to look for a daemon at.
        let lock = std::fs::read_to_string(d.home().join("serve.lock")).unwrap_or_default();
        assert!(!lock.contains("https://"), "{args:?} left serve.lock naming {lock}");
    }
}

#[test]
fn a_refused_path_is_told_in_words_not_as_a_wit_case() {
    let d = daemon();
    let out = d.run(&["ingest", "/bad//path"], Some(b"never-asked-value\n"));
    assert!(!out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("drop the leading `/`") && t.contains("nothing was asked or stored"), "{t}");
    assert!(!t.contains("leading-slash") && !t.contains("(error "), "{t}");
}

#[test]
fn unlock_and_passphrase_change_check_the_token_before_asking() {
    let d = daemon();
    let made = d.run(&["token", "create", "--name", "agent-x", "--prefix", "a"], None);
    assert!(made.status.success(), "{}", text(&made));
    let managed = String::from_utf8_lossy(&made.stdout).trim().to_owned();
    assert!(d.run(&["lock"], None).status.success());
    // On a terminal, as a person: the refusal comes before any prompt.
    for (token, words) in [(managed.as_str(), "managed token may only"), ("hqvt_nonsense", "")] {
        for args in [&["unlock"][..], &["passphrase", "change"]] {
            let mut t = pty::Pty::spawn(d.cli_with_token(token).args(args));
            let status = t.wait();
            let screen = t.screen();
            assert!(!status.success(), "{args:?}: {screen}");
            assert!(!screen.contains("assphrase:"), "{args:?} asked before checking the token: {screen}");
            assert!(screen.contains(words), "{args:?}: {screen}");
        }
    }
}
