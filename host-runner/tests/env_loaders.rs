//! `env-file` read back by the real loaders (docs/audit-and-keys.md and the README's security model): values are written through the real
//! daemon, each format is produced by the real CLI, and python-dotenv, npm `dotenv`,
//! `@dotenvx/dotenvx`, `node --env-file`, `sh` (`eval` of `export`) and a JSON parser read them
//! back. Every value must come back byte for byte, or be refused with its variable's name; no
//! value may add a variable or run a command. A missing loader fails the test (scripts/setup
//! installs them all).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use common::*;
use serde_json::{Value, json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

/// A tool on PATH, or a loud failure.
fn which(tool: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{tool} is missing from PATH: run scripts/setup"))
}

type Readings = BTreeMap<&'static str, BTreeMap<String, BTreeMap<String, Value>>>;

/// Values a careful user has: each must be carried by `dotenv` (true) or refused (false).
fn crafted(marker: &Path) -> Vec<(String, Option<bool>)> {
    let m = marker.display();
    let accept = |s: &str| (s.to_owned(), Some(true));
    let refuse = |s: &str| (s.to_owned(), Some(false));
    let either = |s: &str| (s.to_owned(), None);
    vec![
        accept("plain-value-123"),
        accept("say \"hi\""),
        accept("it's"),
        accept("it's\nmulti\nline"),
        accept("C:\\Users\\new\\table"),
        accept("back\\slash \\n \\t \\x \\\" not escapes"),
        accept("pa$$word $HOME $1 $(not run)"),
        accept(&format!("$(touch {m}-dollar)")),
        accept(&format!("`touch {m}-backtick`")),
        accept("a #not-a-comment # still"),
        accept("a=b==c"),
        accept("line1\nline2\n\nline4\n"),
        accept("\n"),
        accept("café ☃ 𝄞 ünïcödé"),
        accept("  leading and trailing  "),
        accept("\ttab\tseparated\t"),
        accept("\u{1}\u{b}\u{c}\u{1b}[0m\u{7f}"),
        accept("a\u{2028}b\u{2029}c\u{85}d"),
        accept("\u{feff}bom"),
        accept("{\"json\": [1, \"two\", {\"k\": \"v\"}]}"),
        accept("-----BEGIN PRIVATE KEY-----\nMIIB+/=\n-----END PRIVATE KEY-----\n"),
        accept("postgres://user:p%40ss@db:5432/app?sslmode=require"),
        accept("encrypted:not-really"),
        // Attempts to add a variable: a newline, then a line that would be read as one.
        accept("x\nINJECTED_BY_VALUE=pwned"),
        accept("x\nexport INJECTED_BY_VALUE=pwned\n"),
        accept("x\"\nINJECTED_BY_VALUE=pwned\n\""),
        accept("x`\nINJECTED_BY_VALUE=pwned\n`"),
        accept("x' #\nINJECTED_BY_VALUE=pwned"),
        either("x'\nINJECTED_BY_VALUE=pwned\nY='"),
        either("'\"\nINJECTED_BY_VALUE=pwned\n\"'"),
        either("x\\'\nINJECTED_BY_VALUE=pwned\n'"),
        // No one quoting carries these for every loader.
        refuse("carriage\rreturn"),
        refuse("windows\r\nline"),
        refuse("${HOME}"),
        refuse("x${INJECTED_BY_VALUE:-pwned}"),
        refuse("double\\\\backslash"),
        refuse("ends in a backslash\\"),
        refuse("it's \"both\""),
        refuse("it's $5"),
        refuse("it's a \\ too"),
    ]
}

/// Deterministic awkward values (xorshift), from tokens the loaders treat specially.
fn random_values(n: usize) -> Vec<(String, Option<bool>)> {
    const TOKENS: &[&str] = &[
        "a",
        "Z",
        "0",
        " ",
        "'",
        "\"",
        "\\",
        "$",
        "{",
        "}",
        "(",
        ")",
        "`",
        "#",
        "=",
        "\n",
        "\r",
        "\t",
        "é",
        "☃",
        "𝄞",
        "\u{2028}",
        ":",
        "-",
        "n",
        "r",
        "export ",
        "X=",
        "encrypted:",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..n)
        .map(|_| {
            let len = 1 + (next() % 9) as usize;
            let v: String = (0..len).map(|_| TOKENS[(next() % TOKENS.len() as u64) as usize]).collect();
            (v, None)
        })
        .collect()
}

struct Setup {
    d: Daemon,
    values: Vec<(String, Option<bool>)>,
    work: PathBuf,
}

fn put(d: &Daemon, path: &str, value: &str) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(value.as_bytes());
    let a = d.owner("PUT", &format!("/v1/secrets/{path}"), Some(json!({ "value_base64": b64 })));
    assert!(a.status == 201 || a.status == 200, "PUT {path}: {}", String::from_utf8_lossy(&a.body));
}

fn name(i: usize) -> String {
    format!("SECRET_{i}")
}

/// Every loader's reading of each file, as {file: {name: value}} per loader.
fn read_with_loaders(files: &[PathBuf], work: &Path) -> Readings {
    let mut out = BTreeMap::new();
    let list = work.join("files.json");
    std::fs::write(&list, serde_json::to_vec(&files).unwrap()).unwrap();
    // python-dotenv, as `load_dotenv`/`dotenv_values` read (interpolation on, the default).
    let py = work.join("py.json");
    let script = "import json, sys\ntry:\n    import dotenv\nexcept ImportError:\n    sys.exit('python-dotenv is missing: run scripts/setup')\nfiles = json.load(open(sys.argv[1]))\njson.dump({f: dict(dotenv.dotenv_values(f)) for f in files}, open(sys.argv[2], 'w'))\n";
    let o = Command::new(which("python3")).arg("-c").arg(script).arg(&list).arg(&py).output().unwrap();
    assert!(o.status.success(), "python-dotenv failed: {}", text(&o));
    out.insert("python-dotenv", serde_json::from_slice(&std::fs::read(&py).unwrap()).unwrap());
    // npm dotenv and dotenvx, the versions package.json pins.
    let modules = repo().join("node_modules");
    for (loader, module, call) in
        [("dotenv", "dotenv", "m.parse(src)"), ("dotenvx", "@dotenvx/dotenvx", "m.parse(src, { processEnv: {} })")]
    {
        let dir = modules.join(module);
        assert!(dir.is_dir(), "{} is missing: run scripts/setup (npm ci)", dir.display());
        let res = work.join(format!("{loader}.json"));
        let js = format!(
            "const fs = require('fs'); const m = require({dir:?}); const out = {{}};\n\
             for (const f of JSON.parse(fs.readFileSync({list:?}, 'utf8'))) {{ const src = fs.readFileSync(f); out[f] = {call}; }}\n\
             fs.writeFileSync({res:?}, JSON.stringify(out));",
            dir = dir.display().to_string(),
            list = list.display().to_string(),
            res = res.display().to_string(),
        );
        let o = Command::new(which("node")).arg("-e").arg(&js).output().unwrap();
        assert!(o.status.success(), "{loader} failed: {}", text(&o));
        out.insert(loader, serde_json::from_slice(&std::fs::read(&res).unwrap()).unwrap());
    }
    // Node's own loader, one process per file, in an empty environment.
    let mut node = BTreeMap::new();
    for f in files {
        let o = Command::new(which("node"))
            .arg(format!("--env-file={}", f.display()))
            .arg("-e")
            .arg("process.stdout.write(JSON.stringify(process.env))")
            .env_clear()
            .output()
            .unwrap();
        assert!(o.status.success(), "node --env-file={} failed: {}", f.display(), text(&o));
        node.insert(f.display().to_string(), serde_json::from_slice(&o.stdout).unwrap());
    }
    out.insert("node --env-file", node);
    out
}

fn setup(label: &str) -> Setup {
    let d = daemon();
    let work = d.dir.path().join(label);
    std::fs::create_dir_all(&work).unwrap();
    let mut values = crafted(&work.join("pwned"));
    values.extend(random_values(120));
    Setup { d, values, work }
}

#[test]
fn dotenv_is_read_back_exactly_by_every_loader_or_refused_by_name() {
    let Setup { d, values, work } = setup("dotenv");
    let mut accepted = Vec::new();
    let mut files = Vec::new();
    for (i, (v, expect)) in values.iter().enumerate() {
        put(&d, &format!("one{i}/secret-{i}"), v);
        let out = d.run(&["env-file", &format!("one{i}/")], None);
        let shown = format!("value {i} {v:?}");
        match expect {
            Some(true) => assert!(out.status.success(), "{shown} was refused: {}", text(&out)),
            Some(false) => assert!(!out.status.success(), "{shown} was written: {}", text(&out)),
            None => {}
        }
        if out.status.success() {
            let f = work.join(format!("one{i}.env"));
            std::fs::write(&f, &out.stdout).unwrap();
            files.push(f);
            accepted.push(i);
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.stdout.is_empty(), "{shown}: a refusal writes nothing");
            assert!(err.contains(&format!("  {}: ", name(i))), "{shown}: the refusal names the variable: {err}");
            assert!(err.contains("--format json") && err.contains("export"), "{shown}: {err}");
        }
    }
    assert!(accepted.len() >= 40, "too few values carried: {}", accepted.len());
    // The carried ones together in one file: no value disturbs another.
    for &i in &accepted {
        put(&d, &format!("ok/secret-{i}"), &values[i].0);
    }
    let all = d.run(&["env-file", "ok/"], None);
    assert!(all.status.success(), "{}", text(&all));
    let together = work.join("together.env");
    std::fs::write(&together, &all.stdout).unwrap();
    files.push(together.clone());

    let read = read_with_loaders(&files, &work);
    for (loader, by_file) in &read {
        for (n, &i) in accepted.iter().enumerate() {
            let f = files[n].display().to_string();
            let want = BTreeMap::from([(name(i), Value::from(values[i].0.clone()))]);
            assert_eq!(
                by_file[&f],
                want,
                "{loader} misread value {i} {:?} from:\n{}",
                values[i].0,
                std::fs::read_to_string(&f).unwrap()
            );
        }
        let want: BTreeMap<String, Value> =
            accepted.iter().map(|&i| (name(i), Value::from(values[i].0.clone()))).collect();
        assert_eq!(by_file[&together.display().to_string()], want, "{loader} misread the file of all carried values");
    }
    let pwned: Vec<_> = std::fs::read_dir(&work)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("pwned"))
        .collect();
    assert!(pwned.is_empty(), "a loader ran a command from a value");
}

#[test]
fn export_and_json_carry_every_value_exactly() {
    let Setup { d, values, work } = setup("export-json");
    for (i, (v, _)) in values.iter().enumerate() {
        put(&d, &format!("all/secret-{i}"), v);
    }
    // dotenv over them all names every value it cannot carry, and only those.
    let dotenv = d.run(&["env-file", "all/"], None);
    assert!(!dotenv.status.success() && dotenv.stdout.is_empty());
    let err = String::from_utf8_lossy(&dotenv.stderr);
    for (i, (_, expect)) in values.iter().enumerate() {
        match expect {
            Some(false) => assert!(err.contains(&format!("  {}: ", name(i))), "{} not named: {err}", name(i)),
            Some(true) => assert!(!err.contains(&format!("  {}: ", name(i))), "{} named: {err}", name(i)),
            None => {}
        }
    }
    let want: BTreeMap<String, String> = values.iter().enumerate().map(|(i, (v, _))| (name(i), v.clone())).collect();
    // export, the way the README says: eval in a POSIX shell (dash here), then list the environment.
    let script = format!("eval \"$('{BIN}' env-file all/ --format export)\" || exit 9; env -0",);
    let o = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HQ_VAULT_HOME", d.home())
        .env("HQ_VAULT_URL", &d.url)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let got: BTreeMap<String, String> = o
        .stdout
        .split(|&b| b == 0)
        .filter(|kv| !kv.is_empty())
        .map(|kv| String::from_utf8(kv.to_vec()).unwrap())
        .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .filter(|(k, _)| k.starts_with("SECRET_") || k.starts_with("INJECTED"))
        .collect();
    assert_eq!(got, want, "export under eval");
    // json: one object of exactly these strings.
    let j = d.run(&["env-file", "all/", "--format", "json"], None);
    assert!(j.status.success(), "{}", text(&j));
    let v: Value = serde_json::from_slice(&j.stdout).unwrap();
    let got: BTreeMap<String, String> = serde_json::from_value(v).unwrap();
    assert_eq!(got, want, "json");
    let pwned: Vec<_> = std::fs::read_dir(&work)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("pwned"))
        .collect();
    assert!(pwned.is_empty(), "eval ran a command from a value");
    // Bytes that are not UTF-8: an environment variable holds them, so export carries them;
    // dotenv and json refuse them by name.
    let bytes = b"\xff\xfe'\x01\n$(x)\x80".to_vec();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let a = d.owner("PUT", "/v1/secrets/bin/raw-bytes", Some(json!({ "value_base64": b64 })));
    assert_eq!(a.status, 201);
    let script = format!("eval \"$('{BIN}' env-file bin/ --format export)\" || exit 9; printf '%s' \"$RAW_BYTES\"");
    let mut sh = Command::new("sh");
    sh.arg("-c").arg(&script).env("HQ_VAULT_HOME", d.home()).env("HQ_VAULT_URL", &d.url).env_remove("HQ_VAULT_TOKEN");
    let o = sh.output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(o.stdout, bytes, "export of bytes that are not UTF-8");
    for format in ["dotenv", "json"] {
        let out = d.run(&["env-file", "bin/", "--format", format], None);
        assert!(!out.status.success() && out.stdout.is_empty(), "{format}");
        assert!(
            text(&out).contains("  RAW_BYTES: ") && text(&out).contains("--format export"),
            "{format}: {}",
            text(&out)
        );
    }
}
