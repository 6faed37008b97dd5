//! Keys and authenticated encryption.
//!
//! A vault has a random 32-byte data key that seals every secret. The data key is stored wrapped
//! (sealed) under a key-encryption key derived from the passphrase with Argon2id, so changing the
//! passphrase rewraps one blob and re-encrypts nothing. Sealed blobs are
//! `0x01 ‖ nonce (24) ‖ ciphertext ‖ tag (16)`, with the secret's path as associated data.

use argon2::{Algorithm, Argon2, AssociatedData, Block, ParamsBuilder, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

/// Version byte of sealed blobs.
const SEALED_V1: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Associated data of the wrapped data key.
const WRAP_AAD: &[u8] = b"hq-vault/data-key/v1";

/// Default Argon2id iterations.
pub const DEFAULT_T_COST: u32 = 3;
/// Default Argon2id memory, KiB (256 MiB).
pub const DEFAULT_M_COST_KIB: u32 = 262_144;
/// Default Argon2id lanes.
pub const DEFAULT_P_COST: u32 = 1;
/// Salt length for new vaults.
pub const SALT_LEN: usize = 16;

/// Why a cryptographic operation failed. No variant carries key material or plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CryptoError {
    #[error("the passphrase does not unlock this vault")]
    WrongPassphrase,
    #[error("the ciphertext was tampered with, truncated, or sealed for another path")]
    Tampered,
    #[error("the stored blob has an unknown format version or an impossible length")]
    BadFormat,
    #[error("the key-derivation parameters are out of range (t 1-64, m 8p KiB-4 GiB, p 1-16, salt 8-64 bytes)")]
    BadParameters,
    #[error("the key derivation could not get the memory it needs: free memory or lower m-cost")]
    OutOfMemory,
    #[error("the public key or signature is malformed, or the signature does not verify")]
    BadSignature,
}

/// Argon2id parameters, stored with the vault so they can be raised later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Random salt, hex in JSON.
    #[serde(with = "hex::serde")]
    pub salt: Vec<u8>,
    pub t_cost: u32,
    pub m_cost_kib: u32,
    pub p_cost: u32,
}

impl KdfParams {
    /// Fresh parameters with a new random salt.
    pub fn fresh(t_cost: u32, m_cost_kib: u32, p_cost: u32) -> Self {
        KdfParams { salt: crate::rng::bytes::<SALT_LEN>().to_vec(), t_cost, m_cost_kib, p_cost }
    }

    /// The defaults new vaults use, with a fresh salt.
    pub fn default_fresh() -> Self {
        Self::fresh(DEFAULT_T_COST, DEFAULT_M_COST_KIB, DEFAULT_P_COST)
    }

    fn check(&self) -> Result<(), CryptoError> {
        let ok = (8..=64).contains(&self.salt.len())
            && (1..=64).contains(&self.t_cost)
            && (1..=16).contains(&self.p_cost)
            && self.m_cost_kib >= 8 * self.p_cost
            && self.m_cost_kib <= 4 * 1024 * 1024;
        if ok { Ok(()) } else { Err(CryptoError::BadParameters) }
    }
}

/// Raw Argon2id v1.3 with optional secret and associated data.
///
/// The working memory is reserved fallibly, so a host with too little memory gets
/// [`CryptoError::OutOfMemory`] instead of an abort, and it is zeroized afterwards.
#[allow(clippy::too_many_arguments)] // mirrors the RFC 9106 inputs one for one
pub fn argon2id(
    password: &[u8],
    salt: &[u8],
    secret: &[u8],
    ad: &[u8],
    t_cost: u32,
    m_cost_kib: u32,
    p_cost: u32,
    out: &mut [u8],
) -> Result<(), CryptoError> {
    let mut builder = ParamsBuilder::new();
    builder.t_cost(t_cost).m_cost(m_cost_kib).p_cost(p_cost).output_len(out.len());
    if !ad.is_empty() {
        builder.data(AssociatedData::new(ad).map_err(|_| CryptoError::BadParameters)?);
    }
    let params = builder.build().map_err(|_| CryptoError::BadParameters)?;
    let blocks = params.block_count();
    let ctx = if secret.is_empty() {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    } else {
        Argon2::new_with_secret(secret, Algorithm::Argon2id, Version::V0x13, params)
            .map_err(|_| CryptoError::BadParameters)?
    };
    let mut memory: Vec<Block> = Vec::new();
    memory.try_reserve_exact(blocks).map_err(|_| CryptoError::OutOfMemory)?;
    memory.resize(blocks, Block::default());
    let result = ctx
        .hash_password_into_with_memory(password, salt, out, &mut memory[..])
        .map_err(|_| CryptoError::BadParameters);
    memory.iter_mut().for_each(Zeroize::zeroize);
    result
}

fn derive_kek(passphrase: &[u8], params: &KdfParams) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    params.check()?;
    let mut kek = Zeroizing::new([0u8; 32]);
    argon2id(passphrase, &params.salt, &[], &[], params.t_cost, params.m_cost_kib, params.p_cost, &mut kek[..])?;
    Ok(kek)
}

/// Raw XChaCha20-Poly1305 seal with a caller-chosen nonce: `ciphertext ‖ tag`.
/// Only for known-answer tests and for [`MasterKey::seal`], which always draws a fresh nonce.
pub fn xchacha_seal(key: &[u8], nonce: &[u8], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if nonce.len() != NONCE_LEN {
        return Err(CryptoError::BadFormat);
    }
    let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| CryptoError::BadFormat)?;
    cipher.encrypt(XNonce::from_slice(nonce), Payload { msg: plaintext, aad }).map_err(|_| CryptoError::BadFormat)
}

fn seal_with(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let nonce = crate::rng::bytes::<NONCE_LEN>();
    let ct = xchacha_seal(key, &nonce, plaintext, aad)?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
    out.push(SEALED_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

fn open_with(key: &[u8; 32], sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if sealed.len() < 1 + NONCE_LEN + TAG_LEN {
        return Err(CryptoError::Tampered);
    }
    if sealed[0] != SEALED_V1 {
        return Err(CryptoError::BadFormat);
    }
    let (nonce, ct) = sealed[1..].split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| CryptoError::BadFormat)?;
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Tampered)
}

/// A new vault's wrapped data key and the parameters it was wrapped with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewVault {
    #[serde(with = "hex::serde")]
    pub wrapped_key: Vec<u8>,
    pub params: KdfParams,
}

/// The vault's data key, unlocked. No `Debug`, no `Clone`; zeroized on drop.
pub struct MasterKey {
    key: Zeroizing<[u8; 32]>,
}

impl MasterKey {
    /// Create a vault: a fresh random data key, wrapped under a key derived from the passphrase.
    pub fn create(passphrase: &[u8], params: KdfParams) -> Result<(MasterKey, NewVault), CryptoError> {
        let key = MasterKey { key: Zeroizing::new(crate::rng::bytes::<32>()) };
        let vault = key.rewrap_with(passphrase, params)?;
        Ok((key, vault))
    }

    /// Unlock: derive the key-encryption key and unwrap the stored data key.
    pub fn unlock(passphrase: &[u8], params: &KdfParams, wrapped_key: &[u8]) -> Result<MasterKey, CryptoError> {
        let kek = derive_kek(passphrase, params)?;
        let dk = open_with(&kek, wrapped_key, WRAP_AAD).map_err(|e| match e {
            CryptoError::Tampered => CryptoError::WrongPassphrase,
            other => other,
        })?;
        let bytes: [u8; 32] = dk.as_slice().try_into().map_err(|_| CryptoError::BadFormat)?;
        Ok(MasterKey { key: Zeroizing::new(bytes) })
    }

    /// Wrap the same data key under a new passphrase and parameters.
    pub fn rewrap_with(&self, passphrase: &[u8], params: KdfParams) -> Result<NewVault, CryptoError> {
        let kek = derive_kek(passphrase, &params)?;
        let wrapped_key = seal_with(&kek, &self.key[..], WRAP_AAD)?;
        Ok(NewVault { wrapped_key, params })
    }

    /// Seal with a fresh random nonce; `aad` is the secret's path.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        seal_with(&self.key, plaintext, aad)
    }

    /// Open a sealed blob; fails if anything was changed or `aad` differs.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        open_with(&self.key, sealed, aad)
    }
}

/// Domain separation of key transfers between two instances.
const TRANSFER_DOMAIN: &[u8] = b"hq-vault/key-transfer/v1";

fn transfer_key(shared: &[u8; 32], sender: &[u8; 32], recipient: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(TRANSFER_DOMAIN);
    h.update(sender);
    h.update(recipient);
    h.update(shared);
    Zeroizing::new(h.finalize().into())
}

impl MasterKey {
    /// Seal this key to a [`KeyReceiver`]'s public key, so that it can move to another instance
    /// without its bytes ever leaving a component: X25519 with a fresh ephemeral key, SHA-256 over
    /// both public keys and the shared secret, XChaCha20-Poly1305. Blob: `ephemeral public ‖ sealed`.
    pub fn export_to(&self, recipient: &[u8]) -> Result<Vec<u8>, CryptoError> {
        seal_to(recipient, &self.key[..])
    }

    /// The vault's audit key (see [`crate::audit::AuditKey`]).
    pub fn audit_key(&self) -> crate::audit::AuditKey {
        crate::audit::AuditKey::derive(&self.key)
    }

    /// Seal this vault's audit key (not the data key) to a [`KeyReceiver`], as [`Self::export_to`]
    /// does: the instance that writes the audit log gets the audit key and never the data key.
    pub fn export_audit_key_to(&self, recipient: &[u8]) -> Result<Vec<u8>, CryptoError> {
        seal_to(recipient, &self.audit_key().bytes()[..])
    }
}

/// Seal 32 key bytes to a receiver's X25519 public key (see [`MasterKey::export_to`]).
fn seal_to(recipient: &[u8], key: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let r: [u8; 32] = recipient.try_into().map_err(|_| CryptoError::BadFormat)?;
    let r_pub = x25519_dalek::PublicKey::from(r);
    let e = x25519_dalek::StaticSecret::from(crate::rng::bytes::<32>());
    let e_pub = x25519_dalek::PublicKey::from(&e);
    let shared = e.diffie_hellman(&r_pub);
    if !shared.was_contributory() {
        return Err(CryptoError::BadFormat);
    }
    let k = transfer_key(shared.as_bytes(), e_pub.as_bytes(), &r);
    let sealed = seal_with(&k, key, TRANSFER_DOMAIN)?;
    let mut out = e_pub.as_bytes().to_vec();
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The receiving end of a key transfer: an X25519 key pair that never leaves this instance.
pub struct KeyReceiver {
    secret: x25519_dalek::StaticSecret,
}

impl Default for KeyReceiver {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyReceiver {
    pub fn new() -> KeyReceiver {
        KeyReceiver { secret: x25519_dalek::StaticSecret::from(crate::rng::bytes::<32>()) }
    }

    /// The public key to give to [`MasterKey::export_to`] in the other instance.
    pub fn public_key(&self) -> [u8; 32] {
        x25519_dalek::PublicKey::from(&self.secret).to_bytes()
    }

    /// Open a blob from [`MasterKey::export_to`].
    pub fn accept(&self, blob: &[u8]) -> Result<MasterKey, CryptoError> {
        Ok(MasterKey { key: self.open_transfer(blob)? })
    }

    /// Open a blob from [`MasterKey::export_audit_key_to`].
    pub fn accept_audit_key(&self, blob: &[u8]) -> Result<crate::audit::AuditKey, CryptoError> {
        Ok(crate::audit::AuditKey::from_bytes(*self.open_transfer(blob)?))
    }

    fn open_transfer(&self, blob: &[u8]) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
        if blob.len() < 32 {
            return Err(CryptoError::Tampered);
        }
        let (e, sealed) = blob.split_at(32);
        let e: [u8; 32] = e.try_into().map_err(|_| CryptoError::BadFormat)?;
        let shared = self.secret.diffie_hellman(&x25519_dalek::PublicKey::from(e));
        if !shared.was_contributory() {
            return Err(CryptoError::Tampered);
        }
        let k = transfer_key(shared.as_bytes(), &e, &self.public_key());
        let dk = open_with(&k, sealed, TRANSFER_DOMAIN)?;
        let bytes: [u8; 32] = dk.as_slice().try_into().map_err(|_| CryptoError::BadFormat)?;
        Ok(Zeroizing::new(bytes))
    }
}

/// Verify an Ed25519 signature with strict RFC 8032 rules (no malleable or small-order keys).
pub fn verify_signature(public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
    let pk: [u8; 32] = public_key.try_into().map_err(|_| CryptoError::BadSignature)?;
    let sig: [u8; 64] = signature.try_into().map_err(|_| CryptoError::BadSignature)?;
    let vk = VerifyingKey::from_bytes(&pk).map_err(|_| CryptoError::BadSignature)?;
    vk.verify_strict(message, &Signature::from_bytes(&sig)).map_err(|_| CryptoError::BadSignature)
}

/// SHA-256, lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> KdfParams {
        KdfParams::fresh(1, 64, 1)
    }

    #[test]
    fn unlock_with_the_right_passphrase_only() {
        let (key, vault) = MasterKey::create(b"correct horse", cheap()).unwrap();
        let sealed = key.seal(b"value", b"a/b").unwrap();
        let again = MasterKey::unlock(b"correct horse", &vault.params, &vault.wrapped_key).unwrap();
        assert_eq!(&again.open(&sealed, b"a/b").unwrap()[..], b"value");
        assert!(matches!(
            MasterKey::unlock(b"wrong", &vault.params, &vault.wrapped_key),
            Err(CryptoError::WrongPassphrase)
        ));
    }

    #[test]
    fn rewrap_keeps_the_data_key() {
        let (key, _) = MasterKey::create(b"old", cheap()).unwrap();
        let sealed = key.seal(b"v", b"p").unwrap();
        let newer = key.rewrap_with(b"new", cheap()).unwrap();
        let k2 = MasterKey::unlock(b"new", &newer.params, &newer.wrapped_key).unwrap();
        assert_eq!(&k2.open(&sealed, b"p").unwrap()[..], b"v");
    }

    #[test]
    fn moved_or_truncated_ciphertext_fails() {
        let (key, _) = MasterKey::create(b"pw", cheap()).unwrap();
        let sealed = key.seal(b"value", b"a").unwrap();
        assert!(matches!(key.open(&sealed, b"b"), Err(CryptoError::Tampered)));
        assert!(matches!(key.open(&sealed[..20], b"a"), Err(CryptoError::Tampered)));
        assert_ne!(key.seal(b"value", b"a").unwrap(), sealed, "nonces must differ");
    }

    #[test]
    fn a_key_moves_to_a_receiver_and_nowhere_else() {
        let (key, _) = MasterKey::create(b"pw", cheap()).unwrap();
        let sealed = key.seal(b"v", b"p").unwrap();
        let rx = KeyReceiver::new();
        let blob = key.export_to(&rx.public_key()).unwrap();
        let moved = rx.accept(&blob).unwrap();
        assert_eq!(&moved.open(&sealed, b"p").unwrap()[..], b"v");
        assert!(matches!(KeyReceiver::new().accept(&blob), Err(CryptoError::Tampered)));
        let mut bad = blob.clone();
        bad[40] ^= 1;
        assert!(matches!(rx.accept(&bad), Err(CryptoError::Tampered)));
        assert!(key.export_to(&[0u8; 32]).is_err(), "a low-order recipient is refused");
    }

    #[test]
    fn parameters_are_checked() {
        let bad = KdfParams { salt: vec![0; 4], t_cost: 1, m_cost_kib: 64, p_cost: 1 };
        assert!(matches!(MasterKey::create(b"x", bad), Err(CryptoError::BadParameters)));
    }
}
