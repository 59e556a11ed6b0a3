//! A chunk streamed from the request body straight into the upload's staged file (a store
//! that has one) or into a file of the incoming folder, hashed as it comes (its own checksum
//! and the whole file's SHA-256), never held whole in memory.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::body::Bytes;
use chrono::Utc;
use http_body_util::BodyExt;

use super::super::{ApiError, AppState};
use crate::blobs::InPlace;
use crate::uploads::hashing::{ChunkChecksum, FileHasher, StreamHashers};
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

/// Where a chunk's bytes went.
#[derive(Debug)]
pub enum Arrived {
    /// Into a file of the incoming folder, for the store to take in.
    Incoming(IncomingFile),
    /// Into the upload's staged file, after its offset; still locked.
    InPlace(InPlace),
}

/// What arrived of a chunk.
#[derive(Debug)]
pub struct Received {
    pub arrived: Arrived,
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
    /// Streams `body` into `in_place` (the upload's staged file, at its offset) or, without
    /// one, into a new incoming file, taking at most `room` bytes.
    ///
    /// The async task only moves frames (reference-counted, not copied), in batches: one
    /// blocking thread writes them to the file and one feeds the whole-file hash and the
    /// chunk's checksum (together, in one pass), so the work runs side by side and the next
    /// frames keep arriving meanwhile. Bounded channels between them keep memory flat.
    pub async fn receive(
        &self,
        body: Body,
        room: u64,
        checksum: Option<&ChunkChecksum>,
        hasher: FileHasher,
        in_place: Option<InPlace>,
    ) -> Result<Received, ApiError> {
        let target = match in_place {
            Some(in_place) => Target::InPlace(in_place),
            None => Target::Incoming(self.incoming_file().await?),
        };
        let (to_file, writing) = write_file(target);
        let hashers = StreamHashers { whole: hasher, chunk: checksum.map(ChunkChecksum::hasher) };
        let (to_hashers, hashing) = hash_on_a_thread(hashers, StreamHashers::update);
        let (mut body, mut bytes, mut whole, mut too_long) = (body, 0u64, false, false);
        let (mut batch, mut batched) = (Vec::new(), 0usize);
        let mut renewed = Instant::now();
        loop {
            // The lease is renewed on time even while the client is silent, so a short lease
            // (which frees an upload soon after its process dies) never runs out under a live
            // request; silence past IDLE_TIMEOUT ends the chunk.
            let silent_since = Instant::now();
            let next = loop {
                let wait = LEASE_RENEWAL
                    .saturating_sub(renewed.elapsed())
                    .min(IDLE_TIMEOUT.saturating_sub(silent_since.elapsed()));
                match tokio::time::timeout(wait, body.frame()).await {
                    Ok(next) => break Ok(next),
                    Err(silent) if silent_since.elapsed() >= IDLE_TIMEOUT => break Err(silent),
                    Err(_) => {
                        self.renew().await?;
                        renewed = Instant::now();
                    }
                }
            };
            let frame = match next {
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
            bytes += data.len() as u64;
            batched += data.len();
            batch.push(data);
            // Frames go on in batches: a hand-over per frame (some KiB) would cost more than its hashing.
            if batched >= BATCH_BYTES {
                if !hand_over(&mut batch, &to_file, &to_hashers).await {
                    break;
                }
                batched = 0;
            }
            if renewed.elapsed() >= LEASE_RENEWAL {
                self.renew().await?;
                renewed = Instant::now();
            }
        }
        hand_over(&mut batch, &to_file, &to_hashers).await;
        drop((to_file, to_hashers));
        let stopped = |e: tokio::task::JoinError| ApiError::Internal(format!("receiving a chunk stopped: {e}"));
        let arrived = writing.await.map_err(stopped)??;
        let StreamHashers { whole: hasher, chunk } = hashing.await.map_err(stopped)?;
        let checksum_matches = chunk.zip(checksum).map(|(chunk, expected)| chunk.matches(expected));
        Ok(Received { arrived, bytes, whole, too_long, checksum_matches, hasher })
    }

    async fn incoming_file(&self) -> Result<IncomingFile, ApiError> {
        tokio::fs::create_dir_all(&self.state.incoming)
            .await
            .map_err(|e| ApiError::Internal(format!("making {}: {e}", self.state.incoming.display())))?;
        let name = crate::uploads::new_upload_id().map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
        Ok(IncomingFile(self.state.incoming.join(name)))
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

/// Frames of the request handed to the threads together.
type Batch = Vec<Bytes>;
/// About how many bytes of frames make a batch.
const BATCH_BYTES: usize = 512 * 1024;
/// Batches on their way to a thread, at most: a few MiB.
const BATCHES_IN_FLIGHT: usize = 8;

/// Hands the batch to the hashing thread and the writing thread; false if the writing thread
/// stopped (on an error, which it returns when joined).
async fn hand_over(
    batch: &mut Batch,
    to_file: &tokio::sync::mpsc::Sender<Batch>,
    to_hashers: &tokio::sync::mpsc::Sender<Batch>,
) -> bool {
    if batch.is_empty() {
        return true;
    }
    let batch = std::mem::take(batch);
    // The hashing thread outlives the loop; a send fails only if it panicked, seen when joined.
    let _ = to_hashers.send(batch.clone()).await;
    to_file.send(batch).await.is_ok()
}

/// Where the writing thread puts a chunk.
enum Target {
    Incoming(IncomingFile),
    InPlace(InPlace),
}

/// The thread that writes a chunk's frames to its target; it gives back where they went.
fn write_file(
    target: Target,
) -> (tokio::sync::mpsc::Sender<Batch>, tokio::task::JoinHandle<Result<Arrived, ApiError>>) {
    use std::io::Write;
    let (to, mut from) = tokio::sync::mpsc::channel::<Batch>(BATCHES_IN_FLIGHT);
    let thread = tokio::task::spawn_blocking(move || {
        let (file, path) = match &target {
            Target::Incoming(incoming) => (std::fs::File::create(incoming.path()), incoming.path().to_owned()),
            Target::InPlace(in_place) => (in_place.file.try_clone(), PathBuf::from("the upload's staged file")),
        };
        let written = |e: std::io::Error| ApiError::Internal(format!("writing {}: {e}", path.display()));
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file.map_err(written)?);
        while let Some(batch) = from.blocking_recv() {
            batch.iter().try_for_each(|data| out.write_all(data)).map_err(written)?;
        }
        out.flush().map_err(written)?;
        Ok(match target {
            Target::Incoming(incoming) => Arrived::Incoming(incoming),
            Target::InPlace(in_place) => Arrived::InPlace(in_place),
        })
    });
    (to, thread)
}

/// A thread feeding every frame to `hasher` until the request's frames end; it gives it back.
fn hash_on_a_thread<H: Send + 'static>(
    mut hasher: H,
    update: fn(&mut H, &[u8]),
) -> (tokio::sync::mpsc::Sender<Batch>, tokio::task::JoinHandle<H>) {
    let (to, mut from) = tokio::sync::mpsc::channel::<Batch>(BATCHES_IN_FLIGHT);
    let thread = tokio::task::spawn_blocking(move || {
        while let Some(batch) = from.blocking_recv() {
            batch.iter().for_each(|data| update(&mut hasher, data));
        }
        hasher
    });
    (to, thread)
}
