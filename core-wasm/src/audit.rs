//! Audit events as JSON lines, chained with SHA-256.
//!
//! Each line carries `prev`, the hash of the line before it (64 zeros for the first line), and the
//! hash of a line is the SHA-256 of its exact bytes. Editing, removing or reordering lines breaks the
//! chain at the first affected line. Lines cut off the end can only be detected against a hash
//! kept elsewhere (the daemon prints the head hash with `audit verify`).

use serde::{Deserialize, Serialize};

use crate::crypto::sha256_hex;

/// How an operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Allowed,
    Denied,
    Failed,
}

/// One audited operation. It never holds a secret value or a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub time_ms: u64,
    pub actor: String,
    pub operation: String,
    pub path: Option<String>,
    pub outcome: Outcome,
    pub status: u16,
    pub request_id: String,
    pub source_ip: String,
    pub reason: Option<String>,
}

/// The line as written: the event's fields in a fixed order, then the chain link.
#[derive(Serialize)]
struct Line<'a> {
    time: String,
    time_ms: u64,
    actor: &'a str,
    op: &'a str,
    path: Option<&'a str>,
    outcome: Outcome,
    status: u16,
    request_id: &'a str,
    ip: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev: Option<&'a str>,
}

/// What verification reads back from a line: that it is a record, and its link.
#[derive(Deserialize)]
struct Link {
    #[allow(dead_code)] // required so that a line without it is not taken for a record
    op: String,
    prev: Option<String>,
}

fn to_line<'a>(e: &'a Event, prev: Option<&'a str>) -> String {
    let line = Line {
        time: crate::time::rfc3339(e.time_ms),
        time_ms: e.time_ms,
        actor: &e.actor,
        op: &e.operation,
        path: e.path.as_deref(),
        outcome: e.outcome,
        status: e.status,
        request_id: &e.request_id,
        ip: &e.source_ip,
        reason: e.reason.as_deref(),
        prev,
    };
    // Serializing plain strings and numbers cannot fail.
    serde_json::to_string(&line).unwrap_or_default()
}

/// A chained line ready to append, and its hash for the next line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedLine {
    pub line: String,
    pub hash: String,
}

/// Why a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit line {line}: {reason}")]
pub struct ChainError {
    /// 1-based number of the first bad line.
    pub line: u64,
    pub reason: String,
}

/// The `prev` of a log's first line.
pub fn genesis() -> String {
    "0".repeat(64)
}

/// One JSON line without a chain link, for stores that cannot keep an order (Workers KV).
pub fn encode(event: &Event) -> String {
    to_line(event, None)
}

/// One JSON line chained to the previous line's hash.
pub fn chain(event: &Event, prev_hash: &str) -> ChainedLine {
    let line = to_line(event, Some(prev_hash));
    let hash = sha256_hex(line.as_bytes());
    ChainedLine { line, hash }
}

/// Verify a whole log, lines in order. Returns the number of lines and the head hash.
pub fn verify<S: AsRef<str>>(lines: &[S]) -> Result<(u64, String), ChainError> {
    let mut prev = genesis();
    for (i, raw) in lines.iter().enumerate() {
        let n = i as u64 + 1;
        let raw = raw.as_ref();
        let parsed: Link = serde_json::from_str(raw)
            .map_err(|_| ChainError { line: n, reason: "not an audit record (damaged or edited by hand)".into() })?;
        match parsed.prev {
            Some(p) if p == prev => {}
            Some(_) => {
                return Err(ChainError {
                    line: n,
                    reason: "its link does not match the line before: a line was edited, removed or reordered here"
                        .into(),
                });
            }
            None => {
                return Err(ChainError { line: n, reason: "the line has no chain link".into() });
            }
        }
        prev = sha256_hex(raw.as_bytes());
    }
    Ok((lines.len() as u64, prev))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(op: &str) -> Event {
        Event {
            time_ms: 1_000,
            actor: "bootstrap".into(),
            operation: op.into(),
            path: Some("a/b".into()),
            outcome: Outcome::Allowed,
            status: 200,
            request_id: "r1".into(),
            source_ip: "127.0.0.1".into(),
            reason: None,
        }
    }

    #[test]
    fn chain_detects_an_edit() {
        let a = chain(&ev("get"), &genesis());
        let b = chain(&ev("store"), &a.hash);
        assert_eq!(verify(&[&a.line, &b.line]).unwrap(), (2, b.hash.clone()));
        let edited = a.line.replace("a/b", "a/c");
        assert_eq!(verify(&[&edited, &b.line]).unwrap_err().line, 2);
        assert_eq!(verify(&[&b.line]).unwrap_err().line, 1);
    }
}
