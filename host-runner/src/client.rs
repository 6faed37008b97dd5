//! The CLI's HTTPS client: `HQ_VAULT_URL` (default `https://127.0.0.1:13100`), `HQ_VAULT_TOKEN`
//! (default: the bootstrap token file), trusting only the daemon's CA file.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use zeroize::Zeroizing;

use crate::home::Home;

/// A connection to the daemon.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: Option<Zeroizing<String>>,
}

/// A response: status and JSON body (or the raw text when it is not JSON).
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// The body's error message, or a generic one.
    pub fn message(&self) -> String {
        self.body["error"]["message"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("the daemon answered {}", self.status))
    }

    /// Fail with a message that says what to do next.
    pub fn ok(self) -> Result<Value> {
        match self.status {
            200..=299 => Ok(self.body),
            423 => bail!("the vault is locked: run `hq-vault unlock`"),
            401 => bail!(
                "{} (check HQ_VAULT_TOKEN or the token file; the daemon writes a new bootstrap token at each start)",
                self.message()
            ),
            _ => bail!("{}", self.message()),
        }
    }
}

impl Client {
    pub fn from_env(home: &Home) -> Result<Client> {
        let base = std::env::var("HQ_VAULT_URL").unwrap_or_else(|_| "https://127.0.0.1:13100".into());
        let base = base.trim_end_matches('/').to_owned();
        let ca_path = std::env::var_os("HQ_VAULT_CA_CERT").map(Into::into).unwrap_or_else(|| home.ca_cert());
        let ca = std::fs::read(&ca_path).with_context(|| {
            format!(
                "reading the daemon's certificate {} (run `hq-vault init`, or set HQ_VAULT_CA_CERT)",
                ca_path.display()
            )
        })?;
        let token = match std::env::var("HQ_VAULT_TOKEN") {
            Ok(t) if !t.is_empty() => Some(Zeroizing::new(t)),
            _ => std::fs::read_to_string(home.token()).ok().map(|t| Zeroizing::new(t.trim().to_owned())),
        };
        let _ = rustls::crypto::ring::default_provider().install_default();
        let cert =
            Certificate::from_pem(&ca).map_err(|e| anyhow!("the CA file is not a PEM certificate: {e}"))?.to_owned();
        let tls = TlsConfig::builder().root_certs(RootCerts::Specific(Arc::new(vec![cert]))).build();
        let config = ureq::Agent::config_builder()
            .tls_config(tls)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build();
        Ok(Client { agent: config.into(), base, token })
    }

    fn auth(&self) -> Result<String> {
        match &self.token {
            Some(t) => Ok(format!("Bearer {}", t.as_str())),
            None => bail!(
                "no token: set HQ_VAULT_TOKEN, or start the daemon with `hq-vault serve` so it writes the token file"
            ),
        }
    }

    fn explain(&self, e: ureq::Error) -> anyhow::Error {
        match e {
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                anyhow!("the daemon is not running at {}: start it with `hq-vault serve`", self.base)
            }
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
                anyhow!(
                    "cannot reach the daemon at {}: start it with `hq-vault serve` or check HQ_VAULT_URL",
                    self.base
                )
            }
            other => anyhow!("talking to the daemon at {}: {other}", self.base),
        }
    }

    fn reply(&self, r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Reply> {
        let mut r = r.map_err(|e| self.explain(e))?;
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Reply { status, body })
    }

    /// The URL of an API path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str) -> Result<Reply> {
        let r = self.agent.get(self.url(path)).header("authorization", self.auth()?).call();
        self.reply(r)
    }

    pub fn get_anonymous(&self, path: &str) -> Result<Reply> {
        let r = self.agent.get(self.url(path)).call();
        self.reply(r)
    }

    pub fn delete(&self, path: &str) -> Result<Reply> {
        let r = self.agent.delete(self.url(path)).header("authorization", self.auth()?).call();
        self.reply(r)
    }

    pub fn post(&self, path: &str, body: &Value) -> Result<Reply> {
        let r = self
            .agent
            .post(self.url(path))
            .header("authorization", self.auth()?)
            .header("content-type", "application/json")
            .send(body.to_string());
        self.reply(r)
    }

    pub fn put(&self, path: &str, body: &Value) -> Result<Reply> {
        let r = self
            .agent
            .put(self.url(path))
            .header("authorization", self.auth()?)
            .header("content-type", "application/json")
            .send(body.to_string());
        self.reply(r)
    }
}

/// Percent-encode a secret path for the URL, keeping `/` as the separator.
pub fn encode_path(p: &str) -> String {
    const SET: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(p, SET).to_string()
}

/// Percent-encode a query value.
pub fn encode_query(p: &str) -> String {
    percent_encoding::utf8_percent_encode(p, percent_encoding::NON_ALPHANUMERIC).to_string()
}
