//! Host side of `hq:vault/tokens`.

use wasmtime::Result;
use zeroize::Zeroizing;

use super::Instance;
use super::bindings::exports::hq::vault::tokens as w;

/// A credential as minted: shown once to its owner, zeroized when dropped, and never printed
/// (no `Debug`, no `Display`).
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// The credential's text, to show once or to write to its private file.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl Instance {
    /// Length of every well-formed credential.
    pub fn token_length(&mut self) -> Result<u32> {
        self.exports.hq_vault_tokens().call_token_length(&mut self.store)
    }

    /// Mint a credential; the caller shows it once and stores only its reference.
    pub fn mint(&mut self, kind: w::TokenKind) -> Result<SecretString> {
        Ok(SecretString(Zeroizing::new(self.exports.hq_vault_tokens().call_mint(&mut self.store, kind)?)))
    }

    /// Check a credential's format and checksum.
    pub fn parse_token(&mut self, token: &str) -> Result<Result<w::TokenKind, w::TokenError>> {
        self.exports.hq_vault_tokens().call_parse(&mut self.store, token)
    }

    /// The credential's reference (hex SHA-256).
    pub fn reference(&mut self, token: &str) -> Result<String> {
        self.exports.hq_vault_tokens().call_reference(&mut self.store, token)
    }

    /// Compare two references in constant time.
    pub fn references_equal(&mut self, a: &str, b: &str) -> Result<bool> {
        self.exports.hq_vault_tokens().call_references_equal(&mut self.store, a, b)
    }

    /// Whether a managed token may be used now for this path.
    pub fn evaluate(
        &mut self,
        rules: &w::TokenRules,
        now_ms: u64,
        path: Option<&str>,
    ) -> Result<Result<(), w::TokenDenial>> {
        self.exports.hq_vault_tokens().call_evaluate(&mut self.store, rules, now_ms, path)
    }

    /// Parse `90s`, `15m`, `1h`, `7d` into milliseconds.
    pub fn parse_duration(&mut self, text: &str) -> Result<Result<u64, String>> {
        self.exports.hq_vault_tokens().call_parse_duration(&mut self.store, text)
    }

    /// Check a managed token's name against the core's rule (alphabet, length, reserved actors).
    pub fn check_token_name(&mut self, name: &str) -> Result<Result<(), w::TokenNameError>> {
        self.exports.hq_vault_tokens().call_check_token_name(&mut self.store, name)
    }
}
