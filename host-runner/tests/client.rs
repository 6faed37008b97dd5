//! `hq-vault-client` against the real daemon: the crate the CLI is built on.

mod common;

use common::*;
use hq_vault_client::{Client, Connection, Error};
use serde_json::json;

fn client(d: &Daemon, token: Option<String>) -> Client {
    let ca = std::fs::read(d.home().join("tls/ca.pem")).unwrap();
    Client::new(&d.url, token, &ca).unwrap()
}

#[test]
fn secrets_env_and_typed_errors() {
    let mut d = daemon();
    let c = client(&d, Some(d.token()));
    d.secrets.push("client-value-1".into());
    let stored = c.put_secret("app/database-url", b"client-value-1", Some("url"), None).unwrap();
    assert_eq!(stored["size"], 14);
    c.put_secret("app/bin", &[0, 1, 2, 255], None, None).unwrap();
    assert_eq!(&c.get_secret("app/database-url").unwrap()[..], b"client-value-1");
    assert_eq!(&c.get_secret("app/bin").unwrap()[..], &[0, 1, 2, 255]);
    let list = c.list("app/").unwrap();
    assert_eq!(list.iter().map(|s| s.path.as_str()).collect::<Vec<_>>(), ["app/bin", "app/database-url"]);
    assert!(matches!(c.env("app/"), Err(Error::Env(_))), "a binary value cannot be an env var");
    c.delete_secret("app/bin").unwrap();
    let env = c.env("app/").unwrap();
    assert_eq!(env["DATABASE_URL"].as_str(), "client-value-1");
    assert!(matches!(c.get_secret("app/missing"), Err(Error::Api { status: 404, .. })));
    assert!(matches!(client(&d, Some("hqvt_nope".into())).get_secret("app/x"), Err(Error::Unauthorized { .. })));
    assert!(matches!(client(&d, None).get_secret("app/x"), Err(Error::NoToken(_))));
    d.owner("POST", "/v1/lock", None);
    assert!(matches!(c.get_secret("app/database-url"), Err(Error::Locked)));
    d.stop();
    assert!(matches!(c.health(), Err(Error::NotRunning(_))));
}

#[test]
fn the_connection_reader_pages_for_you() {
    let d = daemon();
    for i in 0..25 {
        let p = d.home().join(format!("files/kb/{i:02}.md"));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, format!("doc {i}")).unwrap();
    }
    let key = d.owner("POST", "/v1/connections", Some(json!({"name": "r", "patterns": ["kb/"]}))).json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let ca = std::fs::read(d.home().join("tls/ca.pem")).unwrap();
    let conn = Connection::new(&d.url, &key, Some(&ca)).unwrap().with_page_size(10);
    let all = conn.list("kb/").unwrap();
    assert_eq!(all.len(), 25, "three pages of 10, 10 and 5, followed by the cursor");
    let keys: Vec<&str> = all.iter().map(|o| o.key.as_str()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let audit = std::fs::read_to_string(d.home().join("audit.log")).unwrap();
    assert_eq!(audit.matches("\"op\":\"list\"").count(), 3, "one request per page");
    assert_eq!(conn.get("kb/07.md").unwrap(), b"doc 7");
    assert!(matches!(conn.get("other/x"), Err(Error::Api { status: 403, .. })));
}
