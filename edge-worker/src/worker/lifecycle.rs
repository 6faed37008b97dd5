//! The acts of the lifecycle routes: each reads what it needs and returns what happened, the body
//! of a success and the KV writes that make the change ([`Acted`]). The pipeline decides the
//! rest: the core's answer, the audit event, and whether the writes are made.

use hq_vault_core::gate::{self, ConnectionStatus};
use hq_vault_core::http::query_pairs;
use hq_vault_core::policy::{self, Effect, InputKind, Operation};
use hq_vault_core::tokens::{self, TokenKind};
use serde::Deserialize;
use serde_json::{Value, json};
use worker::Request;
use worker::kv::KvStore;

use super::pipeline::{Acted, Call};
use super::random_hex;
use super::storage::{self, Put};
use crate::model::{self, CompanySettings, ConnectionDoc};

/// The largest body a lifecycle route reads (64 patterns of up to 960 bytes fit many times over).
const MAX_BODY: usize = 1 << 20;

/// Events a page of `GET …/audit` holds.
const AUDIT_PAGE: u64 = 100;

/// `POST /v1/companies/{company}/connections`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
    patterns: Vec<String>,
    #[serde(default)]
    mechanism: Option<String>,
}

/// Do what the admitted operation asks.
pub async fn act(call: &Call<'_>, req: Request, kv: &KvStore) -> Acted {
    use Operation as O;
    match call.request.operation {
        O::ConnectionCreate => create(call, req).await,
        O::ConnectionList => list(call, kv).await,
        O::ConnectionGet => get(call, kv).await,
        O::ConnectionRotate => rotate(call, kv).await,
        O::ConnectionRevoke => revoke(call, kv).await,
        O::ConnectionAudit => audit(call, &req, kv).await,
        O::SettingsRead => settings_read(call, kv).await,
        O::SettingsWrite => settings_write(call, req).await,
        // The route table names no other operation.
        _ => Acted::failed(Effect::Failed("routing the request".into())),
    }
}

/// A JSON body of at most [`MAX_BODY`] bytes; what is wrong with it is an input problem, in words
/// that never repeat what was sent.
async fn body<T: serde::de::DeserializeOwned>(mut req: Request, shape: &str) -> Result<T, Acted> {
    let too_large = || Acted::input(InputKind::BodyTooLarge, "the request body is over 1 MiB");
    let declared = req.headers().get("content-length").ok().flatten().and_then(|l| l.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|_| Acted::input(InputKind::BadJson, format!("the body could not be read: send {shape}")))?;
    if bytes.len() > MAX_BODY {
        return Err(too_large());
    }
    serde_json::from_slice(&bytes).map_err(|_| Acted::input(InputKind::BadJson, format!("send {shape}")))
}

async fn create(call: &Call<'_>, req: Request) -> Acted {
    let body: CreateBody = match body(req, "{\"name\", \"patterns\": [...], \"mechanism\"?: \"api_key\"}").await {
        Ok(b) => b,
        Err(a) => return a,
    };
    // The core checks the name, the mechanism and every pattern (each rejection with its reason).
    let patterns = match policy::connection_patterns(&body.name, body.mechanism.as_deref(), &body.patterns) {
        Ok(p) => p,
        Err(problem) => return Acted::failed(Effect::BadInput(problem)),
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
    let listed =
        Put { key: format!("{}{}", model::company_conn_prefix(company), doc.id), value: String::new(), ttl: None };
    Acted::done(json!({
        "connection": doc.view(),
        "key": key.expose_secret(),
        "snippet": gate::agent_snippet(&gate::SnippetOptions {
            base: &call.ctx.origin,
            patterns: &doc.patterns,
            ca_file: None,
            files_root: &format!("the R2 bucket under {company}/"),
        }),
        "note": "the key is shown once: give it to your agent as HQ_CONNECTION_KEY; rotate if it is lost",
    }))
    .subject(&doc.id)
    .on(&doc.id)
    // Listed first, the key last: a create cut short leaves at most a listed connection whose key
    // never worked.
    .writing([listed])
    .writing(storage::save(&doc))
}

async fn list(call: &Call<'_>, kv: &KvStore) -> Acted {
    match storage::connections_of(kv, call.company()).await {
        Ok(docs) => Acted::done(json!({"connections": docs.iter().map(ConnectionDoc::view).collect::<Vec<_>>()})),
        Err(_) => Acted::kv_failed(),
    }
}

/// The connection the URL names, of the URL's company: `Err` is what to answer otherwise.
async fn named(call: &Call<'_>, kv: &KvStore) -> Result<ConnectionDoc, Acted> {
    match storage::connection_of(kv, call.company(), call.target()).await {
        Ok(Some(doc)) => Ok(doc),
        Ok(None) => Err(Acted::failed(Effect::NotFound)),
        Err(_) => Err(Acted::kv_failed()),
    }
}

async fn get(call: &Call<'_>, kv: &KvStore) -> Acted {
    match named(call, kv).await {
        Ok(doc) => Acted::done(json!({"connection": doc.view()})).on(&doc.id),
        Err(a) => a,
    }
}

async fn rotate(call: &Call<'_>, kv: &KvStore) -> Acted {
    let mut doc = match named(call, kv).await {
        Ok(d) => d,
        Err(a) => return a,
    };
    if doc.status == ConnectionStatus::Revoked {
        return Acted::failed(Effect::ConnectionRevoked).on(&doc.id);
    }
    let key = tokens::mint(TokenKind::ConnectionKey);
    let old_ref = std::mem::replace(&mut doc.key_ref, tokens::reference(key.expose_secret()));
    doc.rotated_ms = Some(call.ctx.now_ms);
    // The old key's entry first: it then holds the new record, so the old key is refused (the
    // references differ) and its attempts are filed under this connection until the entry expires
    // after the audit period. A rotate cut short leaves the old key refused, never working.
    let mut old = Put::json(model::keyref_key(&old_ref), &doc);
    old.ttl = Some(model::AUDIT_TTL_SECONDS);
    Acted::done(json!({"connection": doc.view(), "key": key.expose_secret(),
                       "note": "the old key is refused from its next read"}))
    .on(&doc.id)
    .writing([old])
    .writing(storage::save(&doc))
}

async fn revoke(call: &Call<'_>, kv: &KvStore) -> Acted {
    let mut doc = match named(call, kv).await {
        Ok(d) => d,
        Err(a) => return a,
    };
    doc.status = ConnectionStatus::Revoked;
    // The key's entry first (reads look the key up there): a revoke cut short leaves the key
    // refused. Reads with the key find the revoked record, are refused and are filed here.
    let [record, by_key] = storage::save(&doc);
    Acted::done(json!({"connection": doc.view()})).on(&doc.id).writing([by_key, record])
}

/// The connection's events, newest first, [`AUDIT_PAGE`] a page; `cursor` is KV's.
async fn audit(call: &Call<'_>, req: &Request, kv: &KvStore) -> Acted {
    let doc = match named(call, kv).await {
        Ok(d) => d,
        Err(a) => return a,
    };
    let url = match req.url() {
        Ok(u) => u,
        Err(_) => return Acted::input(InputKind::BadQuery, "the URL could not be read"),
    };
    let q = match query_pairs(url.query().unwrap_or("")) {
        Ok(q) => q,
        Err(e) => return Acted::input(InputKind::BadQuery, e.to_string()).on(&doc.id),
    };
    let cursor = q.into_iter().find(|(k, _)| k == "cursor").map(|(_, v)| v).filter(|c| !c.is_empty());
    let mut l = kv.list().prefix(model::audit_prefix(&doc.id)).limit(AUDIT_PAGE);
    let asked = cursor.is_some();
    if let Some(c) = cursor {
        l = l.cursor(c);
    }
    let page = match l.execute().await {
        Ok(p) => p,
        Err(_) if asked => {
            return Acted::input(InputKind::BadCursor, "the cursor is not one this API returned").on(&doc.id);
        }
        Err(_) => return Acted::kv_failed().on(&doc.id),
    };
    let events: Vec<Value> = page.keys.into_iter().filter_map(|k| k.metadata).collect();
    let next = if page.list_complete { None } else { page.cursor };
    Acted::done(json!({"events": events, "cursor": next})).on(&doc.id)
}

async fn settings_read(call: &Call<'_>, kv: &KvStore) -> Acted {
    match storage::company_settings(kv, call.company()).await {
        Ok(s) => Acted::done(json!(s)),
        Err(_) => Acted::kv_failed(),
    }
}

async fn settings_write(call: &Call<'_>, req: Request) -> Acted {
    let s: CompanySettings = match body(req, "{\"connections_enabled\": true|false}").await {
        Ok(s) => s,
        Err(a) => return a,
    };
    Acted::done(json!(s)).writing([Put::json(model::company_key(call.company()), &s)])
}
