//! Credentials: `hqxc_` connection keys, `hqvt_` vault tokens, `hqvs_` session tokens.
//!
//! A token is its prefix and 49 base62 characters encoding 32 random bytes followed by their
//! CRC32 (big-endian). Only the reference, the lower-case hex SHA-256 of the whole token string,
//! is ever stored.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::patterns;
use crate::secret::SecretString;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Random bytes in a token body.
pub const RANDOM_LEN: usize = 32;
const RAW_LEN: usize = RANDOM_LEN + 4;
/// Base62 characters in a token body (enough for 36 bytes).
pub const BODY_LEN: usize = 49;
/// Length of every token string.
pub const TOKEN_LEN: usize = 5 + BODY_LEN;

/// The kinds of credential, told apart by their prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenKind {
    ConnectionKey,
    VaultToken,
    SessionToken,
}

impl TokenKind {
    /// The prefix, with its underscore.
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::ConnectionKey => "hqxc_",
            TokenKind::VaultToken => "hqvt_",
            TokenKind::SessionToken => "hqvs_",
        }
    }

    fn from_prefix(p: &str) -> Option<Self> {
        [Self::ConnectionKey, Self::VaultToken, Self::SessionToken].into_iter().find(|k| k.prefix() == p)
    }
}

/// Why a presented credential is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenError {
    #[error("no credential was given")]
    Empty,
    #[error("the credential does not start with hqxc_, hqvt_ or hqvs_")]
    UnknownPrefix,
    #[error("the credential has the wrong length: it looks truncated or has extra characters")]
    WrongLength,
    #[error("the credential has a character outside A-Z, a-z, 0-9 (a stray space or quote?)")]
    BadCharacter,
    #[error("the credential's checksum does not match: it was mistyped or damaged in copying")]
    BadChecksum,
}

/// Why a well-formed managed token may not be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenDenial {
    #[error("the token has expired: create a new one with `hq-vault token create`")]
    Expired,
    #[error("the token has been used as many times as it may be: create a new one")]
    Exhausted,
    #[error("the token was revoked")]
    Revoked,
    #[error("the path is outside the token's prefix scope")]
    OutOfScope,
}

/// The rules stored with a managed token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRules {
    pub expires_at_ms: Option<u64>,
    pub max_uses: Option<u32>,
    #[serde(default)]
    pub uses: u32,
    #[serde(default)]
    pub revoked: bool,
    /// Normalized patterns; empty means every path.
    #[serde(default)]
    pub scope: Vec<String>,
}

fn encode_base62(raw: &[u8; RAW_LEN]) -> [u8; BODY_LEN] {
    let mut num = *raw;
    let mut out = [b'0'; BODY_LEN];
    for slot in out.iter_mut().rev() {
        let mut rem: u32 = 0;
        for byte in num.iter_mut() {
            let acc = (rem << 8) | u32::from(*byte);
            *byte = (acc / 62) as u8;
            rem = acc % 62;
        }
        *slot = ALPHABET[rem as usize];
    }
    num.iter_mut().for_each(|b| *b = 0);
    out
}

fn digit(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 36),
        _ => None,
    }
}

/// Decode a 49-character body; `None` if the value does not fit in 36 bytes.
fn decode_base62(body: &[u8]) -> Option<Zeroizing<[u8; RAW_LEN]>> {
    let mut num = Zeroizing::new([0u8; RAW_LEN]);
    for &c in body {
        let mut carry = digit(c)?;
        for byte in num.iter_mut().rev() {
            let acc = u32::from(*byte) * 62 + carry;
            *byte = acc as u8;
            carry = acc >> 8;
        }
        if carry != 0 {
            return None;
        }
    }
    Some(num)
}

/// Mint a new credential of this kind from OS randomness. The caller shows it once and stores
/// only [`reference`].
pub fn mint(kind: TokenKind) -> SecretString {
    let mut raw = Zeroizing::new([0u8; RAW_LEN]);
    crate::rng::fill(&mut raw[..RANDOM_LEN]);
    let crc = crc32fast::hash(&raw[..RANDOM_LEN]);
    raw[RANDOM_LEN..].copy_from_slice(&crc.to_be_bytes());
    let body = Zeroizing::new(encode_base62(&raw));
    let mut s = String::with_capacity(TOKEN_LEN);
    s.push_str(kind.prefix());
    s.extend(body.iter().map(|&b| b as char));
    SecretString::new(s)
}

/// Check a credential's format and checksum and tell its kind. No lookup is made.
pub fn parse(token: &str) -> Result<TokenKind, TokenError> {
    if token.is_empty() {
        return Err(TokenError::Empty);
    }
    let kind = token.get(..5).and_then(TokenKind::from_prefix).ok_or(TokenError::UnknownPrefix)?;
    let body = &token.as_bytes()[5..];
    if body.iter().any(|&c| digit(c).is_none()) {
        return Err(TokenError::BadCharacter);
    }
    if body.len() != BODY_LEN {
        return Err(TokenError::WrongLength);
    }
    let raw = decode_base62(body).ok_or(TokenError::BadChecksum)?;
    let crc = crc32fast::hash(&raw[..RANDOM_LEN]).to_be_bytes();
    if crc[..].ct_eq(&raw[RANDOM_LEN..]).into() { Ok(kind) } else { Err(TokenError::BadChecksum) }
}

/// The credential's reference: lower-case hex SHA-256 of the whole token string.
pub fn reference(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compare two references in constant time (the length is not secret).
pub fn references_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Whether a managed token may be used now for this path (`None`: an operation without a path).
pub fn evaluate(rules: &TokenRules, now_ms: u64, path: Option<&str>) -> Result<(), TokenDenial> {
    if rules.revoked {
        return Err(TokenDenial::Revoked);
    }
    if rules.expires_at_ms.is_some_and(|t| now_ms >= t) {
        return Err(TokenDenial::Expired);
    }
    if rules.max_uses.is_some_and(|m| rules.uses >= m) {
        return Err(TokenDenial::Exhausted);
    }
    if let Some(p) = path
        && !rules.scope.is_empty()
        && !patterns::allows_secret(&rules.scope, p)
    {
        return Err(TokenDenial::OutOfScope);
    }
    Ok(())
}

/// Longest managed-token name, in bytes (a DNS label's limit: short enough for an audit line).
pub const NAME_MAX_LEN: usize = 63;

/// Names that stand for an actor of the vault itself in audit lines, so no managed token may
/// take them: `anonymous` (a failed authentication), `bootstrap` (the owner's token), `daemon`
/// (the idle lock and other work of the daemon), `unknown` (a connection read with no valid
/// key), and `owner`, `system`, kept free for the same use.
pub const RESERVED_NAMES: [&str; 6] = ["anonymous", "bootstrap", "daemon", "unknown", "owner", "system"];

/// The name rule in words, for error messages and help texts.
pub const NAME_RULE: &str = "a token name is 1-63 characters of lower-case a-z, 0-9, `.` and `-`, starting with a letter or a digit, and none of anonymous, bootstrap, daemon, unknown, owner, system";

/// Why a managed token's name was refused.
///
/// The rule: 1 to [`NAME_MAX_LEN`] bytes of `a-z`, `0-9`, `.`, `-`, starting with a letter or a
/// digit, and none of [`RESERVED_NAMES`]. Every other actor in an audit line is outside this
/// alphabet: connection ids (`conn_` + 16 hex), request ids (`req_…`) and credentials (`hqvt_…`)
/// all hold `_`, and no name is upper-case, so a token name can never read as another actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenNameError {
    #[error("the token name is empty: give one, such as `deploy-bot`")]
    Empty,
    #[error("the token name is longer than 63 bytes")]
    TooLong,
    #[error("the token name may hold only lower-case a-z, digits 0-9, `.` and `-` (such as `deploy-bot.prod`)")]
    BadCharacter,
    #[error("the token name must start with a lower-case letter or a digit")]
    BadFirstCharacter,
    #[error(
        "this token name is reserved for the vault's own audit actors (anonymous, bootstrap, daemon, unknown, owner, system): pick another"
    )]
    Reserved,
}

impl TokenNameError {
    /// The WIT case name (`bad-character`, …), as vectors and HTTP errors carry it.
    pub fn code(self) -> &'static str {
        match self {
            TokenNameError::Empty => "empty",
            TokenNameError::TooLong => "too-long",
            TokenNameError::BadCharacter => "bad-character",
            TokenNameError::BadFirstCharacter => "bad-first-character",
            TokenNameError::Reserved => "reserved",
        }
    }
}

/// Check a managed token's name (what audit lines show as its actor) against the rule of
/// [`TokenNameError`]. Checked in order: empty, too long, a character outside the alphabet, the
/// first character, reserved.
pub fn check_name(name: &str) -> Result<(), TokenNameError> {
    if name.is_empty() {
        return Err(TokenNameError::Empty);
    }
    if name.len() > NAME_MAX_LEN {
        return Err(TokenNameError::TooLong);
    }
    if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-') {
        return Err(TokenNameError::BadCharacter);
    }
    if !name.as_bytes()[0].is_ascii_alphanumeric() {
        return Err(TokenNameError::BadFirstCharacter);
    }
    if RESERVED_NAMES.contains(&name) {
        return Err(TokenNameError::Reserved);
    }
    Ok(())
}

/// Parse a duration such as `90s`, `15m`, `1h`, `7d` (at most 365 days) into milliseconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{t}` is not a duration: use a number and a unit, like 90s, 15m, 1h or 7d"))?;
    let unit_ms = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => {
            return Err(format!("`{t}` has no known unit: use s, m, h or d (90s, 15m, 1h, 7d)"));
        }
    };
    let ms = n.saturating_mul(unit_ms);
    if n == 0 || ms > 365 * 86_400_000 {
        return Err(format!("`{t}` is out of range: use between 1s and 365d"));
    }
    Ok(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_parse_and_differ() {
        let a = mint(TokenKind::ConnectionKey);
        let b = mint(TokenKind::ConnectionKey);
        let (a, b) = (a.expose_secret(), b.expose_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_LEN);
        assert_eq!(parse(a), Ok(TokenKind::ConnectionKey));
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'));
    }

    #[test]
    fn one_changed_character_is_caught() {
        let t = mint(TokenKind::VaultToken);
        let mut bytes = t.expose_secret().as_bytes().to_vec();
        let last = bytes.len() - 1;
        bytes[last] = if bytes[last] == b'a' { b'b' } else { b'a' };
        let changed = String::from_utf8(bytes).unwrap();
        assert_eq!(parse(&changed), Err(TokenError::BadChecksum));
    }

    #[test]
    fn rules_are_applied_in_order() {
        let mut r = TokenRules { max_uses: Some(2), uses: 2, ..Default::default() };
        assert_eq!(evaluate(&r, 0, None), Err(TokenDenial::Exhausted));
        r.revoked = true;
        assert_eq!(evaluate(&r, 0, None), Err(TokenDenial::Revoked));
        let s = TokenRules { scope: vec!["aws/*".into()], expires_at_ms: Some(10), ..Default::default() };
        assert_eq!(evaluate(&s, 9, Some("aws/key")), Ok(()));
        assert_eq!(evaluate(&s, 9, Some("gcp/key")), Err(TokenDenial::OutOfScope));
        assert_eq!(evaluate(&s, 10, Some("aws/key")), Err(TokenDenial::Expired));
    }

    #[test]
    fn the_rule_in_words_names_every_reserved_name() {
        for r in RESERVED_NAMES {
            assert!(NAME_RULE.contains(r), "{r}");
        }
    }

    #[test]
    fn token_names() {
        assert_eq!(check_name("deploy-bot.prod"), Ok(()));
        assert_eq!(check_name("0"), Ok(()));
        assert_eq!(check_name(""), Err(TokenNameError::Empty));
        assert_eq!(check_name(&"a".repeat(64)), Err(TokenNameError::TooLong));
        assert_eq!(check_name("conn_0123456789abcdef"), Err(TokenNameError::BadCharacter));
        assert_eq!(check_name("Bootstrap"), Err(TokenNameError::BadCharacter));
        assert_eq!(check_name("-x"), Err(TokenNameError::BadFirstCharacter));
        for r in RESERVED_NAMES {
            assert_eq!(check_name(r), Err(TokenNameError::Reserved));
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(90_000));
        assert_eq!(parse_duration("7d"), Ok(604_800_000));
        assert!(parse_duration("1y").is_err());
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("h").is_err());
    }
}
