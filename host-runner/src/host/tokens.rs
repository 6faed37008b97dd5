//! Host side of `hq:vault/tokens`.

use hq_vault_core::secret::SecretString;
use hq_vault_core::tokens::{TokenDenial, TokenError, TokenKind, TokenNameError, TokenRules};
use wasmtime::Result;

use super::Instance;
use super::bindings::exports::hq::vault::tokens as w;

impl Instance {
    /// Length of every well-formed credential.
    pub fn token_length(&mut self) -> Result<u32> {
        self.exports.hq_vault_tokens().call_token_length(&mut self.store)
    }

    /// Mint a credential; the caller shows it once and stores only its reference.
    pub fn mint(&mut self, kind: TokenKind) -> Result<SecretString> {
        let k = match kind {
            TokenKind::ConnectionKey => w::TokenKind::ConnectionKey,
            TokenKind::VaultToken => w::TokenKind::VaultToken,
            TokenKind::SessionToken => w::TokenKind::SessionToken,
        };
        Ok(SecretString::new(self.exports.hq_vault_tokens().call_mint(&mut self.store, k)?))
    }

    /// Check a credential's format and checksum.
    pub fn parse_token(&mut self, token: &str) -> Result<Result<TokenKind, TokenError>> {
        let r = self.exports.hq_vault_tokens().call_parse(&mut self.store, token)?;
        Ok(r.map(|k| match k {
            w::TokenKind::ConnectionKey => TokenKind::ConnectionKey,
            w::TokenKind::VaultToken => TokenKind::VaultToken,
            w::TokenKind::SessionToken => TokenKind::SessionToken,
        })
        .map_err(|e| match e {
            w::TokenError::Empty => TokenError::Empty,
            w::TokenError::UnknownPrefix => TokenError::UnknownPrefix,
            w::TokenError::WrongLength => TokenError::WrongLength,
            w::TokenError::BadCharacter => TokenError::BadCharacter,
            w::TokenError::BadChecksum => TokenError::BadChecksum,
        }))
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
    pub fn evaluate(&mut self, rules: &TokenRules, now_ms: u64, path: Option<&str>) -> Result<Result<(), TokenDenial>> {
        let r = w::TokenRules {
            expires_at_ms: rules.expires_at_ms,
            max_uses: rules.max_uses,
            uses: rules.uses,
            revoked: rules.revoked,
            scope: rules.scope.clone(),
        };
        let out = self.exports.hq_vault_tokens().call_evaluate(&mut self.store, &r, now_ms, path)?;
        Ok(out.map_err(|d| match d {
            w::TokenDenial::Expired => TokenDenial::Expired,
            w::TokenDenial::Exhausted => TokenDenial::Exhausted,
            w::TokenDenial::Revoked => TokenDenial::Revoked,
            w::TokenDenial::OutOfScope => TokenDenial::OutOfScope,
        }))
    }

    /// Parse `90s`, `15m`, `1h`, `7d` into milliseconds.
    pub fn parse_duration(&mut self, text: &str) -> Result<Result<u64, String>> {
        self.exports.hq_vault_tokens().call_parse_duration(&mut self.store, text)
    }

    /// Check a managed token's name against the core's rule (alphabet, length, reserved actors).
    pub fn check_token_name(&mut self, name: &str) -> Result<Result<(), TokenNameError>> {
        let r = self.exports.hq_vault_tokens().call_check_token_name(&mut self.store, name)?;
        Ok(r.map_err(|e| match e {
            w::TokenNameError::Empty => TokenNameError::Empty,
            w::TokenNameError::TooLong => TokenNameError::TooLong,
            w::TokenNameError::BadCharacter => TokenNameError::BadCharacter,
            w::TokenNameError::BadFirstCharacter => TokenNameError::BadFirstCharacter,
            w::TokenNameError::Reserved => TokenNameError::Reserved,
        }))
    }
}
