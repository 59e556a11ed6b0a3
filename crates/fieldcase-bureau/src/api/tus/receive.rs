//! A chunk streamed from the request body into a file of the incoming folder, hashed as it
//! comes (its own checksum and the whole file's SHA-256), never held whole in memory.
//!
//! Hashing runs on the async task, frame by frame: a frame is at most some tens of KiB,
//! which SHA-256 (with the CPU's SHA extensions) takes in microseconds, and handing each to
//! the blocking pool would cost more than it saves.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::body::Body;
use chrono::Utc;
use http_body_util::BodyExt;
use tokio::io::{AsyncWriteExt, BufWriter};

use super::super::{ApiError, AppState};
use crate::uploads::hashing::{ChunkChecksum, FileHasher};
use crate::uploads::{LEASE_RENEWAL, LEASE_TERM};

/// How long the bureau waits for the next bytes of a chunk before it takes the chunk as cut.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// A file in the incoming folder, removed when dropped.
#[derive(Debug)]
pub struct IncomingFile(PathBuf);

impl IncomingFile {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for IncomingFile {
    fn drop(&mut self) {
        // What was needed of it was copied into the blob store; an error only leaves a stray
        // file, which a later start clears (see `clear_stray`).
        let _ = std::fs::remove_file(&self.0);
    }
}

/// How long a file in the incoming folder may stand untouched before it is taken as left by
/// a process that stopped mid-chunk (a chunk in progress is written to at least every
/// [`IDLE_TIMEOUT`]).
const STRAY_AFTER: Duration = Duration::from_secs(3600);

/// Removes the incoming files a stopped process left behind; at start, so files of another
/// process sharing the folder that are still being written are left alone. Returns how many.
pub fn clear_stray(incoming: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(incoming) else { return 0 };
    let stale = |entry: &std::fs::DirEntry| {
        entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age >= STRAY_AFTER)
    };
    entries.flatten().filter(|e| stale(e) && std::fs::remove_file(e.path()).is_ok()).count()
}

/// What arrived of a chunk.
#[derive(Debug)]
pub struct Received {
    pub file: IncomingFile,
    pub bytes: u64,
    /// The body ended as it should (not cut, not idle past [`IDLE_TIMEOUT`]).
    pub whole: bool,
    /// More came than the upload has room for (nothing of it is kept).
    pub too_long: bool,
    /// Whether the bytes match the client's `Upload-Checksum` (None: none was sent).
    pub checksum_matches: Option<bool>,
    /// The whole-file hasher after these bytes.
    pub hasher: FileHasher,
}

/// Who streams the chunk: the upload it is for, and the lease to keep renewing.
pub struct Streaming<'a> {
    pub state: &'a AppState,
    pub upload: &'a str,
    pub holder: &'a str,
}

impl Streaming<'_> {
    /// Streams `body` into a new incoming file, taking at most `room` bytes.
    pub async fn receive(
        &self,
        body: Body,
        room: u64,
        checksum: Option<&ChunkChecksum>,
        mut hasher: FileHasher,
    ) -> Result<Received, ApiError> {
        tokio::fs::create_dir_all(&self.state.incoming)
            .await
            .map_err(|e| ApiError::Internal(format!("making {}: {e}", self.state.incoming.display())))?;
        let name = crate::uploads::new_upload_id().map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
        let file = IncomingFile(self.state.incoming.join(name));
        let written = |e: std::io::Error| ApiError::Internal(format!("writing {}: {e}", file.path().display()));
        let mut out = BufWriter::with_capacity(1 << 20, tokio::fs::File::create(file.path()).await.map_err(written)?);
        let mut chunk_hasher = checksum.map(ChunkChecksum::hasher);
        let (mut body, mut bytes, mut whole, mut too_long) = (body, 0u64, false, false);
        let mut renewed = Instant::now();
        loop {
            let frame = match tokio::time::timeout(IDLE_TIMEOUT, body.frame()).await {
                Ok(Some(Ok(frame))) => frame,
                Ok(None) => {
                    whole = true;
                    break;
                }
                // Cut, or silent too long: what arrived is what there is.
                Ok(Some(Err(_))) | Err(_) => break,
            };
            let Ok(data) = frame.into_data() else { continue };
            if bytes.saturating_add(data.len() as u64) > room {
                too_long = true;
                break;
            }
            out.write_all(&data).await.map_err(written)?;
            hasher.update(&data);
            if let Some(h) = chunk_hasher.as_mut() {
                h.update(&data);
            }
            bytes += data.len() as u64;
            if renewed.elapsed() >= LEASE_RENEWAL {
                self.renew().await?;
                renewed = Instant::now();
            }
        }
        out.flush().await.map_err(written)?;
        drop(out);
        let checksum_matches = match (chunk_hasher, checksum) {
            (Some(h), Some(expected)) => Some(h.matches(expected)),
            _ => None,
        };
        Ok(Received { file, bytes, whole, too_long, checksum_matches, hasher })
    }

    async fn renew(&self) -> Result<(), ApiError> {
        let until = Utc::now() + LEASE_TERM;
        let held = self.state.store.renew_lease(self.upload.to_owned(), self.holder.to_owned(), until).await?;
        if !held {
            // Its client was silent so long that another request took the upload.
            return Err(crate::uploads::UploadRefusal::Locked(self.upload.to_owned()).into());
        }
        Ok(())
    }
}
