//! `fieldcase bureau serve`: run the bureau server until stopped, with its logs on stderr.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use fieldcase_bureau::{Bureau, BureauError, Config};
use fieldcase_core::ErrorCode;

use super::store::runtime;
use crate::commands::stop_signal;
use crate::output::Failure;

pub(super) fn serve(
    data_dir: PathBuf,
    listen: Option<SocketAddr>,
    config_file: Option<PathBuf>,
) -> Result<(), Failure> {
    init_logging();
    let mut config = Config::load(&data_dir, config_file.as_deref()).map_err(BureauError::from)?;
    if let Some(listen) = listen {
        config.listen = listen;
    }
    runtime()?.block_on(async move {
        let bureau = Bureau::open(config).await?;
        let wanted = bureau.config().listen;
        let listener = tokio::net::TcpListener::bind(wanted).await.map_err(|e| Failure {
            exit: 1,
            code: ErrorCode::Serve,
            message: format!("cannot listen on {wanted}: {e}; choose another address with --listen (FIELDCASE_LISTEN)"),
        })?;
        let address =
            listener.local_addr().map_err(|e| Failure { exit: 1, code: ErrorCode::Serve, message: e.to_string() })?;
        let scheme = if bureau.config().tls.is_some() { "https" } else { "http" };
        println!("listening on {scheme}://{address}");
        let _ = std::io::stdout().flush();
        bureau.serve(listener, stop_signal()).await?;
        Ok(())
    })
}

/// Structured logs on stderr; `FIELDCASE_LOG` (e.g. `debug`, `fieldcase_bureau=debug`)
/// chooses what, `info` by default.
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("FIELDCASE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).try_init();
}
