//! Test harness: the real `hq-vault` binary, a temp home, a real SQLite file, HTTPS on an
//! ephemeral loopback port.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

pub const PASS: &str = "correct horse battery staple";
pub const BIN: &str = env!("CARGO_BIN_EXE_hq-vault");

pub struct Daemon {
    pub dir: tempfile::TempDir,
    pub child: Option<Child>,
    pub url: String,
    pub agent: ureq::Agent,
    /// Values that must never appear in a log, the audit file or vault.db.
    pub secrets: Vec<String>,
    pub extra_serve_args: Vec<String>,
}

/// An HTTP answer.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_owned()
    }
}

impl Daemon {
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn cli(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env("HQ_VAULT_HOME", self.home()).env("HQ_VAULT_URL", &self.url).env_remove("HQ_VAULT_TOKEN");
        c
    }

    /// The CLI as an agent holding `token`.
    pub fn cli_with_token(&self, token: &str) -> Command {
        let mut c = self.cli();
        c.env("HQ_VAULT_TOKEN", token);
        c
    }

    /// Run a CLI command with optional standard input; returns its output.
    pub fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        run_with(self.cli(), args, stdin)
    }

    pub fn token(&self) -> String {
        std::fs::read_to_string(self.home().join("token")).unwrap().trim().to_owned()
    }

    /// Start (or restart) `serve` on an ephemeral port.
    pub fn start(&mut self) {
        let out =
            std::fs::OpenOptions::new().create(true).append(true).open(self.dir.path().join("daemon.stderr")).unwrap();
        let mut cmd = Command::new(BIN);
        cmd.env("HQ_VAULT_HOME", self.home())
            .args(["serve", "--listen", "127.0.0.1:0", "--files-root"])
            .arg(self.home().join("files"))
            .args(&self.extra_serve_args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(out));
        let mut child = cmd.spawn().expect("spawn hq-vault serve");
        let stdout = child.stdout.take().unwrap();
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first).unwrap();
        let log = self.dir.path().join("daemon.stdout");
        std::fs::write(&log, &first).unwrap();
        std::thread::spawn(move || {
            let mut rest = Vec::new();
            let _ = reader.read_to_end(&mut rest);
            if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(&log) {
                let _ = f.write_all(&rest);
            }
        });
        let addr = first.split("https://").nth(1).and_then(|s| s.split_whitespace().next()).unwrap_or_else(|| {
            panic!(
                "the daemon did not start: {first:?}; stderr: {}",
                std::fs::read_to_string(self.dir.path().join("daemon.stderr")).unwrap_or_default()
            )
        });
        self.url = format!("https://{addr}");
        self.child = Some(child);
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
            let _ = c.wait();
        }
    }

    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// A request with any method, headers and body.
    pub fn req(&self, method: &str, path: &str, auth: Option<&str>, body: Option<Value>) -> Answer {
        let mut headers = Vec::new();
        if let Some(a) = auth {
            headers.push(("authorization".to_owned(), a.to_owned()));
        }
        self.raw(method, path, &headers, body.map(|b| b.to_string().into_bytes()))
    }

    pub fn raw(&self, method: &str, path: &str, headers: &[(String, String)], body: Option<Vec<u8>>) -> Answer {
        self.try_raw(method, path, headers, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Like `raw`, but a transport error (a reset while still sending a refused body) is returned.
    pub fn try_raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Option<Vec<u8>>,
    ) -> Result<Answer, ureq::Error> {
        let mut b = ureq::http::Request::builder().method(method).uri(format!("{}{path}", self.url));
        for (k, v) in headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let res = match body {
            Some(bytes) => self.agent.run(b.header("content-type", "application/json").body(bytes).unwrap()),
            None => self.agent.run(b.body(()).unwrap()),
        };
        let mut r = res?;
        let status = r.status().as_u16();
        let headers = r.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned())).collect();
        let body = r.body_mut().with_config().limit(200 * 1024 * 1024).read_to_vec().unwrap_or_default();
        Ok(Answer { status, headers, body })
    }

    /// With the bootstrap token.
    pub fn owner(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.req(method, path, Some(&format!("Bearer {}", self.token())), body)
    }

    pub fn unlock(&self) {
        let a = self.owner("POST", "/v1/unlock", Some(serde_json::json!({"passphrase": PASS})));
        assert_eq!(a.status, 200, "unlock: {}", String::from_utf8_lossy(&a.body));
    }

    pub fn store(&mut self, path: &str, value: &str) -> Answer {
        self.secrets.push(value.to_owned());
        self.owner("PUT", &format!("/v1/secrets/{path}"), Some(serde_json::json!({"value": value, "type": "api-key"})))
    }

    /// Every log, the audit file and the database, as bytes, must not contain any value used.
    pub fn assert_no_leaks(&self) {
        let mut files = vec![
            self.dir.path().join("daemon.stdout"),
            self.dir.path().join("daemon.stderr"),
            self.home().join("audit.log"),
            self.home().join("vault.db"),
            self.home().join("vault.db-wal"),
        ];
        files.extend(
            std::fs::read_dir(self.dir.path())
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "log")),
        );
        for f in files {
            let Ok(bytes) = std::fs::read(&f) else {
                continue;
            };
            for s in &self.secrets {
                assert!(
                    !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                    "a secret value was found in {}",
                    f.display()
                );
            }
            assert!(!String::from_utf8_lossy(&bytes).contains(PASS), "the passphrase was found in {}", f.display());
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill9();
    }
}

pub fn run_with(mut c: Command, args: &[&str], stdin: Option<&[u8]>) -> Output {
    c.args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(input) = stdin {
        // A command may end before it reads its input (a refusal): that is its answer, not ours.
        match child.stdin.take().unwrap().write_all(input) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.unwrap(),
        }
    }
    child.wait_with_output().unwrap()
}

pub fn agent_for(ca: &Path) -> ureq::Agent {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let pem = std::fs::read(ca).unwrap();
    let cert = ureq::tls::Certificate::from_pem(&pem).unwrap().to_owned();
    let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![cert]))).build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .allow_non_standard_methods(true)
        .timeout_global(Some(Duration::from_secs(60)))
        // The daemon closes a keep-alive connection after 10 s idle (its header timeout): never
        // reuse one that old, or a request could be sent into a closing socket.
        .max_idle_age(Duration::from_secs(5))
        .build()
        .into()
}

/// A new vault (cheap Argon2 parameters) with a running, unlocked daemon.
pub fn daemon() -> Daemon {
    daemon_with(&[])
}

pub fn daemon_with(serve_args: &[&str]) -> Daemon {
    daemon_custom(CHEAP_KDF, serve_args)
}

/// A new vault made by `hq-vault init` with these arguments (Argon2 costs) and [`PASS`], in a
/// fresh temporary home; not served yet (`url` empty).
pub fn initialized(init_args: &[&str]) -> Daemon {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let mut init = Command::new(BIN);
    init.env("HQ_VAULT_HOME", &home);
    let mut args = vec!["init", "--passphrase-stdin"];
    args.extend_from_slice(init_args);
    let out = run_with(init, &args, Some(format!("{PASS}\n").as_bytes()));
    assert!(out.status.success(), "init failed: {}", String::from_utf8_lossy(&out.stderr));
    let agent = agent_for(&home.join("tls/ca.pem"));
    Daemon { dir, child: None, url: String::new(), agent, secrets: Vec::new(), extra_serve_args: Vec::new() }
}

/// The Argon2 costs tests use: cheap, so that an unlock takes milliseconds.
pub const CHEAP_KDF: &[&str] = &["--kdf-m-cost-kib", "8192", "--kdf-t-cost", "1"];

/// A new vault made with these `init` arguments (Argon2 costs), served with `serve_args`, unlocked.
pub fn daemon_custom(init_args: &[&str], serve_args: &[&str]) -> Daemon {
    let mut d = initialized(init_args);
    d.extra_serve_args = serve_args.iter().map(|s| s.to_string()).collect();
    d.start();
    d.unlock();
    d
}

/// The audit log's lines, parsed.
pub fn audit_lines(d: &Daemon) -> Vec<Value> {
    std::fs::read_to_string(d.home().join("audit.log"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line {l:?}: {e}")))
        .collect()
}

/// A raw TLS connection to the daemon, trusting the home's CA (for half-sent requests and idle
/// connections that an HTTP client would not make).
pub fn tls_stream(d: &Daemon) -> rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream> {
    use rustls::pki_types::pem::PemObject;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(d.home().join("tls/ca.pem")).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    let addr = d.url.trim_start_matches("https://");
    let tcp = std::net::TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), "127.0.0.1".try_into().unwrap()).unwrap();
    rustls::StreamOwned::new(conn, tcp)
}

pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}
