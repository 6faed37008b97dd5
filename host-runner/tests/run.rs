//! `hq-vault run` as `doppler run` and `op run` users expect it: signals forwarded, the child's
//! exit status passed on, the vault token withheld, inherited variables protected, and every
//! injected value masked in the child's output.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Wait for `child` at most `limit`; kill it (and fail) if it is still running then.
fn wait_bounded(child: &mut Child, limit: Duration) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn alive(pid: u32) -> bool {
    // A zombie has exited; only a process still running counts.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| s.rsplit(')').next().is_some_and(|rest| !rest.trim_start().starts_with('Z')))
        .unwrap_or(false)
}

fn signal(pid: u32, sig: &str) {
    assert!(Command::new("kill").arg(format!("-{sig}")).arg(pid.to_string()).status().unwrap().success());
}

/// Start `run` with `script` as the child; returns it and the child's pid, once the child is ready.
fn start_run(d: &Daemon, script: &str) -> (Child, u32, BufReader<std::process::ChildStdout>) {
    let mut run = d
        .cli()
        .args(["run", "--prefix", "svc/", "--", "sh", "-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(run.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let pid =
        line.trim().strip_prefix("ready ").unwrap_or_else(|| panic!("child not ready: {line:?}")).parse().unwrap();
    (run, pid, out)
}

#[test]
fn signals_sent_to_run_reach_the_child_and_run_exits_as_it_did() {
    signals_not_ignored();
    let mut d = daemon();
    d.store("svc/api-key", "signal-test-value");
    for sig in ["TERM", "INT", "HUP"] {
        let (mut run, child, mut out) = start_run(
            &d,
            &format!("trap 'echo got-{sig}; exit 42' {sig}; echo \"ready $$\"; while :; do sleep 0.05; done"),
        );
        signal(run.id(), sig);
        let status = wait_bounded(&mut run, Duration::from_secs(30));
        if alive(child) {
            signal(child, "KILL");
            panic!("SIG{sig}: the child was left running (status of run: {status:?})");
        }
        let mut rest = String::new();
        out.read_to_string(&mut rest).unwrap();
        assert_eq!(status.code(), Some(42), "SIG{sig}: run exits with the child's code");
        assert_eq!(rest, format!("got-{sig}\n"), "SIG{sig}: the child got the signal");
    }
}

/// The test needs the signals it sends not to be ignored by whoever started it.
fn signals_not_ignored() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let ign = status.lines().find_map(|l| l.strip_prefix("SigIgn:")).unwrap().trim();
    let mask = u64::from_str_radix(ign, 16).unwrap();
    assert_eq!(mask & 0b11, 0, "this test was started with SIGHUP or SIGINT ignored (SigIgn {ign})");
}

#[test]
fn nohup_keeps_sighup_ignored_for_the_child() {
    signals_not_ignored();
    let mut d = daemon();
    d.store("svc/api-key", "nohup-test-value");
    let mut c = Command::new("nohup");
    c.env("HQ_VAULT_HOME", d.home()).env("HQ_VAULT_URL", &d.url).env_remove("HQ_VAULT_TOKEN");
    c.args([BIN, "run", "--prefix", "svc/", "--", "sh", "-c", "grep SigIgn: /proc/self/status"]);
    let out = run_with(c, &[], None);
    assert!(out.status.success(), "{}", text(&out));
    let line = String::from_utf8_lossy(&out.stdout);
    let mask = u64::from_str_radix(line.trim().strip_prefix("SigIgn:").unwrap().trim(), 16).unwrap();
    assert_eq!(mask & 1, 1, "SIGHUP is no longer ignored by the child of `nohup hq-vault run`: {line}");
    // Without nohup, the child starts with SIGHUP, SIGINT and SIGTERM at their defaults.
    let out = d.run(&["run", "--prefix", "svc/", "--", "sh", "-c", "grep SigIgn: /proc/self/status"], None);
    let line = String::from_utf8_lossy(&out.stdout);
    let mask = u64::from_str_radix(line.trim().strip_prefix("SigIgn:").unwrap().trim(), 16).unwrap();
    assert_eq!(mask & ((1 << 0) | (1 << 1) | (1 << 14)), 0, "{line}");
}

#[test]
fn a_child_killed_by_a_signal_is_not_orphaned_and_gives_128_plus_n() {
    let mut d = daemon();
    d.store("svc/api-key", "orphan-test-value");
    // `exec sleep`: nothing traps the signal, the child dies of it.
    let (mut run, child, _out) = start_run(&d, "echo \"ready $$\"; exec sleep 300");
    signal(run.id(), "TERM");
    let status = wait_bounded(&mut run, Duration::from_secs(30));
    if alive(child) {
        signal(child, "KILL");
        panic!("SIGTERM to run left its child running (status of run: {status:?})");
    }
    assert_eq!(status.code(), Some(128 + 15));
    for (script, code) in
        [("kill -KILL $$", 137), ("kill -TERM $$", 143), ("kill -SEGV $$", 139), ("exit 0", 0), ("exit 255", 255)]
    {
        let out = d.run(&["run", "--prefix", "svc/", "--", "sh", "-c", script], None);
        assert_eq!(out.status.code(), Some(code), "{script}: {}", text(&out));
    }
    let missing = d.run(&["run", "--prefix", "svc/", "--", "/nonexistent/command"], None);
    assert_eq!(missing.status.code(), Some(127), "{}", text(&missing));
}

#[test]
fn ctrl_c_at_a_terminal_stops_the_child_and_run_exits_130() {
    // `script` gives run a real terminal; Ctrl-C there goes to the whole foreground group.
    let mut d = daemon();
    d.store("svc/api-key", "terminal-test-value");
    let cmd = format!("{BIN} run --prefix svc/ -- sh -c 'echo ready; exec sleep 300'");
    let mut term = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("HQ_VAULT_HOME", d.home())
        .env("HQ_VAULT_URL", &d.url)
        .env_remove("HQ_VAULT_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = term.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("ready") {
        let n = out.read(&mut buf).unwrap();
        assert!(n > 0, "no output: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    std::thread::sleep(Duration::from_millis(200));
    std::io::Write::write_all(&mut term.stdin.take().unwrap(), b"\x03").unwrap();
    let status = wait_bounded(&mut term, Duration::from_secs(30));
    assert_eq!(status.code(), Some(130), "script returns run's status");
}

#[test]
fn the_vault_token_does_not_reach_the_child() {
    let mut d = daemon();
    d.store("svc/api-key", "token-test-value");
    let token = d.token();
    let out = run_with(
        d.cli_with_token(&token),
        &["run", "--prefix", "svc/", "--", "sh", "-c", "printf '%s|%s' \"${HQ_VAULT_TOKEN-unset}\" \"$HQ_VAULT_URL\""],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("unset|{}", d.url));
}

#[test]
fn a_secret_may_not_replace_an_inherited_or_loader_variable_without_leave() {
    let mut d = daemon();
    let marker = d.dir.path().join("child-ran");
    let touch = format!("touch '{}'; printf '%s' \"$PATH|${{LD_PRELOAD-}}|${{HQ_TEST_INHERITED-}}\"", marker.display());
    d.store("ovr/path", "/usr/bin:/bin");
    let mut cmd = d.cli();
    cmd.env("HQ_TEST_INHERITED", "from-the-caller");
    let out = run_with(cmd, &["run", "--prefix", "ovr/", "--", "sh", "-c", &touch], None);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(t.contains("PATH") && t.contains("--allow-override"), "{t}");
    assert!(!marker.exists(), "nothing is run when a variable would be replaced");
    // A loader variable is refused even when the caller has none.
    d.store("ovr/ld-preload", "/nonexistent/evil.so");
    d.store("ovr/hq-test-inherited", "from-the-vault");
    let mut cmd = d.cli();
    cmd.env_remove("LD_PRELOAD").env("HQ_TEST_INHERITED", "from-the-caller");
    let out = run_with(cmd, &["run", "--prefix", "ovr/", "--allow-override", "PATH", "--", "sh", "-c", &touch], None);
    let t = text(&out);
    assert!(!out.status.success() && t.contains("LD_PRELOAD") && t.contains("HQ_TEST_INHERITED"), "{t}");
    assert!(!t.contains("  PATH:"), "PATH was allowed: {t}");
    assert!(!marker.exists());
    // With leave for each, the secrets replace them.
    let mut cmd = d.cli();
    cmd.env_remove("LD_PRELOAD").env("HQ_TEST_INHERITED", "from-the-caller");
    let args = [
        "run",
        "--prefix",
        "ovr/",
        "--no-mask",
        "--allow-override",
        "PATH",
        "--allow-override",
        "LD_PRELOAD",
        "--allow-override",
        "HQ_TEST_INHERITED",
        "--",
        "sh",
        "-c",
        &touch,
    ];
    let out = run_with(cmd, &args, None);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "/usr/bin:/bin|/nonexistent/evil.so|from-the-vault");
    assert!(marker.exists());
}

#[test]
fn every_injected_value_is_masked_in_stdout_and_stderr() {
    let mut d = daemon();
    let big: String = (0..100_000).map(|i| char::from(b'a' + ((i * 7 + i / 26) % 26) as u8)).collect();
    let values = [
        ("m/api-key", "sk_live_abcdef123456"),
        ("m/db-url", "postgres://u:pw@h/db"),
        ("m/multi-line", "line one\nline two"),
        ("m/short", "eu"),
        ("m/big", big.as_str()),
    ];
    for (p, v) in values {
        d.store(p, v);
    }
    // Output split across reads on purpose: the sleeps make each half its own read.
    let script = "printf 'key=%s\\n' \"$API_KEY\"; printf 'url=%s\\n' \"$DB_URL\" >&2; \
        printf '%s' \"$BIG\" | head -c 50000; sleep 0.3; printf '%s\\n' \"$BIG\" | tail -c +50001; \
        printf '%.10s' \"$API_KEY\"; sleep 0.3; printf '%s\\n' \"${API_KEY#??????????}\"; \
        printf '%s\\n' \"$MULTI_LINE\" >&2; echo \"region=$SHORT\"";
    let out = d.run(&["run", "--prefix", "m/", "--", "sh", "-c", script], None);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout, "key=<hq-vault:API_KEY>\n<hq-vault:BIG>\n<hq-vault:API_KEY>\nregion=eu\n");
    assert!(stderr.contains("url=<hq-vault:DB_URL>\n<hq-vault:MULTI_LINE>\n"), "{stderr}");
    assert!(stderr.contains("not masking SHORT"), "a value too short to mask is named: {stderr}");
    for (_, v) in &values[..3] {
        assert!(!text(&out).contains(v), "a value reached the output");
    }
    assert!(!text(&out).contains(&big[1000..1100]), "a part of a long value reached the output");
    // --no-mask passes the output through untouched.
    let out = d.run(&["run", "--prefix", "m/", "--no-mask", "--", "sh", "-c", "printf '%s' \"$API_KEY\""], None);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "sk_live_abcdef123456");
}

/// A program that prints a value re-encoded (base64 alone and inside `KEY=value`, hex, a JSON
/// string) does not get it past the masker.
#[test]
fn a_value_printed_in_base64_hex_or_json_is_masked_too() {
    let mut d = daemon();
    let value = "sk_live_\"quoted\"/v4lue+";
    d.store("enc/api-key", value);
    let script = "printf %s \"$API_KEY\" | base64 -w0; echo; printf 'KEY=%s' \"$API_KEY\" | base64 -w0; echo; \
        printf %s \"$API_KEY\" | od -An -tx1 -v | tr -d ' \\n'; echo; \
        python3 -c 'import json, os; print(json.dumps(os.environ[\"API_KEY\"]))'";
    let out = d.run(&["run", "--prefix", "enc/", "--", "sh", "-c", script], None);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(lines[0], "<hq-vault:API_KEY>", "{stdout}");
    assert!(lines[1].starts_with("S0VZP") && lines[1].contains("<hq-vault:API_KEY>"), "{stdout}");
    assert_eq!(lines[2], "<hq-vault:API_KEY>", "{stdout}");
    assert_eq!(lines[3], "\"<hq-vault:API_KEY>\"", "{stdout}");
}

#[test]
fn a_closed_output_ends_the_child_as_a_pipe_would() {
    // `hq-vault run … -- yes | head -1`: once the reader is gone, the child gets SIGPIPE.
    let mut d = daemon();
    d.store("svc/api-key", "pipe-test-value");
    let mut run = d
        .cli()
        .args(["run", "--prefix", "svc/", "--", "yes"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(run.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "y\n");
    drop(out);
    let status = wait_bounded(&mut run, Duration::from_secs(30));
    assert_eq!(status.code(), Some(128 + 13), "the child died of SIGPIPE");
}

/// A line that merely ends like the start of a wrapped encoding of a value (a hash, then the
/// program waits for input) is shown while the program waits, not held for its next output.
#[test]
fn a_line_like_an_encoding_is_shown_while_the_program_waits() {
    let mut d = daemon();
    d.store("svc/api-key", "quiet-test-value");
    // The first two hex digits of the value, at the end of a 40-digit line (as `git log --format=%H`).
    let start = &hex::encode("quiet-test-value")[..2];
    let line = format!("{}{start}", "0123456789abcdef0123456789abcdef012345");
    let mut run = d
        .cli()
        .args(["run", "--prefix", "svc/", "--", "sh", "-c", &format!("echo {line}; read reply; echo \"got $reply\"")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(run.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = out.read_line(&mut first);
        let _ = tx.send((first, out));
    });
    // A bounded wait: the line must come while the program still waits for its input.
    let got = rx.recv_timeout(Duration::from_secs(30));
    {
        use std::io::Write;
        let _ = run.stdin.take().unwrap().write_all(b"yes\n");
    }
    let (first, mut out) = got.expect("the line was held back while the program waited");
    assert_eq!(first, format!("{line}\n"));
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "got yes\n");
    assert!(wait_bounded(&mut run, Duration::from_secs(30)).success());
}
