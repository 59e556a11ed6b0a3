//! The evidence upload story on the filesystem blob store (the default): tus over HTTP to a
//! real bureau, from creation to the verdict in the device's feed, each scene with the
//! bureau's records on SQLite (`sqlite::…`) and on PostgreSQL (`postgres::…`).

#![allow(clippy::unwrap_used)]

mod common;
mod upload_story;

use fieldcase_bureau::blobs::settings::BlobSettings;
use fieldcase_bureau::{Config, Secret};
use upload_story::Configure;
use upload_story::{
    a_cut_checked_chunk_and_a_stream_past_the_end_keep_nothing, a_request_that_lost_its_lease_keeps_nothing,
    a_restarted_bureau_resumes_at_its_offset, a_resting_upload_expires,
    an_upload_left_whole_but_undecided_is_decided_at_the_next_head, creation_with_upload_takes_the_first_chunk,
    mistakes_are_refused_with_their_status, one_patch_at_a_time_and_a_cut_chunk_keeps_what_arrived,
    other_bytes_are_kept_apart_as_a_mismatch, three_chunks_are_verified_and_told_to_their_device_only,
};

fn on_disk(config: &mut Config) {
    config.blobs = BlobSettings::Fs;
}

/// What `fieldcase bureau evidence verify` relies on: the sealed copy re-hashes to the
/// verdict's hash, and a copy changed on disk afterwards does not.
async fn a_sealed_copy_changed_on_disk_no_longer_rehashes_to_its_verdict(configure: Configure<'_>) {
    let scene = upload_story::Scene::start(configure).await;
    let (reference, bytes) = scene.file();
    upload_story::upload_whole(&scene.bureau, scene.token(), reference, bytes).await;
    let blob = scene.bureau.store.evidence_blobs().await.unwrap().remove(0);
    let blobs = fieldcase_bureau::blobs::open(&scene.bureau.config).await.unwrap();
    let scratch = scene.bureau.data_dir.join("incoming");
    let (hash, size) = fieldcase_bureau::uploads::rehash(blobs.as_ref(), &blob.key, &scratch).await.unwrap();
    assert_eq!((hash, size), (blob.sha256, blob.bytes), "the sealed copy is the verified file");

    let on_disk = scene.bureau.data_dir.join("blobs").join(blob.key.as_str());
    let mut altered = std::fs::read(&on_disk).unwrap();
    altered[0] ^= 0xff;
    std::fs::write(&on_disk, &altered).unwrap();
    let (hash, _) = fieldcase_bureau::uploads::rehash(blobs.as_ref(), &blob.key, &scratch).await.unwrap();
    assert_ne!(hash, blob.sha256, "a changed copy is caught");
    assert_eq!(std::fs::read_dir(&scratch).unwrap().count(), 0, "no scratch copy is left behind");
}

/// The filesystem store no longer fsyncs each chunk (sealing does): staged bytes a power cut
/// lost are found missing at the next chunk, and the upload is ended there (410, in the
/// custody as ended by the bureau), so the client sends the file again; nothing missing is
/// ever verified.
async fn staged_bytes_lost_behind_the_bureau_end_the_upload_and_the_client_starts_again(configure: Configure<'_>) {
    use fieldcase_bureau::store::CustodyEvent;
    use upload_story::client::{created, head, patch, patched, upload_id};

    let scene = upload_story::Scene::start(configure).await;
    let (reference, bytes) = scene.file();
    let (bureau, token) = (&scene.bureau, scene.token());
    let at = created(bureau, token, &reference.id, reference.size).await;
    let half = bytes.len() / 2;
    patched(bureau, token, &at, 0, &bytes[..half]).await;
    // What a power cut before the disk wrote them does: the staged bytes are gone.
    let staged = bureau.data_dir.join("blobs").join("staging").join(upload_id(&at));
    std::fs::OpenOptions::new().write(true).open(&staged).unwrap().set_len(0).unwrap();

    let refused = patch(bureau, token, &at, half as u64, &bytes[half..], true).await;
    assert_eq!(refused.status(), 410, "{}", refused.text().await.unwrap_or_default());
    assert_eq!(head(bureau, token, &at).await.status(), 410, "the upload stays ended");
    let custody = bureau.store.evidence_custody(reference.id).await.unwrap();
    let ended = custody.iter().find(|e| e.event == CustodyEvent::Terminated).expect("ended");
    assert!(ended.actor == "bureau" && ended.detail.contains("staged"), "{ended:?}");

    // The client starts again and the file is verified whole.
    upload_story::upload_whole(bureau, token, reference, bytes).await;
    let blobs = bureau.store.evidence_blobs().await.unwrap();
    assert_eq!(blobs.len(), 1, "one verdict, on the whole file");
    assert_eq!(blobs[0].sha256, reference.sha256);
}

/// Each scene twice: on SQLite, and on a fresh PostgreSQL database of the test cluster.
macro_rules! scenes_on_both_backends {
    ($($scene:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $scene() {
                super::$scene(&super::on_disk).await;
            })*
        }
        mod postgres {
            use super::{Config, Secret};

            $(#[tokio::test]
            async fn $scene() {
                let Some(url) = crate::common::pg::database().await else { return };
                let on_postgres = move |config: &mut Config| {
                    super::on_disk(config);
                    config.database_url = Some(Secret::new(url.clone()));
                };
                super::$scene(&on_postgres).await;
            })*
        }
    };
}

scenes_on_both_backends!(
    three_chunks_are_verified_and_told_to_their_device_only,
    creation_with_upload_takes_the_first_chunk,
    mistakes_are_refused_with_their_status,
    a_resting_upload_expires,
    one_patch_at_a_time_and_a_cut_chunk_keeps_what_arrived,
    other_bytes_are_kept_apart_as_a_mismatch,
    a_restarted_bureau_resumes_at_its_offset,
    a_cut_checked_chunk_and_a_stream_past_the_end_keep_nothing,
    an_upload_left_whole_but_undecided_is_decided_at_the_next_head,
    a_request_that_lost_its_lease_keeps_nothing,
    a_sealed_copy_changed_on_disk_no_longer_rehashes_to_its_verdict,
    staged_bytes_lost_behind_the_bureau_end_the_upload_and_the_client_starts_again,
);
