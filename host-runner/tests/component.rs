//! The compiled component, through wasmtime itself.

use hq_vault::host::CoreHost;
use hq_vault::host::wit::crypto::CryptoError;

fn host() -> CoreHost {
    CoreHost::new(None).expect("the embedded component compiles")
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

/// The known-answer entry points (a seal with a caller-chosen nonce) are in the `vectors` world
/// only: the component the daemon embeds has no such export, the vectors' component has.
#[test]
fn the_seal_with_a_chosen_nonce_is_in_the_vectors_component_only() {
    let engine = wasmtime::Engine::new(&wasmtime::Config::new()).unwrap();
    let exports = |bytes: &[u8]| -> Vec<String> {
        let c = wasmtime::component::Component::new(&engine, bytes).unwrap();
        let ty = c.component_type();
        let mut names: Vec<String> = ty.exports(&engine).map(|(n, _)| n.to_owned()).collect();
        names.sort();
        names
    };
    let shipped = exports(hq_vault::host::COMPONENT);
    let vectors = exports(include_bytes!(env!("HQ_VAULT_VECTORS_COMPONENT")));
    assert!(!shipped.iter().any(|n| n.contains("known-answer")), "{shipped:?}");
    let crypto = engine_export_functions(&engine, hq_vault::host::COMPONENT, "hq:vault/crypto@0.1.0");
    assert!(!crypto.iter().any(|f| f.contains("xchacha")), "the shipped crypto interface has {crypto:?}");
    let mut want = shipped.clone();
    want.push("hq:vault/known-answer@0.1.0".to_owned());
    want.sort();
    assert_eq!(vectors, want);
}

/// The names of the functions an exported interface of a component holds.
fn engine_export_functions(engine: &wasmtime::Engine, bytes: &[u8], interface: &str) -> Vec<String> {
    let c = wasmtime::component::Component::new(engine, bytes).unwrap();
    let ty = c.component_type();
    let (_, item) = ty.exports(engine).find(|(n, _)| *n == interface).expect("the interface is exported");
    match item.ty {
        wasmtime::component::types::ComponentItem::ComponentInstance(i) => {
            i.exports(engine).map(|(n, _)| n.to_owned()).collect()
        }
        _ => panic!("{interface} is not an instance"),
    }
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
    let minted = inst.mint(hq_vault::host::wit::tokens::TokenKind::ConnectionKey).unwrap();
    let t = minted.expose_secret();
    assert!(t.starts_with("hqxc_"));
    assert_eq!(inst.parse_token(t).unwrap(), Ok(hq_vault::host::wit::tokens::TokenKind::ConnectionKey));
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

/// What the daemon asks the component for instead of linking the core (listing pages, object
/// heads, snippets, its own audit events, an unreadable query's refusal) answers exactly as the
/// core does natively.
#[test]
fn the_exports_the_daemon_uses_instead_of_the_core_answer_as_the_core_does() {
    use hq_vault::host::wit::{audit as wa, gate as wg, http as wh};
    use hq_vault_core::{audit, gate, http, listing, patterns};
    let mut inst = host().instance().unwrap();

    let pats = vec!["kb/*".to_owned(), "x.md".to_owned()];
    let sources = patterns::plan_listing(&pats, "", true);
    let entries = [("kb/b.md", 3), ("x.md", 5), ("kb/a/1.md", 1), ("zz.md", 9), ("kb/c.md", 0)];
    for limit in [1, 2, 10] {
        let native = listing::list_folder(
            gate::ListPlan { sources: sources.clone(), start_source: 0, start_inner: None, limit, delimited: true },
            entries
                .iter()
                .map(|(k, s)| listing::FolderEntry {
                    key: (*k).into(),
                    size: *s,
                    etag: format!("\"{k}\""),
                    modified_ms: 1_700_000_000_123,
                })
                .collect(),
        );
        let plan = wg::ListPlan {
            sources: sources
                .iter()
                .map(|s| hq_vault::host::wit::patterns::ListingSource {
                    prefix: s.prefix.clone(),
                    exact: s.exact,
                    rollup: s.rollup.clone(),
                })
                .collect(),
            start_source: 0,
            start_inner: None,
            limit,
            delimited: true,
        };
        let wit_entries: Vec<wg::FolderEntry> = entries
            .iter()
            .map(|(k, s)| wg::FolderEntry {
                key: (*k).into(),
                size: *s,
                etag: format!("\"{k}\""),
                modified_ms: 1_700_000_000_123,
            })
            .collect();
        let page = inst.list_folder(&plan, &wit_entries).unwrap();
        assert_eq!(page, serde_json::to_string(&native).unwrap(), "limit {limit}");
    }

    let rep = http::Representation { size: 10, etag: "\"v\"", modified_ms: 1_000_000 };
    for (range, inm) in [(None, None), (Some("bytes=3-"), None), (Some("bytes=30-"), None), (None, Some("\"v\""))] {
        let native = http::object_head(
            &http::Preconditions { if_none_match: inm, range, if_range: None },
            &rep,
            "a.json",
            "req_x",
            5,
        );
        let pre = wh::Preconditions {
            if_none_match: inm.map(str::to_owned),
            range: range.map(str::to_owned),
            if_range: None,
        };
        let w = inst
            .object_head(
                &pre,
                &wh::Representation { size: 10, etag: "\"v\"".into(), modified_ms: 1_000_000 },
                "a.json",
                "req_x",
                5,
            )
            .unwrap();
        assert_eq!(
            (w.status, w.headers, w.offset, w.length, w.error_body),
            (native.status, native.headers, native.offset, native.length, native.error_body)
        );
    }

    let native = audit::host_event(&audit::HostAct::TrapLock, 42, "req_t");
    let w = inst.host_event(&wa::HostAct::TrapLock, 42, "req_t").unwrap();
    assert_eq!(
        (w.actor, w.operation, w.status, w.reason, w.source_ip),
        (native.actor, native.operation, native.status, native.reason, native.source_ip)
    );

    let native = gate::agent_snippet(&gate::SnippetOptions {
        base: "https://127.0.0.1:1",
        patterns: &pats,
        ca_file: Some("/ca.pem"),
        files_root: "/files/",
    });
    let w = inst
        .agent_snippet(&wg::SnippetOptions {
            base: "https://127.0.0.1:1".into(),
            patterns: pats.clone(),
            ca_file: Some("/ca.pem".into()),
            files_root: "/files/".into(),
        })
        .unwrap();
    assert_eq!(w, native);
    assert_eq!(inst.snippet_folder(&pats).unwrap(), "kb/");
    for p in ["kb/*", "kb*", "*", "kb/readme.md"] {
        assert_eq!(inst.pattern_place(p, "/files/").unwrap(), gate::pattern_place(p, "/files/"), "{p}");
    }

    assert_eq!(
        inst.describe_crypto_error(CryptoError::WrongPassphrase).unwrap(),
        hq_vault_core::crypto::CryptoError::WrongPassphrase.to_string()
    );

    let native = gate::refuse_query("GET", gate::Route::Object, "twice", 1, "r", "ip");
    let w = inst.refuse_query("GET", wg::Route::Object, "twice", 1, "r", "ip").unwrap();
    assert_eq!((w.status, w.error_body, w.summarized), (native.status, native.error_body, native.summarized));
}

/// The daemon reaches the core only through the component: `hq-vault-core` may be a
/// dev-dependency (the vectors' runner, native comparisons in tests), never a dependency.
#[test]
fn the_daemon_does_not_link_the_core_natively() {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let mut section = String::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_owned();
        } else if line.starts_with("hq-vault-core") {
            assert_eq!(section, "[dev-dependencies]", "hq-vault-core is in {section} of host-runner/Cargo.toml");
        }
    }
    assert!(manifest.contains("hq-vault-core"), "the tests still need the core's vector runner");
}
