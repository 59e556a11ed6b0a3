//! The filesystem [`BlobStore`], the default: everything under `<data_dir>/blobs`.
//!
//! An upload in progress is one file, `staging/<upload id>`; a chunk is written straight into
//! it at the upload's offset, under a file lock (`open_in_place`), or copied in from a chunk
//! file (`append`). Sealing fsyncs the staged
//! file and renames it to its key (`sha256/<hex>` or `apart/<upload id>`), then fsyncs the
//! key's directory, so a sealed blob is whole on disk before the database says it is there.
//! Everything here is blocking file work, run on tokio's blocking pool.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::{BlobError, BlobKey, BlobStore, InPlace, StagedState};

/// The folder under the data directory the store keeps its files in.
pub const BLOBS_DIR: &str = "blobs";

/// Evidence bytes in a folder of the bureau's own disk.
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    /// The store in `<data_dir>/blobs`, its folders made if missing.
    pub fn open(data_dir: &Path) -> Result<Self, BlobError> {
        let root = data_dir.join(BLOBS_DIR);
        for sub in ["staging", "sha256", "apart"] {
            fs::create_dir_all(root.join(sub)).map_err(|e| unavailable(&root.join(sub), e))?;
        }
        Ok(Self { root })
    }

    /// Where the bytes of an upload in progress are. Upload ids are made by the bureau, but
    /// one is checked anyway so that no value can name a path outside the store.
    fn staged(&self, upload: &str) -> Result<PathBuf, BlobError> {
        let plain = !upload.is_empty() && upload.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !plain {
            return Err(BlobError::StagedLost { upload: upload.to_owned(), detail: "not an upload id".into() });
        }
        Ok(self.root.join("staging").join(upload))
    }

    /// Where a sealed blob is (a [`BlobKey`] is one of two plain shapes, so this stays inside).
    fn sealed(&self, key: &BlobKey) -> PathBuf {
        self.root.join(key.as_str())
    }
}

fn unavailable(path: &Path, e: io::Error) -> BlobError {
    BlobError::Unavailable(format!("{}: {e}", path.display()))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, BlobError> + Send + 'static,
) -> Result<T, BlobError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| BlobError::Unavailable(format!("a file operation stopped: {e}")))?
}

/// The staged file of `upload`, opened and placed at `offset` for the next chunk.
fn open_at(staged: &Path, upload: &str, offset: u64) -> Result<File, BlobError> {
    let file =
        OpenOptions::new().create(true).truncate(false).write(true).open(staged).map_err(|e| unavailable(staged, e))?;
    at_offset(file, staged, upload, offset)
}

/// Places the staged `file` at `offset`: it must hold at least that many bytes (fewer were lost
/// behind the bureau), and a tail past them is cut off: what an append wrote before a crash
/// kept the database from recording it, or what a refused chunk left. It is written again.
fn at_offset(mut file: File, staged: &Path, upload: &str, offset: u64) -> Result<File, BlobError> {
    let held = file.metadata().map_err(|e| unavailable(staged, e))?.len();
    if held < offset {
        return Err(BlobError::StagedLost {
            upload: upload.to_owned(),
            detail: format!("{held} bytes are staged where {offset} were recorded"),
        });
    }
    file.set_len(offset).map_err(|e| unavailable(staged, e))?;
    file.seek(SeekFrom::Start(offset)).map_err(|e| unavailable(staged, e))?;
    Ok(file)
}

/// After a chunk is written to the staged `file` at `offset`.
fn appended(staged: &Path, file: File, offset: u64) -> Result<StagedState, BlobError> {
    // Not fsynced chunk by chunk (the disk's synchronous write speed would bound every
    // upload): sealing fsyncs the whole before the rename, and bytes a power cut loses
    // before then are found missing at the next append (StagedLost), which ends the
    // upload so the client sends the file again. Never a verdict on missing bytes.
    if offset == 0 {
        sync_dir(staged.parent().unwrap_or(Path::new(".")))?;
    }
    // But the disk starts on them now, beside the next chunks, rather than all at the
    // seal: the fsync there then finds little left to write.
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        handle.spawn_blocking(move || file.sync_data());
    }
    Ok(StagedState::default())
}

/// Fsyncs a directory, so that a rename or a new file in it survives a power cut.
fn sync_dir(dir: &Path) -> Result<(), BlobError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| unavailable(dir, e))
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn append(
        &self,
        upload: &str,
        _state: &StagedState,
        offset: u64,
        chunk: &Path,
        len: u64,
    ) -> Result<StagedState, BlobError> {
        let staged = self.staged(upload)?;
        let (upload, chunk) = (upload.to_owned(), chunk.to_owned());
        blocking(move || {
            let mut file = open_at(&staged, &upload, offset)?;
            let mut source = File::open(&chunk).map_err(|e| unavailable(&chunk, e))?;
            let copied = io::copy(&mut (&mut source).take(len), &mut file).map_err(|e| unavailable(&staged, e))?;
            if copied != len {
                return Err(BlobError::Unavailable(format!(
                    "the chunk file {} held {copied} bytes, not {len}",
                    chunk.display()
                )));
            }
            appended(&staged, file, offset)
        })
        .await
    }

    async fn open_in_place(&self, upload: &str, offset: u64) -> Result<Option<InPlace>, BlobError> {
        let staged = self.staged(upload)?;
        let upload = upload.to_owned();
        blocking(move || {
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&staged)
                .map_err(|e| unavailable(&staged, e))?;
            // Taken before anything is cut or written: a writer whose lease ran out while its
            // client was silent may still be writing, and must finish before another starts.
            file.try_lock().map_err(|_| BlobError::Busy(upload.clone()))?;
            let file = at_offset(file, &staged, &upload, offset)?;
            Ok(Some(InPlace { file }))
        })
        .await
    }

    async fn append_in_place(
        &self,
        upload: &str,
        in_place: &InPlace,
        offset: u64,
        len: u64,
    ) -> Result<StagedState, BlobError> {
        let staged = self.staged(upload)?;
        let held = in_place.file.metadata().map_err(|e| unavailable(&staged, e))?.len();
        blocking(move || {
            // A handle of its own for the disk to be started on: a clone of the locked one
            // would hold the lock until the disk is done.
            if held != offset + len {
                return Err(BlobError::Unavailable(format!(
                    "{}: {held} bytes where {offset} and a chunk of {len} were written",
                    staged.display()
                )));
            }
            let file = File::open(&staged).map_err(|e| unavailable(&staged, e))?;
            appended(&staged, file, offset)
        })
        .await
    }

    async fn seal(&self, upload: &str, _state: &StagedState, total: u64, key: &BlobKey) -> Result<(), BlobError> {
        let staged = self.staged(upload)?;
        let target = self.sealed(key);
        let content_addressed = key.as_str().starts_with("sha256/");
        let upload = upload.to_owned();
        blocking(move || {
            let file = match File::open(&staged) {
                Ok(file) => file,
                // Sealed already, by a call a crash kept the database from recording.
                Err(e) if e.kind() == io::ErrorKind::NotFound && target.is_file() => return Ok(()),
                Err(e) => return Err(unavailable(&staged, e)),
            };
            let held = file.metadata().map_err(|e| unavailable(&staged, e))?.len();
            if held != total {
                return Err(BlobError::StagedLost { upload, detail: format!("{held} bytes are staged, not {total}") });
            }
            file.sync_all().map_err(|e| unavailable(&staged, e))?;
            drop(file);
            let dir = target.parent().unwrap_or(Path::new(".")).to_owned();
            if content_addressed && target.is_file() {
                // The same verified bytes are held already (content addressed): one copy.
                fs::remove_file(&staged).map_err(|e| unavailable(&staged, e))?;
            } else {
                fs::rename(&staged, &target).map_err(|e| unavailable(&target, e))?;
            }
            sync_dir(&dir)?;
            sync_dir(staged.parent().unwrap_or(Path::new(".")))
        })
        .await
    }

    async fn discard(&self, upload: &str, _state: &StagedState) -> Result<(), BlobError> {
        let staged = self.staged(upload)?;
        blocking(move || match fs::remove_file(&staged) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(unavailable(&staged, e)),
        })
        .await
    }

    async fn fetch(&self, key: &BlobKey, to: &Path) -> Result<u64, BlobError> {
        let (source, to, key) = (self.sealed(key), to.to_owned(), key.clone());
        blocking(move || match fs::copy(&source, &to) {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(BlobError::NotFound(key)),
            Err(e) => Err(unavailable(&source, e)),
        })
        .await
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError> {
        let path = self.sealed(key);
        blocking(move || path.try_exists().map_err(|e| unavailable(&path, e))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldcase_core::canonical::ContentHash;

    fn chunk(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.join(name);
        fs::write(&path, bytes).unwrap();
        path
    }

    #[tokio::test]
    async fn chunks_append_at_their_offset_and_seal_under_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path()).unwrap();
        let empty = StagedState::default();
        let a = chunk(dir.path(), "a", b"hello ");
        let b = chunk(dir.path(), "b", b"world");
        let state = store.append("u1", &empty, 0, &a, 6).await.unwrap();
        let state = store.append("u1", &state, 6, &b, 5).await.unwrap();
        let key = BlobKey::verified(&ContentHash::of_bytes(b"hello world"));
        assert!(!store.exists(&key).await.unwrap());
        store.seal("u1", &state, 11, &key).await.unwrap();
        assert!(store.exists(&key).await.unwrap(), "the sealed blob is under its key");
        let out = dir.path().join("out");
        assert_eq!(store.fetch(&key, &out).await.unwrap(), 11);
        assert_eq!(fs::read(&out).unwrap(), b"hello world", "the bytes are the chunks in order");
        assert!(!store.staged("u1").unwrap().exists(), "nothing stays staged");
        store.seal("u1", &state, 11, &key).await.expect("sealing again after a crash is fine");
    }

    #[tokio::test]
    async fn an_append_repeated_after_a_crash_overwrites_the_unrecorded_tail() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path()).unwrap();
        let empty = StagedState::default();
        let first = chunk(dir.path(), "first", b"0123");
        let second = chunk(dir.path(), "second", b"4567");
        store.append("u2", &empty, 0, &first, 4).await.unwrap();
        // The second append landed, but the database never recorded offset 8: it comes again.
        store.append("u2", &empty, 4, &second, 4).await.unwrap();
        let again = chunk(dir.path(), "again", b"45");
        store.append("u2", &empty, 4, &again, 2).await.unwrap();
        assert_eq!(fs::read(store.staged("u2").unwrap()).unwrap(), b"012345", "the old tail is gone");
        let gap = store.append("u2", &empty, 10, &again, 2).await.unwrap_err();
        assert!(matches!(gap, BlobError::StagedLost { .. }), "an offset past what is staged is refused: {gap}");
        let wrong = store.seal("u2", &empty, 7, &BlobKey::apart("u2")).await.unwrap_err();
        assert!(matches!(wrong, BlobError::StagedLost { .. }), "a seal of another length is refused: {wrong}");
    }

    #[tokio::test]
    async fn the_same_bytes_twice_are_one_blob_and_a_mismatch_is_kept_apart() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path()).unwrap();
        let empty = StagedState::default();
        let bytes = chunk(dir.path(), "bytes", b"same");
        let key = BlobKey::verified(&ContentHash::of_bytes(b"same"));
        for upload in ["one", "two"] {
            store.append(upload, &empty, 0, &bytes, 4).await.unwrap();
            store.seal(upload, &empty, 4, &key).await.unwrap();
        }
        assert_eq!(fs::read_dir(dir.path().join("blobs/sha256")).unwrap().count(), 1, "one copy");
        assert_eq!(fs::read_dir(dir.path().join("blobs/staging")).unwrap().count(), 0);

        store.append("three", &empty, 0, &bytes, 4).await.unwrap();
        let apart = BlobKey::apart("three");
        store.seal("three", &empty, 4, &apart).await.unwrap();
        assert!(dir.path().join("blobs/apart/three").is_file(), "bytes that did not match are kept apart");

        store.append("four", &empty, 0, &bytes, 4).await.unwrap();
        store.discard("four", &empty).await.unwrap();
        store.discard("four", &empty).await.expect("discarding nothing is fine");
        assert!(!store.staged("four").unwrap().exists());
        let missing = store.fetch(&BlobKey::apart("four"), &dir.path().join("x")).await.unwrap_err();
        assert!(matches!(missing, BlobError::NotFound(_)));
        assert!(store.staged("../etc").is_err(), "an upload id cannot name a path");
    }

    #[tokio::test]
    async fn a_chunk_written_in_place_locks_the_staged_file_and_a_refused_one_is_cut_off() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path()).unwrap();
        let mut first = store.open_in_place("u5", 0).await.unwrap().expect("the disk store writes in place");
        first.file.write_all(b"0123").unwrap();
        let busy = store.open_in_place("u5", 0).await.unwrap_err();
        assert!(matches!(busy, BlobError::Busy(_)), "a second writer waits for the first: {busy}");
        store.append_in_place("u5", &first, 0, 4).await.unwrap();
        let short = store.append_in_place("u5", &first, 0, 5).await.unwrap_err();
        assert!(matches!(short, BlobError::Unavailable(_)), "bytes not written are not counted: {short}");
        drop(first);

        // A chunk refused after it was written (a checksum mismatch) leaves a tail the next cuts.
        let mut refused = store.open_in_place("u5", 4).await.unwrap().unwrap();
        refused.file.write_all(b"junk").unwrap();
        drop(refused);
        let mut next = store.open_in_place("u5", 4).await.unwrap().unwrap();
        next.file.write_all(b"45").unwrap();
        store.append_in_place("u5", &next, 4, 2).await.unwrap();
        drop(next);
        let after = store.open_in_place("u5", 6).await.unwrap();
        assert!(after.is_some(), "the lock goes with the writer's handle, not the disk's work after it");
        drop(after);
        assert_eq!(fs::read(store.staged("u5").unwrap()).unwrap(), b"012345");
        let gap = store.open_in_place("u5", 9).await.unwrap_err();
        assert!(matches!(gap, BlobError::StagedLost { .. }), "an offset past what is staged is refused: {gap}");
        store.seal("u5", &StagedState::default(), 6, &BlobKey::apart("u5")).await.unwrap();
        assert_eq!(fs::read(dir.path().join("blobs/apart/u5")).unwrap(), b"012345");
    }
}
