//! Network mode's commands (seed 002): `identity create|list|revoke`, `login`, `org create`,
//! `project create`, `access-requests create|list|approve|deny`.
//!
//! An identity's key pair is made here, in the caller's own home: the private key (the 32-byte
//! Ed25519 seed, standard base64) in `identities/NAME.key`, mode 0600, never sent anywhere; its
//! public key is registered with the server, which keeps only its SHA-256. `login` signs the
//! server's challenge and caches the session in `session.json` (0600), which every command of this
//! home then uses (`HQ_VAULT_TOKEN` and a home's `token` file come first), and renews once it has
//! expired.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer as _, SigningKey};
use hq_vault::home::{Home, write_private};
use hq_vault_client::{Client, encode_path};
use serde_json::{Value, json};
use zeroize::Zeroizing;

#[derive(clap::Subcommand)]
pub enum IdentityCommand {
    /// Make an Ed25519 key pair in this home and register its public key with the server.
    #[command(
        after_help = "The private key stays in this home (identities/NAME.key, 0600) and is never sent. Registering
grants nothing but filing access requests (`hq-vault access-requests create`).

Example:
  hq-vault identity create --name deploy-bot --type agent"
    )]
    Create {
        /// 1-63 of a-z, 0-9, `.`, `-`, starting with a letter or digit.
        #[arg(long)]
        name: String,
        /// `agent` or `human` (only a human admin approves access requests).
        #[arg(long = "type", value_parser = ["agent", "human"])]
        kind: String,
    },
    /// The server's identities and their memberships (the server's owner: run with its home).
    List,
    /// Revoke an identity by name or id: its sessions end at once.
    Revoke {
        /// The identity's name or id.
        identity: String,
    },
}

#[derive(clap::Args)]
pub struct LoginArgs {
    /// The identity (made in this home with `hq-vault identity create`).
    #[arg(long)]
    identity: String,
}

#[derive(clap::Subcommand)]
pub enum OrgCommand {
    /// Create an org and its first admin; run with the server's home (its owner).
    #[command(after_help = "Example:\n  hq-vault org create indigo --admin alice")]
    Create {
        name: String,
        /// The first admin: an identity's name or id (a human, to approve access requests).
        #[arg(long)]
        admin: Option<String>,
    },
}

#[derive(clap::Subcommand)]
pub enum ProjectCommand {
    /// Create a project in an org (the server's owner or a human admin of the org).
    #[command(after_help = "Example:\n  hq-vault project create --org indigo hq-cloud")]
    Create {
        #[arg(long)]
        org: String,
        name: String,
    },
}

#[derive(clap::Subcommand)]
pub enum AccessCommand {
    /// Ask for a role in an org's project (an identity, logged in).
    #[command(
        after_help = "Example:\n  hq-vault access-requests create --org indigo --project hq-cloud --role member --justification 'deploys hq-cloud'"
    )]
    Create {
        #[arg(long)]
        org: String,
        /// The project (member and readonly need one; admin without one covers the whole org).
        #[arg(long)]
        project: Option<String>,
        #[arg(long, value_parser = ["admin", "member", "readonly"])]
        role: String,
        /// Why, for the human who decides.
        #[arg(long)]
        justification: String,
    },
    /// Requests you may see: your own, and those you may decide.
    List,
    /// Approve a request (a human admin of its org): the membership is created.
    Approve { id: String },
    /// Deny a request.
    Deny {
        id: String,
        #[arg(long)]
        reason: Option<String>,
    },
}

/// Where this home keeps its identities' keys.
fn identities_dir(home: &Home) -> PathBuf {
    home.dir.join("identities")
}

/// The saved identity `name` of this home: its record and its signing key.
fn load(home: &Home, name: &str) -> Result<(Value, SigningKey)> {
    let dir = identities_dir(home);
    let record: Value =
        serde_json::from_slice(&std::fs::read(dir.join(format!("{name}.json"))).with_context(|| {
            format!(
                "no identity `{name}` in {}: make it with `hq-vault identity create --name {name} --type agent`",
                dir.display()
            )
        })?)?;
    let key_file = dir.join(format!("{name}.key"));
    // As ssh does with a private key: one others can read is not used.
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&key_file)?.permissions());
    if mode & 0o077 != 0 {
        bail!(
            "{} is readable by others (mode {:o}): the identity's private key must be yours only. Run `chmod 600 {}`, and if others may have read it, revoke the identity and make a new one",
            key_file.display(),
            mode & 0o777,
            key_file.display()
        );
    }
    let seed = Zeroizing::new(std::fs::read_to_string(&key_file)?);
    let bytes = Zeroizing::new(STANDARD.decode(seed.trim()).context("the identity's key file is not base64")?);
    let seed: [u8; 32] = bytes.as_slice().try_into().context("the identity's key file does not hold 32 bytes")?;
    Ok((record, SigningKey::from_bytes(&seed)))
}

pub fn identity(home: &Home, c: IdentityCommand) -> Result<ExitCode> {
    let client = Client::from_env()?;
    match c {
        IdentityCommand::Create { name, kind } => {
            let dir = identities_dir(home);
            if dir.join(format!("{name}.key")).exists() {
                bail!("this home has an identity `{name}` already ({}): pick another name", dir.display());
            }
            let mut seed = Zeroizing::new([0u8; 32]);
            getrandom::fill(seed.as_mut()).map_err(|e| anyhow::anyhow!("drawing a key from the OS: {e}"))?;
            let key = SigningKey::from_bytes(&seed);
            let public_key = STANDARD.encode(key.verifying_key().to_bytes());
            let b = client
                .post_anonymous("/v1/identities", &json!({"name": name, "type": kind, "public_key": public_key}))?
                .ok()?;
            home.ensure()?;
            std::fs::create_dir_all(&dir)?;
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
            write_private(&dir.join(format!("{name}.key")), Zeroizing::new(STANDARD.encode(seed.as_ref())).as_bytes())?;
            let record = json!({"id": b["id"], "name": name, "type": kind, "public_key": public_key});
            write_private(&dir.join(format!("{name}.json")), serde_json::to_string_pretty(&record)?.as_bytes())?;
            println!("{}", b["id"].as_str().unwrap_or_default());
            eprintln!(
                "Identity `{name}` ({kind}) registered; its private key stays in {} (0600). Next: `hq-vault login --identity {name}`, then `hq-vault access-requests create …`.",
                dir.join(format!("{name}.key")).display()
            );
        }
        IdentityCommand::List => {
            let b = client.get("/v1/identities")?.ok()?;
            for i in b["identities"].as_array().cloned().unwrap_or_default() {
                let roles: Vec<String> = i["memberships"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .map(|m| match m["project"].as_str() {
                        Some(p) => {
                            format!("{} of {}/{p}", m["role"].as_str().unwrap_or(""), m["org"].as_str().unwrap_or(""))
                        }
                        None => format!("{} of {}", m["role"].as_str().unwrap_or(""), m["org"].as_str().unwrap_or("")),
                    })
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    i["name"].as_str().unwrap_or(""),
                    i["id"].as_str().unwrap_or(""),
                    i["type"].as_str().unwrap_or(""),
                    i["status"].as_str().unwrap_or(""),
                    if roles.is_empty() { "no membership".to_owned() } else { roles.join(", ") }
                );
            }
        }
        IdentityCommand::Revoke { identity } => {
            let id = if identity.starts_with("id_") {
                identity.clone()
            } else {
                let b = client.get("/v1/identities")?.ok()?;
                let found =
                    b["identities"].as_array().cloned().unwrap_or_default().into_iter().find(|i| {
                        i["name"].as_str() == Some(identity.as_str()) && i["status"].as_str() == Some("active")
                    });
                match found.and_then(|i| i["id"].as_str().map(str::to_owned)) {
                    Some(id) => id,
                    None => bail!("no active identity is named `{identity}`: `hq-vault identity list` shows them"),
                }
            };
            client.post(&format!("/v1/identities/{}/revoke", encode_path(&id)), &json!({}))?.ok()?;
            eprintln!("Identity `{identity}` is revoked: its sessions have ended.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Log in as this home's identity `name`: the session, cached in `session.json` (0600).
pub fn login(home: &Home, a: LoginArgs) -> Result<ExitCode> {
    let client = Client::from_env()?;
    let expires = log_in(home, &client, &a.identity)?;
    eprintln!("Logged in as `{}` until {expires}: commands of this home use the session.", a.identity);
    Ok(ExitCode::SUCCESS)
}

/// Challenge, sign `hq-vault-auth-v1` ‖ nonce ‖ identity id, verify; cache the session. Returns
/// when it expires (RFC 3339).
fn log_in(home: &Home, client: &Client, name: &str) -> Result<String> {
    let (record, key) = load(home, name)?;
    let id = record["id"].as_str().unwrap_or_default().to_owned();
    let ch = client.post_anonymous("/v1/auth/challenge", &json!({"identity_id": id}))?.ok()?;
    let nonce = ch["nonce"].as_str().unwrap_or_default();
    let signature = key.sign(format!("hq-vault-auth-v1{nonce}{id}").as_bytes());
    let v = client
        .post_anonymous(
            "/v1/auth/verify",
            &json!({"identity_id": id, "nonce": nonce, "signature": STANDARD.encode(signature.to_bytes()),
                    "public_key": record["public_key"]}),
        )?
        .ok()?;
    // Bound to the server that issued it: the client sends it to that address only.
    let session = Zeroizing::new(
        json!({"identity": name, "identity_id": id, "url": client.url(""), "token": v["token"],
               "expires_at_ms": v["expires_at_ms"]})
        .to_string(),
    );
    home.ensure()?;
    write_private(&home.dir.join("session.json"), session.as_bytes())?;
    Ok(v["expires_at"].as_str().unwrap_or_default().to_owned())
}

/// Before a command of this home uses its cached session: renew it when it has expired (or will
/// within a minute), with the identity's key. Nothing happens when a token comes from
/// `HQ_VAULT_TOKEN` or the home's `token` file, in a network-mode server's home (its CLI is served
/// on the home socket), or when there is no session.
pub fn renew_session(home: &Home) {
    if std::env::var_os("HQ_VAULT_TOKEN").is_some() || home.token().exists() || home.socket().exists() {
        return;
    }
    let Some(cached) =
        std::fs::read(home.dir.join("session.json")).ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    else {
        return;
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    if cached["expires_at_ms"].as_u64().is_some_and(|at| at > now + 60_000) {
        return;
    }
    let Some(name) = cached["identity"].as_str() else { return };
    match Client::from_env().map_err(anyhow::Error::from).and_then(|c| log_in(home, &c, name)) {
        Ok(_) => eprintln!("hq-vault: the session of `{name}` had expired; logged in again."),
        Err(e) => eprintln!("hq-vault: the session of `{name}` has expired and could not be renewed: {e:#}"),
    }
}

pub fn org(c: OrgCommand) -> Result<ExitCode> {
    let client = Client::from_env()?;
    let OrgCommand::Create { name, admin } = c;
    let b = client.post("/v1/orgs", &json!({"name": name, "admin": admin}))?.ok()?;
    match (b["admin"]["name"].as_str(), b["existed"] == true) {
        (Some(a), true) => eprintln!("`{a}` is now an admin of the org `{name}`."),
        (Some(a), false) => eprintln!("Org `{name}` created; `{a}` is its admin."),
        (None, _) => eprintln!("Org `{name}` created, with no admin yet."),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn project(c: ProjectCommand) -> Result<ExitCode> {
    let client = Client::from_env()?;
    let ProjectCommand::Create { org, name } = c;
    client.post(&format!("/v1/orgs/{}/projects", encode_path(&org)), &json!({"name": name}))?.ok()?;
    eprintln!("Project `{org}/{name}` created: its secrets live under org/{org}/project/{name}/.");
    Ok(ExitCode::SUCCESS)
}

pub fn access(c: AccessCommand) -> Result<ExitCode> {
    let client = Client::from_env()?;
    match c {
        AccessCommand::Create { org, project, role, justification } => {
            let b = client
                .post(
                    "/v1/access-requests",
                    &json!({"org": org, "project": project, "role": role, "justification": justification}),
                )?
                .ok()?;
            println!("{}", b["id"].as_str().unwrap_or_default());
            eprintln!("Access request filed (pending): a human admin of `{org}` decides it.");
        }
        AccessCommand::List => {
            let b = client.get("/v1/access-requests")?.ok()?;
            for r in b["access_requests"].as_array().cloned().unwrap_or_default() {
                let scope = match r["project"].as_str() {
                    Some(p) => format!("{}/{p}", r["org"].as_str().unwrap_or("")),
                    None => r["org"].as_str().unwrap_or("").to_owned(),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    r["id"].as_str().unwrap_or(""),
                    r["status"].as_str().unwrap_or(""),
                    r["identity_name"].as_str().unwrap_or(r["identity_id"].as_str().unwrap_or("")),
                    r["role"].as_str().unwrap_or(""),
                    scope,
                    r["justification"].as_str().unwrap_or("").replace(['\n', '\t'], " ")
                );
            }
        }
        AccessCommand::Approve { id } => {
            let b = client.post(&format!("/v1/access-requests/{}/approve", encode_path(&id)), &json!({}))?.ok()?;
            eprintln!(
                "Approved: {} is now {} of {}{}.",
                b["identity_id"].as_str().unwrap_or(""),
                b["role"].as_str().unwrap_or(""),
                b["org"].as_str().unwrap_or(""),
                b["project"].as_str().map(|p| format!("/{p}")).unwrap_or_default()
            );
        }
        AccessCommand::Deny { id, reason } => {
            client.post(&format!("/v1/access-requests/{}/deny", encode_path(&id)), &json!({"reason": reason}))?.ok()?;
            eprintln!("Denied.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
