//! The certificate registry over a real bound server: what administrators do to certificates
//! and what the history keeps of it, the signed versions devices pull, the administrators'
//! API, key rotation, and the re-check of pushed inspections against the registry's past.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use fieldcase_bureau::admin;
use fieldcase_bureau::certificates::{CertificateAction, CertificateFields, HistoryAction, RefusalKind};
use fieldcase_bureau::keys;
use fieldcase_bureau::store::{PageBound, ReviewScope, StoreError};
use fieldcase_core::RecordKind;
use fieldcase_core::certificate::{CertificateStatus, CheckResult};
use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::{KeyId, KeyRotation, RegistryError, RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::PublicKey;
use fieldcase_core::time::record_instant;
use fieldcase_core::wire::{ChangeRecord, Fate, PullResponse, PushItem};

use fieldcase_device::{Device, OpenMode, SharedDevice};

use common::{TestBureau, TestDevice, assert_error, of_kind};

fn fields(number: &str, officer: &str, name: &str) -> CertificateFields {
    CertificateFields {
        number: number.into(),
        officer_id: officer.into(),
        name: name.into(),
        unit: "杭州市西湖区人力资源和社会保障局".into(),
        areas: vec!["劳动保障监察".into()],
        valid_from: "2024-01-01".into(),
        valid_until: "2028-12-31".into(),
    }
}

fn issue(number: &str, officer: &str, name: &str) -> CertificateAction {
    CertificateAction::Issue(fields(number, officer, name).parse().expect("valid fields"))
}

/// Every change of the feed after `after`, pulled page by page as a device does.
async fn pull_all(bureau: &TestBureau, token: &str, after: u64) -> Vec<ChangeRecord> {
    let mut after = after;
    let mut records = Vec::new();
    loop {
        let (status, body) = bureau.get(&format!("/api/v1/changes?after={after}&limit=3"), Some(token)).await;
        assert_eq!(status, 200, "{body}");
        let page: PullResponse = serde_json::from_value(body).expect("a pull response");
        records.extend(page.changes.into_iter().map(|c| c.record));
        after = page.next_cursor;
        if !page.more {
            return records;
        }
    }
}

fn registry_updates(records: &[ChangeRecord]) -> Vec<SignedRegistryUpdate> {
    records
        .iter()
        .filter_map(|r| match r {
            ChangeRecord::Registry(update) => Some(update.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn every_action_is_kept_with_the_state_it_left_and_the_past_can_be_asked() {
    let bureau = TestBureau::start().await;
    let store = bureau.store.as_ref();
    let key = bureau.key();
    let t0 = record_instant(Utc::now()) - Duration::days(10);
    let at = |days: i64| t0 + Duration::days(days);
    let number = "33010620240107";
    let act = async |action: CertificateAction, when: DateTime<Utc>| {
        admin::change_certificate(store, &key, action, "cli:test".into(), when).await
    };

    let issued = act(issue(number, "JC-0107", "王敏"), at(0)).await.expect("issued");
    assert_eq!(
        (issued.action, issued.state.status, issued.registry_version),
        (HistoryAction::Issued, CertificateStatus::Active, 1)
    );
    act(CertificateAction::suspend(number, Some("涉嫌违纪，暂停执法")).unwrap(), at(2)).await.expect("suspended");
    act(CertificateAction::reinstate(number, Some("调查结束".into())).unwrap(), at(4)).await.expect("reinstated");
    let renewed = act(CertificateAction::renew(number, "2030-12-31", None).unwrap(), at(5)).await.expect("renewed");
    assert_eq!(renewed.state.valid_until.to_string(), "2030-12-31");
    act(CertificateAction::revoke(number, Some("调离执法岗位")).unwrap(), at(6)).await.expect("revoked");

    // Revoked is final; unknown and duplicate numbers are refused; nothing changes.
    let refused = act(CertificateAction::reinstate(number, None).unwrap(), at(7)).await.expect_err("revoked is final");
    assert!(
        matches!(&refused, StoreError::Refused(r) if r.kind == RefusalKind::NotAllowed && r.message.contains("final")),
        "{refused}"
    );
    let unknown =
        act(CertificateAction::suspend("33019999999999", Some("x")).unwrap(), at(7)).await.expect_err("unknown");
    assert!(matches!(&unknown, StoreError::Refused(r) if r.kind == RefusalKind::NotFound), "{unknown}");
    let duplicate = act(issue(number, "JC-0107", "王敏"), at(7)).await.expect_err("duplicate");
    assert!(matches!(&duplicate, StoreError::Refused(r) if r.kind == RefusalKind::Duplicate), "{duplicate}");
    let renamed = act(issue("33010620240999", "JC-0107", "王明"), at(7))
        .await
        .expect_err("another name for a registered officer");
    assert!(matches!(&renamed, StoreError::Refused(r) if r.field == Some("name")), "{renamed}");
    assert_eq!(store.certificates().await.unwrap().len(), 1, "a refused issue adds nothing");

    let history = store.certificate_history(Some(number.into())).await.expect("history");
    let actions: Vec<HistoryAction> = history.iter().map(|e| e.action).collect();
    use HistoryAction::*;
    assert_eq!(
        actions,
        vec![Issued, Suspended, Reinstated, Renewed, Revoked],
        "every action, in order, and no refused one"
    );
    assert_eq!(history[1].reason.as_deref(), Some("涉嫌违纪，暂停执法"));
    assert_eq!(history[1].actor, "cli:test");
    assert_eq!(
        history.iter().map(|e| e.registry_version).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5],
        "each action its own version"
    );

    // The state at any past instant.
    let status_at =
        async |when: DateTime<Utc>| store.certificate_at(number.into(), when).await.unwrap().map(|e| e.state.status);
    assert_eq!(status_at(at(-1)).await, None, "not in the registry before it was issued");
    assert_eq!(status_at(at(1)).await, Some(CertificateStatus::Active));
    assert_eq!(status_at(at(2)).await, Some(CertificateStatus::Suspended), "an action counts from its instant on");
    assert_eq!(status_at(at(3)).await, Some(CertificateStatus::Suspended));
    assert_eq!(status_at(at(4) + Duration::hours(1)).await, Some(CertificateStatus::Active));
    assert_eq!(status_at(at(6) - Duration::seconds(1)).await, Some(CertificateStatus::Active));
    assert_eq!(status_at(at(9)).await, Some(CertificateStatus::Revoked));
    let before_renewal = store.certificate_at(number.into(), at(4)).await.unwrap().expect("known");
    assert_eq!(before_renewal.state.valid_until.to_string(), "2028-12-31", "the dates as they were then");
}

#[tokio::test]
async fn the_feed_delivers_a_signed_snapshot_then_deltas_of_what_changed() {
    let bureau = TestBureau::start().await;
    let mut device = TestDevice::new();
    let bureau_key: PublicKey = device.enroll_without_signing_in(&bureau).await.bureau_public_key;
    let key = bureau.key();
    let store = bureau.store.as_ref();
    let now = Utc::now();

    store
        .change_certificates(
            vec![issue("33010620240107", "JC-0107", "王敏"), issue("33010620240112", "JC-0112", "李强")],
            "cli:test".into(),
            &key,
            now,
        )
        .await
        .expect("two issued in one version");
    admin::change_certificate(
        store,
        &key,
        CertificateAction::revoke("33010620240112", Some("注销")).unwrap(),
        "cli:test".into(),
        now,
    )
    .await
    .expect("revoked");
    admin::set_officer_pin(store, &key, OfficerId::parse("JC-0107").unwrap(), "246813", now).await.expect("a PIN");

    let updates = registry_updates(&pull_all(&bureau, &device.token, 0).await);
    assert_eq!(updates.len(), 3, "one version per change: {updates:?}");
    let opened: Vec<RegistryUpdate> =
        updates.iter().map(|u| u.open(&bureau_key).expect("signed by the bureau's key")).collect();

    let snapshot = &opened[0];
    assert_eq!((snapshot.version, snapshot.from_version), (1, None), "the first is a snapshot");
    assert_eq!(
        snapshot.certificates.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(),
        vec!["33010620240107", "33010620240112"]
    );
    assert_eq!(snapshot.officers.len(), 2);

    let revocation = &opened[1];
    assert_eq!((revocation.version, revocation.from_version), (2, Some(1)), "then deltas");
    assert_eq!(revocation.certificates.len(), 1, "only what changed");
    assert_eq!(revocation.certificates[0].status, CertificateStatus::Revoked, "as it now stands");
    assert!(revocation.officers.is_empty());

    let pin = &opened[2];
    assert_eq!((pin.version, pin.from_version), (3, Some(2)));
    assert!(pin.certificates.is_empty());
    assert_eq!(pin.officers.len(), 1);
    // The verifier reaches only devices serving the officer's unit (tests/pin_scope.rs).
    assert_eq!(pin.officers[0].pin_verifier, None, "a device of no unit is sent no verifier");

    // A one-byte change in a delivered body does not open.
    let (_, raw) = bureau.get("/api/v1/changes?after=0", Some(&device.token)).await;
    let delivered: PullResponse = serde_json::from_value(raw).expect("a pull response");
    let mut tampered = delivered
        .changes
        .iter()
        .find_map(|c| match &c.record {
            ChangeRecord::Registry(u) if u.open(&bureau_key).is_ok_and(|u| u.version == 2) => Some(u.clone()),
            _ => None,
        })
        .expect("version 2 is in the feed");
    tampered.body = tampered.body.replacen("revoked", "revokee", 1);
    assert_eq!(tampered.open(&bureau_key), Err(RegistryError::BadSignature), "a changed byte breaks the signature");

    // A device that missed versions asks for a snapshot.
    let (status, body) = bureau.get("/api/v1/registry/snapshot", Some(&device.token)).await;
    assert_eq!(status, 200, "{body}");
    let snapshot: SignedRegistryUpdate = serde_json::from_value(body).expect("a signed update");
    let snapshot = snapshot.open(&bureau_key).expect("signed by the bureau");
    assert_eq!((snapshot.version, snapshot.from_version), (3, None), "the latest version, whole");
    assert_eq!(snapshot.certificates.len(), 2);
    assert!(
        snapshot.officers.iter().any(|o| o.officer.as_str() == "JC-0107" && o.pin_verifier.is_none()),
        "the officer is there; their verifier only for a device of their unit (tests/pin_scope.rs)"
    );
    assert_error(&bureau.get("/api/v1/registry/snapshot", None).await, 401, "unauthorized");
}

#[tokio::test]
async fn a_refused_batch_publishes_nothing() {
    let bureau = TestBureau::start().await;
    let key = bureau.key();
    let store = bureau.store.as_ref();
    let refused = store
        .change_certificates(
            vec![issue("1", "JC-1", "甲"), CertificateAction::revoke("2", Some("x")).unwrap()],
            "cli:test".into(),
            &key,
            Utc::now(),
        )
        .await
        .expect_err("the second action names an unknown certificate");
    assert!(matches!(&refused, StoreError::Refused(r) if r.item == Some(1)), "{refused}");
    assert!(store.certificates().await.unwrap().is_empty(), "the first action was undone with the batch");
    assert!(store.officers().await.unwrap().is_empty());
    let feed = store.changes(0, PageBound::changes(100), None).await.unwrap();
    assert!(!feed.changes.iter().any(|c| matches!(c.record, ChangeRecord::Registry(_))), "no version published");
}

#[tokio::test]
async fn the_administrators_api_needs_an_administrators_token() {
    let bureau = TestBureau::start().await;
    let mut device = TestDevice::new();
    device.enroll_without_signing_in(&bureau).await;
    let admin = bureau.admin_token().await;
    let body = serde_json::to_value(fields("33010620240107", "JC-0107", "王敏")).unwrap();
    let held = bureau.store.certificates().await.unwrap().len();

    let nobody = bureau.post("/api/v1/admin/certificates", &body, None).await;
    assert!(assert_error(&nobody, 401, "unauthorized").contains("admin-token"), "says how to get a token");
    assert_error(&bureau.post("/api/v1/admin/certificates", &body, Some(&"ab".repeat(32))).await, 401, "unauthorized");
    let as_device = bureau.post("/api/v1/admin/certificates", &body, Some(&device.token)).await;
    assert_error(&as_device, 403, "forbidden");
    assert_error(&bureau.get("/api/v1/admin/certificates", Some(&device.token)).await, 403, "forbidden");
    assert_eq!(bureau.store.certificates().await.unwrap().len(), held, "nothing issued without an administrator");

    let (status, issued) = bureau.post("/api/v1/admin/certificates", &body, Some(&admin)).await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!(issued["action"], "issued");
    assert_eq!(issued["state"]["status"], "active");
    // The token is named by its hash's prefix, as `fieldcase bureau admin-token list` shows
    // it, and its label: two tokens with the same label are told apart.
    let prefix = fieldcase_bureau::store::TokenHash::of_token(&admin).to_hex()[..8].to_owned();
    let actor = format!("admin-token:{prefix} (测试管理员)");
    assert_eq!(issued["actor"], actor.as_str());
    assert_error(&bureau.post("/api/v1/admin/certificates", &body, Some(&admin)).await, 409, "duplicate");
    let mut bad_date = body.clone();
    bad_date["number"] = "33010620240112".into();
    bad_date["valid_until"] = "2028-02-30".into();
    let message =
        assert_error(&bureau.post("/api/v1/admin/certificates", &bad_date, Some(&admin)).await, 422, "invalid_input");
    assert!(message.contains("valid_until") && message.contains("YYYY-MM-DD"), "{message}");

    let path = |action: &str| format!("/api/v1/admin/certificates/33010620240107/{action}");
    assert_error(&bureau.post(&path("suspend"), &serde_json::json!({}), Some(&admin)).await, 422, "invalid_input");
    let (status, suspended) = bureau.post(&path("suspend"), &serde_json::json!({"reason": "暂停"}), Some(&admin)).await;
    assert_eq!((status, suspended["state"]["status"].as_str()), (200, Some("suspended")), "{suspended}");
    let (status, _) = bureau.post(&path("reinstate"), &serde_json::json!({}), Some(&admin)).await;
    assert_eq!(status, 200);
    let (status, renewed) =
        bureau.post(&path("renew"), &serde_json::json!({"valid_until": "2031-12-31"}), Some(&admin)).await;
    assert_eq!((status, renewed["state"]["valid_until"].as_str()), (200, Some("2031-12-31")), "{renewed}");
    let (status, _) = bureau.post(&path("revoke"), &serde_json::json!({"reason": "注销"}), Some(&admin)).await;
    assert_eq!(status, 200);
    let again = bureau.post(&path("reinstate"), &serde_json::json!({}), Some(&admin)).await;
    assert!(assert_error(&again, 409, "not_allowed").contains("final"));
    assert_error(
        &bureau
            .post("/api/v1/admin/certificates/33019999/revoke", &serde_json::json!({"reason": "x"}), Some(&admin))
            .await,
        404,
        "not_found",
    );
    assert_error(
        &bureau.post(&path("revoke"), &serde_json::json!({"reason": "x", "extra": 1}), Some(&admin)).await,
        400,
        "bad_request",
    );

    let (status, list) = bureau.get("/api/v1/admin/certificates", Some(&admin)).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["status"], "revoked");
    assert_eq!(list[0]["registry_version"], 5);
    let (status, history) = bureau.get("/api/v1/admin/certificates/33010620240107/history", Some(&admin)).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = history.as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, vec!["issued", "suspended", "reinstated", "renewed", "revoked"]);
    for event in history.as_array().unwrap() {
        assert_eq!(event["actor"], actor.as_str(), "every change over the API names the token that made it: {event}");
    }

    // An administrator's token is not a device's.
    assert_error(&bureau.get("/api/v1/changes", Some(&admin)).await, 401, "unauthorized");
}

/// A certificate valid until 9999 is a typing mistake; the administrators' API refuses every
/// date outside the years a record may fall in, naming the field.
#[tokio::test]
async fn the_administrators_api_refuses_certificate_dates_outside_the_years_a_record_may_fall_in() {
    let bureau = TestBureau::start().await;
    let admin = bureau.admin_token().await;
    for (field, date) in [("valid_until", "9999-12-31"), ("valid_from", "1999-12-31")] {
        let mut body = serde_json::to_value(fields("33010620240107", "JC-0107", "王敏")).unwrap();
        body[field] = date.into();
        let answer = bureau.post("/api/v1/admin/certificates", &body, Some(&admin)).await;
        let message = assert_error(&answer, 422, "invalid_input");
        assert!(message.contains(field) && message.contains("2000") && message.contains("2200"), "{message}");
    }
    assert!(bureau.store.certificates().await.unwrap().is_empty(), "nothing issued");

    let body = serde_json::to_value(fields("33010620240107", "JC-0107", "王敏")).unwrap();
    assert_eq!(bureau.post("/api/v1/admin/certificates", &body, Some(&admin)).await.0, 201);
    let renew = serde_json::json!({"valid_until": "+10000-01-01"});
    let answer = bureau.post("/api/v1/admin/certificates/33010620240107/renew", &renew, Some(&admin)).await;
    assert!(assert_error(&answer, 422, "invalid_input").contains("valid_until"));
    let renew = serde_json::json!({"valid_until": "2201-01-01"});
    let answer = bureau.post("/api/v1/admin/certificates/33010620240107/renew", &renew, Some(&admin)).await;
    assert!(assert_error(&answer, 422, "invalid_input").contains("2200"));
}

#[tokio::test]
async fn the_openapi_document_describes_the_registry_and_administration() {
    let bureau = TestBureau::start().await;
    let (_, doc) = bureau.get("/api/v1/openapi.json", None).await;
    let paths: BTreeSet<&str> = doc["paths"].as_object().expect("paths").keys().map(String::as_str).collect();
    for path in [
        "/api/v1/registry/snapshot",
        "/api/v1/admin/certificates",
        "/api/v1/admin/certificates/{number}/history",
        "/api/v1/admin/certificates/{number}/renew",
        "/api/v1/admin/certificates/{number}/suspend",
        "/api/v1/admin/certificates/{number}/reinstate",
        "/api/v1/admin/certificates/{number}/revoke",
    ] {
        assert!(paths.contains(path), "{path} is documented: {paths:?}");
    }
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for schema in ["SignedRegistryUpdate", "KeyRotation", "Certificate", "CertificateEvent", "CertificateFields"] {
        assert!(schemas.contains_key(schema), "{schema} is described");
    }
    assert!(doc["components"]["securitySchemes"]["admin_token"].is_object());
}

#[tokio::test]
async fn a_rotated_key_is_vouched_for_by_the_old_and_signs_what_follows() {
    let bureau = TestBureau::start().await;
    let mut device = TestDevice::new();
    let old_key = device.enroll_without_signing_in(&bureau).await.bureau_public_key;
    let store = bureau.store.as_ref();
    let admin = bureau.admin_token().await;
    let dir = tempfile::tempdir().unwrap();
    let follower = SharedDevice::new(Device::open(dir.path(), OpenMode::CreateIfMissing).unwrap());
    let (transport, code) = (fieldcase_device::sync::Transport::default(), bureau.code().await);
    fieldcase_device::sync::enroll(&follower, &bureau.url, transport, &code, None).await.unwrap();
    admin::change_certificate(
        store,
        &bureau.key(),
        issue("33010620240107", "JC-0107", "王敏"),
        "cli:test".into(),
        Utc::now(),
    )
    .await
    .expect("issued with the first key");

    let (rotation, new_secret) = keys::rotate(&bureau.data_dir, store, Utc::now()).await.expect("rotated");
    let new_key = new_secret.public_key();
    assert_eq!(bureau.key().public_key(), new_key, "bureau.key now holds the new key");
    assert!(!bureau.data_dir.join(keys::NEXT_KEY_FILE).exists());

    // The running server signs with the new key at once.
    let body = serde_json::to_value(fields("33010620240112", "JC-0112", "李强")).unwrap();
    assert_eq!(bureau.post("/api/v1/admin/certificates", &body, Some(&admin)).await.0, 201);

    let feed = pull_all(&bureau, &device.token, 0).await;
    let position = |f: &dyn Fn(&ChangeRecord) -> bool| feed.iter().position(f).expect("in the feed");
    let rotation_at = position(&|r| matches!(r, ChangeRecord::KeyRotation(_)));
    let ChangeRecord::KeyRotation(delivered) = &feed[rotation_at] else { unreachable!() };
    assert_eq!(*delivered, rotation);
    assert_eq!(delivered.verify(&old_key), Ok(new_key), "the old key vouches for the new one");
    let forged = KeyRotation { new_key: TestDevice::new().key.public_key(), ..delivered.clone() };
    assert!(forged.verify(&old_key).is_err(), "and for nothing else");

    // Each version is served scoped to the device and signed as served: with the new key, the
    // one before the rotation too (a device takes a page's rotations first).
    let updates = registry_updates(&feed);
    assert_eq!(updates.len(), 2);
    assert!(updates.iter().all(|u| u.key_id == KeyId::of(&new_key)), "signed as served, with the key in force");
    assert_eq!(updates[0].open(&new_key).expect("signed with the new key").version, 1);
    assert!(
        position(&|r| matches!(r, ChangeRecord::Registry(u) if u.open(&new_key).is_ok_and(|u| u.version == 2)))
            > rotation_at,
        "the rotation comes before what was published after it"
    );
    assert_eq!(updates[1].open(&new_key).expect("signed with the new key").certificates[0].number, "33010620240112");
    assert!(updates[1].open(&old_key).is_err());

    // A laptop that pinned the old key follows the feed across the rotation, nothing refused.
    let report = fieldcase_device::sync::sync_once(&follower).await.expect("a sync across the rotation");
    assert!(report.registry_refused.is_empty(), "{:?}", report.registry_refused);
    let status = follower.run(|d| d.registry_status()).await.unwrap();
    assert_eq!((status.version, status.stale), (Some(2), false));

    // Devices enrolling now pin the new key; snapshots are signed with it.
    let mut late = TestDevice::new();
    assert_eq!(late.enroll_without_signing_in(&bureau).await.bureau_public_key, new_key);
    let (_, snapshot) = bureau.get("/api/v1/registry/snapshot", Some(&late.token)).await;
    let snapshot: SignedRegistryUpdate = serde_json::from_value(snapshot).expect("a snapshot");
    assert_eq!(snapshot.open(&new_key).expect("new key").version, 2);

    // The retired key can sign nothing more.
    let refused = admin::change_certificate(
        store,
        &fieldcase_core::signing::SecretKey::from_seed([0; 32]),
        issue("9", "JC-9", "甲"),
        "x".into(),
        Utc::now(),
    )
    .await;
    assert!(matches!(refused, Err(StoreError::SigningKey(_))), "{refused:?}");
    let keys = store.signing_keys().await.expect("keys");
    assert_eq!(keys.iter().filter(|k| k.active).count(), 1);
    assert_eq!(keys.len(), 2);
}

/// Seeds the demonstration certificates, with JC-0107's revoked at `revoked_at`.
async fn revoke_demo_0107(bureau: &TestBureau, revoked_at: DateTime<Utc>) {
    let key = bureau.key();
    admin::seed_demo(bureau.store.as_ref(), &key, Utc::now() - Duration::days(30)).await.expect("demo data");
    admin::change_certificate(
        bureau.store.as_ref(),
        &key,
        CertificateAction::revoke("33010620240107", Some("调离执法岗位")).unwrap(),
        "cli:test".into(),
        revoked_at,
    )
    .await
    .expect("revoked");
}

#[tokio::test]
async fn an_inspection_after_a_revocation_is_flagged_and_one_before_it_is_not() {
    // Revoked a minute before the officers started.
    let bureau = TestBureau::start().await;
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    revoke_demo_0107(&bureau, Utc::now() - Duration::minutes(1)).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    let inspection = device.finalized_inspection(&site);
    let results = device.push(&bureau, device.outbox()).await.results;
    assert!(results.iter().all(|r| r.fate == Fate::Accepted), "stored: {results:?}");
    let held = bureau.store.inspections().await.expect("inspections");
    assert!(held[0].needs_review, "only one officer had a valid certificate when the inspection started");
    assert!(
        held[0].review_details.iter().any(|d| d.contains("33010620240107 of JC-0107 was revoked")),
        "the listing says why: {:?}",
        held[0]
    );
    let reviews = bureau.store.reviews(ReviewScope::Open).await.expect("reviews");
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].item_id, inspection.id.to_string());
    let detail = &reviews[0].detail;
    assert!(
        detail.contains("certificate 33010620240107 of JC-0107 was revoked on")
            && detail.contains("before the inspection"),
        "{detail}"
    );
    assert!(detail.contains("(JC-0112)"), "names the officer who counts: {detail}");

    // Revoked only after the inspection started (and before the push reached the bureau).
    let bureau = TestBureau::start().await;
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    admin::seed_demo(bureau.store.as_ref(), &bureau.key(), Utc::now() - Duration::days(30)).await.expect("demo data");
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    device.finalized_inspection(&site);
    let key = bureau.key();
    admin::change_certificate(
        bureau.store.as_ref(),
        &key,
        CertificateAction::revoke("33010620240107", Some("调离")).unwrap(),
        "cli:test".into(),
        Utc::now() + Duration::seconds(1),
    )
    .await
    .expect("revoked");
    device.push(&bureau, device.outbox()).await;
    assert!(
        !bureau.store.inspections().await.expect("inspections")[0].needs_review,
        "valid when the inspection started"
    );
    assert!(bureau.store.reviews(ReviewScope::All).await.expect("reviews").is_empty());
}

#[tokio::test]
async fn sample_checks_of_unknown_numbers_pass_but_not_of_certificates_the_registry_knows_were_bad() {
    // No registry at all: the sample checks stand as recorded (the demo stays clean).
    let bureau = TestBureau::start().await;
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    device.finalized_inspection(&site);
    let items = device.outbox();
    device.push(&bureau, items.clone()).await;
    assert!(!bureau.store.inspections().await.unwrap()[0].needs_review, "unknown numbers alone do not flag a sample");

    // The same sample checks naming the expired demonstration certificate of JC-0099.
    let bureau = TestBureau::start().await;
    device.enroll(&bureau).await;
    admin::seed_demo(bureau.store.as_ref(), &bureau.key(), Utc::now()).await.expect("demo data");
    let mut page = of_kind(&items, RecordKind::Site);
    for check in of_kind(&items, RecordKind::CertificateCheck) {
        let PushItem::CertificateCheck(mut check) = check else { unreachable!() };
        assert_eq!((check.registry_version, check.result), (0, CheckResult::Valid));
        if check.officer_id.as_str() == "JC-0107" {
            check.officer_id = OfficerId::parse("JC-0099").unwrap();
            check.certificate_number = "33010620190099".into();
        }
        page.push(PushItem::CertificateCheck(check));
    }
    page.extend(of_kind(&items, RecordKind::Inspection));
    device.push(&bureau, page).await;
    let reviews = bureau.store.reviews(ReviewScope::Open).await.unwrap();
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    assert!(
        reviews[0].detail.contains("certificate 33010620190099 of JC-0099 had expired: valid until 2023-12-31"),
        "{}",
        reviews[0].detail
    );
}

#[tokio::test]
async fn a_flag_names_the_revoked_certificate_once_the_checks_arrive_after_the_inspection() {
    let bureau = TestBureau::start().await;
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    revoke_demo_0107(&bureau, Utc::now() - Duration::minutes(1)).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    device.finalized_inspection(&site);
    let items = device.outbox();
    let mut first = of_kind(&items, RecordKind::Site);
    first.extend(of_kind(&items, RecordKind::Inspection));
    device.push(&bureau, first).await;
    let before = bureau.store.reviews(ReviewScope::Open).await.unwrap();
    assert!(before[0].detail.contains("have not reached the bureau"), "{}", before[0].detail);

    device.push(&bureau, of_kind(&items, RecordKind::CertificateCheck)).await;
    let after = bureau.store.reviews(ReviewScope::Open).await.unwrap();
    assert_eq!(after.len(), 1, "still flagged: one of the two certificates was revoked");
    assert!(
        after[0].detail.contains("33010620240107 of JC-0107 was revoked"),
        "the reason is brought up to date: {}",
        after[0].detail
    );
    assert!(!after[0].detail.contains("have not reached"), "{}", after[0].detail);
}
