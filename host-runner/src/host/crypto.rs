//! Host side of `hq:vault/crypto`: the `master-key` resource and the primitives.
//!
//! The key bytes stay inside the component; the host holds only a resource handle.

use wasmtime::Result;
use wasmtime::component::ResourceAny;
use zeroize::Zeroizing;

use super::Instance;
use super::bindings::exports::hq::vault::crypto::{CryptoError, KdfParams, NewVault};

/// A handle to an unlocked key inside one instance. Give it back with [`Instance::drop_key`].
pub struct MasterKey(ResourceAny);

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
        Ok(r.map(|(k, v)| (MasterKey(k), v)))
    }

    /// Unlock a vault with its passphrase.
    pub fn unlock(
        &mut self,
        passphrase: &str,
        params: &KdfParams,
        wrapped_key: &[u8],
    ) -> Result<Result<MasterKey, CryptoError>> {
        let r = self.exports.hq_vault_crypto().master_key().call_unlock(
            &mut self.store,
            passphrase,
            params,
            wrapped_key,
        )?;
        Ok(r.map(MasterKey))
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
        Ok(r)
    }

    /// Seal a value for a path.
    pub fn seal(&mut self, key: &MasterKey, plaintext: &[u8], aad: &[u8]) -> Result<Result<Vec<u8>, CryptoError>> {
        self.exports.hq_vault_crypto().master_key().call_seal(&mut self.store, key.0, plaintext, aad)
    }

    /// Open a sealed value for a path.
    pub fn open(
        &mut self,
        key: &MasterKey,
        sealed: &[u8],
        aad: &[u8],
    ) -> Result<Result<Zeroizing<Vec<u8>>, CryptoError>> {
        let r = self.exports.hq_vault_crypto().master_key().call_open(&mut self.store, key.0, sealed, aad)?;
        Ok(r.map(Zeroizing::new))
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
            Ok(blob) => kr.call_accept(&mut self.store, receiver, &blob)?.map(MasterKey),
            Err(e) => Err(e),
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
            Ok(blob) => kr.call_accept_audit_key(&mut self.store, receiver, &blob)?.map(super::AuditKey),
            Err(e) => Err(e),
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
        self.exports.hq_vault_crypto().call_verify_signature(&mut self.store, pk, msg, sig)
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
        self.exports.hq_vault_crypto().call_argon2id(&mut self.store, password, salt, secret, ad, t, m, p, len)
    }

    /// A crypto error in the core's words, for a person.
    pub fn describe_crypto_error(&mut self, error: CryptoError) -> Result<String> {
        self.exports.hq_vault_crypto().call_describe_error(&mut self.store, error)
    }

    /// SHA-256, hex.
    pub fn sha256_hex(&mut self, data: &[u8]) -> Result<String> {
        self.exports.hq_vault_crypto().call_sha256_hex(&mut self.store, data)
    }
}
