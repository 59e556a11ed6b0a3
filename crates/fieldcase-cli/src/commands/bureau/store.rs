//! How a one-shot bureau command reaches the bureau's store: the data directory it works
//! on, a runtime to drive the store, and one call on the store (with or without the
//! bureau's signing key).

use std::path::{Path, PathBuf};

use chrono::Utc;

use fieldcase_bureau::store::BureauStore;
use fieldcase_bureau::{BureauError, Config, OpenMode, keys, open_store};
use fieldcase_core::ErrorCode;
use fieldcase_core::signing::SecretKey;
use fieldcase_device::default_data_dir;

use crate::commands::Context;
use crate::output::Failure;

/// The bureau's data directory: `--data-dir` (FIELDCASE_DATA_DIR) when given, else the
/// platform's data directory's `fieldcase-bureau` (beside the device's `fieldcase`).
pub(super) fn bureau_data_dir(ctx: &Context) -> PathBuf {
    let device_default = default_data_dir();
    if ctx.data_dir == device_default {
        device_default.with_file_name("fieldcase-bureau")
    } else {
        ctx.data_dir.clone()
    }
}

pub(super) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| Failure {
        exit: 1,
        code: ErrorCode::Internal,
        message: format!("cannot start the bureau's runtime: {e}"),
    })
}

/// Runs one administration call on the bureau's store, with the bureau's signing key (agreed
/// with the database; made if a new bureau has none).
pub(super) fn with_signing_key<T, E>(
    data_dir: &Path,
    mode: OpenMode,
    f: impl AsyncFnOnce(&dyn BureauStore, &SecretKey) -> Result<T, E>,
) -> Result<T, Failure>
where
    BureauError: From<E>,
{
    with_store::<T, BureauError>(data_dir, mode, async |store| {
        let key = keys::current(data_dir, store, Utc::now()).await?;
        Ok(f(store, &key).await?)
    })
}

/// Runs one administration call on the bureau's store.
pub(super) fn with_store<T, E>(
    data_dir: &Path,
    mode: OpenMode,
    f: impl AsyncFnOnce(&dyn BureauStore) -> Result<T, E>,
) -> Result<T, Failure>
where
    BureauError: From<E>,
{
    let config = Config::load(data_dir, None).map_err(BureauError::Config)?;
    runtime()?.block_on(async move {
        let store = open_store(&config, mode).await?;
        Ok(f(store.as_ref()).await.map_err(BureauError::from)?)
    })
}
