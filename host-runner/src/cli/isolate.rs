//! Keeping a command run for an agent (`run_with_secrets`) away from the vault's own credentials.
//!
//! The command runs as the same operating-system user as the MCP server, so without more it could
//! read the home's owner token (`$HQ_VAULT_HOME/token`), call `hq-vault get` for any secret, read
//! the server's environment in `/proc/PID/environ`, or ask a service of the user (tmux, D-Bus,
//! Docker, an SSH agent) to run something outside, and print what it found: the injected values
//! are masked, other values would not be. Masking cannot close that; isolation does.
//!
//! The command therefore runs under bubblewrap (`bwrap`, the sandbox Flatpak uses):
//!
//! - the file system read-only, but for the working directory (unless it is `/`, the user's home
//!   or above it) and a private, empty `/tmp`: nothing can be planted for the person to run later
//!   (`~/.bashrc`, the `hq-vault` binary); what a command writes elsewhere fails with EROFS;
//! - the vault's home, and the token file the server was given, replaced by empty ones: no token,
//!   no CA key, no database;
//! - an empty `/run` (the user's D-Bus, systemd, Docker and agent sockets; only the resolver's
//!   files come back) and a private `/tmp` (tmux, screen, X11 and SSH agent sockets), and the
//!   variables that name such sockets (`DISPLAY`, `SSH_AUTH_SOCK`, `TMUX`, …) unset;
//! - a fresh `/dev` (no disks to read raw), its own PID namespace and `/proc` (the server and every
//!   other process of the user are out of sight, so are their environments and memory), its own
//!   System V IPC;
//! - no capabilities, even when the server runs as root, so no mount can be undone;
//! - ended with the server (`--die-with-parent`), and everything it started with it (the PID
//!   namespace ends when its first process does); no controlling terminal (`--new-session`), so it
//!   cannot type into the person's (TIOCSTI).
//!
//! The network stays unless the server was started with `--run-offline`: commands run for an agent
//! usually need it, and the daemon refuses a caller without a token. Abstract Unix sockets (an X
//! server's `@/tmp/.X11-unix/X0`) are part of the network namespace, so only `--run-offline` closes
//! them. Where bubblewrap is missing or cannot create namespaces, `run_with_secrets` refuses to run
//! anything unless the server was started with `--allow-unisolated-run`.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Variables that name a way out of the sandbox (a display, a session bus, an agent, a terminal
/// multiplexer): unset for the command.
const SOCKET_VARIABLES: &[&str] = &[
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XAUTHORITY",
    "DBUS_SESSION_BUS_ADDRESS",
    "SSH_AUTH_SOCK",
    "GPG_AGENT_INFO",
    "TMUX",
    "TMUX_PANE",
    "STY",
    "DOCKER_HOST",
];

/// What the sandbox hides and lets through.
#[derive(Clone, Debug)]
pub struct Sandbox {
    /// Directories and files replaced by empty ones (the vault's home, the server's token file);
    /// absolute.
    pub hidden: Vec<PathBuf>,
    /// The working directory, writable when it is not `/`, the user's home or above it.
    pub working_dir: PathBuf,
    /// The user's home directory (`HOME`), if known.
    pub user_home: Option<PathBuf>,
    /// No network namespace of the host's (`--run-offline`).
    pub offline: bool,
}

impl Sandbox {
    /// Whether commands may write to the working directory.
    pub fn working_dir_writable(&self) -> bool {
        let dir = &self.working_dir;
        dir != Path::new("/") && self.user_home.as_ref().is_none_or(|home| !home.starts_with(dir))
    }
}

/// How commands run for an agent are kept from the vault's credentials.
#[derive(Clone, Debug)]
pub enum Isolation {
    /// Under bubblewrap (`program`).
    Bubblewrap { program: PathBuf, sandbox: Sandbox },
    /// Not isolated: the person started the server with `--allow-unisolated-run`.
    Unisolated,
    /// Isolation is needed and cannot be had: commands are refused with this explanation.
    Unavailable(String),
}

impl Isolation {
    /// Finds bubblewrap in `PATH` and checks once that it can make what `sandbox` needs here.
    /// `allow_unisolated` turns a missing or failing bubblewrap into [`Isolation::Unisolated`]
    /// instead of [`Isolation::Unavailable`].
    pub fn detect(sandbox: Sandbox, allow_unisolated: bool) -> Isolation {
        let problem = match find_program("bwrap", std::env::var_os("PATH")) {
            None => "bubblewrap (`bwrap`) is not installed".to_owned(),
            Some(program) => {
                let trial = Isolation::Bubblewrap { program, sandbox };
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
        let (program, sandbox) = match self {
            Isolation::Unisolated => return Ok(command.to_vec()),
            Isolation::Unavailable(why) => return Err(why.clone()),
            Isolation::Bubblewrap { program, sandbox } => (program, sandbox),
        };
        let mut argv: Vec<OsString> = vec![program.into()];
        let mut flags = |args: &[&str]| argv.extend(args.iter().map(OsString::from));
        flags(&["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]);
        let mut mounts: Vec<(&str, PathBuf, PathBuf)> = Vec::new();
        if Path::new("/run").is_dir() {
            mounts.push(("--tmpfs", "/run".into(), PathBuf::new()));
            // The resolver's configuration (`/etc/resolv.conf` often links there).
            for keep in ["/run/systemd/resolve", "/run/resolvconf"] {
                if Path::new(keep).is_dir() {
                    mounts.push(("--ro-bind", keep.into(), keep.into()));
                }
            }
        }
        if sandbox.working_dir_writable() {
            mounts.push(("--bind", sandbox.working_dir.clone(), sandbox.working_dir.clone()));
        }
        // Hidden last, so that nothing mounted above brings them back.
        for path in &sandbox.hidden {
            if path.is_dir() {
                mounts.push(("--tmpfs", path.clone(), PathBuf::new()));
            } else if path.exists() {
                mounts.push(("--ro-bind", "/dev/null".into(), path.clone()));
            }
        }
        for (flag, a, b) in mounts {
            argv.push(flag.into());
            argv.push(a.into());
            if !b.as_os_str().is_empty() {
                argv.push(b.into());
            }
        }
        for name in SOCKET_VARIABLES {
            argv.push("--unsetenv".into());
            argv.push(name.into());
        }
        if sandbox.offline {
            argv.push("--unshare-net".into());
        }
        for a in ["--unshare-pid", "--unshare-ipc", "--cap-drop", "ALL", "--die-with-parent", "--new-session"] {
            argv.push(a.into());
        }
        argv.push("--chdir".into());
        argv.push(sandbox.working_dir.clone().into());
        argv.push("--".into());
        argv.extend(command.iter().cloned());
        Ok(argv)
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
