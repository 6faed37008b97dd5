//! Issue 9, "A newcomer's first hour", after review: faults of the same kinds as its items, each
//! held for every command of its sort. Real daemons over HTTPS, real pipes, real pseudo-terminals.
//!
//! - a fresh `init` → `serve` → `audit verify` is clean (no false "audit.head was replaced");
//! - following the log (`audit --tail`) does not grow it;
//! - commands that ask a person check everything they can before they ask;
//! - a connection pattern without `*` is told where its one file goes, not a folder;
//! - `trust --uninstall` as a user names the system store's copy it leaves, and the root command;
//! - a malformed `HQ_VAULT_URL` is named for what is wrong with it;
//! - `unlock` and `passphrase change` ask again on a terminal;
//! - `connection audit` prints the same table as `audit`;
//! - every command that prints ends quietly when its reader goes away.

mod common;
mod pty;

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use pty::Pty;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A vault made by `init` (cheap Argon2) and served, never unlocked: a newcomer's first steps.
fn locked_daemon() -> Daemon {
    let mut d = initialized(CHEAP_KDF);
    d.start();
    d
}

/// The CLI of `d` with no controlling terminal (`setsid`): a prompt cannot be shown, so a command
/// that asks before it checks fails on the prompt instead of on what it should have checked.
fn detached(d: &Daemon, args: &[&str]) -> Output {
    let mut c = Command::new("setsid");
    c.arg("--wait").arg(BIN).args(args);
    c.env("HQ_VAULT_HOME", d.home()).env("HQ_VAULT_URL", &d.url).env_remove("HQ_VAULT_TOKEN");
    run_with(c, &[], None)
}

#[test]
fn a_fresh_init_then_serve_verifies_clean_with_the_key() {
    let mut d = locked_daemon();
    // Some lines of a locked run: a refused token, a refused read.
    assert_eq!(d.req("GET", "/v1/tokens", Some("Bearer hqvt_nope"), None).status, 401);
    assert_eq!(d.owner("GET", "/v1/secrets/a/b", None).status, 423);
    for running in [true, false] {
        let v = d.run(&["audit", "verify", "--passphrase-stdin"], Some(format!("{PASS}\n").as_bytes()));
        assert!(v.status.success(), "a fresh vault's log was reported (daemon running: {running}): {}", text(&v));
        assert!(stdout(&v).contains("chain intact (links and MACs checked"), "{}", text(&v));
        assert!(!text(&v).contains("replaced"), "{}", text(&v));
        d.stop();
    }
    // Once the vault has written keyed lines, a head without its keyed part is still caught.
    d.start();
    d.unlock();
    assert_eq!(d.owner("GET", "/v1/secrets/a/b", None).status, 404);
    d.stop();
    let head: serde_json::Value = serde_json::from_slice(&std::fs::read(d.home().join("audit.head")).unwrap()).unwrap();
    assert!(head["keyed"].is_object(), "{head}");
    let plain = serde_json::json!({"lines": head["lines"], "hash": head["hash"], "keyed": null});
    std::fs::write(d.home().join("audit.head"), plain.to_string()).unwrap();
    let v = d.run(&["audit", "verify", "--passphrase-stdin"], Some(format!("{PASS}\n").as_bytes()));
    assert!(!v.status.success(), "a stripped keyed head went unnoticed: {}", text(&v));
}

#[test]
fn following_the_log_does_not_grow_it() {
    let mut d = daemon();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut tail =
        Kill(d.cli().args(["audit", "--tail", "--json"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap());
    let out = tail.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = |what: &str| rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| panic!("no {what} came"));
    // Its first read is audited, like `audit`: wait until that line has been printed too (the
    // follower has polled at least once after it).
    loop {
        let l: serde_json::Value = serde_json::from_str(&next("line")).unwrap();
        if l["op"] == "audit-read" {
            break;
        }
    }
    let before = audit_lines(&d).len();
    // Ten polls and more (every 500 ms).
    std::thread::sleep(Duration::from_secs(6));
    let after = audit_lines(&d);
    assert_eq!(after.len(), before, "following the log wrote lines: {:?}", &after[before..]);
    assert_eq!(after.iter().filter(|l| l["op"] == "audit-read").count(), 1, "one audited read per `audit`");
    // It still follows: a new operation shows.
    d.store("tail/next", "tail-value-11");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "the store never showed");
        let l: serde_json::Value = serde_json::from_str(&next("store line")).unwrap();
        assert_ne!(l["op"], "audit-follow", "a follower's poll was audited: {l}");
        if l["path"] == "tail/next" {
            break;
        }
    }
    drop(tail);
    // A refused follow is audited, as every refusal is.
    let refused = d.req("GET", "/v1/audit/follow?after=0", Some("Bearer hqvt_nope"), None);
    assert_eq!(refused.status, 401);
    let bad_query = d.owner("GET", "/v1/audit/follow?after=x", None);
    assert_eq!(bad_query.status, 400);
    let lines = audit_lines(&d);
    assert!(lines.iter().any(|l| l["op"] == "audit-follow" && l["status"] == 401), "{lines:?}");
    assert!(lines.iter().any(|l| l["op"] == "audit-follow" && l["status"] == 400), "{lines:?}");
}

#[test]
fn commands_that_ask_check_first() {
    let mut d = locked_daemon();
    let nothing_asked = |o: &Output, says: &str| {
        assert!(!o.status.success(), "{}", text(o));
        assert!(stderr(o).contains(says), "wanted `{says}`: {}", text(o));
        assert!(!text(o).contains("Value for") && !text(o).contains("terminal"), "it asked first: {}", text(o));
    };
    // Locked: a hidden prompt would be answered for nothing.
    let o = detached(&d, &["ingest", "app/key"]);
    nothing_asked(&o, "the vault is locked: run `hq-vault unlock`, then ask again; nothing was asked or stored");
    d.unlock();
    // A path the core refuses.
    let o = detached(&d, &["ingest", "../etc/key"]);
    nothing_asked(&o, "`../etc/key` cannot be a secret's path");
    // --no-overwrite on a path that holds a secret.
    assert_eq!(d.store("app/key", "value-app-key").status, 201);
    let o = detached(&d, &["ingest", "app/key", "--no-overwrite"]);
    nothing_asked(
        &o,
        "app/key already holds a secret and replacing it was ruled out (--no-overwrite, or no_overwrite over MCP): nothing was asked or stored",
    );
    // Unlock on an unlocked vault asks nothing.
    let o = detached(&d, &["unlock"]);
    assert!(o.status.success() && stdout(&o).contains("Already unlocked."), "{}", text(&o));
    // No daemon: nothing is asked by any of them.
    d.stop();
    for args in [&["ingest", "app/other"][..], &["unlock"], &["passphrase", "change"]] {
        let o = detached(&d, args);
        nothing_asked(&o, "nothing answers at");
    }
    // On a terminal: the note that the value replaces a secret comes before the prompt.
    d.start();
    d.unlock();
    let mut c = d.cli();
    c.args(["ingest", "app/key"]);
    let mut t = Pty::spawn(&c);
    t.expect("app/key holds a secret: the value entered replaces it");
    t.expect("Value for app/key (hidden):");
    // Only spaces is no value: asked again, nothing stored.
    t.secret_line("   ");
    t.expect("The value is only spaces.");
    t.expect("Value for app/key (hidden):");
    t.secret_line("value-app-key-2");
    t.expect("Replaced: app/key (15 bytes");
    assert!(t.wait().success(), "{}", t.screen());
}

#[test]
fn a_pattern_without_a_star_is_told_where_its_one_file_goes() {
    let d = daemon();
    let root = std::fs::canonicalize(d.home().join("files")).unwrap();
    // The person has a folder `knowledge/` and gives the pattern without a slash.
    std::fs::create_dir_all(root.join("knowledge")).unwrap();
    std::fs::write(root.join("knowledge/a.md"), "a").unwrap();
    let c = d.run(&["connection", "create", "--name", "kb", "--pattern", "knowledge"], None);
    assert!(c.status.success(), "{}", text(&c));
    let err = stderr(&c);
    let want = format!(
        "No file it may read yet: put the file at {}: the pattern `knowledge` has no `*`, so it grants that one file; to grant the folder {}/, use the pattern `knowledge/`",
        root.join("knowledge").display(),
        root.join("knowledge").display()
    );
    assert!(err.contains(&want), "{err}");
    assert!(!err.contains(&format!("put them in {}", root.join("knowledge").display())), "folder advice: {err}");
    // The snippet says the same when its listing is empty.
    assert!(err.contains("No file yet: put the file at"), "{err}");
    // A name's start, and several patterns each with its own words.
    let c = d.run(&["connection", "create", "--name", "kb2", "--pattern", "kb*", "--pattern", "notes/"], None);
    let err = stderr(&c);
    assert!(err.contains("No file it may read yet (the daemon's files root is"), "{err}");
    assert!(
        err.contains(&format!("  kb*: put them in {}/ under a name that starts with `kb`", root.display())),
        "{err}"
    );
    assert!(err.contains(&format!("  notes/*: put them in {}", root.join("notes/").display())), "{err}");
    // With some files readable, a pattern that has none is still told.
    let c = d.run(&["connection", "create", "--name", "kb3", "--pattern", "knowledge/", "--pattern", "plan.md"], None);
    let err = stderr(&c);
    assert!(err.contains("It may read 1 file now"), "{err}");
    assert!(
        err.contains(&format!("None yet for `plan.md`: put the file at {}", root.join("plan.md").display())),
        "{err}"
    );
}

#[test]
fn trust_uninstall_as_a_user_names_the_system_stores_copy_and_the_root_command() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("vault");
    let mut c = Command::new(BIN);
    c.env("HQ_VAULT_HOME", &home);
    let init = run_with(
        c,
        &["init", "--passphrase-stdin", "--kdf-m-cost-kib", "8192", "--kdf-t-cost", "1"],
        Some(format!("{PASS}\n").as_bytes()),
    );
    assert!(init.status.success(), "{}", text(&init));
    // The system store as an earlier `sudo hq-vault trust` left it, in a folder of the test's own
    // that a private mount namespace shows at Debian's place (the real store is never touched).
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let der = {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        CertificateDer::from_pem_file(home.join("tls/ca.pem")).unwrap()
    };
    let name = format!("hq-vault-local-ca-{}.crt", &hex::encode(Sha256::digest(der.as_ref()))[..16]);
    std::fs::copy(home.join("tls/ca.pem"), store.join(&name)).unwrap();
    let user = dir.path().join("user");
    std::fs::create_dir(&user).unwrap();
    // Outer namespace: mount the folder; inner: run as user 1000, not root.
    let script = r#"mount --bind "$STORE" /usr/local/share/ca-certificates && exec unshare --user --map-user=1000 --map-group=1000 "$BIN" trust --uninstall"#;
    let out = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", script])
        .env("STORE", &store)
        .env("BIN", BIN)
        .env("HQ_VAULT_HOME", &home)
        .env("HOME", &user)
        .output()
        .expect("unshare (util-linux)");
    let t = text(&out);
    assert!(!out.status.success(), "something was left, so not everything asked was done: {t}");
    assert!(t.contains(&format!("/usr/local/share/ca-certificates/{name}")), "the copy is named: {t}");
    assert!(t.contains("only root can remove it"), "{t}");
    assert!(
        t.contains(&format!("sudo env HQ_VAULT_HOME={} hq-vault trust --uninstall --store system", home.display())),
        "{t}"
    );
    assert!(!t.contains("nothing to remove"), "{t}");
    assert!(store.join(&name).exists(), "a user cannot remove it, and did not");
}

#[test]
fn a_malformed_vault_url_is_named_for_what_is_wrong() {
    let d = daemon();
    let addr = d.url.trim_start_matches("https://").to_owned();
    let cases = [
        (addr.clone(), format!("has no scheme: write it as https://{addr}")),
        (format!("http://{addr}"), format!("uses http://, but the daemon speaks only HTTPS: use https://{addr}")),
        (format!("{}/v1/", d.url), format!("has `/v1/` after the host and port: give only {}", d.url)),
        (format!("{}x", d.url), "has a port that is no number from 1 to 65535".to_owned()),
        (
            "https://no-such-host.invalid:13100".to_owned(),
            "the host `no-such-host.invalid` of HQ_VAULT_URL (https://no-such-host.invalid:13100) is not known"
                .to_owned(),
        ),
    ];
    for (url, says) in cases {
        for args in [&["status"][..], &["list"]] {
            let mut c = d.cli();
            c.env("HQ_VAULT_URL", &url);
            let o = run_with(c, args, None);
            assert!(!o.status.success(), "{url}: {}", text(&o));
            assert!(stderr(&o).contains(&says), "{url} {args:?}: wanted `{says}`: {}", text(&o));
            assert!(stderr(&o).contains("HQ_VAULT_URL"), "{url}: {}", text(&o));
        }
    }
}

#[test]
fn unlock_asks_again_on_a_terminal_and_once_on_standard_input() {
    let d = locked_daemon();
    let on_terminal = |args: &[&str]| {
        let mut c = d.cli();
        c.args(args);
        Pty::spawn(&c)
    };
    let mut t = on_terminal(&["unlock"]);
    t.expect("Passphrase:");
    t.secret_line("not the passphrase");
    t.expect("That passphrase does not unlock this vault. Try again (2 tries left).");
    t.expect("Passphrase:");
    t.secret_line(PASS);
    t.expect("Unlocked.");
    assert!(t.wait().success(), "{}", t.screen());
    assert!(!t.screen().contains(PASS), "{}", t.screen());
    assert!(d.run(&["lock"], None).status.success());
    let mut t = on_terminal(&["unlock"]);
    for left in ["2 tries", "1 try"] {
        t.expect("Passphrase:");
        t.secret_line("wrong again");
        t.expect(&format!("Try again ({left} left)."));
    }
    t.expect("Passphrase:");
    t.secret_line("wrong a third time");
    t.expect("no passphrase unlocked this vault after 3 tries: it stays locked");
    assert!(!t.wait().success(), "{}", t.screen());
    assert_eq!(d.req("GET", "/v1/health", None, None).json()["locked"], true);
    // A script gets one try: the second line is never read as a passphrase.
    let o = d.run(&["unlock", "--passphrase-stdin"], Some(format!("wrong\n{PASS}\n").as_bytes()));
    assert!(!o.status.success(), "{}", text(&o));
    assert!(stderr(&o).contains("the passphrase does not unlock this vault"), "{}", text(&o));
    assert_eq!(d.req("GET", "/v1/health", None, None).json()["locked"], true);
}

#[test]
fn passphrase_change_asks_again_on_a_terminal() {
    let d = daemon();
    let mut c = d.cli();
    c.args(["passphrase", "change"]);
    let mut t = Pty::spawn(&c);
    t.expect("Current passphrase:");
    t.secret_line("not the current one");
    t.expect("New passphrase:");
    t.secret_line("short");
    t.expect("shorter than 8 characters. Try again (2 tries left).");
    t.expect("New passphrase:");
    t.secret_line("a brand new passphrase");
    t.expect("Repeat it:");
    t.secret_line("a brand new passphrase");
    // The current passphrase was wrong: it alone is asked again.
    t.expect("That is not the current passphrase. Try again (2 tries left).");
    t.expect("Current passphrase:");
    t.secret_line(PASS);
    t.expect("Passphrase changed.");
    assert!(t.wait().success(), "{}", t.screen());
    assert!(!t.screen().contains("brand new"), "{}", t.screen());
    // The new passphrase unlocks; the old one does not.
    assert!(d.run(&["lock"], None).status.success());
    let old = d.owner("POST", "/v1/unlock", Some(serde_json::json!({"passphrase": PASS})));
    assert_eq!(old.status, 401);
    let new = d.owner("POST", "/v1/unlock", Some(serde_json::json!({"passphrase": "a brand new passphrase"})));
    assert_eq!(new.status, 200, "{}", String::from_utf8_lossy(&new.body));
}

#[test]
fn connection_audit_prints_the_audit_table_and_json_on_request() {
    let d = daemon();
    let c = d.run(&["connection", "create", "--name", "reader", "--pattern", "knowledge/"], None);
    assert!(c.status.success(), "{}", text(&c));
    let key = stdout(&c).trim().to_owned();
    let empty = d.run(&["connection", "audit", "reader"], None);
    assert!(empty.status.success(), "{}", text(&empty));
    assert!(stderr(&empty).contains("No reads by `reader`"), "{}", text(&empty));
    assert_eq!(d.req("GET", "/v1/connections/files?path=knowledge/", Some(&format!("Bearer {key}")), None).status, 200);
    assert_eq!(
        d.req("GET", "/v1/connections/files/object?path=private.md", Some(&format!("Bearer {key}")), None).status,
        403
    );
    let table = d.run(&["connection", "audit", "reader"], None);
    let out = stdout(&table);
    let header = out.lines().next().unwrap_or_default();
    let audit = d.run(&["audit"], None);
    assert_eq!(header, stdout(&audit).lines().next().unwrap(), "the same columns as `hq-vault audit`");
    assert!(
        out.lines().any(|l| l.contains(" list ") && l.contains("knowledge/") && l.contains("allowed 200")),
        "{out}"
    );
    assert!(out.lines().any(|l| l.contains(" get ") && l.contains("private.md") && l.contains("denied 403")), "{out}");
    assert!(!out.contains('{'), "not JSON: {out}");
    let json = d.run(&["connection", "audit", "reader", "--json"], None);
    let lines: Vec<serde_json::Value> = stdout(&json).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{}", text(&json));
    assert_eq!(lines[0]["op"], "get", "newest first");
    assert_eq!(lines[1]["op"], "list");
}

/// Run `args` with standard output a pipe whose reader is already gone.
fn into_closed_pipe(mut c: Command, args: &[&str]) -> (ExitStatus, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = c.args(args).stdin(Stdio::null()).stdout(writer).stderr(Stdio::piped()).spawn().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (child.wait().unwrap(), err)
}

/// Ended as `cat` does: exit 0, or killed by SIGPIPE (13), saying nothing about it.
fn ended_quietly(what: &str, status: ExitStatus, err: &str) {
    assert!(status.success() || status.signal() == Some(13), "{what}: {status:?}: {err}");
    for noise in ["panicked", "Broken pipe", "error"] {
        assert!(!err.contains(noise), "{what}: {err}");
    }
}

#[test]
fn every_command_that_prints_ends_quietly_when_its_reader_goes_away() {
    let mut d = daemon();
    assert_eq!(d.store("pipe/key", "pipe-value-1").status, 201);
    let c = d.run(&["connection", "create", "--name", "piped", "--pattern", "knowledge/"], None);
    let key = stdout(&c).trim().to_owned();
    d.req("GET", "/v1/connections/files?path=knowledge/", Some(&format!("Bearer {key}")), None);
    let token = d.run(&["token", "create", "--name", "piped"], None);
    assert!(token.status.success(), "{}", text(&token));
    let commands: &[&[&str]] = &[
        &["audit"],
        &["audit", "--json"],
        &["audit", "verify"],
        &["list"],
        &["list", "--json"],
        &["get", "pipe/key"],
        &["env-file", "pipe/"],
        &["env-file", "pipe/", "--format", "json"],
        &["token", "list"],
        &["connection", "list"],
        &["connection", "audit", "piped"],
        &["status"],
        &["doctor"],
        &["completions", "bash"],
        &["--help"],
        &["audit", "--help"],
    ];
    for args in commands {
        let (status, err) = into_closed_pipe(d.cli(), args);
        ended_quietly(&args.join(" "), status, &err);
    }
    let value = d.dir.path().join("value");
    std::fs::write(&value, "pipe-value-2").unwrap();
    d.secrets.push("pipe-value-2".into());
    let (status, err) = into_closed_pipe(d.cli(), &["store", "pipe/other", "--file", value.to_str().unwrap()]);
    ended_quietly("store", status, &err);
    // A reader that goes away in the middle, as `head` does: more than a pipe holds is printed.
    for i in 0..600 {
        assert_eq!(d.owner("GET", &format!("/v1/secrets/pipe/missing-{i}"), None).status, 404);
    }
    let mut child = d.cli().args(["audit", "--json"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with('{'), "{first}");
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    ended_quietly("audit --json | head -n 1", child.wait().unwrap(), &err);
}

/// A SIGINT or SIGTERM at any moment of a first `serve` ends it. The daemon used to listen for
/// them only once it served: started ignoring SIGINT (a script's `hq-vault serve &`), a SIGINT in
/// its first moments was lost and the daemon ran on, creating the home.
#[test]
fn a_signal_at_any_moment_of_a_first_start_stops_it() {
    for (signal, after_ms) in [("INT", 60), ("INT", 200), ("INT", 600), ("TERM", 60), ("TERM", 600)] {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "trap '' INT; exec '{BIN}' serve --listen 127.0.0.1:0 --passphrase-stdin --kdf-m-cost-kib 8192 --kdf-t-cost 1"
            ))
            .env("HQ_VAULT_HOME", &home)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(format!("{PASS}\n").as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(after_ms));
        assert!(Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().unwrap().success());
        // A bounded wait for the end, not a timing: a daemon that runs on fails here.
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("SIG{signal} {after_ms} ms into a first start was ignored: the daemon ran on");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        // Ended by the signal itself during the start, or stopped gracefully once serving.
        assert!(status.signal().is_some() || status.success(), "SIG{signal} after {after_ms} ms: {status:?}");
    }
}

/// Standard output that cannot be written (a full disk: `/dev/full`) is an error, never exit 0 nor
/// a panic; a credential shown once that could not be written is revoked again.
#[test]
fn output_that_cannot_be_written_is_an_error_and_loses_no_credential() {
    let mut d = daemon();
    d.store("full/key", "full-value-1");
    let d = d;
    let to_full = |args: &[&str]| {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        d.cli().args(args).stdin(Stdio::null()).stdout(Stdio::from(full)).output().unwrap()
    };
    for args in [&["get", "full/key"][..], &["list"], &["env-file", "full"], &["audit"], &["completions", "bash"]] {
        let o = to_full(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("writing") && stderr(&o).contains("standard output"), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
    }
    // Standard output closed (the runtime opens /dev/null in its place): nothing is minted for no one.
    let closed = d
        .cli()
        .args(["token", "create", "--name", "to-nobody"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(closed.status.code(), Some(1), "{}", stderr(&closed));
    assert!(
        stderr(&closed).contains("would reach no one") && stderr(&closed).contains("nothing was created"),
        "{}",
        stderr(&closed)
    );
    assert!(!stdout(&d.run(&["token", "list"], None)).contains("to-nobody"));
    // `run`: the command's output lost is `run`'s error, not exit 0.
    let o = to_full(&["run", "--prefix", "full", "--", "sh", "-c", "echo hi; exit 0"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("writing the command's output"), "{}", stderr(&o));
    let o = d.run(&["run", "--prefix", "full", "--", "/nonexistent/program"], None);
    assert!(
        !o.status.success() && stderr(&o).contains("/nonexistent/program") && !stderr(&o).contains("os error"),
        "{}",
        stderr(&o)
    );
    // A file that is not there is said in words, without the system's error number.
    let o = d.run(&["store", "full/other", "--file", "/nonexistent/value"], None);
    assert!(!o.status.success() && stderr(&o).contains("/nonexistent/value"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("os error"), "{}", stderr(&o));
    // A token whose value could not be shown is revoked again; its name is free.
    let o = to_full(&["token", "create", "--name", "lost-token"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("was revoked again, and its name is free"), "{}", stderr(&o));
    let list = d.run(&["token", "list"], None);
    assert!(stdout(&list).lines().any(|l| l.starts_with("lost-token\trevoked")), "{}", stdout(&list));
    let o = to_full(&["token", "list"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("writing to standard output") && !stderr(&o).contains("panicked"), "{}", stderr(&o));
    // The same for a connection's key.
    let o = to_full(&["connection", "create", "--name", "lost-conn", "--pattern", "knowledge/"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("it was revoked again"), "{}", stderr(&o));
    let list = d.run(&["connection", "list"], None);
    assert!(stdout(&list).lines().any(|l| l.contains("\trevoked\tlost-conn")), "{}", stdout(&list));
}

/// Only spaces is no value and no passphrase, wherever one is given: `store` refuses it as
/// `ingest` does (`--raw` stores the bytes as given), and a new passphrase of spaces is refused.
#[test]
fn blank_values_and_passphrases_are_refused_everywhere() {
    let d = daemon();
    for input in ["   ", " \n", "\t\n", "\u{a0}\u{a0}", "\u{200b}"].map(str::as_bytes) {
        let o = d.run(&["store", "blank/key"], Some(input));
        assert!(
            !o.status.success() && stderr(&o).contains("the value is only spaces: nothing was stored"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(d.owner("GET", "/v1/secrets/blank/key", None).status, 404);
    let o = d.run(&["store", "blank/raw", "--raw"], Some(b"   "));
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(BIN)
        .env("HQ_VAULT_HOME", dir.path().join("home"))
        .args(["init", "--passphrase-stdin", "--kdf-m-cost-kib", "8192", "--kdf-t-cost", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"          \n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(!o.status.success() && stderr(&o).contains("it is only spaces"), "{}", stderr(&o));
    assert!(!dir.path().join("home").exists(), "a refused first passphrase left a home");
}

/// A `--files-root` that is a file or does not exist is refused before anything is created (a
/// typo made a stray folder; a file left a half-made home behind).
#[test]
fn a_files_root_is_checked_before_anything_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    for (root, says) in [(file.clone(), "is a file, not a folder"), (dir.path().join("no/such/root"), "does not exist")]
    {
        let home = dir.path().join("home");
        let mut c = Command::new(BIN);
        c.env("HQ_VAULT_HOME", &home)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--passphrase-stdin",
                "--kdf-m-cost-kib",
                "8192",
                "--kdf-t-cost",
                "1",
                "--files-root",
            ])
            .arg(&root);
        let o = run_with(c, &[], Some(format!("{PASS}\n").as_bytes()));
        assert!(
            !o.status.success() && stderr(&o).contains(says) && stderr(&o).contains("Nothing was created"),
            "{}",
            stderr(&o)
        );
        assert!(!home.exists(), "a refused start left a home");
        assert!(!dir.path().join("no").exists(), "a mistyped root was created");
    }
}
