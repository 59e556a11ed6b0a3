//! Moving a bureau from SQLite to PostgreSQL (`fieldcase bureau export | import`): every
//! record arrives as it was (each listing the same on both), every device's audit chain
//! verifies after the move, and the bureau carries on on PostgreSQL with its devices' tokens,
//! its key and its chains.

#![allow(clippy::unwrap_used)]

mod common;
// Only some of the story's helpers are used here.
#[allow(unused_imports)]
mod upload_story;

use fieldcase_bureau::Secret;
use fieldcase_bureau::blobs::settings::BlobSettings;
use fieldcase_bureau::store::postgres::PostgresStore;
use fieldcase_bureau::store::{BureauStore, PageBound, ReviewScope};
use fieldcase_bureau::transfer::export_sqlite;
use fieldcase_core::wire::Fate;

use upload_story::Scene;

/// Everything a bureau's store lists, to tell two stores apart.
async fn listing(store: &dyn BureauStore, reader: fieldcase_core::ids::DeviceId) -> String {
    let evidence = store.evidence_blobs().await.unwrap();
    let mut custody = Vec::new();
    for blob in &evidence {
        custody.push(store.evidence_custody(blob.evidence_id).await.unwrap());
    }
    let feed = store.changes(0, PageBound::changes(10_000), Some(reader)).await.unwrap();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        store.devices().await.unwrap(),
        store.sites().await.unwrap(),
        store.inspections().await.unwrap(),
        store.reviews(ReviewScope::All).await.unwrap(),
        store.certificates().await.unwrap(),
        store.certificate_history(None).await.unwrap(),
        store.officers().await.unwrap(),
        store.signing_keys().await.unwrap(),
        store.admin_tokens().await.unwrap(),
        evidence,
        custody,
        feed,
    )
}

#[tokio::test]
async fn a_bureau_moves_to_postgres_whole_and_carries_on_there() {
    let Some(url) = common::pg::database().await else { return };
    // A bureau with a device that pushed a sealed inspection with its evidence and audit
    // entries, uploaded a file, and has a verdict waiting in its feed.
    let on_disk = |config: &mut fieldcase_bureau::Config| config.blobs = BlobSettings::Fs;
    let mut scene = Scene::start(&on_disk).await;
    let (reference, bytes) = (scene.files[0].0.clone(), scene.files[0].1.clone());
    upload_story::upload_whole(&scene.bureau, scene.token(), &reference, &bytes).await;
    scene.bureau.admin_token().await;
    let device = scene.device.device.id();
    let before = listing(scene.bureau.store.as_ref(), device).await;

    let mut file = Vec::new();
    let exported = export_sqlite(&scene.bureau.data_dir.join(fieldcase_bureau::DB_FILE), &mut file).unwrap();
    assert!(exported.rows["audit_entries"] > 0 && exported.rows["evidence_blobs"] == 1, "{exported:?}");

    let store = PostgresStore::open(&url).await.unwrap();
    let moved = store.import(Box::new(std::io::Cursor::new(file.clone()))).await.unwrap();
    assert_eq!(moved.rows, exported.rows, "every row of every table");
    let chain = moved.chains.iter().find(|(id, _)| *id == device.to_string()).expect("the device's chain");
    assert_eq!(chain.1, exported.rows["audit_entries"], "its chain verifies, every entry");
    assert_eq!(listing(&store, device).await, before, "every record as it was, hashes and signatures too");

    // Loading again is refused: the database holds a bureau now.
    let again = store.import(Box::new(std::io::Cursor::new(file))).await.unwrap_err();
    assert!(again.to_string().contains("already holds a bureau"), "{again}");
    drop(store);

    // The same bureau (its data directory, so its key) restarted on PostgreSQL: the device's
    // token works, what it pushed is known, and its chain goes on from where it was.
    let mut config = scene.bureau.config.clone();
    config.database_url = Some(Secret::new(url));
    scene.bureau = scene.bureau.restart_with(config).await;
    let site = scene.device.site("乙物流公司", "91350100M000200Y4");
    assert!(scene.bureau.store.sites().await.unwrap().iter().all(|s| s.site.id != site.id));
    let answer = scene.device.push(&scene.bureau, scene.device.outbox()).await;
    assert!(answer.results.iter().all(|r| matches!(r.fate, Fate::Accepted | Fate::Duplicate)), "{:?}", answer.results);
    assert!(scene.bureau.store.sites().await.unwrap().iter().any(|s| s.site.id == site.id));
    assert!(scene.bureau.store.reviews(ReviewScope::Open).await.unwrap().is_empty(), "the chain joined");
}
