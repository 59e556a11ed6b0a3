//! The evidence vault: a folder beside the database holding one copy of each file's bytes,
//! named by their SHA-256, so the same bytes imported twice are stored once and a stored
//! file can be re-checked against its name at any time.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use fieldcase_core::canonical::ContentHash;

use super::pump::{CopyTo, PumpError, Pumped, open_direct, pump};

/// Temporary files are named `.import-…` until their hash is known.
const TEMP_PREFIX: &str = ".import-";
/// A temporary file untouched this long belongs to an import that died (a crash, a power
/// cut): one that runs writes to its file every few milliseconds.
const STALE_TEMP: Duration = Duration::from_secs(3600);

/// A content-addressed folder: `ROOT/ab/abcdef…` for the file whose SHA-256 is `abcdef…`.
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
}

/// A file hashed (and, into the vault, stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub sha256: ContentHash,
    pub size: u64,
    /// False when the vault held these bytes already (or the file was hashed in place).
    pub newly_stored: bool,
}

/// Why a file was not imported. Whatever the cause, nothing of the file is left behind.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the import was cancelled; nothing of the file being read was kept")]
    Cancelled,
    #[error(
        "the disk holding the evidence vault {} is full ({} is {needed} bytes); nothing of it was kept: free space on that disk, or move the data directory to a larger one, then import again",
        vault.display(),
        path.display()
    )]
    DiskFull { path: PathBuf, vault: PathBuf, needed: u64 },
    #[error(
        "cannot read {}: {source}; check that the recorder or card is still connected and the file opens, then import again",
        path.display()
    )]
    Read { path: PathBuf, source: io::Error },
    #[error(
        "cannot write into the evidence vault at {}: {source}; check that the data directory's disk is mounted and writable",
        path.display()
    )]
    Write { path: PathBuf, source: io::Error },
}

impl Vault {
    /// Opens the vault at `root`, creating it owner-only (0700), and removes what imports
    /// that died long ago left behind.
    pub fn open(root: &Path) -> io::Result<Vault> {
        make_private_dir(root)?;
        let vault = Vault { root: root.to_owned() };
        vault.remove_stale_temps()?;
        Ok(vault)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the file with this hash is (or would be) stored.
    pub fn path_of(&self, sha256: &ContentHash) -> PathBuf {
        let hex = sha256.to_hex();
        self.root.join(&hex[..2]).join(hex)
    }

    pub fn contains(&self, sha256: &ContentHash) -> bool {
        self.path_of(sha256).is_file()
    }

    /// Reads `src` once: copies it into the vault and hashes it in the same pass, in constant
    /// memory (a fixed ring of buffers), one thread hashing while the other writes. The copy
    /// has a temporary name in the vault until it is complete and on disk (fsynced), then takes
    /// its hash as its name, and the directory is fsynced. If the vault already holds the same
    /// bytes the copy is dropped: stored once. Cancel or any error leaves no temporary file.
    pub fn import_copy(&self, src: &Path, progress: &dyn Fn(u64), cancel: &AtomicBool) -> Result<Stored, ImportError> {
        let mut input = open_source(src)?;
        let mut temp = TempFile::create(&self.root).map_err(|e| self.write_error(src, &self.root, e))?;
        let copy = CopyTo { file: &temp.file, direct: open_direct(&temp.path) };
        let pumped = pump(&mut input, Some(copy), progress, cancel).map_err(|e| self.pump_error(src, &temp.path, e))?;
        let temp_path = temp.path.clone();
        let write_error = |e: io::Error| self.write_error(src, &temp_path, e);
        temp.file.sync_all().map_err(write_error)?;
        let dest = self.path_of(&pumped.sha256);
        if dest.is_file() {
            return Ok(Stored { sha256: pumped.sha256, size: pumped.size, newly_stored: false });
        }
        let dir = dest.parent().unwrap_or(&self.root);
        let made_dir = !dir.is_dir();
        make_private_dir(dir).map_err(write_error)?;
        // Evidence is not edited: the stored copy is read-only, so only a deliberate act
        // changes it (and `verify_file` finds that).
        set_mode(&temp_path, 0o400).map_err(write_error)?;
        fs::rename(&temp_path, &dest).map_err(write_error)?;
        temp.kept();
        sync_dir(dir).map_err(write_error)?;
        if made_dir {
            sync_dir(&self.root).map_err(write_error)?;
        }
        Ok(Stored { sha256: pumped.sha256, size: pumped.size, newly_stored: true })
    }

    /// Hashes `src` where it lies (an "in place" import); nothing is copied.
    pub fn hash_in_place(src: &Path, progress: &dyn Fn(u64), cancel: &AtomicBool) -> Result<Stored, ImportError> {
        let mut input = open_source(src)?;
        let Pumped { sha256, size } = pump(&mut input, None, progress, cancel).map_err(|e| match e {
            PumpError::Cancelled => ImportError::Cancelled,
            PumpError::Read(source) | PumpError::Write(source) => ImportError::Read { path: src.to_owned(), source },
        })?;
        Ok(Stored { sha256, size, newly_stored: false })
    }

    /// Re-hashes a stored file (in the vault or in place): `Ok(true)` when it still has
    /// `size` bytes hashing to `expected`.
    pub fn verify_file(path: &Path, expected: &ContentHash, size: u64) -> io::Result<bool> {
        let mut file = File::open(path)?;
        if file.metadata()?.len() != size {
            return Ok(false);
        }
        let never = AtomicBool::new(false);
        match pump(&mut file, None, &|_| {}, &never) {
            Ok(pumped) => Ok(pumped.size == size && &pumped.sha256 == expected),
            Err(PumpError::Read(e) | PumpError::Write(e)) => Err(e),
            Err(PumpError::Cancelled) => Err(io::Error::other("verification was cancelled")),
        }
    }

    fn pump_error(&self, src: &Path, temp: &Path, e: PumpError) -> ImportError {
        match e {
            PumpError::Cancelled => ImportError::Cancelled,
            PumpError::Read(source) => ImportError::Read { path: src.to_owned(), source },
            PumpError::Write(source) => self.write_error(src, temp, source),
        }
    }

    fn write_error(&self, src: &Path, at: &Path, source: io::Error) -> ImportError {
        if is_disk_full(&source) {
            let needed = fs::metadata(src).map(|m| m.len()).unwrap_or(0);
            return ImportError::DiskFull { path: src.to_owned(), vault: self.root.clone(), needed };
        }
        ImportError::Write { path: at.to_owned(), source }
    }

    fn remove_stale_temps(&self) -> io::Result<()> {
        let now = SystemTime::now();
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                continue;
            }
            let modified = entry.metadata()?.modified()?;
            if now.duration_since(modified).unwrap_or_default() > STALE_TEMP {
                fs::remove_file(entry.path())?;
            }
        }
        Ok(())
    }
}

fn open_source(src: &Path) -> Result<File, ImportError> {
    let read_error = |source| ImportError::Read { path: src.to_owned(), source };
    let file = File::open(src).map_err(read_error)?;
    if !file.metadata().map_err(read_error)?.is_file() {
        return Err(read_error(io::Error::new(io::ErrorKind::InvalidInput, "it is not a regular file")));
    }
    Ok(file)
}

fn is_disk_full(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded)
}

/// A file being written into the vault, removed when dropped unless kept.
#[derive(Debug)]
struct TempFile {
    path: PathBuf,
    file: File,
    keep: bool,
}

impl TempFile {
    fn create(dir: &Path) -> io::Result<TempFile> {
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let path = dir.join(format!("{TEMP_PREFIX}{}-{n}-{nanos}.tmp", std::process::id()));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        Ok(TempFile { file: options.open(&path)?, path, keep: false })
    }

    fn kept(&mut self) {
        self.keep = true;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn make_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    // A folder that was there before keeps its mode otherwise.
    set_mode(dir, 0o700)
}

fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

/// Makes a rename or a new entry in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full disk, as `/dev/full` is: every write fails with ENOSPC. The copy's handle
    /// writes there while its name lies in the vault, as a partial file would.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_stops_with_a_message_and_removes_the_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("clip.mp4");
        fs::write(&src, vec![1u8; 3 << 20]).unwrap();
        let vault = Vault::open(&dir.path().join("vault")).unwrap();
        let mut partial = TempFile::create(vault.root()).unwrap();
        partial.kept(); // its name now belongs to `temp`
        let temp = TempFile {
            path: partial.path.clone(),
            file: fs::OpenOptions::new().write(true).open("/dev/full").unwrap(),
            keep: false,
        };
        drop(partial);
        let never = AtomicBool::new(false);
        let copy = CopyTo { file: &temp.file, direct: None };
        let refused = pump(&mut File::open(&src).unwrap(), Some(copy), &|_| {}, &never)
            .map_err(|e| vault.pump_error(&src, &temp.path, e))
            .unwrap_err();
        assert!(matches!(refused, ImportError::DiskFull { needed: 3145728, .. }), "{refused:?}");
        assert!(refused.to_string().contains("free space on that disk"), "the message says how to fix it: {refused}");
        drop(temp);
        assert_eq!(fs::read_dir(vault.root()).unwrap().count(), 0, "the partial file is removed");
    }

    #[test]
    fn opening_removes_what_a_dead_import_left_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("vault");
        let vault = Vault::open(&root).unwrap();
        let dead = root.join(format!("{TEMP_PREFIX}1-0-0.tmp"));
        let running = root.join(format!("{TEMP_PREFIX}2-0-0.tmp"));
        for path in [&dead, &running] {
            fs::write(path, b"part of a clip").unwrap();
        }
        let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
        File::options().write(true).open(&dead).unwrap().set_modified(two_hours_ago).unwrap();
        let stored = vault.import_copy(&running, &|_| {}, &AtomicBool::new(false)).unwrap();

        Vault::open(&root).unwrap();
        assert!(!dead.exists(), "a temporary file untouched for hours belongs to an import that died");
        assert!(running.exists(), "a recent one may belong to an import still running");
        assert!(vault.contains(&stored.sha256), "stored files stay");
    }
}
