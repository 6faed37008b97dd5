//! `hq-edge-admin` prints a `wrangler kv key put …` line for a person to run: run by `sh`, it
//! must pass the record through exactly, whatever `--name` holds, and never run any of it.
#![cfg(not(target_arch = "wasm32"))]

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_hq-edge-admin");

/// The arguments `npx` was called with when `sh` ran the printed line.
fn run_printed_line(name: &str) -> (Vec<String>, tempfile::TempDir) {
    let out = Command::new(BIN).args(["--company", "acme", "--role", "owner", "--name", name]).output().unwrap();
    assert!(out.status.success(), "{name:?}: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let line = stderr.lines().find(|l| l.contains("wrangler kv key put")).expect("the printed line").trim().to_owned();
    // A stand-in `npx` that writes each argument it got, NUL-terminated.
    let dir = tempfile::tempdir().unwrap();
    let npx = dir.path().join("npx");
    std::fs::write(&npx, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done\n").unwrap();
    std::fs::set_permissions(&npx, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", dir.path().display(), std::env::var("PATH").unwrap_or_default());
    let ran = Command::new("sh").arg("-c").arg(&line).env("PATH", path).current_dir(dir.path()).output().unwrap();
    assert!(ran.status.success(), "{name:?}: sh failed on {line}: {}", String::from_utf8_lossy(&ran.stderr));
    let args: Vec<String> = String::from_utf8(ran.stdout).unwrap().split_terminator('\0').map(str::to_owned).collect();
    (args, dir)
}

#[test]
fn the_printed_shell_line_passes_any_name_through_exactly() {
    for name in [
        "alice",
        "it's",
        "O'Brien's \"admin\"",
        "$HOME",
        "${PATH}",
        "a  b   c ",
        "`touch pwned`",
        "$(touch pwned)",
        "'; touch pwned; '",
        "\\'\\\"\\\\",
        "!bang *glob* ?[a] ~root {a,b} #hash; & | < >",
        "café ☕",
    ] {
        let (args, dir) = run_printed_line(name);
        assert_eq!(args.len(), 8, "{name:?}: {args:?}");
        assert_eq!(args[..6], ["wrangler", "kv", "key", "put", "--binding", "CONNECTIONS"], "{name:?}");
        assert!(args[6].starts_with("admin:") && args[6].len() == "admin:".len() + 64, "{name:?}: {}", args[6]);
        let record: serde_json::Value = serde_json::from_str(&args[7]).unwrap_or_else(|e| panic!("{name:?}: {e}"));
        assert_eq!(record["name"], name, "the name reached KV as given");
        assert_eq!(record["company_id"], "acme");
        assert!(!dir.path().join("pwned").exists(), "{name:?} ran as code");
    }
}

#[test]
fn a_name_with_a_control_character_is_refused() {
    for name in ["a\nb", "a\u{1b}[31mb", "a\u{9b}b"] {
        let out = Command::new(BIN).args(["--company", "acme", "--role", "owner", "--name", name]).output().unwrap();
        assert!(!out.status.success(), "{name:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("control characters"));
        assert!(out.stdout.is_empty(), "no credential is minted for a refused name");
    }
}
