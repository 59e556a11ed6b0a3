//! What the device's tests share: a bureau key, a registry it signed, and a device enrolled
//! with it holding that registry, with an officer signed in (records are made by one).

#![allow(clippy::unwrap_used, dead_code)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use fieldcase_core::certificate::{Certificate, CertificateStatus};
use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::{OfficerEntry, RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::SecretKey;
use fieldcase_core::wire::{Change, ChangeRecord, EnrollResponse, PullResponse};
use fieldcase_device::Device;
use fieldcase_device::sync::ClockReading;

/// The officer the fixtures sign in, and their PIN.
pub const OFFICER: (&str, &str) = ("JC-0001", "135790");

pub const AREA: &str = "劳动保障监察";

pub fn bureau_key() -> SecretKey {
    SecretKey::from_seed([42; 32])
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn cert(
    number: &str,
    officer: &str,
    status: CertificateStatus,
    from: NaiveDate,
    until: NaiveDate,
    area: &str,
) -> Certificate {
    Certificate {
        number: number.into(),
        holder: OfficerId::parse(officer).unwrap(),
        holder_name: format!("officer {officer}"),
        issuing_unit: "西湖区人力资源和社会保障局".into(),
        areas: vec![area.into()],
        valid_from: from,
        valid_until: until,
        status,
    }
}

/// Registry `version`: certificates in every state, and two officers with PINs.
pub fn registry(version: u64) -> RegistryUpdate {
    let (from, until) = (d(2024, 1, 1), d(2028, 12, 31));
    RegistryUpdate {
        version,
        from_version: None,
        issued_at: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
        certificates: vec![
            cert("C-VALID", "JC-0001", CertificateStatus::Active, from, until, AREA),
            cert("C-VALID2", "JC-0002", CertificateStatus::Active, from, until, AREA),
            cert("C-EXPIRED", "JC-0003", CertificateStatus::Active, from, d(2025, 12, 31), AREA),
            cert("C-FUTURE", "JC-0004", CertificateStatus::Active, d(2027, 1, 1), until, AREA),
            cert("C-SUSPENDED", "JC-0005", CertificateStatus::Suspended, from, until, AREA),
            cert("C-REVOKED", "JC-0006", CertificateStatus::Revoked, from, until, AREA),
            cert("C-SAFETY", "JC-0007", CertificateStatus::Active, from, until, "安全生产"),
        ],
        officers: vec![officer(OFFICER.0, Some(OFFICER.1)), officer("JC-0005", Some("246800"))],
        scope: None,
    }
}

/// An officer entry; the verifier at argon2's default cost, which is cheap for tests (the
/// cost travels in the verifier, so the device checks it at that cost).
pub fn officer(id: &str, pin: Option<&str>) -> OfficerEntry {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let pin_verifier = pin.map(|p| {
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default().hash_password(p.as_bytes(), &salt).unwrap().to_string()
    });
    OfficerEntry { officer: OfficerId::parse(id).unwrap(), name: format!("officer {id}"), unit: None, pin_verifier }
}

/// A pull page carrying these changes, sealed by the bureau key.
pub fn pull(changes: Vec<ChangeRecord>, bureau_time: DateTime<Utc>) -> PullResponse {
    PullResponse {
        next_cursor: changes.len() as u64,
        changes: changes
            .into_iter()
            .enumerate()
            .map(|(i, record)| Change::new(i as u64 + 1, record).seal(&bureau_key()))
            .collect(),
        more: false,
        bureau_time,
        feed_epoch: "epoch-1".into(),
        registry_units: None,
    }
}

/// Enrolls `device` with the test bureau, applies registry version 1 and notes a sync at the
/// device's clock, as a first sync at the office would.
pub fn enroll_with_registry(device: &mut Device) {
    let now = device.now();
    let response = EnrollResponse {
        device_id: device.id(),
        token: "t".into(),
        bureau_public_key: bureau_key().public_key(),
        bureau_time: now,
    };
    device.set_enrollment("http://bureau.invalid", &fieldcase_device::sync::Transport::lab(), &response).unwrap();
    let changes = device
        .apply_changes(&pull(
            vec![ChangeRecord::Registry(SignedRegistryUpdate::sign(&registry(1), &bureau_key()))],
            now,
        ))
        .unwrap();
    assert!(changes.refused.is_empty(), "{changes:?}");
    device.record_sync_success(ClockReading { bureau: now, laptop: now }).unwrap();
}

/// [`enroll_with_registry`], then [`OFFICER`] signs in.
pub fn signed_in(device: &mut Device) {
    enroll_with_registry(device);
    device.sign_in(OFFICER.0, OFFICER.1).unwrap();
}
