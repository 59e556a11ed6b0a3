//! The two hashes a chunk goes through as it streams in: the checksum the client sent in
//! `Upload-Checksum` (sha256, or sha1 as the official Python client sends), and the whole
//! file's SHA-256, whose state is kept with the upload's offset so that a restarted bureau
//! carries on where it stopped. A sha256 checksum and the whole file's hash go through each
//! block together ([`fieldcase_core::sha256_pair`]): the pair costs about what one costs.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::Digest;
use sha2::digest::common::hazmat::{SerializableState, SerializedState};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::sha256_pair::{Sha256Run, update_both};

/// The whole file's SHA-256 so far.
#[derive(Clone, Debug, Default)]
pub struct FileHasher(Sha256Run);

impl FileHasher {
    /// The hasher a row kept ([`FileHasher::state`]); None if the bytes are not a state.
    pub fn restore(state: &[u8]) -> Option<Self> {
        let serialized = SerializedState::<sha2::Sha256>::try_from(state).ok()?;
        sha2::Sha256::deserialize(&serialized).ok().map(|h| Self(Sha256Run::from_sha2(&h)))
    }

    /// The state to keep with the offset (sha2's serialized state).
    pub fn state(&self) -> Vec<u8> {
        self.0.to_sha2().serialize().to_vec()
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(self) -> ContentHash {
        ContentHash::from_digest(self.0.finalize())
    }
}

/// What a chunk's bytes go through as they arrive: the whole file's hash and, if the client
/// sent a checksum, the chunk's own.
#[derive(Debug)]
pub struct StreamHashers {
    pub whole: FileHasher,
    pub chunk: Option<ChunkHasher>,
}

impl StreamHashers {
    pub fn update(&mut self, bytes: &[u8]) {
        match &mut self.chunk {
            Some(ChunkHasher::Sha256(chunk)) => update_both(&mut self.whole.0, chunk, bytes),
            Some(other) => {
                self.whole.update(bytes);
                other.update(bytes);
            }
            None => self.whole.update(bytes),
        }
    }
}

/// The checksum a chunk came with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChunkChecksum {
    Sha256(Vec<u8>),
    Sha1(Vec<u8>),
}

impl ChunkChecksum {
    /// Reads an `Upload-Checksum` header: `<algorithm> <base64 digest>`.
    pub fn parse(header: &str) -> Result<Self, String> {
        let (algorithm, encoded) = header.trim().split_once(' ').ok_or_else(|| {
            format!("Upload-Checksum '{header}' is not '<algorithm> <base64 digest>', such as 'sha256 47DEQpj8…'")
        })?;
        let digest = STANDARD
            .decode(encoded.trim())
            .map_err(|_| format!("the digest in Upload-Checksum '{header}' is not base64"))?;
        let (checksum, expected_len) = match algorithm.trim().to_ascii_lowercase().as_str() {
            "sha256" => (Self::Sha256(digest), 32),
            "sha1" => (Self::Sha1(digest), 20),
            other => {
                return Err(format!(
                    "Upload-Checksum uses '{other}', which the bureau does not check; use sha256 (or sha1)"
                ));
            }
        };
        let got = match &checksum {
            Self::Sha256(d) | Self::Sha1(d) => d.len(),
        };
        if got != expected_len {
            return Err(format!(
                "the digest in Upload-Checksum has {got} bytes, not the {expected_len} of {algorithm}"
            ));
        }
        Ok(checksum)
    }

    /// A hasher of the chunk's bytes, for [`ChunkHasher::matches`].
    pub fn hasher(&self) -> ChunkHasher {
        match self {
            Self::Sha256(_) => ChunkHasher::Sha256(Sha256Run::default()),
            Self::Sha1(_) => ChunkHasher::Sha1(sha1::Sha1::new()),
        }
    }
}

/// The chunk's own hash as it streams in.
#[derive(Clone, Debug)]
pub enum ChunkHasher {
    Sha256(Sha256Run),
    Sha1(sha1::Sha1),
}

impl ChunkHasher {
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(bytes),
            Self::Sha1(h) => h.update(bytes),
        }
    }

    /// Whether the chunk's bytes hash to what the client said.
    pub fn matches(self, checksum: &ChunkChecksum) -> bool {
        match (self, checksum) {
            (Self::Sha256(h), ChunkChecksum::Sha256(expected)) => h.finalize().as_slice() == expected.as_slice(),
            (Self::Sha1(h), ChunkChecksum::Sha1(expected)) => h.finalize().as_slice() == expected.as_slice(),
            _ => false,
        }
    }
}
