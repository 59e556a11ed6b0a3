//! The S3-compatible evidence store: evidence bytes in one bucket that every bureau process
//! reaches, so any of them can take the next chunk of an upload.
//!
//! In the bucket:
//! - `sha256/<hex>` and `apart/<upload>`: sealed blobs, named by their [`BlobKey`];
//! - `staging/<upload>/data`: the multipart upload an upload's bytes are assembled in;
//! - `staging/<upload>/tail/<offset>`: the bytes after the last part, too few for a part.
//!
//! S3 wants every part but the last to be at least 5 MiB, and a tus chunk can be of any size,
//! so bytes wait in the tail object until 5 MiB is in hand, then go out as parts (a file under
//! 5 MiB never starts a multipart upload at all). The upload's state (the multipart id, each
//! part's ETag and size, the tail's length) travels in [`StagedState`], so a multipart upload
//! begun by one bureau process is continued by another (object_store's `MultipartStore` works
//! from the id; its `MultipartUpload` lives in one process only).
//!
//! Every step is safe to repeat after a crash before the caller recorded its outcome: a part is
//! put again under the same index (S3 keeps the last), and a tail object is named by the offset
//! it starts at and only ever grows in place, so the first `tail` bytes of the object a state
//! names are that state's bytes, whatever a later, unrecorded append wrote after them.
//!
//! What a bucket holding evidence needs from its administrator: a lifecycle rule that aborts
//! incomplete multipart uploads and expires `staging/` objects after some days longer than
//! an upload may last. A crash between starting a multipart upload and recording it leaves
//! one behind, and cleaning up after a seal is not retried once the blob is safe. Sealing
//! copies the assembled object to its key in one request, which AWS S3 itself allows up to
//! 5 GiB (body-cam files are smaller; a larger one fails to seal there with S3's message).

use std::fmt;
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::settings::S3Settings;
use super::{BlobError, BlobKey, BlobStore, StagedState};

mod staged;

pub use staged::{MAX_PART, MIN_PART};
use staged::{MAX_PARTS, Part, Staged, plan_parts};

/// Evidence in a bucket of an S3-compatible store.
pub struct S3BlobStore {
    s3: AmazonS3,
    /// The bucket and where it is, for messages (never the keys).
    place: String,
}

impl fmt::Debug for S3BlobStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3BlobStore").field("place", &self.place).finish_non_exhaustive()
    }
}

impl S3BlobStore {
    /// A client for the bucket the settings name, once the bucket has answered (so a wrong
    /// endpoint, bucket or key shows when the bureau starts, not at the first upload).
    pub async fn open(settings: &S3Settings) -> Result<Self, BlobError> {
        let place = format!("bucket {} at {}", settings.bucket, settings.endpoint.as_deref().unwrap_or("AWS S3"));
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(settings.secret_access_key.expose())
            .with_allow_http(settings.allow_http)
            // A few quick retries: a chunk's client waits for the answer, and resends anyway.
            .with_retry(RetryConfig {
                max_retries: 4,
                retry_timeout: Duration::from_secs(30),
                ..RetryConfig::default()
            });
        if let Some(endpoint) = &settings.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        let s3 = builder.build().map_err(|e| {
            BlobError::Unavailable(format!("the [blobs.s3] settings in bureau.toml do not make an S3 client: {e}"))
        })?;
        let store = Self { s3, place };
        store.s3.list_with_delimiter(Some(&ObjectPath::from("staging"))).await.map_err(|e| match e {
            object_store::Error::NotFound { .. } => BlobError::Unavailable(format!(
                "the {} does not exist: create it, or name another in [blobs.s3] bucket",
                store.place
            )),
            e => BlobError::Unavailable(format!(
                "cannot list the {}: {e}; check endpoint, bucket and keys in [blobs.s3] of bureau.toml",
                store.place
            )),
        })?;
        Ok(store)
    }

    fn unavailable(&self, doing: &str, e: object_store::Error) -> BlobError {
        BlobError::Unavailable(format!("{doing} in the {}: {e}", self.place))
    }

    /// The object's size and ETag, or None when there is no such object.
    async fn head(&self, path: &ObjectPath) -> Result<Option<ObjectMeta>, BlobError> {
        match self.s3.head(path).await {
            Ok(meta) => Ok(Some(meta)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.unavailable(&format!("cannot look up {path}"), e)),
        }
    }

    /// The first `len` bytes of the tail object starting at `start` (see the module's notes on
    /// why the first bytes are the right ones).
    async fn read_tail(&self, upload: &str, start: u64, len: u64) -> Result<Vec<u8>, BlobError> {
        let path = tail_path(upload, start);
        let lost = |detail: String| BlobError::StagedLost { upload: upload.to_owned(), detail };
        match self.s3.get_range(&path, 0..len).await {
            Ok(bytes) if bytes.len() as u64 == len => Ok(bytes.to_vec()),
            Ok(bytes) => Err(lost(format!("{path} holds {} bytes where {len} were staged", bytes.len()))),
            Err(object_store::Error::NotFound { .. }) => Err(lost(format!("{path} is gone"))),
            Err(e) => Err(self.unavailable(&format!("cannot read {path}"), e)),
        }
    }

    async fn put(&self, path: &ObjectPath, bytes: Vec<u8>) -> Result<(), BlobError> {
        self.s3
            .put(path, PutPayload::from(bytes))
            .await
            .map_err(|e| self.unavailable(&format!("cannot write {path}"), e))?;
        Ok(())
    }

    /// Removes everything staged for the upload. `abort` when its multipart upload may still
    /// be in progress (not when this call just completed it).
    async fn forget(&self, upload: &str, staged: &Staged, abort: bool) -> Result<(), BlobError> {
        if let (true, Some(id)) = (abort, &staged.multipart) {
            match self.s3.abort_multipart(&data_path(upload), id).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                // Already completed or aborted by an earlier call (S3 answers 404, some
                // servers 403), or the store is briefly away: the blob is safe either way,
                // and the bucket's lifecycle rule removes a multipart upload left behind.
                Err(e) => tracing::warn!(upload, error = %e, "could not abort the multipart upload of {upload}"),
            }
        }
        let mut staged_objects: Vec<ObjectPath> = self
            .s3
            .list(Some(&staging_path(upload)))
            .map(|meta| meta.map(|m| m.location))
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(|e| self.unavailable(&format!("cannot list what upload {upload} staged"), e))?;
        // The assembled object goes last, so a repeated call still finds the state it needs.
        let data = data_path(upload);
        staged_objects.sort_by_key(|p| *p == data);
        for path in staged_objects {
            match self.s3.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.unavailable(&format!("cannot delete {path}"), e)),
            }
        }
        Ok(())
    }

    /// Puts the next parts, `sizes`, made of `head` (the tail's bytes, fewer than one part)
    /// followed by bytes read from `chunk`.
    async fn put_parts(
        &self,
        upload: &str,
        staged: &mut Staged,
        sizes: &[u64],
        mut head: Vec<u8>,
        chunk: &mut (impl AsyncRead + Unpin),
        chunk_name: &Path,
    ) -> Result<(), BlobError> {
        if staged.parts.len() + sizes.len() > MAX_PARTS {
            return Err(BlobError::Unavailable(format!(
                "upload {upload} would need more than {MAX_PARTS} parts, more than S3 allows in one object"
            )));
        }
        let data = data_path(upload);
        let id = match &staged.multipart {
            Some(id) => id.clone(),
            None => {
                let id = self
                    .s3
                    .create_multipart(&data)
                    .await
                    .map_err(|e| self.unavailable(&format!("cannot start a multipart upload of {data}"), e))?;
                staged.multipart = Some(id.clone());
                id
            }
        };
        for &size in sizes {
            let mut part = std::mem::take(&mut head);
            let from_chunk = size - part.len() as u64;
            read_into(chunk, from_chunk, &mut part, chunk_name).await?;
            let index = staged.parts.len();
            let PartId { content_id } = self
                .s3
                .put_part(&data, &id, index, PutPayload::from(part))
                .await
                .map_err(|e| self.unavailable(&format!("cannot put part {} of {data}", index + 1), e))?;
            staged.parts.push(Part { etag: content_id, len: size });
        }
        Ok(())
    }
}

fn staging_path(upload: &str) -> ObjectPath {
    ObjectPath::from(format!("staging/{upload}"))
}

fn data_path(upload: &str) -> ObjectPath {
    ObjectPath::from(format!("staging/{upload}/data"))
}

fn tail_path(upload: &str, start: u64) -> ObjectPath {
    ObjectPath::from(format!("staging/{upload}/tail/{start}"))
}

/// Appends exactly `len` bytes of `from` to `to`.
async fn read_into(
    from: &mut (impl AsyncRead + Unpin),
    len: u64,
    to: &mut Vec<u8>,
    name: &Path,
) -> Result<(), BlobError> {
    let wanted = to.len() + len as usize;
    to.reserve_exact(len as usize);
    let read = from
        .take(len)
        .read_to_end(to)
        .await
        .map_err(|e| BlobError::Unavailable(format!("cannot read the chunk {}: {e}", name.display())))?;
    if to.len() != wanted {
        return Err(BlobError::Unavailable(format!(
            "the chunk {} ended {} bytes short of its length",
            name.display(),
            len - read as u64
        )));
    }
    Ok(())
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn append(
        &self,
        upload: &str,
        state: &StagedState,
        offset: u64,
        chunk: &Path,
        len: u64,
    ) -> Result<StagedState, BlobError> {
        let mut staged = Staged::parse(upload, state)?;
        if staged.len() != offset {
            return Err(BlobError::StagedLost {
                upload: upload.to_owned(),
                detail: format!("its state holds {} bytes but its offset is {offset}", staged.len()),
            });
        }
        if len == 0 {
            return Ok(state.clone());
        }
        if let Some(stale) = staged.stale_tail.take() {
            let path = tail_path(upload, stale);
            match self.s3.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.unavailable(&format!("cannot delete {path}"), e)),
            }
        }
        let tail_start = staged.parts_len();
        let head = if staged.tail > 0 { self.read_tail(upload, tail_start, staged.tail).await? } else { Vec::new() };
        let mut file = tokio::fs::File::open(chunk)
            .await
            .map_err(|e| BlobError::Unavailable(format!("cannot open the chunk {}: {e}", chunk.display())))?;

        let (sizes, left) = plan_parts(staged.tail + len);
        if sizes.is_empty() {
            // Still less than a part: the tail object grows in place.
            let mut bytes = head;
            read_into(&mut file, len, &mut bytes, chunk).await?;
            self.put(&tail_path(upload, tail_start), bytes).await?;
            staged.tail += len;
            return staged.to_state();
        }
        self.put_parts(upload, &mut staged, &sizes, head, &mut file, chunk).await?;
        if left > 0 {
            let mut rest = Vec::new();
            read_into(&mut file, left, &mut rest, chunk).await?;
            self.put(&tail_path(upload, staged.parts_len()), rest).await?;
        }
        if staged.tail > 0 {
            staged.stale_tail = Some(tail_start);
        }
        staged.tail = left;
        staged.to_state()
    }

    async fn seal(&self, upload: &str, state: &StagedState, total: u64, key: &BlobKey) -> Result<(), BlobError> {
        let staged = Staged::parse(upload, state)?;
        let target = ObjectPath::from(key.as_str());
        // Sealed already: by this call before a crash, or (a sha256 key) by another upload
        // of the same bytes, whose copy is kept.
        if self.head(&target).await?.is_some() {
            return self.forget(upload, &staged, true).await;
        }
        if staged.len() != total {
            return Err(BlobError::StagedLost {
                upload: upload.to_owned(),
                detail: format!("{} bytes are staged, not the {total} to seal", staged.len()),
            });
        }
        let Some(id) = &staged.multipart else {
            // Under one part: the tail is the whole file.
            let bytes = if total > 0 { self.read_tail(upload, 0, total).await? } else { Vec::new() };
            self.put(&target, bytes).await?;
            return self.forget(upload, &staged, false).await;
        };
        let data = data_path(upload);
        // Completed before a crash, if the assembled object is there whole.
        if self.head(&data).await?.is_none_or(|meta| meta.size != total) {
            let mut parts: Vec<PartId> = staged.parts.iter().map(|p| PartId { content_id: p.etag.clone() }).collect();
            if staged.tail > 0 {
                let last = self.read_tail(upload, staged.parts_len(), staged.tail).await?;
                let index = parts.len();
                let part = self
                    .s3
                    .put_part(&data, id, index, PutPayload::from(last))
                    .await
                    .map_err(|e| self.unavailable(&format!("cannot put the last part of {data}"), e))?;
                parts.push(part);
            }
            self.s3
                .complete_multipart(&data, id, parts)
                .await
                .map_err(|e| self.unavailable(&format!("cannot complete the multipart upload of {data}"), e))?;
        }
        self.s3
            .copy(&data, &target)
            .await
            .map_err(|e| self.unavailable(&format!("cannot copy {data} to {target}"), e))?;
        self.forget(upload, &staged, false).await
    }

    async fn discard(&self, upload: &str, state: &StagedState) -> Result<(), BlobError> {
        let staged = Staged::parse(upload, state)?;
        self.forget(upload, &staged, true).await
    }

    async fn fetch(&self, key: &BlobKey, to: &Path) -> Result<u64, BlobError> {
        let path = ObjectPath::from(key.as_str());
        let got = match self.s3.get(&path).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Err(BlobError::NotFound(key.clone())),
            Err(e) => return Err(self.unavailable(&format!("cannot read {path}"), e)),
        };
        let write_error = |e: std::io::Error| BlobError::Unavailable(format!("cannot write {}: {e}", to.display()));
        let mut file = tokio::fs::File::create(to).await.map_err(write_error)?;
        let mut stream = got.into_stream();
        let mut size = 0u64;
        while let Some(bytes) = stream.next().await {
            let bytes = bytes.map_err(|e| self.unavailable(&format!("cannot read {path}"), e))?;
            file.write_all(&bytes).await.map_err(write_error)?;
            size += bytes.len() as u64;
        }
        file.flush().await.map_err(write_error)?;
        Ok(size)
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError> {
        Ok(self.head(&ObjectPath::from(key.as_str())).await?.is_some())
    }
}
