//! The daemon under load; prints a table. Not a test.
//!
//! - audited secret reads per second over loopback HTTPS, keep-alive, 16 concurrent clients, beside a
//!   bare hyper + rustls "hello" server on the same certificate, measured in the same run;
//! - p50/p99 latency and the daemon's peak RSS;
//! - `hq-vault get` wall time beside `pass show` of the same secret, when `pass` is installed;
//! - network mode: logins per second (challenge + verify, Ed25519) and reads with an identity's
//!   session, beside the owner's reads;
//! - Debian's `wrk -t2 -c16 -d8s` against the same bare server and daemon, in the same run, when
//!   wrk is installed;
//! - the disk's `fdatasync` time, which bounds what durable audit lines allow.
//!
//! Run: `cargo bench -p hq-vault --bench daemon` (HQ_BENCH_SECONDS, default 5).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

const BIN: &str = env!("CARGO_BIN_EXE_hq-vault");
const CLIENTS: usize = 16;

struct Load {
    rps: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

/// One keep-alive HTTPS connection to `addr`, trusting `tls`'s roots.
async fn connect<B>(
    addr: std::net::SocketAddr,
    tls: Arc<rustls::ClientConfig>,
) -> hyper::client::conn::http1::SendRequest<B>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let tcp = TcpStream::connect(addr).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let stream = tokio_rustls::TlsConnector::from(tls).connect(name, tcp).await.unwrap();
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    send
}

/// The clients' latencies and errors as one [`Load`] over `secs` seconds.
async fn gather(tasks: Vec<tokio::task::JoinHandle<(Vec<Duration>, usize)>>, secs: u64) -> Load {
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    all.sort();
    Load { rps: all.len() as f64 / secs as f64, p50: all[all.len() / 2], p99: all[all.len() * 99 / 100], errors }
}

async fn load(
    addr: std::net::SocketAddr,
    path: &str,
    auth: Option<String>,
    tls: Arc<rustls::ClientConfig>,
    secs: u64,
) -> Load {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (tls, path, auth) = (tls.clone(), path.to_owned(), auth.clone());
        tasks.push(tokio::spawn(async move {
            let mut send = connect(addr, tls).await;
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let mut b = Request::get(&path).header("host", "127.0.0.1");
                if let Some(a) = &auth {
                    b = b.header("authorization", a);
                }
                let t = Instant::now();
                let resp = send.send_request(b.body(Empty::<Bytes>::new()).unwrap()).await.unwrap();
                let ok = resp.status().is_success();
                let _ = resp.into_body().collect().await;
                lat.push(t.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    gather(tasks, secs).await
}

/// Network mode's logins, as fast as 16 clients can make them: each a challenge, an Ed25519
/// signature and a verify (two HTTPS requests).
async fn logins(
    addr: std::net::SocketAddr,
    id: String,
    key: Arc<ed25519_dalek::SigningKey>,
    tls: Arc<rustls::ClientConfig>,
    secs: u64,
) -> Load {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as B64;
    use ed25519_dalek::Signer as _;
    let public_key = B64.encode(key.verifying_key().to_bytes());
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (tls, id, key, public_key) = (tls.clone(), id.clone(), key.clone(), public_key.clone());
        tasks.push(tokio::spawn(async move {
            let mut send = connect(addr, tls).await;
            let mut post = async |path: &str, body: serde_json::Value| {
                let req = Request::post(path)
                    .header("host", "127.0.0.1")
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from(body.to_string())))
                    .unwrap();
                let resp = send.send_request(req).await.unwrap();
                let ok = resp.status().is_success();
                let body = resp.into_body().collect().await.unwrap().to_bytes();
                (ok, serde_json::from_slice::<serde_json::Value>(&body).unwrap_or_default())
            };
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                let (ok, ch) = post("/v1/auth/challenge", serde_json::json!({"identity_id": id})).await;
                let nonce = ch["nonce"].as_str().unwrap_or_default().to_owned();
                let sig = key.sign(format!("hq-vault-auth-v1{nonce}{id}").as_bytes());
                let body = serde_json::json!({"identity_id": id, "nonce": nonce,
                    "signature": B64.encode(sig.to_bytes()), "public_key": public_key});
                let (ok2, _) = post("/v1/auth/verify", body).await;
                lat.push(t.elapsed());
                if !(ok && ok2) {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    gather(tasks, secs).await
}

async fn hello_server(home: &std::path::Path) -> std::net::SocketAddr {
    let h = hq_vault::home::Home { dir: home.to_owned() };
    let tls = tokio_rustls::TlsAcceptor::from(hq_vault::tls::server_config(&h).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let _ = tcp.set_nodelay(true);
            let tls = tls.clone();
            tokio::spawn(async move {
                let Ok(s) = tls.accept(tcp).await else { return };
                let svc = hyper::service::service_fn(|_req| async {
                    Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from_static(b"hello"))))
                });
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(s), svc).await;
            });
        }
    });
    addr
}

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn current_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn median_wall(mut f: impl FnMut() -> bool, n: usize) -> Option<Duration> {
    let mut v = Vec::new();
    for _ in 0..n {
        let t = Instant::now();
        if !f() {
            return None;
        }
        v.push(t.elapsed());
    }
    v.sort();
    Some(v[n / 2])
}

/// The median time to append 256 bytes to a file in `dir` and `fdatasync` it (200 times): what
/// one durable audit line costs on this disk, whatever else the daemon does.
fn fdatasync_p50(dir: &std::path::Path) -> Duration {
    let path = dir.join("fdatasync-probe");
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path).unwrap();
    let mut times: Vec<Duration> = (0..200)
        .map(|_| {
            let t = Instant::now();
            f.write_all(&[b'x'; 256]).unwrap();
            f.sync_data().unwrap();
            t.elapsed()
        })
        .collect();
    let _ = std::fs::remove_file(&path);
    times.sort();
    times[times.len() / 2]
}

/// What `wrk -t2 -c16 -d8s --latency` reports against `target` (with `bearer` as the token):
/// req/s, p50, p99, and answers that were not 2xx or 3xx; `None` when wrk is not installed or
/// fails.
struct Wrk {
    rps: f64,
    p50: String,
    p99: String,
    non_2xx: u64,
}

fn wrk(target: &str, bearer: Option<&str>) -> Option<Wrk> {
    let mut c = Command::new("wrk");
    c.args(["-t2", "-c16", "-d8s", "--latency"]);
    if let Some(t) = bearer {
        c.args(["-H", &format!("Authorization: Bearer {t}")]);
    }
    let out = c.arg(target).stderr(Stdio::null()).output().ok().filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |prefix: &str| text.lines().find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_owned()));
    Some(Wrk {
        rps: field("Requests/sec:")?.parse().ok()?,
        p50: field("50%")?,
        p99: field("99%")?,
        non_2xx: field("Non-2xx or 3xx responses:").and_then(|v| v.parse().ok()).unwrap_or(0),
    })
}

fn main() {
    // The bare server runs as a process of its own, like the daemon, so both pay the same costs.
    if let Some(home) = std::env::var_os("HQ_BENCH_HELLO_HOME") {
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let addr = hello_server(std::path::Path::new(&home)).await;
            println!("{addr}");
            std::future::pending::<()>().await;
        });
        return;
    }
    let secs: u64 = std::env::var("HQ_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let pass = "bench passphrase 1";
    // The default Argon2 parameters: what users get.
    let mut init = Command::new(BIN)
        .env("HQ_VAULT_HOME", &home)
        .args(["init", "--passphrase-stdin"])
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(init.stdin.take().unwrap(), "{pass}").unwrap();
    assert!(init.wait().unwrap().success());
    let mut daemon = Command::new(BIN)
        .env("HQ_VAULT_HOME", &home)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(daemon.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr: std::net::SocketAddr =
        line.split("https://").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    let url = format!("https://{addr}");
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut c = Command::new(BIN)
            .env("HQ_VAULT_HOME", &home)
            .env("HQ_VAULT_URL", &url)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if let Some(s) = stdin {
            c.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        drop(c.stdin.take());
        c.wait().unwrap().success()
    };
    assert!(run(&["unlock", "--passphrase-stdin"], Some(&format!("{pass}\n"))));
    assert!(run(&["store", "bench/api-key"], Some("sk_bench_0123456789abcdef")));
    let token = std::fs::read_to_string(home.join("token")).unwrap().trim().to_owned();
    // A managed token, as an agent holds one: every read it makes counts a use, durably.
    let managed = {
        let out = Command::new(BIN)
            .env("HQ_VAULT_HOME", &home)
            .env("HQ_VAULT_URL", &url)
            .args(["token", "create", "--name", "bench-agent", "--prefix", "bench"])
            .stderr(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    // Network mode: an org, an identity with a readonly membership, its session.
    let agent_home = dir.path().join("agent");
    let in_home = |h: &std::path::Path, args: &[&str]| {
        let out = Command::new(BIN)
            .env("HQ_VAULT_HOME", h)
            .env("HQ_VAULT_URL", &url)
            .env("HQ_VAULT_CA_CERT", home.join("tls/ca.pem"))
            .args(args)
            .stderr(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "hq-vault {args:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    assert!(run(&["store", "org/bench/project/app/api-key"], Some("sk_bench_0123456789abcdef")));
    let bench_id = in_home(&agent_home, &["identity", "create", "--name", "bench-bot", "--type", "agent"]);
    assert!(run(&["org", "create", "bench"], None));
    assert!(run(&["project", "create", "--org", "bench", "app"], None));
    let admin_home = dir.path().join("admin");
    in_home(&admin_home, &["identity", "create", "--name", "bench-admin", "--type", "human"]);
    assert!(run(&["org", "create", "bench", "--admin", "bench-admin"], None));
    in_home(&admin_home, &["login", "--identity", "bench-admin"]);
    in_home(&agent_home, &["login", "--identity", "bench-bot"]);
    let request = in_home(
        &agent_home,
        &[
            "access-requests",
            "create",
            "--org",
            "bench",
            "--project",
            "app",
            "--role",
            "readonly",
            "--justification",
            "bench",
        ],
    );
    in_home(&admin_home, &["access-requests", "approve", &request]);
    let session: serde_json::Value =
        serde_json::from_slice(&std::fs::read(agent_home.join("session.json")).unwrap()).unwrap();
    let session = session["token"].as_str().unwrap().to_owned();
    let bench_key = {
        use base64::Engine as _;
        let seed = std::fs::read_to_string(agent_home.join("identities/bench-bot.key")).unwrap();
        let bytes = base64::engine::general_purpose::STANDARD.decode(seed.trim()).unwrap();
        Arc::new(ed25519_dalek::SigningKey::from_bytes(&bytes.try_into().unwrap()))
    };
    let rss_after_unlock = peak_rss_kib(daemon.id());

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let ca = std::fs::read(home.join("tls/ca.pem")).unwrap();
    let tls = hq_vault::tls::client_config(&ca).unwrap();
    let mut hello_proc = Command::new(std::env::current_exe().unwrap())
        .env("HQ_BENCH_HELLO_HOME", &home)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut hello_line = String::new();
    BufReader::new(hello_proc.stdout.take().unwrap()).read_line(&mut hello_line).unwrap();
    let hello: std::net::SocketAddr = hello_line.trim().parse().unwrap();
    let (bare, vault, agent, sessions, identity) = rt.block_on(async {
        let bare = load(hello, "/", None, tls.clone(), secs).await;
        let vault = load(addr, "/v1/secrets/bench/api-key", Some(format!("Bearer {token}")), tls.clone(), secs).await;
        let agent = load(addr, "/v1/secrets/bench/api-key", Some(format!("Bearer {managed}")), tls.clone(), secs).await;
        let sessions = logins(addr, bench_id.clone(), bench_key.clone(), tls.clone(), secs).await;
        let path = "/v1/secrets/org/bench/project/app/api-key";
        let identity = load(addr, path, Some(format!("Bearer {session}")), tls.clone(), secs).await;
        (bare, vault, agent, sessions, identity)
    });
    // Debian's wrk against the same servers, in the same run (issue "The core decides the vault
    // API too", item 7): the bare server, owner reads and managed-token reads.
    let wrk_runs = [
        ("bare hello server", format!("https://{hello}/"), None),
        ("audited owner reads", format!("{url}/v1/secrets/bench/api-key"), Some(token.as_str())),
        ("managed-token reads", format!("{url}/v1/secrets/bench/api-key"), Some(managed.as_str())),
    ]
    .map(|(what, target, bearer)| (what, wrk(&target, bearer)));
    let rss = peak_rss_kib(daemon.id());
    let audit_lines = std::fs::read_to_string(home.join("audit.log")).map(|s| s.lines().count()).unwrap_or(0);

    let get = median_wall(|| run(&["get", "bench/api-key"], None), 15);
    let pass_show = if Command::new("pass").arg("version").output().is_ok_and(|o| o.status.success()) {
        let store = dir.path().join("pass-store");
        let gnupg = dir.path().join("gnupg");
        std::fs::create_dir_all(&gnupg).unwrap();
        let env = |c: &mut Command| {
            c.env("PASSWORD_STORE_DIR", &store).env("GNUPGHOME", &gnupg);
        };
        let mut g = Command::new("gpg");
        env(&mut g);
        let ok = g
            .args([
                "--batch",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
                "--quick-gen-key",
                "bench@hq-vault.invalid",
                "default",
                "default",
                "never",
            ])
            .output()
            .is_ok_and(|o| o.status.success());
        let mut i = Command::new("pass");
        env(&mut i);
        let ok = ok && i.args(["init", "bench@hq-vault.invalid"]).output().is_ok_and(|o| o.status.success());
        let mut ins = Command::new("pass");
        env(&mut ins);
        let ok = ok && {
            let mut c = ins
                .args(["insert", "-m", "bench/api-key"])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()
                .unwrap();
            c.stdin.take().unwrap().write_all(b"sk_bench_0123456789abcdef\n").unwrap();
            c.wait().unwrap().success()
        };
        ok.then(|| {
            median_wall(
                || {
                    let mut c = Command::new("pass");
                    env(&mut c);
                    c.args(["show", "bench/api-key"]).output().is_ok_and(|o| o.status.success())
                },
                15,
            )
        })
        .flatten()
    } else {
        None
    };
    let rss_now = current_rss_kib(daemon.id());
    let sync = fdatasync_p50(&home);
    let _ = daemon.kill();
    let _ = daemon.wait();
    let _ = hello_proc.kill();
    let _ = hello_proc.wait();

    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
    println!("| measure | value |");
    println!("|---|---:|");
    println!(
        "| bare hyper+rustls hello server (own process), 16 keep-alive clients | {:.0} req/s (p50 {}, p99 {}) |",
        bare.rps,
        ms(bare.p50),
        ms(bare.p99)
    );
    println!(
        "| audited secret reads, 16 keep-alive clients | {:.0} req/s (p50 {}, p99 {}), {} errors |",
        vault.rps,
        ms(vault.p50),
        ms(vault.p99),
        vault.errors
    );
    println!(
        "| managed-token reads (each use counted durably), 16 keep-alive clients | {:.0} req/s (p50 {}, p99 {}), {} errors |",
        agent.rps,
        ms(agent.p50),
        ms(agent.p99),
        agent.errors
    );
    println!(
        "| network mode: logins (challenge + Ed25519 signature + verify), 16 clients | {:.0} sessions/s (p50 {}, p99 {}), {} errors |",
        sessions.rps,
        ms(sessions.p50),
        ms(sessions.p99),
        sessions.errors
    );
    println!(
        "| network mode: reads with an identity's session (memberships looked up each time), 16 keep-alive clients | {:.0} req/s (p50 {}, p99 {}), {} errors |",
        identity.rps,
        ms(identity.p50),
        ms(identity.p99),
        identity.errors
    );
    println!("| session reads / owner reads | {:.0}% |", 100.0 * identity.rps / vault.rps);
    println!("| audited reads / bare server | {:.0}% (target ≥ 60%) |", 100.0 * vault.rps / bare.rps);
    println!("| managed-token reads / owner reads | {:.0}% (target ≥ 50%) |", 100.0 * agent.rps / vault.rps);
    println!("| audit lines written (all durable) | {audit_lines} |");
    // Each of 16 clients waits for its line's fdatasync (the audit writer batches the lines that
    // arrive meanwhile): 16 per fdatasync is what the disk alone allows an audited read, and a
    // counted read waits for two in sequence (the line, then the commit). How far below that the
    // reads stay is the CPU's share.
    let bound = 16.0 / sync.as_secs_f64();
    println!(
        "| fdatasync of a 256-byte append in the home (median of 200) | {} → the disk alone allows {:.0} audited req/s to 16 clients that each wait for their line |",
        ms(sync),
        bound
    );
    println!("| audited reads / that bound | {:.0}% |", 100.0 * vault.rps / bound);
    println!(
        "| managed-token reads / half that bound (two fdatasyncs each) | {:.0}% |",
        100.0 * agent.rps / (bound / 2.0)
    );
    for (what, w) in &wrk_runs {
        match w {
            Some(w) => println!(
                "| `wrk -t2 -c16 -d8s`: {what} | {:.0} req/s (p50 {}, p99 {}), {} not 2xx |",
                w.rps, w.p50, w.p99, w.non_2xx
            ),
            None => println!("| `wrk`: {what} | not run (apt-get install wrk) |"),
        }
    }
    if let [(_, Some(bare)), (_, Some(owner)), (_, Some(managed))] = &wrk_runs {
        println!(
            "| `wrk`: owner reads / bare server; managed-token reads / owner reads | {:.0}%; {:.0}% |",
            100.0 * owner.rps / bare.rps,
            100.0 * managed.rps / owner.rps
        );
    }
    println!(
        "| daemon RSS: peak (the Argon2 unlock) / peak after the load / now | {} MiB / {} MiB / {} MiB |",
        rss_after_unlock / 1024,
        rss / 1024,
        rss_now / 1024
    );
    match get {
        Some(g) => println!("| `hq-vault get` wall time (median of 15) | {} |", ms(g)),
        None => println!("| `hq-vault get` | failed |"),
    }
    match (get, pass_show) {
        (Some(g), Some(p)) => {
            println!("| `pass show` wall time (median of 15) | {} |", ms(p));
            println!("| `hq-vault get` / `pass show` | {:.2}× (target ≤ 0.5×) |", g.as_secs_f64() / p.as_secs_f64());
        }
        _ => println!("| `pass show` | not installed (apt-get install pass) |"),
    }
}
