//! A secret key's seed in a file of its own: 64 hex digits, readable by its owner only,
//! written once (never over an existing file) and on the disk before it is used.

use std::fs;
use std::io::Write;
use std::path::Path;

/// Why a secret file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    #[error("it is not 64 hex digits")]
    NotHex,
    #[error("it cannot be read ({0})")]
    Unreadable(std::io::Error),
    #[error("it cannot be written ({0})")]
    Unwritable(std::io::Error),
    #[error("no randomness for a key ({0})")]
    NoRandomness(String),
}

/// The seed in `path`, or None when there is no such file.
pub fn read_seed(path: &Path) -> Result<Option<[u8; 32]>, SecretFileError> {
    match fs::read_to_string(path) {
        Ok(text) => {
            let mut seed = [0u8; 32];
            hex::decode_to_slice(text.trim(), &mut seed).map_err(|_| SecretFileError::NotHex)?;
            Ok(Some(seed))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SecretFileError::Unreadable(e)),
    }
}

/// A new random seed, written to `path`, which must not exist yet.
pub fn create_seed(path: &Path) -> Result<[u8; 32], SecretFileError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| SecretFileError::NoRandomness(e.to_string()))?;
    write_owner_only(path, hex::encode(seed).as_bytes()).map_err(SecretFileError::Unwritable)?;
    Ok(seed)
}

/// Writes a new file readable and writable by its owner only, synced to the disk.
pub fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_is_made_once_kept_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        assert!(read_seed(&path).unwrap().is_none());
        let seed = create_seed(&path).unwrap();
        assert_eq!(read_seed(&path).unwrap(), Some(seed), "the key must survive a restart");
        assert!(matches!(create_seed(&path), Err(SecretFileError::Unwritable(_))), "never written over");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "a secret must be readable by its owner only");
        }
        fs::write(dir.path().join("bad.key"), "not hex").unwrap();
        assert!(matches!(read_seed(&dir.path().join("bad.key")), Err(SecretFileError::NotHex)));
    }
}
