//! The key lives in one instance on one thread; a trap there locks the vault, drops the
//! instance, and the next unlock builds a fresh one (docs/policy.md, "The daemon's pipeline").

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hq_vault::daemon::{KeyError, KeyHolder};
use hq_vault::host::{CoreHost, EntropySource};

#[test]
fn a_trap_in_the_key_holding_instance_locks_the_vault_and_a_new_unlock_builds_a_new_instance() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let failing = Arc::new(AtomicBool::new(false));
    let host = CoreHost::with_entropy(None, EntropySource::FailWhile(failing.clone())).unwrap();
    let mut inst = host.instance().unwrap();
    let (key, vault) = inst.create_vault("correct horse battery", 1, 64, 1).unwrap().unwrap();
    let keys = KeyHolder::unlocked(inst, key);
    let seal = || keys.run_blocking(|i, k| i.seal(k, b"value", b"a/b"));
    assert!(matches!(seal(), Ok(Ok(_))), "seals while the OS gives randomness");

    // Sealing draws a nonce: with the entropy failing, the import returns an error, the guest traps.
    failing.store(true, Ordering::SeqCst);
    let epoch = keys.epoch();
    match seal() {
        Err(KeyError::Trapped(why)) => assert!(why.contains("entropy"), "{why}"),
        other => panic!("expected a trap, got {:?}", other.map(|_| ())),
    }
    assert!(!keys.is_unlocked(), "the trap locked the vault");
    assert_eq!(keys.traps(), 1);
    assert!(keys.epoch() > epoch, "the lock bumped the epoch, so an unlock in flight loses");
    assert!(matches!(seal(), Err(KeyError::Locked)), "no key is left to use");

    // A new unlock builds a fresh instance, which works.
    failing.store(false, Ordering::SeqCst);
    let mut fresh = host.instance().unwrap();
    let key = fresh.unlock("correct horse battery", &vault.params, &vault.wrapped_key).unwrap().unwrap();
    assert!(rt.block_on(keys.install(keys.epoch(), fresh, key)));
    assert!(keys.is_unlocked());
    assert!(matches!(seal(), Ok(Ok(_))));
    assert_eq!(keys.traps(), 1);
}

#[test]
fn an_unlock_that_began_before_a_lock_loses() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = CoreHost::new(None).unwrap();
    let mut inst = host.instance().unwrap();
    let (key, vault) = inst.create_vault("correct horse battery", 1, 64, 1).unwrap().unwrap();
    let keys = KeyHolder::unlocked(inst, key);
    let began = keys.epoch();
    assert!(rt.block_on(keys.lock()), "it was unlocked");
    let mut late = host.instance().unwrap();
    let key = late.unlock("correct horse battery", &vault.params, &vault.wrapped_key).unwrap().unwrap();
    assert!(!rt.block_on(keys.install(began, late, key)), "the lock wins");
    assert!(!keys.is_unlocked());
}
