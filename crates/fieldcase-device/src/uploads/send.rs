//! The upload agent's loop: one file after another, each from where the bureau got to, in
//! chunks each carrying its SHA-256; the whole file re-hashed in the same pass, and its last
//! chunk held back until that hash matches the import's, so a file whose bytes changed since
//! import is never completed at the bureau.
//!
//! Memory stays flat whatever the file's size: one chunk on its way, the next being read.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use fieldcase_core::sha256_pair::{Sha256Run, update_both};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::EvidenceId;
use fieldcase_core::upload::DEFAULT_CHUNK_BYTES;

use super::LiveUploads;
use super::ledger::ToSend;
use super::tus::Patched;
use crate::SharedDevice;
use crate::sync::{BureauHttp, SyncError};

/// How the agent sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadOptions {
    /// Bytes per PATCH (the last one of a file may be shorter).
    pub chunk_bytes: u64,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions { chunk_bytes: DEFAULT_CHUNK_BYTES }
    }
}

/// What one pass over the queue did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadReport {
    /// Files whose every byte reached the bureau in this pass.
    pub uploaded: usize,
    /// Files found damaged (not sent).
    pub damaged: usize,
    /// Files the bureau would not take, with why; they are tried again in the next pass.
    pub problems: Vec<String>,
}

/// How sending one file ended.
enum Sent {
    Uploaded(u64),
    Damaged,
    Paused,
    /// The bureau's offset moved under the agent (another request wrote it): start the file again from HEAD.
    Again,
}

/// Chunk checksums refused in a row before the agent gives the file up for this pass.
const CHECKSUM_RETRIES: u32 = 3;
/// How long to wait for a lock the bureau holds on the upload (a connection cut mid-chunk
/// that it has not noticed yet), a second at a time.
const LOCK_WAIT_SECONDS: u32 = 90;

/// Sends every queued file whose reference is at the bureau, one at a time, until none is
/// left or the bureau cannot be reached (then the error; what was sent stays sent).
pub async fn upload_queued(
    device: &SharedDevice,
    http: &BureauHttp,
    token: &str,
    options: &UploadOptions,
) -> Result<UploadReport, SyncError> {
    let mut pass = UploadPass::start(device).await?;
    while pass.send_next(device, http, token, options).await?.is_some() {}
    Ok(pass.report)
}

/// One pass over the queue, a file at a time, so the sync agent can fetch each file's
/// verdict as soon as it is whole at the bureau, without waiting for the files after it.
#[derive(Debug)]
pub struct UploadPass {
    live: LiveUploads,
    /// Files this pass gave up on (refused, or moved under the agent): left for the next.
    given_up: Vec<String>,
    pub report: UploadReport,
}

impl UploadPass {
    pub async fn start(device: &SharedDevice) -> Result<Self, SyncError> {
        let live = device.run(|d| Ok(d.live_uploads())).await?;
        Ok(UploadPass { live, given_up: Vec::new(), report: UploadReport::default() })
    }

    /// Sends the next file: None when none is left, else whether it is now whole at the bureau.
    pub async fn send_next(
        &mut self,
        device: &SharedDevice,
        http: &BureauHttp,
        token: &str,
        options: &UploadOptions,
    ) -> Result<Option<bool>, SyncError> {
        let skip = self.given_up.clone();
        let Some(next) = device.run(move |d| d.next_upload(&skip)).await? else { return Ok(None) };
        let id = next.row.reference.id;
        let mut outcome = send_file(device, http, token, &next, options, &self.live).await;
        // Twice more from the bureau's offset if it moved under the agent.
        for _ in 0..2 {
            if !matches!(outcome, Ok(Sent::Again)) {
                break;
            }
            let again = device.run(move |d| d.next_upload(&[])).await?.filter(|n| n.row.reference.id == id);
            let Some(again) = again else { break };
            outcome = send_file(device, http, token, &again, options, &self.live).await;
        }
        self.live.end();
        match outcome {
            Ok(Sent::Uploaded(bytes)) => {
                device.run(move |d| d.upload_finished(id, bytes)).await?;
                self.report.uploaded += 1;
                return Ok(Some(true));
            }
            Ok(Sent::Damaged) => self.report.damaged += 1,
            Ok(Sent::Paused) => {}
            Ok(Sent::Again) => self.given_up.push(id.to_string()),
            Err(e) if file_problem(&e) => {
                let problem = e.to_string();
                let noted = problem.clone();
                device.run(move |d| d.upload_problem(id, Some(&noted))).await?;
                self.report.problems.push(format!("evidence {id}: {problem}"));
                self.given_up.push(id.to_string());
            }
            Err(e) => {
                let problem = e.to_string();
                device.run(move |d| d.upload_problem(id, Some(&problem))).await?;
                return Err(e);
            }
        }
        Ok(Some(false))
    }
}

/// A failure of this one file (the bureau refused it), not of the connection: the pass goes
/// on with the next file.
fn file_problem(e: &SyncError) -> bool {
    matches!(e, SyncError::Refused(_) | SyncError::Protocol(_))
}

async fn send_file(
    device: &SharedDevice,
    http: &BureauHttp,
    token: &str,
    next: &ToSend,
    options: &UploadOptions,
    live: &LiveUploads,
) -> Result<Sent, SyncError> {
    let reference = &next.row.reference;
    let (id, size, expected) = (reference.id, reference.size, reference.sha256);
    // Where the bureau is with this file.
    let resumed = match &next.row.upload_url {
        Some(upload) => match http.tus_offset(token, upload).await? {
            Some(offset) => Some((upload.clone(), offset)),
            None => {
                device
                    .run(move |d| d.upload_forgotten(id, "the bureau no longer holds the upload (it expired)"))
                    .await?;
                None
            }
        },
        None => None,
    };
    let (upload, mut offset) = match resumed {
        Some((upload, offset)) => {
            if offset > size {
                return Err(SyncError::Protocol(format!(
                    "the bureau holds {offset} bytes of a {size}-byte file; report it to the bureau"
                )));
            }
            let noted = upload.clone();
            device.run(move |d| d.upload_opened(id, &noted, Some(offset))).await?;
            (upload, offset)
        }
        None => {
            let upload = http.tus_create(token, id, size).await?;
            let noted = upload.clone();
            device.run(move |d| d.upload_opened(id, &noted, None)).await?;
            (upload, 0)
        }
    };
    live.begin(id, offset, size);

    // The local bytes up to the bureau's offset are hashed again: the whole-file hash covers
    // every byte, whoever sent the first ones.
    let path = next.path.clone();
    let chunk_bytes = options.chunk_bytes.max(1);
    let opened = blocking(move || ChunkReader::open(&path, size, offset, chunk_bytes)).await?;
    let mut reader = match opened {
        Ok(reader) => reader,
        Err(problem) => return damaged(device, http, token, &upload, id, problem).await,
    };
    if offset == size {
        // Every byte was taken before a crash kept the agent from noting it.
        return Ok(Sent::Uploaded(size));
    }
    let (mut chunk, back) = blocking(move || reader.next_chunk(&expected)).await?;
    reader = back;
    let mut noting: Option<tokio::task::JoinHandle<crate::Result<bool>>> = None;
    loop {
        let current = match chunk {
            Ok(current) => current,
            Err(problem) => return damaged(device, http, token, &upload, id, problem).await,
        };
        // Read (and hash) the next chunk while this one is on its way.
        let reading = (!current.last).then(|| tokio::task::spawn_blocking(move || reader.next_chunk(&expected)));
        let taken = send_chunk(http, token, &upload, offset, &current).await;
        let following = match reading {
            Some(handle) => Some(handle.await.map_err(stopped("reading the file"))?),
            None => None,
        };
        let new_offset = match taken? {
            Ok(new_offset) => new_offset,
            Err(sent) => return Ok(sent),
        };
        if new_offset != offset + current.bytes.len() as u64 {
            return Ok(Sent::Again);
        }
        offset = new_offset;
        live.advance(offset);
        // The note of the chunk before, written while this one was on its way (a durable
        // write per chunk would otherwise hold up the next): was the file paused since?
        if let Some(previous) = noting.take() {
            let paused = previous.await.map_err(stopped("noting progress"))??;
            if paused {
                return Ok(Sent::Paused);
            }
        }
        if current.last {
            return Ok(Sent::Uploaded(offset));
        }
        let (shared, noted) = (device.clone(), upload.clone());
        noting = Some(tokio::spawn(async move { shared.run(move |d| d.upload_advanced(id, &noted, offset)).await }));
        let Some((next_chunk, mut back)) = following else { return Ok(Sent::Again) };
        // The request is done with the chunk's bytes: its buffer takes the one after next.
        if let Ok(buffer) = current.bytes.try_into_mut() {
            back.spare.push(buffer.into());
        }
        chunk = next_chunk;
        reader = back;
    }
}

/// Sends one chunk until the bureau takes it: again after a checksum refused on the way,
/// after a wait while the bureau holds a lock on the upload. The bureau's new offset, or how
/// the file's sending ends.
async fn send_chunk(
    http: &BureauHttp,
    token: &str,
    upload: &str,
    offset: u64,
    chunk: &Chunk,
) -> Result<Result<u64, Sent>, SyncError> {
    let (mut refused, mut waited) = (0, 0);
    loop {
        match http.tus_patch(token, upload, offset, chunk.bytes.clone(), &chunk.sha256).await? {
            Patched::Taken(new_offset) => return Ok(Ok(new_offset)),
            Patched::ChecksumMismatch if refused + 1 < CHECKSUM_RETRIES => refused += 1,
            Patched::ChecksumMismatch => {
                return Err(SyncError::Protocol(format!(
                    "the bureau found {CHECKSUM_RETRIES} chunks in a row damaged on the way; the network is corrupting data, try another connection"
                )));
            }
            Patched::Locked if waited < LOCK_WAIT_SECONDS => {
                waited += 1;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Patched::Locked | Patched::OffsetConflict | Patched::Gone => return Ok(Err(Sent::Again)),
        }
    }
}

/// The file's bytes no longer match its import: the upload is ended at the bureau and the
/// file marked damaged, never to be sent.
async fn damaged(
    device: &SharedDevice,
    http: &BureauHttp,
    token: &str,
    upload: &str,
    id: EvidenceId,
    problem: String,
) -> Result<Sent, SyncError> {
    http.tus_terminate(token, upload).await?;
    device.run(move |d| d.upload_damaged(id, &problem)).await?;
    Ok(Sent::Damaged)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, SyncError> {
    tokio::task::spawn_blocking(f).await.map_err(stopped("reading the file"))
}

/// A task of the agent's that ended without its result (it panicked), as a sync error.
fn stopped(what: &'static str) -> impl Fn(tokio::task::JoinError) -> SyncError {
    move |e| SyncError::Protocol(format!("{what} stopped: {e}"))
}

/// One chunk read, with its SHA-256.
struct Chunk {
    bytes: Bytes,
    sha256: [u8; 32],
    last: bool,
}

/// Reads a file chunk by chunk from an offset, hashing every byte from the start.
struct ChunkReader {
    path: PathBuf,
    file: File,
    whole: Sha256Run,
    position: u64,
    size: u64,
    chunk_bytes: u64,
    /// Buffers of chunks the bureau took, to read the next ones into.
    spare: Vec<Vec<u8>>,
}

/// A damaged file, in words for the officer.
type Problem = String;

impl ChunkReader {
    /// Opens the file and hashes its first `offset` bytes.
    fn open(path: &Path, size: u64, offset: u64, chunk_bytes: u64) -> Result<ChunkReader, Problem> {
        let unreadable = |e: io::Error| match e.kind() {
            io::ErrorKind::NotFound => format!("the file {} is missing", path.display()),
            _ => format!("the file {} cannot be read ({e})", path.display()),
        };
        let file = File::open(path).map_err(unreadable)?;
        let now = file.metadata().map_err(unreadable)?.len();
        if now != size {
            return Err(format!(
                "the file {} now has {now} bytes, not the {size} it had at import: it was changed",
                path.display()
            ));
        }
        let mut reader = ChunkReader {
            path: path.to_owned(),
            file,
            whole: Sha256Run::default(),
            position: 0,
            size,
            chunk_bytes,
            spare: Vec::new(),
        };
        let mut buffer = vec![0; 1 << 20];
        while reader.position < offset {
            let want = (offset - reader.position).min(buffer.len() as u64) as usize;
            reader.file.read_exact(&mut buffer[..want]).map_err(unreadable)?;
            reader.whole.update(&buffer[..want]);
            reader.position += want as u64;
        }
        Ok(reader)
    }

    /// The next chunk; at the last one, the whole file's hash is checked against `expected`.
    fn next_chunk(mut self, expected: &ContentHash) -> (Result<Chunk, Problem>, ChunkReader) {
        let result = self.read_chunk(expected);
        (result, self)
    }

    fn read_chunk(&mut self, expected: &ContentHash) -> Result<Chunk, Problem> {
        let want = self.chunk_bytes.min(self.size - self.position) as usize;
        // A buffer a chunk already taken gave back: no fresh pages to fault in and zero.
        let mut bytes = self.spare.pop().unwrap_or_default();
        bytes.resize(want, 0);
        self.file.read_exact(&mut bytes).map_err(|e| {
            format!(
                "the file {} cannot be read at byte {} ({e}): was it shortened?",
                self.path.display(),
                self.position
            )
        })?;
        // The chunk's own hash and the whole file's, in one pass (together they cost about
        // what one costs).
        let mut chunk = Sha256Run::default();
        update_both(&mut self.whole, &mut chunk, &bytes);
        let sha256 = chunk.finalize();
        self.position += want as u64;
        let last = self.position == self.size;
        if last {
            let whole = ContentHash::from_digest(self.whole.finalize());
            if &whole != expected {
                return Err(format!(
                    "the file {} no longer hashes to {expected} as at import (it hashes to {whole}): it was changed, and is not sent",
                    self.path.display()
                ));
            }
        }
        Ok(Chunk { sha256, bytes: Bytes::from(bytes), last })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn chunks(path: &Path, size: u64, offset: u64, expected: &ContentHash) -> Vec<Result<Chunk, Problem>> {
        let mut reader = ChunkReader::open(path, size, offset, 4).unwrap();
        let mut out = Vec::new();
        loop {
            let (chunk, back) = reader.next_chunk(expected);
            reader = back;
            let last = chunk.as_ref().map_or(true, |c| c.last);
            out.push(chunk);
            if last {
                return out;
            }
        }
    }

    #[test]
    fn a_file_is_read_in_chunks_from_an_offset_and_its_whole_hash_checked_at_the_last() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip");
        std::fs::write(&path, b"0123456789").unwrap();
        let hash = ContentHash::of_bytes(b"0123456789");
        let read = chunks(&path, 10, 3, &hash);
        let bytes: Vec<&[u8]> = read.iter().map(|c| c.as_ref().unwrap().bytes.as_ref()).collect();
        assert_eq!(bytes, [&b"3456"[..], b"789"], "from the offset on, in chunks");
        let first = read[0].as_ref().unwrap();
        assert_eq!(first.sha256, <[u8; 32]>::from(Sha256::digest(b"3456")), "each chunk carries its own hash");
        assert!(read[1].as_ref().unwrap().last);
    }

    #[test]
    fn a_file_changed_since_import_is_refused_at_its_last_chunk_or_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip");
        std::fs::write(&path, b"0123456789").unwrap();
        let imported = ContentHash::of_bytes(b"0123456780");
        let read = chunks(&path, 10, 0, &imported);
        let problem = read.last().unwrap().as_ref().err().unwrap();
        assert!(problem.contains("was changed"), "{problem}");
        assert!(read[..read.len() - 1].iter().all(Result::is_ok), "only the last chunk is held back");
        let shorter = ChunkReader::open(&path, 11, 0, 4).err().unwrap();
        assert!(shorter.contains("now has 10 bytes"), "{shorter}");
        let missing = ChunkReader::open(&dir.path().join("gone"), 10, 0, 4).err().unwrap();
        assert!(missing.contains("missing"), "{missing}");
    }
}
