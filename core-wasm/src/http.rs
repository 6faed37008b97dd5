//! HTTP mechanics shared by every host that serves objects: the query string, `If-None-Match`,
//! `Range` and `If-Range` (RFC 9110 §13 and §14).
//!
//! No access decision lives here (that is [`crate::gate`]); only how to read a request's query and
//! how to answer a conditional or partial read of an object the gate already allowed. Hosts call
//! [`answer`] with what they know of the object and send what it says; the Worker then fetches the
//! bytes with R2's `onlyIf` on that same ETag, so the bytes sent are those the decision was about.

use crate::time::http_date;

/// What a host knows of the representation it is about to send (RFC 9110 §8.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Representation<'a> {
    /// Size in bytes.
    pub size: u64,
    /// The entity tag the host sends as `ETag`, quoted: `"…"`, or `W/"…"` when weak.
    pub etag: &'a str,
    /// Modification time in ms since the epoch; `Last-Modified` is [`http_date`] of it.
    pub modified_ms: u64,
}

/// The request's validator and range headers, as received; `None` when absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Preconditions<'a> {
    /// `If-None-Match`.
    pub if_none_match: Option<&'a str>,
    /// `Range`.
    pub range: Option<&'a str>,
    /// `If-Range`.
    pub if_range: Option<&'a str>,
}

/// What to send for a read of one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 304 Not Modified, no body: `If-None-Match` matched.
    NotModified,
    /// 200 with the whole object.
    Full,
    /// 206 with bytes `start..=end` and `Content-Range: bytes start-end/size`.
    Partial { start: u64, end: u64 },
    /// 416 with `Content-Range: bytes */size`.
    Unsatisfiable,
}

/// Decide the answer to a `GET`/`HEAD` of one object, in RFC 9110 §13.2.2's order: `If-None-Match`
/// first (a match is 304), then `Range` as allowed by `If-Range` (see [`byte_range`]). `now_ms` is
/// the request's time (see [`if_range_holds`]).
pub fn answer(p: &Preconditions<'_>, rep: &Representation<'_>, now_ms: u64) -> Answer {
    if etag_matches(p.if_none_match, rep.etag) {
        return Answer::NotModified;
    }
    match byte_range(p.range, p.if_range, rep, now_ms) {
        ByteRange::Full => Answer::Full,
        ByteRange::Partial { start, end } => Answer::Partial { start, end },
        ByteRange::Unsatisfiable => Answer::Unsatisfiable,
    }
}

/// What to send for a `Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// The whole object (no header, a false `If-Range`, or a header we ignore as RFC 9110 allows:
    /// multiple ranges, other units, syntax errors).
    Full,
    /// Bytes `start..=end` (206).
    Partial { start: u64, end: u64 },
    /// No byte of the object is in the range (416, `Content-Range: bytes */size`).
    Unsatisfiable,
}

/// Decide a single `bytes=` range against the representation, honouring `If-Range` (RFC 9110
/// §13.1.5): when `If-Range` is present and does not hold, `Range` is ignored and the whole object
/// is sent, so a client never splices bytes of a new version onto a copy of an old one.
pub fn byte_range(range: Option<&str>, if_range: Option<&str>, rep: &Representation<'_>, now_ms: u64) -> ByteRange {
    let Some(range) = range else {
        // If-Range without Range is ignored (§13.1.5).
        return ByteRange::Full;
    };
    if let Some(v) = if_range
        && !if_range_holds(v, rep, now_ms)
    {
        return ByteRange::Full;
    }
    parse_range(range, rep.size)
}

/// Whether an `If-Range` value holds for this representation (RFC 9110 §13.1.5):
/// - an entity-tag holds only by strong comparison (§8.8.3.2): neither it nor the current ETag is
///   weak (`W/`), and the two are the same characters;
/// - an HTTP-date holds only if it is exactly the `Last-Modified` value this host sends, and that
///   date is a strong validator (§8.8.2.2). It is, once the second it names is over at `now_ms`:
///   the current representation is then the last one modified in that second, and a client may
///   only send a date it got at least one second after it (§13.1.5, §8.8.2.2), that is, from this
///   representation. Within that second the date is weak and never holds.
///
/// Anything else (an unquoted tag, a list, another date format, garbage) does not hold.
pub fn if_range_holds(value: &str, rep: &Representation<'_>, now_ms: u64) -> bool {
    let v = value.trim();
    if v.starts_with('"') || v.starts_with("W/") {
        return strong_tag(v) && strong_tag(rep.etag) && v == rep.etag;
    }
    let second_over = (rep.modified_ms / 1000 + 1).saturating_mul(1000);
    v == http_date(rep.modified_ms) && now_ms >= second_over
}

/// A single strong entity-tag: `"` opaque characters `"` (RFC 9110 §8.8.3).
fn strong_tag(t: &str) -> bool {
    t.len() >= 2
        && t.starts_with('"')
        && t.ends_with('"')
        && t[1..t.len() - 1].bytes().all(|c| c == 0x21 || (0x23..=0x7e).contains(&c) || c >= 0x80)
}

/// Parse a `Range` value for an object of `size` bytes (RFC 9110 §14.1.2, one range only).
fn parse_range(header: &str, size: u64) -> ByteRange {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return ByteRange::Full;
    };
    if spec.contains(',') {
        return ByteRange::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return ByteRange::Full;
    };
    let num = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.len() <= 19 && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    match (a, b) {
        ("", suffix) => match num(suffix) {
            Some(0) => ByteRange::Unsatisfiable,
            Some(_) if size == 0 => ByteRange::Unsatisfiable,
            Some(n) => ByteRange::Partial { start: size.saturating_sub(n), end: size - 1 },
            None => ByteRange::Full,
        },
        (start, "") => match num(start) {
            Some(s) if s < size => ByteRange::Partial { start: s, end: size - 1 },
            Some(_) => ByteRange::Unsatisfiable,
            None => ByteRange::Full,
        },
        (start, end) => match (num(start), num(end)) {
            (Some(s), Some(e)) if s > e => ByteRange::Full,
            (Some(s), Some(_)) if s >= size => ByteRange::Unsatisfiable,
            (Some(s), Some(e)) => ByteRange::Partial { start: s, end: e.min(size - 1) },
            _ => ByteRange::Full,
        },
    }
}

/// Why a query string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("a query parameter is not UTF-8 after percent-decoding: encode names as UTF-8, then percent-encode")]
    NotUtf8,
}

/// The parameters of a raw query string (without `?`), in order, duplicates kept: each name and
/// value percent-decoded exactly once, `+` meaning a space (`application/x-www-form-urlencoded`,
/// as browsers' `URLSearchParams` and the URL standard read a query). So a key holding a literal
/// `+` is sent as `%2B` (what `encodeURIComponent` and `URLSearchParams` produce), and `%252B` is
/// the three characters `%2B`. A value that is not UTF-8 once decoded is refused, never replaced.
pub fn query_pairs(raw: &str) -> Result<Vec<(String, String)>, QueryError> {
    let decode = |part: &str| -> Result<String, QueryError> {
        let spaced = part.replace('+', " ");
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| QueryError::NotUtf8)
    };
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

/// Whether an `If-None-Match` header matches this entity tag (weak comparison, `*` included).
pub fn etag_matches(if_none_match: Option<&str>, etag: &str) -> bool {
    let Some(h) = if_none_match else { return false };
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    h.split(',').any(|t| t.trim() == "*" || bare(t) == bare(etag))
}

/// The headers every host sends with an object (200, 206 and 304 alike).
pub fn object_headers(etag: &str, uploaded_ms: u64, request_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("etag", etag.to_owned()),
        ("last-modified", crate::time::http_date(uploaded_ms)),
        ("accept-ranges", "bytes".to_owned()),
        ("x-request-id", request_id.to_owned()),
        ("x-content-type-options", "nosniff".to_owned()),
        ("cache-control", "private, no-cache".to_owned()),
    ]
}

/// Everything of the answer to a read of one object but its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectHead {
    /// 200, 206, 304 or 416.
    pub status: u16,
    /// The headers to send, in order.
    pub headers: Vec<(String, String)>,
    /// First byte of the object to send.
    pub offset: u64,
    /// Bytes to send from `offset` (0 for 304 and 416).
    pub length: u64,
    /// The JSON error body of a 416; empty otherwise.
    pub error_body: String,
}

/// Decide a `GET`/`HEAD` of the object `key` ([`answer`]) and say everything to send but the
/// bytes: the status, [`object_headers`] (but for a 416), `content-range`, `content-type` from the
/// key ([`content_type_for`]), `content-length`, and which bytes.
pub fn object_head(
    p: &Preconditions<'_>,
    rep: &Representation<'_>,
    key: &str,
    request_id: &str,
    now_ms: u64,
) -> ObjectHead {
    let owned = |v: Vec<(&'static str, String)>| v.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Vec<_>>();
    let mut headers = owned(object_headers(rep.etag, rep.modified_ms, request_id));
    let (status, offset, length) = match answer(p, rep, now_ms) {
        Answer::NotModified => {
            return ObjectHead { status: 304, headers, offset: 0, length: 0, error_body: String::new() };
        }
        Answer::Unsatisfiable => {
            return ObjectHead {
                status: 416,
                headers: vec![("content-range".to_owned(), content_range(None, rep.size))],
                offset: 0,
                length: 0,
                error_body: crate::gate::error_body(
                    "range_not_satisfiable",
                    "the range is outside the object",
                    request_id,
                ),
            };
        }
        Answer::Full => (200, 0, rep.size),
        Answer::Partial { start, end } => {
            headers.push(("content-range".to_owned(), content_range(Some((start, end)), rep.size)));
            (206, start, end - start + 1)
        }
    };
    headers.push(("content-type".to_owned(), content_type_for(key).to_owned()));
    headers.push(("content-length".to_owned(), length.to_string()));
    ObjectHead { status, headers, offset, length, error_body: String::new() }
}

/// `Content-Range` of a partial answer, or of a 416 when `range` is `None`.
pub fn content_range(range: Option<(u64, u64)>, size: u64) -> String {
    match range {
        Some((start, end)) => format!("bytes {start}-{end}/{size}"),
        None => format!("bytes */{size}"),
    }
}

/// A content type from the key's extension, for stores that keep none.
pub fn content_type_for(key: &str) -> &'static str {
    let ext = key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "md" | "markdown" => "text/markdown; charset=utf-8",
        "txt" | "log" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "yaml" | "yml" => "application/yaml",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REP: Representation<'static> = Representation { size: 10, etag: "\"v2\"", modified_ms: 1_000_000_500 };

    fn br(h: Option<&str>, size: u64) -> ByteRange {
        byte_range(h, None, &Representation { size, ..REP }, 0)
    }

    #[test]
    fn ranges() {
        assert_eq!(br(None, 10), ByteRange::Full);
        assert_eq!(br(Some("bytes=0-3"), 10), ByteRange::Partial { start: 0, end: 3 });
        assert_eq!(br(Some("bytes=5-"), 10), ByteRange::Partial { start: 5, end: 9 });
        assert_eq!(br(Some("bytes=-3"), 10), ByteRange::Partial { start: 7, end: 9 });
        assert_eq!(br(Some("bytes=-30"), 10), ByteRange::Partial { start: 0, end: 9 });
        assert_eq!(br(Some("bytes=8-100"), 10), ByteRange::Partial { start: 8, end: 9 });
        assert_eq!(br(Some("bytes=10-"), 10), ByteRange::Unsatisfiable);
        assert_eq!(br(Some("bytes=0-1,3-4"), 10), ByteRange::Full);
        assert_eq!(br(Some("bytes=4-2"), 10), ByteRange::Full);
        assert_eq!(br(Some("items=0-1"), 10), ByteRange::Full);
        assert_eq!(br(Some("bytes=-0"), 10), ByteRange::Unsatisfiable);
        assert_eq!(br(Some("bytes=0-0"), 0), ByteRange::Unsatisfiable);
    }

    #[test]
    fn if_range_needs_a_strong_exact_validator() {
        let later = REP.modified_ms + 5_000;
        let lm = http_date(REP.modified_ms);
        let r = Some("bytes=0-3");
        let part = ByteRange::Partial { start: 0, end: 3 };
        assert_eq!(byte_range(r, Some("\"v2\""), &REP, later), part);
        assert_eq!(byte_range(r, Some("\"stale\""), &REP, later), ByteRange::Full);
        assert_eq!(byte_range(r, Some("W/\"v2\""), &REP, later), ByteRange::Full, "a weak tag never matches");
        let weak_rep = Representation { etag: "W/\"v2\"", ..REP };
        assert_eq!(byte_range(r, Some("W/\"v2\""), &weak_rep, later), ByteRange::Full);
        assert_eq!(byte_range(r, Some("v2"), &REP, later), ByteRange::Full);
        assert_eq!(byte_range(r, Some(&lm), &REP, later), part);
        assert_eq!(byte_range(r, Some(&http_date(REP.modified_ms - 1_000)), &REP, later), ByteRange::Full);
        assert_eq!(byte_range(r, Some(&lm), &REP, REP.modified_ms + 100), ByteRange::Full, "weak within its second");
        assert_eq!(byte_range(r, Some(&lm), &REP, 1_000_001_000), part, "strong once its second is over");
        // A false If-Range turns even an unsatisfiable range into the whole object.
        assert_eq!(byte_range(Some("bytes=99-"), Some("\"old\""), &REP, later), ByteRange::Full);
        assert_eq!(byte_range(None, Some("\"v2\""), &REP, later), ByteRange::Full);
    }

    #[test]
    fn answers_put_if_none_match_first() {
        let p = Preconditions { if_none_match: Some("\"v2\""), range: Some("bytes=0-1"), if_range: None };
        assert_eq!(answer(&p, &REP, 0), Answer::NotModified);
        let p = Preconditions { if_none_match: Some("\"v1\""), range: Some("bytes=0-1"), if_range: None };
        assert_eq!(answer(&p, &REP, 0), Answer::Partial { start: 0, end: 1 });
        assert_eq!(answer(&Preconditions::default(), &REP, 0), Answer::Full);
    }

    #[test]
    fn etags() {
        assert!(etag_matches(Some("\"a\""), "\"a\""));
        assert!(etag_matches(Some("W/\"a\", \"b\""), "\"a\""));
        assert!(etag_matches(Some("*"), "\"a\""));
        assert!(!etag_matches(Some("\"b\""), "\"a\""));
        assert!(!etag_matches(None, "\"a\""));
    }

    #[test]
    fn queries_decode_once_with_plus_as_space() {
        let q = query_pairs("path=kb%2Fa%2Bb+c.md&x=%252B&&flag").unwrap();
        assert_eq!(
            q,
            [("path".into(), "kb/a+b c.md".into()), ("x".into(), "%2B".into()), ("flag".into(), String::new())]
        );
        assert_eq!(query_pairs("path=caf%C3%A9").unwrap()[0].1, "caf\u{e9}");
        assert_eq!(query_pairs("path=%FF"), Err(QueryError::NotUtf8));
        assert_eq!(query_pairs("path=%C0%AE"), Err(QueryError::NotUtf8));
        assert_eq!(query_pairs("").unwrap(), []);
    }

    #[test]
    fn the_object_head_says_everything_but_the_bytes() {
        let get = |range: Option<&str>, inm: Option<&str>| {
            object_head(&Preconditions { if_none_match: inm, range, if_range: None }, &REP, "kb/A.MD", "req_1", 0)
        };
        let h = |o: &ObjectHead, k: &str| o.headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let full = get(None, None);
        assert_eq!((full.status, full.offset, full.length), (200, 0, 10));
        assert_eq!(h(&full, "content-type").as_deref(), Some("text/markdown; charset=utf-8"));
        assert_eq!(h(&full, "content-length").as_deref(), Some("10"));
        assert_eq!(h(&full, "etag").as_deref(), Some("\"v2\""));
        assert_eq!(h(&full, "x-request-id").as_deref(), Some("req_1"));
        assert_eq!(h(&full, "content-range"), None);
        let part = get(Some("bytes=2-4"), None);
        assert_eq!((part.status, part.offset, part.length), (206, 2, 3));
        assert_eq!(h(&part, "content-range").as_deref(), Some("bytes 2-4/10"));
        assert_eq!(h(&part, "content-length").as_deref(), Some("3"));
        let same = get(Some("bytes=2-4"), Some("\"v2\""));
        assert_eq!((same.status, same.length, h(&same, "content-type")), (304, 0, None));
        assert_eq!(h(&same, "last-modified").as_deref(), Some(crate::time::http_date(REP.modified_ms).as_str()));
        let out = get(Some("bytes=10-"), None);
        assert_eq!((out.status, out.length), (416, 0));
        assert_eq!(out.headers, vec![("content-range".to_owned(), "bytes */10".to_owned())]);
        assert!(
            out.error_body.contains("range_not_satisfiable") && out.error_body.contains("req_1"),
            "{}",
            out.error_body
        );
    }
}
