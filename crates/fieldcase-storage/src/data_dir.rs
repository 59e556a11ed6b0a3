//! A data directory: made if needed, and proven writable before anything is put in it.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a data directory cannot be used. Each side names the directory and says how to
/// choose another.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("it cannot be created ({0})")]
    Create(std::io::Error),
    #[error("it is not a directory")]
    NotADirectory,
    #[error("it is not writable ({0})")]
    NotWritable(std::io::Error),
}

/// Makes the directory if needed and proves it can be written, by writing and removing a
/// probe file.
pub fn prepare(dir: &Path) -> Result<(), DataDirError> {
    std::fs::create_dir_all(dir).map_err(DataDirError::Create)?;
    if !dir.is_dir() {
        return Err(DataDirError::NotADirectory);
    }
    // A name of its own: two programs (the desktop app and the command line, or the bureau
    // and an administrator's command) may open one directory at the same moment, and one
    // must not remove the other's probe under it.
    static PROBES: AtomicU64 = AtomicU64::new(0);
    let n = PROBES.fetch_add(1, Ordering::Relaxed);
    let probe = dir.join(format!(".write-probe-{}-{n}", std::process::id()));
    std::fs::write(&probe, b"").and_then(|()| std::fs::remove_file(&probe)).map_err(DataDirError::NotWritable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_made_and_left_clean() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("a/b");
        prepare(&data).unwrap();
        assert!(data.is_dir());
        assert_eq!(std::fs::read_dir(&data).unwrap().count(), 0, "the probe is removed");
    }

    #[test]
    fn a_file_in_the_way_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"").unwrap();
        let refused = prepare(&file).unwrap_err();
        assert!(matches!(refused, DataDirError::Create(_) | DataDirError::NotADirectory), "{refused}");
    }
}
