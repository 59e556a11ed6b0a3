//! Which PIN verifiers a device receives: only those of the officers of the units it serves,
//! in the snapshot and in every delta, signed for that device; and what happens when an
//! officer's unit or PIN, or a device's units, change. Real bureau, real devices syncing over
//! HTTP, real sign-ins.

#![allow(clippy::unwrap_used)]

mod common;

use argon2::password_hash::{PasswordHasher, SaltString};
use chrono::Utc;

use fieldcase_bureau::certificates::{CertificateAction, CertificateFields};
use fieldcase_core::ids::{DeviceId, OfficerId};
use fieldcase_core::registry::{RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::PublicKey;
use fieldcase_core::wire::{ChangeRecord, PullResponse};
use fieldcase_device::sync::{Transport, enroll, sync_once};
use fieldcase_device::{Device, OpenMode, SharedDevice};

use common::TestBureau;

const TEAM_ONE: &str = "执法一队";
const TEAM_TWO: &str = "执法二队";

/// A verifier of `pin` at a tiny cost: its parameters travel in it, so a device checks it as
/// quickly as it was made, and the tests do not spend seconds per sign-in.
fn cheap_verifier(pin: &str) -> String {
    let params = argon2::Params::new(1024, 1, 1, None).unwrap();
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    argon.hash_password(pin.as_bytes(), &SaltString::encode_b64(b"0123456789abcdef").unwrap()).unwrap().to_string()
}

fn officer(id: &str) -> OfficerId {
    OfficerId::parse(id).unwrap()
}

/// Two officers of the registry: 王敏 (JC-0107) of 执法一队 with PIN 107107, and 李强
/// (JC-0112) of 执法二队 with PIN 112112.
async fn two_teams(bureau: &TestBureau) {
    let (store, key, now) = (bureau.store.as_ref(), bureau.key(), Utc::now());
    let issue = |number: &str, officer: &str, name: &str| {
        let fields = CertificateFields {
            number: number.into(),
            officer_id: officer.into(),
            name: name.into(),
            unit: "杭州市西湖区人力资源和社会保障局".into(),
            areas: vec!["劳动保障监察".into()],
            valid_from: "2024-01-01".into(),
            valid_until: "2028-12-31".into(),
        };
        CertificateAction::Issue(fields.parse().unwrap())
    };
    let issued = vec![issue("33010620240107", "JC-0107", "王敏"), issue("33010620240112", "JC-0112", "李强")];
    store.change_certificates(issued, "test".into(), &key, now).await.unwrap();
    let units = vec![(officer("JC-0107"), Some(TEAM_ONE.into())), (officer("JC-0112"), Some(TEAM_TWO.into()))];
    store.set_officer_units(units, &key, now).await.unwrap();
    let pins = vec![(officer("JC-0107"), cheap_verifier("107107")), (officer("JC-0112"), cheap_verifier("112112"))];
    store.set_officer_pins(pins, &key, now).await.unwrap();
}

/// A laptop enrolled for `units`, synced once.
struct Laptop {
    device: SharedDevice,
    _dir: tempfile::TempDir,
}

impl Laptop {
    async fn enrolled(bureau: &TestBureau, units: &[&str]) -> Laptop {
        let dir = tempfile::tempdir().unwrap();
        let device = SharedDevice::new(Device::open(dir.path(), OpenMode::CreateIfMissing).unwrap());
        enroll(&device, &bureau.url, Transport::default(), &bureau.code_for(units).await, None).await.unwrap();
        let laptop = Laptop { device, _dir: dir };
        laptop.sync().await;
        laptop
    }

    async fn sync(&self) {
        let report = sync_once(&self.device).await.expect("the sync goes through");
        assert!(report.registry_refused.is_empty(), "nothing refused: {:?}", report.registry_refused);
    }

    fn id(&self) -> DeviceId {
        self.device.lock().id()
    }

    fn token(&self) -> String {
        self.device.lock().enrollment().unwrap().expect("enrolled").token
    }

    /// Signs the officer in (and out again), or says why not.
    fn sign_in(&self, officer: &str, pin: &str) -> Result<(), String> {
        let mut device = self.device.lock();
        device.sign_in(officer, pin).map_err(|e| e.to_string())?;
        device.sign_out().unwrap();
        Ok(())
    }

    /// The officers whose PIN verifier this laptop's copy holds.
    fn verifiers_held(&self) -> Vec<String> {
        let db = rusqlite::Connection::open(self._dir.path().join(fieldcase_device::DB_FILE)).unwrap();
        let mut stmt = db
            .prepare("SELECT officer_id FROM registry_officers WHERE pin_verifier IS NOT NULL ORDER BY officer_id")
            .unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    }

    fn registry_version(&self) -> Option<u64> {
        self.device.lock().registry_status().unwrap().version
    }
}

/// The registry updates of the whole feed as the bureau serves them to this token.
async fn served_updates(bureau: &TestBureau, token: &str) -> Vec<SignedRegistryUpdate> {
    let (status, body) = bureau.get("/api/v1/changes?after=0", Some(token)).await;
    assert_eq!(status, 200, "{body}");
    let page: PullResponse = serde_json::from_value(body).unwrap();
    page.changes
        .into_iter()
        .filter_map(|c| match c.record {
            ChangeRecord::Registry(update) => Some(update),
            _ => None,
        })
        .collect()
}

async fn served_snapshot(bureau: &TestBureau, token: &str) -> SignedRegistryUpdate {
    let (status, body) = bureau.get("/api/v1/registry/snapshot", Some(token)).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

/// Whether the officer's verifier is in the update (None: the officer is not in it at all).
fn carries_verifier(update: &RegistryUpdate, id: &str) -> Option<bool> {
    update.officers.iter().find(|o| o.officer.as_str() == id).map(|o| o.pin_verifier.is_some())
}

#[tokio::test]
async fn a_device_receives_the_verifiers_of_its_units_officers_and_no_others() {
    let bureau = TestBureau::start().await;
    two_teams(&bureau).await;
    let bureau_key: PublicKey = bureau.key().public_key();
    let one = Laptop::enrolled(&bureau, &[TEAM_ONE]).await;

    // What travels: every officer, the verifier of 执法一队's only, signed for this device.
    let updates = served_updates(&bureau, &one.token()).await;
    assert_eq!(updates.len(), 3, "certificates, units, PINs");
    let snapshot = served_snapshot(&bureau, &one.token()).await;
    for signed in updates.iter().chain([&snapshot]) {
        let update = signed.open(&bureau_key).expect("the scoped update verifies with the bureau's key");
        let scope = update.scope.as_ref().expect("a served update names whom it was made for");
        assert_eq!((scope.device, scope.units.as_slice()), (one.id(), [TEAM_ONE.to_owned()].as_slice()));
        assert_ne!(carries_verifier(&update, "JC-0112"), Some(true), "v{}: no verifier of 执法二队", update.version);
    }
    let pins = snapshot.open(&bureau_key).unwrap();
    assert_eq!(pins.officers.len(), 2, "every officer can be checked anywhere");
    assert_eq!(carries_verifier(&pins, "JC-0107"), Some(true), "the unit's officer's verifier is there");
    assert_eq!(carries_verifier(&pins, "JC-0112"), Some(false));
    assert_eq!(pins.officers[1].unit.as_deref(), Some(TEAM_TWO), "the officer's unit travels, to say why");

    // What the laptop holds and does with it.
    assert_eq!(one.verifiers_held(), ["JC-0107"]);
    assert_eq!(one.sign_in("JC-0107", "107107"), Ok(()));
    let refused = one.sign_in("JC-0112", "112112").expect_err("an officer of another unit");
    assert!(refused.contains("JC-0112 is of 执法二队"), "{refused}");
    assert!(refused.contains("only officers of 执法一队"), "{refused}");
    assert!(refused.contains("fieldcase bureau device-unit"), "says who can change it: {refused}");

    // A laptop given no unit holds no verifier, and says what to do.
    let none = Laptop::enrolled(&bureau, &[]).await;
    assert!(none.verifiers_held().is_empty(), "a laptop of no unit holds no verifier");
    let refused = none.sign_in("JC-0107", "107107").expect_err("no unit, no sign-in");
    assert!(refused.contains("serves no unit"), "{refused}");
    assert!(refused.contains(&format!("fieldcase bureau device-unit {}", none.id())), "{refused}");
}

#[tokio::test]
async fn an_officers_new_unit_or_pin_reaches_the_right_devices_by_deltas() {
    let bureau = TestBureau::start().await;
    two_teams(&bureau).await;
    let (store, key) = (bureau.store.as_ref(), bureau.key());
    let one = Laptop::enrolled(&bureau, &[TEAM_ONE]).await;
    let two = Laptop::enrolled(&bureau, &[TEAM_TWO]).await;
    assert_eq!((one.verifiers_held(), two.verifiers_held()), (vec!["JC-0107".into()], vec!["JC-0112".into()]));

    // 李强 moves to 执法一队: his verifier leaves 执法二队's laptop and reaches 执法一队's.
    let moved = store.set_officer_units(vec![(officer("JC-0112"), Some(TEAM_ONE.into()))], &key, Utc::now());
    let version = moved.await.unwrap();
    one.sync().await;
    two.sync().await;
    assert_eq!((one.registry_version(), two.registry_version()), (Some(version), Some(version)));
    assert_eq!(one.verifiers_held(), ["JC-0107", "JC-0112"]);
    assert!(two.verifiers_held().is_empty(), "the old unit's laptop no longer holds his verifier");
    assert_eq!(one.sign_in("JC-0112", "112112"), Ok(()));
    let refused = two.sign_in("JC-0112", "112112").expect_err("no longer of this laptop's unit");
    assert!(refused.contains("JC-0112 is of 执法一队"), "{refused}");

    // The delta itself, as each was served it.
    let delta = |laptop: &Laptop| {
        let token = laptop.token();
        let bureau = &bureau;
        async move {
            let updates = served_updates(bureau, &token).await;
            let last = updates.last().unwrap().open(&bureau.key().public_key()).unwrap();
            assert!(last.from_version.is_some(), "a delta");
            last
        }
    };
    assert_eq!(carries_verifier(&delta(&one).await, "JC-0112"), Some(true));
    assert_eq!(carries_verifier(&delta(&two).await, "JC-0112"), Some(false), "the delta takes it away");

    // 王敏's new PIN reaches her unit's laptop; the old one stops working there.
    store.set_officer_pins(vec![(officer("JC-0107"), cheap_verifier("770770"))], &key, Utc::now()).await.unwrap();
    one.sync().await;
    two.sync().await;
    assert!(one.sign_in("JC-0107", "107107").expect_err("the old PIN").contains("wrong PIN"));
    assert_eq!(one.sign_in("JC-0107", "770770"), Ok(()));
    assert_eq!(carries_verifier(&delta(&two).await, "JC-0107"), Some(false), "not to another unit's laptop");
    assert!(two.verifiers_held().is_empty());
}

#[tokio::test]
async fn a_device_given_other_units_gains_the_verifiers_it_needs_and_loses_the_rest() {
    let bureau = TestBureau::start().await;
    two_teams(&bureau).await;
    let laptop = Laptop::enrolled(&bureau, &[TEAM_ONE]).await;
    let version = laptop.registry_version();
    assert_eq!(laptop.verifiers_held(), ["JC-0107"]);

    // No registry version is published for it: the laptop learns its new units from its pull.
    let device = bureau.store.set_device_units(laptop.id(), vec![TEAM_TWO.into()]).await.unwrap();
    assert_eq!(device.units, [TEAM_TWO]);
    laptop.sync().await;
    assert_eq!(laptop.registry_version(), version, "the same version, for other units");
    assert_eq!(laptop.verifiers_held(), ["JC-0112"], "gained 执法二队's, lost 执法一队's");
    assert_eq!(laptop.sign_in("JC-0112", "112112"), Ok(()));
    assert!(laptop.sign_in("JC-0107", "107107").expect_err("no longer served").contains("is of 执法一队"));

    // Both units, then none.
    bureau.store.set_device_units(laptop.id(), vec![TEAM_ONE.into(), TEAM_TWO.into()]).await.unwrap();
    laptop.sync().await;
    assert_eq!(laptop.verifiers_held(), ["JC-0107", "JC-0112"]);
    bureau.store.set_device_units(laptop.id(), vec![]).await.unwrap();
    laptop.sync().await;
    assert!(laptop.verifiers_held().is_empty(), "a laptop of no unit keeps no verifier");
    assert!(laptop.sign_in("JC-0112", "112112").expect_err("no unit").contains("serves no unit"));
}

#[tokio::test]
async fn an_update_made_for_one_device_is_refused_by_another_and_cannot_be_altered() {
    let bureau = TestBureau::start().await;
    two_teams(&bureau).await;
    let one = Laptop::enrolled(&bureau, &[TEAM_ONE]).await;
    let two = Laptop::enrolled(&bureau, &[TEAM_TWO]).await;
    let snapshot = served_snapshot(&bureau, &one.token()).await;

    // Another laptop does not take what was made for this one, verifiers and all.
    let refused = two.device.lock().apply_registry_snapshot(&snapshot).expect_err("made for another device");
    assert!(refused.to_string().contains("another device"), "{refused}");
    assert_eq!(two.verifiers_held(), ["JC-0112"], "its copy stays as it was");

    // Nor does a laptop take its own update with its units altered: the scope is signed.
    let mut altered = served_snapshot(&bureau, &two.token()).await;
    altered.body = altered.body.replace(TEAM_TWO, TEAM_ONE);
    assert!(altered.open(&bureau.key().public_key()).is_err(), "a changed scope does not verify");
    assert!(two.device.lock().apply_registry_snapshot(&altered).is_err());
}

#[tokio::test]
async fn a_copy_from_before_units_drops_the_other_units_verifiers_at_its_next_sync() {
    let bureau = TestBureau::start().await;
    two_teams(&bureau).await;
    let laptop = Laptop::enrolled(&bureau, &[TEAM_ONE]).await;
    let version = laptop.registry_version();

    // As a laptop synced before units held it: the same version, unscoped, every verifier.
    let mut whole = served_snapshot(&bureau, &laptop.token()).await.open(&bureau.key().public_key()).unwrap();
    whole.scope = None;
    for officer in &mut whole.officers {
        let pin = if officer.officer.as_str() == "JC-0107" { "107107" } else { "112112" };
        officer.pin_verifier = Some(cheap_verifier(pin));
    }
    let old = SignedRegistryUpdate::sign(&whole, &bureau.key());
    laptop.device.lock().apply_registry_snapshot(&old).unwrap();
    assert_eq!(laptop.verifiers_held(), ["JC-0107", "JC-0112"], "the old copy holds every verifier");

    // The pull says which units the bureau now scopes it to; the snapshot follows.
    laptop.sync().await;
    assert_eq!(laptop.registry_version(), version);
    assert_eq!(laptop.verifiers_held(), ["JC-0107"], "only its unit's verifier is left");
}
