//! Issue 9, item 6, "First start": on a terminal a refused passphrase (too short, or two entries
//! that differ) is asked for again, three tries in all; a first start that fails leaves nothing
//! behind: a home that did not exist does not exist afterwards. Driven through a real
//! pseudo-terminal, as a person types.

mod common;
mod pty;

use std::process::Command;

use common::*;
use pty::Pty;

/// `init` (or `serve`'s first start) with cheap Argon2 costs, in `home`, on a terminal.
fn on_terminal(home: &std::path::Path, args: &[&str]) -> Pty {
    let mut c = Command::new(BIN);
    c.args(args).args(["--kdf-m-cost-kib", "8192", "--kdf-t-cost", "1"]).env("HQ_VAULT_HOME", home);
    Pty::spawn(&c)
}

#[test]
fn a_short_or_mistyped_passphrase_is_asked_for_again() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let mut t = on_terminal(&home, &["init"]);
    t.expect("New passphrase:");
    t.secret_line("short");
    t.expect("shorter than 8 characters. Try again (2 tries left).");
    t.expect("New passphrase:");
    t.secret_line(PASS);
    t.expect("Repeat it:");
    t.secret_line("correct horse battery stapler");
    t.expect("the two entries differ. Try again (1 try left).");
    t.expect("New passphrase:");
    t.secret_line(PASS);
    t.expect("Repeat it:");
    t.secret_line(PASS);
    t.expect("Initialized.");
    assert!(t.wait().success(), "{}", t.screen());
    assert!(!t.screen().contains(PASS), "the passphrase was echoed:\n{}", t.screen());
    // The passphrase that was accepted is the vault's.
    let mut d = Daemon {
        dir,
        child: None,
        url: String::new(),
        agent: agent_for(&home.join("tls/ca.pem")),
        secrets: Vec::new(),
        extra_serve_args: Vec::new(),
    };
    d.start();
    d.unlock();
}

#[test]
fn three_refused_passphrases_end_init_and_leave_no_home() {
    let dir = tempfile::tempdir().unwrap();
    // Neither the home nor its parent exists: both must still not exist afterwards.
    let home = dir.path().join("parent/home");
    let mut t = on_terminal(&home, &["init"]);
    for _ in 0..3 {
        t.expect("New passphrase:");
        t.secret_line(PASS);
        t.expect("Repeat it:");
        t.secret_line("something else entirely");
    }
    t.expect("no passphrase after 3 tries (the last: the two entries differ); nothing was created");
    assert!(!t.wait().success(), "{}", t.screen());
    assert!(!dir.path().join("parent").exists(), "a failed init left {}", dir.path().join("parent").display());
}

#[test]
fn a_failed_first_serve_leaves_no_home() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let mut t = on_terminal(&home, &["serve", "--listen", "127.0.0.1:0"]);
    t.expect("First start");
    for _ in 0..3 {
        t.expect("New passphrase:");
        t.secret_line("short");
    }
    t.expect("no passphrase after 3 tries (the last: it is shorter than 8 characters); nothing was created");
    assert!(!t.wait().success(), "{}", t.screen());
    assert!(!home.exists(), "a failed first start left {:?}", std::fs::read_dir(&home).map(|r| r.count()));
}

#[test]
fn a_refused_passphrase_on_standard_input_fails_at_once_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let mut c = Command::new(BIN);
    c.env("HQ_VAULT_HOME", &home);
    let out = run_with(c, &["init", "--passphrase-stdin"], Some(b"short\nlong enough passphrase\n"));
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("shorter than 8 characters; nothing was created"), "{}", text(&out));
    assert!(!home.exists());
}
