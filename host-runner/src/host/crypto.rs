//! Host side of `hq:vault/crypto`: the `master-key` resource and the primitives.
//!
//! The key bytes stay inside the component; the host holds only a resource handle.

use hq_vault_core::crypto::{CryptoError, KdfParams, NewVault};
use wasmtime::Result;
use wasmtime::component::ResourceAny;
use zeroize::Zeroizing;

use super::Instance;
use super::bindings::exports::hq::vault::crypto as w;

/// A handle to an unlocked key inside one instance. Give it back with [`Instance::drop_key`].
pub struct MasterKey(ResourceAny);

fn err(e: w::CryptoError) -> CryptoError {
    use w::CryptoError as W;
    match e {
        W::WrongPassphrase => CryptoError::WrongPassphrase,
        W::Tampered => CryptoError::Tampered,
        W::BadFormat => CryptoError::BadFormat,
        W::BadParameters => CryptoError::BadParameters,
        W::OutOfMemory => CryptoError::OutOfMemory,
        W::BadSignature => CryptoError::BadSignature,
    }
}

fn params_from_wit(p: w::KdfParams) -> KdfParams {
    KdfParams { salt: p.salt, t_cost: p.t_cost, m_cost_kib: p.m_cost_kib, p_cost: p.p_cost }
}

fn vault_from_wit(v: w::NewVault) -> NewVault {
    NewVault { wrapped_key: v.wrapped_key, params: params_from_wit(v.params) }
}

impl Instance {
    /// Create a vault: a fresh data key wrapped under the passphrase.
    pub fn create_vault(
        &mut self,
        passphrase: &str,
        t_cost: u32,
        m_cost_kib: u32,
        p_cost: u32,
    ) -> Result<Result<(MasterKey, NewVault), CryptoError>> {
        let r = self.exports.hq_vault_crypto().master_key().call_create(
            &mut self.store,
            passphrase,
            t_cost,
            m_cost_kib,
            p_cost,
        )?;
        Ok(r.map(|(k, v)| (MasterKey(k), vault_from_wit(v))).map_err(err))
    }

    /// Unlock a vault with its passphrase.
    pub fn unlock(
        &mut self,
        passphrase: &str,
        params: &KdfParams,
        wrapped_key: &[u8],
    ) -> Result<Result<MasterKey, CryptoError>> {
        let p = w::KdfParams {
            salt: params.salt.clone(),
            t_cost: params.t_cost,
            m_cost_kib: params.m_cost_kib,
            p_cost: params.p_cost,
        };
        let r =
            self.exports.hq_vault_crypto().master_key().call_unlock(&mut self.store, passphrase, &p, wrapped_key)?;
        Ok(r.map(MasterKey).map_err(err))
    }

    /// Wrap the same data key under a new passphrase.
    pub fn rewrap(
        &mut self,
        key: &MasterKey,
        passphrase: &str,
        t: u32,
        m: u32,
        p: u32,
    ) -> Result<Result<NewVault, CryptoError>> {
        let r = self.exports.hq_vault_crypto().master_key().call_rewrap(&mut self.store, key.0, passphrase, t, m, p)?;
        Ok(r.map(vault_from_wit).map_err(err))
    }

    /// Seal a value for a path.
    pub fn seal(&mut self, key: &MasterKey, plaintext: &[u8], aad: &[u8]) -> Result<Result<Vec<u8>, CryptoError>> {
        let r = self.exports.hq_vault_crypto().master_key().call_seal(&mut self.store, key.0, plaintext, aad)?;
        Ok(r.map_err(err))
    }

    /// Open a sealed value for a path.
    pub fn open(
        &mut self,
        key: &MasterKey,
        sealed: &[u8],
        aad: &[u8],
    ) -> Result<Result<Zeroizing<Vec<u8>>, CryptoError>> {
        let r = self.exports.hq_vault_crypto().master_key().call_open(&mut self.store, key.0, sealed, aad)?;
        Ok(r.map(Zeroizing::new).map_err(err))
    }

    /// Move a key from `from` into this instance without its bytes leaving the components:
    /// a receiver here, `export-to` there, `accept` here. The key in `from` is dropped.
    pub fn receive_key(&mut self, from: &mut Instance, key: MasterKey) -> Result<Result<MasterKey, CryptoError>> {
        let kr = self.exports.hq_vault_crypto().key_receiver();
        let receiver = kr.call_constructor(&mut self.store)?;
        let public = kr.call_public_key(&mut self.store, receiver)?;
        let blob = from.exports.hq_vault_crypto().master_key().call_export_to(&mut from.store, key.0, &public)?;
        from.drop_key(key)?;
        let result = match blob {
            Ok(blob) => kr.call_accept(&mut self.store, receiver, &blob)?.map(MasterKey).map_err(err),
            Err(e) => Err(err(e)),
        };
        receiver.resource_drop(&mut self.store)?;
        Ok(result)
    }

    /// Give this instance the vault's audit key, derived from `key` in `from`: only the audit key
    /// moves (sealed to a receiver here), never the data key, and its bytes stay in components.
    pub fn receive_audit_key(
        &mut self,
        from: &mut Instance,
        key: &MasterKey,
    ) -> Result<Result<super::AuditKey, CryptoError>> {
        let kr = self.exports.hq_vault_crypto().key_receiver();
        let receiver = kr.call_constructor(&mut self.store)?;
        let public = kr.call_public_key(&mut self.store, receiver)?;
        let blob =
            from.exports.hq_vault_crypto().master_key().call_export_audit_key_to(&mut from.store, key.0, &public)?;
        let result = match blob {
            Ok(blob) => kr.call_accept_audit_key(&mut self.store, receiver, &blob)?.map(super::AuditKey).map_err(err),
            Err(e) => Err(err(e)),
        };
        receiver.resource_drop(&mut self.store)?;
        Ok(result)
    }

    /// The vault's audit key, in this instance (offline `audit verify`).
    pub fn audit_key_of(&mut self, key: &MasterKey) -> Result<super::AuditKey> {
        Ok(super::AuditKey(self.exports.hq_vault_crypto().master_key().call_audit_key(&mut self.store, key.0)?))
    }

    /// Drop a key: the component zeroizes it.
    pub fn drop_key(&mut self, key: MasterKey) -> Result<()> {
        key.0.resource_drop(&mut self.store)
    }

    /// Verify an Ed25519 signature.
    pub fn verify_signature(&mut self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<Result<(), CryptoError>> {
        Ok(self.exports.hq_vault_crypto().call_verify_signature(&mut self.store, pk, msg, sig)?.map_err(err))
    }

    /// Raw Argon2id (known-answer tests).
    #[allow(clippy::too_many_arguments)]
    pub fn argon2id(
        &mut self,
        password: &[u8],
        salt: &[u8],
        secret: &[u8],
        ad: &[u8],
        t: u32,
        m: u32,
        p: u32,
        len: u32,
    ) -> Result<Result<Vec<u8>, CryptoError>> {
        let r =
            self.exports.hq_vault_crypto().call_argon2id(&mut self.store, password, salt, secret, ad, t, m, p, len)?;
        Ok(r.map_err(err))
    }

    /// Raw XChaCha20-Poly1305 with a chosen nonce (known-answer tests).
    pub fn xchacha_seal(
        &mut self,
        key: &[u8],
        nonce: &[u8],
        pt: &[u8],
        aad: &[u8],
    ) -> Result<Result<Vec<u8>, CryptoError>> {
        Ok(self.exports.hq_vault_crypto().call_xchacha_seal(&mut self.store, key, nonce, pt, aad)?.map_err(err))
    }

    /// SHA-256, hex.
    pub fn sha256_hex(&mut self, data: &[u8]) -> Result<String> {
        self.exports.hq_vault_crypto().call_sha256_hex(&mut self.store, data)
    }
}
