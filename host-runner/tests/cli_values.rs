//! What `store` keeps of its input, and values of every size up to 1 MiB whatever their bytes,
//! through the real CLI and daemon.

mod common;

use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::*;
use serde_json::json;

const MIB: usize = 1024 * 1024;

/// The stored bytes, read back through the API (not the CLI, so `get` is not what is tested).
fn stored(d: &Daemon, path: &str) -> Vec<u8> {
    let a = d.owner("GET", &format!("/v1/secrets/{path}"), None);
    assert_eq!(a.status, 200, "{path}: {}", String::from_utf8_lossy(&a.body));
    let v = a.json();
    match (v["value"].as_str(), v["value_base64"].as_str()) {
        (Some(s), _) => s.as_bytes().to_vec(),
        (_, Some(b)) => B64.decode(b).unwrap(),
        _ => panic!("no value"),
    }
}

/// Run the CLI with `input` on its standard input, written from another thread: the CLI may stop
/// reading early (an input over the limit), which must not fail the test's writer.
fn run_piped(d: &Daemon, args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = d
        .cli()
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = std::io::Write::write_all(&mut stdin, &input);
    });
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    out
}

fn store_file(d: &Daemon, path: &str, bytes: &[u8], extra: &[&str]) -> std::process::Output {
    let f = d.dir.path().join("input.bin");
    std::fs::write(&f, bytes).unwrap();
    let mut args = vec!["store", path, "--file", f.to_str().unwrap()];
    args.extend_from_slice(extra);
    d.run(&args, None)
}

#[test]
fn store_keeps_every_byte_but_a_single_lines_newline() {
    let d = daemon();
    // A PEM of 42 bytes, ending with its newline, as an OpenSSH key must to load.
    let pem42 = b"-----BEGIN K-----\nAAAAAAA\n-----END K-----\n".to_vec();
    assert_eq!(pem42.len(), 42);
    let cases: &[(&str, &[u8], &[u8])] = &[
        ("multi-line text is kept whole", &pem42, &pem42),
        ("not UTF-8 is kept whole", b"\xff\xfe\x00\x01\x0a", b"\xff\xfe\x00\x01\x0a"),
        ("not UTF-8, one line", b"\xc3\x28 bad utf-8\n", b"\xc3\x28 bad utf-8\n"),
        ("a blank last line is kept", b"one\n\n", b"one\n\n"),
        ("a single line loses its newline", b"sk_live_single\n", b"sk_live_single"),
        ("also a CRLF one", b"sk_live_crlf\r\n", b"sk_live_crlf"),
        ("no newline, nothing to lose", b"no-newline", b"no-newline"),
    ];
    for (i, (what, input, want)) in cases.iter().enumerate() {
        let path = format!("bytes/case-{i}");
        let out = store_file(&d, &path, input, &[]);
        assert!(out.status.success(), "{what}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&format!("({} bytes", want.len())),
            "{what}: {}",
            text(&out)
        );
        assert_eq!(stored(&d, &path), *want, "{what}");
        // From a pipe, the same rule.
        let out = d.run(&["store", &path], Some(input));
        assert!(out.status.success(), "{what}: {}", text(&out));
        assert_eq!(stored(&d, &path), *want, "{what} (standard input)");
        // `get` gives the stored bytes back exactly.
        assert_eq!(d.run(&["get", &path], None).stdout, *want, "{what} (get)");
    }
    // --raw stores the input exactly, the newline of a single line too.
    let out = store_file(&d, "bytes/raw", b"exactly\n", &["--raw"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stored(&d, "bytes/raw"), b"exactly\n");
    // The seed's way stays the same: one line cut from a .env file, newline dropped.
    std::fs::write(d.dir.path().join(".env"), "OTHER=x\nDATABASE_URL=postgres://u:p@h/db?a=b\n").unwrap();
    let script = format!(
        "cd '{}' && '{BIN}' store myapp/database-url --file <(grep DATABASE_URL .env | cut -d= -f2-)",
        d.dir.path().display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env("HQ_VAULT_HOME", d.home())
        .env("HQ_VAULT_URL", &d.url)
        .env_remove("HQ_VAULT_TOKEN")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stored(&d, "myapp/database-url"), b"postgres://u:p@h/db?a=b");
    let help = d.run(&["store", "--help"], None);
    assert!(text(&help).contains("single line") && text(&help).contains("--raw"), "the rule is in --help");
}

#[test]
fn every_value_up_to_one_mib_is_stored_whatever_its_bytes() {
    let d = daemon();
    let quotes: Vec<u8> = b"\"\\".iter().copied().cycle().take(MIB).collect();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("quotes-and-backslashes", quotes),
        ("control-bytes", vec![0x01; MIB]),
        ("nul-bytes", vec![0x00; MIB]),
        ("not-utf-8", vec![0xff; MIB]),
        ("plain", vec![b'a'; MIB]),
        ("unicode", "é".repeat(MIB / 2).into_bytes()),
    ];
    for (name, value) in &cases {
        assert_eq!(value.len(), MIB);
        let path = format!("big/{name}");
        let out = store_file(&d, &path, value, &[]);
        assert!(out.status.success(), "{name}: {}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            format!("Stored: {path} ({MIB} bytes, type: unspecified)")
        );
        assert!(stored(&d, &path) == *value, "{name}: the bytes differ");
        assert!(d.run(&["get", &path], None).stdout == *value, "{name}: get differs");
    }
    // A single line of exactly 1 MiB, with its newline, is 1 MiB.
    let mut line = vec![b'x'; MIB];
    line.push(b'\n');
    let out = run_piped(&d, &["store", "big/line"], &line);
    assert!(out.status.success(), "{}", text(&out));
    assert!(stored(&d, "big/line") == line[..MIB]);
    // One byte more is refused, clearly, from a file or a pipe of any size; nothing is stored.
    for (name, size) in [("one-more", MIB + 1), ("ten-mib", 10 * MIB)] {
        for bytes in [vec![0x01u8; size], vec![b'a'; size]] {
            let path = format!("big/{name}");
            let out = store_file(&d, &path, &bytes, &[]);
            assert!(!out.status.success());
            let t = text(&out);
            assert!(t.contains("at most 1 MiB (1048576 bytes)") && t.contains("nothing was stored"), "{name}: {t}");
            assert!(!t.to_lowercase().contains("broken pipe"), "{t}");
            let piped = run_piped(&d, &["store", &path], &bytes);
            assert!(!piped.status.success() && text(&piped).contains("at most 1 MiB"), "{name}: {}", text(&piped));
            assert_eq!(d.owner("GET", &format!("/v1/secrets/{path}"), None).status, 404);
        }
    }
}

#[test]
fn the_api_reads_any_json_encoding_of_a_mib_and_answers_413_above() {
    let d = daemon();
    let auth = vec![("authorization".to_owned(), format!("Bearer {}", d.token()))];
    // `\u0001` is the longest JSON spelling of a byte: 6 MiB of body for a 1 MiB value.
    let escaped = |n: usize| format!(r#"{{"value": "{}"}}"#, "\\u0001".repeat(n)).into_bytes();
    let a = d.raw("PUT", "/v1/secrets/api/escaped", &auth, Some(escaped(MIB)));
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    assert!(stored(&d, "api/escaped") == vec![1u8; MIB]);
    let a = d.raw(
        "PUT",
        "/v1/secrets/api/quotes",
        &auth,
        Some(format!(r#"{{"value": "{}"}}"#, "\\\"\\\\".repeat(MIB / 2)).into_bytes()),
    );
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    // One byte over, in each encoding: 413 value_too_large, saying the size and the limit.
    for body in [
        escaped(MIB + 1),
        format!(r#"{{"value": "{}"}}"#, "v".repeat(MIB + 1)).into_bytes(),
        json!({ "value_base64": B64.encode(vec![0xffu8; MIB + 1]) }).to_string().into_bytes(),
    ] {
        let a = d.raw("PUT", "/v1/secrets/api/over", &auth, Some(body));
        assert_eq!((a.status, a.code().as_str()), (413, "value_too_large"), "{}", String::from_utf8_lossy(&a.body));
        let m = a.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(m.contains("1048577 bytes") && m.contains("at most 1 MiB"), "{m}");
    }
    assert_eq!(d.owner("GET", "/v1/secrets/api/over", None).status, 404);
}
