//! The External Connections read routes over the local files root:
//! `GET|HEAD /v1/connections/files?path=` and `GET|HEAD /v1/connections/files/object?path=`.
//!
//! The component's gate makes the decision (status, plan, audit event); this module reads the
//! files the plan names and never anything else.

use std::sync::Arc;

use futures_util::TryStreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::Daemon;
use super::beneath::FilesRoot;
use super::http::{self, Body, Channel, Ctx};
use crate::host::Instance;
use crate::host::wit::gate::{FolderEntry, ListPlan, Plan, ReadRequest, Route};
use crate::host::wit::http::{Preconditions, Representation};

/// One regular file under the root, by company-relative key, opened: `size`, the times and the
/// bytes all come from `file`, the one descriptor opened for this request.
struct Entry {
    key: String,
    size: u64,
    mtime_ms: u64,
    etag: String,
    file: std::fs::File,
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
            // No credential was looked at yet: the gate decides the answer and its line.
            let method = req.method().as_str();
            return match inst.refuse_query(method, route, m, ctx.now_ms, &ctx.request_id, &ctx.ip) {
                Ok(decision) => refused(d, ctx, decision, req.method() == Method::HEAD).await,
                Err(_) => http::internal(ctx, "deciding the read"),
            };
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
    // External Connections are local mode's: on network mode's listener no key or session names a
    // connection, so the gate refuses the read as for an unknown key (audited as such).
    let (key_ref, session_ref) = if ctx.channel == Channel::Network { (None, None) } else { (key_ref, session_ref) };
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
    let head = req.method() == Method::HEAD;
    if decision.plan.is_none() {
        return refused(d, ctx, decision, head).await;
    }
    // The core says which failures are anonymous, to be summarized past the rate limit.
    if d.audit.record(decision.audit.clone(), decision.summarized).await.is_err() {
        return http::audit_failed(ctx);
    }
    match (decision.plan, found) {
        (Some(Plan::Object(_)), Some(e)) => object(&mut inst, ctx, &req, e, head).await,
        (Some(Plan::List(plan)), _) => list(d, &mut inst, ctx, &plan, head),
        _ => http::internal(ctx, "deciding the read"),
    }
}

/// Record a refusal's line as the gate wrote it (summarized if the gate says so), then send the
/// gate's answer.
async fn refused(d: &Daemon, ctx: &Ctx, decision: crate::host::wit::gate::Decision, head: bool) -> Response<Body> {
    if d.audit.record(decision.audit, decision.summarized).await.is_err() {
        return http::audit_failed(ctx);
    }
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

async fn object(inst: &mut Instance, ctx: &Ctx, req: &Request<Incoming>, e: Entry, head: bool) -> Response<Body> {
    // The core decides 304, 200, 206 or 416 (If-None-Match, then Range as If-Range allows), the
    // headers and which bytes; this host sends them.
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let pre =
        Preconditions { if_none_match: header("if-none-match"), range: header("range"), if_range: header("if-range") };
    let rep = Representation { size: e.size, etag: e.etag.clone(), modified_ms: e.mtime_ms };
    let Ok(decided) = inst.object_head(&pre, &rep, &e.key, &ctx.request_id, ctx.now_ms) else {
        return http::internal(ctx, "deciding the read");
    };
    let mut r = if decided.error_body.is_empty() {
        let mut r = Response::new(http::empty());
        *r.status_mut() = StatusCode::from_u16(decided.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        r
    } else {
        http::raw_json(ctx, decided.status, decided.error_body)
    };
    for (k, v) in decided.headers {
        if let (Ok(k), Ok(v)) = (k.parse::<hyper::header::HeaderName>(), v.parse()) {
            r.headers_mut().insert(k, v);
        }
    }
    if head || decided.length == 0 {
        return r;
    }
    // The descriptor that was opened and checked is the one read: never the path again.
    let mut file = tokio::fs::File::from_std(e.file);
    if file.seek(std::io::SeekFrom::Start(decided.offset)).await.is_err() {
        return http::internal(ctx, "reading the file");
    }
    // Streamed in 64 KiB chunks: a large object never sits in memory whole.
    let stream = tokio_util::io::ReaderStream::with_capacity(file.take(decided.length), 64 * 1024).map_ok(Frame::data);
    *r.body_mut() = BodyExt::boxed(StreamBody::new(stream));
    r
}

fn list(d: &Daemon, inst: &mut Instance, ctx: &Ctx, plan: &ListPlan, head: bool) -> Response<Body> {
    // One walk by descriptor: regular files only, no symlink followed or listed.
    let entries: Vec<FolderEntry> = d
        .files_root
        .walk()
        .into_iter()
        .map(|(key, m)| FolderEntry { etag: m.etag(), modified_ms: m.mtime_ms(), size: m.size, key })
        .collect();
    // The core assembles the page across the plan's sources; this host only lists its folder.
    let Ok(page) = inst.list_folder(plan, &entries) else {
        return http::internal(ctx, "listing the folder");
    };
    let mut r = http::raw_json(ctx, 200, page);
    if head {
        *r.body_mut() = http::empty();
    }
    r
}
