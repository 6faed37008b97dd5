//! The `hq-vault` CLI against a running daemon.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::*;

#[test]
fn every_command_has_help_with_an_example() {
    let commands: &[&[&str]] = &[
        &["init"],
        &["serve"],
        &["unlock"],
        &["lock"],
        &["status"],
        &["store"],
        &["ingest"],
        &["get"],
        &["list"],
        &["delete"],
        &["env-file"],
        &["run"],
        &["token", "create"],
        &["token", "list"],
        &["token", "revoke"],
        &["audit"],
        &["audit", "verify"],
        &["passphrase", "change"],
        &["connection", "create"],
        &["connection", "list"],
        &["connection", "rotate"],
        &["connection", "revoke"],
        &["connection", "audit"],
        &["trust"],
    ];
    for c in commands {
        let mut args = c.to_vec();
        args.push("--help");
        let out = std::process::Command::new(BIN).args(&args).output().unwrap();
        let t = text(&out);
        assert!(out.status.success(), "{c:?}: {t}");
        assert!(t.contains("Example:") && t.contains("hq-vault "), "{c:?} has no example:\n{t}");
    }
}

#[test]
fn store_get_list_delete_show_metadata_never_the_value() {
    let mut d = daemon();
    d.secrets.push("sk_cli_value_123".into());
    let out = d.run(
        &["store", "stripe/secret-key", "--type", "api-key", "--description", "Stripe live"],
        Some(b"sk_cli_value_123\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Stored: stripe/secret-key (16 bytes, type: api-key)");
    assert!(!text(&out).contains("sk_cli_value_123"));
    let file = d.dir.path().join("value.txt");
    std::fs::write(&file, "from-a-file-value").unwrap();
    d.secrets.push("from-a-file-value".into());
    let out = d.run(&["store", "myapp/database-url", "--file", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out));
    let got = d.run(&["get", "stripe/secret-key"], None);
    assert_eq!(got.stdout, b"sk_cli_value_123");
    let list = d.run(&["list", "stripe/"], None);
    let l = String::from_utf8_lossy(&list.stdout);
    assert!(l.contains("stripe/secret-key") && l.contains("api-key") && !l.contains("sk_cli"), "{l}");
    assert!(d.run(&["delete", "myapp/database-url"], None).status.success());
    let gone = d.run(&["get", "myapp/database-url"], None);
    assert!(!gone.status.success());
    assert!(text(&gone).contains("no secret at this path"));
    let bad = d.run(&["get", "../etc/passwd"], None);
    assert!(!bad.status.success() && text(&bad).contains("`.` or `..`"), "{}", text(&bad));
    d.assert_no_leaks();
}

#[test]
fn errors_say_what_to_do_next() {
    let mut d = daemon();
    assert!(d.run(&["lock"], None).status.success());
    let locked = d.run(&["get", "a/b"], None);
    assert!(text(&locked).contains("run `hq-vault unlock`"), "{}", text(&locked));
    let status = d.run(&["status"], None);
    assert!(text(&status).contains("locked"), "{}", text(&status));
    let unlock = d.run(&["unlock", "--passphrase-stdin"], Some(format!("{PASS}\n").as_bytes()));
    assert!(unlock.status.success(), "{}", text(&unlock));
    d.stop();
    let down = d.run(&["list"], None);
    assert!(text(&down).contains("hq-vault serve"), "{}", text(&down));
}

#[test]
fn env_file_formats_are_eval_safe_for_any_byte() {
    let mut d = daemon();
    let nasty = "it's $(touch /tmp/hq-pwned) `id` \"q\" \\ $HOME\nline2";
    d.store("myapp/database-url", "postgres://u:p@h/db");
    d.store("myapp/weird-value", nasty);
    let out = d.run(&["env-file", "myapp/", "--format", "export"], None);
    assert!(out.status.success(), "{}", text(&out));
    let script = format!("{}\nprintf '%s' \"$WEIRD_VALUE\"", String::from_utf8_lossy(&out.stdout));
    let sh = std::process::Command::new("sh").arg("-c").arg(&script).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&sh.stdout), nasty);
    assert!(!std::path::Path::new("/tmp/hq-pwned").exists());
    // dotenv cannot carry that value for every loader: it is refused by name (tests/env_loaders.rs).
    let dotenv = d.run(&["env-file", "myapp/"], None);
    assert!(!dotenv.status.success() && text(&dotenv).contains("WEIRD_VALUE: "), "{}", text(&dotenv));
    let json = d.run(&["env-file", "myapp/", "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["WEIRD_VALUE"], nasty);
    d.run(&["delete", "myapp/weird-value"], None);
    let dotenv = d.run(&["env-file", "myapp/"], None);
    assert_eq!(String::from_utf8_lossy(&dotenv.stdout), "DATABASE_URL='postgres://u:p@h/db'\n");
}

#[test]
fn run_puts_secrets_in_the_child_environment_only() {
    let mut d = daemon();
    d.store("svc/api-key", "child-only-value");
    let script = "printf '%s' \"$API_KEY\"; exit 7";
    let out = d.run(&["run", "--prefix", "svc/", "--no-mask", "--", "sh", "-c", script], None);
    assert_eq!(out.status.code(), Some(7), "the child's exit code is passed on");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "child-only-value");
    let masked = d.run(&["run", "--prefix", "svc/", "--", "sh", "-c", script], None);
    assert_eq!(String::from_utf8_lossy(&masked.stdout), "<hq-vault:API_KEY>", "masked by default (tests/run.rs)");
}

#[test]
fn tokens_from_the_cli_limit_what_an_agent_reads() {
    let mut d = daemon();
    d.store("deploy/key", "deploy-value-1");
    d.store("other/key", "other-value-1");
    let c = d.run(
        &["token", "create", "--name", "ci-build", "--ttl", "30m", "--max-uses", "1", "--prefix", "deploy/"],
        None,
    );
    assert!(c.status.success(), "{}", text(&c));
    let tok = String::from_utf8_lossy(&c.stdout).trim().to_owned();
    assert!(tok.starts_with("hqvt_"));
    let mut agent = d.cli();
    agent.env("HQ_VAULT_TOKEN", &tok);
    assert_eq!(run_with(d.cli_with_token(&tok), &["get", "deploy/key"], None).stdout, b"deploy-value-1");
    let out = run_with(agent, &["get", "deploy/key"], None);
    assert!(text(&out).contains("no uses left"), "{}", text(&out));
    let list = d.run(&["token", "list"], None);
    assert!(String::from_utf8_lossy(&list.stdout).contains("ci-build\texhausted"), "{}", text(&list));
    assert!(d.run(&["token", "revoke", "ci-build"], None).status.success());
}

#[test]
fn connection_commands_create_list_rotate_revoke_audit() {
    let d = daemon();
    let c = d.run(&["connection", "create", "--name", "docs-bot", "--pattern", "knowledge/"], None);
    assert!(c.status.success(), "{}", text(&c));
    let key = String::from_utf8_lossy(&c.stdout).trim().to_owned();
    assert!(key.starts_with("hqxc_"));
    assert!(String::from_utf8_lossy(&c.stderr).contains("fetch("), "the snippet is shown");
    // An empty files root is said so, with where the files go.
    let root = std::fs::canonicalize(d.home().join("files")).unwrap();
    let want = format!(
        "No file it may read yet: put them in {} (the daemon's files root is {}).",
        root.join("knowledge/").display(),
        root.display()
    );
    assert!(String::from_utf8_lossy(&c.stderr).contains(&want), "{}", text(&c));
    std::fs::create_dir_all(root.join("knowledge")).unwrap();
    std::fs::write(root.join("knowledge/a.md"), "a").unwrap();
    std::fs::write(root.join("private.md"), "not granted").unwrap();
    let c2 = d.run(&["connection", "create", "--name", "docs-bot-2", "--pattern", "knowledge/"], None);
    assert!(String::from_utf8_lossy(&c2.stderr).contains("It may read 1 file now, under"), "{}", text(&c2));
    let list = String::from_utf8_lossy(&d.run(&["connection", "list"], None).stdout).to_string();
    let id = list.split_whitespace().next().unwrap().to_owned();
    assert!(list.contains("docs-bot") && list.contains("active"));
    d.req("GET", "/v1/connections/files?path=knowledge/", Some(&format!("Bearer {key}")), None);
    let audit = d.run(&["connection", "audit", &id, "--json"], None);
    assert!(String::from_utf8_lossy(&audit.stdout).contains("\"op\":\"list\""), "{}", text(&audit));
    let r = d.run(&["connection", "rotate", &id], None);
    assert!(r.status.success());
    assert_ne!(String::from_utf8_lossy(&r.stdout).trim(), key);
    assert!(d.run(&["connection", "revoke", &id], None).status.success());
    let bad = d.run(&["connection", "create", "--name", "x", "--pattern", "/abs", "--pattern", "a/*/b"], None);
    assert!(!bad.status.success());
    assert!(text(&bad).contains("leading `/`") && text(&bad).contains("`*`"), "{}", text(&bad));
}

#[test]
fn ingest_web_accepts_exactly_one_submit_then_closes() {
    let mut d = daemon();
    d.secrets.push("typed-in-the-browser".into());
    let mut child = d
        .cli()
        .args(["ingest", "slack/token", "--web", "--type", "bot-token"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut url = String::new();
    for _ in 0..5 {
        let mut line = String::new();
        err.read_line(&mut line).unwrap();
        if let Some(u) = line.trim().strip_prefix("https://") {
            url = format!("https://{u}");
            break;
        }
    }
    assert!(url.contains("/ingest/"), "no URL printed");
    let (base, secret) = url.rsplit_once('/').unwrap();
    assert_eq!(secret.len(), 64, "a 32-byte URL secret");
    let page = |path: &str| -> (u16, String) {
        let r = d.agent.get(format!("{base}/{path}")).call().unwrap();
        let s = r.status().as_u16();
        (s, r.into_body().read_to_string().unwrap())
    };
    // The page's own origin: `https://127.0.0.1:PORT`, what a browser sends with its form.
    let origin = base.trim_end_matches("/ingest").to_owned();
    let post_from = |origin: Option<&str>, path: &str, body: &str| -> u16 {
        let mut r = d.agent.post(format!("{base}/{path}")).header("content-type", "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r.send(body.to_owned()).unwrap().status().as_u16()
    };
    let post = |path: &str, body: &str| post_from(Some(&origin), path, body);
    assert_eq!(page("0000").0, 404, "a wrong URL gets nothing");
    let wrong = format!("{}{}", &secret[..63], if secret.ends_with('0') { "1" } else { "0" });
    assert_eq!(page(&wrong).0, 404);
    let (s, html) = page(secret);
    assert_eq!(s, 200);
    assert!(html.contains("slack/token") && html.contains("closes"), "{html}");
    // Not from the page: refused, and the page is still there.
    assert_eq!(post_from(None, secret, "value=no-origin"), 403);
    assert_eq!(post_from(Some("https://evil.example"), secret, "value=other-site"), 403);
    assert_eq!(page(secret).0, 200, "a refused submit does not use the page up");
    assert_eq!(post(secret, "value=typed-in-the-browser"), 200);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Stored: slack/token (20 bytes, type: bot-token)");
    assert_eq!(d.owner("GET", "/v1/secrets/slack/token", None).json()["value"], "typed-in-the-browser");
    // The page is gone: a second visit and a replayed POST both fail.
    assert!(d.agent.get(&url).call().is_err());
    assert!(d.agent.post(&url).send("value=again".to_owned()).is_err());
    // A page for a path that holds a secret says it replaces it, and shows the type that stays.
    let mut again = d
        .cli()
        .args(["ingest", "slack/token", "--web"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(again.stderr.take().unwrap());
    let mut url = String::new();
    for _ in 0..8 {
        let mut line = String::new();
        err.read_line(&mut line).unwrap();
        if let Some(u) = line.trim().strip_prefix("https://") {
            url = format!("https://{u}");
            break;
        }
    }
    assert!(url.contains("/ingest/"), "no URL printed");
    let html = d.agent.get(&url).call().unwrap().into_body().read_to_string().unwrap();
    let _ = again.kill();
    let _ = again.wait();
    assert!(html.contains("Replaces the secret stored at this path") && html.contains("(20 bytes)"), "{html}");
    assert!(html.contains("<dt>Type</dt><dd>bot-token</dd>"), "the kept type is shown: {html}");
    d.assert_no_leaks();
}

#[test]
fn passphrase_change_and_audit_from_the_cli() {
    let d = daemon();
    let ch = d
        .run(&["passphrase", "change", "--passphrase-stdin"], Some(format!("{PASS}\nanother passphrase\n").as_bytes()));
    assert!(ch.status.success(), "{}", text(&ch));
    let a = d.run(&["audit"], None);
    assert!(String::from_utf8_lossy(&a.stdout).contains("passphrase-change"));
    let v = d.run(&["audit", "verify"], None);
    assert!(v.status.success() && text(&v).contains("chain intact"), "{}", text(&v));
}

#[test]
fn ingest_prompts_without_echo_and_shows_only_the_summary() {
    // `script` gives the command a real terminal, as a person would have.
    let mut d = daemon();
    d.secrets.push("typed-at-the-prompt".into());
    let cmd = format!("{BIN} ingest tty/key --type password");
    let mut child = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("HQ_VAULT_HOME", d.home())
        .env("HQ_VAULT_URL", &d.url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Type only once the prompt is up (echo is off from then on), as a person would.
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("(hidden): ") {
        let n = std::io::Read::read(&mut stdout, &mut buf).unwrap();
        assert!(n > 0, "no prompt: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"typed-at-the-prompt\n").unwrap();
    std::io::Read::read_to_end(&mut stdout, &mut seen).unwrap();
    let out = child.wait_with_output().unwrap();
    let t = format!("{}{}", String::from_utf8_lossy(&seen), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{t}");
    assert!(t.contains("Value for tty/key (hidden)"), "{t}");
    assert!(t.contains("Stored: tty/key (19 bytes, type: password)"), "{t}");
    assert!(!t.contains("typed-at-the-prompt"), "the value was echoed: {t}");
    assert_eq!(d.owner("GET", "/v1/secrets/tty/key", None).json()["value"], "typed-at-the-prompt");
    d.assert_no_leaks();
}

/// Read from `r` until `needle` appears; returns everything read.
fn read_until(r: &mut impl std::io::Read, seen: &mut Vec<u8>, needle: &str) {
    let mut buf = [0u8; 512];
    while !String::from_utf8_lossy(seen).contains(needle) {
        let n = r.read(&mut buf).unwrap();
        assert!(n > 0, "`{needle}` never came: {}", String::from_utf8_lossy(seen));
        seen.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn first_start_asks_for_a_passphrase_and_is_ready_to_use() {
    // A newcomer's main job: `serve` at a terminal, no configuration.
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let cmd = format!("{BIN} serve --listen 127.0.0.1:0 --kdf-m-cost-kib 8192");
    let mut child = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("HQ_VAULT_HOME", &home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut input = child.stdin.take().unwrap();
    let mut seen = Vec::new();
    read_until(&mut out, &mut seen, "New passphrase: ");
    std::thread::sleep(std::time::Duration::from_millis(200));
    std::io::Write::write_all(&mut input, b"first start pass\n").unwrap();
    read_until(&mut out, &mut seen, "Repeat it: ");
    std::thread::sleep(std::time::Duration::from_millis(200));
    std::io::Write::write_all(&mut input, b"first start pass\n").unwrap();
    read_until(&mut out, &mut seen, "(unlocked)");
    let t = String::from_utf8_lossy(&seen).to_string();
    assert!(!t.contains("first start pass"), "the passphrase was echoed");
    let url = format!("https://{}", t.split("https://").nth(1).unwrap().split_whitespace().next().unwrap());
    let cli = |args: &[&str], stdin: Option<&[u8]>| {
        let mut c = std::process::Command::new(BIN);
        c.env("HQ_VAULT_HOME", &home).env("HQ_VAULT_URL", &url).env_remove("HQ_VAULT_TOKEN");
        run_with(c, args, stdin)
    };
    let s = cli(&["store", "first/key"], Some(b"first-value"));
    assert!(s.status.success(), "{}", text(&s));
    assert_eq!(cli(&["get", "first/key"], None).stdout, b"first-value");
    // Closing the terminal hangs the daemon up, as closing a real terminal would.
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn audit_tail_follows_new_lines() {
    let mut d = daemon();
    let mut tail =
        d.cli().args(["audit", "--tail", "--json"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut out = tail.stdout.take().unwrap();
    let mut seen = Vec::new();
    read_until(&mut out, &mut seen, "\"op\":\"unlock\"");
    d.store("tail/new-line", "tail-value");
    read_until(&mut out, &mut seen, "tail/new-line");
    let _ = tail.kill();
    let _ = tail.wait();
    assert!(!String::from_utf8_lossy(&seen).contains("tail-value"));
}

#[test]
fn doctor_passes_on_a_healthy_vault_and_names_each_problem() {
    use std::os::unix::fs::PermissionsExt;
    let mut d = daemon();
    d.store("doc/a", "doctor-value");
    let ok = d.run(&["doctor"], None);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("All checks passed."));
    std::fs::set_permissions(d.home(), std::fs::Permissions::from_mode(0o755)).unwrap();
    d.stop();
    let bad = d.run(&["doctor"], None);
    let t = String::from_utf8_lossy(&bad.stdout).to_string();
    assert!(!bad.status.success());
    assert!(t.contains("chmod 700"), "{t}");
    assert!(t.contains("hq-vault serve"), "{t}");
    assert!(t.contains("2 problems."), "{t}");
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let out = std::process::Command::new(BIN).args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let t = String::from_utf8_lossy(&out.stdout);
        assert!(t.contains("hq-vault") && t.contains("env-file") && t.contains("ingest"), "{shell}");
    }
}
