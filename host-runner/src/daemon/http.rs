//! HTTP plumbing shared by the handlers: bodies, JSON answers, errors, request context.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::de::DeserializeOwned;

/// Every response body: a full buffer or a stream of file chunks.
pub type Body = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

/// Largest request body accepted (a secret of up to 1 MiB, JSON- or base64-encoded).
pub const MAX_BODY: usize = 2 * 1024 * 1024;
/// Largest secret value.
pub const MAX_VALUE: usize = 1024 * 1024;
/// Time to send a whole request body once the headers are in; a client that trickles it gets 408.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Largest `PUT /v1/secrets/{path}` body: the worst legal JSON encoding of a [`MAX_VALUE`] value
/// (`\u0001` is 6 bytes for 1) with room for the other fields, so that every value up to 1 MiB
/// is read and decoded whatever its bytes, and a larger one is told `value_too_large`.
pub const MAX_SECRET_BODY: usize = 6 * MAX_VALUE + 64 * 1024;

/// The listener a request came in on, which decides the credentials it may carry
/// (docs/network-mode.md, "Channels").
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Channel {
    /// Local mode's listener (loopback only): the bootstrap token, managed tokens and identity
    /// sessions.
    Local,
    /// Network mode's listener: identity sessions only (seed 002).
    Network,
    /// Network mode's home socket (`serve.sock` in the 0700 home, served only to peers of the
    /// daemon's own user): the caller is the home's owner, with no token at all.
    HomeSocket,
}

/// Per-request facts: the request id, the client's address and the time.
#[derive(Clone)]
pub struct Ctx {
    pub request_id: String,
    /// The client's IP address, or `local` on the home socket.
    pub ip: String,
    pub now_ms: u64,
    pub channel: Channel,
}

impl Ctx {
    pub fn new(peer: SocketAddr) -> Ctx {
        Ctx::on(peer.ip().to_string(), Channel::Local)
    }

    /// A request from `ip` on `channel`.
    pub fn on(ip: String, channel: Channel) -> Ctx {
        let mut id = [0u8; 8];
        let _ = getrandom::fill(&mut id);
        Ctx { request_id: format!("req_{}", hex::encode(id)), ip, now_ms: super::now_ms(), channel }
    }
}

pub fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into()).map_err(|never| match never {}).boxed()
}

pub fn empty() -> Body {
    full(Bytes::new())
}

/// A JSON answer.
pub fn json(ctx: &Ctx, status: u16, value: &serde_json::Value) -> Response<Body> {
    raw_json(ctx, status, value.to_string())
}

/// A JSON answer from text already encoded.
pub fn raw_json(ctx: &Ctx, status: u16, text: String) -> Response<Body> {
    let mut r = Response::new(full(text));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    h.insert("content-type", "application/json".parse().expect("static header"));
    h.insert("cache-control", "no-store".parse().expect("static header"));
    if let Ok(v) = ctx.request_id.parse() {
        h.insert("x-request-id", v);
    }
    r
}

/// A buffer that is zeroized when the last reference to it is dropped (after hyper has written it).
struct Wiped(zeroize::Zeroizing<Vec<u8>>);

impl AsRef<[u8]> for Wiped {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// A JSON answer that carries a secret value: its buffer is wiped when the body is dropped.
pub fn wiped_json(ctx: &Ctx, status: u16, text: zeroize::Zeroizing<Vec<u8>>) -> Response<Body> {
    let mut r = raw_json(ctx, status, String::new());
    *r.body_mut() = full(Bytes::from_owner(Wiped(text)));
    r
}

/// An answer of the daemon's own, for what happens outside the core's decisions: a failure of
/// the component or of storage (500), an audit log that cannot be written (503), a route that
/// does not exist. Its body has the shape of every error the core writes,
/// `{"error":{"code","message","request_id"}}` (docs/policy.md); the core's own refusals come
/// with their body already written.
pub fn error(ctx: &Ctx, status: u16, code: &str, message: &str) -> Response<Body> {
    let body = serde_json::json!({"error": {"code": code, "message": message, "request_id": ctx.request_id}});
    let mut r = raw_json(ctx, status, body.to_string());
    if status == 401 {
        r.headers_mut().insert("www-authenticate", "Bearer".parse().expect("static header"));
    }
    r
}

/// 503 when the audit line could not be written: nothing was done.
pub fn audit_failed(ctx: &Ctx) -> Response<Body> {
    error(
        ctx,
        503,
        "audit_unavailable",
        "the audit log could not be written, so nothing was done: check free space and the permissions of audit.log",
    )
}

pub fn internal(ctx: &Ctx, what: &str) -> Response<Body> {
    eprintln!("hq-vault: {} failed for {}", what, ctx.request_id);
    error(ctx, 500, "internal", &format!("{what} failed; the daemon's log has details (request {})", ctx.request_id))
}

/// Read a JSON body of at most `limit` bytes within [`BODY_TIMEOUT`]; what is wrong with it is
/// an input problem for the core (`body-too-large`, `body-timeout`, `bad-json`) with its detail.
pub async fn read_json_body<T: DeserializeOwned>(
    req: Request<Incoming>,
    limit: usize,
) -> Result<T, (crate::host::wit::policy::InputKind, String)> {
    use crate::host::wit::policy::InputKind;
    let collected = tokio::time::timeout(BODY_TIMEOUT, Limited::new(req.into_body(), limit).collect()).await;
    let Ok(collected) = collected else {
        return Err((
            InputKind::BodyTimeout,
            "the request body did not arrive within 30 s: send it whole, then retry".to_owned(),
        ));
    };
    let bytes = match collected {
        Ok(b) => b.to_bytes(),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            return Err((InputKind::BodyTooLarge, format!("the request body is over {limit} bytes")));
        }
        Err(_) => return Err((InputKind::BadJson, "the request body could not be read".to_owned())),
    };
    serde_json::from_slice(&bytes).map_err(|e| {
        // serde's message names the field and position, never the value.
        (InputKind::BadJson, format!("the body is not the JSON this route takes: {}", e.classify_message()))
    })
}

trait Classify {
    fn classify_message(&self) -> String;
}

impl Classify for serde_json::Error {
    fn classify_message(&self) -> String {
        match self.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                format!("malformed JSON at line {} column {}", self.line(), self.column())
            }
            serde_json::error::Category::Data => {
                // Data errors can quote a value ("invalid type: string \"…\""): keep only the shape.
                let text = self.to_string();
                match text.find('`').or_else(|| text.find('"')) {
                    Some(_) if text.starts_with("missing field") || text.starts_with("unknown field") => text,
                    _ => "a field has the wrong type or value".to_owned(),
                }
            }
            serde_json::error::Category::Io => "the body could not be read".to_owned(),
        }
    }
}

/// Decode a path segment once (`%2e%2e` becomes `..`, which the core then rejects). `None` if
/// the result is not UTF-8.
pub fn decode_path(raw: &str) -> Option<String> {
    percent_encoding::percent_decode_str(raw).decode_utf8().ok().map(|c| c.into_owned())
}

/// Decode a query component once, `+` meaning a space as in HTML forms and the URL standard.
fn decode_query(raw: &str) -> Option<String> {
    decode_path(&raw.replace('+', " "))
}

/// The query string's parameters, decoded once. Duplicates are an error (no guessing which wins).
pub fn query(req: &Request<Incoming>) -> Result<Vec<(String, String)>, &'static str> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in req.uri().query().unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = decode_query(k).ok_or("a query parameter is not valid UTF-8")?;
        let v = decode_query(v).ok_or("a query parameter is not valid UTF-8")?;
        if out.iter().any(|(x, _)| *x == k) {
            return Err("a query parameter is given twice");
        }
        out.push((k, v));
    }
    Ok(out)
}

pub fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The `Authorization` header as text, if present and ASCII.
pub fn authorization(req: &Request<Incoming>) -> Option<String> {
    req.headers().get("authorization").map(|v| v.to_str().unwrap_or("\u{1}invalid").to_owned())
}
