//! kill -9 during concurrent writes: every acknowledged write survives, every secret is wholly old
//! or wholly new, and the audit chain verifies.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::json;

#[test]
fn acknowledged_writes_survive_kill_9() {
    let mut d = daemon();
    let token = d.token();
    let url = d.url.clone();
    let agent = d.agent.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<HashMap<String, String>>> = Arc::new(Mutex::new(HashMap::new()));
    // Every value ever sent for the overwritten key: after the crash it must hold one of them whole.
    let sent_same: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(vec![]));
    let mut workers = Vec::new();
    for w in 0..8 {
        let (agent, url, token, stop, acked, sent_same) =
            (agent.clone(), url.clone(), token.clone(), stop.clone(), acked.clone(), sent_same.clone());
        workers.push(std::thread::spawn(move || {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let (path, value) = if w == 0 {
                    let v = format!("same-{n}-").repeat((n % 40 + 1) as usize);
                    sent_same.lock().unwrap().push(v.clone());
                    ("crash/same".to_owned(), v)
                } else {
                    (format!("crash/w{w}/k{n}"), format!("value-{w}-{n}"))
                };
                let r = agent
                    .put(format!("{url}/v1/secrets/{path}"))
                    .header("authorization", format!("Bearer {token}"))
                    .send(json!({ "value": value }).to_string());
                match r {
                    Ok(resp) if resp.status().as_u16() < 300 => {
                        acked.lock().unwrap().insert(path, value);
                    }
                    _ => break,
                }
                n += 1;
            }
        }));
    }
    std::thread::sleep(Duration::from_millis(1500));
    d.kill9();
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 50, "only {} writes were acknowledged before the kill", acked.len());

    d.start();
    d.unlock();
    for (path, value) in &acked {
        if path == "crash/same" {
            continue;
        }
        let a = d.owner("GET", &format!("/v1/secrets/{path}"), None);
        assert_eq!(a.status, 200, "acknowledged write {path} was lost");
        assert_eq!(a.json()["value"], value.as_str());
    }
    let same = d.owner("GET", "/v1/secrets/crash/same", None).json()["value"].as_str().unwrap().to_owned();
    let sent = sent_same.lock().unwrap().clone();
    let now = sent.iter().position(|v| *v == same).expect("crash/same holds a mix of two versions");
    if let Some(last_acked) = acked.get("crash/same") {
        let was = sent.iter().position(|v| v == last_acked).unwrap();
        assert!(now >= was, "crash/same went back to a version older than its last acknowledged write");
    }
    let v = d.run(&["audit", "verify"], None);
    assert!(v.status.success(), "{}", text(&v));
}
