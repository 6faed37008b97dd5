//! Keeping a command run for an agent (`run_with_secrets`) away from the vault's own credentials.
//!
//! The command runs as the same operating-system user as the MCP server, so without more it could
//! read the home's owner token (`$HQ_VAULT_HOME/token`), call `hq-vault get` for any secret, or read
//! the server's environment in `/proc/PID/environ`, and print what it found: the injected values
//! are masked, other values would not be. Masking cannot close that; isolation does.
//!
//! The command therefore runs under bubblewrap (`bwrap`, the sandbox Flatpak uses), which the
//! server starts as:
//!
//! ```text
//! bwrap --bind / / --dev /dev --proc /proc --tmpfs HOME --unshare-pid --cap-drop ALL
//!       --die-with-parent --new-session -- COMMAND…
//! ```
//!
//! - the whole file system as it is (the command builds, reads and writes what it would),
//!   except the vault's home, over which lies an empty `tmpfs`: no token, no CA key, no database;
//! - a fresh `/dev` (no disks to read raw) and a `/proc` of its own PID namespace: the server and
//!   every other process of the user are out of sight, so are their environments and memory;
//! - no capabilities, even when the server runs as root, so the `tmpfs` cannot be unmounted;
//! - ended with the server (`--die-with-parent`), and everything it started with it (the PID
//!   namespace ends when its first process does);
//! - no controlling terminal (`--new-session`), so it cannot type into the person's (TIOCSTI).
//!
//! The network stays: commands run for an agent usually need it, and the daemon refuses a caller
//! without a token. Where bubblewrap is missing or cannot create namespaces, `run_with_secrets`
//! refuses to run anything unless the server was started with `--allow-unisolated-run`.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// How commands run for an agent are kept from the vault's credentials.
#[derive(Clone, Debug)]
pub enum Isolation {
    /// Under bubblewrap (`program`), with `hidden` (absolute directories) replaced by empty ones.
    Bubblewrap { program: PathBuf, hidden: Vec<PathBuf> },
    /// Not isolated: the person started the server with `--allow-unisolated-run`.
    Unisolated,
    /// Isolation is needed and cannot be had: commands are refused with this explanation.
    Unavailable(String),
}

impl Isolation {
    /// Finds bubblewrap in `PATH` and checks once that it can make the namespaces it needs here;
    /// `hidden` are the directories to hide (the vault's home). `allow_unisolated` turns a missing
    /// or failing bubblewrap into [`Isolation::Unisolated`] instead of [`Isolation::Unavailable`].
    pub fn detect(hidden: Vec<PathBuf>, allow_unisolated: bool) -> Isolation {
        let problem = match find_program("bwrap", std::env::var_os("PATH")) {
            None => "bubblewrap (`bwrap`) is not installed".to_owned(),
            Some(program) => {
                let trial = Isolation::Bubblewrap { program, hidden };
                match trial.command(&["true".into()]).and_then(|argv| {
                    Command::new(&argv[0])
                        .args(&argv[1..])
                        .stdin(Stdio::null())
                        .stdout(Stdio::null())
                        .stderr(Stdio::piped())
                        .output()
                        .map_err(|e| e.to_string())
                }) {
                    Ok(out) if out.status.success() => return trial,
                    Ok(out) => format!(
                        "bubblewrap cannot isolate a command here ({}: {})",
                        out.status,
                        String::from_utf8_lossy(&out.stderr).trim()
                    ),
                    Err(e) => format!("bubblewrap cannot be started: {e}"),
                }
            }
        };
        if allow_unisolated {
            return Isolation::Unisolated;
        }
        Isolation::Unavailable(format!(
            "{problem}, and a command run without isolation could read this user's vault token and so every secret, \
             whose values would not be masked. Nothing was run. Ask the person to install bubblewrap \
             (Debian and Ubuntu: `apt install bubblewrap`; Fedora: `dnf install bubblewrap`) and, where user \
             namespaces are turned off, to allow them; or, if they accept that risk, to restart this server with \
             `hq-vault mcp --allow-unisolated-run`."
        ))
    }

    /// The argument vector that runs `command` (program first) this way.
    ///
    /// Errors: the explanation of [`Isolation::Unavailable`].
    pub fn command(&self, command: &[OsString]) -> Result<Vec<OsString>, String> {
        match self {
            Isolation::Unisolated => Ok(command.to_vec()),
            Isolation::Unavailable(why) => Err(why.clone()),
            Isolation::Bubblewrap { program, hidden } => {
                let mut argv: Vec<OsString> = vec![program.into()];
                for a in ["--bind", "/", "/", "--dev", "/dev", "--proc", "/proc"] {
                    argv.push(a.into());
                }
                for dir in hidden {
                    argv.push("--tmpfs".into());
                    argv.push(dir.into());
                }
                for a in ["--unshare-pid", "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--"] {
                    argv.push(a.into());
                }
                argv.extend(command.iter().cloned());
                Ok(argv)
            }
        }
    }
}

/// The executable file `name` resolves to through `path` (a `PATH` value), as `execvp` finds it;
/// a name with a `/` is taken as it is when it names an executable file.
pub fn find_program(name: &str, path: Option<OsString>) -> Option<PathBuf> {
    let executable = |p: &Path| p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    if name.contains('/') {
        let p = PathBuf::from(name);
        return executable(&p).then_some(p);
    }
    std::env::split_paths(&path?).map(|dir| dir.join(name)).find(|p| executable(p))
}
