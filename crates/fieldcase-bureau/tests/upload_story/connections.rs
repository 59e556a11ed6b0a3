//! Scenes over connections the test writes by hand: a PATCH whose body is still coming when
//! another arrives, a client that hangs up mid-chunk, a body streamed without a length, and a
//! request whose lease another took while its client was silent.

use std::time::Duration;

use tokio::io::AsyncWriteExt;

use fieldcase_core::upload::VerdictOutcome;

use super::client::*;
use super::scenes::verdicts_of;
use super::{Configure, Scene};

/// While one PATCH streams, a second on the same upload is refused 423; a client cut
/// mid-chunk without a checksum keeps what arrived.
pub async fn one_patch_at_a_time_and_a_cut_chunk_keeps_what_arrived(configure: Configure<'_>) {
    let scene = Scene::start(configure).await;
    let (bureau, token) = (&scene.bureau, scene.token());
    let (reference, bytes) = scene.file();
    let at = created(bureau, token, &reference.id, reference.size).await;
    let part = bytes.len() / 2;

    let mut slow = raw_patch(bureau, token, &at, 0, &format!("Content-Length: {}\r\n", bytes.len())).await;
    slow.write_all(&bytes[..part]).await.unwrap();
    slow.flush().await.unwrap();
    let id = upload_id(&at);
    let (id, at) = (id.as_str(), at.as_str());
    let leased = || async move { bureau.store.upload(id.to_owned()).await.unwrap().unwrap().lease.is_some() };
    wait_until(leased).await;

    let second = patch(bureau, token, at, 0, &bytes[..4], true).await;
    assert_eq!(second.status(), 423, "a second PATCH never interleaves");
    assert_eq!(code_of(second).await, "upload_locked");

    drop(slow);
    wait_until(|| async move { head_offset(bureau, token, at).await == part as u64 }).await;
    wait_until(|| async move { !leased().await }).await;
    patched(bureau, token, at, part as u64, &bytes[part..]).await;
    let verdicts = verdicts_of(bureau, token).await;
    assert_eq!(verdicts[0].outcome, VerdictOutcome::Verified, "the kept part and the rest make the file");
}

/// A chunk cut before its end is kept only when it came without a checksum (it cannot be
/// checked); one streamed without a length past the upload's end is refused whole.
pub async fn a_cut_checked_chunk_and_a_stream_past_the_end_keep_nothing(configure: Configure<'_>) {
    use tokio::io::AsyncReadExt;
    let scene = Scene::start(configure).await;
    let (bureau, token) = (&scene.bureau, scene.token());
    let (reference, bytes) = scene.file();
    let at = created(bureau, token, &reference.id, reference.size).await;
    let id = upload_id(&at);
    let (id, at) = (id.as_str(), at.as_str());
    let free = || async move { bureau.store.upload(id.to_owned()).await.unwrap().unwrap().lease.is_none() };

    let extra = format!("Content-Length: {}\r\nUpload-Checksum: {}\r\n", bytes.len(), sha256_checksum(bytes));
    let mut cut = raw_patch(bureau, token, at, 0, &extra).await;
    cut.write_all(&bytes[..bytes.len() / 2]).await.unwrap();
    cut.flush().await.unwrap();
    wait_until(|| async move { !free().await }).await;
    drop(cut);
    wait_until(free).await;
    assert_eq!(head_offset(bureau, token, at).await, 0, "a cut chunk with a checksum is not kept");

    let mut endless = raw_patch(bureau, token, at, 0, "Transfer-Encoding: chunked\r\n").await;
    let mut longer = bytes.to_vec();
    longer.extend_from_slice(b"and more");
    endless.write_all(format!("{:x}\r\n", longer.len()).as_bytes()).await.unwrap();
    endless.write_all(&longer).await.unwrap();
    endless.write_all(b"\r\n0\r\n\r\n").await.unwrap();
    let mut answer = vec![0u8; 12];
    endless.read_exact(&mut answer).await.unwrap();
    assert_eq!(&answer, b"HTTP/1.1 413", "a body past Upload-Length is refused as it streams");
    drop(endless);
    wait_until(free).await;
    assert_eq!(head_offset(bureau, token, at).await, 0, "nothing of it is kept");
    patched(bureau, token, at, 0, bytes).await;
}

async fn wait_until<F: std::future::Future<Output = bool>>(check: impl Fn() -> F) {
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("waited 5 seconds in vain");
}

/// A request whose lease ran out while its client was silent (here: taken by force) keeps
/// nothing of its chunk and answers 423, so it never writes over what another recorded.
pub async fn a_request_that_lost_its_lease_keeps_nothing(configure: Configure<'_>) {
    use fieldcase_bureau::store::{Lease, Leasing};
    let scene = Scene::start(configure).await;
    let (bureau, token) = (&scene.bureau, scene.token());
    let (reference, bytes) = scene.file();
    let at = created(bureau, token, &reference.id, reference.size).await;
    let id = upload_id(&at);
    let (id, at) = (id.as_str(), at.as_str());
    let leased = || async move { bureau.store.upload(id.to_owned()).await.unwrap().unwrap().lease.is_some() };

    let mut slow = raw_patch(bureau, token, at, 0, &format!("Content-Length: {}\r\n", bytes.len())).await;
    slow.write_all(&bytes[..bytes.len() / 2]).await.unwrap();
    slow.flush().await.unwrap();
    wait_until(leased).await;
    // As if its lease had run out, another request takes the upload.
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let thief = Lease { holder: "other".into(), until: later + chrono::Duration::minutes(2) };
    assert!(matches!(bureau.store.lease_upload(id.to_owned(), thief, later).await.unwrap(), Leasing::Taken(_)));
    slow.write_all(&bytes[bytes.len() / 2..]).await.unwrap();
    let mut answer = vec![0u8; 12];
    tokio::io::AsyncReadExt::read_exact(&mut slow, &mut answer).await.unwrap();
    assert_eq!(&answer, b"HTTP/1.1 423", "the chunk of a lost lease is refused");
    assert_eq!(head_offset(bureau, token, at).await, 0, "and nothing of it is recorded");
    bureau.store.release_lease(id.to_owned(), "other".into()).await.unwrap();
    patched(bureau, token, at, 0, bytes).await;
}
