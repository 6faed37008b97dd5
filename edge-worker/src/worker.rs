//! The fetch handler: HTTP, KV and R2 only. Decisions come from `hq_vault_core`.

use hq_vault_core::audit::{Event, Outcome};
use hq_vault_core::gate::{self, ConnectionStatus, Plan, ReadRequest, Route};
use hq_vault_core::http::{
    Answer, Preconditions, Representation, answer, content_range, content_type_for, object_headers, query_pairs,
};
use hq_vault_core::listing::{Lister, ObjectInfo, SourcePage, SourceRequest};
use hq_vault_core::time;
use hq_vault_core::tokens::{self, TokenKind};
use serde_json::{Value, json};
use worker::{Bucket, Conditional, Context, Env, Headers, Method, Request, Response, Result, event, kv::KvStore};

use crate::admin;
use crate::model::{self, AdminCredential, CompanySettings, ConnectionDoc};

/// Per-request facts.
struct Ctx {
    request_id: String,
    ip: String,
    now_ms: u64,
    origin: String,
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    // The OS generator of workerd (crypto.getRandomValues); no fallback.
    getrandom::fill(&mut b).expect("no randomness in this runtime");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn json_response(ctx: &Ctx, status: u16, text: String) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    headers.set("x-request-id", &ctx.request_id)?;
    Ok(Response::ok(text)?.with_status(status).with_headers(headers))
}

fn error(ctx: &Ctx, status: u16, code: &str, message: &str) -> Result<Response> {
    let r = json_response(ctx, status, gate::error_body(code, message, &ctx.request_id))?;
    if status == 401 {
        r.headers().set("www-authenticate", "Bearer")?;
    }
    Ok(r)
}

fn method_not_allowed(ctx: &Ctx, allow: &str) -> Result<Response> {
    let r = error(ctx, 405, "method_not_allowed", &format!("this route takes {allow}"))?;
    r.headers().set("allow", allow)?;
    Ok(r)
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, wctx: Context) -> Result<Response> {
    let url = req.url()?;
    let ctx = Ctx {
        request_id: req.headers().get("cf-ray")?.unwrap_or_else(|| format!("req_{}", random_hex(8))),
        ip: req.headers().get("cf-connecting-ip")?.unwrap_or_else(|| "unknown".into()),
        now_ms: worker::Date::now().as_millis(),
        origin: url.origin().ascii_serialization(),
    };
    let kv = env.kv("CONNECTIONS")?;
    let path = url.path().to_owned();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segs.as_slice() {
        ["v1", "connections", "files"] => read(req, &env, &kv, &wctx, &ctx, Route::List).await,
        ["v1", "connections", "files", "object"] => read(req, &env, &kv, &wctx, &ctx, Route::Object).await,
        ["v1", "companies", company, rest @ ..] => {
            let company = company.to_string();
            let rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            lifecycle(req, &kv, &ctx, &company, &rest).await
        }
        _ => error(&ctx, 404, "not_found", "no such route: see the README's API"),
    }
}

// ---------------------------------------------------------------- reads

async fn read(req: Request, env: &Env, kv: &KvStore, wctx: &Context, ctx: &Ctx, route: Route) -> Result<Response> {
    let url = req.url()?;
    // Query values decoded exactly once (`+` is a space, `%2B` a plus) by the core's rule, as the
    // daemon does; a value that is not UTF-8 is refused, never replaced, and a parameter given
    // twice is refused below.
    let q = match query_pairs(url.query().unwrap_or("")) {
        Ok(q) => q,
        Err(e) => return error(ctx, 400, "bad_query", &e.to_string()),
    };
    let duplicate = q.iter().enumerate().any(|(i, (k, _))| q[..i].iter().any(|(x, _)| x == k));
    let param = |n: &str| q.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let authorization = req.headers().get("authorization")?;
    let rr = ReadRequest {
        method: req.method().to_string(),
        route,
        path: param("path"),
        cursor: param("cursor"),
        limit: param("limit"),
        delimiter: param("delimiter"),
        authorization: authorization.clone(),
        time_ms: ctx.now_ms,
        request_id: ctx.request_id.clone(),
        source_ip: ctx.ip.clone(),
    };
    let doc = match gate::credential_reference(authorization.as_deref()) {
        Some(r) => connection_by_reference(kv, &r).await?,
        None => None,
    };
    let bucket = env.bucket("VAULT")?;
    // The company's switch and, for a plain object read, the object itself, in one round trip:
    // the object is only used if the gate allows the read.
    let plain_get = route == Route::Object
        && req.method() == Method::Get
        && req.headers().get("range")?.is_none()
        && req.headers().get("if-none-match")?.is_none();
    let mut fetched: Option<Option<worker::Object>> = None;
    let record = match &doc {
        Some(d) => {
            let settings = company_settings(kv, &d.company_id);
            let key = rr.path.as_deref().filter(|p| plain_get && hq_vault_core::patterns::check_object_key(p).is_ok());
            let (settings, obj) = match key {
                Some(k) => {
                    let (s, o) = futures_util::join!(settings, bucket.get(model::r2_key(&d.company_id, k)).execute());
                    (s?, Some(o?))
                }
                None => (settings.await?, None),
            };
            fetched = obj;
            Some(d.record(settings.connections_enabled))
        }
        None => None,
    };
    let mut decision = gate::decide(&rr, record.as_ref());
    if duplicate && decision.status == 200 {
        let mut ev = decision.audit.clone();
        ev.outcome = Outcome::Failed;
        ev.status = 400;
        ev.reason = Some("bad_query".into());
        record_audit(kv, wctx, &ev);
        return error(ctx, 400, "bad_query", "a query parameter is given twice");
    }
    // An allowed object must exist: otherwise the read is a 404, audited as such.
    let mut head = None;
    if let (Some(Plan::Object(key)), Some(rec), Some(d)) = (&decision.plan, &record, &doc) {
        head = match fetched.take() {
            Some(o) => o,
            None => bucket.head(model::r2_key(&d.company_id, key)).await?,
        };
        if head.is_none() {
            decision = gate::not_found(&rr, rec);
        }
    }
    record_audit(kv, wctx, &decision.audit);
    let is_head = req.method() == Method::Head;
    match (decision.plan, doc) {
        (Some(Plan::Object(key)), Some(d)) => match head {
            Some(h) => object(&req, &bucket, ctx, &d.company_id, &key, h, is_head).await,
            None => error(ctx, 404, "not_found", "no object at this path"),
        },
        (Some(Plan::List(plan)), Some(d)) => {
            let mut lister = Lister::new(plan);
            while let Some(r) = lister.next_request() {
                let page = list_source(&bucket, &d.company_id, &r).await?;
                lister.feed(page);
            }
            let page = lister.finish();
            let body = if is_head { String::new() } else { serde_json::to_string(&page).unwrap_or_default() };
            json_response(ctx, 200, body)
        }
        _ => {
            let r = json_response(ctx, decision.status, if is_head { String::new() } else { decision.error_body })?;
            for (k, v) in &decision.headers {
                r.headers().set(k, v)?;
            }
            Ok(r)
        }
    }
}

/// The audit event, written after the response without delaying it (KV, 90-day TTL).
fn record_audit(kv: &KvStore, wctx: &Context, ev: &Event) {
    if ev.actor == "unknown" {
        // No connection to file it under: unknown keys are not stored (they are not ours to keep).
        return;
    }
    let key = model::audit_key(&ev.actor, ev.time_ms, &ev.request_id);
    let line: Value = serde_json::from_str(&hq_vault_core::audit::encode(ev)).unwrap_or(Value::Null);
    let kv = kv.clone();
    wctx.wait_until(async move {
        if let Ok(put) = kv.put(&key, "").and_then(|p| p.metadata(line)) {
            let _ = put.expiration_ttl(model::AUDIT_TTL_SECONDS).execute().await;
        }
    });
}

fn info_of(company: &str, o: &worker::Object) -> ObjectInfo {
    ObjectInfo {
        key: o.key().strip_prefix(&format!("{company}/")).unwrap_or_default().to_owned(),
        size: o.size(),
        etag: o.http_etag(),
        uploaded: time::rfc3339(o.uploaded().as_millis()),
    }
}

/// One source of a listing, from R2.
async fn list_source(bucket: &Bucket, company: &str, r: &SourceRequest) -> Result<SourcePage> {
    if r.exact {
        let found = bucket.head(model::r2_key(company, &r.prefix)).await?;
        let objects = found.iter().map(|o| info_of(company, o)).collect();
        return Ok(SourcePage { objects, prefixes: Vec::new(), truncated: false });
    }
    let mut b = bucket.list().prefix(model::r2_key(company, &r.prefix)).limit(r.limit.min(1000));
    if r.delimited {
        b = b.delimiter("/");
    }
    if let Some(a) = &r.start_after {
        b = b.start_after(model::r2_start_after(company, a));
    }
    let objs = b.execute().await?;
    let cut = |p: String| p.strip_prefix(&format!("{company}/")).map(str::to_owned);
    Ok(SourcePage {
        objects: objs.objects().iter().map(|o| info_of(company, o)).collect(),
        prefixes: objs.delimited_prefixes().into_iter().filter_map(cut).collect(),
        truncated: objs.truncated(),
    })
}

/// How many times the object may change between deciding and reading before the read gives up.
const VERSION_TRIES: usize = 3;

/// Stream an object: no buffering, whatever its size.
///
/// `meta` is the object as R2 last described it: from the plain read made alongside the company
/// switch (it then holds the body), or from a `head`. The core decides 304, 200, 206 or 416 on
/// that version; the bytes then come from one R2 `get` with `onlyIf: {etagMatches}` on that
/// version's ETag and R2's own `range`, so the bytes, `ETag` and `Content-Range` sent are all of
/// the one version the decision was about. If the object changed in between, R2 answers with the
/// new version's metadata and no body, and the decision is made again on it.
async fn object(
    req: &Request,
    bucket: &Bucket,
    ctx: &Ctx,
    company: &str,
    key: &str,
    mut meta: worker::Object,
    is_head: bool,
) -> Result<Response> {
    let if_none_match = req.headers().get("if-none-match")?;
    let range = req.headers().get("range")?;
    let if_range = req.headers().get("if-range")?;
    let pre = Preconditions {
        if_none_match: if_none_match.as_deref(),
        range: range.as_deref(),
        if_range: if_range.as_deref(),
    };
    for _ in 0..VERSION_TRIES {
        let etag = meta.http_etag();
        let size = meta.size();
        let rep = Representation { size, etag: &etag, modified_ms: meta.uploaded().as_millis() };
        let decided = answer(&pre, &rep, ctx.now_ms);
        let (status, r2range) = match decided {
            Answer::NotModified => {
                let headers = version_headers(ctx, &meta)?;
                return Ok(Response::empty()?.with_status(304).with_headers(headers));
            }
            Answer::Unsatisfiable => {
                let r = error(ctx, 416, "range_not_satisfiable", "the range is outside the object")?;
                r.headers().set("content-range", &content_range(None, size))?;
                return Ok(r);
            }
            Answer::Full => (200, None),
            Answer::Partial { start, end } => {
                (206, Some(worker::Range::OffsetWithLength { offset: start, length: end - start + 1 }))
            }
        };
        let body_of = |o: &worker::Object| -> Result<Response> {
            let headers = version_headers(ctx, o)?;
            let ct = o.http_metadata().content_type.unwrap_or_else(|| content_type_for(key).into());
            headers.set("content-type", &ct)?;
            let len = match decided {
                Answer::Partial { start, end } => {
                    headers.set("content-range", &content_range(Some((start, end)), o.size()))?;
                    end - start + 1
                }
                _ => o.size(),
            };
            headers.set("content-length", &len.to_string())?;
            let r = match o.body() {
                Some(b) if !is_head => Response::from_body(b.response_body()?)?,
                _ => Response::empty()?,
            };
            Ok(r.with_status(status).with_headers(headers))
        };
        // HEAD sends no bytes; a plain read already holds the whole body of this very version.
        if is_head || (r2range.is_none() && meta.body().is_some()) {
            return body_of(&meta);
        }
        let mut get = bucket
            .get(model::r2_key(company, key))
            .only_if(Conditional { etag_matches: Some(meta.etag()), ..Conditional::default() });
        if let Some(r) = r2range {
            get = get.range(r);
        }
        match get.execute().await? {
            None => return error(ctx, 404, "not_found", "no object at this path"),
            Some(o) if o.body().is_some() => return body_of(&o),
            // Replaced since `meta` was read: decide again on the version R2 describes now.
            Some(o) => meta = o,
        }
    }
    error(ctx, 503, "object_changing", "the object changed while it was being read: retry the request")
}

/// `ETag`, `Last-Modified` and the other headers of one version of an object.
fn version_headers(ctx: &Ctx, o: &worker::Object) -> Result<Headers> {
    let headers = Headers::new();
    for (k, v) in object_headers(&o.http_etag(), o.uploaded().as_millis(), &ctx.request_id) {
        headers.set(k, &v)?;
    }
    Ok(headers)
}

// ---------------------------------------------------------------- KV records

async fn get_json<T: serde::de::DeserializeOwned>(kv: &KvStore, key: &str) -> Result<Option<T>> {
    match kv.get(key).text().await? {
        Some(t) => Ok(serde_json::from_str(&t).ok()),
        None => Ok(None),
    }
}

async fn put_json<T: serde::Serialize>(kv: &KvStore, key: &str, v: &T) -> Result<()> {
    kv.put(key, serde_json::to_string(v)?)?.execute().await?;
    Ok(())
}

async fn connection_by_reference(kv: &KvStore, reference: &str) -> Result<Option<ConnectionDoc>> {
    get_json(kv, &model::keyref_key(reference)).await
}

/// Write a connection: its record, and the copy under its current key's reference.
async fn save(kv: &KvStore, doc: &ConnectionDoc) -> Result<()> {
    put_json(kv, &model::conn_key(&doc.id), doc).await?;
    put_json(kv, &model::keyref_key(&doc.key_ref), doc).await
}

async fn company_settings(kv: &KvStore, company: &str) -> Result<CompanySettings> {
    Ok(get_json(kv, &model::company_key(company)).await?.unwrap_or_default())
}

// ---------------------------------------------------------------- lifecycle

async fn admin_of(req: &Request, kv: &KvStore) -> Result<Option<AdminCredential>> {
    let Some(h) = req.headers().get("authorization")? else { return Ok(None) };
    let Some(token) = gate::bearer(&h) else { return Ok(None) };
    if tokens::parse(token) != Ok(TokenKind::VaultToken) {
        return Ok(None);
    }
    get_json(kv, &model::admin_key(&tokens::reference(token))).await
}

async fn lifecycle(mut req: Request, kv: &KvStore, ctx: &Ctx, company: &str, rest: &[String]) -> Result<Response> {
    let cred = admin_of(&req, kv).await?;
    if !model::valid_id(company) || !admin::may_manage(cred.as_ref(), company) {
        // Members and strangers see nothing: the route does not exist for them.
        return error(ctx, 404, "not_found", "no such route: see the README's API");
    }
    let method = req.method();
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    match (rest.as_slice(), method) {
        (["connections"], Method::Post) => create(&mut req, kv, ctx, company).await,
        (["connections"], Method::Get) => list_connections(kv, ctx, company).await,
        (["connections"], _) => method_not_allowed(ctx, "GET, POST"),
        (["settings"], Method::Get) => {
            json_response(ctx, 200, serde_json::to_string(&company_settings(kv, company).await?)?)
        }
        (["settings"], Method::Put) => {
            let Ok(s) = req.json::<CompanySettings>().await else {
                return error(ctx, 400, "bad_json", "send {\"connections_enabled\": true|false}");
            };
            put_json(kv, &model::company_key(company), &s).await?;
            json_response(ctx, 200, serde_json::to_string(&s)?)
        }
        (["settings"], _) => method_not_allowed(ctx, "GET, PUT"),
        (["connections", id, action @ ..], m) => {
            let Some(doc) =
                get_json::<ConnectionDoc>(kv, &model::conn_key(id)).await?.filter(|d| d.company_id == company)
            else {
                return error(ctx, 404, "not_found", "no connection with this id");
            };
            match (action, m) {
                ([], Method::Get) => json_response(ctx, 200, json!({"connection": doc.view()}).to_string()),
                ([], _) => method_not_allowed(ctx, "GET"),
                (["rotate"], Method::Post) => rotate(kv, ctx, doc).await,
                (["revoke"], Method::Post) => revoke(kv, ctx, doc).await,
                (["rotate" | "revoke"], _) => method_not_allowed(ctx, "POST"),
                (["audit"], Method::Get) => audit(&req, kv, ctx, &doc).await,
                (["audit"], _) => method_not_allowed(ctx, "GET"),
                _ => error(ctx, 404, "not_found", "no such route"),
            }
        }
        _ => error(ctx, 404, "not_found", "no such route"),
    }
}

async fn create(req: &mut Request, kv: &KvStore, ctx: &Ctx, company: &str) -> Result<Response> {
    let body: admin::CreateBody = match req.json().await {
        Ok(b) => b,
        Err(_) => {
            return error(ctx, 400, "bad_json", "send {\"name\", \"patterns\": [...], \"mechanism\"?: \"api_key\"}");
        }
    };
    let patterns = match admin::check_create(&body) {
        Ok(p) => p,
        Err((code, message, details)) => {
            let mut e: Value = serde_json::from_str(&gate::error_body(&code, &message, &ctx.request_id))?;
            if !details.is_null() {
                e["error"]["rejections"] = details;
            }
            return json_response(ctx, 400, e.to_string());
        }
    };
    let key = tokens::mint(TokenKind::ConnectionKey);
    let doc = ConnectionDoc {
        id: format!("conn_{}", random_hex(8)),
        company_id: company.to_owned(),
        name: body.name,
        patterns,
        status: ConnectionStatus::Active,
        key_ref: tokens::reference(key.expose_secret()),
        mechanism: "api_key".into(),
        created_ms: ctx.now_ms,
        rotated_ms: None,
    };
    save(kv, &doc).await?;
    kv.put(&format!("{}{}", model::company_conn_prefix(company), doc.id), "")?.execute().await?;
    let out = json!({
        "connection": doc.view(),
        "key": key.expose_secret(),
        "snippet": gate::agent_snippet(&gate::SnippetOptions {
            base: &ctx.origin,
            patterns: &doc.patterns,
            ca_file: None,
            files_from: &format!("the R2 bucket under {company}/{}", gate::snippet_folder(&doc.patterns)),
        }),
        "note": "the key is shown once: give it to your agent as HQ_CONNECTION_KEY; rotate if it is lost",
    });
    json_response(ctx, 201, out.to_string())
}

async fn list_connections(kv: &KvStore, ctx: &Ctx, company: &str) -> Result<Response> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut l = kv.list().prefix(model::company_conn_prefix(company));
        if let Some(c) = cursor.take() {
            l = l.cursor(c);
        }
        let page = l.execute().await?;
        for k in &page.keys {
            let id = k.name.rsplit(':').next().unwrap_or_default();
            if let Some(d) = get_json::<ConnectionDoc>(kv, &model::conn_key(id)).await? {
                out.push(d.view());
            }
        }
        match (page.list_complete, page.cursor) {
            (false, Some(c)) => cursor = Some(c),
            _ => break,
        }
    }
    json_response(ctx, 200, json!({ "connections": out }).to_string())
}

async fn rotate(kv: &KvStore, ctx: &Ctx, mut doc: ConnectionDoc) -> Result<Response> {
    if doc.status == ConnectionStatus::Revoked {
        return error(ctx, 409, "revoked", "a revoked connection cannot be rotated: create a new one");
    }
    let key = tokens::mint(TokenKind::ConnectionKey);
    let old_ref = std::mem::replace(&mut doc.key_ref, tokens::reference(key.expose_secret()));
    doc.rotated_ms = Some(ctx.now_ms);
    // The record first: the gate compares the presented key with the record's reference, so the
    // old key is refused as soon as this write is visible, whatever the index still says.
    save(kv, &doc).await?;
    // The old key's entry now holds the new record: attempts with the old key are refused (the
    // references differ) and filed under this connection; it expires after the audit period.
    kv.put(&model::keyref_key(&old_ref), serde_json::to_string(&doc)?)?
        .expiration_ttl(model::AUDIT_TTL_SECONDS)
        .execute()
        .await?;
    json_response(
        ctx,
        200,
        json!({"connection": doc.view(), "key": key.expose_secret(), "note": "the old key is refused from its next read"})
            .to_string(),
    )
}

async fn revoke(kv: &KvStore, ctx: &Ctx, mut doc: ConnectionDoc) -> Result<Response> {
    doc.status = ConnectionStatus::Revoked;
    // Reads with the key find the revoked record, are refused and are audited here.
    save(kv, &doc).await?;
    json_response(ctx, 200, json!({"connection": doc.view()}).to_string())
}

async fn audit(req: &Request, kv: &KvStore, ctx: &Ctx, doc: &ConnectionDoc) -> Result<Response> {
    let url = req.url()?;
    let cursor = url.query_pairs().find(|(k, _)| k == "cursor").map(|(_, v)| v.into_owned());
    let mut l = kv.list().prefix(model::audit_prefix(&doc.id)).limit(100);
    if let Some(c) = cursor.filter(|c| !c.is_empty()) {
        l = l.cursor(c);
    }
    let page = match l.execute().await {
        Ok(p) => p,
        Err(_) => return error(ctx, 400, "bad_cursor", "the cursor is not one this API returned"),
    };
    let events: Vec<Value> = page.keys.into_iter().filter_map(|k| k.metadata).collect();
    let next = if page.list_complete { None } else { page.cursor };
    json_response(ctx, 200, json!({"events": events, "cursor": next}).to_string())
}
