//! `GET /v1/audit?after=N` and `GET /v1/audit/follow?after=N`: the audit log's lines after the
//! first N (for `audit`, and the polls of `audit --tail`, which the core does not audit when they
//! succeed: docs/policy.md).

use std::sync::Arc;

use crate::host::wit::policy::{Effect, InputKind};
use hyper::Request;
use hyper::Response;
use hyper::body::Incoming;
use serde_json::json;

use super::Daemon;
use super::http::{self, Body};
use super::pipeline::{Acted, Call, Success};

pub async fn read(d: &Arc<Daemon>, call: Call, req: &Request<Incoming>) -> Response<Body> {
    let q = match http::query(req) {
        Ok(q) => q,
        Err(m) => return d.finish(&call, Acted::input(InputKind::BadQuery, m)).await,
    };
    let after: usize = match http::param(&q, "after").map(str::parse) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return d.finish(&call, Acted::input(InputKind::BadQuery, "after must be a line count")).await,
    };
    let lines = match crate::audit_log::read_lines(&d.home.audit_log()) {
        Ok(l) => l,
        Err(_) => return d.finish(&call, Acted::internal("reading audit.log")).await,
    };
    let total = lines.len();
    let page: Vec<&String> = lines.iter().skip(after).take(10_000).collect();
    let next = after.min(total) + page.len();
    // Lines are JSON already; send them as JSON values, not strings within strings.
    let values: Vec<serde_json::Value> = page.iter().map(|l| serde_json::from_str(l).unwrap_or(json!(l))).collect();
    d.finish(&call, Acted::done(Effect::Done, Success::Json(json!({"lines": values, "next": next, "total": total}))))
        .await
}

/// Write the summary line of rate-limited anonymous failures once their window is over.
pub async fn summarize_anonymous(d: Arc<Daemon>) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        if let Err(e) = d.audit.flush_anonymous(super::now_ms(), false).await {
            eprintln!("hq-vault: {e}");
        }
    }
}
