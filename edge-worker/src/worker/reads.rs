//! The read routes of a connection key: `GET|HEAD /v1/connections/files` (a listing) and
//! `…/files/object` (one object, streamed from R2). The core's `gate` decides; pages come from
//! `hq_vault_core::listing`, ranges and conditions from `hq_vault_core::http`. Each read's event
//! is written after the answer (`waitUntil`), filed under the key's connection.

use hq_vault_core::audit::Outcome;
use hq_vault_core::gate::{self, Plan, ReadRequest, Route};
use hq_vault_core::http::{
    Answer, Preconditions, Representation, answer, content_range, content_type_for, object_headers, query_pairs,
};
use hq_vault_core::listing::{Lister, ObjectInfo, SourcePage, SourceRequest};
use hq_vault_core::time;
use worker::{Bucket, Conditional, Context, Env, Headers, Method, Request, Response, Result, kv::KvStore};

use super::audit::record_after;
use super::storage::{company_settings, connection_by_reference};
use super::{Ctx, error, json_response};
use crate::model;

/// Serve a read route.
pub async fn read(req: Request, env: &Env, kv: &KvStore, wctx: &Context, ctx: &Ctx, route: Route) -> Result<Response> {
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
        record_after(kv, wctx, &ev);
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
    record_after(kv, wctx, &decision.audit);
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
