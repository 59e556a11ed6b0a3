//! Two bureau processes (`fieldcase bureau serve`) on one PostgreSQL database and one S3 store
//! (s3s-fs), behind a round-robin balancer the test runs: devices push, pull and upload
//! evidence through it at once, each new connection going to the next process, and a cut
//! upload going on at the other one from what the first staged. Nothing is lost or stored
//! twice, every device's audit chain verifies at the bureau, every file is verified once.
//! Then one process is killed while devices push and upload, and the other carries on.
//!
//! The cluster and the S3 server are the bureau's own test helpers; without PostgreSQL or
//! s3s-fs the test says so and passes on a developer's machine, and fails in CI (`CI=true`).

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "../../crates/fieldcase-bureau/tests/common/pg.rs"]
mod pg;
#[allow(dead_code)]
#[path = "../../crates/fieldcase-bureau/tests/common/s3.rs"]
mod s3;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use fieldcase_core::audit::{AuditEntry, verify_chain};
use fieldcase_core::canonical::ContentHash;
use fieldcase_device::demo::{answer_all, check_two_officers};
use fieldcase_device::{Device, OpenMode};
use fieldcase_tests::{Bureau, DeviceDir, RoundRobin, binary, finalize_inspections, write_recording};

const MIB: u64 = 1 << 20;
const DEVICES: usize = 3;

/// The settings both processes share: the database and the S3 store.
fn bureau_toml(database_url: &str, s3: &s3::S3Server) -> String {
    let s = &s3.settings;
    format!(
        "database_url = \"{database_url}\"\n\n[blobs]\nstore = \"s3\"\n\n[blobs.s3]\nendpoint = \"{}\"\nbucket = \"{}\"\nregion = \"{}\"\naccess_key_id = \"{}\"\nsecret_access_key = \"{}\"\nallow_http = true\n",
        s.endpoint.as_deref().unwrap(),
        s.bucket,
        s.region,
        s.access_key_id,
        s.secret_access_key.expose(),
    )
}

/// A `fieldcase` command on a laptop, sending evidence in chunks of 1 MiB so that a file of a
/// few MiB takes several PATCHes.
fn laptop(dir: &Path, args: &[&str]) -> Output {
    Command::new(binary("fieldcase"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("FIELDCASE_UPLOAD_CHUNK_MB", "1")
        .output()
        .unwrap()
}

/// One recording of `size` bytes imported into a new inspection at `site`, which the officers
/// then finalize (evidence travels after the seal that lists it). Returns the inspection's id.
fn inspection_with_recording(device: &DeviceDir, folder: &Path, name: &str, size: u64) -> String {
    let inspection = device.cli(&["inspection", "new", "--site", "91350100M000100Y43"]).unwrap().trim().to_owned();
    write_recording(&folder.join(name), size).unwrap();
    device.cli(&["evidence", "import", folder.to_str().unwrap(), "--inspection", &inspection]).unwrap();
    let mut open = Device::open(&device.dir, OpenMode::MustExist).unwrap();
    let id = inspection.parse().unwrap();
    answer_all(&mut open, id, &[]).unwrap();
    check_two_officers(&mut open, id).unwrap();
    open.finalize(id, None).unwrap();
    inspection
}

/// The uploads a bureau's log shows a chunk written to (a PATCH answered 204), by upload id.
fn patched_uploads(log: &str) -> BTreeSet<String> {
    log.lines()
        .filter(|line| line.contains("method=PATCH") && line.contains("status=204"))
        .filter_map(|line| line.split_whitespace().find_map(|field| field.strip_prefix("path=/api/v1/uploads/")))
        .map(str::to_owned)
        .collect()
}

/// Syncs and uploads until nothing is pending and every file is verified by the bureau; a
/// failed run (a cut connection, a process gone) is tried again. Returns the failed runs.
fn sync_until_done(device: &DeviceDir, within: Duration) -> usize {
    let deadline = Instant::now() + within;
    let mut failed = 0;
    loop {
        if failed > 0 {
            // A process gone or an upload still leased by it: give the balancer and the lease
            // a moment rather than spin.
            std::thread::sleep(Duration::from_millis(500));
        }
        let synced = laptop(&device.dir, &["device", "sync", "--once"]);
        let uploaded = laptop(&device.dir, &["evidence", "upload", "--once"]);
        failed += usize::from(!synced.status.success()) + usize::from(!uploaded.status.success());
        let files = device.json(&["evidence", "status"]).unwrap();
        let verified = files.as_array().unwrap().iter().all(|f| f["state"] == "verified");
        if synced.status.success() && device.pending().unwrap() == 0 && verified {
            return failed;
        }
        assert!(
            Instant::now() < deadline,
            "{} not done within {within:?}: {files}\nsync: {}\nupload: {}",
            device.dir.display(),
            String::from_utf8_lossy(&synced.stderr),
            String::from_utf8_lossy(&uploaded.stderr)
        );
    }
}

/// What the laptops made, to be found at the bureau exactly.
#[derive(Default)]
struct Made {
    inspections: BTreeSet<String>,
    evidence: BTreeSet<String>,
}

/// Each laptop makes `inspections` finalized inspections and one more with a recording of
/// `size` bytes.
fn make_records(devices: &[DeviceDir], inspections: usize, size: u64, round: usize, made: &mut Made) {
    for (n, device) in devices.iter().enumerate() {
        let folder = device.dir.with_extension(format!("recorder-{round}"));
        let name = format!("ZFY_A0123_JC0107_2026120109{}{n}00.MP4", 2 + round);
        made.inspections.insert(inspection_with_recording(device, &folder, &name, size + n as u64));
        made.inspections.extend(finalize_inspections(&device.dir, inspections).unwrap());
    }
    made.evidence = devices
        .iter()
        .flat_map(|d| d.json(&["evidence", "list"]).unwrap().as_array().unwrap().clone())
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect();
}

/// Every laptop syncing and uploading at once until done; the failed runs of each.
fn all_sync(devices: &[DeviceDir]) -> Vec<usize> {
    std::thread::scope(|s| {
        let running: Vec<_> =
            devices.iter().map(|d| s.spawn(move || sync_until_done(d, Duration::from_secs(300)))).collect();
        running.into_iter().map(|r| r.join().unwrap()).collect()
    })
}

/// The bureau's database holds what the laptops made, once each; every device's audit chain
/// verifies there and ends where the laptop's does; every file was verified exactly once and
/// its sealed copy in the S3 store hashes right.
async fn assert_complete(database_url: &str, devices: &[DeviceDir], made: &Made, bureau: &Bureau) {
    let (db, connection) = tokio_postgres::connect(database_url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let ids = |rows: Vec<tokio_postgres::Row>| rows.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>();

    let inspections = ids(db.query("SELECT id FROM inspections", &[]).await.unwrap());
    assert_eq!(inspections.len(), made.inspections.len(), "no inspection lost or stored twice");
    assert_eq!(inspections.into_iter().collect::<BTreeSet<_>>(), made.inspections);

    let evidence = ids(db.query("SELECT id FROM evidence", &[]).await.unwrap());
    assert_eq!(evidence.into_iter().collect::<BTreeSet<_>>(), made.evidence, "every reference, once");
    let verdicts = db
        .query("SELECT evidence_id, outcome FROM evidence_blobs ORDER BY evidence_id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
        .collect::<Vec<_>>();
    let expected: Vec<_> = made.evidence.iter().map(|id| (id.clone(), "verified".to_owned())).collect();
    assert_eq!(verdicts, expected, "every file verified, exactly once");

    let rows = db
        .query(
            "SELECT device_id, seq, prev_hash, at, actor, action, subject, payload_hash, hash
             FROM audit_entries ORDER BY device_id, seq",
            &[],
        )
        .await
        .unwrap();
    let mut chains: BTreeMap<String, Vec<AuditEntry>> = BTreeMap::new();
    let hash = |bytes: Vec<u8>| ContentHash::from_digest(bytes.try_into().unwrap());
    for row in &rows {
        chains.entry(row.get(0)).or_default().push(AuditEntry {
            seq: u64::try_from(row.get::<_, i64>(1)).unwrap(),
            prev_hash: hash(row.get(2)),
            at: row.get::<_, String>(3).parse().unwrap(),
            actor: row.get(4),
            action: row.get(5),
            subject: row.get(6),
            payload_hash: hash(row.get(7)),
            hash: hash(row.get(8)),
        });
    }
    assert_eq!(chains.len(), devices.len(), "one chain per device");
    let heads: BTreeMap<String, u64> = chains
        .iter()
        .map(|(device, entries)| {
            let count = verify_chain(None, entries).unwrap_or_else(|e| panic!("{device}'s chain: {e:?}"));
            (entries.last().unwrap().hash.to_hex(), count)
        })
        .collect();
    for device in devices {
        let report = Device::open(&device.dir, OpenMode::MustExist).unwrap().verify_audit().unwrap();
        let head = report.last_hash.unwrap();
        assert_eq!(heads.get(&head), Some(&report.entries), "the bureau holds the laptop's whole chain");
    }

    let verify = bureau.admin(&["evidence", "verify"]).unwrap();
    assert_eq!(verify.matches("intact").count(), made.evidence.len(), "each sealed copy hashes right: {verify}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bureau_processes_share_one_database_and_one_store_and_one_carries_on_alone() {
    let Some(database_url) = pg::database().await else { return };
    let Some(s3) = s3::S3Server::start().await else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (tmp.path().join("bureau-a"), tmp.path().join("bureau-b"));
    let settings = bureau_toml(&database_url, &s3);
    std::fs::create_dir_all(&dir_a).unwrap();
    std::fs::write(dir_a.join("bureau.toml"), &settings).unwrap();
    let mut a = Bureau::start(&dir_a).unwrap();
    // The second process has a data directory of its own, with the same settings and a copy
    // of the bureau's key, as on another machine.
    std::fs::create_dir_all(&dir_b).unwrap();
    std::fs::write(dir_b.join("bureau.toml"), &settings).unwrap();
    std::fs::copy(dir_a.join("bureau.key"), dir_b.join("bureau.key")).unwrap();
    let b = Bureau::start(&dir_b).unwrap();
    let balancer = RoundRobin::start(&[a.addr.clone(), b.addr.clone()]).unwrap();

    let devices: Vec<DeviceDir> =
        (0..DEVICES).map(|n| DeviceDir::new(tmp.path().join(format!("laptop-{n}")))).collect();
    for device in &devices {
        device.enroll_and_sign_in_through(&a, &balancer.url()).unwrap();
    }
    devices[0].cli(&["site", "add", "--name", "甲建筑公司", "--uscc", "91350100M000100Y43"]).unwrap();
    for device in &devices[1..] {
        // Each laptop knows the same company: the bureau keeps one directory site for it.
        device.cli(&["site", "add", "--name", "甲建筑公司", "--uscc", "91350100M000100Y43"]).unwrap();
    }

    // Round one: both processes serve. A connection is closed after 3 MiB of request, so an
    // upload of several chunks is cut and goes on over a new connection, at whichever process
    // the balancer's turn has come to: with three laptops connecting at once, the other one
    // about half the time. Each file is cut three times, so that no upload crossing over
    // happens about once in 500 runs rather than once in 8 (as with one cut each).
    let mut made = Made::default();
    make_records(&devices, 12, 10 * MIB + 321, 1, &mut made);
    balancer.cut_each_after(Some((3 * MIB) as usize));
    all_sync(&devices);
    let forwarded = balancer.forwarded();
    assert!(forwarded.iter().all(|bytes| *bytes > 2 * MIB), "both processes took evidence bytes: {forwarded:?}");
    let (at_a, at_b) = (patched_uploads(&a.log()), patched_uploads(&b.log()));
    assert!(
        at_a.intersection(&at_b).next().is_some(),
        "some upload took chunks at both processes: A wrote {at_a:?}, B wrote {at_b:?}"
    );
    assert_complete(&database_url, &devices, &made, &b).await;

    // Round two: process A is killed while the laptops push and upload; B carries on alone.
    make_records(&devices, 60, 6 * MIB + 777, 2, &mut made);
    let before = balancer.forwarded();
    std::thread::scope(|s| {
        let syncing = s.spawn(|| all_sync(&devices));
        let deadline = Instant::now() + Duration::from_secs(120);
        while balancer.forwarded()[0] < before[0] + 2 * MIB {
            assert!(Instant::now() < deadline, "process A took no traffic: {:?}", balancer.forwarded());
            std::thread::sleep(Duration::from_millis(20));
        }
        a.kill();
        let taken = balancer.connections();
        syncing.join().unwrap();
        assert!(balancer.connections()[1] > taken[1], "process B took the connections after A was killed");
        assert_eq!(balancer.connections()[0], taken[0], "none reached the killed process");
    });
    assert_complete(&database_url, &devices, &made, &b).await;
}
