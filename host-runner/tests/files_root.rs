//! The files root (docs/audit-and-keys.md and the README's security model): each object is opened once, beneath the root, following no
//! symlink; size, ETag and bytes come from that one descriptor; symlinks are neither listed nor
//! served, whether they lead out of the root or to another file or folder inside it.
//!
//! The race test swaps `knowledge/x.md` between a regular file and symlinks (to the bootstrap
//! token file, and to a file of the root outside the grant) while readers hammer the daemon, and
//! checks that no answer ever carries a foreign byte.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

const LEGIT_X: &str = "the granted file knowledge/x.md: nothing foreign here\n";
const LEGIT_SUB: &str = "the granted file knowledge/sub/secret.md, a real folder\n";
const PRIVATE: &str = "PRIVATE: outside the connection's grant, in the same root\n";

fn connection(d: &Daemon, patterns: &[&str]) -> String {
    // A name names one active connection: each reader gets its own.
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = format!("reader-{}", N.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let c = d.owner("POST", "/v1/connections", Some(json!({"name": name, "patterns": patterns})));
    assert_eq!(c.status, 201, "{}", String::from_utf8_lossy(&c.body));
    format!("Bearer {}", c.json()["key"].as_str().unwrap())
}

fn keys_of(listing: &Value) -> Vec<String> {
    listing["objects"].as_array().unwrap().iter().map(|o| o["key"].as_str().unwrap().to_owned()).collect()
}

fn object(d: &Daemon, key: &str, auth: &str) -> Answer {
    d.req("GET", &format!("/v1/connections/files/object?path={key}"), Some(auth), None)
}

#[test]
fn a_symlink_inside_the_root_to_a_file_or_a_folder_is_neither_listed_nor_served() {
    let d = daemon();
    let root = d.home().join("files");
    std::fs::create_dir_all(root.join("knowledge")).unwrap();
    std::fs::create_dir_all(root.join("private/deeper")).unwrap();
    std::fs::write(root.join("knowledge/real.md"), LEGIT_X).unwrap();
    std::fs::write(root.join("private/secret.md"), PRIVATE).unwrap();
    std::fs::write(root.join("private/deeper/x.md"), PRIVATE).unwrap();
    let link = |target: &Path, at: &str| std::os::unix::fs::symlink(target, root.join(at)).unwrap();
    link(Path::new("../private/secret.md"), "knowledge/link.md"); // relative, to a file in the root
    link(&root.join("private/secret.md"), "knowledge/abs.md"); // absolute, to a file in the root
    link(Path::new("../private"), "knowledge/dir"); // to a folder in the root
    link(&root.join("private"), "knowledge/absdir");
    link(Path::new("."), "knowledge/loop");
    link(Path::new("nowhere.md"), "knowledge/dangling.md");
    link(&d.home().join("token"), "knowledge/token.md"); // out of the root
    // A folder named like a file, and a FIFO: not regular files, so absent (and never a hang).
    std::fs::create_dir_all(root.join("knowledge/folder.md")).unwrap();
    let fifo = std::process::Command::new("mkfifo").arg(root.join("knowledge/pipe.md")).status().unwrap();
    assert!(fifo.success(), "mkfifo");

    let key = connection(&d, &["knowledge/"]);
    assert_eq!(object(&d, "knowledge/real.md", &key).body, LEGIT_X.as_bytes());
    for k in [
        "knowledge/link.md",
        "knowledge/abs.md",
        "knowledge/dir/secret.md",
        "knowledge/dir/deeper/x.md",
        "knowledge/absdir/secret.md",
        "knowledge/loop/real.md",
        "knowledge/dangling.md",
        "knowledge/token.md",
        "knowledge/folder.md",
        "knowledge/pipe.md",
    ] {
        let t = Instant::now();
        let a = object(&d, k, &key);
        assert_eq!(a.status, 404, "{k} must be absent: {}", String::from_utf8_lossy(&a.body));
        assert!(t.elapsed() < Duration::from_secs(30), "{k} took {:?}", t.elapsed());
        let h = d.req("HEAD", &format!("/v1/connections/files/object?path={k}"), Some(&key), None);
        assert_eq!(h.status, 404, "HEAD {k}");
    }
    // Listings show the one regular file: no symlink, no folder reached through one.
    let l = d.req("GET", "/v1/connections/files?path=knowledge/", Some(&key), None).json();
    assert_eq!(keys_of(&l), ["knowledge/real.md"], "{l}");
    let l = d.req("GET", "/v1/connections/files?path=knowledge/&delimiter=/", Some(&key), None).json();
    assert_eq!(keys_of(&l), ["knowledge/real.md"], "{l}");
    assert_eq!(l["prefixes"], json!([]), "no folder through a symlink, no empty folder: {l}");
    // The whole root, to a connection granted everything: each regular file once, by its own name.
    let all = connection(&d, &["*"]);
    let l = d.req("GET", "/v1/connections/files?path=", Some(&all), None).json();
    assert_eq!(keys_of(&l), ["knowledge/real.md", "private/deeper/x.md", "private/secret.md"], "{l}");
    assert_eq!(object(&d, "knowledge/dir/secret.md", &all).status, 404, "not even with a grant for everything");
}

#[test]
fn a_files_root_given_as_a_symlink_is_resolved_once_and_served() {
    let mut d = daemon();
    let real = d.dir.path().join("real-root");
    std::fs::create_dir_all(real.join("knowledge")).unwrap();
    std::fs::write(real.join("knowledge/a.md"), LEGIT_X).unwrap();
    d.stop();
    std::fs::remove_dir_all(d.home().join("files")).unwrap();
    std::os::unix::fs::symlink(&real, d.home().join("files")).unwrap();
    d.start();
    d.unlock();
    let key = connection(&d, &["knowledge/"]);
    let a = object(&d, "knowledge/a.md", &key);
    assert_eq!((a.status, a.body.as_slice()), (200, LEGIT_X.as_bytes()));
    let l = d.req("GET", "/v1/connections/files?path=knowledge/", Some(&key), None).json();
    assert_eq!(keys_of(&l), ["knowledge/a.md"]);
}

/// Replace `at` by `from` in one step (`rename` is atomic), creating `from` first with `make`.
fn swap_in(from: &Path, at: &Path, make: impl FnOnce(&Path)) {
    let _ = std::fs::remove_file(from);
    make(from);
    let _ = std::fs::rename(from, at);
}

#[test]
fn swapping_a_granted_file_for_a_symlink_under_load_never_serves_a_foreign_byte() {
    let d = daemon();
    let root = d.home().join("files");
    for dir in ["knowledge/sub", "private", "staging"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    std::fs::write(root.join("knowledge/x.md"), LEGIT_X).unwrap();
    std::fs::write(root.join("knowledge/sub/secret.md"), LEGIT_SUB).unwrap();
    std::fs::write(root.join("private/secret.md"), PRIVATE).unwrap();
    let token_file = d.home().join("token");
    let token = d.token();
    let key = connection(&d, &["knowledge/"]);

    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicUsize::new(0));
    let swapper = {
        let (stop, swaps, root, token_file) = (stop.clone(), swaps.clone(), root.clone(), token_file.clone());
        std::thread::spawn(move || {
            let x = root.join("knowledge/x.md");
            let sub = root.join("knowledge/sub");
            let st = root.join("staging");
            // Bounded: it stops when the readers are done, or after this many rounds.
            for i in 0..200_000u32 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                match i % 6 {
                    // The file becomes a symlink to the bootstrap token (out of the root)...
                    0 => swap_in(&st.join("l1"), &x, |p| std::os::unix::fs::symlink(&token_file, p).unwrap()),
                    // ... or to a file of the root outside the grant, relative or by unlink + symlink.
                    2 => {
                        swap_in(&st.join("l2"), &x, |p| std::os::unix::fs::symlink("../private/secret.md", p).unwrap())
                    }
                    4 => {
                        let _ = std::fs::remove_file(&x);
                        let _ = std::os::unix::fs::symlink(root.join("private/secret.md"), &x);
                    }
                    // And back to the granted regular file, whole.
                    _ => swap_in(&st.join("r"), &x, |p| std::fs::write(p, LEGIT_X).unwrap()),
                }
                // The granted folder becomes a symlink to the private folder, and back.
                if i % 2 == 0 {
                    let _ = std::fs::rename(&sub, st.join("sub-real"));
                    let _ = std::os::unix::fs::symlink("../private", &sub);
                } else {
                    let _ = std::fs::remove_file(&sub);
                    let _ = std::fs::rename(st.join("sub-real"), &sub);
                }
                swaps.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    let served = Arc::new(AtomicUsize::new(0));
    let d = Arc::new(d);
    let readers: Vec<_> = (0..4)
        .map(|r| {
            let (d, key, served, token) = (d.clone(), key.clone(), served.clone(), token.clone());
            std::thread::spawn(move || {
                let mut problems = Vec::new();
                for i in 0..300 {
                    let (path, legit) = match (i + r) % 4 {
                        0 | 1 => ("knowledge/x.md", LEGIT_X),
                        2 => ("knowledge/sub/secret.md", LEGIT_SUB),
                        _ => ("", ""),
                    };
                    if path.is_empty() {
                        let l = d.req("GET", "/v1/connections/files?path=knowledge/", Some(&key), None);
                        let body = String::from_utf8_lossy(&l.body).into_owned();
                        if l.status != 200 || body.contains(&token) {
                            problems.push(format!("listing: {} {body}", l.status));
                            continue;
                        }
                        for o in l.json()["objects"].as_array().unwrap() {
                            let want = match o["key"].as_str().unwrap() {
                                "knowledge/x.md" => LEGIT_X.len(),
                                "knowledge/sub/secret.md" => LEGIT_SUB.len(),
                                other => {
                                    problems.push(format!("listed {other}"));
                                    continue;
                                }
                            };
                            if o["size"] != want {
                                problems.push(format!("listed a foreign size: {o}"));
                            }
                        }
                        continue;
                    }
                    let h = [("authorization".to_owned(), key.clone())];
                    let a = match d.try_raw("GET", &format!("/v1/connections/files/object?path={path}"), &h, None) {
                        Ok(a) => a,
                        // A body cut short of its Content-Length: size and bytes from two files.
                        Err(e) => {
                            problems.push(format!("{path}: a broken answer: {e}"));
                            continue;
                        }
                    };
                    match a.status {
                        200 if a.body == legit.as_bytes() => {
                            served.fetch_add(1, Ordering::Relaxed);
                            if a.header("content-length") != Some(legit.len().to_string().as_str()) {
                                problems.push(format!("{path}: Content-Length {:?}", a.header("content-length")));
                            }
                        }
                        404 => {}
                        s => problems.push(format!("{path}: {s} {:?}", String::from_utf8_lossy(&a.body))),
                    }
                }
                problems
            })
        })
        .collect();
    let mut problems = Vec::new();
    for r in readers {
        problems.extend(r.join().unwrap());
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().unwrap();
    eprintln!(
        "swap race: {} swap rounds, {} granted reads served whole, {} problems",
        swaps.load(Ordering::Relaxed),
        served.load(Ordering::Relaxed),
        problems.len()
    );
    assert!(
        problems.is_empty(),
        "{} foreign or wrong answers, first: {:#?}",
        problems.len(),
        &problems[..problems.len().min(5)]
    );
    assert!(swaps.load(Ordering::Relaxed) > 100, "the swap ran {} rounds only", swaps.load(Ordering::Relaxed));
    assert!(served.load(Ordering::Relaxed) > 0, "the granted files were never served: the test proved nothing");
    // The audit never counts a refused swap as a read of another file: every allowed read names
    // a granted key.
    let log = std::fs::read_to_string(d.home().join("audit.log")).unwrap();
    assert!(!log.contains("private/"), "the audit names a file outside the grant");
}
