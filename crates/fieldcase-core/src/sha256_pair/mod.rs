//! Two SHA-256 hashes of the same bytes in one pass: an upload chunk's own checksum and the
//! whole file's hash, which the device computes as it reads a chunk and the bureau as one
//! arrives.
//!
//! With the CPU's SHA extensions one hash is bound by the latency of its round instructions,
//! each waiting on the one before; a second hash of the same block shares the block's message
//! schedule and fills those waits, so the pair costs about what one hash costs (the bench's
//! `evidence_upload_1gib` figure depends on it: four hashes of every byte run on two cores).
//! Where the extensions are missing, or when the two hashes stand at different places within
//! a 64-byte block, each hash goes through `sha2` on its own. [`Sha256Run`] reads from and
//! back into `sha2`'s own state, so a kept hasher state and the final padding stay `sha2`'s.

#[cfg(target_arch = "x86_64")]
mod x86;

use sha2::Digest;
use sha2::digest::common::hazmat::{SerializableState, SerializedState};

/// The bytes of one SHA-256 block.
const BLOCK: usize = 64;

/// A SHA-256 in progress: its eight state words, the whole blocks it has taken in, and the
/// bytes of the block being filled.
#[derive(Clone, Debug)]
pub struct Sha256Run {
    state: [u32; 8],
    blocks: u64,
    pending: [u8; BLOCK],
    pending_len: usize,
}

impl Default for Sha256Run {
    fn default() -> Self {
        Self::from_sha2(&sha2::Sha256::new())
    }
}

impl Sha256Run {
    /// The run a `sha2` hasher stands at.
    pub fn from_sha2(hasher: &sha2::Sha256) -> Self {
        // sha2's state is eight little-endian words, the block count (u64, little-endian), then
        // the pending bytes' count and the bytes themselves.
        let bytes = hasher.serialize();
        let word = |i: usize| u32::from_le_bytes([bytes[4 * i], bytes[4 * i + 1], bytes[4 * i + 2], bytes[4 * i + 3]]);
        let mut count = [0u8; 8];
        count.copy_from_slice(&bytes[32..40]);
        let pending_len = usize::from(bytes[40]);
        let mut pending = [0u8; BLOCK];
        pending[..pending_len].copy_from_slice(&bytes[41..41 + pending_len]);
        Self { state: std::array::from_fn(word), blocks: u64::from_le_bytes(count), pending, pending_len }
    }

    /// The `sha2` hasher standing where this run does.
    pub fn to_sha2(&self) -> sha2::Sha256 {
        let mut bytes = SerializedState::<sha2::Sha256>::default();
        for (i, word) in self.state.iter().enumerate() {
            bytes[4 * i..4 * i + 4].copy_from_slice(&word.to_le_bytes());
        }
        bytes[32..40].copy_from_slice(&self.blocks.to_le_bytes());
        // A pending count under 64 always fits the byte.
        bytes[40] = self.pending_len as u8;
        bytes[41..41 + self.pending_len].copy_from_slice(&self.pending[..self.pending_len]);
        // The fields are the ones sha2 itself serialized, so its own check always passes.
        sha2::Sha256::deserialize(&bytes).unwrap_or_default()
    }

    /// Hashes `bytes` on their own.
    pub fn update(&mut self, bytes: &[u8]) {
        let body = self.fill_pending(bytes);
        let (blocks, tail) = body.as_chunks::<BLOCK>();
        sha2::block_api::compress256(&mut self.state, blocks);
        self.blocks += blocks.len() as u64;
        self.keep_pending(tail);
    }

    /// The digest of everything taken in.
    pub fn finalize(&self) -> [u8; 32] {
        self.to_sha2().finalize().into()
    }

    /// Completes the pending block from the front of `bytes`, hashing it when whole; the rest.
    fn fill_pending<'a>(&mut self, bytes: &'a [u8]) -> &'a [u8] {
        if self.pending_len == 0 {
            return bytes;
        }
        let take = (BLOCK - self.pending_len).min(bytes.len());
        self.pending[self.pending_len..self.pending_len + take].copy_from_slice(&bytes[..take]);
        self.pending_len += take;
        if self.pending_len == BLOCK {
            sha2::block_api::compress256(&mut self.state, &[self.pending]);
            self.blocks += 1;
            self.pending_len = 0;
        }
        &bytes[take..]
    }

    /// Keeps the bytes after the last whole block (there are some only when the pending block
    /// was completed first, so they start it anew).
    fn keep_pending(&mut self, tail: &[u8]) {
        self.pending[self.pending_len..self.pending_len + tail.len()].copy_from_slice(tail);
        self.pending_len += tail.len();
    }
}

/// Hashes `bytes` into both runs: together, block by block, where both stand at the same place
/// in a block; otherwise one after the other.
pub fn update_both(a: &mut Sha256Run, b: &mut Sha256Run, bytes: &[u8]) {
    if a.pending_len != b.pending_len {
        a.update(bytes);
        b.update(bytes);
        return;
    }
    // The pending bytes differ between the two (each has its own past): completed on their own.
    let body = a.fill_pending(bytes);
    b.fill_pending(bytes);
    let (blocks, tail) = body.as_chunks::<BLOCK>();
    compress_both(&mut a.state, &mut b.state, blocks);
    a.blocks += blocks.len() as u64;
    b.blocks += blocks.len() as u64;
    a.keep_pending(tail);
    b.keep_pending(tail);
}

fn compress_both(a: &mut [u32; 8], b: &mut [u32; 8], blocks: &[[u8; BLOCK]]) {
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        x86::compress_both(a, b, blocks);
        return;
    }
    sha2::block_api::compress256(a, blocks);
    sha2::block_api::compress256(b, blocks);
}

#[cfg(test)]
mod tests;
