//! The behaviour every `BureauStore` backend must have, told as one story: SQLite in a
//! temporary file, PostgreSQL in a fresh database of the test binary's cluster.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{Duration, Utc};

use fieldcase_bureau::certificates::{CertificateAction, CertificateFields};
use fieldcase_bureau::credentials::code_hash;
use fieldcase_bureau::push;
use fieldcase_bureau::store::postgres::PostgresStore;
use fieldcase_bureau::store::sqlite::SqliteStore;
use fieldcase_bureau::store::{
    BureauStore, Enrollment, NewAdminToken, NewEnrollmentCode, PageBound, ReviewScope, StoreError, TokenHash,
};
use fieldcase_core::certificate::CertificateStatus;
use fieldcase_core::checklist::default_template;
use fieldcase_core::ids::{DeviceId, OfficerId, SiteId};
use fieldcase_core::registry::RegistryScope;
use fieldcase_core::signing::SecretKey;
use fieldcase_core::site::Site;
use fieldcase_core::time::record_instant;
use fieldcase_core::uscc::{Uscc, with_check_character};
use fieldcase_core::wire::{ChangeRecord, Fate, PushItem};

use common::TestDevice;

#[tokio::test]
async fn sqlite_tells_the_story() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let store = SqliteStore::open_async(tmp.path().join("bureau.db")).await.expect("the store opens");
    story(&store).await;

    // And it is all still there after a reopen.
    drop(store);
    let again = SqliteStore::open_async(tmp.path().join("bureau.db")).await.expect("the store opens again");
    still_there(&again).await;
}

#[tokio::test]
async fn postgres_tells_the_story() {
    let Some(url) = common::pg::database().await else { return };
    let store = PostgresStore::open(&url).await.expect("the store opens");
    story(&store).await;

    // And it is all still there after a reopen, its migrations not run twice.
    drop(store);
    let again = PostgresStore::open(&url).await.expect("the store opens again");
    still_there(&again).await;
}

/// A `database_url` that is not PostgreSQL's, or names a server that is not there, stops the
/// bureau with what was wrong and how to put it right.
#[tokio::test]
async fn a_bad_or_unreachable_database_url_says_what_and_how_to_fix_it() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let mut config = fieldcase_bureau::Config::new(tmp.path().join("bureau"));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for (url, says) in [
        ("mysql://bureau@db/fieldcase", "must be a PostgreSQL URL"),
        ("postgres://bureau@db:port/fieldcase", "is not a PostgreSQL URL"),
        (&*format!("postgres://bureau@127.0.0.1:{port}/fieldcase"), "cannot reach the PostgreSQL server"),
    ] {
        config.database_url = Some(fieldcase_bureau::Secret::new(url));
        let err = fieldcase_bureau::open_store(&config, fieldcase_bureau::OpenMode::CreateIfMissing)
            .await
            .expect_err("refused");
        let message = err.to_string();
        assert!(message.contains(says) && message.contains("database_url"), "{url}: {message}");
    }
}

/// What the story left, as a reopened store finds it.
async fn still_there(again: &dyn BureauStore) {
    assert_eq!(again.devices().await.expect("devices").len(), 1);
    assert_eq!(
        again.changes(0, PageBound::changes(100), None).await.expect("changes").changes.len(),
        8,
        "the template is not published twice"
    );
    assert_eq!(again.certificate_history(None).await.expect("history").len(), 3, "the registry's past survives too");
}

fn uscc(first17: &str) -> Uscc {
    Uscc::parse(&with_check_character(first17).expect("in the alphabet")).expect("valid")
}

pub async fn story(store: &dyn BureauStore) {
    let now = record_instant(Utc::now());

    // A new bureau publishes the default checklist and knows nothing else.
    let feed = store.changes(0, PageBound::changes(100), None).await.expect("changes");
    assert_eq!(feed.changes.len(), 1);
    assert!(!feed.more);
    assert!(matches!(&feed.changes[0].record, ChangeRecord::Template(t) if *t == default_template()));
    assert!(store.devices().await.expect("devices").is_empty());
    assert!(store.sites().await.expect("sites").is_empty());

    // Enrollment: a code works once, before it expires, for the key the device id has.
    let mut device = TestDevice::new();
    device.signed_in_without_a_bureau(&fieldcase_core::signing::SecretKey::from_seed([9; 32]));
    store
        .add_enrollment_code(NewEnrollmentCode {
            code_hash: code_hash("ABCD-EFGH-JKLM"),
            label: None,
            units: vec!["执法一队".into()],
            created_at: now,
            expires_at: now + Duration::hours(1),
        })
        .await
        .expect("a code");
    store
        .add_enrollment_code(NewEnrollmentCode {
            code_hash: code_hash("OLD0-OLD0-OLD0"),
            label: None,
            units: vec![],
            created_at: now - Duration::hours(2),
            expires_at: now - Duration::hours(1),
        })
        .await
        .expect("an expired code");
    let enrollment = |code: &str, token: &str| Enrollment {
        code_hash: code_hash(code),
        device_id: device.device.id(),
        public_key: device.key.public_key(),
        host_label: Some("vm".into()),
        token_hash: TokenHash::of_token(token),
    };
    // A code is first looked at by a read, which tells a usable one from the rest.
    for (code, usable) in [("abcd-efgh-jklm", true), ("OLD0-OLD0-OLD0", false), ("WRONG-CODE", false)] {
        let found = store.usable_enrollment_code(code_hash(code), now).await.expect("a read");
        assert_eq!(found.is_some(), usable, "{code}");
    }
    assert!(matches!(store.enroll(enrollment("WRONG-CODE", "t1"), now).await, Err(StoreError::EnrollmentCodeInvalid)));
    assert!(matches!(
        store.enroll(enrollment("OLD0-OLD0-OLD0", "t1"), now).await,
        Err(StoreError::EnrollmentCodeInvalid)
    ));
    let record = store.enroll(enrollment("abcd efgh jklm", "t1"), now).await.expect("enrolled");
    assert_eq!(record.device_id, device.device.id());
    assert_eq!(record.units, ["执法一队"], "the device serves the units its code gave it");
    assert!(
        matches!(store.enroll(enrollment("ABCD-EFGH-JKLM", "t2"), now).await, Err(StoreError::EnrollmentCodeInvalid)),
        "once only"
    );
    assert!(store.usable_enrollment_code(code_hash("ABCD-EFGH-JKLM"), now).await.expect("a read").is_none());
    assert_eq!(
        store.device_by_token(TokenHash::of_token("t1")).await.expect("lookup").map(|d| d.device_id),
        Some(device.device.id())
    );
    assert_eq!(store.device_by_token(TokenHash::of_token("t2")).await.expect("lookup"), None);

    let impostor = TestDevice::new();
    store
        .add_enrollment_code(NewEnrollmentCode {
            code_hash: code_hash("KEYS-KEYS-KEYS"),
            label: None,
            units: vec![],
            created_at: now,
            expires_at: now + Duration::hours(1),
        })
        .await
        .expect("a code");
    let mut stolen = enrollment("KEYS-KEYS-KEYS", "t3");
    stolen.public_key = impostor.key.public_key();
    assert!(matches!(store.enroll(stolen, now).await, Err(StoreError::DeviceKeyMismatch { .. })));
    assert!(
        store.device_by_token(TokenHash::of_token("t1")).await.expect("lookup").is_some(),
        "a refused enrollment changes nothing"
    );

    // A revoked device stays revoked: a new code does not lift it, and is not used up by the
    // refusal; only an administrator's reinstatement does.
    store.revoke_device(device.device.id(), now).await.expect("revoked");
    store
        .add_enrollment_code(NewEnrollmentCode {
            code_hash: code_hash("BACK-BACK-BACK"),
            label: Some("laptop-2".into()),
            units: vec![],
            created_at: now,
            expires_at: now + Duration::hours(1),
        })
        .await
        .expect("a code");
    assert!(matches!(
        store.enroll(enrollment("BACK-BACK-BACK", "t4"), now).await,
        Err(StoreError::DeviceRevoked { .. })
    ));
    let reinstated = store.reinstate_device(device.device.id()).await.expect("reinstated");
    assert!(!reinstated.is_revoked());
    let renewed = store.enroll(enrollment("BACK-BACK-BACK", "t4"), now).await.expect("the code was still usable");
    assert_eq!(renewed.label.as_deref(), Some("laptop-2"), "the device is named by its code's label");
    assert_eq!(renewed.host_label.as_deref(), Some("vm"), "and keeps what the laptop calls itself beside it");
    assert_eq!(renewed.units, ["执法一队"], "a code that gives no unit leaves the device's units as they were");
    let record = renewed;

    // Units: set by an administrator, kept sorted and without repeats; bad ones refused.
    let moved =
        store.set_device_units(record.device_id, vec!["执法二队".into(), " 执法一队".into(), "执法二队".into()]);
    assert_eq!(moved.await.expect("units set").units, ["执法一队", "执法二队"]);
    assert!(matches!(
        store.set_device_units(record.device_id, vec![" ".into()]).await,
        Err(StoreError::Refused(r)) if r.field == Some("unit")
    ));
    assert!(matches!(
        store.set_device_units(DeviceId::generate(now), vec!["执法一队".into()]).await,
        Err(StoreError::NotFound { .. })
    ));
    let record = store.set_device_units(record.device_id, vec!["执法一队".into()]).await.expect("units set");

    // Push: accepted once, duplicates after; a site joins by its credit code.
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    device.finalized_inspection(&site);
    let items = device.outbox();
    let results =
        store.push(&record, push::Examiner::new(record.clone()).examined(items.clone()), now).await.expect("pushed");
    assert!(results.iter().all(|r| r.fate == Fate::Accepted), "{results:?}");
    let again = store.push(&record, push::Examiner::new(record.clone()).examined(items), now).await.expect("pushed");
    assert!(again.iter().all(|r| r.fate == Fate::Duplicate), "{again:?}");
    assert_eq!(store.inspections().await.expect("inspections").len(), 1);
    assert!(store.reviews(ReviewScope::All).await.expect("reviews").is_empty());

    let mut copy = site.clone();
    copy.id = SiteId::generate(now);
    copy.name = "恒筑".into();
    let joined = store
        .push(&record, push::Examiner::new(record.clone()).examined(vec![PushItem::Site(copy.clone())]), now)
        .await
        .expect("pushed");
    assert_eq!(joined[0].fate, Fate::Accepted);
    let sites = store.sites().await.expect("sites");
    assert_eq!(sites.len(), 1, "one site per credit code");
    assert_eq!(sites[0].aliases, vec![copy.id.to_string()]);

    // The directory: a known credit code is not added twice.
    assert!(!store.add_site(Site { id: SiteId::generate(now), ..site.clone() }, now).await.expect("add"));
    let other = Site {
        id: SiteId::generate(now),
        name: "杭州之江园林绿化工程有限公司".into(),
        uscc: uscc("91330106MA2D5E6F7"),
        ..site.clone()
    };
    assert!(store.add_site(other.clone(), now).await.expect("add"));
    assert_eq!(store.sites().await.expect("sites").len(), 2);

    // The feed: the template, the pushed site, the added site, in that order, paged.
    let first = store.changes(0, PageBound::changes(2), None).await.expect("changes");
    assert_eq!(first.changes.len(), 2);
    assert!(first.more);
    let rest = store.changes(first.changes[1].cursor, PageBound::changes(2), None).await.expect("changes");
    assert_eq!(rest.changes.len(), 1);
    assert!(!rest.more);
    assert!(matches!(&rest.changes[0].record, ChangeRecord::Site(s) if s.id == other.id));
    // Bounded by bytes too, but a page always carries a change, so that a device gets on.
    let small = store.changes(0, PageBound { changes: 100, bytes: 1 }, None).await.expect("changes");
    assert_eq!(small.changes.len(), 1, "a change larger than the byte bound goes alone");
    assert!(small.more, "and the others wait");
    let after_one =
        store.changes(small.changes[0].cursor, PageBound { changes: 100, bytes: 1 }, None).await.expect("changes");
    assert_eq!(after_one.changes.len(), 1, "the next page gets on by one");
    assert!(after_one.changes[0].cursor > small.changes[0].cursor);

    // Devices: seen, then revoked; an unknown one cannot be.
    store.touch_device(record.device_id, now + Duration::minutes(5)).await.expect("touched");
    let revoked = store.revoke_device(record.device_id, now + Duration::minutes(6)).await.expect("revoked");
    assert!(revoked.is_revoked());
    assert_eq!(revoked.last_seen, Some(now + Duration::minutes(5)));
    let by_token = store.device_by_token(TokenHash::of_token("t4")).await.expect("lookup").expect("still known");
    assert!(by_token.is_revoked(), "the token leads to a revoked device, which the API refuses");
    let nobody = DeviceId::generate(now);
    assert!(matches!(store.revoke_device(nobody, now).await, Err(StoreError::NotFound { .. })));

    registry_story(store, now).await;
}

/// Certificates, officers, the signed registry, signing keys and administrators' tokens.
async fn registry_story(store: &dyn BureauStore, now: chrono::DateTime<Utc>) {
    let key = SecretKey::from_seed([11; 32]);
    let next = SecretKey::from_seed([12; 32]);
    let record = store.register_signing_key(key.public_key(), now).await.expect("the first key");
    assert!(record.active);
    assert!(
        store.register_signing_key(key.public_key(), now).await.is_ok(),
        "registering the active key again is fine"
    );
    assert!(
        matches!(store.register_signing_key(next.public_key(), now).await, Err(StoreError::SigningKey(_))),
        "one active key"
    );

    let fields = |number: &str, officer: &str| CertificateFields {
        number: number.into(),
        officer_id: officer.into(),
        name: "王敏".into(),
        unit: "局".into(),
        areas: vec!["劳动保障监察".into()],
        valid_from: "2024-01-01".into(),
        valid_until: "2028-12-31".into(),
    };
    let issue = |number: &str| CertificateAction::Issue(fields(number, "JC-0107").parse().expect("valid"));
    let changed =
        store.change_certificates(vec![issue("1"), issue("2")], "story".into(), &key, now).await.expect("issued");
    assert_eq!(changed.registry_version, 1);
    assert!(matches!(
        store.change_certificates(vec![issue("3"), issue("1")], "story".into(), &key, now).await,
        Err(StoreError::Refused(r)) if r.item == Some(1)
    ));
    assert!(store.certificate("3".into()).await.expect("lookup").is_none(), "a refused batch leaves nothing");
    let later = now + Duration::hours(1);
    store
        .change_certificates(
            vec![CertificateAction::revoke("2", Some("x")).expect("valid")],
            "story".into(),
            &key,
            later,
        )
        .await
        .expect("revoked");
    assert_eq!(
        store.certificate_at("2".into(), now).await.expect("past").map(|e| e.state.status),
        Some(CertificateStatus::Active)
    );
    assert_eq!(
        store.certificate_at("2".into(), later).await.expect("past").map(|e| e.state.status),
        Some(CertificateStatus::Revoked)
    );
    let officer = OfficerId::parse("JC-0107").expect("an id");
    assert_eq!(
        store
            .set_officer_pins(vec![(officer.clone(), "$argon2id$v=19$stub".into())], &key, later)
            .await
            .expect("a PIN"),
        3
    );
    assert!(matches!(
        store.set_officer_pins(vec![(OfficerId::parse("JC-9").expect("an id"), "x".into())], &key, later).await,
        Err(StoreError::Refused(_))
    ));

    assert_eq!(
        store.set_officer_units(vec![(officer.clone(), Some(" 执法一队 ".into()))], &key, later).await.expect("a unit"),
        4
    );
    assert!(matches!(
        store.set_officer_units(vec![(OfficerId::parse("JC-9").expect("an id"), Some("x".into()))], &key, later).await,
        Err(StoreError::Refused(_))
    ));
    assert_eq!(store.officers().await.expect("officers")[0].unit.as_deref(), Some("执法一队"), "trimmed");

    // The snapshot is scoped: the verifier only for a device serving the officer's unit.
    let scope = |units: &[&str]| RegistryScope {
        device: DeviceId::generate(now),
        units: units.iter().map(|u| (*u).to_owned()).collect(),
    };
    let ours = scope(&["执法一队"]);
    let snapshot = store.registry_snapshot(&key, ours.clone(), later).await.expect("a snapshot");
    let snapshot = snapshot.open(&key.public_key()).expect("signed");
    assert_eq!((snapshot.version, snapshot.from_version, snapshot.certificates.len()), (4, None, 2));
    assert_eq!(snapshot.officers[0].pin_verifier.as_deref(), Some("$argon2id$v=19$stub"));
    assert_eq!(snapshot.officers[0].unit.as_deref(), Some("执法一队"));
    assert_eq!(snapshot.scope, Some(ours), "the scope is inside what is signed");
    let theirs = store.registry_snapshot(&key, scope(&["执法二队"]), later).await.expect("a snapshot");
    let theirs = theirs.open(&key.public_key()).expect("signed");
    assert_eq!(theirs.officers.len(), 1, "every officer is in every device's registry");
    assert_eq!(theirs.officers[0].pin_verifier, None, "but not their verifier outside their unit");

    let rotation = store.rotate_signing_key(&key, next.public_key(), later).await.expect("rotated");
    assert_eq!(rotation.verify(&key.public_key()), Ok(next.public_key()));
    assert!(
        matches!(store.registry_snapshot(&key, scope(&[]), later).await, Err(StoreError::SigningKey(_))),
        "the retired key signs nothing"
    );
    assert!(store.registry_snapshot(&next, scope(&[]), later).await.is_ok());
    let feed = store.changes(0, PageBound::changes(100), None).await.expect("changes").changes;
    let kinds: Vec<&str> = feed
        .iter()
        .filter_map(|c| match &c.record {
            ChangeRecord::Registry(_) => Some("registry"),
            ChangeRecord::KeyRotation(_) => Some("key_rotation"),
            _ => None,
        })
        .collect();
    assert_eq!(kinds, vec!["registry", "registry", "registry", "registry", "key_rotation"]);

    let admin = TokenHash::of_token("fca_admin");
    let expires_at = now + Duration::days(90);
    let token = NewAdminToken { token_hash: admin, label: Some("李".into()), created_at: now, expires_at };
    store.add_admin_token(token).await.expect("a token");
    let found = store.admin_token(admin).await.expect("lookup").expect("known");
    assert_eq!((found.label.as_deref(), found.expires_at, found.last_used), (Some("李"), expires_at, None));
    assert_eq!(found.hash_prefix, admin.to_hex()[..8]);
    assert!(
        store.admin_token(TokenHash::of_token("t1")).await.expect("lookup").is_none(),
        "a device's token is not an administrator's"
    );
    store.note_admin_token_use(admin, now + Duration::minutes(5)).await.expect("a use noted");
    let revoked = store.revoke_admin_token(admin, now + Duration::hours(1)).await.expect("revoked");
    assert_eq!(
        (revoked.last_used, revoked.revoked_at),
        (Some(now + Duration::minutes(5)), Some(now + Duration::hours(1)))
    );
    let again = store.revoke_admin_token(admin, now + Duration::hours(2)).await.expect("revoked again");
    assert_eq!(again.revoked_at, Some(now + Duration::hours(1)), "the first revocation stands");
    assert_eq!(store.admin_tokens().await.expect("a list"), vec![again]);
    assert!(matches!(store.revoke_admin_token(TokenHash::of_token("t1"), now).await, Err(StoreError::NotFound { .. })));
}
