//! The compiled component, through wasmtime itself.

use std::path::PathBuf;

use hq_vault::host::CoreHost;
use hq_vault_core::crypto::CryptoError;

fn host() -> CoreHost {
    CoreHost::new(None).expect("the embedded component compiles")
}

#[test]
fn every_vector_passes_through_the_component() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut inst = host().instance().unwrap();
    let report = hq_vault::conformance::run_dir(&dir, &mut inst).unwrap();
    assert!(report.failures.is_empty(), "{}", report.failures.join("\n"));
    assert!(report.passed >= 600, "only {} cases ran", report.passed);
}

#[test]
fn the_artifact_imports_only_entropy_and_exports_the_eight_interfaces() {
    let (imports, mut exports) = host().world();
    assert_eq!(imports, vec!["hq:vault/entropy@0.1.0".to_owned()]);
    exports.sort();
    assert_eq!(
        exports,
        ["audit", "crypto", "gate", "http", "identity", "patterns", "policy", "tokens"]
            .map(|i| format!("hq:vault/{i}@0.1.0"))
            .to_vec()
    );
}

#[test]
fn the_master_key_seals_and_opens_inside_the_component() {
    let mut inst = host().instance().unwrap();
    let (key, vault) = inst.create_vault("correct horse", 1, 64, 1).unwrap().unwrap();
    assert_eq!(vault.params.salt.len(), 16);
    let sealed = inst.seal(&key, b"sk_live_123", b"stripe/key").unwrap().unwrap();
    assert_eq!(sealed.len(), 1 + 24 + 11 + 16);
    assert!(!sealed.windows(11).any(|w| w == b"sk_live_123"), "ciphertext must not contain the value");
    assert_eq!(&inst.open(&key, &sealed, b"stripe/key").unwrap().unwrap()[..], b"sk_live_123");
    // Another path, a flipped bit, a truncation: all refused.
    assert_eq!(inst.open(&key, &sealed, b"stripe/other").unwrap().unwrap_err(), CryptoError::Tampered);
    let mut bad = sealed.clone();
    bad[30] ^= 0x40;
    assert_eq!(inst.open(&key, &bad, b"stripe/key").unwrap().unwrap_err(), CryptoError::Tampered);
    assert_eq!(inst.open(&key, &sealed[..20], b"stripe/key").unwrap().unwrap_err(), CryptoError::Tampered);

    // Unlock from the stored blob: right passphrase opens, wrong one is told apart.
    let again = inst.unlock("correct horse", &vault.params, &vault.wrapped_key).unwrap().unwrap();
    assert_eq!(&inst.open(&again, &sealed, b"stripe/key").unwrap().unwrap()[..], b"sk_live_123");
    assert_eq!(
        inst.unlock("wrong", &vault.params, &vault.wrapped_key).unwrap().err(),
        Some(CryptoError::WrongPassphrase)
    );

    // Rewrap: the new passphrase opens the same data key; nothing is re-encrypted.
    let newer = inst.rewrap(&key, "new passphrase", 1, 64, 1).unwrap().unwrap();
    let k3 = inst.unlock("new passphrase", &newer.params, &newer.wrapped_key).unwrap().unwrap();
    assert_eq!(&inst.open(&k3, &sealed, b"stripe/key").unwrap().unwrap()[..], b"sk_live_123");
    inst.drop_key(key).unwrap();
    inst.drop_key(again).unwrap();
    // The remaining handle still works after the others were dropped (and zeroized).
    assert!(inst.open(&k3, &sealed, b"stripe/key").unwrap().is_ok());
}

#[test]
fn nonces_differ_between_seals_and_instances() {
    let h = host();
    let mut a = h.instance().unwrap();
    let (k, v) = a.create_vault("pw", 1, 64, 1).unwrap().unwrap();
    let s1 = a.seal(&k, b"x", b"p").unwrap().unwrap();
    let s2 = a.seal(&k, b"x", b"p").unwrap().unwrap();
    assert_ne!(s1[1..25], s2[1..25]);
    let mut b = h.instance().unwrap();
    let kb = b.unlock("pw", &v.params, &v.wrapped_key).unwrap().unwrap();
    assert_eq!(&b.open(&kb, &s1, b"p").unwrap().unwrap()[..], b"x");
}

#[test]
fn argon2_out_of_memory_is_an_error_not_a_crash() {
    // 4 GiB of guest memory cannot be had in a 32-bit wasm address space: a clean error.
    let mut inst = host().instance().unwrap();
    let r = inst.argon2id(b"pw", &[0; 16], &[], &[], 1, 4 * 1024 * 1024, 1, 32).unwrap();
    assert_eq!(r.unwrap_err(), CryptoError::OutOfMemory);
    // The instance is still usable afterwards.
    assert_eq!(inst.sha256_hex(b"").unwrap(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

#[test]
fn minted_tokens_parse_through_the_component() {
    let mut inst = host().instance().unwrap();
    let minted = inst.mint(hq_vault_core::tokens::TokenKind::ConnectionKey).unwrap();
    let t = minted.expose_secret();
    assert!(t.starts_with("hqxc_"));
    assert_eq!(inst.parse_token(t).unwrap(), Ok(hq_vault_core::tokens::TokenKind::ConnectionKey));
    let r = inst.reference(t).unwrap();
    assert_eq!(r, hq_vault_core::tokens::reference(t));
    assert!(inst.references_equal(&r, &r).unwrap());
    assert!(!inst.references_equal(&r, &r[1..]).unwrap());
}

#[test]
fn a_key_moves_between_instances_without_leaving_the_components() {
    let h = host();
    let mut a = h.instance().unwrap();
    let mut b = h.instance().unwrap();
    let (key, v) = a.create_vault("pw", 1, 64, 1).unwrap().unwrap();
    let sealed = a.seal(&key, b"moved", b"m/k").unwrap().unwrap();
    let moved = b.receive_key(&mut a, key).unwrap().unwrap();
    assert_eq!(&b.open(&moved, &sealed, b"m/k").unwrap().unwrap()[..], b"moved");
    // The sender's key was dropped; a fresh unlock there still works.
    let again = a.unlock("pw", &v.params, &v.wrapped_key).unwrap().unwrap();
    assert_eq!(&a.open(&again, &sealed, b"m/k").unwrap().unwrap()[..], b"moved");
}

#[test]
fn the_built_in_vectors_are_exactly_the_files_of_tests_vectors() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut on_disk: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (p.file_name().unwrap().to_str().unwrap().to_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    on_disk.sort();
    let built_in: Vec<(String, String)> =
        hq_vault::conformance::embedded::VECTORS.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    assert_eq!(built_in.len(), on_disk.len());
    for (b, d) in built_in.iter().zip(&on_disk) {
        assert_eq!(b.0, d.0);
        assert!(b.1 == d.1, "{} differs from the file", b.0);
    }
}

/// The README's `hq-vault conformance` from any directory, as an installed binary is run.
#[test]
fn conformance_runs_from_any_directory() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut inst = host().instance().unwrap();
    let want = hq_vault::conformance::run_dir(&dir, &mut inst).unwrap().passed;
    let elsewhere = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hq-vault"))
        .arg("conformance")
        .current_dir(elsewhere.path())
        .env("HQ_VAULT_HOME", elsewhere.path().join("home"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.trim(), format!("conformance: {want} passed, 0 failed"));
}
