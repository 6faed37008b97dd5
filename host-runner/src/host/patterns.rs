//! Host side of `hq:vault/patterns`.

use wasmtime::Result;

use super::Instance;
use super::bindings::exports::hq::vault::patterns as w;

impl Instance {
    /// Validate and normalize one allowlist pattern.
    pub fn normalize(&mut self, raw: &str) -> Result<Result<String, w::PathError>> {
        self.exports.hq_vault_patterns().call_normalize(&mut self.store, raw)
    }

    /// Validate and normalize a whole allowlist.
    pub fn normalize_all(&mut self, raw: &[String]) -> Result<Result<Vec<String>, w::AllowlistError>> {
        self.exports.hq_vault_patterns().call_normalize_all(&mut self.store, raw)
    }

    /// Check a secret prefix (strict pattern alphabet; empty for every secret).
    pub fn check_path(&mut self, raw: &str) -> Result<Result<String, w::PathError>> {
        self.exports.hq_vault_patterns().call_check_path(&mut self.store, raw)
    }

    /// Check the path of one secret (strict pattern alphabet).
    pub fn check_key(&mut self, raw: &str) -> Result<Result<String, w::PathError>> {
        self.exports.hq_vault_patterns().call_check_key(&mut self.store, raw)
    }

    /// What a refused path means and how to fix it, in the core's words.
    pub fn describe_path_error(&mut self, error: w::PathError) -> Result<String> {
        self.exports.hq_vault_patterns().call_describe_path_error(&mut self.store, error)
    }

    /// Check the key of one object of External Connections (any UTF-8 up to 960 bytes, docs/design.md §3.1).
    pub fn check_object_key(&mut self, raw: &str) -> Result<Result<String, w::KeyError>> {
        self.exports.hq_vault_patterns().call_check_object_key(&mut self.store, raw)
    }

    /// Check a listing prefix of External Connections (empty for the root).
    pub fn check_object_prefix(&mut self, raw: &str) -> Result<Result<String, w::KeyError>> {
        self.exports.hq_vault_patterns().call_check_object_prefix(&mut self.store, raw)
    }

    /// Whether any of the normalized patterns grants this object key.
    pub fn allows(&mut self, patterns: &[String], key: &str) -> Result<bool> {
        self.exports.hq_vault_patterns().call_allows(&mut self.store, patterns, key)
    }

    /// Plan a listing of `prefix` under the patterns.
    pub fn plan_listing(
        &mut self,
        patterns: &[String],
        prefix: &str,
        delimited: bool,
    ) -> Result<Vec<w::ListingSource>> {
        self.exports.hq_vault_patterns().call_plan_listing(&mut self.store, patterns, prefix, delimited)
    }
}
