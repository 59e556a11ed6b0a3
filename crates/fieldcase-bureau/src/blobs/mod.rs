//! Where the bureau keeps evidence bytes: behind [`BlobStore`], so one bureau keeps them on
//! its own disk ([`fs`], the default) and several bureau processes share an S3-compatible
//! store (`s3`), chosen by `[blobs]` in `bureau.toml`.
//!
//! An upload's bytes arrive chunk by chunk (tus PATCHes, see [`crate::api::tus`]). The HTTP
//! handler streams each chunk into a file of the process's own staging folder while hashing
//! it; only a chunk whose checksum matched is handed to [`BlobStore::append`]. So a store never
//! sees a refused chunk, and whatever a store keeps between appends lives where every bureau
//! process can reach it (the store's own place), described by the opaque [`StagedState`] the
//! caller keeps in the upload's database row in the same write that advances its offset.
//!
//! When the last byte is in, the caller has the whole file's SHA-256 and [`BlobStore::seal`]s
//! the upload under a [`BlobKey`]: `sha256/<hex>` when it matched the evidence reference
//! (content addressed: the same bytes are one blob), `apart/<upload id>` when it did not.

pub mod fs;
pub mod s3;
pub mod settings;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;

pub use fs::FsBlobStore;

use crate::config::Config;
use settings::BlobSettings;

/// The name of a sealed blob within a store: `sha256/<64 hex digits>` or `apart/<upload id>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey(String);

impl BlobKey {
    /// The key of verified bytes: their SHA-256.
    pub fn verified(sha256: &fieldcase_core::canonical::ContentHash) -> Self {
        Self(format!("sha256/{}", sha256.to_hex()))
    }

    /// The key of bytes that did not match their evidence reference, kept for review.
    pub fn apart(upload: &str) -> Self {
        Self(format!("apart/{upload}"))
    }

    /// A key read back from the database; None unless it is one of the two shapes above
    /// (so no stored value can name a path outside the store).
    pub fn parse(text: &str) -> Option<Self> {
        let (prefix, rest) = text.split_once('/')?;
        let ok = match prefix {
            "sha256" => rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "apart" => !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            _ => false,
        };
        ok.then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a store keeps about an upload in progress between appends (for S3, the multipart
/// upload's id and its parts), opaque to the caller, which stores it with the upload's offset.
/// Empty for a new upload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StagedState(pub String);

/// A store's failure. The upload's recorded offset does not move, so the client resends.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The store cannot be reached or refused the request (a network store), or the disk
    /// failed: retry later.
    #[error("the evidence store is unavailable: {0}")]
    Unavailable(String),
    /// The staged bytes are not where the state says (lost or changed behind the bureau).
    #[error("the staged bytes of upload {upload} are missing or damaged: {detail}")]
    StagedLost { upload: String, detail: String },
    #[error("no blob {0}")]
    NotFound(BlobKey),
    /// Another writer holds the upload's staged file (a request whose lease ran out while its
    /// client was silent, still writing): the chunk is refused as while any other is written.
    #[error("upload {0} is being written by another request")]
    Busy(String),
}

/// An upload's staged file, open at its offset for a chunk and locked for one writer (see
/// [`BlobStore::open_in_place`]); the lock goes with the handle.
#[derive(Debug)]
pub struct InPlace {
    pub file: std::fs::File,
}

/// Evidence bytes, staged per upload and sealed under their key. Every method is durable when
/// it returns (fsync on disk, a completed request on S3) and safe to repeat after a crash
/// between it and the caller's database write.
#[async_trait]
pub trait BlobStore: Send + Sync + fmt::Debug {
    /// Adds `len` checked bytes, the whole content of the file `chunk` in the process's staging
    /// folder, after the `offset` bytes the upload holds so far (described by `state`), and
    /// says how the upload now stands. The caller deletes `chunk` afterwards.
    async fn append(
        &self,
        upload: &str,
        state: &StagedState,
        offset: u64,
        chunk: &Path,
        len: u64,
    ) -> Result<StagedState, BlobError>;

    /// For a store that keeps an upload's staged bytes as one local file: that file, opened to
    /// take a chunk written straight in at `offset` (anything past it cut off), locked so that
    /// no other writer, in this process or another, opens it until the handle is dropped. The
    /// chunk then skips the incoming folder and the copy of [`BlobStore::append`]; the caller
    /// still counts its bytes with [`BlobStore::append_in_place`]. `None`: the store has no such
    /// file (S3), and chunks go through the incoming folder.
    async fn open_in_place(&self, _upload: &str, _offset: u64) -> Result<Option<InPlace>, BlobError> {
        Ok(None)
    }

    /// Counts `len` bytes written through `in_place` after the `offset` bytes the upload held,
    /// as [`BlobStore::append`] does for a chunk file. The caller keeps the handle (and so the
    /// lock) until the database has recorded the new offset.
    async fn append_in_place(
        &self,
        upload: &str,
        _in_place: &InPlace,
        _offset: u64,
        _len: u64,
    ) -> Result<StagedState, BlobError> {
        Err(BlobError::Unavailable(format!("upload {upload}: this store takes no chunk in place")))
    }

    /// Makes the upload's `total` staged bytes the blob `key`, then forgets what was staged.
    /// Sealing bytes under a `sha256/` key that already exists keeps the one copy.
    async fn seal(&self, upload: &str, state: &StagedState, total: u64, key: &BlobKey) -> Result<(), BlobError>;

    /// Forgets an upload's staged bytes (terminated or expired). Fine if nothing is staged.
    async fn discard(&self, upload: &str, state: &StagedState) -> Result<(), BlobError>;

    /// Copies a sealed blob into `to` (a file in the staging folder), for `bureau evidence
    /// verify` to hash; returns its size.
    async fn fetch(&self, key: &BlobKey, to: &Path) -> Result<u64, BlobError>;

    /// Whether a sealed blob exists.
    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError>;
}

/// The store `[blobs]` in the configuration names, ready to use (an S3 bucket is listed
/// once, so a wrong address or key is found at start, not at the first upload).
pub async fn open(config: &Config) -> Result<Arc<dyn BlobStore>, BlobError> {
    Ok(match &config.blobs {
        BlobSettings::Fs => Arc::new(FsBlobStore::open(&config.data_dir)?),
        BlobSettings::S3(s3) => Arc::new(s3::S3BlobStore::open(s3).await?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_two_shapes_of_key_are_read_back() {
        let hash = fieldcase_core::canonical::ContentHash::of_bytes(b"x");
        let key = BlobKey::verified(&hash);
        assert_eq!(BlobKey::parse(key.as_str()), Some(key));
        assert!(BlobKey::parse("apart/0190f3a2-1b2c-7d4e-8f00-123456789abc").is_some());
        for bad in ["sha256/../../etc/passwd", "apart/../x", "other/abc", "sha256/ABC", "apart/", "/etc/passwd"] {
            assert_eq!(BlobKey::parse(bad), None, "{bad}");
        }
    }
}
