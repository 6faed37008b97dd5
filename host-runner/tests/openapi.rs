//! `openapi/daemon.json` matches the routes the daemon serves: every documented method of every
//! documented path exists, and every other method is refused with 405.

mod common;

use std::path::PathBuf;

use common::*;
use serde_json::Value;

const METHODS: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"];

fn doc() -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/daemon.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn concrete(template: &str) -> String {
    template.replace("{path}", "doc/sample").replace("{name}", "sample-token").replace("{id}", "conn_sample")
}

#[test]
fn every_documented_route_is_served_and_nothing_else_is() {
    let d = daemon();
    let doc = doc();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 16);
    let mut checked = 0;
    for (template, item) in paths {
        let path = concrete(template);
        for m in METHODS {
            let documented = item.get(m.to_lowercase()).is_some();
            let a = d.owner(m, &path, None);
            let no_route = a.status == 404
                && a.json()["error"]["message"].as_str().is_some_and(|s| s.starts_with("no such route"));
            if documented {
                assert!(!no_route && a.status != 405, "{m} {template} is documented but not served ({})", a.status);
            } else {
                assert_eq!(a.status, 405, "{m} {template} is served but not documented");
                assert!(a.header("allow").is_some(), "{m} {template}: 405 without Allow");
            }
            checked += 1;
        }
    }
    assert!(checked >= 96);
    // Paths beside the documented ones do not exist.
    for p in ["/v1/secret", "/v1/admin", "/v1/tokens/a/b", "/v2/health", "/v1/connections/x/y/z"] {
        assert_eq!(d.owner("GET", p, None).status, 404, "{p}");
    }
}
