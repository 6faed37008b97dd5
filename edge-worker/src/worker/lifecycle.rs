//! The lifecycle routes' work outside the company's object: each reads its body or query, mints a
//! key and routes its reference in KV, and returns the [`Act`] for the object with what a
//! success's answer adds ([`Prepared`]). The object performs the act and the pipeline answers.

use hq_vault_core::gate::{self, ConnectionStatus};
use hq_vault_core::http::query_pairs;
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
}

/// Prepare what the admitted operation asks.
pub async fn prepare(call: &Call<'_>, req: Request, kv: &KvStore) -> Prepared {
    use Operation as O;
    match call.request.operation {
        O::ConnectionCreate => create(call, req, kv).await,
        O::ConnectionList => Prepared::act(Act::List),
        O::ConnectionGet => Prepared::act(Act::Get),
        O::ConnectionRotate => rotate(call, kv).await,
        O::ConnectionRevoke => Prepared::act(Act::Revoke),
        O::ConnectionAudit => audit(call, &req),
        O::SettingsRead => Prepared::act(Act::SettingsRead),
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

/// A JSON body of at most [`MAX_BODY`] bytes; what is wrong with it is an input problem, in words
/// that never repeat what was sent. serde refuses a field given twice (`duplicate field`) and,
/// with `deny_unknown_fields`, a field the shape does not have.
async fn body<T: serde::de::DeserializeOwned>(mut req: Request, shape: &str) -> Result<T, InputProblem> {
    let too_large = || input(InputKind::BodyTooLarge, "the request body is over 1 MiB");
    let declared = req.headers().get("content-length").ok().flatten().and_then(|l| l.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
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
    let failed = || Effect::Failed("writing the key's routing entry to Workers KV".into());
    kv.put(&model::keyref_key(reference), company).map_err(|_| failed())?.execute().await.map_err(|_| failed())
}

async fn create(call: &Call<'_>, req: Request, kv: &KvStore) -> Prepared {
    let body: CreateBody = match body(req, "{\"name\", \"patterns\": [...], \"mechanism\"?: \"api_key\"}").await {
        Ok(b) => b,
        Err(p) => return Prepared::failed(Effect::BadInput(p), None),
    };
    // The core checks the name, the mechanism and every pattern (each rejection with its reason).
    let patterns = match policy::connection_patterns(&body.name, body.mechanism.as_deref(), &body.patterns) {
        Ok(p) => p,
        Err(problem) => return Prepared::failed(Effect::BadInput(problem), None),
    };
    let key = tokens::mint(TokenKind::ConnectionKey);
    let company = call.company();
    let doc = ConnectionDoc {
        id: format!("conn_{}", random_hex(8)),
        company_id: company.to_owned(),
        name: body.name,
        patterns,
        status: ConnectionStatus::Active,
        key_ref: tokens::reference(key.expose_secret()),
        mechanism: "api_key".into(),
        created_ms: call.ctx.now_ms,
        rotated_ms: None,
    };
    if let Err(e) = route(kv, &doc.key_ref, company).await {
        return Prepared::failed(e, None);
    }
    let extra = json!({
        "key": key.expose_secret(),
        "snippet": gate::agent_snippet(&gate::SnippetOptions {
            base: &call.ctx.origin,
            patterns: &doc.patterns,
            ca_file: None,
            files_root: &format!("the R2 bucket under {company}/"),
        }),
        "note": "the key is shown once: give it to your agent as HQ_CONNECTION_KEY; rotate if it is lost",
    });
    Prepared { act: Act::Create { doc }, extra: Some(extra) }
}

async fn rotate(call: &Call<'_>, kv: &KvStore) -> Prepared {
    let key = tokens::mint(TokenKind::ConnectionKey);
    let key_ref = tokens::reference(key.expose_secret());
    // The new key's route first. The object then refuses the old key from its next read (its
    // reference is no longer the connection's) and files its attempts under the connection.
    if let Err(e) = route(kv, &key_ref, call.company()).await {
        return Prepared::failed(e, Some(call.target()));
    }
    Prepared {
        act: Act::Rotate { key_ref },
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
