//! `audit.log`: append-only JSON lines, chained and authenticated by the component, made durable
//! in batches, with its head anchored in `audit.head`.
//!
//! One writer thread appends. Callers hand it an event and wait until their line is on disk:
//! concurrent lines are chained in arrival order, written together and made durable with one
//! `fsync`. If a line cannot be written, every caller in that batch gets an error and must not
//! perform its operation.
//!
//! From the first unlock of a run on, the writer's component instance holds the vault's audit key
//! (never the data key; it stays across `lock`, since it opens nothing) and every line carries a
//! MAC. After each batch `audit.head` is rewritten with the log's head and the last keyed head
//! with its MAC, so that a log cut short, emptied or deleted is detected at the next start and by
//! `hq-vault audit verify`. At start, a problem is printed and recorded as an `audit-break` line,
//! never silently continued.
//!
//! Failed authentications (actor `anonymous`, or `unknown` for a connection key) are rate-limited: at most [`ANON_BURST`] lines per
//! [`ANON_WINDOW`], the rest counted into one summary line, so no one can fill the disk.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

use crate::host::wit::audit::{Event, FailureSummary, HostAct};
use crate::host::{AuditKey, CoreHost, Instance, MasterKey};

/// Most individual `anonymous` lines per window.
pub const ANON_BURST: u64 = 20;
/// The window of the `anonymous` rate limit.
pub const ANON_WINDOW: Duration = Duration::from_secs(60);

/// Why an audit line could not be recorded.
#[derive(Debug, thiserror::Error)]
#[error("the audit log could not be written ({0}): the operation was not performed")]
pub struct AuditError(String);

struct Pending {
    line: Line,
    done: oneshot::Sender<Result<(), String>>,
}

/// What a pending line records: a request's event (the core's decision made it), or an act of
/// the daemon's own, whose event the writer asks its instance of the core for.
enum Line {
    Event(Event),
    Act {
        act: HostAct,
        time_ms: u64,
        request_id: String,
    },
    /// No line of its own: makes the writer write the pending opening line now (see
    /// [`AuditLog::write_opening`]).
    Opening {
        time_ms: u64,
        request_id: String,
    },
}

/// `audit.head`: the log's head after the last batch, and the last head written with the key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// Lines in the log.
    pub lines: u64,
    /// Hash of the last line.
    pub hash: String,
    /// The last head whose batch was written with the audit key, and its MAC.
    pub keyed: Option<KeyedHead>,
}

/// A head authenticated with the audit key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyedHead {
    pub lines: u64,
    pub hash: String,
    /// `head-mac(lines, hash)` under the audit key, hex.
    pub mac: String,
}

/// The chain's state, shared by the writer and by [`AuditLog::install_key`].
struct Chain {
    inst: Instance,
    key: Option<AuditKey>,
    head: Head,
    /// The last keyed line written (1-based number, hash): the claim of the next resume line.
    last_keyed: (u64, String),
    /// Set when the key arrives: the first keyed batch starts with a resume line (no problem
    /// found in the log) or a break line (the problems, in words).
    opening: Option<Vec<String>>,
}

#[derive(Default)]
struct Limiter {
    window_start_ms: u64,
    written: u64,
    suppressed: u64,
    first_ms: u64,
    last_ms: u64,
    ips: Vec<String>,
}

struct Shared {
    chain: Mutex<Chain>,
    log_path: PathBuf,
    head_path: PathBuf,
    /// `vault.db` says this vault has written keyed lines before.
    expect_keyed: bool,
    limiter: Mutex<Limiter>,
}

/// A handle to the writer thread.
#[derive(Clone)]
pub struct AuditLog {
    tx: mpsc::UnboundedSender<Pending>,
    shared: Arc<Shared>,
}

/// Read every line of a log file (none if it does not exist or is not a regular file).
pub fn read_lines(path: &Path) -> Result<Vec<String>> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        _ => return Ok(Vec::new()),
    }
    let f = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    BufReader::new(f)
        .lines()
        .collect::<std::io::Result<Vec<_>>>()
        .with_context(|| format!("reading {}", path.display()))
}

/// Read `audit.head`; `None` if it does not exist.
pub fn read_head(path: &Path) -> Result<Option<Head>> {
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .with_context(|| format!("{} is damaged (not the JSON the daemon writes)", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// What `vault.db` says the log must hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expect {
    /// The vault has audited before: a log and a head must exist.
    pub log: bool,
    /// The vault has written keyed lines before: the log and the head must hold some.
    pub keyed: bool,
}

impl Expect {
    /// Read from `vault.db`'s `meta` table (`audit_started`, `audit_keyed`).
    pub fn from_store(store: &crate::store::VaultDb) -> Result<Expect> {
        Ok(Expect { log: store.meta("audit_started")?.is_some(), keyed: store.meta("audit_keyed")?.is_some() })
    }
}

/// What is wrong between a log and its head file, in words (empty: nothing). `expect_log` says
/// the vault has audited before (so a log and a head must exist). Only links and hashes are
/// checked here; MACs need the key (`hq-vault audit verify`).
pub fn head_problems(
    inst: &mut Instance,
    lines: &[String],
    head: Option<&Head>,
    expect: Expect,
) -> Result<Vec<String>> {
    let expect_log = expect.log;
    let mut problems = Vec::new();
    match inst.audit_summarize(lines).map_err(anyhow::Error::from)? {
        Ok(s) if expect.keyed && (s.keyed == 0 || head.is_some_and(|h| h.keyed.is_none())) => problems.push(
            "this vault has written keyed audit lines before, but audit.log or audit.head holds none: MACs were stripped"
                .to_owned(),
        ),
        Ok(_) => {}
        Err(e) => problems.push(format!("audit.log does not verify at line {}: {}", e.line, e.reason)),
    }
    let hash_of = |inst: &mut Instance, n: u64| -> Result<Option<String>> {
        match n {
            0 => Ok(Some(inst.audit_genesis().map_err(anyhow::Error::from)?)),
            n => match lines.get(n as usize - 1) {
                Some(l) => Ok(Some(inst.sha256_hex(l.as_bytes()).map_err(anyhow::Error::from)?)),
                None => Ok(None),
            },
        }
    };
    match head {
        None if !lines.is_empty() || expect_log => {
            problems.push("audit.head is missing, so lines cut off the end of audit.log cannot be ruled out".to_owned())
        }
        None => {}
        Some(h) => {
            let mut check = |what: &str, n: u64, hash: &str| -> Result<()> {
                match hash_of(inst, n)? {
                    None if lines.is_empty() => problems.push(format!(
                        "audit.log is missing or empty, but {what} says it had {n} line{}: it was deleted or emptied",
                        if n == 1 { "" } else { "s" }
                    )),
                    None => problems.push(format!(
                        "audit.log has {} line{}, but {what} says it had {n}: lines were cut off the end",
                        lines.len(),
                        if lines.len() == 1 { "" } else { "s" }
                    )),
                    Some(h) if h != hash => problems
                        .push(format!("line {n} of audit.log is not the line {what} recorded: the log was rewritten")),
                    Some(_) => {}
                }
                Ok(())
            };
            check("audit.head", h.lines, &h.hash)?;
            if let Some(k) = &h.keyed {
                check("audit.head's keyed head", k.lines, &k.hash)?;
            }
        }
    }
    Ok(problems)
}

impl AuditLog {
    /// Open the log for appending and start the writer. The log is checked against `audit.head`
    /// first; each problem is printed and recorded as one `audit-break` line, so that
    /// `hq-vault audit verify` reports it from then on. `expect_log`: the vault has audited before.
    pub async fn open(path: &Path, head_path: &Path, host: &CoreHost, expect: Expect) -> Result<AuditLog> {
        let mut inst = host.instance()?;
        let lines = read_lines(path)?;
        let head = read_head(head_path).unwrap_or_else(|e| {
            eprintln!("warning: {e:#}");
            None
        });
        let problems = head_problems(&mut inst, &lines, head.as_ref(), expect)?;
        let last_keyed = match inst.audit_summarize(&lines).map_err(anyhow::Error::from)? {
            Ok(s) if s.last_keyed > 0 => (
                s.last_keyed,
                inst.sha256_hex(lines[s.last_keyed as usize - 1].as_bytes()).map_err(anyhow::Error::from)?,
            ),
            _ => (0, inst.audit_genesis().map_err(anyhow::Error::from)?),
        };
        let current = Head {
            lines: lines.len() as u64,
            hash: match lines.last() {
                Some(last) => inst.sha256_hex(last.as_bytes()).map_err(anyhow::Error::from)?,
                None => inst.audit_genesis().map_err(anyhow::Error::from)?,
            },
            keyed: head.and_then(|h| h.keyed),
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("opening {} for appending", path.display()))?;
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            chain: Mutex::new(Chain { inst, key: None, head: current, last_keyed, opening: None }),
            log_path: path.to_owned(),
            head_path: head_path.to_owned(),
            expect_keyed: expect.keyed,
            limiter: Mutex::new(Limiter::default()),
        });
        let s2 = shared.clone();
        std::thread::Builder::new().name("audit-writer".into()).spawn(move || writer(file, s2, rx))?;
        let log = AuditLog { tx, shared };
        if problems.is_empty() {
            // The head exists from the first start on, so that a log deleted later is detected
            // even if this run never writes a line.
            let head = log.shared.chain.lock().map(|c| c.head.clone()).unwrap_or_default();
            write_head(head_path, &head).with_context(|| format!("writing {}", head_path.display()))?;
        } else {
            for p in &problems {
                eprintln!("warning: {p}; recorded as an audit-break line (see `hq-vault audit verify`)");
            }
            let act = HostAct::AuditBreak(problems.clone());
            if let Err(e) =
                log.send(Line::Act { act, time_ms: crate::daemon::now_ms(), request_id: "start".into() }).await
            {
                // Every later operation needs its line too, and will fail the same way (503).
                eprintln!("hq-vault: the break could not be recorded: {e}");
            }
        }
        Ok(log)
    }

    /// Give the writer the vault's audit key, derived from `key` in `from`, at the first unlock of
    /// a run. Before any keyed line vouches for the log, the whole log is checked with the key
    /// (every MAC, the keyed head's MAC, and that MACs were not stripped): the next batch then
    /// starts with a resume line (`audit-resume`, naming the last keyed line), or with a break line
    /// listing what was found. Returns those problems (empty: the log is intact).
    pub fn install_key(&self, from: &mut Instance, key: &MasterKey) -> Result<Vec<String>> {
        let mut chain = self.shared.chain.lock().map_err(|_| anyhow::anyhow!("the audit writer is poisoned"))?;
        if chain.key.is_some() {
            return Ok(Vec::new());
        }
        let chain = &mut *chain;
        let k = match chain.inst.receive_audit_key(from, key).map_err(anyhow::Error::from)? {
            Ok(k) => k,
            Err(e) => {
                let why = chain.inst.describe_crypto_error(e).map_err(anyhow::Error::from)?;
                anyhow::bail!("moving the audit key: {why}")
            }
        };
        // The writer holds this lock while it writes, so the file is whole here.
        let lines = read_lines(&self.shared.log_path)?;
        let mut problems = Vec::new();
        match chain.inst.audit_verify_keyed(&k, &lines).map_err(anyhow::Error::from)? {
            Err(e) => problems
                .push(format!("audit.log does not verify with the vault's key at line {}: {}", e.line, e.reason)),
            Ok(s) if self.shared.expect_keyed && s.keyed == 0 => problems.push(
                "this vault has written keyed audit lines before, but audit.log holds none: MACs were stripped".into(),
            ),
            Ok(_) => {}
        }
        if let Some(kh) = &chain.head.keyed {
            let mac = chain.inst.audit_head_mac(&k, kh.lines, &kh.hash).map_err(anyhow::Error::from)?;
            if !crate::daemon::constant_time_eq(mac.as_bytes(), kh.mac.as_bytes()) {
                problems
                    .push("audit.head's keyed head was not made with this vault's key: audit.head was forged".into());
            }
        } else if self.shared.expect_keyed {
            problems
                .push("audit.head holds no keyed head, yet this vault has written keyed lines: it was replaced".into());
        }
        for p in &problems {
            eprintln!("warning: {p}; recorded as an audit-break line (see `hq-vault audit verify`)");
        }
        chain.opening = Some(problems.clone());
        chain.key = Some(k);
        Ok(problems)
    }

    /// Write the opening line of a run's keyed lines (the resume or break line that
    /// [`AuditLog::install_key`] prepared) now, instead of ahead of the next request's line;
    /// returns once it is durable. Called before `vault.db` records that this vault writes keyed
    /// lines, so that a run stopped before any request leaves a log that says so.
    pub async fn write_opening(&self, time_ms: u64, request_id: &str) -> Result<(), AuditError> {
        self.send(Line::Opening { time_ms, request_id: request_id.to_owned() }).await
    }

    /// Record one event; returns once its line is durable. A `summarized` event (an anonymous
    /// failure, as the core's decision says) is rate-limited: past the burst, it is counted for
    /// a summary line and `Ok` is returned at once.
    pub async fn record(&self, event: Event, summarized: bool) -> Result<(), AuditError> {
        if summarized && !self.admit_anonymous(&event) {
            return Ok(());
        }
        self.send(Line::Event(event)).await
    }

    /// Record several events, their lines in this order and in as few batches as the writer takes
    /// them (the group commit of `vault.db`'s writer); returns once every line is durable, each
    /// event's result in the order given. A `summarized` event is rate-limited as in
    /// [`AuditLog::record`].
    pub async fn record_all(&self, events: Vec<(Event, bool)>) -> Vec<Result<(), AuditError>> {
        let queued: Vec<_> = events
            .into_iter()
            .map(|(event, summarized)| {
                if summarized && !self.admit_anonymous(&event) { None } else { Some(self.enqueue(Line::Event(event))) }
            })
            .collect();
        let mut out = Vec::with_capacity(queued.len());
        for q in queued {
            out.push(match q {
                None => Ok(()),
                Some(Ok(wait)) => Self::durable(wait).await,
                Some(Err(e)) => Err(e),
            });
        }
        out
    }

    /// Hand a line to the writer; returns once it is durable.
    async fn send(&self, line: Line) -> Result<(), AuditError> {
        Self::durable(self.enqueue(line)?).await
    }

    /// Queue a line for the writer: what tells when it is durable.
    fn enqueue(&self, line: Line) -> Result<oneshot::Receiver<Result<(), String>>, AuditError> {
        let (done, wait) = oneshot::channel();
        self.tx.send(Pending { line, done }).map_err(|_| AuditError("the audit writer has stopped".into()))?;
        Ok(wait)
    }

    /// Wait until a queued line is durable.
    async fn durable(wait: oneshot::Receiver<Result<(), String>>) -> Result<(), AuditError> {
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(AuditError(e)),
            Err(_) => Err(AuditError("the audit writer has stopped".into())),
        }
    }

    /// Whether this anonymous failure gets its own line (else it is counted for the summary).
    fn admit_anonymous(&self, e: &Event) -> bool {
        let Ok(mut l) = self.shared.limiter.lock() else {
            return true;
        };
        if e.time_ms.saturating_sub(l.window_start_ms) >= ANON_WINDOW.as_millis() as u64 && l.suppressed == 0 {
            l.window_start_ms = e.time_ms;
            l.written = 0;
        }
        if l.written < ANON_BURST {
            l.written += 1;
            return true;
        }
        if l.suppressed == 0 {
            l.first_ms = e.time_ms;
        }
        l.suppressed += 1;
        l.last_ms = e.time_ms;
        if l.ips.len() < 8 && !l.ips.contains(&e.source_ip) {
            l.ips.push(e.source_ip.clone());
        }
        false
    }

    /// Write the summary of the anonymous failures counted so far, once their window is over
    /// (or at once, with `force`, at shutdown). Called by the daemon every few seconds.
    pub async fn flush_anonymous(&self, now_ms: u64, force: bool) -> Result<(), AuditError> {
        let summary = {
            let Ok(mut l) = self.shared.limiter.lock() else {
                return Ok(());
            };
            let over = now_ms.saturating_sub(l.window_start_ms) >= ANON_WINDOW.as_millis() as u64;
            if l.suppressed == 0 || !(over || force) {
                return Ok(());
            }
            let s = FailureSummary {
                count: l.suppressed,
                first_ms: l.first_ms,
                last_ms: l.last_ms,
                ips: std::mem::take(&mut l.ips),
            };
            *l = Limiter { window_start_ms: now_ms, ..Limiter::default() };
            s
        };
        let act = HostAct::FailedAuthentications(summary);
        self.send(Line::Act { act, time_ms: now_ms, request_id: "summary".into() }).await
    }
}

fn writer(mut file: File, shared: Arc<Shared>, mut rx: mpsc::UnboundedReceiver<Pending>) {
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < 512 {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let Ok(mut chain) = shared.chain.lock() else {
            for p in batch {
                let _ = p.done.send(Err("the audit writer is poisoned".into()));
            }
            continue;
        };
        let chain = &mut *chain;
        let mut buf = Vec::with_capacity(batch.len() * 320);
        let mut new_head = chain.head.hash.clone();
        let mut chained = Ok(());
        let mut written = batch.len() as u64;
        let mut last_keyed = chain.last_keyed.clone();
        let pending_opening = if chain.key.is_some() { chain.opening.take() } else { None };
        // The opening line takes the time and request id of the batch's first line.
        let (first_ms, first_id) = match &batch[0].line {
            Line::Event(e) => (e.time_ms, e.request_id.clone()),
            Line::Act { time_ms, request_id, .. } | Line::Opening { time_ms, request_id } => {
                (*time_ms, request_id.clone())
            }
        };
        let opening = pending_opening.as_ref().map(|problems| Line::Act {
            act: opening_act(problems, &last_keyed),
            time_ms: first_ms,
            request_id: first_id,
        });
        let mut n = chain.head.lines;
        let lines = opening.iter().chain(batch.iter().map(|p| &p.line));
        for line in lines {
            let event = match line {
                Line::Event(e) => Ok(e.clone()),
                Line::Act { act, time_ms, request_id } => chain.inst.host_event(act, *time_ms, request_id),
                Line::Opening { .. } => {
                    written -= 1;
                    continue;
                }
            };
            let c = event.and_then(|event| match &chain.key {
                Some(k) => chain.inst.audit_chain_keyed(k, &event, &new_head),
                None => chain.inst.audit_chain(&event, &new_head),
            });
            match c {
                Ok(c) => {
                    buf.extend_from_slice(c.line.as_bytes());
                    buf.push(b'\n');
                    n += 1;
                    if chain.key.is_some() {
                        last_keyed = (n, c.hash.clone());
                    }
                    new_head = c.hash;
                }
                Err(e) => {
                    chained = Err(format!("the component could not encode the line: {e}"));
                    break;
                }
            }
        }
        let before = file.metadata().map(|m| m.len()).ok();
        let result = chained
            .and_then(|()| file.write_all(&buf).map_err(|e| e.to_string()))
            .and_then(|()| file.sync_data().map_err(|e| e.to_string()));
        if opening.is_some() {
            written += 1;
        }
        if result.is_ok() {
            chain.last_keyed = last_keyed;
            chain.head.lines += written;
            chain.head.hash = new_head;
            if let Some(k) = &chain.key
                && let Ok(mac) = chain.inst.audit_head_mac(k, chain.head.lines, &chain.head.hash)
            {
                chain.head.keyed = Some(KeyedHead { lines: chain.head.lines, hash: chain.head.hash.clone(), mac });
            }
            if let Err(e) = write_head(&shared.head_path, &chain.head) {
                eprintln!("hq-vault: warning: could not update audit.head: {e:#}");
            }
        } else {
            // Try the opening line again with the next batch.
            chain.opening = pending_opening;
            if let Some(len) = before {
                // Never leave half a line behind: the next batch must start on a clean line.
                let _ = file.set_len(len);
            }
        }
        for p in batch {
            let _ = p.done.send(result.clone());
        }
    }
}

/// The first keyed line of a run: a resume line naming the last keyed line before it, or a break
/// line with the problems found when the key arrived.
fn opening_act(problems: &[String], last_keyed: &(u64, String)) -> HostAct {
    if problems.is_empty() {
        HostAct::AuditResume((last_keyed.0, last_keyed.1.clone()))
    } else {
        HostAct::AuditBreak(problems.to_vec())
    }
}

/// Replace `audit.head` (written aside, then renamed over the old one).
fn write_head(path: &Path, head: &Head) -> Result<()> {
    let tmp = path.with_extension("head.tmp");
    let mut f = OpenOptions::new().create(true).write(true).truncate(true).mode(0o600).open(&tmp)?;
    f.write_all(&serde_json::to_vec(head)?)?;
    f.write_all(b"\n")?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    Ok(())
}
