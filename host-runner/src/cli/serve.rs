//! `hq-vault serve`: the daemon.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use hq_vault::daemon::{self, KeyHolder, Options};
use hq_vault::home::Home;
use hq_vault::host::CoreHost;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on: loopback, unless --network.
    #[arg(long, env = "HQ_VAULT_LISTEN", default_value = "127.0.0.1:13100")]
    listen: SocketAddr,
    /// Network mode (seed 002): callers are identities with sessions (`hq-vault login`); no
    /// bootstrap token is made. This home's CLI (lock, unlock, org create --admin, identity
    /// revoke) is served on the home socket, serve.sock in the home, with no token.
    #[arg(long)]
    network: bool,
    /// A PEM certificate (chain) for the server's name on the network, instead of the home's
    /// self-made one (which names only 127.0.0.1, ::1 and localhost); with --tls-key.
    #[arg(long, env = "HQ_VAULT_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "HQ_VAULT_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// A name (DNS name or IP address) clients on the network use for this server, added to the
    /// home's self-made certificate beside 127.0.0.1, ::1 and localhost; repeat it, or give
    /// several comma-separated in HQ_VAULT_TLS_NAMES. A name the certificate lacks makes a new
    /// self-made CA: clients then trust the new tls/ca.pem.
    #[arg(
        long = "tls-name",
        value_name = "NAME",
        env = "HQ_VAULT_TLS_NAMES",
        value_delimiter = ',',
        conflicts_with = "tls_cert"
    )]
    tls_names: Vec<String>,
    /// Lock after this long without a vault operation (90s, 15m, 1h), or `off`. Default: 30m; in
    /// network mode `off`, since the server unlocks at start and nobody can unlock it over the
    /// network (`hq-vault lock` with the server's home still locks it).
    #[arg(long, value_name = "DURATION|off")]
    idle_lock: Option<String>,
    /// Folder served to External Connections (default: $HQ_VAULT_HOME/files).
    #[arg(long)]
    files_root: Option<PathBuf>,
    /// Time a client has to finish the TLS handshake and to send a request's headers, counted
    /// from the connection's start or the end of the previous response, so an idle keep-alive
    /// connection is closed after it too (90s, 10s, 2m).
    #[arg(long, default_value = "10s")]
    header_timeout: String,
    /// Most connections served at once; lowered to stay below the open-files limit. One more is
    /// closed at once.
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    #[command(flatten)]
    init: super::init::Args,
}

pub fn run(home: Home, args: Args) -> Result<ExitCode> {
    // Until the daemon listens for SIGINT and SIGTERM itself, either ends the process at once, even
    // when it was started ignoring SIGINT (as a shell starts a background job): a start is
    // stoppable from its first moment. `daemon::serve` clears the flag when it takes over.
    let starting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_default(signal, starting.clone())
            .context("setting up SIGINT and SIGTERM")?;
    }
    // Beyond loopback, callers must be identities: the bootstrap token of a home is no credential
    // to hand to a network.
    if !args.listen.ip().is_loopback() && !args.network {
        bail!(
            "--listen {} is not a loopback address: serving beyond this machine needs network mode (`hq-vault serve --network --listen {}`), where every caller is an identity with a session and the bootstrap token is not taken. Nothing was created",
            args.listen,
            args.listen
        );
    }
    // ... and a certificate for a name clients on other machines use: the self-made one names
    // only loopback unless told more names, so their TLS would fail.
    if !args.listen.ip().is_loopback() && args.tls_cert.is_none() && args.tls_names.is_empty() {
        bail!(
            "--listen {} serves other machines, whose clients check the certificate against the server's name: give that name with --tls-name NAME (the home's self-made CA then certifies it; clients trust its tls/ca.pem), or a certificate with --tls-cert FILE --tls-key FILE (PEM). Nothing was created",
            args.listen
        );
    }
    let tls_names = hq_vault::tls::names(&args.tls_names)?;
    // The home socket's path must fit a socket address: said before anything is created.
    if args.network {
        home_socket_fits(&home)?;
    }
    // The address first: a second `serve` on a busy port fails before it touches any home.
    let listener = bind(&home, args.listen)?;
    // One daemon per home, whatever its port: a second would rewrite the token file (locking the
    // first one's clients out) and interleave its lines into the same audit log.
    let home_lock = lock_home(&home)?;
    let first_start = !super::init::has_vault(&home)?;
    let t = std::time::Instant::now();
    // A first start compiles without the cache, which would be a folder in the home before the
    // passphrase is even asked (and stay there if it is never given).
    let host = CoreHost::new((!first_start).then(|| home.cache()).as_deref())?;
    let compile = t.elapsed();
    let mut inst = host.instance()?;
    let idle = match args.idle_lock.as_deref().unwrap_or(if args.network { "off" } else { "30m" }) {
        "off" => None,
        text => Some(
            inst.parse_duration(text)
                .map_err(anyhow::Error::from)?
                .map_err(|m| anyhow::anyhow!("--idle-lock: {m}, or `off`"))?,
        ),
    };
    let header_timeout = inst
        .parse_duration(&args.header_timeout)
        .map_err(anyhow::Error::from)?
        .map_err(|m| anyhow::anyhow!("--header-timeout: {m}"))?;
    if header_timeout == 0 {
        bail!("--header-timeout must be more than zero: a client that never sends a request would hold a connection");
    }
    let limits = daemon::listener::Limits {
        header_timeout: Duration::from_millis(header_timeout),
        max_connections: args.max_connections.max(1),
    }
    .clamped();
    // The files root, checked before anything is created: one named with --files-root must be
    // an existing folder (a typo would otherwise make a stray folder); the home's own files/ is
    // made.
    if let Some(root) = args.files_root.as_ref().filter(|r| **r != home.files()) {
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                bail!("--files-root {} is a file, not a folder: name a folder. Nothing was created", root.display())
            }
            Err(_) => bail!(
                "--files-root {} does not exist: create the folder first (`mkdir -p {}`), or leave --files-root out for the home's files/. Nothing was created",
                root.display(),
                root.display()
            ),
        }
    }
    let key = if first_start {
        // A home that lost its vault.db is no first start: say so before asking for anything.
        if let Some(why) = super::init::lost_vault(&home) {
            bail!("{why}. Nothing was created");
        }
        if !args.init.passphrase_stdin && args.init.passphrase_file.is_none() && !std::io::stdin().is_terminal() {
            bail!(
                "no vault yet and no terminal to ask for a passphrase: give it with --passphrase-stdin or --passphrase-file FILE, or run `hq-vault init --passphrase-stdin` first"
            );
        }
        eprintln!("First start: choose the passphrase that protects this vault (at least 8 characters).");
        // Created in a throwaway instance (Argon2's 256 MiB goes with it), then moved here.
        let mut tmp = host.instance()?;
        let k = super::init::create_vault(&home, &mut tmp, &args.init)?;
        if !args.network {
            super::init::suggest_trust(&home);
        }
        Some(match inst.receive_key(&mut tmp, k).map_err(anyhow::Error::from)? {
            Ok(k) => k,
            Err(e) => anyhow::bail!("moving the key: {}", inst.describe_crypto_error(e).map_err(anyhow::Error::from)?),
        })
    } else {
        home.ensure()?;
        hq_vault::tls::ensure_certificates(&home)?;
        if args.network || args.init.passphrase_stdin || args.init.passphrase_file.is_some() {
            // Network mode is unlocked on the server itself, at start: no passphrase travels.
            // Local mode too, when a passphrase is given for it.
            Some(unlock_at_start(&home, &host, &mut inst, &args.init)?)
        } else {
            None
        }
    };
    // The names clients on the network use, in the self-made certificate (a new CA if one is new).
    if !tls_names.is_empty() && hq_vault::tls::certify_names(&home, &tls_names)? {
        eprintln!(
            "The self-made certificate now names {} too, under a new CA: clients trust {} (HQ_VAULT_CA_CERT).",
            tls_names.join(", "),
            home.ca_cert().display()
        );
    }
    let files_root = args.files_root.unwrap_or_else(|| home.files());
    std::fs::create_dir_all(&files_root)
        .with_context(|| format!("creating the files root {}", files_root.display()))?;
    let unlocked = key.is_some();
    // A first start has just made the home: hold its lock from now on too.
    let _home_lock = match home_lock {
        Some(l) => Some(l),
        None => lock_home(&home)?,
    };
    // Network mode: the home socket, in the home whose lock is held now.
    let home_socket = if args.network { Some(bind_home_socket(&home)?) } else { None };
    let opts = Options {
        listener,
        idle_lock: idle.map(Duration::from_millis),
        files_root,
        keyholder: match key {
            Some(k) => KeyHolder::unlocked(inst, k),
            None => KeyHolder::locked(),
        },
        limits,
        home_socket,
        tls_files: args.tls_cert.zip(args.tls_key),
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(daemon::serve(home.clone(), host, opts, &starting, |addr| {
        // serve.lock names the address now that the daemon serves there (clients of this home
        // find it there without HQ_VAULT_URL).
        if let Some(f) = &_home_lock {
            use std::os::unix::fs::FileExt as _;
            let _ = f.set_len(0).and_then(|()| f.write_all_at(format!("https://{addr}\n").as_bytes(), 0));
        }
        // The daemon outlives its standard output: a line nobody can read stops nothing.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stdout(),
            "hq-vault listening on https://{addr} ({}); component ready in {} ms; home {}",
            if unlocked { "unlocked" } else { "locked: run `hq-vault unlock`" },
            compile.as_millis(),
            home.dir.display()
        );
        if args.network {
            let _ = writeln!(
                std::io::stdout(),
                "hq-vault network mode: identities with sessions on https://{addr}; no bootstrap token. This home's CLI is served on {} (lock, unlock, org create --admin, identity revoke)",
                home.socket().display()
            );
        }
    }))?;
    // Stopped: serve.lock no longer names an address, so that clients do not look for this daemon
    // there (and find another program on the port). The lock itself goes with the process.
    if let Some(f) = &_home_lock {
        let _ = f.set_len(0);
    }
    if args.network {
        let _ = std::fs::remove_file(home.socket());
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuse a home whose socket path a Unix socket address cannot hold (`sockaddr_un`: 108 bytes,
/// the terminating NUL included).
fn home_socket_fits(home: &Home) -> Result<()> {
    let path = home.socket();
    if path.as_os_str().len() > 107 {
        bail!(
            "the home socket's path {} is {} bytes, more than a Unix socket address holds (107): use a shorter home (HQ_VAULT_HOME). Nothing was created",
            path.display(),
            path.as_os_str().len()
        );
    }
    Ok(())
}

/// Bind network mode's home socket, `serve.sock` in the home (whose lock the caller holds, so a
/// socket file there is an earlier run's and is replaced), readable and writable by the owner
/// only, inside the 0700 home.
fn bind_home_socket(home: &Home) -> Result<std::os::unix::net::UnixListener> {
    use std::os::unix::fs::PermissionsExt as _;
    home_socket_fits(home)?;
    let path = home.socket();
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("removing an earlier run's {}", path.display())),
    }
    let listener = std::os::unix::net::UnixListener::bind(&path)
        .with_context(|| format!("listening on the home socket {}", path.display()))?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("making {} the owner's only", path.display()))?;
    Ok(listener)
}

/// `serve --network` on an existing vault: the passphrase (asked, three tries, or one line of
/// standard input), the key derived in a throwaway instance and moved into `inst`, which will hold
/// it. A wrong passphrase ends the start after the last try; nothing is served locked.
fn unlock_at_start(
    home: &Home,
    host: &CoreHost,
    inst: &mut hq_vault::host::Instance,
    given: &super::init::Args,
) -> Result<hq_vault::host::MasterKey> {
    use hq_vault::host::wit::crypto::CryptoError;
    let from_stdin = given.passphrase_stdin;
    if !from_stdin && given.passphrase_file.is_none() && !std::io::stdin().is_terminal() {
        bail!(
            "serve --network unlocks the vault at start: give the passphrase on a terminal, with --passphrase-stdin, or with --passphrase-file FILE"
        );
    }
    let vault = hq_vault::store::VaultDb::open(&home.db())?
        .vault()?
        .context("this home has no vault key record: run `hq-vault init`")?;
    let tries = if from_stdin || given.passphrase_file.is_some() { 1 } else { super::TRIES };
    for left in (0..tries).rev() {
        let pass = match &given.passphrase_file {
            Some(file) => super::passphrase_from_file(file, false, "nothing is served")?,
            None => super::read_passphrase("Passphrase (network mode unlocks at start): ", from_stdin)?,
        };
        let mut tmp = host.instance()?;
        match tmp.unlock(&pass, &vault.params, &vault.wrapped_key).map_err(anyhow::Error::from)? {
            Ok(key) => {
                return match inst.receive_key(&mut tmp, key).map_err(anyhow::Error::from)? {
                    Ok(k) => Ok(k),
                    Err(e) => bail!("moving the key: {}", inst.describe_crypto_error(e).map_err(anyhow::Error::from)?),
                };
            }
            Err(CryptoError::WrongPassphrase) if left > 0 => eprintln!("Wrong passphrase; {left} more tries."),
            Err(CryptoError::WrongPassphrase) => bail!("the passphrase does not unlock this vault: nothing is served"),
            Err(e) => bail!("unlocking: {}", inst.describe_crypto_error(e).map_err(anyhow::Error::from)?),
        }
    }
    bail!("the passphrase does not unlock this vault: nothing is served")
}

/// Bind `addr`, or say who holds it: a daemon of this home, one of another home, or another
/// program. Nothing is created either way.
fn bind(home: &Home, addr: SocketAddr) -> Result<std::net::TcpListener> {
    let e = match std::net::TcpListener::bind(addr) {
        Ok(l) => return Ok(l),
        Err(e) => e,
    };
    if e.kind() == std::io::ErrorKind::AddrNotAvailable {
        bail!(
            "cannot listen on {addr}: that address is not one of this machine's. Listen on 127.0.0.1 (the default), or on an address `ip addr` shows. Nothing was created"
        );
    }
    if e.kind() != std::io::ErrorKind::AddrInUse {
        return Err(anyhow::Error::from(e).context(format!("listening on {addr}; nothing was created")));
    }
    let mut probe = addr;
    if probe.ip().is_unspecified() {
        probe.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let url = format!("https://{probe}");
    let ca = std::fs::read(home.ca_cert()).ok();
    let holder = match ca.as_deref().map(|pem| hq_vault_client::Client::new(&url, None, pem).and_then(|c| c.health())) {
        Some(Ok(_)) => format!(
            "a daemon of this home ({}) already runs there: use it (`hq-vault status`), or stop it first",
            home.dir.display()
        ),
        Some(Err(hq_vault_client::Error::ForeignDaemon { .. })) => {
            "an hq-vault daemon of another home runs there: stop it, or start this one on another address".to_owned()
        }
        _ => "another program (an hq-vault daemon of another home?) listens there".to_owned(),
    };
    if holder.starts_with("a daemon of this home") {
        bail!("{addr} is already in use: {holder}. Nothing was created or changed.");
    }
    bail!(
        "{addr} is already in use: {holder}. Nothing was created or changed. Another address: `hq-vault serve --listen 127.0.0.1:0` picks a free port (the CLI and the SDKs of this home find it through serve.lock; other homes' clients set HQ_VAULT_URL to the address it prints)"
    )
}

/// Hold `serve.lock` in an existing home for as long as the daemon runs (an exclusive `flock`,
/// released by the kernel when the process ends, however it ends). Nothing is created in a home
/// that does not exist yet: a first start has no other daemon to meet.
fn lock_home(home: &Home) -> Result<Option<std::fs::File>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    if !home.dir.is_dir() {
        return Ok(None);
    }
    let path = home.dir.join("serve.lock");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    if rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_err() {
        let mut other = String::new();
        let _ = file.read_to_string(&mut other);
        let at = other.trim();
        bail!(
            "a daemon of this home ({}) already runs{}: use it (`hq-vault status`), or stop it first. \
             Nothing was created or changed: two daemons of one home would replace each other's token \
             and interleave their audit lines",
            home.dir.display(),
            if at.is_empty() { String::new() } else { format!(" at {at}") }
        );
    }
    // It names no address until the daemon serves there (`run` writes it then): a start that
    // fails leaves none.
    file.set_len(0)?;
    Ok(Some(file))
}
