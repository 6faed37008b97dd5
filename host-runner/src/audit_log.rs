//! `audit.log`: append-only JSON lines, chained by the component, made durable in batches.
//!
//! One writer thread owns the file and the chain head. Callers hand it an event and wait until
//! their line is on disk: concurrent lines are chained in arrival order, written together and made
//! durable with one `fsync`. If a line cannot be written, every caller in that batch gets an error
//! and must not perform its operation.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{Context, Result};
use hq_vault_core::audit::Event;
use tokio::sync::{mpsc, oneshot};

use crate::host::CoreHost;

/// Why an audit line could not be recorded.
#[derive(Debug, thiserror::Error)]
#[error("the audit log could not be written ({0}): the operation was not performed")]
pub struct AuditError(String);

struct Pending {
    event: Event,
    done: oneshot::Sender<Result<(), String>>,
}

/// A handle to the writer thread.
#[derive(Clone)]
pub struct AuditLog {
    tx: mpsc::UnboundedSender<Pending>,
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

impl AuditLog {
    /// Open the log for appending and start the writer. The chain continues from the last line
    /// (checked first; a broken chain is reported, and `hq-vault audit verify` names the line).
    pub fn open(path: &Path, host: &CoreHost) -> Result<AuditLog> {
        let mut inst = host.instance()?;
        let lines = read_lines(path)?;
        let head = match inst.audit_verify(&lines).map_err(anyhow::Error::from)? {
            Ok((_, head)) => head,
            Err(e) => {
                eprintln!("warning: audit.log does not verify at line {}: {}", e.line, e.reason);
                match lines.last() {
                    Some(last) => inst.sha256_hex(last.as_bytes()).map_err(anyhow::Error::from)?,
                    None => inst.audit_genesis().map_err(anyhow::Error::from)?,
                }
            }
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("opening {} for appending", path.display()))?;
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::Builder::new().name("audit-writer".into()).spawn(move || writer(file, inst, head, rx))?;
        Ok(AuditLog { tx })
    }

    /// Record one event; returns once its line is durable.
    pub async fn record(&self, event: Event) -> Result<(), AuditError> {
        let (done, wait) = oneshot::channel();
        self.tx.send(Pending { event, done }).map_err(|_| AuditError("the audit writer has stopped".into()))?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(AuditError(e)),
            Err(_) => Err(AuditError("the audit writer has stopped".into())),
        }
    }
}

fn writer(mut file: File, mut inst: crate::host::Instance, mut head: String, mut rx: mpsc::UnboundedReceiver<Pending>) {
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < 512 {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let mut buf = Vec::with_capacity(batch.len() * 256);
        let mut new_head = head.clone();
        let mut chained = Ok(());
        for p in &batch {
            match inst.audit_chain(&p.event, &new_head) {
                Ok(c) => {
                    buf.extend_from_slice(c.line.as_bytes());
                    buf.push(b'\n');
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
        if result.is_ok() {
            head = new_head;
        } else if let Some(len) = before {
            // Never leave half a line behind: the next batch must start on a clean line.
            let _ = file.set_len(len);
        }
        for p in batch {
            let _ = p.done.send(result.clone());
        }
    }
}
