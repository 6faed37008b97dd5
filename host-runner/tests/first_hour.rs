//! Issue 9, "A newcomer's first hour": prefixes are folders (item 3), overwrites are loud and keep
//! metadata (item 4), `audit` for people and plurals (item 9). The CLI against a real daemon.

mod common;

use std::io::Read;
use std::process::Stdio;

use common::*;

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_prefix_is_a_folder_in_run_env_file_list_and_the_api() {
    let mut d = daemon();
    d.store("myapp/api-key", "myapp-value-1");
    d.store("myappx/other", "sibling-value-2");
    // `myapp` without a slash is the folder `myapp/`: API_KEY, never `_API_KEY` or the sibling's X_OTHER.
    let script = "printf '%s|%s|%s' \"$API_KEY\" \"${_API_KEY-unset}\" \"${X_OTHER-unset}\"";
    let run = d.run(&["run", "--prefix", "myapp", "--no-mask", "--", "sh", "-c", script], None);
    assert!(run.status.success(), "{}", text(&run));
    assert_eq!(stdout(&run), "myapp-value-1|unset|unset");
    let json = d.run(&["env-file", "myapp", "--format", "json"], None);
    assert!(json.status.success(), "{}", text(&json));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v, serde_json::json!({"API_KEY": "myapp-value-1"}));
    let list = d.run(&["list", "myapp"], None);
    assert_eq!(stdout(&list).lines().map(|l| l.split('\t').next().unwrap()).collect::<Vec<_>>(), ["myapp/api-key"]);
    // The daemon decides: its list with a prefix names the folder and matches whole folders.
    let api = d.owner("GET", "/v1/secrets?prefix=myapp", None).json();
    assert_eq!(api["prefix"], "myapp/");
    assert_eq!(api["secrets"].as_array().unwrap().len(), 1, "{api}");
    let part = d.owner("GET", "/v1/secrets?prefix=myap", None).json();
    assert_eq!(part["secrets"].as_array().unwrap().len(), 0, "a prefix is never the start of a name: {part}");
    assert_eq!(d.owner("GET", "/v1/secrets?prefix=", None).json()["secrets"].as_array().unwrap().len(), 2);
    d.assert_no_leaks();
}

#[test]
fn a_prefix_that_matches_nothing_says_so_and_runs_nothing() {
    let mut d = daemon();
    d.store("myapp/api-key", "myapp-value-3");
    let marker = d.dir.path().join("child-ran");
    let script = format!("touch '{}'", marker.display());
    let run = d.run(&["run", "--prefix", "nothing-here", "--", "sh", "-c", &script], None);
    assert!(!run.status.success(), "{}", text(&run));
    assert!(text(&run).contains("no secrets under `nothing-here/`"), "{}", text(&run));
    assert!(!marker.exists(), "the child ran although no secret matched");
    let env = d.run(&["env-file", "myap"], None);
    assert!(!env.status.success() && env.stdout.is_empty(), "{}", text(&env));
    assert!(text(&env).contains("no secrets under `myap/`"), "{}", text(&env));
    // A prefix is a folder, never a pattern: `myapp*` is refused in words that give the folder.
    let star = d.run(&["list", "myapp*"], None);
    assert!(
        !star.status.success() && text(&star).contains("give `myapp` (the folder `myapp/`) without `*`"),
        "{}",
        text(&star)
    );
    let list = d.run(&["list", "myap"], None);
    assert!(list.stdout.is_empty() && text(&list).contains("No secrets under `myap/`"), "{}", text(&list));
}

#[test]
fn a_token_prefix_without_a_slash_grants_the_folder() {
    let mut d = daemon();
    d.store("aws/key", "aws-value-4");
    d.store("awsx/key", "awsx-value-5");
    let c = d.run(&["token", "create", "--name", "folder-scope", "--prefix", "aws"], None);
    assert!(c.status.success(), "{}", text(&c));
    let tok = stdout(&c).trim().to_owned();
    let listed = d.owner("GET", "/v1/tokens", None).json();
    assert!(listed.to_string().contains("\"aws/*\""), "{listed}");
    let mut agent = d.cli();
    agent.env("HQ_VAULT_TOKEN", &tok);
    let got = run_with(agent, &["get", "aws/key"], None);
    assert_eq!(got.stdout, b"aws-value-4", "{}", text(&got));
    let mut agent = d.cli();
    agent.env("HQ_VAULT_TOKEN", &tok);
    let sibling = run_with(agent, &["get", "awsx/key"], None);
    assert!(!sibling.status.success() && !text(&sibling).contains("awsx-value-5"), "{}", text(&sibling));
    // Advice a managed token can follow: not `token list` (owner only), and a folder outside the
    // scope is not called empty.
    assert!(text(&sibling).contains("ask the vault owner"), "{}", text(&sibling));
    assert!(!text(&sibling).contains("`hq-vault token list` shows"), "{}", text(&sibling));
    for cmd in [&["list", "awsx"][..], &["env-file", "awsx"], &["run", "--prefix", "awsx", "--", "true"]] {
        let mut agent = d.cli();
        agent.env("HQ_VAULT_TOKEN", &tok);
        let out = run_with(agent, cmd, None);
        assert!(text(&out).contains("under `awsx/` that this token may read"), "{cmd:?}: {}", text(&out));
    }
    // `aws*` would grant `awsx/` too: refused, with the folder forms to use instead.
    let star = d.run(&["token", "create", "--name", "star-scope", "--prefix", "aws*"], None);
    assert!(!star.status.success(), "{}", text(&star));
    assert!(text(&star).contains("give `aws` (the folder `aws/`)"), "{}", text(&star));
    // A whole listing by a scoped token says it is scoped (on stderr; the rows stay on stdout).
    let mut agent = d.cli();
    agent.env("HQ_VAULT_TOKEN", &tok);
    let all = run_with(agent, &["list"], None);
    assert_eq!(
        stdout(&all).lines().map(|l| l.split('\t').next().unwrap()).collect::<Vec<_>>(),
        ["aws/key"],
        "{}",
        text(&all)
    );
    assert!(
        String::from_utf8_lossy(&all.stderr)
            .contains("Only the secrets this credential may read are shown (a managed token's --prefix scope"),
        "{}",
        text(&all)
    );
    // `*` is every secret, and said so.
    let every = d.run(&["token", "create", "--name", "every", "--prefix", "*"], None);
    assert!(every.status.success() && text(&every).contains("scope all secrets"), "{}", text(&every));
}

#[test]
fn a_replacement_says_replaced_and_keeps_type_and_description() {
    let mut d = daemon();
    d.secrets.extend(["first-value-6".to_owned(), "second-value-7".to_owned(), "third-value-8".to_owned()]);
    let first =
        d.run(&["store", "svc/key", "--type", "api-key", "--description", "Stripe live"], Some(b"first-value-6"));
    assert_eq!(stdout(&first).trim(), "Stored: svc/key (13 bytes, type: api-key)", "{}", text(&first));
    let second = d.run(&["store", "svc/key"], Some(b"second-value-7"));
    assert!(second.status.success(), "{}", text(&second));
    assert_eq!(stdout(&second).trim(), "Replaced: svc/key (14 bytes, type: api-key)");
    let read = d.owner("GET", "/v1/secrets/svc/key", None).json();
    assert_eq!((read["type"].as_str(), read["description"].as_str()), (Some("api-key"), Some("Stripe live")));
    assert_eq!(read["value"], "second-value-7");
    // New metadata replaces the old, field by field.
    let third = d.run(&["store", "svc/key", "--type", "password"], Some(b"second-value-7"));
    assert_eq!(stdout(&third).trim(), "Replaced: svc/key (14 bytes, type: password)", "{}", text(&third));
    let read = d.owner("GET", "/v1/secrets/svc/key", None).json();
    assert_eq!((read["type"].as_str(), read["description"].as_str()), (Some("password"), Some("Stripe live")));
    // An empty description given clears it; the type stays.
    let cleared = d.run(&["store", "svc/key", "--description", ""], Some(b"second-value-7"));
    assert!(cleared.status.success(), "{}", text(&cleared));
    let read = d.owner("GET", "/v1/secrets/svc/key", None).json();
    assert_eq!((read["type"].as_str(), read["description"].as_str()), (Some("password"), None), "{read}");
    // --no-overwrite refuses, and the stored value stays.
    let refused = d.run(&["store", "svc/key", "--no-overwrite"], Some(b"third-value-8"));
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(
        text(&refused).contains("--no-overwrite") && text(&refused).contains("nothing was stored"),
        "{}",
        text(&refused)
    );
    assert_eq!(d.owner("GET", "/v1/secrets/svc/key", None).json()["value"], "second-value-7");
    let fresh = d.run(&["store", "svc/new", "--no-overwrite"], Some(b"third-value-8"));
    assert_eq!(stdout(&fresh).trim(), "Stored: svc/new (13 bytes, type: unspecified)", "{}", text(&fresh));
    // The API: 409 `exists`, audited as a refusal; `overwrite` takes only true or false.
    let put = |q: &str| {
        d.owner("PUT", &format!("/v1/secrets/svc/key{q}"), Some(serde_json::json!({"value": "third-value-8"})))
    };
    let a = put("?overwrite=false");
    assert_eq!((a.status, a.code()), (409, "exists".to_owned()));
    let last = audit_lines(&d).into_iter().rev().find(|l| l["op"] == "store").unwrap();
    assert_eq!((last["status"].as_u64(), last["outcome"].as_str()), (Some(409), Some("failed")), "{last}");
    assert_eq!(put("?overwrite=maybe").status, 400);
    // A refused input is audited too, with the status answered.
    let last = audit_lines(&d).into_iter().rev().find(|l| l["op"] == "store").unwrap();
    assert_eq!((last["status"].as_u64(), last["reason"].as_str()), (Some(400), Some("bad_query")), "{last}");
    assert_eq!(put("?overwrite=true").status, 200);
    d.assert_no_leaks();
}

#[test]
fn ingest_offers_no_overwrite() {
    let d = daemon();
    let help = std::process::Command::new(BIN).args(["ingest", "--help"]).output().unwrap();
    assert!(stdout(&help).contains("--no-overwrite"), "{}", text(&help));
    // Without a terminal ingest stops before asking; the flag itself is accepted.
    let out = d.run(&["ingest", "svc/key", "--no-overwrite"], None);
    assert!(!text(&out).contains("unexpected argument"), "{}", text(&out));
}

#[test]
fn audit_prints_a_table_and_json_on_request() {
    let mut d = daemon();
    d.store("tab/key", "table-value-9");
    let table = d.run(&["audit"], None);
    assert!(table.status.success(), "{}", text(&table));
    let t = stdout(&table);
    let mut lines = t.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["TIME", "ACTOR", "OP", "PATH", "IP", "STATUS"]);
    let store = t.lines().find(|l| l.contains("tab/key")).unwrap_or_else(|| panic!("{t}"));
    let cells: Vec<&str> = store.split_whitespace().collect();
    // TIME is a date and a time (two words), then actor, op, path, ip, outcome and status.
    assert_eq!(&cells[2..], ["bootstrap", "store", "tab/key", "127.0.0.1", "allowed", "201"], "{store}");
    assert!(cells[0].len() == 10 && cells[1].len() == 8, "{store}");
    // Columns line up under the header, and the daemon's own acts carry no status 0.
    let head_line = t.lines().next().unwrap();
    let (op_at, path_at) = (head_line.find("OP ").unwrap(), head_line.find("PATH ").unwrap());
    assert!(store[op_at..].starts_with("store ") && store[path_at..].starts_with("tab/key "), "{t}");
    // A long status (a refusal's reason, a resume's detail) comes last: the IP column stays put.
    let ip_at = head_line.find("IP ").unwrap();
    for l in t.lines().skip(1).filter(|l| l.contains("127.0.0.1")) {
        assert_eq!(l.find("127.0.0.1"), Some(ip_at), "{t}");
    }
    let resume = t.lines().find(|l| l.contains("audit-resume")).unwrap_or_else(|| panic!("no resume line: {t}"));
    assert!(!resume.split_whitespace().any(|c| c == "0"), "{resume}");
    assert!(!t.lines().any(|l| l.starts_with('{')), "{t}");
    assert!(!t.contains("table-value-9"));
    let json = d.run(&["audit", "--json"], None);
    let raw: Vec<serde_json::Value> = stdout(&json).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let file = audit_lines(&d);
    assert!(raw.len() >= 2 && raw[..] == file[..raw.len()], "the raw lines as in audit.log:\n{raw:?}\n{file:?}");
    assert!(raw.iter().any(|l| l["path"] == "tab/key" && l["status"] == 201));
}

#[test]
fn audit_tail_follows_in_the_table_format() {
    let mut d = daemon();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut tail =
        Kill(d.cli().args(["audit", "--tail"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap());
    // Read on a thread, so that a line that never comes fails the test after a bounded wait
    // instead of blocking on a `--tail` that never ends.
    let mut out = tail.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let read_until = |seen: &mut Vec<u8>, needle: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !String::from_utf8_lossy(seen).contains(needle) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(chunk) => seen.extend_from_slice(&chunk),
                Err(_) => panic!("`{needle}` never came: {}", String::from_utf8_lossy(seen)),
            }
        }
    };
    read_until(&mut seen, " unlock ");
    d.store("tail/new-line", "tail-value-10");
    read_until(&mut seen, "tail/new-line");
    drop(tail);
    let t = String::from_utf8_lossy(&seen).into_owned();
    let row = t.lines().find(|l| l.contains("tail/new-line")).unwrap();
    assert!(row.trim_end().ends_with(" allowed 201") && !row.contains('{'), "{t}");
    assert!(!t.contains("tail-value-10"));
}

#[test]
fn counts_use_the_singular_for_one() {
    let mut d = daemon();
    d.secrets.push("Z".into());
    let one = d.run(&["store", "one/byte"], Some(b"Z"));
    assert_eq!(stdout(&one).trim(), "Stored: one/byte (1 byte, type: unspecified)", "{}", text(&one));
    let list = d.run(&["list", "one"], None);
    assert!(stdout(&list).contains("\t1 byte\t"), "{}", text(&list));
    let out = d.dir.path().join("core.wasm");
    let comp = d.run(&["component", "--out", out.to_str().unwrap()], None);
    assert!(text(&comp).contains(" bytes)") && !text(&comp).contains("(1 bytes)"), "{}", text(&comp));
    d.stop();
    let doctor = d.run(&["doctor"], None);
    assert!(stdout(&doctor).contains("1 problem.") && !stdout(&doctor).contains("(s)"), "{}", stdout(&doctor));
}
