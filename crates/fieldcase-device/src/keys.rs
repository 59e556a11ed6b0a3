//! The device's Ed25519 key pair, made at first start and kept in the data directory,
//! readable by the owner only. Finalizing signs each record's hash with it.

use std::fs;
use std::io::Write;
use std::path::Path;

use fieldcase_core::signing::SecretKey;

use crate::DeviceError;

pub const KEY_FILE: &str = "device.key";

/// Loads the key, or makes one if there is none yet.
pub fn load_or_create(data_dir: &Path) -> Result<SecretKey, DeviceError> {
    let path = data_dir.join(KEY_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => {
            let mut seed = [0u8; 32];
            hex::decode_to_slice(text.trim(), &mut seed).map_err(|_| DeviceError::Damaged {
                path: path.clone(),
                detail: "the device key file is not 64 hex digits".into(),
            })?;
            Ok(SecretKey::from_seed(seed))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed)
                .map_err(|e| DeviceError::Io { path: path.clone(), detail: format!("no randomness for a key: {e}") })?;
            write_owner_only(&path, hex::encode(seed).as_bytes())?;
            Ok(SecretKey::from_seed(seed))
        }
        Err(e) => Err(DeviceError::io(&path, e)),
    }
}

fn write_owner_only(path: &Path, bytes: &[u8]) -> Result<(), DeviceError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| DeviceError::io(path, e))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|e| DeviceError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_and_kept_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(dir.path()).unwrap();
        let b = load_or_create(dir.path()).unwrap();
        assert_eq!(a.public_key(), b.public_key(), "the key must survive a restart");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key must be readable by its owner only");
        }
    }
}
