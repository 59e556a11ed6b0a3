//! TLS to the PostgreSQL server, with rustls (the bureau's own HTTPS uses it too).
//!
//! `database_url` is written as libpq takes it: `sslmode=require`, `verify-ca` or
//! `verify-full` asks for TLS, and `sslrootcert=PATH` names the PEM certificates of the
//! authority that signed the server's certificate (the system's authorities when absent).
//! Whatever the mode, the bureau verifies the server's certificate and its name (as libpq's
//! `verify-full`): a bureau whose records may go to court does not send them to a server it
//! cannot tell from an impostor. Without those parameters (or with `sslmode=disable` or
//! `prefer`) the connection is plain, as on a database on the same host or a private network.

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::config::SslMode;
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use super::OpenError;

/// Where Debian and its kin keep the system's certificate authorities.
const SYSTEM_AUTHORITIES: &str = "/etc/ssl/certs/ca-certificates.crt";

/// A connection's settings from `database_url`, and how it is secured.
pub struct Settings {
    pub config: tokio_postgres::Config,
    pub tls: MaybeTls,
}

/// Reads `url`: the libpq parameters tokio-postgres does not know (`sslrootcert`, the
/// `verify-*` modes) are taken out and applied here. Errors say what to change.
pub fn settings(url: &str) -> Result<Settings, OpenError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let (mut mode, mut root_cert, mut kept) = (None, None, Vec::new());
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", value)) => mode = Some(value.to_owned()),
            Some(("sslrootcert", value)) => root_cert = Some(PathBuf::from(unescape(value).map_err(OpenError::Tls)?)),
            _ => kept.push(pair),
        }
    }
    let wants_tls = match mode.as_deref() {
        None | Some("prefer" | "allow") => root_cert.is_some(),
        Some("disable") => {
            if root_cert.is_some() {
                return Err(OpenError::Tls("sslmode=disable and sslrootcert both given; drop one".into()));
            }
            false
        }
        Some("require" | "verify-ca" | "verify-full") => true,
        Some(other) => {
            return Err(OpenError::Tls(format!(
                "sslmode={other} is not a mode the bureau knows; use disable, require, verify-ca or verify-full"
            )));
        }
    };
    let rest = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
    let mut config: tokio_postgres::Config =
        rest.parse().map_err(|e: tokio_postgres::Error| OpenError::BadUrl(e.to_string()))?;
    if !wants_tls {
        config.ssl_mode(SslMode::Disable);
        return Ok(Settings { config, tls: MaybeTls(None) });
    }
    config.ssl_mode(SslMode::Require);
    let roots = authorities(root_cert.as_deref()).map_err(OpenError::Tls)?;
    // The provider named, as the bureau's HTTPS does: the dependency tree holds two.
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let client = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| OpenError::Tls(format!("no TLS version the bureau can offer ({e})")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Settings { config, tls: MaybeTls(Some(TlsConnector::from(Arc::new(client)))) })
}

/// The authorities a server's certificate must chain to.
fn authorities(file: Option<&Path>) -> Result<RootCertStore, String> {
    let path = file.unwrap_or(Path::new(SYSTEM_AUTHORITIES));
    let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .and_then(|all| all.collect::<Result<_, _>>())
        .map_err(|e| match file {
            Some(_) => format!("sslrootcert {} cannot be read as PEM certificates ({e})", path.display()),
            None => format!(
                "the system's certificate authorities ({}) cannot be read ({e}); name the server's authority with sslrootcert=PATH in database_url",
                path.display()
            ),
        })?;
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certificates);
    if added == 0 {
        return Err(format!(
            "{} holds no usable certificate; name the server's authority with sslrootcert=PATH",
            path.display()
        ));
    }
    Ok(roots)
}

/// A URL parameter's value with its `%XX` escapes undone (a path may hold spaces).
fn unescape(value: &str) -> Result<String, String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            out.push(hex.ok_or_else(|| format!("sslrootcert={value} has a broken %-escape"))?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("sslrootcert={value} is not UTF-8"))
}

/// TLS when `database_url` asks for it; never used otherwise (the mode is `disable` then).
#[derive(Clone)]
pub struct MaybeTls(Option<TlsConnector>);

impl MakeTlsConnect<tokio_postgres::Socket> for MaybeTls {
    type Stream = RustlsStream;
    type TlsConnect = ServerTls;
    type Error = io::Error;

    // Called for every server, TLS or not (tokio-postgres asks before it reads the mode), so
    // nothing is refused here: a plain connection never calls `connect`.
    fn make_tls_connect(&mut self, host: &str) -> io::Result<ServerTls> {
        Ok(ServerTls { connector: self.0.clone(), host: host.to_owned() })
    }
}

/// The handshake with one server.
pub struct ServerTls {
    connector: Option<TlsConnector>,
    host: String,
}

impl TlsConnect<tokio_postgres::Socket> for ServerTls {
    type Stream = RustlsStream;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream>> + Send>>;

    fn connect(self, socket: tokio_postgres::Socket) -> Self::Future {
        Box::pin(async move {
            let connector = self.connector.ok_or_else(|| io::Error::other("TLS was not asked for in database_url"))?;
            let host = self.host;
            let name = ServerName::try_from(host.clone())
                .map_err(|_| io::Error::other(format!("{host} is not a name a certificate can be checked against")))?;
            let stream = connector.connect(name, socket).await?;
            Ok(RustlsStream(Box::new(stream)))
        })
    }
}

/// A connection to the server under TLS.
pub struct RustlsStream(Box<tokio_rustls::client::TlsStream<tokio_postgres::Socket>>);

impl TlsStream for RustlsStream {
    fn channel_binding(&self) -> ChannelBinding {
        // The certificate is verified by name already; SCRAM goes on without binding.
        ChannelBinding::none()
    }
}

impl AsyncRead for RustlsStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(self.0.as_mut()).poll_read(cx, buf)
    }
}

impl AsyncWrite for RustlsStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(self.0.as_mut()).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(self.0.as_mut()).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(self.0.as_mut()).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_unless_tls_is_asked_for() {
        let plain = settings("postgres://u@db:5432/bureau").unwrap();
        assert!(plain.tls.0.is_none());
        assert_eq!(plain.config.get_ssl_mode(), SslMode::Disable);
        let kept = settings("postgres://u@db/bureau?sslmode=disable&connect_timeout=5").unwrap();
        assert_eq!(kept.config.get_connect_timeout(), Some(&std::time::Duration::from_secs(5)));
    }

    #[test]
    fn modes_and_authorities_that_cannot_work_are_refused_with_what_to_do() {
        let error = |url: &str| settings(url).err().unwrap().to_string();
        let wrong = error("postgres://u@db/bureau?sslmode=sometimes");
        assert!(wrong.contains("verify-full"), "{wrong}");
        let missing = error("postgres://u@db/bureau?sslmode=verify-full&sslrootcert=/no/such%20file.pem");
        assert!(missing.contains("/no/such file.pem"), "{missing}");
        let both = error("postgres://u@db/bureau?sslmode=disable&sslrootcert=/x.pem");
        assert!(both.contains("drop one"), "{both}");
    }
}
