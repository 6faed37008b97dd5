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

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context, Result, bail};
use hq_vault_client::Client;
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, kill_process, waitid};
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

pub fn run(a: RunArgs) -> Result<ExitCode> {
    // Catch the signals first, so that none can end `run` and leave the child orphaned. One that
    // is ignored (`nohup` ignores SIGHUP) stays ignored, so the child inherits it ignored too.
    let ignored = ignored_signals();
    let catch: Vec<i32> = [SIGINT, SIGTERM, SIGHUP].into_iter().filter(|&s| ignored & (1 << (s - 1)) == 0).collect();
    let mut signals = SignalsInfo::<WithOrigin>::new(catch).context("catching SIGINT, SIGTERM and SIGHUP")?;
    let vars = Client::from_env()?.env_values(&a.prefix)?;
    check_overrides(&vars, &a.allow_override)?;
    let (program, args) = a.command.split_first().context("no command given after --")?;
    let mut cmd = Command::new(program);
    cmd.args(args).env_remove("HQ_VAULT_TOKEN");
    for (name, value) in &vars {
        cmd.env(name, OsStr::from_bytes(value));
    }
    let maskers = (!a.no_mask).then(|| {
        let short: Vec<&str> =
            vars.iter().filter(|(_, v)| v.len() < MIN_MASKED_LEN).map(|(k, _)| k.as_str()).collect();
        if !short.is_empty() {
            eprintln!(
                "hq-vault run: not masking {} (shorter than {MIN_MASKED_LEN} bytes: masking would hide ordinary output)",
                short.join(", ")
            );
        }
        let values = || vars.iter().map(|(k, v)| (k.as_str(), &v[..]));
        (Masker::new(values()), Masker::new(values()))
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
            eprintln!("error: starting {}: {e}", program.to_string_lossy());
            return Ok(ExitCode::from(if e.kind() == std::io::ErrorKind::NotFound { 127 } else { 126 }));
        }
    };
    let pumps = match (maskers, child.stdout.take(), child.stderr.take()) {
        (Some((out_mask, err_mask)), Some(out), Some(err)) => vec![
            std::thread::spawn(move || pump(out, std::io::stdout(), out_mask)),
            std::thread::spawn(move || pump(err, std::io::stderr(), err_mask)),
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
    for p in pumps {
        let _ = p.join();
    }
    let code = match (status.code(), status.signal()) {
        (Some(c), _) => c & 0xff,
        (None, Some(sig)) => 128 + sig,
        (None, None) => 1,
    };
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX)))
}
