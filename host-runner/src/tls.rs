//! The daemon's TLS: a local CA made at `init`, and a server certificate for 127.0.0.1, ::1 and
//! localhost signed by it. Clients trust `tls/ca.pem` by file.

use std::sync::Arc;

use anyhow::{Context, Result};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::home::{Home, write_private};

/// Make the CA and the server certificate, unless they exist.
pub fn ensure_certificates(home: &Home) -> Result<()> {
    if home.ca_cert().exists() && home.server_cert().exists() && home.server_key().exists() {
        return Ok(());
    }
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.distinguished_name.push(DnType::CommonName, "HQ Vault local CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

    let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
    params.distinguished_name.push(DnType::CommonName, "hq-vault daemon");
    params.subject_alt_names.push(SanType::IpAddress("127.0.0.1".parse()?));
    params.subject_alt_names.push(SanType::IpAddress("::1".parse()?));
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &ca)?;

    write_private(&home.server_key(), key.serialize_pem().as_bytes())?;
    write_private(&home.server_cert(), cert.pem().as_bytes())?;
    write_private(&home.ca_cert(), ca.pem().as_bytes())?;
    Ok(())
}

/// The rustls server configuration from the files in `tls/`.
pub fn server_config(home: &Home) -> Result<Arc<rustls::ServerConfig>> {
    server_config_from(
        &home.server_cert(),
        &home.server_key(),
        "the daemon's certificate and key do not match: delete tls/ and run `hq-vault init`",
    )
}

/// The rustls server configuration from a PEM certificate chain and its PEM private key (`serve
/// --tls-cert/--tls-key`, a certificate for the server's name on the network); `mismatch` is the
/// error when the key is not the certificate's.
pub fn server_config_from(
    cert: &std::path::Path,
    key: &std::path::Path,
    mismatch: &str,
) -> Result<Arc<rustls::ServerConfig>> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("reading the certificate {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("{} is not a PEM certificate chain", cert.display()))?;
    if certs.is_empty() {
        anyhow::bail!("{} holds no PEM certificate", cert.display());
    }
    let key =
        PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading the private key {}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context(mismatch.to_owned())?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

/// A rustls client configuration that trusts only the given CA file.
pub fn client_config(ca_pem: &[u8]) -> Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(ca_pem) {
        roots.add(c?)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(cfg))
}
