//! The data key leaves the daemon's memory on lock (issue "Keep every promise", item 4).
//!
//! The test computes the vault's 32-byte data key on its own (Argon2id and XChaCha20-Poly1305
//! from their crates, not through hq-vault), then scans every readable mapping of the running
//! daemon — the wasm linear memories included — for it: found while unlocked (so the scan works),
//! gone after `POST /v1/lock` and after the idle lock.

mod common;

use std::io::{Read, Seek, SeekFrom};
use std::time::{Duration, Instant};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use common::*;
use zeroize::Zeroizing;

/// The vault's data key, from vault.db and the passphrase.
fn data_key(d: &Daemon) -> Zeroizing<Vec<u8>> {
    let db = rusqlite::Connection::open(d.home().join("vault.db")).unwrap();
    let v: String = db.query_row("SELECT v FROM meta WHERE k = 'vault'", [], |r| r.get(0)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&v).unwrap();
    let p = &v["params"];
    let salt = hex::decode(p["salt"].as_str().unwrap()).unwrap();
    let params = argon2::Params::new(
        p["m_cost_kib"].as_u64().unwrap() as u32,
        p["t_cost"].as_u64().unwrap() as u32,
        p["p_cost"].as_u64().unwrap() as u32,
        Some(32),
    )
    .unwrap();
    let mut kek = Zeroizing::new([0u8; 32]);
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(PASS.as_bytes(), &salt, &mut kek[..])
        .unwrap();
    let wrapped = hex::decode(v["wrapped_key"].as_str().unwrap()).unwrap();
    assert_eq!(wrapped[0], 1, "sealed blob version");
    let (nonce, ct) = wrapped[1..].split_at(24);
    let cipher = XChaCha20Poly1305::new_from_slice(&kek[..]).unwrap();
    let key = cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: b"hq-vault/data-key/v1" }).unwrap();
    assert_eq!(key.len(), 32);
    Zeroizing::new(key)
}

/// How many times `needle` appears in the readable memory of process `pid`.
fn occurrences_in_process(pid: u32, needle: &[u8]) -> usize {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let mut mem = std::fs::File::open(format!("/proc/{pid}/mem")).unwrap();
    let mut found = 0;
    let mut buf = vec![0u8; 1 << 20];
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (range, perms) = (f.next().unwrap(), f.next().unwrap());
        if !perms.starts_with('r') || line.ends_with("[vvar]") || line.ends_with("[vsyscall]") {
            continue;
        }
        let (a, b) = range.split_once('-').unwrap();
        let (mut at, end) = (u64::from_str_radix(a, 16).unwrap(), u64::from_str_radix(b, 16).unwrap());
        while at < end {
            let len = ((end - at) as usize).min(buf.len());
            if mem.seek(SeekFrom::Start(at)).is_err() {
                break;
            }
            let Ok(n) = mem.read(&mut buf[..len]) else {
                break;
            };
            if n == 0 {
                break;
            }
            found += buf[..n].windows(needle.len()).filter(|w| *w == needle).count();
            // Overlap chunks so a key that straddles two reads is still seen.
            at += if n > needle.len() { (n - needle.len() + 1) as u64 } else { n as u64 };
        }
    }
    found
}

#[test]
fn lock_and_idle_lock_leave_no_copy_of_the_data_key() {
    let mut d = daemon_with(&["--idle-lock", "3s"]);
    let pid = d.child.as_ref().unwrap().id();
    let key = data_key(&d);
    assert_eq!(d.store("mem/one", "a value to seal").status, 201);
    assert_eq!(d.owner("GET", "/v1/secrets/mem/one", None).status, 200);
    assert!(
        occurrences_in_process(pid, &key) > 0,
        "the scan does not find the data key while the vault is unlocked, so it could not see it after a lock"
    );

    // An explicit lock.
    assert_eq!(d.owner("POST", "/v1/lock", None).status, 200);
    assert_eq!(occurrences_in_process(pid, &key), 0, "the data key is still in the daemon's memory after lock");

    // A passphrase sent while unlocked, then the idle lock.
    d.unlock();
    d.unlock();
    assert_eq!(d.owner("GET", "/v1/secrets/mem/one", None).status, 200);
    assert!(occurrences_in_process(pid, &key) > 0);
    let t = Instant::now();
    while d.req("GET", "/v1/health", None, None).json()["locked"] != true {
        assert!(t.elapsed() < Duration::from_secs(60), "the idle lock never came");
        std::thread::sleep(Duration::from_millis(300));
    }
    assert_eq!(
        occurrences_in_process(pid, &key),
        0,
        "the data key is still in the daemon's memory after the idle lock"
    );
    d.stop();
}
