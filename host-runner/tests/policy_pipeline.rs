//! The daemon's vault API decides through the core's policy, in one pipeline: no audit line
//! claims an outcome the caller did not get, refusals are audited, and the check order holds for
//! every route (docs/policy.md).

mod common;

use common::{audit_lines, daemon};
use serde_json::{Value, json};

/// The audit lines of one request id.
fn lines_of(d: &common::Daemon, request_id: &str) -> Vec<Value> {
    audit_lines(d).into_iter().filter(|l| l["request_id"] == request_id).collect()
}

fn request_id(a: &common::Answer) -> String {
    a.header("x-request-id").expect("every answer names its request").to_owned()
}

#[test]
fn a_taken_token_name_is_audited_as_the_conflict_it_answers() {
    let d = daemon();
    assert_eq!(d.owner("POST", "/v1/tokens", Some(json!({"name": "dup"}))).status, 201);
    let again = d.owner("POST", "/v1/tokens", Some(json!({"name": "dup"})));
    assert_eq!((again.status, again.code()), (409, "name_taken".to_owned()));
    let lines = lines_of(&d, &request_id(&again));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!((lines[0]["status"].as_u64(), lines[0]["outcome"].as_str()), (Some(409), Some("failed")), "{lines:?}");
}

#[test]
fn refusals_are_audited_with_the_status_answered() {
    let d = daemon();
    let t = d.owner("POST", "/v1/tokens", Some(json!({"name": "ci"}))).json();
    let token = format!("Bearer {}", t["token"].as_str().unwrap());
    let conn = d.owner("POST", "/v1/connections", Some(json!({"name": "a", "patterns": ["k/*"]}))).json();
    let id = conn["connection"]["id"].as_str().unwrap().to_owned();
    assert_eq!(d.owner("POST", &format!("/v1/connections/{id}/revoke"), None).status, 200);
    let cases: Vec<(common::Answer, u16, &str)> = vec![
        (d.owner("POST", "/v1/tokens", Some(json!({"name": "x", "ttl": "soon"}))), 400, "bad_ttl"),
        (d.owner("POST", "/v1/tokens", Some(json!({"nom": "x"}))), 400, "bad_json"),
        (d.owner("POST", "/v1/connections", Some(json!({"name": "b", "patterns": ["../x"]}))), 400, "bad_patterns"),
        (d.owner("GET", "/v1/connections/conn_0000000000000000", None), 404, "not_found"),
        (d.owner("POST", &format!("/v1/connections/{id}/rotate"), None), 409, "revoked"),
        (d.owner("GET", "/v1/audit?after=x", None), 400, "bad_query"),
        (d.req("POST", "/v1/tokens", Some(&token), Some(json!({"name": "y"}))), 403, "owner_only"),
    ];
    for (answer, status, code) in cases {
        assert_eq!((answer.status, answer.code()), (status, code.to_owned()));
        let lines = lines_of(&d, &request_id(&answer));
        assert_eq!(lines.len(), 1, "{code}: one line per request, got {lines:?}");
        assert_eq!((lines[0]["status"].as_u64(), lines[0]["reason"].as_str()), (Some(status as u64), Some(code)));
    }
}

#[test]
fn locked_comes_before_permission_on_every_secret_route() {
    let d = daemon();
    let t = d.owner("POST", "/v1/tokens", Some(json!({"name": "ci", "prefix": ["app"]}))).json();
    let token = format!("Bearer {}", t["token"].as_str().unwrap());
    assert_eq!(d.owner("POST", "/v1/lock", None).status, 200);
    for (method, path) in
        [("PUT", "/v1/secrets/other/x"), ("DELETE", "/v1/secrets/other/x"), ("GET", "/v1/secrets/other/x")]
    {
        let body = (method == "PUT").then(|| json!({"value": "v"}));
        let a = d.req(method, path, Some(&token), body);
        assert_eq!((a.status, a.code()), (423, "locked".to_owned()), "{method} {path}");
    }
}

#[test]
fn a_refused_or_failed_read_spends_no_use_and_a_delivered_one_does() {
    let mut d = daemon();
    d.store("app/key", "value-1");
    let t = d.owner("POST", "/v1/tokens", Some(json!({"name": "ci", "max_uses": 2, "prefix": ["app"]}))).json();
    let token = format!("Bearer {}", t["token"].as_str().unwrap());
    assert_eq!(d.req("GET", "/v1/secrets/app/missing", Some(&token), None).status, 404);
    assert_eq!(d.req("GET", "/v1/secrets/other/key", Some(&token), None).status, 403);
    let uses = |d: &common::Daemon| d.owner("GET", "/v1/tokens", None).json()["tokens"][0]["uses"].as_u64();
    assert_eq!(uses(&d), Some(0));
    assert_eq!(d.req("GET", "/v1/secrets/app/key", Some(&token), None).status, 200);
    assert_eq!(d.req("GET", "/v1/secrets/app/key", Some(&token), None).status, 200);
    assert_eq!(uses(&d), Some(2));
    let spent = d.req("GET", "/v1/secrets/app/key", Some(&token), None);
    assert_eq!((spent.status, spent.code()), (401, "token_exhausted".to_owned()));
    // The line names the token, not `anonymous`.
    let lines = lines_of(&d, &request_id(&spent));
    assert_eq!(lines[0]["actor"], "ci", "{lines:?}");
}

#[test]
fn a_query_that_cannot_be_read_is_refused_before_the_lock_and_names_no_path() {
    let d = daemon();
    assert_eq!(d.owner("POST", "/v1/lock", None).status, 200);
    for q in ["prefix=a&prefix=b", "prefix=%ff"] {
        let a = d.owner("GET", &format!("/v1/secrets?{q}"), None);
        assert_eq!((a.status, a.code()), (400, "bad_query".to_owned()), "{q}");
        let lines = lines_of(&d, &request_id(&a));
        assert_eq!(lines[0]["path"], Value::Null, "{lines:?}");
    }
}

#[test]
fn two_passphrase_changes_at_once_cannot_both_succeed() {
    let d = daemon();
    let change = |new: &'static str| {
        let body = json!({"old": common::PASS, "new": new});
        d.owner("POST", "/v1/passphrase", Some(body)).status
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| change("first new passphrase"));
        let b = s.spawn(|| change("second new passphrase"));
        (a.join().unwrap(), b.join().unwrap())
    });
    let mut statuses = [a, b];
    statuses.sort();
    assert_eq!(statuses, [200, 401], "the second change checks its old passphrase against the first one's record");
}

/// A path no route has and a method a route does not take are the policy's answers, audited as
/// anonymous failures of `route` (before, the route table answered them itself and wrote nothing).
#[test]
fn the_route_tables_404_and_405_are_the_policys_and_are_audited() {
    let d = daemon();
    let cases = [("GET", "/v1/nowhere", 404, "not_found"), ("DELETE", "/v1/audit", 405, "method_not_allowed")];
    for (method, path, status, code) in cases {
        let a = d.owner(method, path, None);
        assert_eq!((a.status, a.code()), (status, code.to_owned()), "{method} {path}");
        if status == 405 {
            assert_eq!(a.header("allow"), Some("GET"), "{method} {path}");
        }
        let lines = lines_of(&d, &request_id(&a));
        assert_eq!(lines.len(), 1, "{method} {path}: one line, got {lines:?}");
        let l = &lines[0];
        assert_eq!(
            (l["actor"].as_str(), l["op"].as_str(), l["status"].as_u64(), l["reason"].as_str(), l["outcome"].as_str()),
            (Some("anonymous"), Some("route"), Some(status as u64), Some(code), Some("failed")),
            "{l}"
        );
    }
}
