//! The device's Ed25519 key pair, made at first start and kept in the data directory,
//! readable by the owner only. Finalizing signs each record's hash with it.

use std::path::Path;

use fieldcase_core::signing::SecretKey;
use fieldcase_storage::secret_file::{self, SecretFileError};

use crate::DeviceError;

pub const KEY_FILE: &str = "device.key";

/// Loads the key, or makes one if there is none yet.
pub fn load_or_create(data_dir: &Path) -> Result<SecretKey, DeviceError> {
    let path = data_dir.join(KEY_FILE);
    let seed = match secret_file::read_seed(&path) {
        Ok(Some(seed)) => seed,
        Ok(None) => secret_file::create_seed(&path)
            .map_err(|e| DeviceError::Io { path: path.clone(), detail: e.to_string() })?,
        Err(SecretFileError::NotHex) => {
            return Err(DeviceError::Damaged { path, detail: "the device key file is not 64 hex digits".into() });
        }
        Err(e) => return Err(DeviceError::Io { path, detail: e.to_string() }),
    };
    Ok(SecretKey::from_seed(seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_and_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(dir.path()).unwrap();
        let b = load_or_create(dir.path()).unwrap();
        assert_eq!(a.public_key(), b.public_key(), "the key must survive a restart");
    }
}
