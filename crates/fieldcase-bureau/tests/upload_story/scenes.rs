//! The scenes of the upload story, each over a fresh bureau made by `configure`.

use std::time::Duration;

use reqwest::Method;

use fieldcase_bureau::blobs::BlobKey;
use fieldcase_bureau::store::CustodyEvent;
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::evidence::EvidenceRef;
use fieldcase_core::ids::EvidenceId;
use fieldcase_core::upload::{EvidenceVerdict, UPLOADS_PATH, VerdictOutcome};
use fieldcase_core::wire::{ChangeRecord, PullResponse};

use super::client::*;
use super::{Configure, Scene};
use crate::common::TestBureau;

/// The verdicts a device finds in its pull feed.
pub async fn verdicts_of(bureau: &TestBureau, token: &str) -> Vec<EvidenceVerdict> {
    let (mut after, mut found) = (0, Vec::new());
    loop {
        let (status, body) = bureau.get(&format!("/api/v1/changes?after={after}"), Some(token)).await;
        assert_eq!(status, 200, "{body}");
        let page: PullResponse = serde_json::from_value(body).expect("a pull page");
        found.extend(page.changes.into_iter().filter_map(|c| match c.record {
            ChangeRecord::EvidenceVerdict(v) => Some(v),
            _ => None,
        }));
        after = page.next_cursor;
        if !page.more {
            return found;
        }
    }
}

/// The bytes the bureau's blob store holds under `key`.
pub async fn blob_bytes(bureau: &TestBureau, key: &BlobKey) -> Vec<u8> {
    let blobs = fieldcase_bureau::blobs::open(&bureau.config).await.expect("the blob store opens beside the bureau");
    let out = tempfile::tempdir().unwrap();
    let to = out.path().join("blob");
    blobs.fetch(key, &to).await.expect("the sealed blob is there");
    std::fs::read(&to).unwrap()
}

/// Uploads a whole file in one checked PATCH; its location.
pub async fn upload_whole(bureau: &TestBureau, token: &str, reference: &EvidenceRef, bytes: &[u8]) -> String {
    let at = created(bureau, token, &reference.id, reference.size).await;
    patched(bureau, token, &at, 0, bytes).await;
    at
}

async fn custody_events(bureau: &TestBureau, evidence: EvidenceId) -> Vec<CustodyEvent> {
    bureau.store.evidence_custody(evidence).await.unwrap().into_iter().map(|e| e.event).collect()
}

/// Three chunks with sha256 checksums: the file is verified, kept byte for byte under its
/// hash, and the verdict reaches the device that uploaded it and no other.
pub async fn three_chunks_are_verified_and_told_to_their_device_only(configure: Configure<'_>) {
    let scene = Scene::start(configure).await;
    let (bureau, token) = (&scene.bureau, scene.token());
    let (reference, bytes) = scene.file();

    let options = send(bureau.client.request(Method::OPTIONS, format!("{}{UPLOADS_PATH}", bureau.url))).await;
    assert_eq!(options.status(), 204);
    let header = |name: &str| options.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert_eq!(header("tus-version"), "1.0.0");
    assert!(
        header("tus-extension").contains("creation-with-upload") && header("tus-extension").contains("termination")
    );
    assert!(header("tus-checksum-algorithm").contains("sha1"), "tuspy's sha1 is taken");
    assert!(header("tus-max-size").parse::<u64>().unwrap() > 0);

    let at = created(bureau, token, &reference.id, reference.size).await;
    assert_eq!(head_offset(bureau, token, &at).await, 0);
    let third = bytes.len() / 3;
    let mut offset = 0;
    for chunk in [&bytes[..third], &bytes[third..2 * third], &bytes[2 * third..]] {
        let answer = patch(bureau, token, &at, offset, chunk, true).await;
        assert_eq!(answer.status(), 204);
        offset = offset_of(&answer);
        assert_eq!(
            answer.headers().contains_key("upload-expires"),
            offset < reference.size,
            "an open upload says when it expires; a completed one does not"
        );
        if offset < reference.size {
            assert_eq!(head_offset(bureau, token, &at).await, offset, "HEAD tells where to resume");
        }
    }
    assert_eq!(head_offset(bureau, token, &at).await, reference.size);

    let blobs = bureau.store.evidence_blobs().await.unwrap();
    assert_eq!(blobs.len(), 1);
    assert_eq!(blobs[0].outcome, VerdictOutcome::Verified);
    assert_eq!(blobs[0].sha256, reference.sha256);
    assert_eq!(blobs[0].key, BlobKey::verified(&reference.sha256), "verified bytes are kept under their hash");
    assert_eq!(blob_bytes(bureau, &blobs[0].key).await, bytes, "the bureau holds the file byte for byte");
    assert_eq!(
        custody_events(bureau, reference.id).await,
        [CustodyEvent::Created, CustodyEvent::Completed, CustodyEvent::Verified]
    );

    let verdicts = verdicts_of(bureau, token).await;
    assert_eq!(verdicts.len(), 1, "the device learns the verdict: {verdicts:?}");
    assert_eq!(verdicts[0].outcome, VerdictOutcome::Verified);
    assert_eq!(verdicts[0].evidence_id, reference.id);
    assert_eq!(verdicts[0].device_id, scene.device.device.id());
    assert_eq!(verdicts[0].received_bytes, reference.size);
    let stranger = scene.stranger().await;
    assert!(verdicts_of(bureau, &stranger.token).await.is_empty(), "another device is not told");

    // Done is done: the last offset again answers where it stands; anything else is refused.
    let again = patch(bureau, token, &at, reference.size, b"", true).await;
    assert_eq!(again.status(), 204);
    assert_eq!(offset_of(&again), reference.size);
    assert_eq!(bureau.store.evidence_blobs().await.unwrap().len(), 1, "decided once");
}

/// The whole file in the creating POST.
pub async fn creation_with_upload_takes_the_first_chunk(configure: Configure<'_>) {
    let scene = Scene::start(configure).await;
    let (bureau, token) = (&scene.bureau, scene.token());
    let (reference, bytes) = scene.file();
    let half = bytes.len() / 2;
    let response = send(
        tus(bureau, Method::POST, UPLOADS_PATH, token)
            .header("Upload-Length", reference.size.to_string())
            .header("Upload-Metadata", metadata(&reference.id.to_string()))
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Checksum", sha256_checksum(&bytes[..half]))
            .body(bytes[..half].to_vec()),
    )
    .await;
    assert_eq!(response.status(), 201);
    assert_eq!(offset_of(&response), half as u64, "the body was the first chunk");
    assert!(response.headers().get("upload-expires").is_some());
    let at = location(&response);
    patched(bureau, token, &at, half as u64, &bytes[half..]).await;
    assert_eq!(verdicts_of(bureau, token).await[0].outcome, VerdictOutcome::Verified);
}

/// Each mistake has its status and code, every answer says Tus-Resumable, and nothing a
/// refused chunk carried is kept.
pub async fn mistakes_are_refused_with_their_status(configure: Configure<'_>) {
    let scene = Scene::start(configure).await;
    let (bureau, token) = (&scene.bureau, scene.token());
    let (reference, bytes) = scene.file();
    let at = created(bureau, token, &reference.id, reference.size).await;

    let bare = bureau.client.head(format!("{}{at}", bureau.url)).bearer_auth(token).send().await.unwrap();
    assert_eq!(bare.status(), 412, "a request without Tus-Resumable");
    assert_eq!(bare.headers().get("tus-version").unwrap(), "1.0.0");
    assert_eq!(bare.headers().get("tus-resumable").unwrap(), "1.0.0");

    let json = send(
        tus(bureau, Method::PATCH, &at, token)
            .header("Content-Type", "application/json")
            .header("Upload-Offset", "0")
            .body(bytes[..4].to_vec()),
    )
    .await;
    assert_eq!(json.status(), 415);
    assert_eq!(code_of(json).await, "unsupported_media_type");

    let ahead = patch(bureau, token, &at, 5, &bytes[..4], true).await;
    assert_eq!(ahead.status(), 409);
    assert_eq!(code_of(ahead).await, "upload_offset_mismatch");
    assert_eq!(head_offset(bureau, token, &at).await, 0, "a refused offset moves nothing");

    let lying = send(
        tus(bureau, Method::PATCH, &at, token)
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", "0")
            .header("Upload-Checksum", sha256_checksum(b"other bytes"))
            .body(bytes[..4].to_vec()),
    )
    .await;
    assert_eq!(lying.status(), 460);
    assert_eq!(code_of(lying).await, "checksum_mismatch");
    assert_eq!(head_offset(bureau, token, &at).await, 0, "nothing of a mismatched chunk is kept");

    let md5 = send(
        tus(bureau, Method::PATCH, &at, token)
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", "0")
            .header("Upload-Checksum", "md5 XUFAKrxLKna5cZ2REBfFkg==")
            .body(bytes[..4].to_vec()),
    )
    .await;
    assert_eq!(md5.status(), 400, "an algorithm the bureau does not check");

    let mut longer = bytes.to_vec();
    longer.push(0);
    let too_long = patch(bureau, token, &at, 0, &longer, true).await;
    assert_eq!(too_long.status(), 413);
    assert_eq!(head_offset(bureau, token, &at).await, 0, "nothing of a chunk past the length is kept");

    let unknown = head(bureau, token, &format!("{UPLOADS_PATH}/{}", "0".repeat(32))).await;
    assert_eq!(unknown.status(), 404);
    let nowhere = send(tus(bureau, Method::GET, &format!("{UPLOADS_PATH}/a/b"), token)).await;
    assert_eq!(nowhere.status(), 404, "an unknown path under uploads is tus's too");
    let get = send(tus(bureau, Method::GET, &at, token)).await;
    assert_eq!(get.status(), 405, "an upload is not read back");
    let stranger = scene.stranger().await;
    assert_eq!(head(bureau, &stranger.token, &at).await.status(), 404, "another device's upload is not found");
    let theirs = patch(bureau, &stranger.token, &at, 0, &bytes[..4], true).await;
    assert_eq!(theirs.status(), 404, "nor written");
    let anonymous = send(bureau.client.head(format!("{}{at}", bureau.url)).header("Tus-Resumable", "1.0.0")).await;
    assert_eq!(anonymous.status(), 401);

    // Metadata: evidence the bureau does not hold from this device, another size, a path.
    let nobody = EvidenceId::generate(chrono::Utc::now());
    let unknown = create(bureau, token, &nobody, 10).await;
    assert_eq!(unknown.status(), 422);
    assert_eq!(code_of(unknown).await, "evidence_unknown");
    let not_theirs = create(bureau, &stranger.token, &reference.id, reference.size).await;
    assert_eq!(code_of(not_theirs).await, "evidence_unknown", "another device's evidence is unknown to it");
    let other_size = create(bureau, token, &reference.id, reference.size + 1).await;
    assert_eq!(other_size.status(), 422);
    assert_eq!(code_of(other_size).await, "invalid_input");
    let path = create_named(bureau, token, "../../etc/passwd", reference.size).await;
    assert_eq!(path.status(), 400);
    let no_length = send(
        tus(bureau, Method::POST, UPLOADS_PATH, token).header("Upload-Metadata", metadata(&reference.id.to_string())),
    )
    .await;
    assert_eq!(no_length.status(), 400);

    // Termination: the upload is gone, and says so.
    patched(bureau, token, &at, 0, &bytes[..4]).await;
    let ended = send(tus(bureau, Method::DELETE, &at, token)).await;
    assert_eq!(ended.status(), 204);
    assert_eq!(head(bureau, token, &at).await.status(), 410);
    let late = patch(bureau, token, &at, 4, &bytes[4..8], true).await;
    assert_eq!(late.status(), 410);
    assert_eq!(code_of(late).await, "upload_gone");
    assert_eq!(custody_events(bureau, reference.id).await, [CustodyEvent::Created, CustodyEvent::Terminated]);
    assert!(bureau.store.evidence_blobs().await.unwrap().is_empty(), "nothing partial is decided");
}

/// An upload that rests past `[uploads] expiry_hours` is gone (here the expiry is a second).
pub async fn a_resting_upload_expires(configure: Configure<'_>) {
    fn quick(config: &mut fieldcase_bureau::Config) {
        config.uploads.expiry = Duration::from_secs(1);
    }
    let scene = Scene::start(configure).await;
    let mut config = scene.bureau.config.clone();
    quick(&mut config);
    let scene = Scene { bureau: scene.bureau.restart_with(config).await, ..scene };
    let (bureau, token) = (&scene.bureau, scene.token());
    let (reference, bytes) = scene.file();
    let at = created(bureau, token, &reference.id, reference.size).await;
    patched(bureau, token, &at, 0, &bytes[..2]).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(head(bureau, token, &at).await.status(), 410);
    let late = patch(bureau, token, &at, 2, &bytes[2..4], true).await;
    assert_eq!(late.status(), 410);
    assert_eq!(custody_events(bureau, reference.id).await, [CustodyEvent::Created, CustodyEvent::Expired]);
}

/// Bytes that are not the reference's (each chunk whole by its checksum) are kept apart and
/// reported as a mismatch; never verified.
pub async fn other_bytes_are_kept_apart_as_a_mismatch(configure: Configure<'_>) {
    let scene = Scene::start(configure).await;
    let (bureau, token) = (&scene.bureau, scene.token());
    let (reference, bytes) = scene.file();
    let mut altered = bytes.to_vec();
    let middle = altered.len() / 2;
    altered[middle] ^= 0x01;
    let at = created(bureau, token, &reference.id, reference.size).await;
    patched(bureau, token, &at, 0, &altered).await;

    let verdicts = verdicts_of(bureau, token).await;
    assert_eq!(verdicts.len(), 1);
    assert_eq!(verdicts[0].outcome, VerdictOutcome::Mismatch, "the device is told");
    assert_eq!(verdicts[0].received_sha256, ContentHash::of_bytes(&altered));
    let blobs = bureau.store.evidence_blobs().await.unwrap();
    assert_eq!(blobs[0].key, BlobKey::apart(&upload_id(&at)), "kept apart, not under the reference's hash");
    assert_eq!(blob_bytes(bureau, &blobs[0].key).await, altered, "as received, for review");
    assert_eq!(
        custody_events(bureau, reference.id).await,
        [CustodyEvent::Created, CustodyEvent::Completed, CustodyEvent::Mismatch]
    );
}

/// A bureau that stopped after recording the last chunk but before deciding (as a crash
/// would leave it) decides at the next HEAD, so a client that sees the whole offset is not
/// left without a verdict.
pub async fn an_upload_left_whole_but_undecided_is_decided_at_the_next_head(configure: Configure<'_>) {
    use fieldcase_bureau::store::{Lease, Leasing, Progress};
    use fieldcase_bureau::uploads::hashing::FileHasher;
    let scene = Scene::start(configure).await;
    let (bureau, token) = (&scene.bureau, scene.token());
    let (reference, bytes) = scene.file();
    let at = created(bureau, token, &reference.id, reference.size).await;
    let id = upload_id(&at);

    // What a PATCH does up to the verdict, by a process that then died (its lease ran out).
    let now = chrono::Utc::now();
    let lease = Lease { holder: "died".into(), until: now };
    let Leasing::Taken(upload) = bureau.store.lease_upload(id.clone(), lease, now).await.unwrap() else {
        panic!("the upload is free")
    };
    let blobs = fieldcase_bureau::blobs::open(&bureau.config).await.unwrap();
    let chunk = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(chunk.path(), bytes).unwrap();
    let staged = blobs.append(&id, &upload.staged, 0, chunk.path(), reference.size).await.unwrap();
    let mut hasher = FileHasher::default();
    hasher.update(bytes);
    let progress = Progress { offset: reference.size, hasher: hasher.state(), staged, expires_at: upload.expires_at };
    assert!(bureau.store.advance_upload(id.clone(), "died".into(), progress).await.unwrap());
    assert!(verdicts_of(bureau, token).await.is_empty(), "not decided yet");

    assert_eq!(head_offset(bureau, token, &at).await, reference.size);
    let verdicts = verdicts_of(bureau, token).await;
    assert_eq!(verdicts.len(), 1, "decided at the HEAD");
    assert_eq!(verdicts[0].outcome, VerdictOutcome::Verified);
    assert_eq!(blob_bytes(bureau, &BlobKey::verified(&reference.sha256)).await, bytes);
    assert_eq!(head_offset(bureau, token, &at).await, reference.size);
    assert_eq!(verdicts_of(bureau, token).await.len(), 1, "and only once");
}

/// A bureau restarted mid-upload resumes at the offset it recorded, and the whole-file hash
/// it kept carries on to the right value.
pub async fn a_restarted_bureau_resumes_at_its_offset(configure: Configure<'_>) {
    let scene = Scene::start(configure).await;
    let (reference, bytes) = (scene.files[0].0.clone(), scene.files[0].1.clone());
    let token = scene.token().to_owned();
    let first = bytes.len() / 3;
    let at = created(&scene.bureau, &token, &reference.id, reference.size).await;
    patched(&scene.bureau, &token, &at, 0, &bytes[..first]).await;

    let config = scene.bureau.config.clone();
    let scene = Scene { bureau: scene.bureau.restart_with(config).await, ..scene };
    let bureau = &scene.bureau;
    assert_eq!(head_offset(bureau, &token, &at).await, first as u64, "the offset survived the restart");
    patched(bureau, &token, &at, first as u64, &bytes[first..]).await;
    let verdicts = verdicts_of(bureau, &token).await;
    assert_eq!(verdicts[0].outcome, VerdictOutcome::Verified);
    assert_eq!(verdicts[0].received_sha256, reference.sha256, "the whole-file hash carried on across the restart");
    assert_eq!(blob_bytes(bureau, &BlobKey::verified(&reference.sha256)).await, bytes);
}
