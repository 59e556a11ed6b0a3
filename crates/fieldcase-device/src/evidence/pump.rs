//! One pass over a file: each buffer read goes to a hashing thread and, when copying, to a
//! writing thread at the same time, so the hash hides behind the writes (or, hashing in
//! place, the reads hide behind the hash). Memory stays at a fixed ring of buffers whatever
//! the file's size.
//!
//! The copy is written with direct I/O where the file system allows it (Linux `O_DIRECT`):
//! the bytes go from the buffer to the disk, not through the page cache. A multi-GB import
//! then neither evicts everything else from memory nor leaves gigabytes for the final fsync
//! to write, and it costs no copy into the cache: on the officers' two-core laptops that
//! copy costs as much CPU as the hash.

use std::fs::File;
use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use fieldcase_core::canonical::ContentHash;
use sha2::{Digest, Sha256};

/// Buffers in the ring: one being read, the others being hashed and written.
pub const RING: usize = 4;
/// Bytes in each buffer: large enough that a system call and a channel hop per buffer cost
/// nothing beside the bytes, small enough that the ring stays a few MiB. A multiple of
/// [`ALIGN`], so every direct write but the last is whole blocks at a block boundary.
pub const BUFFER: usize = 4 << 20;
/// The alignment direct I/O asks of memory, file offsets and lengths (the largest logical
/// block size disks have).
const ALIGN: usize = 4096;

/// What a pass read: its hash and its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pumped {
    pub sha256: ContentHash,
    pub size: u64,
}

#[derive(Debug)]
pub enum PumpError {
    Cancelled,
    Read(io::Error),
    Write(io::Error),
}

/// Where a copy goes: `file`, and, when the file system takes direct I/O, a second handle
/// on the same file opened for it. Both are written by offset.
#[derive(Debug)]
pub struct CopyTo<'a> {
    pub file: &'a File,
    pub direct: Option<File>,
}

/// A buffer aligned for direct I/O: `ALIGN` spare bytes, and the slice that starts on an
/// aligned address.
struct Block {
    storage: Vec<u8>,
    start: usize,
}

impl Block {
    fn new() -> Block {
        let storage = vec![0; BUFFER + ALIGN];
        let start = storage.as_ptr().align_offset(ALIGN).min(ALIGN);
        Block { storage, start }
    }
    fn bytes(&self) -> &[u8] {
        &self.storage[self.start..self.start + BUFFER]
    }
    fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.storage[self.start..self.start + BUFFER]
    }
}

/// A filled block on its way: its bytes, how many of them count, and its offset in the file.
type Filled = (Arc<Block>, usize, u64);

/// Reads `src` to its end once, hashing everything read and writing it to `copy` if given.
/// `progress` hears the bytes read after each buffer; `cancel` is looked at before each.
pub fn pump(
    src: &mut File,
    copy: Option<CopyTo<'_>>,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<Pumped, PumpError> {
    let (to_hash, hash_queue) = sync_channel::<Filled>(RING);
    let (give_back, returned) = sync_channel::<Arc<Block>>(2 * RING);
    let stopped = || io::Error::other("the pass stopped");
    std::thread::scope(|scope| {
        let back = give_back.clone();
        let hasher = scope.spawn(move || {
            let mut hasher = Sha256::new();
            let mut hashed = 0u64;
            // Every block sent is hashed, until the reader closes the queue: the reader has
            // stopped taking blocks back by then, which must not cut the hash short.
            for (block, len, _) in hash_queue {
                hasher.update(&block.bytes()[..len]);
                hashed += len as u64;
                let _ = back.send(block);
            }
            (ContentHash::from_digest(hasher.finalize().into()), hashed)
        });
        let (to_write, writer) = match copy {
            Some(copy) => {
                let (to_write, write_queue) = sync_channel::<Filled>(RING);
                let back = give_back.clone();
                (Some(to_write), Some(scope.spawn(move || write_all(copy, write_queue, back))))
            }
            None => (None, None),
        };
        drop(give_back);

        let read_all = read_blocks(src, &to_hash, to_write.as_ref(), &returned, progress, cancel);
        drop((to_hash, to_write, returned));
        let written = writer.map(|w| w.join().unwrap_or_else(|_| Err(io::Error::other("the writing thread panicked"))));
        let (sha256, hashed) =
            hasher.join().map_err(|_| PumpError::Read(io::Error::other("the hashing thread panicked")))?;
        // A write that failed stopped the reader too: its error is the one to tell.
        if let Some(Err(e)) = written {
            return Err(PumpError::Write(e));
        }
        let size = read_all.map_err(|e| e.unwrap_or_else(|| PumpError::Write(stopped())))?;
        if hashed != size {
            return Err(PumpError::Read(io::Error::other(format!("{size} bytes were read but {hashed} hashed"))));
        }
        Ok(Pumped { sha256, size })
    })
}

/// The reading side: fills free blocks and hands each to the hasher and the writer. `None`
/// as the error: a consumer stopped, and says why itself.
fn read_blocks(
    src: &mut File,
    to_hash: &SyncSender<Filled>,
    to_write: Option<&SyncSender<Filled>>,
    returned: &Receiver<Arc<Block>>,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<u64, Option<PumpError>> {
    let mut allocated = 0;
    let mut size = 0u64;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(Some(PumpError::Cancelled));
        }
        let mut block = if allocated < RING {
            allocated += 1;
            Block::new()
        } else {
            free_block(returned).ok_or(None)?
        };
        let len = fill(src, block.bytes_mut()).map_err(|e| Some(PumpError::Read(e)))?;
        if len == 0 {
            return Ok(size);
        }
        let block = Arc::new(block);
        to_hash.send((block.clone(), len, size)).map_err(|_| None)?;
        if let Some(to_write) = to_write {
            to_write.send((block, len, size)).map_err(|_| None)?;
        }
        size += len as u64;
        progress(size);
    }
}

/// The next block both consumers are done with: each gives its share back, and the last
/// share back is the whole block.
fn free_block(returned: &Receiver<Arc<Block>>) -> Option<Block> {
    loop {
        if let Ok(block) = Arc::try_unwrap(returned.recv().ok()?) {
            return Some(block);
        }
    }
}

/// The writing side: each block at its offset, directly while the blocks are whole and the
/// file system takes it, else through the page cache.
fn write_all(copy: CopyTo<'_>, queue: Receiver<Filled>, back: SyncSender<Arc<Block>>) -> io::Result<()> {
    let mut direct = copy.direct;
    for (block, len, offset) in queue {
        let bytes = &block.bytes()[..len];
        let direct_done = match &direct {
            Some(d) if len % ALIGN == 0 => match write_at(d, bytes, offset) {
                Ok(()) => true,
                // Open took the flag but this file system refuses the write: go through the
                // cache from here on.
                Err(e) if e.kind() == io::ErrorKind::InvalidInput => {
                    direct = None;
                    false
                }
                Err(e) => return Err(e),
            },
            _ => false,
        };
        if !direct_done {
            write_at(copy.file, bytes, offset)?;
        }
        // Every block sent is written, whether or not the reader still takes blocks back.
        let _ = back.send(block);
    }
    Ok(())
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(windows)]
fn write_at(file: &File, mut bytes: &[u8], mut offset: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(file, bytes, offset)?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        bytes = &bytes[n..];
        offset += n as u64;
    }
    Ok(())
}

/// Fills `buffer` from `src`, short only at the end of the file.
fn fill(src: &mut File, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match src.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A second handle on `path` for direct writes, where the system and file system have them.
pub fn open_direct(path: &std::path::Path) -> Option<File> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().write(true).custom_flags(libc::O_DIRECT).open(path).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Several buffers' worth, hashed in place, through the page cache and directly: the
    /// reader finishes before the consumers, who must still take every block.
    #[test]
    fn every_way_gives_the_hash_of_every_byte() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        let bytes: Vec<u8> = (0..(3 * BUFFER as u32 + 12345)).map(|i| (i % 251) as u8).collect();
        std::fs::write(&src, &bytes).unwrap();
        let expected = Pumped { sha256: ContentHash::of_bytes(&bytes), size: bytes.len() as u64 };
        let never = AtomicBool::new(false);
        for round in 0..8 {
            let got = pump(&mut File::open(&src).unwrap(), None, &|_| {}, &never).unwrap();
            assert_eq!(got, expected, "in place, round {round}");
            for direct in [false, true] {
                let dest = dir.path().join(format!("copy-{round}-{direct}"));
                let out = File::create(&dest).unwrap();
                let copy = CopyTo { file: &out, direct: direct.then(|| open_direct(&dest)).flatten() };
                let got = pump(&mut File::open(&src).unwrap(), Some(copy), &|_| {}, &never).unwrap();
                assert_eq!(got, expected, "copied (direct: {direct}), round {round}");
                assert_eq!(std::fs::read(&dest).unwrap(), bytes, "the copy is exact (direct: {direct})");
            }
        }
    }
}
