//! The evidence upload story on the S3 blob store, against a real S3 server on loopback
//! (`s3s-fs`, which `scripts/install-deps.sh test` installs): every scene the filesystem
//! store passes in `tests/uploads.rs`, with the bytes staged and sealed in a bucket.

#![allow(clippy::unwrap_used)]

mod common;
mod upload_story;

use common::s3::S3Server;
use fieldcase_bureau::Config;
use fieldcase_bureau::blobs::settings::BlobSettings;

/// Each scene on a bucket of its own server.
macro_rules! on_s3 {
    ($($scene:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $scene() {
            let Some(server) = S3Server::start().await else { return };
            let settings = server.settings.clone();
            let in_the_bucket = move |config: &mut Config| config.blobs = BlobSettings::S3(settings.clone());
            upload_story::$scene(&in_the_bucket).await;
        }
    )*};
}

on_s3!(
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
);
