//! Host side of `hq:vault/patterns`.

use hq_vault_core::patterns::{AllowlistError, ListingSource, PathError};
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

pub(super) fn source(s: w::ListingSource) -> ListingSource {
    ListingSource { prefix: s.prefix, exact: s.exact, rollup: s.rollup }
}

impl Instance {
    /// Validate and normalize one allowlist pattern.
    pub fn normalize(&mut self, raw: &str) -> Result<Result<String, PathError>> {
        Ok(self.core.hq_vault_patterns().call_normalize(&mut self.store, raw)?.map_err(path_err))
    }

    /// Validate and normalize a whole allowlist.
    pub fn normalize_all(&mut self, raw: &[String]) -> Result<Result<Vec<String>, AllowlistError>> {
        let r = self.core.hq_vault_patterns().call_normalize_all(&mut self.store, raw)?;
        Ok(r.map_err(|e| match e {
            w::AllowlistError::None => AllowlistError::None,
            w::AllowlistError::TooMany(n) => AllowlistError::TooMany(n),
            w::AllowlistError::Invalid(i) => AllowlistError::Invalid { index: i.index, reason: path_err(i.reason) },
        }))
    }

    /// Check a requested path (a key, a listing prefix, or empty for the root).
    pub fn check_path(&mut self, raw: &str) -> Result<Result<String, PathError>> {
        Ok(self.core.hq_vault_patterns().call_check_path(&mut self.store, raw)?.map_err(path_err))
    }

    /// Check a path that must name exactly one object or secret.
    pub fn check_key(&mut self, raw: &str) -> Result<Result<String, PathError>> {
        Ok(self.core.hq_vault_patterns().call_check_key(&mut self.store, raw)?.map_err(path_err))
    }

    /// Whether any of the normalized patterns grants this checked key.
    pub fn allows(&mut self, patterns: &[String], key: &str) -> Result<bool> {
        self.core.hq_vault_patterns().call_allows(&mut self.store, patterns, key)
    }

    /// Plan a listing of `prefix` under the patterns.
    pub fn plan_listing(&mut self, patterns: &[String], prefix: &str, delimited: bool) -> Result<Vec<ListingSource>> {
        let r = self.core.hq_vault_patterns().call_plan_listing(&mut self.store, patterns, prefix, delimited)?;
        Ok(r.into_iter().map(source).collect())
    }
}
