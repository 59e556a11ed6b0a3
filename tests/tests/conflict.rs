//! The same record id pushed with different content is a conflict: reported, kept for
//! review, and never an overwrite of the version the bureau already holds.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use anyhow::Result;
use fieldcase_core::inspection::Seal;
use fieldcase_core::signing::Signed;
use fieldcase_core::wire::{Fate, PushItem, PushRequest};
use fieldcase_device::sync::{BureauHttp, Transport};
use fieldcase_device::{Device, OpenMode};
use fieldcase_tests::{Bureau, DeviceDir};

#[tokio::test(flavor = "multi_thread")]
async fn the_same_id_with_another_hash_is_a_reported_conflict_and_the_first_version_stays() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let bureau = Bureau::start(&tmp.path().join("bureau"))?;
    let d = DeviceDir::new(tmp.path().join("d"));
    d.enroll_and_sign_in(&bureau)?;
    d.cli(&["demo", "seed"])?;
    assert!(d.sync_once().status.success());

    // The device's own key signs a different version of a finalized inspection, as a
    // tampered or buggy device might.
    let device = Device::open(&d.dir, OpenMode::MustExist)?;
    let token = device.enrollment()?.expect("enrolled").token;
    let original = device
        .inspections()?
        .into_iter()
        .find(|s| s.status == fieldcase_core::inspection::InspectionStatus::Finalized)
        .expect("the demo has finalized inspections");
    let original = device.inspection(original.id)?;
    let original_hash = original.seal.as_ref().expect("sealed").content_hash;
    drop(device);
    let key = fieldcase_device::keys::load_or_create(&d.dir)?;
    let mut altered = original.clone();
    altered.location = Some("另一个地点".into());
    let hash = altered.content_hash();
    altered.seal = Some(Seal { content_hash: hash, signature: key.sign(Signed::Inspection, &hash) });
    let items = vec![PushItem::Inspection(altered)];
    let request = PushRequest::sign(&items, &key);

    let response = BureauHttp::new(&bureau.url(), &Transport::default())?.push(&token, &request).await?;
    assert_eq!(
        response.results[0].fate,
        Fate::Conflict { existing_hash: original_hash.to_hex() },
        "a conflict names the version the bureau keeps"
    );

    let reviews: serde_json::Value = serde_json::from_str(&bureau.admin(&["reviews", "--json"])?)?;
    let text = reviews.to_string();
    assert!(text.contains(&original.id.to_string()), "the conflict is kept for review: {text}");

    let held: serde_json::Value = serde_json::from_str(&bureau.admin(&["inspections", "--json"])?)?;
    let held =
        held.as_array().unwrap().iter().find(|i| i["id"] == original.id.to_string()).expect("still held").clone();
    assert!(held.to_string().contains(&original_hash.to_hex()), "the first version stays: {held}");
    assert!(!held.to_string().contains("另一个地点"), "the conflicting version is not what the bureau shows: {held}");
    Ok(())
}

#[test]
fn a_record_the_bureau_refused_is_listed_with_why_in_the_device_status() -> Result<()> {
    use fieldcase_core::wire::{ItemResult, PushResponse};

    let tmp = tempfile::tempdir()?;
    let bureau = Bureau::start(&tmp.path().join("bureau"))?;
    let d = DeviceDir::new(tmp.path().join("d"));
    d.enroll_and_sign_in(&bureau)?;
    d.cli(&["demo", "seed"])?;
    let mut device = Device::open(&d.dir, OpenMode::MustExist)?;
    let page = device.next_push_page(1)?.expect("the demo has records to send");
    let item = &page.items[0];
    let response = PushResponse {
        results: vec![ItemResult {
            kind: item.kind(),
            id: item.id(),
            fate: Fate::Rejected { reason: "the site's name is missing".into() },
        }],
        bureau_time: chrono::Utc::now(),
    };
    device.apply_push_results(&page, &response)?;
    let (kind, id) = (item.kind(), item.id());
    drop(device);

    let status = d.cli(&["device", "status"])?;
    assert!(status.contains("attention    1 record(s)"), "{status}");
    assert!(status.contains(&format!("rejected  {kind} {id}: the site's name is missing")), "{status}");
    Ok(())
}
