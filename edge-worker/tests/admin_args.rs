//! `hq-edge-admin` refuses what it does not understand: an unknown flag (a typo such as
//! `--compnay`), a stray argument, a missing or repeated flag, a bad value. Each is refused with
//! exit status 2, a message naming the argument on stderr, and no credential minted.
#![cfg(not(target_arch = "wasm32"))]

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_hq-edge-admin");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn assert_refused(args: &[&str], names: &str) {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?} must be refused: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}: no credential is minted: {}", String::from_utf8_lossy(&out.stdout));
    assert!(!stderr.contains("hqvt_"), "{args:?}: no credential on stderr either");
    assert!(stderr.contains(names), "{args:?}: the message names {names:?}: {stderr}");
    assert!(
        stderr.contains("Usage: hq-edge-admin") || stderr.contains("--help"),
        "{args:?}: points at the usage: {stderr}"
    );
}

#[test]
fn unknown_flags_and_stray_arguments_are_refused() {
    assert_refused(&["--company", "acme", "--role", "owner", "--bogus"], "'--bogus'");
    assert_refused(&["--company", "acme", "--role", "owner", "--jsn"], "'--jsn'");
    assert_refused(&["--compnay", "acme", "--role", "owner"], "'--compnay'");
    assert_refused(&["--company", "acme", "--role", "owner", "extra"], "'extra'");
    assert_refused(&["--company", "acme", "--role", "owner", "-x"], "'-x'");
}

#[test]
fn a_typo_of_a_flag_is_answered_with_the_flag_meant() {
    let out = run(&["--company", "acme", "--rol", "owner"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'--role'"), "suggests --role");
}

#[test]
fn missing_repeated_and_bad_values_are_refused() {
    assert_refused(&["--role", "owner"], "--company");
    assert_refused(&["--company", "acme"], "--role");
    assert_refused(&["--company", "acme", "--role"], "--role");
    assert_refused(&["--company", "acme", "--role", "boss"], "owner, admin, member");
    assert_refused(&["--company", "Acme", "--role", "owner"], "1-63 of a-z");
    assert_refused(&["--company", "acme", "--role", "owner", "--name", ""], "control characters");
    assert_refused(&["--company", "acme", "--role", "owner", "--json", "--json"], "'--json'");
    assert_refused(&["--company", "acme", "--company", "other", "--role", "owner"], "'--company");
}

#[test]
fn help_exits_zero_and_a_valid_call_mints_one_credential() {
    let help = run(&["--help"]);
    assert!(help.status.success());
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(help.contains("--company") && help.contains("owner, admin, member") && help.contains("Example:"), "{help}");

    let out = run(&["--company", "acme", "--role", "member", "--name", "bob", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["token"].as_str().unwrap().starts_with("hqvt_"));
    let record: serde_json::Value = serde_json::from_str(v["kv_value"].as_str().unwrap()).unwrap();
    assert_eq!(record, serde_json::json!({"company_id": "acme", "role": "member", "name": "bob"}));
}

/// Standard output that cannot be written (a full disk) is an error with exit 1 and no panic;
/// nothing exists until the KV record is loaded, and the message says so.
#[test]
fn a_credential_that_cannot_be_written_is_an_error_not_a_panic() {
    for json in [false, true] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let mut c = Command::new(BIN);
        c.args(["--company", "acme", "--role", "owner"]).stdout(full);
        if json {
            c.arg("--json");
        }
        let out = c.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("nothing was created") && !stderr.contains("panicked"), "{stderr}");
        assert!(!stderr.contains("hqvt_"), "{stderr}");
    }
}
