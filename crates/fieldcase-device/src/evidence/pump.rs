//! One pass over a file: every buffer read is hashed on a thread of its own while the
//! reading thread writes it to the copy, so the hash hides behind the writes (or, hashing
//! in place, the reads hide behind the hash). Memory stays at a fixed ring of buffers
//! whatever the file's size.

use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;

use fieldcase_core::canonical::ContentHash;
use sha2::{Digest, Sha256};

/// Buffers in the ring: one being read or written, the rest queued for the hasher.
pub const RING: usize = 4;
/// Bytes in each buffer: large enough that a system call and a channel hop per buffer cost
/// nothing beside the bytes, small enough that the ring stays a few MiB.
pub const BUFFER: usize = 4 << 20;

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

/// Reads `src` to its end once, hashing everything read and writing it to `copy` if given.
/// `progress` hears the bytes done after each buffer; `cancel` is looked at before each.
pub fn pump(
    src: &mut File,
    mut copy: Option<&mut File>,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<Pumped, PumpError> {
    let (to_hash, hash_queue) = sync_channel::<(Arc<Vec<u8>>, usize)>(RING);
    let (give_back, returned) = sync_channel::<Arc<Vec<u8>>>(RING);
    std::thread::scope(|scope| {
        let hasher = scope.spawn(move || {
            let mut hasher = Sha256::new();
            for (buffer, len) in hash_queue {
                hasher.update(&buffer[..len]);
                // The reader has stopped (an error or cancel) when nobody takes it back.
                if give_back.send(buffer).is_err() {
                    break;
                }
            }
            ContentHash::from_digest(hasher.finalize().into())
        });

        let mut allocated = 0;
        let mut size = 0u64;
        let read_all = loop {
            if cancel.load(Ordering::Relaxed) {
                break Err(PumpError::Cancelled);
            }
            let mut buffer = if allocated < RING {
                allocated += 1;
                vec![0; BUFFER]
            } else {
                match returned.recv() {
                    // The hasher holds the only other reference, and has let it go.
                    Ok(shared) => Arc::try_unwrap(shared).unwrap_or_else(|shared| shared.to_vec()),
                    Err(_) => break Err(PumpError::Read(io::Error::other("the hashing thread stopped"))),
                }
            };
            let len = match fill(src, &mut buffer) {
                Ok(0) => break Ok(()),
                Ok(len) => len,
                Err(e) => break Err(PumpError::Read(e)),
            };
            let buffer = Arc::new(buffer);
            if to_hash.send((buffer.clone(), len)).is_err() {
                break Err(PumpError::Read(io::Error::other("the hashing thread stopped")));
            }
            if let Some(copy) = copy.as_deref_mut()
                && let Err(e) = copy.write_all(&buffer[..len])
            {
                break Err(PumpError::Write(e));
            }
            size += len as u64;
            progress(size);
        };
        drop(to_hash);
        drop(returned);
        let sha256 = hasher.join().map_err(|_| PumpError::Read(io::Error::other("the hashing thread panicked")))?;
        read_all.map(|()| Pumped { sha256, size })
    })
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
