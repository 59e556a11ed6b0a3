//! How much the evidence vault holds and how much room its disk has left: what the settings
//! screen shows, so an officer sees a full disk coming before an import fails on it.

use std::fs;
use std::io;
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

/// The vault's size, and the room on its disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VaultUsage {
    pub path: String,
    /// Bytes of the evidence files kept (imports under way not counted).
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub files: u64,
    /// Bytes free on the disk holding the vault, for this user; None where it cannot be read.
    #[ts(type = "number | null")]
    pub free_bytes: Option<u64>,
    /// That disk's whole size.
    #[ts(type = "number | null")]
    pub disk_bytes: Option<u64>,
}

/// Measures the vault at `root` (`ROOT/ab/abcdef…`); a vault not made yet holds nothing.
pub fn vault_usage(root: &Path) -> io::Result<VaultUsage> {
    let (mut bytes, mut files) = (0u64, 0u64);
    if root.is_dir() {
        for shard in fs::read_dir(root)? {
            let shard = shard?;
            // Files at the top are imports under way (`.import-…`): not yet evidence.
            if !shard.file_type()?.is_dir() {
                continue;
            }
            for entry in fs::read_dir(shard.path())? {
                let meta = entry?.metadata()?;
                if meta.is_file() {
                    bytes += meta.len();
                    files += 1;
                }
            }
        }
    }
    let (free_bytes, disk_bytes) = disk_space(if root.is_dir() { root } else { root.parent().unwrap_or(root) });
    Ok(VaultUsage { path: root.display().to_string(), bytes, files, free_bytes, disk_bytes })
}

#[cfg(target_os = "linux")]
fn disk_space(path: &Path) -> (Option<u64>, Option<u64>) {
    match rustix::fs::statvfs(path) {
        Ok(s) => (Some(s.f_bavail.saturating_mul(s.f_frsize)), Some(s.f_blocks.saturating_mul(s.f_frsize))),
        Err(_) => (None, None),
    }
}

#[cfg(not(target_os = "linux"))]
fn disk_space(_path: &Path) -> (Option<u64>, Option<u64>) {
    (None, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vault_counts_its_files_and_bytes_but_not_an_import_under_way() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("vault");
        assert_eq!(vault_usage(&root).unwrap().files, 0, "a vault not made yet holds nothing");
        fs::create_dir_all(root.join("ab")).unwrap();
        fs::create_dir_all(root.join("cd")).unwrap();
        fs::write(root.join("ab").join("ab01"), vec![0u8; 1000]).unwrap();
        fs::write(root.join("cd").join("cd02"), vec![0u8; 24]).unwrap();
        fs::write(root.join(".import-1-2-3.tmp"), vec![0u8; 5000]).unwrap();
        let usage = vault_usage(&root).unwrap();
        assert_eq!((usage.files, usage.bytes), (2, 1024));
        let free = usage.free_bytes.expect("the free space of a Linux disk is known");
        assert!(free <= usage.disk_bytes.unwrap(), "free space fits on the disk");
    }
}
