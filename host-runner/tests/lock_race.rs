//! Lock is a lock (issue "Keep every promise", item 5): an acknowledged lock wins over an unlock
//! still deriving; every audit line states the status the caller got; a managed token's use is
//! counted only when a value is delivered.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::json;

#[test]
fn a_lock_acknowledged_during_an_unlock_wins() {
    // Argon2 at 64 MiB and t=3: the derivation takes long enough for a lock to land inside it.
    let mut d = daemon_custom(&["--kdf-m-cost-kib", "65536", "--kdf-t-cost", "3"], &[]);
    assert_eq!(d.store("race/secret", "value-1").status, 201);
    for round in 0..3 {
        assert_eq!(d.owner("POST", "/v1/lock", None).status, 200);
        let (url, agent, token) = (d.url.clone(), d.agent.clone(), d.token());
        let unlock = std::thread::spawn(move || {
            let r = agent
                .post(format!("{url}/v1/unlock"))
                .header("authorization", format!("Bearer {token}"))
                .send(json!({ "passphrase": PASS }).to_string())
                .unwrap();
            let status = r.status().as_u16();
            let body: serde_json::Value = serde_json::from_reader(r.into_body().into_reader()).unwrap();
            (status, body)
        });
        std::thread::sleep(Duration::from_millis(40));
        let lock = d.owner("POST", "/v1/lock", None);
        assert_eq!(lock.status, 200);
        let (status, body) = unlock.join().unwrap();
        let health = d.req("GET", "/v1/health", None, None).json();
        if status == 200 {
            // The unlock finished before the lock arrived: then the lock locked it.
            assert_eq!(health["locked"], true, "round {round}: the lock was acknowledged, yet the vault is unlocked");
        } else {
            assert_eq!(status, 409, "round {round}: {body}");
            assert_eq!(body["error"]["code"], "locked_meanwhile");
            assert_eq!(health["locked"], true, "round {round}: the unlock undid an acknowledged lock");
        }
        assert_eq!(d.owner("GET", "/v1/secrets/race/secret", None).status, 423);
    }
    // At least one round must have raced for this test to mean anything.
    let lines = audit_lines(&d);
    assert!(
        lines.iter().any(|l| l["op"] == "unlock" && l["status"] == 409),
        "no unlock raced a lock: the derivation was too fast for this test"
    );
}

#[test]
fn reads_racing_a_lock_are_audited_as_answered_and_uses_follow_values() {
    let mut d = daemon();
    assert_eq!(d.store("race/a", "value-a").status, 201);
    let t = d.owner("POST", "/v1/tokens", Some(json!({"name": "racer", "max_uses": 100000})));
    assert_eq!(t.status, 201, "{}", String::from_utf8_lossy(&t.body));
    let managed = t.json()["token"].as_str().unwrap().to_owned();
    let owner = d.token();
    let answered: Arc<Mutex<HashMap<String, u16>>> = Arc::new(Mutex::new(HashMap::new()));
    let delivered = Arc::new(Mutex::new(0u64));
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for i in 0..6 {
        let (url, agent, stop, answered, delivered) =
            (d.url.clone(), d.agent.clone(), stop.clone(), answered.clone(), delivered.clone());
        let token = if i % 2 == 0 { owner.clone() } else { managed.clone() };
        readers.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let r = agent
                    .get(format!("{url}/v1/secrets/race/a"))
                    .header("authorization", format!("Bearer {token}"))
                    .call()
                    .unwrap();
                let status = r.status().as_u16();
                let id = r.headers().get("x-request-id").unwrap().to_str().unwrap().to_owned();
                if status == 200 && i % 2 == 1 {
                    *delivered.lock().unwrap() += 1;
                }
                answered.lock().unwrap().insert(id, status);
            }
        }));
    }
    for _ in 0..8 {
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(d.owner("POST", "/v1/lock", None).status, 200);
        std::thread::sleep(Duration::from_millis(30));
        d.unlock();
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    let answered = answered.lock().unwrap().clone();
    assert!(answered.values().any(|s| *s == 423), "no read met a locked vault: the race did not happen");
    assert!(answered.values().any(|s| *s == 200));
    let audited: HashMap<String, u64> = audit_lines(&d)
        .iter()
        .filter(|l| l["op"] == "get")
        .map(|l| (l["request_id"].as_str().unwrap().to_owned(), l["status"].as_u64().unwrap()))
        .collect();
    for (id, status) in &answered {
        assert_eq!(
            audited.get(id).copied(),
            Some(*status as u64),
            "request {id} was answered {status} but audited {:?}",
            audited.get(id)
        );
    }
    let tokens = d.owner("GET", "/v1/tokens", None).json();
    let uses = tokens["tokens"].as_array().unwrap().iter().find(|t| t["name"] == "racer").unwrap()["uses"].as_u64();
    assert_eq!(uses, Some(*delivered.lock().unwrap()), "a managed token's uses must equal the values it was given");
    d.secrets.push("value-a".into());
    d.assert_no_leaks();
}
