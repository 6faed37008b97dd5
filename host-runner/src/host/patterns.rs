//! Host side of `hq:vault/patterns`.

use hq_vault_core::patterns::{AllowlistError, KeyError, ListingSource, PathError};
use wasmtime::Result;

use super::Instance;
use super::bindings::exports::hq::vault::patterns as w;

pub(super) fn path_err(e: w::PathError) -> PathError {
    use w::PathError as W;
    match e {
        W::Empty => PathError::Empty,
        W::LeadingSlash => PathError::LeadingSlash,
        W::DotSegment => PathError::DotSegment,
        W::EmptySegment => PathError::EmptySegment,
        W::MisplacedStar => PathError::MisplacedStar,
        W::Backslash => PathError::Backslash,
        W::ControlCharacter => PathError::ControlCharacter,
        W::Whitespace => PathError::Whitespace,
        W::NonAscii => PathError::NonAscii,
        W::TooLong => PathError::TooLong,
        W::NotAKey => PathError::NotAKey,
    }
}

pub(super) fn key_err(e: w::KeyError) -> KeyError {
    use w::KeyError as W;
    match e {
        W::Empty => KeyError::Empty,
        W::LeadingSlash => KeyError::LeadingSlash,
        W::DotSegment => KeyError::DotSegment,
        W::EmptySegment => KeyError::EmptySegment,
        W::ControlCharacter => KeyError::ControlCharacter,
        W::TooLong => KeyError::TooLong,
        W::NotAKey => KeyError::NotAKey,
    }
}

pub(super) fn source(s: w::ListingSource) -> ListingSource {
    ListingSource { prefix: s.prefix, exact: s.exact, rollup: s.rollup }
}

impl Instance {
    /// Validate and normalize one allowlist pattern.
    pub fn normalize(&mut self, raw: &str) -> Result<Result<String, PathError>> {
        Ok(self.exports.hq_vault_patterns().call_normalize(&mut self.store, raw)?.map_err(path_err))
    }

    /// Validate and normalize a whole allowlist.
    pub fn normalize_all(&mut self, raw: &[String]) -> Result<Result<Vec<String>, AllowlistError>> {
        let r = self.exports.hq_vault_patterns().call_normalize_all(&mut self.store, raw)?;
        Ok(r.map_err(|e| match e {
            w::AllowlistError::None => AllowlistError::None,
            w::AllowlistError::TooMany(n) => AllowlistError::TooMany(n),
            w::AllowlistError::Invalid(i) => AllowlistError::Invalid { index: i.index, reason: path_err(i.reason) },
        }))
    }

    /// Check a secret prefix (strict pattern alphabet; empty for every secret).
    pub fn check_path(&mut self, raw: &str) -> Result<Result<String, PathError>> {
        Ok(self.exports.hq_vault_patterns().call_check_path(&mut self.store, raw)?.map_err(path_err))
    }

    /// Check the path of one secret (strict pattern alphabet).
    pub fn check_key(&mut self, raw: &str) -> Result<Result<String, PathError>> {
        Ok(self.exports.hq_vault_patterns().call_check_key(&mut self.store, raw)?.map_err(path_err))
    }

    /// Check the key of one object of External Connections (any UTF-8 up to 960 bytes, docs/design.md §3.1).
    pub fn check_object_key(&mut self, raw: &str) -> Result<Result<String, KeyError>> {
        Ok(self.exports.hq_vault_patterns().call_check_object_key(&mut self.store, raw)?.map_err(key_err))
    }

    /// Check a listing prefix of External Connections (empty for the root).
    pub fn check_object_prefix(&mut self, raw: &str) -> Result<Result<String, KeyError>> {
        Ok(self.exports.hq_vault_patterns().call_check_object_prefix(&mut self.store, raw)?.map_err(key_err))
    }

    /// Whether any of the normalized patterns grants this object key.
    pub fn allows(&mut self, patterns: &[String], key: &str) -> Result<bool> {
        self.exports.hq_vault_patterns().call_allows(&mut self.store, patterns, key)
    }

    /// Plan a listing of `prefix` under the patterns.
    pub fn plan_listing(&mut self, patterns: &[String], prefix: &str, delimited: bool) -> Result<Vec<ListingSource>> {
        let r = self.exports.hq_vault_patterns().call_plan_listing(&mut self.store, patterns, prefix, delimited)?;
        Ok(r.into_iter().map(source).collect())
    }
}
