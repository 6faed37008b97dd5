//! The daemon's TLS: a local CA made at `init`, and a server certificate for 127.0.0.1, ::1,
//! localhost and the names `serve --tls-name` adds, signed by it. Clients trust `tls/ca.pem` by
//! file.

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
    issue(home, &[])
}

/// The names every self-made certificate holds, as [`names`] writes them.
const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The names the self-made certificate holds beside loopback (`serve --tls-name`), one per line.
fn names_file(home: &Home) -> std::path::PathBuf {
    home.tls().join("names")
}

/// `--tls-name` values checked: each an IP address, or a DNS name of RFC 1123 labels (letters,
/// digits and `-`, 1–63 bytes each, 253 in all, the last not all digits; no wildcard).
/// Lowercased, sorted, each once.
///
/// Errors: the first value that is neither, named with what is wrong.
pub fn names(raw: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for name in raw {
        let n = name.trim().to_ascii_lowercase();
        let n = match n.parse::<std::net::IpAddr>() {
            Ok(ip) => ip.to_string(),
            Err(_) => {
                let label_ok = |l: &str| {
                    !l.is_empty()
                        && l.len() <= 63
                        && !l.starts_with('-')
                        && !l.ends_with('-')
                        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                };
                // A last label of digits only is no DNS name (RFC 1123 §2.1): a mistyped address.
                let numeric_top = n.rsplit('.').next().is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
                if n.len() > 253 || !n.split('.').all(label_ok) || numeric_top {
                    anyhow::bail!(
                        "--tls-name `{}` is neither an IP address nor a DNS name (labels of letters, digits and `-`, separated by dots): give the name clients use to reach this server",
                        name.escape_debug()
                    );
                }
                n
            }
        };
        out.push(n);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Make sure the self-made certificate names each of `wanted` (checked by [`names`]). When one
/// is missing, a new CA and certificate are made that name loopback, the names the old one had,
/// and `wanted`: the old CA's key is never kept, so clients must trust the new `tls/ca.pem`.
/// Returns whether new ones were made.
pub fn certify_names(home: &Home, wanted: &[String]) -> Result<bool> {
    let had: Vec<String> = std::fs::read_to_string(names_file(home))
        .map(|t| t.lines().map(str::to_owned).filter(|l| !l.is_empty()).collect())
        .unwrap_or_default();
    // The names every self-made certificate holds are never new.
    let wanted: Vec<&String> = wanted.iter().filter(|n| !LOOPBACK_NAMES.contains(&n.as_str())).collect();
    if home.server_cert().exists() && wanted.iter().all(|n| had.contains(n)) {
        return Ok(false);
    }
    let mut all = had;
    all.extend(wanted.into_iter().cloned());
    all.sort();
    all.dedup();
    issue(home, &all)?;
    Ok(true)
}

/// A new CA (its key is dropped once it has signed) and a server certificate for 127.0.0.1, ::1,
/// localhost and `extra`, written to `tls/` (0600); `extra` to `tls/names`.
fn issue(home: &Home, extra: &[String]) -> Result<()> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.distinguished_name.push(DnType::CommonName, "HQ Vault local CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

    let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
    params.distinguished_name.push(DnType::CommonName, "hq-vault daemon");
    params.subject_alt_names.push(SanType::IpAddress("127.0.0.1".parse()?));
    params.subject_alt_names.push(SanType::IpAddress("::1".parse()?));
    for name in extra {
        params.subject_alt_names.push(match name.parse::<std::net::IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName(name.as_str().try_into().with_context(|| format!("the name {name}"))?),
        });
    }
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &ca)?;

    write_private(&home.server_key(), key.serialize_pem().as_bytes())?;
    write_private(&home.server_cert(), cert.pem().as_bytes())?;
    write_private(&home.ca_cert(), ca.pem().as_bytes())?;
    let mut listed = extra.join("\n");
    if !listed.is_empty() {
        listed.push('\n');
    }
    write_private(&names_file(home), listed.as_bytes())?;
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
