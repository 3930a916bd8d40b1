//! HTTPS served directly: the server's certificate chain and private key (PEM files, as a city's CA or
//! `openssl req` writes them) loaded into a rustls configuration (the `ring` provider; TLS 1.2 and
//! 1.3; HTTP/1.1 announced by ALPN), served with axum-server.
//!
//! Invariants: a certificate and key that do not belong together are refused at start (rustls
//! compares the key's public half with the certificate's); the key's bytes are wiped from memory once
//! parsed; each file is read to at most [`MAX_PEM`] bytes. The files are read where the person named
//! them (a certificate kept as a link, as certbot keeps its own, is followed): the server writes
//! nothing there.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use zeroize::Zeroizing;

/// The most a certificate or key file may hold (bytes).
pub const MAX_PEM: u64 = 1 << 20;

/// Why the certificate and key cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file cannot be read (missing, unreadable, too large).
    #[error("cannot read {path}: {source}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The certificate file holds no PEM certificate.
    #[error("{0} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")]
    NoCertificate(PathBuf),
    /// The key file holds no PEM private key.
    #[error("{0} holds no PEM private key (-----BEGIN PRIVATE KEY-----)")]
    NoKey(PathBuf),
    /// The key is not the certificate's.
    #[error("the private key in {key} does not belong to the certificate in {cert}")]
    Mismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
    },
    /// rustls refuses the certificate or key (an unsupported key type, a damaged certificate).
    #[error("the certificate or key cannot be used: {0}")]
    Unusable(String),
}

/// Reads `path`, at most [`MAX_PEM`] bytes.
fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>, TlsError> {
    let unreadable = |source| TlsError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let f = std::fs::File::open(path).map_err(unreadable)?;
    let mut buf = Zeroizing::new(Vec::new());
    f.take(MAX_PEM + 1)
        .read_to_end(&mut buf)
        .map_err(unreadable)?;
    if buf.len() as u64 > MAX_PEM {
        return Err(unreadable(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!("it holds more than {MAX_PEM} bytes"),
        )));
    }
    Ok(buf)
}

/// The rustls configuration serving the chain in `cert` (the server's certificate first) with the
/// key in `key` (PKCS#8, PKCS#1 or SEC1).
pub fn load(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let cert_pem = read(cert)?;
    let key_pem = read(key)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|_| TlsError::NoCertificate(cert.to_path_buf()))?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate(cert.to_path_buf()));
    }
    let key_der =
        PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| TlsError::NoKey(key.to_path_buf()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Unusable(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => TlsError::Mismatch {
                cert: cert.to_path_buf(),
                key: key.to_path_buf(),
            },
            other => TlsError::Unusable(other.to_string()),
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (String, String) {
        let c = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        (c.cert.pem(), c.signing_key.serialize_pem())
    }

    #[test]
    fn a_matching_pair_loads_and_every_other_is_refused_by_kind() {
        let d = tempfile::tempdir().unwrap();
        let p = |n: &str| d.path().join(n);
        let (cert, key) = pair();
        let (_, other_key) = pair();
        std::fs::write(p("c.pem"), &cert).unwrap();
        std::fs::write(p("k.pem"), &key).unwrap();
        std::fs::write(p("o.pem"), &other_key).unwrap();
        std::fs::write(p("junk.pem"), "not PEM at all").unwrap();
        let config = load(&p("c.pem"), &p("k.pem")).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        assert!(matches!(
            load(&p("c.pem"), &p("o.pem")),
            Err(TlsError::Mismatch { .. })
        ));
        assert!(matches!(
            load(&p("none.pem"), &p("k.pem")),
            Err(TlsError::Unreadable { .. })
        ));
        assert!(matches!(
            load(&p("c.pem"), &p("none.pem")),
            Err(TlsError::Unreadable { .. })
        ));
        assert!(matches!(
            load(&p("junk.pem"), &p("k.pem")),
            Err(TlsError::NoCertificate(_))
        ));
        assert!(matches!(
            load(&p("c.pem"), &p("junk.pem")),
            Err(TlsError::NoKey(_))
        ));
        // The certificate and the key swapped.
        assert!(matches!(
            load(&p("k.pem"), &p("c.pem")),
            Err(TlsError::NoCertificate(_))
        ));
        std::fs::write(p("big.pem"), vec![b'a'; MAX_PEM as usize + 1]).unwrap();
        assert!(matches!(
            load(&p("big.pem"), &p("k.pem")),
            Err(TlsError::Unreadable { .. })
        ));
    }
}
