//! `run`: a command with the secrets under a prefix in its environment only, as `doppler run`
//! and `op run` do.
//!
//! - The child gets the caller's environment without `HQ_VAULT_TOKEN` (the credential that
//!   fetched the secrets), plus one variable per secret (names as in `env-file`).
//! - A secret may not replace a variable the child would inherit, nor one of [`GUARDED`] /
//!   [`GUARDED_PREFIXES`] (they change what runs or what it loads), unless `--allow-override NAME`.
//! - SIGINT, SIGTERM and SIGHUP sent to `run` are forwarded to the child; those the terminal
//!   sends to the whole foreground process group (Ctrl-C, hangup) already reached the child and
//!   are not sent twice. One that `run` was started ignoring (`nohup`) stays ignored, by the child too. `run` waits for the child and exits with its code, or 128 + the signal
//!   that killed it (126/127 when it cannot be started).
//! - The child's stdout and stderr pass through a [`Masker`] per stream (`--no-mask`: untouched).
//!
//! [`capture`] runs a command the same way for a program that reads its output rather than a
//! person at a terminal (the MCP server's `run_with_secrets`): no terminal and no standard input,
//! the masked output collected up to a bound, a time limit, and the exit status returned.

use std::collections::{BTreeMap, VecDeque};
use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use hq_vault_client::Client;
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, kill_process, kill_process_group, waitid};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::SignalsInfo;
use signal_hook::iterator::exfiltrator::WithOrigin;
use signal_hook::low_level::siginfo::Cause;
use zeroize::Zeroizing;

use super::mask::{MIN_MASKED_LEN, Masker};

/// Variables a secret may not set without `--allow-override`, even when the caller lacks them.
pub const GUARDED: &[&str] = &[
    "PATH",
    "HOME",
    "SHELL",
    "USER",
    "LOGNAME",
    "IFS",
    "ENV",
    "BASH_ENV",
    "CDPATH",
    "PS4",
    "NODE_OPTIONS",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PERL5OPT",
    "PERL5LIB",
    "RUBYOPT",
    "JAVA_TOOL_OPTIONS",
];

/// Prefixes of guarded variables: the dynamic loader's (`LD_PRELOAD`, `DYLD_INSERT_LIBRARIES`)
/// and the vault client's own settings.
pub const GUARDED_PREFIXES: &[&str] = &["LD_", "DYLD_", "HQ_VAULT_"];

#[derive(clap::Args)]
pub struct RunArgs {
    /// The folder of the secrets, such as `myapp/` (`myapp` means the same).
    #[arg(long)]
    prefix: String,
    /// Let the secret that becomes NAME replace the inherited (or guarded) variable NAME. Repeat for each.
    #[arg(long = "allow-override", value_name = "NAME")]
    allow_override: Vec<String>,
    /// Pass the child's stdout and stderr through untouched, without masking the values.
    #[arg(long)]
    no_mask: bool,
    /// The command and its arguments (after `--`).
    #[arg(last = true, required = true)]
    command: Vec<OsString>,
}

fn guarded(name: &str) -> bool {
    GUARDED.contains(&name) || GUARDED_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Refuse every secret that would replace an inherited or guarded variable without leave.
fn check_overrides(vars: &BTreeMap<String, Zeroizing<Vec<u8>>>, allowed: &[String]) -> Result<()> {
    let mut refused = Vec::new();
    for name in vars.keys() {
        if allowed.iter().any(|a| a == name) {
            continue;
        }
        if std::env::var_os(name).is_some() {
            refused.push(format!("  {name}: the child would inherit it from this environment"));
        } else if guarded(name) {
            refused.push(format!("  {name}: it changes what the child runs or loads"));
        }
    }
    if !refused.is_empty() {
        bail!(
            "a secret would replace {}:\n{}\nRename the secret, or pass --allow-override NAME for each one you mean to replace; nothing was run",
            if refused.len() == 1 { "this variable" } else { "these variables" },
            refused.join("\n")
        );
    }
    Ok(())
}

/// How long `run` waits, with output held back because a match of a wrapped encoding might go on
/// past a line break, before it gives that match up and shows the lines (a program that printed a
/// hash and waits for input).
const QUIET: std::time::Duration = std::time::Duration::from_millis(200);

/// [`pump`] for a terminal or a pipe a person or program reads as it comes: a reader thread hands
/// chunks over, and when the child goes quiet for [`QUIET`] while a match of a wrapped encoding
/// holds lines back, that match is given up ([`Masker::quiet`]) and the lines are shown.
fn pump_live(mut from: impl Read + Send + 'static, mut to: impl Write, mut masker: Masker) -> Option<std::io::Error> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
    });
    let mut out = Vec::new();
    loop {
        let next = if masker.holding_across_lines() {
            match rx.recv_timeout(QUIET) {
                Ok(chunk) => Some(chunk),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    out.clear();
                    masker.quiet(&mut out);
                    if let Err(e) = to.write_all(&out).and_then(|()| to.flush()) {
                        return Some(e);
                    }
                    continue;
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => None,
            }
        } else {
            rx.recv().ok()
        };
        let Some(chunk) = next else { break };
        out.clear();
        masker.push(&chunk, &mut out);
        if let Err(e) = to.write_all(&out).and_then(|()| to.flush()) {
            return Some(e);
        }
    }
    out.clear();
    masker.finish(&mut out);
    to.write_all(&out).and_then(|()| to.flush()).err()
}

/// Copy a child's stream to ours through a masker. If ours is closed, stop reading, so that the
/// child sees a closed pipe as it would writing to it directly.
fn pump(mut from: impl Read, mut to: impl Write, mut masker: Masker) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = Vec::with_capacity(buf.len());
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        out.clear();
        masker.push(&buf[..n], &mut out);
        if to.write_all(&out).and_then(|()| to.flush()).is_err() {
            return;
        }
    }
    out.clear();
    masker.finish(&mut out);
    let _ = to.write_all(&out).and_then(|()| to.flush());
}

/// The signals this process ignores (Linux's `SigIgn` in `/proc/self/status`, bit N-1 for signal N).
fn ignored_signals() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| l.strip_prefix("SigIgn:")).and_then(|h| u64::from_str_radix(h.trim(), 16).ok())
        })
        .unwrap_or(0)
}

/// The command `command` (program, then arguments) with this environment minus the variables
/// in `withhold`, plus one variable per secret; refused as [`check_overrides`] says.
fn child_command(
    vars: &BTreeMap<String, Zeroizing<Vec<u8>>>,
    allow_override: &[String],
    command: &[OsString],
    withhold: &[&str],
) -> Result<Command> {
    check_overrides(vars, allow_override)?;
    let (program, args) = command.split_first().context("no command given")?;
    let mut cmd = Command::new(program);
    cmd.args(args);
    for name in withhold {
        cmd.env_remove(name);
    }
    for (name, value) in vars {
        cmd.env(name, OsStr::from_bytes(value));
    }
    Ok(cmd)
}

/// The names of the values too short to mask (see [`MIN_MASKED_LEN`]).
pub fn unmaskable(vars: &BTreeMap<String, Zeroizing<Vec<u8>>>) -> Vec<&str> {
    vars.iter().filter(|(_, v)| v.len() < MIN_MASKED_LEN).map(|(k, _)| k.as_str()).collect()
}

/// A masker for each of stdout and stderr: the injected values, and `also` (values not injected
/// that must never be shown either).
fn maskers(vars: &BTreeMap<String, Zeroizing<Vec<u8>>>, also: &[(String, Zeroizing<Vec<u8>>)]) -> (Masker, Masker) {
    let values = || vars.iter().chain(also.iter().map(|(k, v)| (k, v))).map(|(k, v)| (k.as_str(), &v[..]));
    (Masker::new(values()), Masker::new(values()))
}

/// The exit status as a shell reports it: the code, or 128 + the signal that ended the process.
fn shell_status(status: ExitStatus) -> i32 {
    match (status.code(), status.signal()) {
        (Some(c), _) => c & 0xff,
        (None, Some(sig)) => 128 + sig,
        (None, None) => 1,
    }
}

/// The status of a program that could not be started: 127 when it is not found, else 126.
fn start_failure_status(e: &std::io::Error) -> u8 {
    if e.kind() == std::io::ErrorKind::NotFound { 127 } else { 126 }
}

pub fn run(a: RunArgs) -> Result<ExitCode> {
    // Catch the signals first, so that none can end `run` and leave the child orphaned. One that
    // is ignored (`nohup` ignores SIGHUP) stays ignored, so the child inherits it ignored too.
    let ignored = ignored_signals();
    let catch: Vec<i32> = [SIGINT, SIGTERM, SIGHUP].into_iter().filter(|&s| ignored & (1 << (s - 1)) == 0).collect();
    let mut signals = SignalsInfo::<WithOrigin>::new(catch).context("catching SIGINT, SIGTERM and SIGHUP")?;
    let vars = Client::from_env()?.env_values(&a.prefix)?;
    let mut cmd = child_command(&vars, &a.allow_override, &a.command, &["HQ_VAULT_TOKEN"])?;
    let program = a.command[0].clone();
    let maskers = (!a.no_mask).then(|| {
        let short = unmaskable(&vars);
        if !short.is_empty() {
            eprintln!(
                "hq-vault run: not masking {} (shorter than {MIN_MASKED_LEN} bytes: masking would hide ordinary output)",
                short.join(", ")
            );
        }
        maskers(&vars, &[])
    });
    if maskers.is_some() {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let spawned = cmd.spawn();
    drop(cmd);
    drop(vars);
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "error: starting {}: {}",
                program.to_string_lossy(),
                super::without_error_numbers(&e.to_string())
            );
            return Ok(ExitCode::from(start_failure_status(&e)));
        }
    };
    let pumps = match (maskers, child.stdout.take(), child.stderr.take()) {
        (Some((out_mask, err_mask)), Some(out), Some(err)) => vec![
            std::thread::spawn(move || pump_live(out, std::io::stdout(), out_mask)),
            std::thread::spawn(move || pump_live(err, std::io::stderr(), err_mask)),
        ],
        _ => Vec::new(),
    };

    let pid = Pid::from_child(&child);
    let exited = Arc::new(Mutex::new(false));
    let handle = signals.handle();
    let forwarder = {
        let exited = exited.clone();
        std::thread::spawn(move || {
            for origin in signals.forever() {
                // The terminal's Ctrl-C and hangup go to the whole foreground process group, the
                // child included: sending them again would deliver them twice.
                if origin.cause == Cause::Kernel {
                    continue;
                }
                // Under the lock the child is not yet reaped, so its pid cannot name another process.
                let done = exited.lock().unwrap_or_else(PoisonError::into_inner);
                if *done {
                    break;
                }
                if let Some(sig) = Signal::from_named_raw(origin.signal) {
                    let _ = kill_process(pid, sig);
                }
            }
        })
    };
    // Wait for the exit without reaping, mark it under the lock, then reap.
    while let Err(rustix::io::Errno::INTR) = waitid(WaitId::Pid(pid), WaitIdOptions::EXITED | WaitIdOptions::NOWAIT) {}
    *exited.lock().unwrap_or_else(PoisonError::into_inner) = true;
    let status = child.wait().context("waiting for the command")?;
    handle.close();
    let _ = forwarder.join();
    // Output that could not be written (a full disk, a closed pipe) is an error of `run`'s own:
    // the child's output was lost, whatever the child's exit.
    let mut lost = None;
    for p in pumps {
        if let Ok(Some(e)) = p.join() {
            lost.get_or_insert(e);
        }
    }
    if let Some(e) = lost.filter(|e| e.kind() != std::io::ErrorKind::BrokenPipe) {
        eprintln!("error: writing the command's output: {}", super::without_error_numbers(&e.to_string()));
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::from(u8::try_from(shell_status(status)).unwrap_or(u8::MAX)))
}

/// Bounds on a [`capture`].
pub struct Limits {
    /// The command is ended (SIGTERM to its process group, SIGKILL 2 s later) after this long.
    pub timeout: Duration,
    /// Bytes kept of each stream (after masking): the first and the last half; the middle is
    /// left out and counted.
    pub max_output: usize,
    /// Set by the caller to end the command early (an MCP request cancelled by the client).
    pub cancel: Arc<AtomicBool>,
}

/// How a captured command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// It exited, or a signal ended it: the status as a shell reports it (128 + signal).
    Status(i32),
    /// It ran past [`Limits::timeout`] and was ended.
    TimedOut,
    /// The caller cancelled it and it was ended.
    Cancelled,
    /// It could not be started: 127 not found, 126 not executable.
    NotStarted(u8),
}

/// One stream of a captured command, masked, bounded to [`Limits::max_output`] bytes.
#[derive(Default)]
pub struct Stream {
    head: Vec<u8>,
    tail: VecDeque<u8>,
    /// Bytes between `head` and `tail` that were not kept.
    pub omitted: u64,
    half: usize,
}

impl Stream {
    fn new(max: usize) -> Stream {
        Stream { half: max / 2, ..Stream::default() }
    }

    fn push(&mut self, mut bytes: &[u8]) {
        let room = self.half.saturating_sub(self.head.len()).min(bytes.len());
        self.head.extend_from_slice(&bytes[..room]);
        bytes = &bytes[room..];
        self.tail.extend(bytes);
        let over = self.tail.len().saturating_sub(self.half);
        self.tail.drain(..over);
        self.omitted += over as u64;
    }

    /// The kept text (invalid UTF-8 as U+FFFD), with a line saying how much was left out.
    pub fn text(&self) -> String {
        let mut out = String::from_utf8_lossy(&self.head).into_owned();
        if self.omitted > 0 {
            out.push_str(&format!("\n[hq-vault: {} of output left out here]\n", super::count(self.omitted, "byte")));
        }
        let (a, b) = self.tail.as_slices();
        out.push_str(&String::from_utf8_lossy(&[a, b].concat()));
        out
    }
}

/// A [`Stream`] the pump thread writes to while the caller may take it.
struct Sink(Arc<Mutex<Stream>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What a captured command gave back: no value of `vars` is in it, in any of the encoded forms
/// the [`Masker`] knows.
pub struct Captured {
    pub end: End,
    pub stdout: Stream,
    pub stderr: Stream,
    /// A process the command started kept its output open after it ended: what it wrote later
    /// is not here.
    pub output_left_open: bool,
}

/// Run `command` with `vars` in its environment as `run` does (same refusals, same masking),
/// for a caller that reads its output: standard input is `/dev/null`, the command is the leader
/// of a new process group (so that a time limit ends what it started too, and it never reads the
/// caller's terminal), its stdout and stderr are masked and kept up to [`Limits::max_output`]
/// bytes each. The variables in `withhold` (credentials of the caller) are removed from its
/// environment. Values shorter than [`MIN_MASKED_LEN`] bytes cannot be masked: callers that
/// promise no value in the output refuse them first ([`unmaskable`]).
/// What [`capture`] reports for a command that could not be started (`e`): status 127 when the
/// program is not found, else 126, and the reason on its standard error.
pub fn not_started(program: &OsStr, e: &std::io::Error, limits: &Limits) -> Captured {
    let mut stderr = Stream::new(limits.max_output);
    stderr.push(
        format!("starting {}: {}", program.to_string_lossy(), super::without_error_numbers(&e.to_string())).as_bytes(),
    );
    Captured {
        end: End::NotStarted(start_failure_status(e)),
        stdout: Stream::new(limits.max_output),
        stderr,
        output_left_open: false,
    }
}

pub fn capture(
    vars: BTreeMap<String, Zeroizing<Vec<u8>>>,
    also_masked: Vec<(String, Zeroizing<Vec<u8>>)>,
    allow_override: &[String],
    command: &[OsString],
    withhold: &[&str],
    limits: &Limits,
) -> Result<Captured> {
    let mut cmd = child_command(&vars, allow_override, command, withhold)?;
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    let (out_mask, err_mask) = maskers(&vars, &also_masked);
    drop(also_masked);
    let spawned = cmd.spawn();
    drop(cmd);
    drop(vars);
    let out = Arc::new(Mutex::new(Stream::new(limits.max_output)));
    let err = Arc::new(Mutex::new(Stream::new(limits.max_output)));
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return Ok(not_started(&command[0], &e, limits)),
    };
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    if let (Some(o), Some(e)) = (child.stdout.take(), child.stderr.take()) {
        for (from, to, masker) in [
            (Box::new(o) as Box<dyn Read + Send>, out.clone(), out_mask),
            (Box::new(e) as Box<dyn Read + Send>, err.clone(), err_mask),
        ] {
            let done = done_tx.clone();
            std::thread::spawn(move || {
                pump(from, Sink(to), masker);
                let _ = done.send(());
            });
        }
    }
    drop(done_tx);
    let pgid = Pid::from_child(&child);
    let started = Instant::now();
    let mut ending: Option<(End, Instant)> = None;
    let status = loop {
        if let Some(status) = child.try_wait().context("waiting for the command")? {
            break status;
        }
        let now = Instant::now();
        match ending {
            None => {
                let why = if limits.cancel.load(Ordering::Relaxed) {
                    Some(End::Cancelled)
                } else if now.duration_since(started) >= limits.timeout {
                    Some(End::TimedOut)
                } else {
                    None
                };
                if let Some(why) = why {
                    let _ = kill_process_group(pgid, Signal::TERM);
                    ending = Some((why, now));
                }
            }
            Some((_, since)) if now.duration_since(since) >= Duration::from_secs(2) => {
                let _ = kill_process_group(pgid, Signal::KILL);
            }
            Some(_) => {}
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if ending.is_some() {
        // What the command started goes with it.
        let _ = kill_process_group(pgid, Signal::KILL);
    }
    // The pipes close when the last process holding them ends: wait a little for that.
    let grace = Instant::now() + Duration::from_secs(2);
    let mut open = 2;
    while open > 0 {
        match done_rx.recv_timeout(grace.saturating_duration_since(Instant::now())) {
            Ok(()) => open -= 1,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => open = 0,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => break,
        }
    }
    let take = |s: &Arc<Mutex<Stream>>| std::mem::take(&mut *s.lock().unwrap_or_else(PoisonError::into_inner));
    Ok(Captured {
        end: ending.map(|(why, _)| why).unwrap_or(End::Status(shell_status(status))),
        stdout: take(&out),
        stderr: take(&err),
        output_left_open: open > 0,
    })
}
