//! The evidence stores, each through one story: chunks of odd sizes, every append repeated as
//! after a crash between it and the caller's database write, a seal under the verified key
//! (repeated too), the bytes back byte for byte, a discard, the same bytes uploaded again
//! sealing to the same key, and a file too small for a multipart upload kept apart.
//!
//! The S3 store runs against a real S3 server (s3s-fs) on loopback.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use fieldcase_bureau::blobs::s3::S3BlobStore;
use fieldcase_bureau::blobs::{BlobError, BlobKey, BlobStore, StagedState};
use fieldcase_core::canonical::ContentHash;

use common::s3::S3Server;

const MIB: usize = 1024 * 1024;

/// Bytes that neither repeat nor compress, different for each seed.
fn recording(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Sends `bytes` in chunks of `sizes` as the tus handler does (each chunk a file in the
/// staging folder); with `crash`, each append runs twice from the same state and offset, the
/// first outcome lost as in a crash before the database write.
async fn upload(
    store: &dyn BlobStore,
    staging: &Path,
    id: &str,
    bytes: &[u8],
    sizes: &[usize],
    crash: bool,
) -> StagedState {
    assert_eq!(sizes.iter().sum::<usize>(), bytes.len(), "the chunks must cover the file");
    let mut state = StagedState::default();
    let mut offset = 0;
    for (n, &size) in sizes.iter().enumerate() {
        let chunk = staging.join(format!("{id}-{n}.chunk"));
        std::fs::write(&chunk, &bytes[offset..offset + size]).unwrap();
        if crash {
            let lost = store.append(id, &state, offset as u64, &chunk, size as u64).await;
            lost.unwrap_or_else(|e| panic!("chunk {n} of {id}, before the crash: {e}"));
        }
        state = store
            .append(id, &state, offset as u64, &chunk, size as u64)
            .await
            .unwrap_or_else(|e| panic!("chunk {n} of {id} ({size} bytes at {offset}): {e}"));
        std::fs::remove_file(&chunk).unwrap();
        offset += size;
    }
    state
}

async fn fetched(store: &dyn BlobStore, staging: &Path, key: &BlobKey) -> Vec<u8> {
    let to = staging.join("fetched");
    let size = store.fetch(key, &to).await.unwrap_or_else(|e| panic!("fetching {key}: {e}"));
    let bytes = std::fs::read(&to).unwrap();
    assert_eq!(size, bytes.len() as u64, "fetch must say how many bytes it wrote");
    std::fs::remove_file(&to).unwrap();
    bytes
}

/// The story every store must tell the same way.
async fn story(store: &dyn BlobStore, staging: &Path) {
    let file = recording(MIB * 11 + 1, 7);
    let key = BlobKey::verified(&ContentHash::of_bytes(&file));
    let total = file.len() as u64;
    let first = "0190f3a2-1b2c-7d4e-8f00-000000000001";

    // 1 B, then 3 MiB (under a part together), 7 MiB (parts cut, 5 MiB minimum), 1 MiB.
    let state = upload(store, staging, first, &file, &[1, 3 * MIB, 7 * MIB, MIB], true).await;
    assert!(!store.exists(&key).await.unwrap(), "nothing is sealed before seal");
    let wrong_offset = store.append(first, &state, total - 1, &staging.join("none"), 1).await;
    assert!(
        matches!(wrong_offset, Err(BlobError::StagedLost { .. })),
        "an offset other than the staged length must be refused, not appended at: {wrong_offset:?}"
    );
    store.seal(first, &state, total, &key).await.expect("the upload seals");
    store.seal(first, &state, total, &key).await.expect("a seal repeated after a crash is fine");
    assert!(store.exists(&key).await.unwrap(), "a sealed blob exists");
    assert!(fetched(store, staging, &key).await == file, "the sealed blob must be the uploaded bytes, byte for byte");

    // Terminated halfway (a multipart upload begun, a tail waiting): discarded, twice.
    let other = recording(9 * MIB, 8);
    let gone = "0190f3a2-1b2c-7d4e-8f00-000000000002";
    let state = upload(store, staging, gone, &other[..8 * MIB], &[2 * MIB, 6 * MIB], false).await;
    store.discard(gone, &state).await.expect("a discard");
    store.discard(gone, &state).await.expect("a discard repeated after a crash is fine");
    store.discard(gone, &StagedState::default()).await.expect("discarding an upload that staged nothing is fine");
    let apart_gone = BlobKey::apart(gone);
    assert!(!store.exists(&apart_gone).await.unwrap());
    assert!(matches!(store.fetch(&apart_gone, &staging.join("x")).await, Err(BlobError::NotFound(_))));

    // The same bytes again, in other chunks: sealed under the same key, one blob.
    let again = "0190f3a2-1b2c-7d4e-8f00-000000000003";
    let state = upload(store, staging, again, &file, &[8 * MIB, 3 * MIB + 1], false).await;
    store.seal(again, &state, total, &key).await.expect("the same bytes seal again");
    assert!(fetched(store, staging, &key).await == file, "the one blob still holds the bytes");

    // A small file that did not match its reference: kept apart, under its upload.
    let small = recording(300_000, 9);
    let odd = "0190f3a2-1b2c-7d4e-8f00-000000000004";
    let state = upload(store, staging, odd, &small, &[100_000, 200_000], true).await;
    let apart = BlobKey::apart(odd);
    store.seal(odd, &state, small.len() as u64, &apart).await.expect("a small file seals");
    assert!(fetched(store, staging, &apart).await == small, "a blob kept apart holds its bytes too");
}

/// The regular files below `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = vec![];
    let mut pending = vec![dir.to_owned()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    found.sort();
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_s3_store_keeps_evidence_byte_for_byte_through_crashes() {
    let Some(server) = S3Server::start().await else { return };
    let store = S3BlobStore::open(&server.settings).await.expect("the S3 store opens on a reachable bucket");
    let staging = tempfile::tempdir().unwrap();
    story(&store, staging.path()).await;

    let left = files_under(&server.bucket_dir());
    assert!(
        left.iter().all(|f| f.starts_with("sha256/") || f.starts_with("apart/")),
        "only sealed blobs may remain in the bucket once uploads are sealed or discarded: {left:?}"
    );
    assert_eq!(left.len(), 2, "one verified blob for two uploads of the same bytes, one kept apart: {left:?}");
}

#[tokio::test]
async fn the_s3_store_refuses_to_open_on_a_missing_bucket_and_says_so() {
    let Some(server) = S3Server::start().await else { return };
    let mut settings = server.settings.clone();
    settings.bucket = "no-such-bucket".into();
    let refused = S3BlobStore::open(&settings).await.expect_err("a missing bucket must be found out at start-up");
    assert!(refused.to_string().contains("no-such-bucket"), "the message must name the bucket: {refused}");
}

#[tokio::test]
async fn the_s3_store_keeps_one_tail_object_per_upload_as_parts_go_out() {
    let Some(server) = S3Server::start().await else { return };
    let store = S3BlobStore::open(&server.settings).await.unwrap();
    let staging = tempfile::tempdir().unwrap();
    let file = recording(6 * MIB, 10);
    let id = "0190f3a2-1b2c-7d4e-8f00-000000000005";
    // Four chunks grow the tail, the fifth makes it a part, the sixth starts a new tail.
    upload(&store, staging.path(), id, &file, &[MIB; 6], false).await;
    let tails = files_under(&server.bucket_dir().join("staging").join(id).join("tail"));
    assert_eq!(tails, ["5242880"], "a tail replaced by a part must be deleted once the next state is recorded");
}
