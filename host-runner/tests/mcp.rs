//! `hq-vault mcp` through a real MCP client: `tests/mcp_agent.py` (PyPI `mcp`, pinned in
//! scripts/setup) starts the server over stdio against a real daemon, lists the tools, calls each,
//! and acts as the person (submits the one-time page, types at a terminal). These tests check the
//! transcript: what each tool did, and that no stored value appears anywhere in it, in its bytes
//! or in any encoding a command printed it in.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE};
use common::*;
use serde_json::{Value, json};

fn which(tool: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{tool} is missing from PATH: run scripts/setup"))
}

/// 16 random bytes as hex: values no test could guess or find by chance.
fn random_hex() -> String {
    let mut b = [0u8; 16];
    std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom").unwrap(), &mut b).unwrap();
    hex::encode(b)
}

/// An MCP session: `hq-vault mcp ARGS` with `env`, driven through `steps`; the transcript and
/// the server's standard error.
fn session(d: &Daemon, args: &[&str], env: &[(&str, &str)], terminal: Option<&str>, steps: Value) -> (Value, String) {
    let n = random_hex();
    let scenario = d.dir.path().join(format!("mcp-{n}.json"));
    let transcript = d.dir.path().join(format!("mcp-{n}.transcript.json"));
    let stderr = d.dir.path().join(format!("mcp-{n}.stderr"));
    let mut server_env = json!({
        "HQ_VAULT_HOME": d.home(),
        "HQ_VAULT_URL": d.url,
    });
    for (k, v) in env {
        server_env[*k] = json!(v);
    }
    // The server (and the commands it runs) work in the test's own directory.
    let mut s = json!({
        "cwd": d.dir.path(),
        "command": BIN,
        "args": std::iter::once("mcp").chain(args.iter().copied()).collect::<Vec<_>>(),
        "env": server_env,
        "stderr": stderr,
        "steps": steps,
    });
    if let Some(t) = terminal {
        s["session"] = json!(t);
    }
    std::fs::write(&scenario, s.to_string()).unwrap();
    let agent = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp_agent.py");
    let out = Command::new(which("python3")).arg(agent).arg(&scenario).arg(&transcript).output().unwrap();
    let server_stderr = String::from_utf8_lossy(&std::fs::read(&stderr).unwrap_or_default()).into_owned();
    assert!(
        out.status.success(),
        "the MCP client failed: {}\nserver stderr: {server_stderr}",
        String::from_utf8_lossy(&out.stderr)
    );
    (serde_json::from_str(&std::fs::read_to_string(&transcript).unwrap()).unwrap(), server_stderr)
}

/// Every string in a JSON value, keys included, decoded (so a `"` in a value is a `"` here).
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out)
        }),
        _ => {}
    }
}

/// How a program prints a value, written here the way those programs write them (not with the
/// masker's own code): its bytes, base64 (standard, URL-safe; padded and not), hex, a JSON
/// string's contents (JSON.stringify and Python's json.dumps) and URL percent-encoding
/// (Python's `quote`, with and without `/` kept).
fn printed_forms(value: &str) -> Vec<String> {
    let quote = |safe: &'static str| {
        value
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) || safe.as_bytes().contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    let json = serde_json::to_string(value).unwrap();
    let ascii_json: String = json
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                c.encode_utf16(&mut [0; 2]).iter().map(|u| format!("\\u{u:04x}")).collect()
            }
        })
        .collect();
    vec![
        value.to_owned(),
        STANDARD.encode(value),
        STANDARD_NO_PAD.encode(value),
        URL_SAFE.encode(value),
        hex::encode(value),
        hex::encode_upper(value),
        json[1..json.len() - 1].to_owned(),
        ascii_json[1..ascii_json.len() - 1].to_owned(),
        quote(""),
        quote("/"),
    ]
}

/// No value of `values`, in any form a program prints it in, is anywhere in `transcript`.
fn assert_no_value(transcript: &Value, server_stderr: &str, values: &[&str]) {
    let mut all = Vec::new();
    strings(transcript, &mut all);
    all.push(server_stderr.to_owned());
    for value in values {
        for form in printed_forms(value) {
            for s in &all {
                assert!(!s.contains(&form), "a value ({form:?}, a form of a stored value) was returned: {s:?}");
            }
        }
    }
}

fn tool_names(t: &Value) -> Vec<String> {
    let mut names: Vec<String> =
        t["tools"]["tools"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap().to_owned()).collect();
    names.sort();
    names
}

fn text_of(result: &Value) -> String {
    result["content"].as_array().unwrap().iter().filter_map(|c| c["text"].as_str()).collect::<Vec<_>>().join("\n")
}

fn is_error(result: &Value) -> bool {
    result["isError"] == true
}

fn run_step(prefix: &str, command: &[&str]) -> Value {
    json!({"call": "run_with_secrets", "args": {"prefix": prefix, "command": command}})
}

#[test]
fn no_tool_returns_a_value_even_when_the_command_prints_it() {
    let mut d = daemon();
    let api_key = format!("sk_live_{}", random_hex());
    // JSON and URL escapes, a space, a slash, non-ASCII.
    let password = format!("pa55 \"w0rd\"/?&=+%\\ é-{}", &random_hex()[..8]);
    for (path, value) in [("svc/api-key", api_key.as_str()), ("svc/db-password", &password)] {
        assert_eq!(d.store(path, value).status, 201);
    }
    // A single quote, HTML's specials and non-ASCII, in a folder of its own.
    let quoted = format!("it's-<tag>&\"x\"-café-{}", &random_hex()[..8]);
    assert_eq!(d.store("quo/secret", &quoted).status, 201);
    // How shells, Python, Node and coreutils print a value: every line must come back masked.
    let printers = |names: &str| {
        format!(
            "for n in {names}; do declare -p $n; printf '%q\\n' \"${{!n}}\"; (set -x; : \"${{!n}}\") 2>&1; \
             LC_ALL=C.UTF-8 bash -c 'declare -p \"$0\"; printf \"%q\\n\" \"${{!0}}\"; (set -x; : \"${{!0}}\") 2>&1' $n; \
             python3 -c 'import os, sys, shlex, html; v = os.environ[sys.argv[1]]; b = v.encode()
print(repr(v)); print(ascii(v)); print(b); print(shlex.quote(v)); print(html.escape(v)); print(b.hex(\" \")); print(b.hex(\":\").upper())' $n; \
             node -e 'const v = process.env[process.argv[1]]; console.log(encodeURI(v)); console.log(Buffer.from(v))' $n; \
             printf %s \"${{!n}}\" | base32 -w0; echo; done"
        )
    };
    // Too short to look for anywhere (`42` is in every timestamp), so not among `d.secrets`.
    assert_eq!(d.owner("PUT", "/v1/secrets/tiny/pin", Some(json!({"value": "42"}))).status, 201);
    let person = format!("typed-by-the-person-{}", random_hex());
    let marker = d.dir.path().join("short-secret-ran");
    let one_byte_at_a_time = "import os, sys, time\nv = os.environ['API_KEY'].encode()\nfor i in range(len(v)):\n    sys.stdout.buffer.write(v[i:i+1]); sys.stdout.flush(); time.sleep(0.003)";
    let encodings = "import os, json, base64, urllib.parse as u\nfor name in ('API_KEY', 'DB_PASSWORD'):\n    v = os.environ[name]\n    b = v.encode()\n    print(b.hex()); print(b.hex().upper()); print(json.dumps({'v': v})); print(json.dumps({'v': v}, ensure_ascii=False))\n    print(u.quote(v)); print(u.quote(v, safe='')); print(base64.urlsafe_b64encode(b).decode())\n    print(base64.b64encode(b).decode()); print(base64.b64encode(b'K=' + b).decode()); print(base64.b64encode(b'KE=' + b).decode())";
    let owner = d.token();
    // The server's token, in a file of its own outside the home (`--token-file`).
    let token_file = d.dir.path().join("agent-token");
    std::fs::write(&token_file, format!("{owner}\n")).unwrap();
    // Where a tmux or X11 socket would be: a private /tmp hides it.
    let in_tmp = std::env::temp_dir().join(format!("hq-vault-socket-{}", random_hex()));
    std::fs::write(&in_tmp, "").unwrap();
    // Not in the folder the commands get: no command may print it.
    let other = format!("other-folder-{}", random_hex());
    assert_eq!(d.store("other/secret", &other).status, 201);
    // What a command run for the agent would try, were it hostile: the server's token in its
    // environment, the home's token file, the server's token file, the CLI (which reads the
    // home's), the environment of every process it can see, the server's descriptor 1, and
    // planting something in the user's home for the person to run later.
    let reach_for_credentials = format!(
        "echo \"token=${{HQ_VAULT_TOKEN:-unset}}\"; cat \"$HQ_VAULT_HOME/token\"; echo \"home entries: $(ls -A \"$HQ_VAULT_HOME\" | wc -l)\"; \
         echo \"token file bytes: $(cat {tf} | wc -c)\"; test -e {tmp} || echo 'tmp: private'; \
         {BIN} get other/secret; echo \"environments with a token: $(cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c '^HQ_VAULT_TOKEN=')\"; \
         touch \"$HOME/.hq-vault-planted\" 2>/dev/null || echo 'home: read-only'; touch ./written && echo 'working directory: writable'; \
         echo 'not the protocol' >> /proc/$PPID/fd/1",
        tf = token_file.display(),
        tmp = in_tmp.display()
    );
    let steps = json!([
        /* 0 */ {"call": "secrets_list", "args": {"prefix": "svc"}},
        /* 1 */ run_step("svc", &["sh", "-c", "printf '%s\\n' \"$API_KEY\"; printf 'err:%s' \"$DB_PASSWORD\" >&2"]),
        /* 2 */ run_step("svc/", &["python3", "-c", one_byte_at_a_time]),
        /* 3 */ run_step("svc", &["sh", "-c", "printf %s \"$API_KEY\" | base64 -w0; echo; printf 'KEY=%s' \"$API_KEY\" | base64 -w0; echo"]),
        /* 4 */ run_step("svc", &["python3", "-c", encodings]),
        /* 5 */ run_step("svc", &["sh", "-c", "echo out; exit 3"]),
        /* 6 */ run_step("svc", &["/nonexistent/program"]),
        /* 7 */ {"call": "run_with_secrets", "args": {"prefix": "svc", "command": ["sh", "-c", "echo started; sleep 60"], "timeout_seconds": 1}},
        /* 8 */ {"call": "run_with_secrets", "args": {"prefix": "svc", "command": ["sh", "-c", "yes 0123456789 | head -c 300000; printf 'end:%s' \"$API_KEY\""], "max_output_bytes": 2048}},
        /* 9 */ run_step("svc", &["sh", "-c", &reach_for_credentials]),
        /* 10 */ run_step("tiny", &["touch", marker.to_str().unwrap()]),
        /* 11 */ {"call": "secret_request", "args": {"path": "new/stripe-key", "type": "api-key", "description": "Stripe live key"}},
        /* 12 */ {"post": 11, "value": person},
        /* 13 */ {"call": "secret_request", "args": {"path": "new/stripe-key"}},
        /* 14 */ {"call": "secret_request", "args": {"path": "new/other"}},
        /* 15 */ {"call": "secret_request", "args": {"path": "new/other", "wait_seconds": 1}},
        /* 16 */ run_step("svc", &["bash", "-c", &printers("API_KEY DB_PASSWORD")]),
        /* 17 */ run_step("quo", &["bash", "-c", &printers("SECRET")]),
    ]);
    let (t, stderr) = session(&d, &["--token-file", token_file.to_str().unwrap()], &[], None, steps);
    let r = t["steps"].as_array().unwrap();

    assert_eq!(tool_names(&t), ["run_with_secrets", "secret_request", "secrets_list"], "no files tools without a key");
    assert_eq!(t["initialize"]["serverInfo"]["name"], "hq-vault");

    // secrets_list: metadata of one folder.
    let listed = &r[0]["structuredContent"];
    assert_eq!(listed["prefix"], "svc/");
    let paths: Vec<&str> = listed["secrets"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["svc/api-key", "svc/db-password"]);
    assert_eq!(listed["secrets"][0]["size"], api_key.len());

    // Plain output, both streams.
    let out = &r[1]["structuredContent"];
    assert_eq!(out["exit_code"], 0, "{}", r[1]);
    assert_eq!(out["stdout"], "<hq-vault:API_KEY>\n");
    assert_eq!(out["stderr"], "err:<hq-vault:DB_PASSWORD>");
    // Split across writes, one byte each.
    assert_eq!(r[2]["structuredContent"]["stdout"], "<hq-vault:API_KEY>", "{}", r[2]);
    // base64 from coreutils: of the value alone, and inside `KEY=value`.
    let b64 = r[3]["structuredContent"]["stdout"].as_str().unwrap();
    let lines: Vec<&str> = b64.lines().collect();
    assert_eq!(lines[0], "<hq-vault:API_KEY>", "the value encoded alone, padding and all: {b64}");
    assert!(lines[1].contains("<hq-vault:API_KEY>") && lines[1].starts_with("S0VZP"), "{b64}");
    let unmasked = STANDARD.encode(format!("KEY={api_key}"));
    assert!(!b64.contains(&unmasked[6..unmasked.len() - 4]), "{b64}");
    // hex, JSON, URL and base64 forms from Python: every line masked.
    let enc = r[4]["structuredContent"]["stdout"].as_str().unwrap();
    assert_eq!(enc.lines().count(), 20, "{enc}");
    for line in enc.lines() {
        assert!(line.contains("<hq-vault:API_KEY>") || line.contains("<hq-vault:DB_PASSWORD>"), "unmasked: {line}");
    }

    // Exit status, a program that is not there, the time limit, the output bound.
    assert_eq!(r[5]["structuredContent"]["exit_code"], 3);
    assert_eq!(r[5]["structuredContent"]["stdout"], "out\n");
    assert!(is_error(&r[6]), "{}", r[6]);
    assert_eq!(r[6]["structuredContent"]["exit_code"], 127);
    assert!(r[6]["structuredContent"]["stderr"].as_str().unwrap().contains("/nonexistent/program"));
    let timed = &r[7]["structuredContent"];
    assert!(timed["ended"].as_str().unwrap().contains("timed out after 1 s"), "{}", r[7]);
    assert_eq!(timed["exit_code"], Value::Null);
    assert_eq!(timed["stdout"], "started\n");
    assert!(r[7]["seconds"].as_f64().unwrap() < 30.0, "the time limit ended it: {}", r[7]["seconds"]);
    let big = &r[8]["structuredContent"];
    let kept = big["stdout"].as_str().unwrap();
    assert!(kept.starts_with("0123456789\n0123456789\n") && kept.ends_with("end:<hq-vault:API_KEY>"), "{kept}");
    let masked_len = 300_000 + "end:<hq-vault:API_KEY>".len();
    assert!(kept.contains(&format!("[hq-vault: {} bytes of output left out here]", masked_len - 2048)), "{kept}");
    assert!(big["notes"][0].as_str().unwrap().contains("left out in the middle"), "{big}");

    // The command is isolated: no token in its environment, an empty home, no CLI token, no
    // process of the server in sight (what it writes to its parent's descriptor 1 is its own output).
    let reached = &r[9]["structuredContent"];
    assert_eq!(
        reached["stdout"],
        "token=unset\nhome entries: 0\ntoken file bytes: 0\ntmp: private\nenvironments with a token: 0\nhome: read-only\nworking directory: writable\nnot the protocol\n",
        "{}",
        r[9]
    );
    assert!(d.dir.path().join("written").exists(), "the working directory is the real one");
    let user_home = std::env::var("HOME").unwrap();
    assert!(!Path::new(&user_home).join(".hq-vault-planted").exists());
    std::fs::remove_file(&in_tmp).unwrap();
    let errors = reached["stderr"].as_str().unwrap();
    assert!(errors.contains("token") && errors.contains("No such file"), "{errors}");
    assert!(!stderr.contains("not the protocol"), "{stderr}");

    // A value too short to mask: nothing runs.
    assert!(is_error(&r[10]), "{}", r[10]);
    assert!(text_of(&r[10]).contains("PIN shorter than 4 bytes"), "{}", r[10]);
    assert!(!marker.exists(), "the command ran although a value could not be masked");

    // secret_request: the link, the person's submit, then only the `Stored:` line.
    let first = text_of(&r[11]);
    assert!(first.contains("Nothing is stored yet") && first.contains("https://127.0.0.1:"), "{first}");
    assert_eq!(r[12]["post"]["status"], 200, "{}", r[12]);
    assert_eq!(text_of(&r[13]), format!("Stored: new/stripe-key ({} bytes, type: api-key)", person.len()));
    let stored = d.owner("GET", "/v1/secrets/new/stripe-key", None).json();
    assert_eq!(stored["value"], person.as_str());
    assert_eq!(stored["description"], "Stripe live key");
    // Nobody submits: the call waits, then says so; the page stays open.
    assert!(text_of(&r[14]).contains("Nothing is stored yet"));
    let waited = text_of(&r[15]);
    assert!(waited.starts_with("Not stored yet") && waited.contains("https://127.0.0.1:"), "{waited}");
    assert_eq!(d.owner("GET", "/v1/secrets/new/other", None).status, 404);

    d.secrets.push(person.clone());
    // Shell quoting (in the C locale and in C.UTF-8, where bash keeps non-ASCII characters), Python's
    // repr, ascii, bytes, shlex and html, Node's encodeURI and Buffer, spaced hex and base32: 16
    // lines for each value, each masked.
    for (step, values) in [(16, 2), (17, 1)] {
        let out = r[step]["structuredContent"]["stdout"].as_str().unwrap();
        assert_eq!(out.lines().count(), 16 * values, "{}", r[step]);
        for line in out.lines() {
            assert!(line.contains("<hq-vault:"), "unmasked: {line}\n{}", r[step]);
        }
    }
    assert_no_value(&t, &stderr, &[&api_key, &password, &person, &owner, &other, &quoted]);
    d.assert_no_leaks();
}

/// Without bubblewrap, `run_with_secrets` runs nothing (a command could read the vault's token);
/// with `--allow-unisolated-run` it runs, the server says so at start, and what the command writes
/// to the server's descriptor 1 lands on the server's standard error, never in the protocol.
#[test]
fn without_isolation_nothing_runs_unless_the_person_allowed_it() {
    let mut d = daemon();
    assert_eq!(d.store("svc/api-key", &format!("sk_live_{}", random_hex())).status, 201);
    let marker = d.dir.path().join("ran");
    let touch = which("touch");
    let step = run_step("svc", &[touch.to_str().unwrap(), marker.to_str().unwrap()]);
    // A PATH without bwrap (the program is named by its full path).
    let (t, stderr) = session(&d, &[], &[("PATH", "/nonexistent")], None, json!([step]));
    let refused = &t["steps"][0];
    assert!(is_error(refused), "{refused}");
    let why = text_of(refused);
    assert!(why.contains("bubblewrap (`bwrap`) is not installed") && why.contains("Nothing was run"), "{why}");
    assert!(why.contains("apt install bubblewrap") && why.contains("--allow-unisolated-run"), "{why}");
    assert!(stderr.contains("will refuse every command"), "{stderr}");
    assert!(!marker.exists(), "a command ran without isolation");

    let sh = which("sh");
    let echo_to_server =
        run_step("svc", &[sh.to_str().unwrap(), "-c", "echo 'not the protocol' >> /proc/$PPID/fd/1; echo done"]);
    let (t, stderr) =
        session(&d, &["--allow-unisolated-run"], &[("PATH", "/nonexistent")], None, json!([step, echo_to_server]));
    assert_eq!(t["steps"][0]["structuredContent"]["exit_code"], 0, "{}", t["steps"][0]);
    assert!(marker.exists(), "allowed, it ran");
    assert!(stderr.contains("WITHOUT isolation"), "{stderr}");
    assert_eq!(t["steps"][1]["structuredContent"]["stdout"], "done\n", "{}", t["steps"][1]);
    assert!(stderr.contains("not the protocol"), "descriptor 1 of the server is its standard error: {stderr}");
    d.assert_no_leaks();
}

/// A token given in `HQ_VAULT_TOKEN` is written in the agent's MCP configuration, which a command
/// could read: `run_with_secrets` runs nothing and says what to do; the other tools work.
#[test]
fn a_token_from_the_environment_runs_no_command() {
    let mut d = daemon();
    assert_eq!(d.store("svc/api-key", &format!("sk_live_{}", random_hex())).status, 201);
    let owner = d.token();
    let steps = json!([
        run_step("svc", &["touch", "ran"]),
        {"call": "secrets_list", "args": {"prefix": "svc"}},
    ]);
    let (t, _) = session(&d, &[], &[("HQ_VAULT_TOKEN", &owner)], None, steps);
    let refused = &t["steps"][0];
    assert!(is_error(refused), "{refused}");
    let why = text_of(refused);
    assert!(why.contains("came from HQ_VAULT_TOKEN") && why.contains("--token-file"), "{why}");
    assert!(!d.dir.path().join("ran").exists(), "the command ran");
    assert_eq!(t["steps"][1]["structuredContent"]["secrets"][0]["path"], "svc/api-key");
}

/// An empty `--token-file` is named for what it is, with what to write into it; the server does
/// not start.
#[test]
fn an_empty_token_file_is_said_so_at_start() {
    let d = daemon();
    let empty = d.dir.path().join("empty-token");
    std::fs::write(&empty, "\n").unwrap();
    let out = d.cli().args(["mcp", "--token-file"]).arg(&empty).stdin(std::process::Stdio::null()).output().unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains(&format!("{} is empty: write the agent's token into it", empty.display())), "{t}");
    assert!(!t.contains("restart `hq-vault serve`"), "{t}");
}

/// A server holding a managed token (which may only read) neither opens a page nor prompts for a
/// value it could never store; it says why at once.
#[test]
fn secret_request_with_a_read_only_token_asks_nobody() {
    let d = daemon();
    let created = d.owner("POST", "/v1/tokens", Some(json!({"name": "reader", "prefix": ["svc/"]})));
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    let managed = created.json()["token"].as_str().unwrap().to_owned();
    let steps = json!([{"call": "secret_request", "args": {"path": "svc/new-key"}}]);
    let (t, stderr) = session(&d, &[], &[("HQ_VAULT_TOKEN", &managed)], None, steps);
    let r = &t["steps"][0];
    assert!(is_error(r), "{r}");
    assert!(text_of(r).contains("may only read secrets") && text_of(r).contains("nothing was asked"), "{r}");
    assert!(!text_of(r).contains("https://127.0.0.1:"), "no page was opened: {r}");
    assert!(!stderr.contains("is open at"), "{stderr}");
}

#[test]
fn secret_request_asks_at_the_terminal_and_falls_back_to_the_page_without_one() {
    let d = daemon();
    let value = format!("typed-at-the-terminal-{}", random_hex());
    let steps = json!([{"call": "secret_request", "args": {"path": "term/key", "type": "password"}, "type": value}]);
    let (t, stderr) = session(&d, &["--ask", "terminal"], &[], Some("tty"), steps);
    let r = &t["steps"][0];
    assert_eq!(text_of(r), format!("Stored: term/key ({} bytes, type: password)", value.len()), "{r}");
    let terminal = t["terminal"].as_str().unwrap();
    assert!(terminal.contains("Value for term/key (hidden): "), "the prompt is on the terminal: {terminal:?}");
    assert!(!terminal.contains(&value), "the value is not echoed: {terminal:?}");
    assert_eq!(d.owner("GET", "/v1/secrets/term/key", None).json()["value"], value.as_str());
    assert_no_value(&t, &stderr, &[&value]);

    // No controlling terminal: the page, and a word on why.
    let steps = json!([{"call": "secret_request", "args": {"path": "term/other"}}]);
    let (t, _) = session(&d, &["--ask", "terminal"], &[], Some("none"), steps);
    let text = text_of(&t["steps"][0]);
    assert!(text.contains("no terminal to ask on") && text.contains("https://127.0.0.1:"), "{text}");
}

#[test]
fn an_expired_page_stores_nothing() {
    let d = daemon();
    let steps = json!([
        {"call": "secret_request", "args": {"path": "late/key"}},
        {"call": "secret_request", "args": {"path": "late/key", "wait_seconds": 30}},
        {"post": 0, "value": "too-late-value"},
        {"call": "secret_request", "args": {"path": "late/key"}},
    ]);
    let (t, _) = session(&d, &["--page-expires", "2s"], &[], None, steps);
    let r = t["steps"].as_array().unwrap();
    assert!(is_error(&r[1]), "{}", r[1]);
    assert!(text_of(&r[1]).contains("expired before a value was stored: nothing was stored"), "{}", r[1]);
    assert!(r[1]["seconds"].as_f64().unwrap() < 25.0, "it answered when the page expired");
    assert_ne!(r[2]["post"]["status"], 200, "the expired page takes nothing: {}", r[2]);
    assert_eq!(d.owner("GET", "/v1/secrets/late/key", None).status, 404);
    assert!(text_of(&r[3]).contains("Nothing is stored yet"), "a new page: {}", r[3]);
}

#[test]
fn files_tools_read_company_files_through_a_connection_key() {
    let mut d = daemon();
    let root = d.home().join("files");
    let notes = "# Meeting notes\nCafé ünïcode, quarterly plan.\n";
    let png: Vec<u8> = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\x00binary".to_vec();
    let big: String = (0..30_000).map(|i| format!("line {i:05}\n")).collect();
    for (key, bytes) in [
        ("knowledge/Meeting notes (draft).md", notes.as_bytes()),
        ("knowledge/logo.png", &png[..]),
        ("knowledge/big.txt", big.as_bytes()),
        ("knowledge/cut.txt", "aé".as_bytes()),
        ("private/salaries.md", b"not granted"),
    ] {
        let p = root.join(key);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let c = d.owner("POST", "/v1/connections", Some(json!({"name": "agent", "patterns": ["knowledge/"]})));
    assert_eq!(c.status, 201);
    let key = c.json()["key"].as_str().unwrap().to_owned();
    let api_key = format!("sk_{}", random_hex());
    d.store("svc/api-key", &api_key);
    // No HQ_CONNECTION_CA_CERT: the local daemon's connection is trusted through the home's CA.
    let env = [("HQ_CONNECTION_URL", d.url.as_str()), ("HQ_CONNECTION_KEY", key.as_str())];
    // The agent's MCP configuration names the key, in a file a command can read.
    let config = d.dir.path().join("mcp.json");
    std::fs::write(&config, json!({"env": {"HQ_CONNECTION_KEY": key}}).to_string()).unwrap();
    let read_config = format!("cat {}", config.display());
    let steps = json!([
        /* 0 */ {"call": "files_list", "args": {"path": "knowledge/"}},
        /* 1 */ {"call": "files_list", "args": {"path": "", "delimiter": "/"}},
        /* 2 */ {"call": "files_list", "args": {"path": "knowledge/", "limit": 2}},
        /* 3 */ {"call": "files_read", "args": {"path": "knowledge/Meeting notes (draft).md"}},
        /* 4 */ {"call": "files_read", "args": {"path": "knowledge/logo.png"}},
        /* 5 */ {"call": "files_read", "args": {"path": "knowledge/big.txt", "max_bytes": 1000}},
        /* 6 */ {"call": "files_read", "args": {"path": "knowledge/big.txt", "offset": 1000, "max_bytes": 1000}},
        /* 7 */ {"call": "files_read", "args": {"path": "knowledge/cut.txt", "max_bytes": 2}},
        /* 8 */ {"call": "files_read", "args": {"path": "private/salaries.md"}},
        /* 9 */ {"call": "files_read", "args": {"path": "knowledge/missing.md"}},
        /* 10 */ run_step("svc", &["sh", "-c", "echo \"key=${HQ_CONNECTION_KEY:-unset}\""]),
        /* 11 */ {"call": "files_read", "args": {"path": "knowledge/big.txt", "offset": 10_000_000}},
        /* 12 */ run_step("svc", &["sh", "-c", &read_config]),
    ]);
    let (t, stderr) = session(&d, &[], &env, None, steps);
    let r = t["steps"].as_array().unwrap();
    assert_eq!(tool_names(&t), ["files_list", "files_read", "run_with_secrets", "secret_request", "secrets_list"]);

    let keys = |v: &Value| -> Vec<String> {
        v["structuredContent"]["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["key"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        keys(&r[0]),
        ["knowledge/Meeting notes (draft).md", "knowledge/big.txt", "knowledge/cut.txt", "knowledge/logo.png"],
        "{}",
        r[0]
    );
    assert_eq!(r[1]["structuredContent"]["prefixes"], json!(["knowledge/"]), "{}", r[1]);
    assert_eq!(keys(&r[2]).len(), 2);
    assert_eq!(r[2]["structuredContent"]["truncated"], true);
    assert!(r[2]["structuredContent"]["cursor"].is_string());

    assert_eq!(text_of(&r[3]), notes, "a text file as its text, whole");
    let blob = &r[4]["content"][0]["resource"];
    assert_eq!(blob["mimeType"], "image/png", "{}", r[4]);
    assert_eq!(STANDARD.decode(blob["blob"].as_str().unwrap()).unwrap(), png, "a binary file as base64");
    assert!(text_of(&r[4]).contains("is not text"));
    let first = r[5]["content"][0]["text"].as_str().unwrap();
    assert_eq!(first, &big[..1000]);
    assert!(
        text_of(&r[5])
            .contains(&format!("1000 bytes from offset 0 shown, of {}; call files_read with offset 1000", big.len()))
    );
    assert_eq!(r[6]["content"][0]["text"], &big[1000..2000]);
    // A character cut by the limit is left for the next read.
    assert_eq!(r[7]["content"][0]["text"], "a");
    assert!(text_of(&r[7]).contains("1 byte from offset 0 shown"), "{}", r[7]);
    assert!(text_of(&r[7]).contains("offset 1 for more"), "{}", r[7]);
    assert!(is_error(&r[8]) && text_of(&r[8]).contains("outside this connection"), "{}", r[8]);
    assert!(is_error(&r[9]), "{}", r[9]);
    assert_eq!(r[10]["structuredContent"]["stdout"], "key=unset\n", "the connection key is withheld too");
    assert!(
        !is_error(&r[11]) && text_of(&r[11]).contains("past its end"),
        "past the end: nothing, no error: {}",
        r[11]
    );

    // This server's own credentials are masked like the folder's values.
    assert_eq!(
        r[12]["structuredContent"]["stdout"], "{\"env\":{\"HQ_CONNECTION_KEY\":\"<hq-vault:HQ_CONNECTION_KEY>\"}}",
        "{}",
        r[12]
    );

    assert_no_value(&t, &stderr, &[&api_key, &key]);
}
