//! The read routes of a connection key (or an agent identity's session token): `GET|HEAD /v1/connections/files` (a listing) and
//! `…/files/object` (one object, streamed from R2). KV routes the key's reference to its company
//! ([`super::routing`]); the company's object decides with the core's `gate` and appends the
//! read's event in the same call ([`super::batch`]). Pages come from `hq_vault_core::listing`, ranges and conditions from
//! `hq_vault_core::http`.
//!
//! An object read prepares its answer from R2 first (what would be sent if allowed: 200, 206, 304,
//! 404, 416…) and then asks the object once, telling it that status: the event records the status
//! actually answered, and the answer is sent only if the object allows the read. A listing asks
//! first (its plan comes from the decision) and is answered 200.

use hq_vault_core::audit;
use hq_vault_core::gate::{self, Plan, ReadRequest, Route};
use hq_vault_core::http::{
    Answer, Preconditions, Representation, answer, content_range, content_type_for, object_headers, query_pairs,
};
use hq_vault_core::listing::{Lister, ObjectInfo, SourcePage, SourceRequest};
use hq_vault_core::time;
use worker::{Bucket, Conditional, Context, Env, Headers, Method, Request, Response, Result, console_log, kv::KvStore};

use super::{Ctx, batch, error, json_response, routing};
use crate::company::{Answered, ReadCall};
use crate::model;

/// Serve a read route.
pub async fn read(req: Request, env: &Env, wctx: &Context, kv: &KvStore, ctx: &Ctx, route: Route) -> Result<Response> {
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
    // The routing index: which company's object decides for this key. Only a company id names
    // anything; anything else (or no entry) is an unknown key.
    let auth = authorization.as_deref();
    let reference = gate::credential_reference(auth).or_else(|| gate::session_reference(auth));
    let company = match &reference {
        Some(r) => routing::company_of(kv, r).await?,
        None => None,
    };
    let Some(company) = company else {
        // No company to ask: the core's answer for a missing, malformed or unknown key, logged
        // (not filed: an unknown key names no connection).
        let decision = gate::decide_session(&rr, None, None);
        console_log!("audit {}", audit::encode(&decision.audit));
        return refusal(ctx, decision.status, decision.error_body, &decision.headers, req.method() == Method::Head);
    };
    let bucket = env.bucket("VAULT")?;
    let is_head = req.method() == Method::Head;
    let is_read = matches!(req.method(), Method::Get | Method::Head);
    // What an allowed read would be answered, prepared before asking (objects only).
    let prepared: Option<(Response, u16)> = if !is_read {
        None
    } else if duplicate {
        Some((error(ctx, 400, "bad_query", "a query parameter is given twice")?, 400))
    } else {
        match rr
            .path
            .as_deref()
            .filter(|p| route == Route::Object && hq_vault_core::patterns::check_object_key(p).is_ok())
        {
            Some(key) => Some(object(&req, &bucket, ctx, &company, key, is_head).await?),
            None => None,
        }
    };
    let call =
        ReadCall { request: rr.clone(), answered: prepared.as_ref().map(|(_, status)| Answered { status: *status }) };
    let verdict = match batch::decide(env, wctx, &company, call).await {
        Ok(Some(v)) => v,
        Ok(None) | Err(_) => {
            // No decision: the core's 503, logged with the request id (the object may have filed
            // the read all the same: docs/consistency.md).
            let d = gate::unavailable(&rr);
            console_log!("audit {}", audit::encode(&d.audit));
            return refusal(ctx, d.status, d.error_body, &d.headers, is_head);
        }
    };
    if let (true, Some(r)) = (verdict.known, &reference) {
        routing::confirm(r, &company);
    }
    if !verdict.allowed {
        return refusal(ctx, verdict.status, verdict.error_body, &verdict.headers, is_head);
    }
    match (verdict.plan, prepared) {
        (_, Some((prepared, _))) => Ok(prepared),
        (Some(Plan::List(plan)), None) => {
            let mut lister = Lister::new(plan);
            while let Some(r) = lister.next_request() {
                let page = list_source(&bucket, &company, &r).await?;
                lister.feed(page);
            }
            let page = lister.finish();
            let body = if is_head { String::new() } else { serde_json::to_string(&page).unwrap_or_default() };
            json_response(ctx, 200, body)
        }
        // The gate allowed an object the Worker did not prepare: the two checks of the key differ.
        _ => error(ctx, 500, "internal", "the read was allowed but not prepared: report this"),
    }
}

/// A refusal: the core's status, body and headers (no body for `HEAD`).
fn refusal(ctx: &Ctx, status: u16, body: String, headers: &[(String, String)], is_head: bool) -> Result<Response> {
    let r = json_response(ctx, status, if is_head { String::new() } else { body })?;
    for (k, v) in headers {
        r.headers().set(k, v)?;
    }
    Ok(r)
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

/// Prepare an object's answer and its status: no buffering, whatever its size.
///
/// A plain read (no `Range`, no `If-None-Match`) is one R2 `get`, which holds the body of the
/// version it describes. Otherwise the core decides 304, 200, 206 or 416 on the version a `head`
/// describes; the bytes then come from one R2 `get` with `onlyIf: {etagMatches}` on that
/// version's ETag and R2's own `range`, so the bytes, `ETag` and `Content-Range` sent are all of
/// the one version the decision was about. If the object changed in between, R2 answers with the
/// new version's metadata and no body, and the decision is made again on it.
async fn object(
    req: &Request,
    bucket: &Bucket,
    ctx: &Ctx,
    company: &str,
    key: &str,
    is_head: bool,
) -> Result<(Response, u16)> {
    let r2key = model::r2_key(company, key);
    let plain = !is_head && req.headers().get("range")?.is_none() && req.headers().get("if-none-match")?.is_none();
    let found = if plain { bucket.get(&r2key).execute().await? } else { bucket.head(&r2key).await? };
    let Some(mut meta) = found else {
        return Ok((error(ctx, 404, "not_found", "no object at this path")?, 404));
    };
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
                return Ok((Response::empty()?.with_status(304).with_headers(headers), 304));
            }
            Answer::Unsatisfiable => {
                let r = error(ctx, 416, "range_not_satisfiable", "the range is outside the object")?;
                r.headers().set("content-range", &content_range(None, size))?;
                return Ok((r, 416));
            }
            Answer::Full => (200, None),
            Answer::Partial { start, end } => {
                (206, Some(worker::Range::OffsetWithLength { offset: start, length: end - start + 1 }))
            }
        };
        let body_of = |o: &worker::Object| -> Result<(Response, u16)> {
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
            Ok((r.with_status(status).with_headers(headers), status))
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
            None => return Ok((error(ctx, 404, "not_found", "no object at this path")?, 404)),
            Some(o) if o.body().is_some() => return body_of(&o),
            // Replaced since `meta` was read: decide again on the version R2 describes now.
            Some(o) => meta = o,
        }
    }
    let r = error(ctx, 503, "object_changing", "the object changed while it was being read: retry the request")?;
    Ok((r, 503))
}

/// `ETag`, `Last-Modified` and the other headers of one version of an object.
fn version_headers(ctx: &Ctx, o: &worker::Object) -> Result<Headers> {
    let headers = Headers::new();
    for (k, v) in object_headers(&o.http_etag(), o.uploaded().as_millis(), &ctx.request_id) {
        headers.set(k, &v)?;
    }
    Ok(headers)
}
