//! Conditional and ranged reads of one object on the daemon: `If-Range` (RFC 9110 §13.1.5) by entity
//! tag and by date, after `If-None-Match`, over real HTTPS and real files.

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use serde_json::json;

const PATH: &str = "/v1/connections/files/object?path=docs/doc.txt";

fn get(d: &Daemon, auth: &str, headers: &[(&str, &str)], method: &str) -> Answer {
    let mut h = vec![("authorization".to_owned(), auth.to_owned())];
    h.extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    d.raw(method, PATH, &h, None)
}

#[test]
fn if_range_sends_the_whole_new_object_unless_the_validator_holds_strongly() {
    let d = daemon();
    let dir = d.home().join("files/docs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("doc.txt"), "old contents").unwrap();
    let c = d.owner("POST", "/v1/connections", Some(json!({"name": "docs", "patterns": ["docs/"]}))).json();
    let auth = format!("Bearer {}", c["key"].as_str().unwrap());
    let old_tag = get(&d, &auth, &[], "GET").header("etag").unwrap().to_owned();

    // A new version, last modified an hour ago: its Last-Modified second is long over.
    std::fs::write(dir.join("doc.txt"), "NEW CONTENTS, longer").unwrap();
    let f = std::fs::File::options().write(true).open(dir.join("doc.txt")).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(3600)).unwrap();
    drop(f);
    let now = get(&d, &auth, &[], "GET");
    let tag = now.header("etag").unwrap().to_owned();
    let last_modified = now.header("last-modified").unwrap().to_owned();
    assert_ne!(tag, old_tag);

    let weak = format!("W/{tag}");
    for stale in [old_tag.as_str(), "\"stale\"", &weak, "Mon, 01 Jan 2001 00:00:00 GMT", "garbage"] {
        let a = get(&d, &auth, &[("range", "bytes=0-3"), ("if-range", stale)], "GET");
        assert_eq!(a.status, 200, "If-Range {stale}");
        assert_eq!(a.body, b"NEW CONTENTS, longer", "If-Range {stale}: the whole current object");
        assert_eq!(a.header("content-range"), None);
        assert_eq!(a.header("etag"), Some(tag.as_str()));
    }
    let a = get(&d, &auth, &[("range", "bytes=0-3"), ("if-range", &tag)], "GET");
    assert_eq!((a.status, a.body.as_slice()), (206, &b"NEW "[..]));
    assert_eq!(a.header("content-range"), Some("bytes 0-3/20"));
    let a = get(&d, &auth, &[("range", "bytes=0-3"), ("if-range", &tag)], "HEAD");
    assert_eq!((a.status, a.header("content-length")), (206, Some("4")));
    // The date form holds when it is exactly Last-Modified (and that second is over).
    let a = get(&d, &auth, &[("range", "bytes=4-11"), ("if-range", &last_modified)], "GET");
    assert_eq!((a.status, a.body.as_slice()), (206, &b"CONTENTS"[..]));
    // A false If-Range ignores even an unsatisfiable range.
    let a = get(&d, &auth, &[("range", "bytes=500-"), ("if-range", &old_tag)], "GET");
    assert_eq!(a.status, 200);
    let a = get(&d, &auth, &[("range", "bytes=500-"), ("if-range", &tag)], "GET");
    assert_eq!((a.status, a.header("content-range")), (416, Some("bytes */20")));
    // If-None-Match still comes first.
    assert_eq!(get(&d, &auth, &[("if-none-match", &tag)], "GET").status, 304);
    assert_eq!(
        get(&d, &auth, &[("if-none-match", &tag), ("range", "bytes=0-3"), ("if-range", &tag)], "GET").status,
        304
    );
    assert_eq!(get(&d, &auth, &[("if-none-match", &old_tag)], "GET").status, 200);
}

#[test]
fn a_replacement_with_the_same_size_and_modification_time_gets_a_new_etag() {
    let d = daemon();
    let dir = d.home().join("files/docs");
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("doc.txt");
    std::fs::write(&target, "PUBLIC X\n").unwrap();
    let when = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options().write(true).open(&target).unwrap().set_modified(when).unwrap();
    let c = d.owner("POST", "/v1/connections", Some(json!({"name": "docs", "patterns": ["docs/"]}))).json();
    let auth = format!("Bearer {}", c["key"].as_str().unwrap());
    let old = get(&d, &auth, &[], "GET");
    let old_tag = old.header("etag").unwrap().to_owned();
    // As `cp -p`, `rsync -t` or `tar x` would: other bytes of the same size, the same mtime.
    let staged = dir.join("staged.tmp");
    std::fs::write(&staged, "PUBLIC Y\n").unwrap();
    std::fs::File::options().write(true).open(&staged).unwrap().set_modified(when).unwrap();
    std::fs::rename(&staged, &target).unwrap();
    let ranged = get(&d, &auth, &[("range", "bytes=0-3"), ("if-range", &old_tag)], "GET");
    assert_eq!(ranged.status, 200, "a stale If-Range spliced new bytes onto an old copy");
    assert_eq!(ranged.body, b"PUBLIC Y\n");
    assert_ne!(ranged.header("etag").unwrap(), old_tag);
    assert_eq!(get(&d, &auth, &[("if-none-match", &old_tag)], "GET").status, 200, "a stale If-None-Match got 304");
}
