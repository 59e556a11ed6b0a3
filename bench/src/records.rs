//! `records_filter_10k`: the records screen filtering 10,000 inspections. What the window
//! waits for is the device's answer to one filter, as it crosses the IPC boundary: the
//! indexed query and the rows serialized to JSON. Measured for each filter the screen
//! offers (none, a site, a range of days, a status, a sync state, and all together), the
//! slowest median is the figure. Beside it, the home screen's overview of the same store
//! (which reads every version's dates to group the day).

use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use fieldcase_core::RecordKind;
use fieldcase_core::audit::Actor;
use fieldcase_core::ids::{DeviceId, InspectionId, SiteId};
use fieldcase_core::inspection::{Inspection, InspectionStatus, Seal};
use fieldcase_core::signing::{SecretKey, Signed};
use fieldcase_core::site::Site;
use fieldcase_core::time::TrustedTime;
use fieldcase_device::records::{RecordFilter, RecordSync};
use fieldcase_device::store::{inspections, outbox, sites};
use fieldcase_device::{DB_FILE, Device, OpenMode};

use crate::report::Figure;

const INSPECTIONS: usize = 10_000;
const SITES: usize = 40;
/// Target: one filter answers within this.
const TARGET_MS: f64 = 100.0;
const ROUNDS: usize = 15;

pub fn run() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let site_ids = fill(dir.path(), INSPECTIONS)?;
    let device = Device::open(dir.path(), OpenMode::MustExist)?;
    let day = |d| NaiveDate::from_ymd_opt(2026, 3, d);
    let filters = [
        RecordFilter::default(),
        RecordFilter { site: Some(site_ids[3]), ..Default::default() },
        RecordFilter { from: day(1), to: day(31), ..Default::default() },
        RecordFilter { status: Some(InspectionStatus::Draft), ..Default::default() },
        RecordFilter { sync: Some(RecordSync::Waiting), ..Default::default() },
        RecordFilter {
            from: day(1),
            to: day(31),
            site: Some(site_ids[7]),
            status: Some(InspectionStatus::Finalized),
            sync: Some(RecordSync::Synced),
        },
    ];
    let mut slowest = 0.0f64;
    for filter in &filters {
        let ms = median_ms(|| {
            let rows = device.records(filter)?;
            Ok(serde_json::to_vec(&rows)?.len())
        })?;
        slowest = slowest.max(ms);
    }
    let home = median_ms(|| Ok(serde_json::to_vec(&device.home()?)?.len()))?;
    Figure {
        name: "records_filter_10k",
        value: slowest,
        unit: "ms per filter (slowest of 6, median of 15)",
        reference_name: "home's overview, every version's dates read",
        reference: home,
        reference_unit: "ms",
        target: format!("< {TARGET_MS} ms"),
        met: slowest < TARGET_MS,
    }
    .emit()
}

/// A valid credit code for the `n`th sample site: a fixed prefix, `n` as the organization
/// code, and its check character.
fn sample_uscc(n: usize) -> Result<fieldcase_core::uscc::Uscc> {
    let first17 = format!("91330106{n:09}");
    let code = fieldcase_core::uscc::with_check_character(&first17).context("a sample code's check character")?;
    Ok(fieldcase_core::uscc::Uscc::parse(&code)?)
}

fn median_ms(mut f: impl FnMut() -> Result<usize>) -> Result<f64> {
    let mut times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        std::hint::black_box(f()?);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[ROUNDS / 2])
}

/// A device with `SITES` sites and `count` inspections, about 27 a day, one in three
/// finalized and sealed (half of those still waiting for the bureau), written in one
/// transaction through the device's own store functions: the figures are about reading them.
pub fn fill(dir: &std::path::Path, count: usize) -> Result<Vec<SiteId>> {
    let device = Device::open(dir, OpenMode::CreateIfMissing)?;
    let device_id: DeviceId = device.info().device_id.parse().context("the device's id")?;
    let template = device.templates()?.into_iter().next().context("the shipped checklist template")?;
    drop(device);
    let key = SecretKey::from_seed([7; 32]);
    let actor = Actor::Device { device: device_id };
    let start = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).single().context("a valid start")?;
    let mut conn = rusqlite::Connection::open(dir.join(DB_FILE))?;
    let tx = conn.transaction()?;
    let mut site_ids = Vec::with_capacity(SITES);
    for n in 0..SITES {
        let site = Site {
            id: SiteId::generate(start),
            name: format!("基准建设第{n}有限公司"),
            uscc: sample_uscc(n)?,
            address: None,
            project_name: Some(format!("第{n}号安置房项目")),
            general_contractor: None,
            created_at: start,
        };
        sites::insert(&tx, &site)?;
        site_ids.push(site.id);
    }
    for n in 0..count {
        // About 27 inspections a day.
        let at = start + Duration::minutes(53 * n as i64);
        let time = TrustedTime { laptop: at, trusted: at, anchored: true, set_back: false, warning: None };
        let site = site_ids[n % SITES];
        let mut inspection = Inspection::draft(InspectionId::generate(at), site, &template, None, &time, actor.clone());
        if n % 3 == 0 {
            inspection.status = InspectionStatus::Finalized;
            inspection.ended_at = Some(at + Duration::hours(1));
            let content_hash = inspection.content_hash();
            inspection.seal = Some(Seal { content_hash, signature: key.sign(Signed::Inspection, &content_hash) });
        }
        inspections::insert(&tx, &inspection)?;
        if n % 6 == 0 {
            outbox::enqueue(&tx, RecordKind::Inspection, &inspection.id.to_string())?;
        }
    }
    tx.commit()?;
    Ok(site_ids)
}
