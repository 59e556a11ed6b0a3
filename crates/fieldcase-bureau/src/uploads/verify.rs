//! Re-hashing a sealed blob, for `fieldcase bureau evidence verify`: the store's copy is
//! fetched into a scratch file, hashed, and the scratch file removed.

use std::io::Read;
use std::path::Path;

use fieldcase_core::canonical::ContentHash;

use super::hashing::FileHasher;
use crate::blobs::{BlobError, BlobKey, BlobStore};

/// The SHA-256 and size of the blob `key` as the store holds it now.
pub async fn rehash(blobs: &dyn BlobStore, key: &BlobKey, scratch_dir: &Path) -> Result<(ContentHash, u64), BlobError> {
    std::fs::create_dir_all(scratch_dir)
        .map_err(|e| BlobError::Unavailable(format!("{}: {e}", scratch_dir.display())))?;
    let name = super::new_upload_id().map_err(|e| BlobError::Unavailable(format!("no randomness: {e}")))?;
    let scratch = scratch_dir.join(format!("verify-{name}"));
    let fetched = blobs.fetch(key, &scratch).await;
    let hashed = match fetched {
        Ok(bytes) => {
            let path = scratch.clone();
            tokio::task::spawn_blocking(move || hash_file(&path).map(|hash| (hash, bytes)))
                .await
                .map_err(|e| BlobError::Unavailable(format!("hashing stopped: {e}")))?
        }
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_file(&scratch);
    hashed
}

fn hash_file(path: &Path) -> Result<ContentHash, BlobError> {
    let fail = |e: std::io::Error| BlobError::Unavailable(format!("{}: {e}", path.display()));
    let mut file = std::fs::File::open(path).map_err(fail)?;
    let mut hasher = FileHasher::default();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer).map_err(fail)?;
        if n == 0 {
            return Ok(hasher.finish());
        }
        hasher.update(&buffer[..n]);
    }
}
