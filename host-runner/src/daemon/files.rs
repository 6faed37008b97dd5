//! The External Connections read routes over the local files root:
//! `GET|HEAD /v1/connections/files?path=` and `GET|HEAD /v1/connections/files/object?path=`.
//!
//! The component's gate makes the decision (status, plan, audit event); this module reads the
//! files the plan names and never anything else.

use std::sync::Arc;

use futures_util::TryStreamExt;
use hq_vault_core::gate::{ListPlan, Plan, ReadRequest, Route};
use hq_vault_core::http::{Answer, Preconditions, Representation, content_range, content_type_for, object_headers};
use hq_vault_core::listing::{Lister, ObjectInfo, list_sorted_keys};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::Daemon;
use super::beneath::FilesRoot;
use super::http::{self, Body, Ctx};
use crate::host::Instance;

/// One regular file under the root, by company-relative key, opened: `size`, the times and the
/// bytes all come from `file`, the one descriptor opened for this request.
struct Entry {
    key: String,
    size: u64,
    mtime_ms: u64,
    etag: String,
    file: std::fs::File,
}

impl Entry {
    fn etag(&self) -> String {
        self.etag.clone()
    }
}

/// Open the object once, beneath the root, following no symlink (see [`super::beneath`]).
fn entry(root: &FilesRoot, key: &str) -> Option<Entry> {
    let o = root.open_object(key)?;
    Some(Entry {
        key: key.to_owned(),
        size: o.meta.size,
        mtime_ms: o.meta.mtime_ms(),
        etag: o.meta.etag(),
        file: o.file,
    })
}

pub async fn read(d: &Arc<Daemon>, ctx: &Ctx, req: Request<Incoming>) -> Response<Body> {
    let route = if req.uri().path().ends_with("/object") { Route::Object } else { Route::List };
    // This request's own short-lived instance of the component (no key in it).
    let mut inst = match d.host.instance() {
        Ok(i) => i,
        Err(_) => return http::internal(ctx, "instantiating the component"),
    };
    let q = match http::query(&req) {
        Ok(q) => q,
        Err(m) => {
            // No credential was looked at yet: the caller is `unknown`, as the gate calls it.
            let event = hq_vault_core::audit::Event {
                time_ms: ctx.now_ms,
                actor: "unknown".into(),
                operation: "read".into(),
                path: None,
                outcome: hq_vault_core::audit::Outcome::Failed,
                status: 400,
                request_id: ctx.request_id.clone(),
                source_ip: ctx.ip.clone(),
                reason: Some("bad_query".into()),
            };
            if d.audit.record(event, false).await.is_err() {
                return http::audit_failed(ctx);
            }
            return http::error(ctx, 400, "bad_query", m);
        }
    };
    let auth = http::authorization(&req);
    // A connection key names its connection; an agent identity's session token, its session and
    // the session's connection.
    let (Ok(key_ref), Ok(session_ref)) =
        (inst.credential_reference(auth.as_deref()), inst.session_reference(auth.as_deref()))
    else {
        return http::internal(ctx, "checking the credential");
    };
    let found = d.db(|s| match (key_ref, session_ref) {
        (Some(r), _) => Ok((s.connection_by_key(&r)?, None)),
        (None, Some(r)) => match s.session(&r)? {
            Some(session) => Ok((s.connection(&session.connection_id)?, Some(session))),
            None => Ok((None, None)),
        },
        (None, None) => Ok((None, None)),
    });
    let Ok((row, session)) = found else {
        return http::internal(ctx, "reading connections");
    };
    let record = row.map(|row| row.record);
    let rr = ReadRequest {
        method: req.method().as_str().to_owned(),
        route,
        path: http::param(&q, "path").map(str::to_owned),
        cursor: http::param(&q, "cursor").map(str::to_owned),
        limit: http::param(&q, "limit").map(str::to_owned),
        delimiter: http::param(&q, "delimiter").map(str::to_owned),
        authorization: auth,
        time_ms: ctx.now_ms,
        request_id: ctx.request_id.clone(),
        source_ip: ctx.ip.clone(),
    };
    let Ok(mut decision) = inst.decide_session(&rr, session.as_ref(), record.as_ref()) else {
        return http::internal(ctx, "deciding the read");
    };
    // An allowed object that does not exist is a 404, audited as such (one line per read).
    let mut found = None;
    if let (Some(Plan::Object(key)), Some(rec)) = (&decision.plan, &record) {
        found = entry(&d.files_root, key);
        if found.is_none() {
            match inst.not_found(&rr, rec) {
                Ok(nf) => decision = nf,
                Err(_) => return http::internal(ctx, "deciding the read"),
            }
        }
    }
    // A connection key that names no connection (`unknown`) is an anonymous failure: summarized.
    let anonymous = decision.audit.actor == "unknown" && matches!(decision.status, 401 | 403);
    if d.audit.record(decision.audit.clone(), anonymous).await.is_err() {
        return http::audit_failed(ctx);
    }
    let head = req.method() == Method::HEAD;
    match (decision.plan, found) {
        (Some(Plan::Object(_)), Some(e)) => object(&mut inst, ctx, &req, e, head).await,
        (Some(Plan::List(plan)), _) => list(d, ctx, &plan, head),
        _ => {
            let mut r = http::raw_json(ctx, decision.status, decision.error_body);
            for (k, v) in &decision.headers {
                if let (Ok(k), Ok(v)) = (k.parse::<hyper::header::HeaderName>(), v.parse()) {
                    r.headers_mut().insert(k, v);
                }
            }
            if head {
                *r.body_mut() = http::empty();
            }
            r
        }
    }
}

async fn object(inst: &mut Instance, ctx: &Ctx, req: &Request<Incoming>, e: Entry, head: bool) -> Response<Body> {
    let etag = e.etag();
    let mut r = Response::new(http::empty());
    let set = |h: &mut hyper::HeaderMap, k: &'static str, v: String| {
        if let Ok(v) = v.parse() {
            h.insert(k, v);
        }
    };
    for (k, v) in object_headers(&etag, e.mtime_ms, &ctx.request_id) {
        set(r.headers_mut(), k, v);
    }
    // The core decides 304, 200, 206 or 416 (If-None-Match, then Range as If-Range allows).
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let pre =
        Preconditions { if_none_match: header("if-none-match"), range: header("range"), if_range: header("if-range") };
    let rep = Representation { size: e.size, etag: &etag, modified_ms: e.mtime_ms };
    let Ok(decided) = inst.answer(&pre, &rep, ctx.now_ms) else {
        return http::internal(ctx, "deciding the read");
    };
    let (start, len) = match decided {
        Answer::NotModified => {
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            return r;
        }
        Answer::Full => (0, e.size),
        Answer::Partial { start, end } => {
            *r.status_mut() = StatusCode::PARTIAL_CONTENT;
            set(r.headers_mut(), "content-range", content_range(Some((start, end)), e.size));
            (start, end - start + 1)
        }
        Answer::Unsatisfiable => {
            let mut u = http::error(ctx, 416, "range_not_satisfiable", "the range is outside the object");
            set(u.headers_mut(), "content-range", content_range(None, e.size));
            return u;
        }
    };
    set(r.headers_mut(), "content-type", content_type_for(&e.key).to_owned());
    set(r.headers_mut(), "content-length", len.to_string());
    if head {
        return r;
    }
    // The descriptor that was opened and checked is the one read: never the path again.
    let mut file = tokio::fs::File::from_std(e.file);
    if file.seek(std::io::SeekFrom::Start(start)).await.is_err() {
        return http::internal(ctx, "reading the file");
    }
    // Streamed in 64 KiB chunks: a large object never sits in memory whole.
    let stream = tokio_util::io::ReaderStream::with_capacity(file.take(len), 64 * 1024).map_ok(Frame::data);
    *r.body_mut() = BodyExt::boxed(StreamBody::new(stream));
    r
}

fn list(d: &Daemon, ctx: &Ctx, plan: &ListPlan, head: bool) -> Response<Body> {
    // One walk by descriptor: regular files only, no symlink followed or listed.
    let files = d.files_root.walk();
    let keys: Vec<String> = files.keys().cloned().collect();
    let info = |k: &str| {
        files.get(k).map(|m| ObjectInfo {
            etag: m.etag(),
            uploaded: hq_vault_core::time::rfc3339(m.mtime_ms()),
            key: k.to_owned(),
            size: m.size,
        })
    };
    // The core assembles the page across the plan's sources; this host only lists its folder.
    let mut lister = Lister::new(plan.clone());
    while let Some(req) = lister.next_request() {
        lister.feed(list_sorted_keys(&keys, &req, info));
    }
    let page = lister.finish();
    let mut r = http::json(ctx, 200, &serde_json::to_value(&page).unwrap_or_default());
    if head {
        *r.body_mut() = http::empty();
    }
    r
}
