//! HTTP mechanics shared by every host that serves objects: `Range` and `If-None-Match`.
//!
//! No access decision lives here (that is [`crate::gate`]); only how to answer a conditional or
//! partial read of an object the gate already allowed.

/// What to send for a `Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// The whole object (no header, or one we ignore as RFC 9110 allows: multiple ranges, other units, syntax errors).
    Full,
    /// Bytes `start..=end` (206).
    Partial { start: u64, end: u64 },
    /// No byte of the object is in the range (416, `Content-Range: bytes */size`).
    Unsatisfiable,
}

/// Decide a single `bytes=` range against an object of `size` bytes.
pub fn byte_range(header: Option<&str>, size: u64) -> ByteRange {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
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

    #[test]
    fn ranges() {
        assert_eq!(byte_range(None, 10), ByteRange::Full);
        assert_eq!(byte_range(Some("bytes=0-3"), 10), ByteRange::Partial { start: 0, end: 3 });
        assert_eq!(byte_range(Some("bytes=5-"), 10), ByteRange::Partial { start: 5, end: 9 });
        assert_eq!(byte_range(Some("bytes=-3"), 10), ByteRange::Partial { start: 7, end: 9 });
        assert_eq!(byte_range(Some("bytes=-30"), 10), ByteRange::Partial { start: 0, end: 9 });
        assert_eq!(byte_range(Some("bytes=8-100"), 10), ByteRange::Partial { start: 8, end: 9 });
        assert_eq!(byte_range(Some("bytes=10-"), 10), ByteRange::Unsatisfiable);
        assert_eq!(byte_range(Some("bytes=0-1,3-4"), 10), ByteRange::Full);
        assert_eq!(byte_range(Some("bytes=4-2"), 10), ByteRange::Full);
        assert_eq!(byte_range(Some("items=0-1"), 10), ByteRange::Full);
        assert_eq!(byte_range(Some("bytes=-0"), 10), ByteRange::Unsatisfiable);
        assert_eq!(byte_range(Some("bytes=0-0"), 0), ByteRange::Unsatisfiable);
    }

    #[test]
    fn etags() {
        assert!(etag_matches(Some("\"a\""), "\"a\""));
        assert!(etag_matches(Some("W/\"a\", \"b\""), "\"a\""));
        assert!(etag_matches(Some("*"), "\"a\""));
        assert!(!etag_matches(Some("\"b\""), "\"a\""));
        assert!(!etag_matches(None, "\"a\""));
    }
}
