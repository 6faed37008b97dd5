//! Allowlist patterns and requested paths.
//!
//! A pattern is `*` (everything), a prefix ending in `*` (everything that starts with it), or one
//! exact key. `knowledge/` is normalized to `knowledge/*`. Paths are company-relative keys or
//! listing prefixes. Both are plain printable ASCII with `/` separators and no `.`/`..` segments.

use serde::{Deserialize, Serialize};

/// Longest accepted pattern or path, in bytes.
pub const MAX_LEN: usize = 1024;
/// Most distinct patterns one allowlist may hold.
pub const MAX_PATTERNS: usize = 64;

/// Why a pattern or a path was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PathError {
    #[error("the path is empty: give a key such as `knowledge/readme.md`")]
    Empty,
    #[error("the path starts with `/`: paths are relative to the company vault, drop the leading `/`")]
    LeadingSlash,
    #[error("the path has a `.` or `..` segment: name the key directly")]
    DotSegment,
    #[error("the path has an empty segment (`//`): remove the doubled `/`")]
    EmptySegment,
    #[error("`*` is only allowed once, at the very end of a pattern, and never in a path")]
    MisplacedStar,
    #[error("the path has a backslash: use `/` as the separator")]
    Backslash,
    #[error("the path has a control character (NUL, newline, tab, ...)")]
    ControlCharacter,
    #[error("the path has whitespace: keys are printable ASCII without spaces")]
    Whitespace,
    #[error("the path has a non-ASCII character: keys are printable ASCII")]
    NonAscii,
    #[error("the path is longer than 1024 bytes")]
    TooLong,
    #[error("the path names a folder or nothing: give the key of one object or secret")]
    NotAKey,
}

impl PathError {
    /// The stable machine-readable name (`leading-slash`, ...), as in the WIT and the vectors.
    pub fn code(self) -> &'static str {
        match self {
            PathError::Empty => "empty",
            PathError::LeadingSlash => "leading-slash",
            PathError::DotSegment => "dot-segment",
            PathError::EmptySegment => "empty-segment",
            PathError::MisplacedStar => "misplaced-star",
            PathError::Backslash => "backslash",
            PathError::ControlCharacter => "control-character",
            PathError::Whitespace => "whitespace",
            PathError::NonAscii => "non-ascii",
            PathError::TooLong => "too-long",
            PathError::NotAKey => "not-a-key",
        }
    }
}

/// Why a whole allowlist was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllowlistError {
    #[error("no pattern given: add at least one, such as `knowledge/*`")]
    None,
    #[error("{0} distinct patterns: at most 64 are allowed")]
    TooMany(u32),
    #[error("pattern {index} is rejected: {reason}")]
    Invalid { index: u32, reason: PathError },
}

/// One place a listing must read from the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingSource {
    /// Every key starting with this prefix (or exactly this key, when `exact`).
    pub prefix: String,
    /// One key, not a prefix.
    #[serde(default)]
    pub exact: bool,
    /// In delimited listings, report this folder instead of the keys below it (if any exists).
    #[serde(default)]
    pub rollup: Option<String>,
}

/// Byte-level checks shared by patterns and paths: length, then the first offending byte.
fn check_bytes(raw: &str) -> Result<(), PathError> {
    if raw.len() > MAX_LEN {
        return Err(PathError::TooLong);
    }
    for b in raw.bytes() {
        let err = match b {
            0x80..=0xff => PathError::NonAscii,
            0x00..=0x1f | 0x7f => PathError::ControlCharacter,
            b' ' => PathError::Whitespace,
            b'\\' => PathError::Backslash,
            _ => continue,
        };
        return Err(err);
    }
    if raw.starts_with('/') {
        return Err(PathError::LeadingSlash);
    }
    Ok(())
}

/// Segment checks for a `/`-separated string whose trailing `/` (a folder) is allowed.
fn check_segments(body: &str) -> Result<(), PathError> {
    let trimmed = body.strip_suffix('/').unwrap_or(body);
    if trimmed.is_empty() {
        return Ok(());
    }
    for seg in trimmed.split('/') {
        match seg {
            "" => return Err(PathError::EmptySegment),
            "." | ".." => return Err(PathError::DotSegment),
            _ => {}
        }
    }
    Ok(())
}

/// Validate and normalize one allowlist pattern.
pub fn normalize(raw: &str) -> Result<String, PathError> {
    if raw.is_empty() {
        return Err(PathError::Empty);
    }
    check_bytes(raw)?;
    if raw == "*" {
        return Ok("*".to_owned());
    }
    let (body, star) = match raw.strip_suffix('*') {
        Some(b) => (b, true),
        None => (raw, false),
    };
    if body.contains('*') {
        return Err(PathError::MisplacedStar);
    }
    if star {
        // The last segment before `*` is a partial name (`a/.*` grants `a/.env`), so only the
        // complete segments are checked.
        let complete = match body.rfind('/') {
            Some(i) => &body[..=i],
            None => "",
        };
        check_segments(complete)?;
        return Ok(raw.to_owned());
    }
    check_segments(body)?;
    if body.ends_with('/') { Ok(format!("{body}*")) } else { Ok(body.to_owned()) }
}

/// Validate and normalize an allowlist: 1 to 64 distinct patterns, sorted, duplicates dropped.
pub fn normalize_all<S: AsRef<str>>(raw: &[S]) -> Result<Vec<String>, AllowlistError> {
    if raw.is_empty() {
        return Err(AllowlistError::None);
    }
    let mut out = Vec::with_capacity(raw.len());
    for (i, p) in raw.iter().enumerate() {
        let n = normalize(p.as_ref()).map_err(|reason| AllowlistError::Invalid { index: i as u32, reason })?;
        out.push(n);
    }
    out.sort();
    out.dedup();
    if out.len() > MAX_PATTERNS {
        return Err(AllowlistError::TooMany(out.len() as u32));
    }
    Ok(out)
}

/// Check a requested path: a key, a listing prefix (may end with `/`), or empty for the root.
pub fn check_path(raw: &str) -> Result<&str, PathError> {
    check_bytes(raw)?;
    if raw.contains('*') {
        return Err(PathError::MisplacedStar);
    }
    check_segments(raw)?;
    Ok(raw)
}

/// Check a path that must name exactly one object or secret.
pub fn check_key(raw: &str) -> Result<&str, PathError> {
    if raw.is_empty() {
        return Err(PathError::Empty);
    }
    check_path(raw)?;
    if raw.ends_with('/') {
        return Err(PathError::NotAKey);
    }
    Ok(raw)
}

/// Whether one normalized pattern grants a checked key.
fn grants(pattern: &str, key: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => key.starts_with(prefix),
        None => key == pattern,
    }
}

/// Whether any of the normalized patterns grants this key. A key that [`check_key`] rejects is
/// never granted, even by `*`: hosts should check first, and a host that forgot is still safe.
pub fn allows<S: AsRef<str>>(patterns: &[S], key: &str) -> bool {
    check_key(key).is_ok() && patterns.iter().any(|p| grants(p.as_ref(), key))
}

/// Plan a listing of `prefix` under the patterns: the sources to read, sorted, none of them
/// inside another; empty when the prefix is disjoint from every pattern.
pub fn plan_listing<S: AsRef<str>>(patterns: &[S], prefix: &str, delimited: bool) -> Vec<ListingSource> {
    let mut sources: Vec<ListingSource> = Vec::new();
    for p in patterns {
        let p = p.as_ref();
        let candidate = match p.strip_suffix('*') {
            Some(granted) if prefix.starts_with(granted) => (prefix.to_owned(), false),
            Some(granted) if granted.starts_with(prefix) => (granted.to_owned(), false),
            Some(_) => continue,
            None if p.starts_with(prefix) => (p.to_owned(), true),
            None => continue,
        };
        sources.push(ListingSource { prefix: candidate.0, exact: candidate.1, rollup: None });
    }
    sources.sort_by(|a, b| a.prefix.cmp(&b.prefix).then(a.exact.cmp(&b.exact)));
    sources.dedup_by(|a, b| a.prefix == b.prefix);
    // Drop every source that another (prefix) source already covers.
    let covering: Vec<String> = sources.iter().filter(|s| !s.exact).map(|s| s.prefix.clone()).collect();
    sources.retain(|s| !covering.iter().any(|c| s.prefix.starts_with(c.as_str()) && (s.prefix != *c || s.exact)));
    if delimited {
        for s in &mut sources {
            let rest = &s.prefix[prefix.len()..];
            if let Some(i) = rest.find('/') {
                s.rollup = Some(format!("{prefix}{}", &rest[..=i]));
            }
        }
    }
    sources
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_pattern_is_normalized() {
        assert_eq!(normalize("knowledge/").unwrap(), "knowledge/*");
        assert_eq!(normalize("*").unwrap(), "*");
        assert_eq!(normalize("a/b.md").unwrap(), "a/b.md");
        assert_eq!(normalize("a/*/b"), Err(PathError::MisplacedStar));
    }

    #[test]
    fn ancestor_listing_reads_only_granted_areas() {
        let pats = ["knowledge/*", "projects/a.md"];
        let plan = plan_listing(&pats, "", false);
        assert_eq!(plan.len(), 2);
        assert_eq!(plan[0].prefix, "knowledge/");
        assert!(plan[1].exact);
        assert!(plan_listing(&pats, "secrets/", false).is_empty());
        let inner = plan_listing(&pats, "knowledge/x/", true);
        assert_eq!(inner.len(), 1);
        assert_eq!(inner[0].prefix, "knowledge/x/");
        assert_eq!(inner[0].rollup, None);
        let rolled = plan_listing(&pats, "", true);
        assert_eq!(rolled[0].rollup.as_deref(), Some("knowledge/"));
    }

    #[test]
    fn covered_sources_are_dropped() {
        let pats = ["a/*", "a/b/*", "a/c.md", "*"];
        let plan = plan_listing(&pats, "", false);
        assert_eq!(plan, vec![ListingSource { prefix: String::new(), exact: false, rollup: None }]);
    }
}
