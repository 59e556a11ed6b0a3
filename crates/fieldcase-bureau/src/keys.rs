//! The bureau's Ed25519 signing key, made at first start and kept in the data directory,
//! readable by its owner only. Devices pin its public key at enrollment; the database keeps
//! the public half of every key the bureau has had and which one is active.
//!
//! A rotation writes the new key beside the old (`bureau.key.next`), records it in the
//! database together with the rotation the old key signed, and only then puts it in place of
//! the old one; [`current`] finishes a rotation that was cut short between the two.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use fieldcase_core::registry::{KeyId, KeyRotation};
use fieldcase_core::signing::SecretKey;
use fieldcase_storage::secret_file::{self, SecretFileError};

use crate::BureauError;
use crate::store::{BureauStore, StoreError};

pub const KEY_FILE: &str = "bureau.key";
/// A new key whose rotation is under way.
pub const NEXT_KEY_FILE: &str = "bureau.key.next";

/// Where the bureau's key is. Read at each use, so a rotation made by an administration
/// command reaches a running server.
#[derive(Debug, Clone)]
pub struct KeyFile {
    data_dir: PathBuf,
}

impl KeyFile {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        KeyFile { data_dir: data_dir.into() }
    }

    /// The key now in `bureau.key`.
    pub fn load(&self) -> Result<SecretKey, BureauError> {
        let path = self.data_dir.join(KEY_FILE);
        read_key(&path)?
            .ok_or_else(|| BureauError::Key { path, detail: "it is missing; restore it from a backup".into() })
    }

    /// [`KeyFile::load`] on the blocking pool.
    pub async fn load_async(&self) -> Result<SecretKey, BureauError> {
        let file = self.clone();
        tokio::task::spawn_blocking(move || file.load()).await.map_err(|e| BureauError::Key {
            path: self.data_dir.join(KEY_FILE),
            detail: format!("reading it stopped: {e}"),
        })?
    }
}

fn read_key(path: &Path) -> Result<Option<SecretKey>, BureauError> {
    secret_file::read_seed(path).map(|seed| seed.map(SecretKey::from_seed)).map_err(|e| key_file_error(path, e))
}

fn key_file_error(path: &Path, e: SecretFileError) -> BureauError {
    let detail = match e {
        SecretFileError::NotHex => format!("{e}; restore it from a backup"),
        other => other.to_string(),
    };
    BureauError::Key { path: path.to_owned(), detail }
}

fn signing_key_error(path: PathBuf, e: StoreError) -> BureauError {
    match e {
        StoreError::SigningKey(detail) => BureauError::Key { path, detail },
        other => BureauError::Admin(other),
    }
}

/// The bureau's signing key, agreed with the database: a rotation cut short is finished (or
/// dropped, if it was never recorded), a new bureau makes its first key, and the key is
/// registered as the active one if the database has none yet.
pub async fn current(data_dir: &Path, store: &dyn BureauStore, now: DateTime<Utc>) -> Result<SecretKey, BureauError> {
    let key_path = data_dir.join(KEY_FILE);
    let next_path = data_dir.join(NEXT_KEY_FILE);
    let known = store.signing_keys().await?;
    let active = known.iter().find(|k| k.active).map(|k| k.key_id.clone());
    let fail = |path: &Path, detail: String| BureauError::Key { path: path.to_owned(), detail };
    if let Some(next) = read_key(&next_path)? {
        if active.as_ref() == Some(&KeyId::of(&next.public_key())) {
            fs::rename(&next_path, &key_path).map_err(|e| {
                fail(&key_path, format!("cannot finish the rotation to key {}: {e}", KeyId::of(&next.public_key())))
            })?;
            tracing::warn!(key = %KeyId::of(&next.public_key()), "finished a key rotation that was cut short");
        } else {
            fs::remove_file(&next_path).map_err(|e| {
                fail(&next_path, format!("cannot remove the key of a rotation that never happened: {e}"))
            })?;
        }
    }
    let key = match (read_key(&key_path)?, active) {
        (Some(key), _) => key,
        (None, Some(active)) => {
            return Err(fail(
                &key_path,
                format!("it is missing, but this bureau signs with key {active}; restore bureau.key from a backup"),
            ));
        }
        (None, None) => load_or_create(data_dir)?,
    };
    store.register_signing_key(key.public_key(), now).await.map_err(|e| signing_key_error(key_path.clone(), e))?;
    Ok(key)
}

/// Makes a new signing key: the old key signs a [`KeyRotation`], which goes into the change
/// feed before anything the new key signs; then the new key replaces the old in `bureau.key`
/// (the old secret is not kept). Returns the rotation and the new key.
pub async fn rotate(
    data_dir: &Path,
    store: &dyn BureauStore,
    now: DateTime<Utc>,
) -> Result<(KeyRotation, SecretKey), BureauError> {
    let old = current(data_dir, store, now).await?;
    let key_path = data_dir.join(KEY_FILE);
    let next_path = data_dir.join(NEXT_KEY_FILE);
    let fail = |path: &Path, detail: String| BureauError::Key { path: path.to_owned(), detail };
    let new = SecretKey::from_seed(secret_file::create_seed(&next_path).map_err(|e| key_file_error(&next_path, e))?);
    let rotation = match store.rotate_signing_key(&old, new.public_key(), now).await {
        Ok(rotation) => rotation,
        Err(e) => {
            let _ = fs::remove_file(&next_path);
            return Err(signing_key_error(key_path, e));
        }
    };
    fs::rename(&next_path, &key_path).map_err(|e| {
        fail(&key_path, format!("the rotation is recorded but the new key could not be put in place ({e}); the next start of the bureau finishes it"))
    })?;
    tracing::info!(old = %rotation.old_key_id, new = %KeyId::of(&new.public_key()), "rotated the bureau's signing key");
    Ok((rotation, new))
}

/// Loads the key, or makes one if there is none yet.
pub fn load_or_create(data_dir: &Path) -> Result<SecretKey, BureauError> {
    let path = data_dir.join(KEY_FILE);
    if let Some(key) = read_key(&path)? {
        return Ok(key);
    }
    let seed = secret_file::create_seed(&path).map_err(|e| key_file_error(&path, e))?;
    tracing::info!(path = %path.display(), "made the bureau's signing key");
    Ok(SecretKey::from_seed(seed))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_and_kept_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(dir.path()).unwrap();
        let b = load_or_create(dir.path()).unwrap();
        assert_eq!(a.public_key(), b.public_key(), "the key must survive a restart: devices pinned it");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key must be readable by its owner only");
        }
    }
}
