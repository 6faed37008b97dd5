//! Audit events as JSON lines, chained with SHA-256 and authenticated with the vault's audit key.
//!
//! Each line carries `prev`, the hash of the line before it (64 zeros for the first line), and the
//! hash of a line is the SHA-256 of its exact bytes. Editing, removing or reordering lines breaks the
//! chain at the first affected line — but a plain hash chain can be recomputed by whoever edits the
//! file. So a line written while the daemon holds the vault's [`AuditKey`] also carries `mac`,
//! HMAC-SHA256 under that key of the line's text before the `mac` field. The audit key is derived
//! one way from the data key: without the passphrase no one can write a line that verifies, and a
//! keyed line also vouches, through `prev`, for every line before it.
//!
//! Lines cut off the end are detected against a head kept outside the log: `audit.head` (the last
//! keyed head, with its MAC) and the anchors `hq-vault audit anchor` prints for a person to keep
//! elsewhere (`hqva1:<lines>:<hash>:<mac>`, see [`AuditKey::anchor`]).

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::crypto::sha256_hex;

/// The operation of the line a host writes when it finds its log deleted, truncated or broken at
/// start: verification stops there and reports the line's `reason`.
pub const BREAK_OPERATION: &str = "audit-break";
/// The operation of the first keyed line of a run: its reason, `keyed-head:<n>:<hash>`, names the
/// last keyed line before it (0 and the genesis if none), so that stripping the MACs of an earlier
/// run, or removing its lines, is detected by the next run's keyed line.
pub const RESUME_OPERATION: &str = "audit-resume";
/// Label of the audit key's derivation from the data key (HMAC-SHA256(data key, label)).
const AUDIT_KEY_LABEL: &[u8] = b"hq-vault/audit-key/v1";
/// Label of a head's MAC.
const HEAD_LABEL: &[u8] = b"hq-vault/audit-head/v1";
/// Prefix of an anchor's text.
const ANCHOR_PREFIX: &str = "hqva1";

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

/// What verification reads back from a line: that it is a record, and its link and MAC.
#[derive(Deserialize)]
struct Link {
    op: String,
    prev: Option<String>,
    mac: Option<String>,
    reason: Option<String>,
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

/// Verify a whole log's chain links, lines in order, without the key (MACs are not checked).
/// Returns the number of lines and the head hash.
pub fn verify<S: AsRef<str>>(lines: &[S]) -> Result<(u64, String), ChainError> {
    verify_with(lines, None).map(|s| (s.lines, s.head))
}

/// Verify a log's links without the key, and count its keyed lines (MACs present, not checked).
pub fn summarize<S: AsRef<str>>(lines: &[S]) -> Result<ChainSummary, ChainError> {
    verify_with(lines, None)
}

/// What a verified log holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainSummary {
    /// Number of lines.
    pub lines: u64,
    /// Hash of the last line (the genesis for an empty log).
    pub head: String,
    /// Number of lines that carry a MAC (checked, when verified with the key).
    pub keyed: u64,
    /// 1-based number of the last line with a MAC, 0 if none. Lines after it were written before
    /// the vault was unlocked in the latest run(s): their links hold, but nothing vouches for them.
    pub last_keyed: u64,
}

/// The `reason` of a run's [`RESUME_OPERATION`] line: the last keyed line before it.
pub fn resume_reason(last_keyed: u64, last_keyed_hash: &str) -> String {
    format!("keyed-head:{last_keyed}:{last_keyed_hash}")
}

/// Failed authentications past the rate limit, counted into one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureSummary {
    /// How many were counted.
    pub count: u64,
    /// Time of the first (ms since the epoch).
    pub first_ms: u64,
    /// Time of the last (ms since the epoch).
    pub last_ms: u64,
    /// The distinct client IP addresses they came from, first seen first.
    pub ips: Vec<String>,
}

/// Something a host does on its own, not for a request, that its audit log records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostAct {
    /// The log was found broken: the problems, in words ([`BREAK_OPERATION`]).
    AuditBreak(Vec<String>),
    /// The first keyed line of a run: the last keyed line before it ([`RESUME_OPERATION`]).
    AuditResume { last_keyed: u64, last_keyed_hash: String },
    /// The vault was locked after its idle time without a vault operation.
    IdleLock,
    /// The key-holding instance trapped, so its key was dropped and the vault locked.
    TrapLock,
    /// Anonymous failures past the rate limit, as one summary line.
    FailedAuthentications(FailureSummary),
}

/// The audit event of a host's own act: actor `daemon` (or `anonymous` for a summary of
/// failed authentications), from `127.0.0.1` (or the summary's first address).
pub fn host_event(act: &HostAct, time_ms: u64, request_id: &str) -> Event {
    let (actor, operation, outcome, status, source_ip, reason) = match act {
        HostAct::AuditBreak(problems) => {
            ("daemon", BREAK_OPERATION, Outcome::Failed, 0, "127.0.0.1".to_owned(), problems.join("; "))
        }
        HostAct::AuditResume { last_keyed, last_keyed_hash } => (
            "daemon",
            RESUME_OPERATION,
            Outcome::Allowed,
            0,
            "127.0.0.1".to_owned(),
            resume_reason(*last_keyed, last_keyed_hash),
        ),
        HostAct::IdleLock => ("daemon", "auto-lock", Outcome::Allowed, 200, "127.0.0.1".to_owned(), "idle".to_owned()),
        HostAct::TrapLock => ("daemon", "auto-lock", Outcome::Allowed, 200, "127.0.0.1".to_owned(), "trap".to_owned()),
        HostAct::FailedAuthentications(s) => (
            "anonymous",
            "failed-authentications",
            Outcome::Denied,
            401,
            s.ips.first().cloned().unwrap_or_default(),
            format!(
                "{} more failed authentications between {} and {} (ms since the epoch) from {}, not written one by one",
                s.count,
                s.first_ms,
                s.last_ms,
                s.ips.join(" ")
            ),
        ),
    };
    Event {
        time_ms,
        actor: actor.to_owned(),
        operation: operation.to_owned(),
        path: None,
        outcome,
        status,
        request_id: request_id.to_owned(),
        source_ip,
        reason: Some(reason),
    }
}

/// Where the `mac` field starts in a keyed line: lines end with `,"mac":"<64 hex>"}`.
const MAC_SUFFIX_LEN: usize = r#","mac":""}"#.len() + 64;

fn verify_with<S: AsRef<str>>(lines: &[S], key: Option<&AuditKey>) -> Result<ChainSummary, ChainError> {
    let mut prev = genesis();
    let (mut keyed, mut last_keyed) = (0, 0);
    let mut last_keyed_hash = genesis();
    for (i, raw) in lines.iter().enumerate() {
        let n = i as u64 + 1;
        let raw = raw.as_ref();
        let bad = |reason: &str| ChainError { line: n, reason: reason.to_owned() };
        let parsed: Link =
            serde_json::from_str(raw).map_err(|_| bad("not an audit record (damaged or edited by hand)"))?;
        match parsed.prev {
            Some(p) if p == prev => {}
            Some(_) => {
                return Err(bad(
                    "its link does not match the line before: a line was edited, removed or reordered here",
                ));
            }
            None => return Err(bad("the line has no chain link")),
        }
        if parsed.op == BREAK_OPERATION {
            return Err(bad(&format!(
                "the daemon recorded a break in the log here: {}",
                parsed.reason.as_deref().unwrap_or("no reason given")
            )));
        }
        if parsed.op == RESUME_OPERATION {
            let claim = format!("keyed-head:{last_keyed}:{last_keyed_hash}");
            if parsed.mac.is_none() || parsed.reason.as_deref() != Some(claim.as_str()) {
                return Err(bad(
                    "the run that starts here vouches for keyed lines that are no longer there: MACs were stripped or keyed lines removed before it",
                ));
            }
        }
        if let Some(mac) = &parsed.mac {
            let body = unmac(raw, mac).ok_or_else(|| bad("its MAC is not where the daemon writes it"))?;
            if let Some(k) = key
                && !k.check(&[body.as_bytes()], mac)
            {
                return Err(bad("its MAC does not verify: the line was edited, or written without this vault's key"));
            }
            keyed += 1;
            last_keyed = n;
            last_keyed_hash = sha256_hex(raw.as_bytes());
        }
        prev = sha256_hex(raw.as_bytes());
    }
    Ok(ChainSummary { lines: lines.len() as u64, head: prev, keyed, last_keyed })
}

/// The text a line's MAC covers: the line without its trailing `,"mac":"…"` field.
fn unmac(raw: &str, mac: &str) -> Option<String> {
    let cut = raw.len().checked_sub(MAC_SUFFIX_LEN)?;
    let (body, suffix) = (raw.get(..cut)?, raw.get(cut..)?);
    (suffix == format!(r#","mac":"{mac}"}}"#)).then(|| format!("{body}}}"))
}

/// The vault's audit key: an HMAC-SHA256 key derived one way from the data key
/// (HMAC-SHA256(data key, `hq-vault/audit-key/v1`)). It can write and check audit lines and
/// anchors, and nothing else: it cannot open a secret. No `Debug`; zeroized on drop.
pub struct AuditKey {
    key: Zeroizing<[u8; 32]>,
}

type HmacSha256 = Hmac<Sha256>;

impl AuditKey {
    /// The audit key of a data key.
    pub(crate) fn derive(data_key: &[u8; 32]) -> AuditKey {
        AuditKey::from_bytes(hmac_sha256(data_key, &[AUDIT_KEY_LABEL]))
    }

    pub(crate) fn from_bytes(key: [u8; 32]) -> AuditKey {
        AuditKey { key: Zeroizing::new(key) }
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// The audit key of a raw 32-byte data key, for known-answer tests only (hosts never hold a
    /// data key). `None` if `data_key` is not 32 bytes.
    pub fn from_data_key(data_key: &[u8]) -> Option<AuditKey> {
        let k: &[u8; 32] = data_key.try_into().ok()?;
        Some(AuditKey::derive(k))
    }

    fn mac(&self, parts: &[&[u8]]) -> String {
        hex::encode(hmac_sha256(&self.key[..], parts))
    }

    /// Whether `mac_hex` is the MAC of `parts`, spelled as it is written: 64 lower-case hex
    /// digits. Another spelling of the same bytes (upper-case digits) is refused, so that no edit
    /// of a keyed line's bytes verifies.
    fn check(&self, parts: &[&[u8]], mac_hex: &str) -> bool {
        if mac_hex.len() != 64 || !mac_hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return false;
        }
        let Ok(given) = hex::decode(mac_hex) else {
            return false;
        };
        let mut m = <HmacSha256 as Mac>::new_from_slice(&self.key[..]).expect("HMAC takes any key length");
        parts.iter().for_each(|p| m.update(p));
        m.verify_slice(&given).is_ok()
    }

    /// One JSON line chained to `prev_hash` and authenticated: `{…,"prev":"…","mac":"…"}`.
    pub fn chain(&self, event: &Event, prev_hash: &str) -> ChainedLine {
        let body = to_line(event, Some(prev_hash));
        let mac = self.mac(&[body.as_bytes()]);
        let line = format!(r#"{},"mac":"{mac}"}}"#, &body[..body.len() - 1]);
        let hash = sha256_hex(line.as_bytes());
        ChainedLine { line, hash }
    }

    /// Verify a whole log: every link, and the MAC of every line that has one.
    pub fn verify<S: AsRef<str>>(&self, lines: &[S]) -> Result<ChainSummary, ChainError> {
        verify_with(lines, Some(self))
    }

    /// The MAC of a head (`lines` lines ending with the line whose hash is `hash`).
    pub fn head_mac(&self, lines: u64, hash: &str) -> String {
        self.mac(&[HEAD_LABEL, &lines.to_be_bytes(), hash.as_bytes()])
    }

    /// An anchor: `hqva1:<lines>:<hash>:<mac>`, a head that only this vault's key could have made,
    /// for a person to keep outside the machine.
    pub fn anchor(&self, lines: u64, hash: &str) -> String {
        format!("{ANCHOR_PREFIX}:{lines}:{hash}:{}", self.head_mac(lines, hash))
    }

    /// Check an anchor's MAC; returns its line count and head hash.
    pub fn check_anchor(&self, anchor: &str) -> Result<(u64, String), ChainError> {
        let bad = |reason: &str| ChainError { line: 0, reason: reason.to_owned() };
        let parts: Vec<&str> = anchor.trim().split(':').collect();
        let [prefix, lines, hash, mac] = parts.as_slice() else {
            return Err(bad("not an anchor: expected hqva1:<lines>:<hash>:<mac>"));
        };
        let lines: u64 = lines.parse().map_err(|_| bad("the anchor's line count is not a number"))?;
        if *prefix != ANCHOR_PREFIX || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("not an anchor: expected hqva1:<lines>:<hash>:<mac>"));
        }
        if !self.check(&[HEAD_LABEL, &lines.to_be_bytes(), hash.as_bytes()], mac) {
            return Err(bad("the anchor's MAC does not verify: it was not made with this vault's key"));
        }
        Ok((lines, (*hash).to_owned()))
    }
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    parts.iter().for_each(|p| m.update(p));
    m.finalize().into_bytes().into()
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
    fn a_keyed_chain_cannot_be_relinked_without_the_key() {
        let k = AuditKey::from_data_key(&[7u8; 32]).unwrap();
        let a = k.chain(&ev("get"), &genesis());
        let b = k.chain(&ev("store"), &a.hash);
        let c = k.chain(&ev("delete"), &b.hash);
        let s = k.verify(&[&a.line, &b.line, &c.line]).unwrap();
        assert_eq!((s.lines, s.keyed, s.last_keyed, s.head), (3, 3, 3, c.hash.clone()));
        // Remove line 2 and re-link line 3 to line 1 as a plain chain would allow.
        let relinked = c.line.replace(&a.hash, "X").replace(&b.hash, &a.hash);
        assert_eq!(verify(&[&a.line, &relinked]).unwrap().0, 2, "a plain chain cannot tell");
        assert_eq!(k.verify(&[&a.line, &relinked]).unwrap_err().line, 2);
        // Rewrite an outcome.
        let rewritten = b.line.replace("\"allowed\"", "\"denied\"");
        assert_eq!(k.verify(&[&a.line, &rewritten]).unwrap_err().line, 2);
        // Another vault's key does not verify.
        let other = AuditKey::from_data_key(&[8u8; 32]).unwrap();
        assert_eq!(other.verify(&[&a.line]).unwrap_err().line, 1);
        // Anchors.
        let anchor = k.anchor(3, &c.hash);
        assert_eq!(k.check_anchor(&anchor).unwrap(), (3, c.hash.clone()));
        assert!(other.check_anchor(&anchor).is_err());
        assert!(k.check_anchor(&anchor.replace(":3:", ":2:")).is_err());
    }

    #[test]
    fn unkeyed_lines_after_the_last_keyed_one_are_reported() {
        let k = AuditKey::from_data_key(&[7u8; 32]).unwrap();
        let a = chain(&ev("unlock"), &genesis());
        let b = k.chain(&ev("get"), &a.hash);
        let c = chain(&ev("get"), &b.hash);
        let s = k.verify(&[&a.line, &b.line, &c.line]).unwrap();
        assert_eq!((s.keyed, s.last_keyed), (1, 2));
    }

    #[test]
    fn a_mac_spelled_in_upper_case_does_not_verify() {
        // Found by the fuzz target `audit_verify`: one MAC digit turned upper case is the same
        // bytes to a hex decoder, so the edited line verified.
        let k = AuditKey::from_data_key(&[7u8; 32]).unwrap();
        let a = k.chain(&ev("get"), &genesis());
        let at = a.line.rfind(|c: char| c.is_ascii_lowercase() && c.is_ascii_hexdigit()).unwrap();
        let mut edited = a.line.clone();
        edited.replace_range(at..=at, &a.line[at..=at].to_ascii_uppercase());
        assert_ne!(edited, a.line);
        assert_eq!(k.verify(&[&edited]).unwrap_err().line, 1);
        let anchor = k.anchor(1, &a.hash);
        assert!(k.check_anchor(&anchor).is_ok());
        let (body, mac) = anchor.rsplit_once(':').unwrap();
        assert!(k.check_anchor(&format!("{body}:{}", mac.to_ascii_uppercase())).is_err());
    }

    #[test]
    fn a_resume_line_must_name_the_last_keyed_line_before_it() {
        let k = AuditKey::from_data_key(&[7u8; 32]).unwrap();
        let a = k.chain(&ev("get"), &genesis());
        let b = chain(&ev("unlock"), &a.hash);
        let mut r = ev(RESUME_OPERATION);
        r.reason = Some(resume_reason(1, &a.hash));
        let c = k.chain(&r, &b.hash);
        assert_eq!(k.verify(&[&a.line, &b.line, &c.line]).unwrap().keyed, 2);
        // Line 1's MAC stripped (and the chain re-linked): the resume line no longer holds.
        let stripped = format!("{}}}", &a.line[..a.line.find(",\"mac\":\"").unwrap()]);
        let b2 = chain(&ev("unlock"), &sha256_hex(stripped.as_bytes()));
        let c2 = k.chain(&r, &b2.hash);
        assert_eq!(k.verify(&[&stripped, &b2.line, &c2.line]).unwrap_err().line, 3);
    }

    #[test]
    fn a_break_line_stops_verification() {
        let mut e = ev(BREAK_OPERATION);
        e.reason = Some("audit.log was deleted".into());
        let a = chain(&e, &genesis());
        let err = verify(&[&a.line]).unwrap_err();
        assert!(err.reason.contains("audit.log was deleted"), "{}", err.reason);
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

    #[test]
    fn a_hosts_own_acts_are_written_by_the_core() {
        let idle = host_event(&HostAct::IdleLock, 9, "req_a");
        assert_eq!(
            (idle.actor.as_str(), idle.operation.as_str(), idle.outcome, idle.status, idle.reason.as_deref()),
            ("daemon", "auto-lock", Outcome::Allowed, 200, Some("idle"))
        );
        assert_eq!(
            (idle.time_ms, idle.request_id.as_str(), idle.source_ip.as_str(), idle.path),
            (9, "req_a", "127.0.0.1", None)
        );
        assert_eq!(host_event(&HostAct::TrapLock, 9, "r").reason.as_deref(), Some("trap"));
        let b = host_event(&HostAct::AuditBreak(vec!["one".into(), "two".into()]), 1, "start");
        assert_eq!(
            (b.operation.as_str(), b.outcome, b.status, b.reason.as_deref()),
            ("audit-break", Outcome::Failed, 0, Some("one; two"))
        );
        let r = host_event(&HostAct::AuditResume { last_keyed: 3, last_keyed_hash: "ab".into() }, 1, "x");
        assert_eq!(
            (r.operation.as_str(), r.outcome, r.reason.as_deref()),
            ("audit-resume", Outcome::Allowed, Some("keyed-head:3:ab"))
        );
        let s = FailureSummary { count: 4, first_ms: 10, last_ms: 20, ips: vec!["10.0.0.1".into(), "10.0.0.2".into()] };
        let s = host_event(&HostAct::FailedAuthentications(s), 30, "summary");
        assert_eq!(
            (s.actor.as_str(), s.operation.as_str(), s.outcome, s.status),
            ("anonymous", "failed-authentications", Outcome::Denied, 401)
        );
        assert_eq!(s.source_ip, "10.0.0.1");
        assert_eq!(
            s.reason.as_deref(),
            Some(
                "4 more failed authentications between 10 and 20 (ms since the epoch) from 10.0.0.1 10.0.0.2, not written one by one"
            )
        );
    }
}
