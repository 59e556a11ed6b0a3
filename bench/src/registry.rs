//! Issue target: with a registry of 100,000 certificates, verify and load a full snapshot
//! within 1 s; check one certificate with a 99th percentile under 1 ms; apply a delta of
//! 100 changes within 50 ms. Each is measured on a real device store in this run.

use std::time::Instant;

use anyhow::Result;
use chrono::{NaiveDate, Utc};
use fieldcase_core::certificate::{Certificate, CertificateStatus};
use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::{RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::SecretKey;
use fieldcase_core::wire::{Change, ChangeRecord, EnrollResponse, PullResponse};
use fieldcase_device::registry::CheckInput;
use fieldcase_device::{Device, OpenMode};

use crate::report::{Figure, results_dir};

const CERTIFICATES: usize = 100_000;
const CHECKS: usize = 5_000;
const DELTA: usize = 100;

fn certificate(i: usize, status: CertificateStatus) -> Certificate {
    Certificate {
        number: format!("3301{i:010}"),
        holder: OfficerId::parse(&format!("JC-{i:06}")).expect("valid id"),
        holder_name: format!("执法人员{i}"),
        issuing_unit: "杭州市西湖区人力资源和社会保障局".into(),
        areas: vec!["劳动保障监察".into()],
        valid_from: NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"),
        valid_until: NaiveDate::from_ymd_opt(2028, 12, 31).expect("date"),
        status,
    }
}

fn pull(record: ChangeRecord, cursor: u64) -> PullResponse {
    PullResponse {
        changes: vec![Change::new(cursor, record)],
        next_cursor: cursor,
        more: false,
        bureau_time: Utc::now(),
        feed_epoch: String::new(),
        registry_units: None,
    }
}

pub fn run() -> Result<()> {
    let key = SecretKey::from_seed([9; 32]);
    let snapshot = RegistryUpdate {
        version: 1,
        from_version: None,
        issued_at: Utc::now(),
        certificates: (0..CERTIFICATES).map(|i| certificate(i, CertificateStatus::Active)).collect(),
        officers: Vec::new(),
        scope: None,
    };
    let signed = SignedRegistryUpdate::sign(&snapshot, &key);

    let work = results_dir().join("work");
    std::fs::create_dir_all(&work)?;
    let tmp = tempfile::tempdir_in(&work)?;
    let mut device = Device::open(tmp.path(), OpenMode::CreateIfMissing)?;
    let enrolled = EnrollResponse {
        device_id: device.id(),
        token: "bench".into(),
        bureau_public_key: key.public_key(),
        bureau_time: Utc::now(),
    };
    device.set_enrollment("http://127.0.0.1:1", &fieldcase_device::sync::Transport::default(), &enrolled)?;

    let started = Instant::now();
    let applied = device.apply_changes(&pull(ChangeRecord::Registry(signed), 1))?;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    anyhow::ensure!(applied.refused.is_empty() && applied.applied == 1, "the snapshot must load: {applied:?}");
    Figure {
        name: "registry_snapshot_100k_verify_load",
        value: load_ms,
        unit: "ms",
        reference_name: "target",
        reference: 1000.0,
        reference_unit: "ms",
        target: "<= 1000 ms".into(),
        met: load_ms <= 1000.0,
    }
    .emit()?;

    let mut times = Vec::with_capacity(CHECKS);
    for i in 0..CHECKS {
        let number = format!("3301{:010}", (i * 7919) % CERTIFICATES);
        let started = Instant::now();
        let report = device.check_certificate(CheckInput::Text { text: number, scanned: false }, None)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(
            report.result == fieldcase_core::certificate::CheckResult::Valid,
            "every bench certificate is valid"
        );
    }
    times.sort_by(f64::total_cmp);
    let p99 = times[CHECKS * 99 / 100];
    Figure {
        name: "certificate_check_p99",
        value: p99,
        unit: "ms",
        reference_name: "target",
        reference: 1.0,
        reference_unit: "ms",
        target: "p99 < 1 ms".into(),
        met: p99 < 1.0,
    }
    .emit()?;

    let delta = RegistryUpdate {
        version: 2,
        from_version: Some(1),
        issued_at: Utc::now(),
        certificates: (0..DELTA).map(|i| certificate(i * 997, CertificateStatus::Revoked)).collect(),
        officers: Vec::new(),
        scope: None,
    };
    let signed = SignedRegistryUpdate::sign(&delta, &key);
    let started = Instant::now();
    let applied = device.apply_changes(&pull(ChangeRecord::Registry(signed), 2))?;
    let delta_ms = started.elapsed().as_secs_f64() * 1000.0;
    anyhow::ensure!(applied.refused.is_empty() && applied.applied == 1, "the delta must apply: {applied:?}");
    Figure {
        name: "registry_delta_100_apply",
        value: delta_ms,
        unit: "ms",
        reference_name: "target",
        reference: 50.0,
        reference_unit: "ms",
        target: "<= 50 ms".into(),
        met: delta_ms <= 50.0,
    }
    .emit()?;
    Ok(())
}
