//! The lifecycle routes' work outside the company's object: each reads its body or query, mints a
//! key and routes its reference in KV, and returns the [`Act`] for the object with what a
//! success's answer adds ([`Prepared`]). The object performs the act and the pipeline answers.

use hq_vault_core::gate::{self, ConnectionStatus};
use hq_vault_core::http::query_pairs;
use hq_vault_core::identity;
use hq_vault_core::patterns;
use hq_vault_core::policy::{self, Effect, InputKind, InputProblem, Operation};
use hq_vault_core::tokens::{self, TokenKind};
use serde::Deserialize;
use serde_json::json;
use worker::Request;
use worker::kv::KvStore;

use super::pipeline::{Call, Prepared};
use super::random_hex;
use crate::company::Act;
use crate::model::{self, CompanySettings, ConnectionDoc};

/// The largest body a lifecycle route reads (64 patterns of up to 960 bytes fit many times over).
const MAX_BODY: usize = 1 << 20;

/// `POST /v1/companies/{company}/connections`: an unknown field or a field given twice is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
    patterns: Vec<String>,
    #[serde(default)]
    mechanism: Option<String>,
    /// The agent's Ed25519 public key (standard base64), for `agent_identity`.
    #[serde(default)]
    public_key: Option<String>,
}

/// `POST /v1/companies/{company}/patterns/check`: the patterns to check, at most
/// [`patterns::MAX_PATTERNS`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckBody {
    patterns: Vec<String>,
}

/// `POST /v1/companies/{company}/patterns/check`: each pattern's verdict, by the core, in the order
/// sent: `{"verdicts": [{"ok": true, "pattern": "knowledge/*"}, {"ok": false, "reason":
/// "dot-segment", "message": "…"}]}`.
async fn check(req: Request) -> Prepared {
    let body: CheckBody = match body(req, "{\"patterns\": [...]}").await {
        Ok(b) => b,
        Err(p) => return Prepared::failed(Effect::BadInput(p), None),
    };
    if body.patterns.len() > patterns::MAX_PATTERNS {
        let detail = format!("at most {} patterns are checked at once", patterns::MAX_PATTERNS);
        return Prepared::failed(Effect::BadInput(input(InputKind::BadPatterns, detail)), None);
    }
    let verdicts: Vec<_> = policy::pattern_verdicts(&body.patterns)
        .into_iter()
        .map(|v| match v {
            Ok(pattern) => json!({"ok": true, "pattern": pattern}),
            Err(r) => json!({"ok": false, "reason": r.reason, "message": r.message}),
        })
        .collect();
    Prepared { act: Act::PatternCheck, extra: Some(json!({"verdicts": verdicts})) }
}

/// `POST …/connections/{id}/rotate`: an agent identity's new public key; none (`{}` or no body)
/// for an API-key connection.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RotateBody {
    #[serde(default)]
    public_key: Option<String>,
}

/// Prepare what the admitted operation asks.
pub async fn prepare(call: &Call<'_>, req: Request, kv: &KvStore) -> Prepared {
    use Operation as O;
    match call.request.operation {
        O::ConnectionCreate => create(call, req, kv).await,
        O::ConnectionList => Prepared::act(Act::List),
        O::ConnectionGet => Prepared::act(Act::Get),
        O::ConnectionRotate => rotate(call, req, kv).await,
        O::ConnectionRevoke => Prepared::act(Act::Revoke),
        O::ConnectionAudit => audit(call, &req),
        // The caller's role rides along, so that the console shows the switch to owners only.
        O::SettingsRead => Prepared {
            act: Act::SettingsRead,
            extra: match &call.request.caller {
                policy::Caller::CompanyAdmin(a) => Some(json!({"role": a.role})),
                _ => None,
            },
        },
        O::PatternCheck => check(req).await,
        O::SettingsWrite => match body::<CompanySettings>(req, "{\"connections_enabled\": true|false}").await {
            Ok(settings) => Prepared::act(Act::SettingsWrite { settings }),
            Err(p) => Prepared::failed(Effect::BadInput(p), None),
        },
        // The route table names no other operation.
        _ => Prepared::failed(Effect::Failed("routing the request".into()), None),
    }
}

fn input(kind: InputKind, detail: impl Into<String>) -> InputProblem {
    InputProblem { kind, detail: detail.into(), rejections: Vec::new() }
}

/// The largest declared body, in bytes, that is read and dropped before its 413 is answered.
const DRAIN_LIMIT: usize = 8 << 20;

/// Read the request's body to its end (at most [`DRAIN_LIMIT`] bytes), keeping none of it.
async fn drain(req: &mut Request) {
    use futures_util::StreamExt;
    let Ok(mut stream) = req.stream() else { return };
    let mut read = 0usize;
    while let Some(Ok(chunk)) = stream.next().await {
        read += chunk.len();
        if read > DRAIN_LIMIT {
            break;
        }
    }
}

/// A JSON body of at most [`MAX_BODY`] bytes; what is wrong with it is an input problem, in words
/// that never repeat what was sent. serde refuses a field given twice (`duplicate field`) and,
/// with `deny_unknown_fields`, a field the shape does not have.
async fn body<T: serde::de::DeserializeOwned>(mut req: Request, shape: &str) -> Result<T, InputProblem> {
    let too_large = || input(InputKind::BodyTooLarge, "the request body is over 1 MiB");
    let declared = req.headers().get("content-length").ok().flatten().and_then(|l| l.parse::<usize>().ok());
    if let Some(n) = declared.filter(|n| *n > MAX_BODY) {
        // Read what a client is still sending before answering, when it is not far over the limit:
        // answered mid-upload, an HTTP client sees its connection reset instead of the 413.
        if n <= DRAIN_LIMIT {
            drain(&mut req).await;
        }
        return Err(too_large());
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|_| input(InputKind::BadJson, format!("the body could not be read: send {shape}")))?;
    if bytes.len() > MAX_BODY {
        return Err(too_large());
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        let why = if e.to_string().starts_with("duplicate field") {
            "a field is given twice: "
        } else if e.to_string().starts_with("unknown field") {
            "a field this route does not take was sent: "
        } else {
            ""
        };
        input(InputKind::BadJson, format!("{why}send {shape}"))
    })
}

/// Route a new key's reference to the company (KV first: the key can work once the object has it).
async fn route(kv: &KvStore, reference: &str, company: &str) -> Result<(), Effect> {
    route_entry(kv, &model::keyref_key(reference), company).await
}

async fn route_entry(kv: &KvStore, key: &str, company: &str) -> Result<(), Effect> {
    let failed = || Effect::Failed("writing a routing entry to Workers KV".into());
    kv.put(key, company).map_err(|_| failed())?.execute().await.map_err(|_| failed())
}

/// An agent's public key from a request body, checked by the core; the problem says what to send.
fn public_key(text: &str) -> Result<String, InputProblem> {
    identity::check_public_key(text).map(|_| text.to_owned()).map_err(|e| {
        input(
            InputKind::BadMechanism,
            format!("public_key: {e}; send the agent's Ed25519 public key, 32 bytes in standard base64"),
        )
    })
}

async fn create(call: &Call<'_>, req: Request, kv: &KvStore) -> Prepared {
    let shape = "{\"name\", \"patterns\": [...], \"mechanism\"?: \"api_key\"|\"agent_identity\", \"public_key\"?}";
    let body: CreateBody = match body(req, shape).await {
        Ok(b) => b,
        Err(p) => return Prepared::failed(Effect::BadInput(p), None),
    };
    // The core checks the name, the mechanism and every pattern (each rejection with its reason).
    let patterns = match policy::connection_patterns(&body.name, body.mechanism.as_deref(), &body.patterns) {
        Ok(p) => p,
        Err(problem) => return Prepared::failed(Effect::BadInput(problem), None),
    };
    let is_identity = body.mechanism.as_deref() == Some("agent_identity");
    let public_key = match (is_identity, body.public_key.as_deref()) {
        (true, Some(k)) => match public_key(k) {
            Ok(k) => Some(k),
            Err(p) => return Prepared::failed(Effect::BadInput(p), None),
        },
        (true, None) => {
            let p = input(
                InputKind::BadMechanism,
                "agent_identity needs public_key: the agent's Ed25519 public key, 32 bytes in standard base64",
            );
            return Prepared::failed(Effect::BadInput(p), None);
        }
        (false, Some(_)) => {
            let p = input(
                InputKind::BadMechanism,
                "public_key is for the agent_identity mechanism: an api_key connection gets a minted key",
            );
            return Prepared::failed(Effect::BadInput(p), None);
        }
        (false, None) => None,
    };
    let company = call.company();
    let id = format!("conn_{}", random_hex(8));
    let root = format!("the R2 bucket under {company}/");
    let options =
        gate::SnippetOptions { base: &call.ctx.origin, patterns: &patterns, ca_file: None, files_root: &root };
    let (key_ref, extra) = match &public_key {
        Some(k) => {
            let key_ref = identity::key_reference(&identity::check_public_key(k).unwrap_or_default());
            let snippet = gate::identity_snippet(&options, &id);
            let extra = json!({
                "snippet": snippet,
                "note": "nothing secret is shown: the agent signs in with its private key (PKCS#8, base64, in HQ_AGENT_KEY) for a 1 h session",
            });
            (key_ref, extra)
        }
        None => {
            let key = tokens::mint(TokenKind::ConnectionKey);
            let key_ref = tokens::reference(key.expose_secret());
            if let Err(e) = route(kv, &key_ref, company).await {
                return Prepared::failed(e, None);
            }
            let extra = json!({
                "key": key.expose_secret(),
                "snippet": gate::agent_snippet(&options),
                "note": "the key is shown once: give it to your agent as HQ_CONNECTION_KEY; rotate if it is lost",
            });
            (key_ref, extra)
        }
    };
    // The agent-identity routes name the connection, not a key: route its id too.
    if let Err(e) = route_entry(kv, &model::connection_key(&id), company).await {
        return Prepared::failed(e, None);
    }
    let doc = ConnectionDoc {
        id,
        company_id: company.to_owned(),
        name: body.name,
        patterns,
        status: ConnectionStatus::Active,
        key_ref,
        mechanism: if is_identity { "agent_identity" } else { "api_key" }.into(),
        created_ms: call.ctx.now_ms,
        rotated_ms: None,
        public_key,
    };
    Prepared { act: Act::Create { doc }, extra: Some(extra) }
}

async fn rotate(call: &Call<'_>, req: Request, kv: &KvStore) -> Prepared {
    // An agent identity is rotated to a new public key (the object checks the mechanism); an
    // API-key connection, with no body, to a new minted key.
    let declared = req.headers().get("content-length").ok().flatten().and_then(|l| l.parse::<usize>().ok());
    if declared.is_some_and(|n| n > 0) || req.headers().get("content-type").ok().flatten().is_some() {
        let b = match body::<RotateBody>(req, "{\"public_key\"} for an agent identity, or no body for an API key").await
        {
            Ok(b) => b,
            Err(p) => return Prepared::failed(Effect::BadInput(p), Some(call.target())),
        };
        let Some(k) = b.public_key else {
            return mint_rotate(call, kv).await;
        };
        let k = match public_key(&k) {
            Ok(k) => k,
            Err(p) => return Prepared::failed(Effect::BadInput(p), Some(call.target())),
        };
        let key_ref = identity::key_reference(&identity::check_public_key(&k).unwrap_or_default());
        return Prepared {
            act: Act::Rotate { key_ref, public_key: Some(k.clone()) },
            extra: Some(
                json!({"public_key": k, "note": "every session of the old key has ended: the agent signs in with its new key"}),
            ),
        };
    }
    mint_rotate(call, kv).await
}

/// An API-key connection's rotate: a new minted key, routed in KV first.
async fn mint_rotate(call: &Call<'_>, kv: &KvStore) -> Prepared {
    let key = tokens::mint(TokenKind::ConnectionKey);
    let key_ref = tokens::reference(key.expose_secret());
    // The new key's route first. The object then refuses the old key from its next read (its
    // reference is no longer the connection's) and files its attempts under the connection.
    if let Err(e) = route(kv, &key_ref, call.company()).await {
        return Prepared::failed(e, Some(call.target()));
    }
    Prepared {
        act: Act::Rotate { key_ref, public_key: None },
        extra: Some(json!({"key": key.expose_secret(), "note": "the old key is refused from its next read"})),
    }
}

/// `GET …/audit[?cursor=]`: the cursor is checked by the object (one it returned, for this
/// connection).
fn audit(call: &Call<'_>, req: &Request) -> Prepared {
    let q = req
        .url()
        .map_err(|_| "the URL could not be read".to_owned())
        .and_then(|url| query_pairs(url.query().unwrap_or("")).map_err(|e| e.to_string()));
    match q {
        Ok(q) => {
            let cursor = q.into_iter().find(|(k, _)| k == "cursor").map(|(_, v)| v);
            Prepared::act(Act::Audit { cursor })
        }
        Err(e) => Prepared::failed(Effect::BadInput(input(InputKind::BadQuery, e)), Some(call.target())),
    }
}
