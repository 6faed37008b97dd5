//! Allowlist patterns, object keys and secret paths (docs/design.md §3.1).
//!
//! - A **pattern** is `*` (everything), a prefix ending in `*` (everything that starts with it), or
//!   one exact key. `knowledge/` is normalized to `knowledge/*`. Patterns are plain printable ASCII
//!   with `/` separators and no `.`/`..` segments ([`normalize`], [`PathError`]).
//! - An **object key** (External Connections: an object path or a listing prefix) is the real name
//!   of a company file: any UTF-8 up to [`MAX_KEY_LEN`] bytes without a leading `/`, a `.`/`..` or
//!   empty segment, or a control character ([`check_object_key`], [`check_object_prefix`],
//!   [`KeyError`]). Spaces, Unicode, `*`, `\`, `+`, `%`, `#`, `?` are ordinary characters of a key.
//!   Keys are compared byte for byte: NFC and NFD spellings are two keys, and nothing here
//!   normalizes them. A pattern grants a key by a byte-prefix test ([`allows`]).
//! - A **secret path** of the local vault keeps the pattern alphabet, because it becomes an
//!   environment variable name ([`check_key`], [`check_path`]).

use serde::{Deserialize, Serialize};

/// Longest accepted pattern or secret path, in bytes.
pub const MAX_LEN: usize = 1024;
/// Longest accepted object key or listing prefix, in bytes of UTF-8: `{company_id}/` (at most 64
/// bytes) plus the key then fits R2's 1024-byte key limit.
pub const MAX_KEY_LEN: usize = 960;
/// Most distinct patterns one allowlist may hold.
pub const MAX_PATTERNS: usize = 64;

/// Why a pattern or a path was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PathError {
    #[error("the path is empty: name a secret or a file, such as `myapp/api-key` or `knowledge/readme.md`")]
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
    #[error("the path is longer than 1024 bytes (a folder `x/` counts as its pattern `x/*`)")]
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

/// Why an object key or a listing prefix of External Connections was rejected (docs/design.md §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyError {
    #[error("the path is empty: give the key of one object, such as `knowledge/readme.md`")]
    Empty,
    #[error("the path starts with `/`: keys are relative to the company vault, drop the leading `/`")]
    LeadingSlash,
    #[error("the path has a `.` or `..` segment: name the key directly")]
    DotSegment,
    #[error("the path has an empty segment (`//`): remove the doubled `/`")]
    EmptySegment,
    #[error("the path has a control character (U+0000-U+001F or U+007F-U+009F)")]
    ControlCharacter,
    #[error("the path is longer than 960 bytes of UTF-8")]
    TooLong,
    #[error("the path names a folder (it ends with `/`): give the key of one object")]
    NotAKey,
}

impl KeyError {
    /// The stable machine-readable name (`leading-slash`, ...), as in the WIT and the vectors.
    pub fn code(self) -> &'static str {
        match self {
            KeyError::Empty => "empty",
            KeyError::LeadingSlash => "leading-slash",
            KeyError::DotSegment => "dot-segment",
            KeyError::EmptySegment => "empty-segment",
            KeyError::ControlCharacter => "control-character",
            KeyError::TooLong => "too-long",
            KeyError::NotAKey => "not-a-key",
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

/// Validate and normalize one allowlist pattern. The normalized pattern is itself valid and at
/// most [`MAX_LEN`] bytes, so normalizing it again returns it unchanged: a folder `x/` becomes
/// `x/*`, and is refused as too long when that would exceed the limit.
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
    if !body.ends_with('/') {
        return Ok(body.to_owned());
    }
    if body.len() >= MAX_LEN {
        return Err(PathError::TooLong);
    }
    Ok(format!("{body}*"))
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

/// Check a secret prefix of the local vault (may end with `/`, or be empty for everything) with the
/// strict pattern alphabet: printable ASCII without spaces, `*` or `\\`.
pub fn check_path(raw: &str) -> Result<&str, PathError> {
    check_bytes(raw)?;
    if raw.contains('*') {
        return Err(PathError::MisplacedStar);
    }
    check_segments(raw)?;
    Ok(raw)
}

/// Check the path of one secret of the local vault (`aws/prod/key`) with the strict pattern
/// alphabet, because it becomes an environment variable name.
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

/// Key checks shared by object keys and listing prefixes: length, then the first control
/// character, then a leading `/`, then the segments (a trailing `/` is left to the caller).
fn check_key_text(raw: &str) -> Result<(), KeyError> {
    if raw.len() > MAX_KEY_LEN {
        return Err(KeyError::TooLong);
    }
    // C0 controls, DEL and the C1 controls (U+0080-U+009F) of Unicode's `Cc` category.
    if raw.chars().any(char::is_control) {
        return Err(KeyError::ControlCharacter);
    }
    if raw.starts_with('/') {
        return Err(KeyError::LeadingSlash);
    }
    let body = raw.strip_suffix('/').unwrap_or(raw);
    if body.is_empty() {
        return Ok(());
    }
    for seg in body.split('/') {
        match seg {
            "" => return Err(KeyError::EmptySegment),
            "." | ".." => return Err(KeyError::DotSegment),
            _ => {}
        }
    }
    Ok(())
}

/// Check the key of one object (External Connections, docs/design.md §3.1): any UTF-8 of 1 to
/// [`MAX_KEY_LEN`] bytes without a leading `/`, a `.`/`..` or empty segment, a control character,
/// or a trailing `/`. The key is returned unchanged: no host or rule normalizes it.
pub fn check_object_key(raw: &str) -> Result<&str, KeyError> {
    if raw.is_empty() {
        return Err(KeyError::Empty);
    }
    check_key_text(raw)?;
    if raw.ends_with('/') {
        return Err(KeyError::NotAKey);
    }
    Ok(raw)
}

/// Check a listing prefix (External Connections): empty for the root, a folder ending with `/`, or
/// the start of a name (`knowledge/Meeting`), with the rules of [`check_object_key`].
pub fn check_object_prefix(raw: &str) -> Result<&str, KeyError> {
    check_key_text(raw)?;
    Ok(raw)
}

/// Whether one normalized pattern grants a key: a byte-prefix test, or byte equality.
fn grants(pattern: &str, key: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => key.as_bytes().starts_with(prefix.as_bytes()),
        None => key.as_bytes() == pattern.as_bytes(),
    }
}

/// Whether any of the normalized patterns grants this object key. A key that
/// [`check_object_key`] rejects is never granted, even by `*`: hosts should check first, and a
/// host that forgot is still safe.
pub fn allows<S: AsRef<str>>(patterns: &[S], key: &str) -> bool {
    check_object_key(key).is_ok() && patterns.iter().any(|p| grants(p.as_ref(), key))
}

/// Whether any of the normalized patterns grants this secret path, which must also pass the strict
/// [`check_key`] (managed-token scopes of the local vault).
pub fn allows_secret<S: AsRef<str>>(patterns: &[S], path: &str) -> bool {
    check_key(path).is_ok() && patterns.iter().any(|p| grants(p.as_ref(), path))
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
    fn a_normalized_pattern_fits_the_limit_and_normalizes_to_itself() {
        // Found by the fuzz target `pattern_normalize`: a 1024-byte folder became a 1025-byte
        // pattern that `normalize` itself refused.
        let folder = format!("{}/", "k".repeat(MAX_LEN - 1));
        assert_eq!(normalize(&folder), Err(PathError::TooLong));
        let fits = format!("{}/", "k".repeat(MAX_LEN - 2));
        let n = normalize(&fits).unwrap();
        assert_eq!(n.len(), MAX_LEN);
        assert_eq!(normalize(&n), Ok(n.clone()));
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
    fn keys_are_real_names_not_patterns() {
        for k in
            ["kb/has space.md", "kb/caf\u{e9}.md", "kb/cafe\u{301}.md", "kb/star*.md", "kb/back\\slash.md", "a +b%#?('"]
        {
            assert_eq!(check_object_key(k), Ok(k));
            assert_eq!(check_object_prefix(k), Ok(k));
            assert!(check_key(k).is_err(), "{k:?}: secret paths keep the strict alphabet");
        }
        assert_eq!(check_object_key(&"\u{e9}".repeat(480)).map(str::len), Ok(MAX_KEY_LEN));
        assert_eq!(check_object_key(&"k".repeat(MAX_KEY_LEN + 1)), Err(KeyError::TooLong));
        assert_eq!(check_object_key("a\u{9f}b"), Err(KeyError::ControlCharacter));
        assert_eq!(check_object_key("kb/"), Err(KeyError::NotAKey));
        assert_eq!(check_object_prefix("kb/"), Ok("kb/"));
        assert_eq!(check_object_prefix(""), Ok(""));
        assert_eq!(check_object_key(""), Err(KeyError::Empty));
        assert_eq!(check_object_key("a//b"), Err(KeyError::EmptySegment));
        assert_eq!(check_object_key("a/../b"), Err(KeyError::DotSegment));
        // Byte comparison: the NFC spelling does not start with the NFD one's `cafe`.
        assert!(!allows(&["kb/cafe*"], "kb/caf\u{e9}.md"));
        assert!(allows(&["kb/cafe*"], "kb/cafe\u{301}.md"));
        assert!(!allows_secret(&["*"], "caf\u{e9}"));
    }

    #[test]
    fn covered_sources_are_dropped() {
        let pats = ["a/*", "a/b/*", "a/c.md", "*"];
        let plan = plan_listing(&pats, "", false);
        assert_eq!(plan, vec![ListingSource { prefix: String::new(), exact: false, rollup: None }]);
    }
}
