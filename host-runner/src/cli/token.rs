//! `token create|list|revoke`.

use std::process::ExitCode;

use anyhow::{Result, bail};
use hq_vault_client::{Client, encode_path};
use serde_json::{Value, json};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create a managed token; it is printed once.
    #[command(
        after_help = "Example:\n  hq-vault token create --name ci-build-main --ttl 30m --max-uses 5 --prefix deploy/prod/"
    )]
    Create {
        /// A name for audit lines, such as `deploy-bot-prod`: 1-63 of lower-case a-z, 0-9, `.`,
        /// `-`, starting with a letter or a digit; `anonymous`, `bootstrap`, `daemon`, `unknown`,
        /// `owner` and `system` are reserved for the vault's own actors.
        #[arg(long)]
        name: String,
        /// Time to live: 90s, 15m, 1h, 7d.
        #[arg(long)]
        ttl: Option<String>,
        /// Most secret reads it may make.
        #[arg(long)]
        max_uses: Option<u32>,
        /// Only paths in this folder (repeatable; `aws` means `aws/`).
        #[arg(long)]
        prefix: Vec<String>,
    },
    /// List managed tokens (never their values): name, state, expiry, uses, scope.
    #[command(
        after_help = "One token a line, tab-separated: NAME, STATE (active, expired, exhausted, revoked), expiry,\nuses (`uses 3/10`, or `uses 3 (no limit)`), scope (its folders, or `all secrets`).\n\nExample:\n  hq-vault token list"
    )]
    List,
    /// Revoke a managed token by name: its next read is refused, and its name is free again.
    #[command(after_help = "Example:\n  hq-vault token revoke deploy-run-42")]
    Revoke {
        /// The token's name.
        name: String,
    },
}

pub fn run(c: Command) -> Result<ExitCode> {
    let client = Client::from_env()?;
    let now = now_ms();
    match c {
        Command::Create { name, ttl, max_uses, prefix } => {
            if super::stdout_goes_nowhere() {
                bail!(
                    "standard output is /dev/null or closed: the token, shown once, would reach no one. Send it to a file or a pipe (`hq-vault token create … > agent-token`); nothing was created"
                );
            }
            let b = client
                .post("/v1/tokens", &json!({"name": name, "ttl": ttl, "max_uses": max_uses, "prefix": prefix}))?
                .ok()?;
            if let Err(e) = super::print_once(b["token"].as_str().unwrap_or_default()) {
                // Shown once and lost: the token is revoked again, so that none is left that nobody has.
                let undone = client.delete(&format!("/v1/tokens/{}", encode_path(&name))).and_then(|r| r.ok()).is_ok();
                bail!(
                    "token `{name}` was created, but it could not be written to standard output ({e}): {}",
                    if undone {
                        "it was revoked again, and its name is free: create it again with standard output going somewhere writable"
                    } else {
                        "revoke it (`hq-vault token revoke NAME`) and create another"
                    }
                );
            }
            eprintln!(
                "Token `{}` created (shown once): {}, {}, scope {}. Pass it as HQ_VAULT_TOKEN.",
                b["name"].as_str().unwrap_or_default(),
                expiry(&b["expires_at_ms"], now),
                uses(0, &b["max_uses"]),
                scope(&b["scope"])
            );
        }
        Command::List => {
            let b = client.get("/v1/tokens")?.ok()?;
            let tokens = b["tokens"].as_array().cloned().unwrap_or_default();
            if tokens.is_empty() {
                eprintln!("No managed tokens: `hq-vault token create --name NAME` makes one.");
            }
            for t in tokens {
                outln!(
                    "{}\t{}\t{}\t{}\tscope {}",
                    t["name"].as_str().unwrap_or_default(),
                    t["state"].as_str().unwrap_or_default(),
                    expiry(&t["expires_at_ms"], now),
                    uses(t["uses"].as_u64().unwrap_or_default(), &t["max_uses"]),
                    scope(&t["scope"])
                );
            }
        }
        Command::Revoke { name } => {
            let b = client.delete(&format!("/v1/tokens/{}", encode_path(&name)))?.ok()?;
            if b["was_active"] == false {
                outln!("`{name}` was already revoked; its name is free for a new token.");
            } else {
                outln!("Revoked: {name}. Its next read is refused; the name is free for a new token.");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// `expires 2026-05-01 12:00 UTC (in 59m)`, `expired … (3h 2m ago)`, or `no expiry`.
fn expiry(expires_at_ms: &Value, now: u64) -> String {
    let Some(at) = expires_at_ms.as_u64() else {
        return "no expiry".to_owned();
    };
    let when = match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000) {
        Ok(t) => {
            format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
        }
        Err(_) => format!("{at} ms after 1970"),
    };
    if at > now {
        format!("expires {when} (in {})", span(at - now))
    } else {
        format!("expired {when} ({} ago)", span(now - at))
    }
}

/// A duration for people, to its two largest units: `45s`, `59m`, `3h 2m`, `6d 23h`.
fn span(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// `uses 3/10`, or `uses 3 (no limit)`.
fn uses(used: u64, max: &Value) -> String {
    match max.as_u64() {
        Some(m) => format!("uses {used}/{m}"),
        None => format!("uses {used} (no limit)"),
    }
}

/// `aws/deploy/*, gcp/*`, or `all secrets` for a token without a prefix or with `*`.
fn scope(scope: &Value) -> String {
    let patterns: Vec<&str> =
        scope.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    if patterns.is_empty() || patterns.contains(&"*") { "all secrets".to_owned() } else { patterns.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_read_in_words() {
        assert_eq!(uses(3, &json!(10)), "uses 3/10");
        assert_eq!(uses(3, &Value::Null), "uses 3 (no limit)");
        assert_eq!(scope(&json!([])), "all secrets");
        assert_eq!(scope(&json!(["*"])), "all secrets");
        assert_eq!(scope(&json!(["aws/*", "gcp/x"])), "aws/*, gcp/x");
        assert_eq!(expiry(&Value::Null, 0), "no expiry");
        let hour = 3_600_000;
        assert_eq!(expiry(&json!(hour), hour - 59 * 60_000), "expires 1970-01-01 01:00 UTC (in 59m)");
        assert_eq!(expiry(&json!(hour), 2 * hour + 120_000), "expired 1970-01-01 01:00 UTC (1h 2m ago)");
        assert_eq!(span(45_000), "45s");
        assert_eq!(span(7 * 86_400_000 - 1), "6d 23h");
    }
}
