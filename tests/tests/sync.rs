//! Sync between real devices and a real bureau, over real processes and sockets: records
//! are never lost and never duplicated, whatever the network does.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Result;
use fieldcase_tests::{Bureau, Cut, CuttingProxy, DeviceDir, binary, eventually, finalize_inspections};

/// The ids of the inspections the bureau holds, failing on any id held twice.
fn bureau_inspection_ids(bureau: &Bureau) -> Result<BTreeSet<String>> {
    let list: serde_json::Value = serde_json::from_str(&bureau.admin(&["inspections", "--json"])?)?;
    let mut ids = BTreeSet::new();
    for item in list.as_array().expect("a list of inspections") {
        let id = item["id"].as_str().expect("inspections have ids").to_owned();
        assert!(ids.insert(id.clone()), "the bureau holds inspection {id} twice");
    }
    Ok(ids)
}

fn reviews(bureau: &Bureau) -> Result<Vec<serde_json::Value>> {
    let list: serde_json::Value = serde_json::from_str(&bureau.admin(&["reviews", "--json"])?)?;
    Ok(list.as_array().cloned().unwrap_or_default())
}

fn finalized_ids(device: &DeviceDir) -> Result<BTreeSet<String>> {
    let list = device.json(&["inspection", "list"])?;
    Ok(list
        .as_array()
        .expect("a list")
        .iter()
        .filter(|i| i["status"] == "finalized")
        .map(|i| i["id"].as_str().expect("ids").to_owned())
        .collect())
}

fn assert_synced(device: &DeviceDir) -> Result<()> {
    let status = device.json(&["device", "status"])?;
    assert_eq!(status["state"], "synced", "everything sent: {status}");
    assert_eq!(device.pending()?, 0, "nothing waits: {status}");
    Ok(())
}

#[test]
fn two_devices_work_offline_then_reconnect_and_the_bureau_has_one_copy_of_everything() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let mut bureau = Bureau::start(&tmp.path().join("bureau"))?;
    let a = DeviceDir::new(tmp.path().join("a"));
    let b = DeviceDir::new(tmp.path().join("b"));
    // Enrolled at the office (the laptop learns the bureau's clock and the registry, and
    // the officer signs in), then seeded.
    for d in [&a, &b] {
        d.enroll_and_sign_in(&bureau)?;
        d.cli(&["demo", "seed"])?;
    }

    // The bureau goes away; both keep working.
    bureau.stop();
    finalize_inspections(&a.dir, 3)?;
    finalize_inspections(&b.dir, 2)?;
    for d in [&a, &b] {
        let out = d.sync_once();
        assert!(!out.status.success(), "no bureau, no sync");
        assert_eq!(d.json(&["device", "status"])?["state"], "offline");
    }

    bureau.restart()?;
    for d in [&a, &b, &a, &b] {
        let out = d.sync_once();
        assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    }
    for d in [&a, &b] {
        assert_synced(d)?;
        d.cli(&["audit", "verify"])?;
    }

    let expected: BTreeSet<String> = finalized_ids(&a)?.union(&finalized_ids(&b)?).cloned().collect();
    assert_eq!(expected.len(), 2 + 3 + 2 + 2);
    assert_eq!(bureau_inspection_ids(&bureau)?, expected, "exactly one copy of every finalized record");
    assert!(reviews(&bureau)?.is_empty(), "both audit chains verified, nothing for review: {:?}", reviews(&bureau)?);

    // The demo sites share their unified social credit codes: joined, not doubled.
    let sites: serde_json::Value = serde_json::from_str(&bureau.admin(&["sites", "--json"])?)?;
    let codes: BTreeSet<_> = sites.as_array().unwrap().iter().map(|s| s["uscc"].as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), sites.as_array().unwrap().len(), "one site per code: {sites}");
    Ok(())
}

/// Enrolls through a proxy that breaks the connections after the enrollment's.
fn through_cutting_proxy(cut: Cut) -> Result<(tempfile::TempDir, Bureau, DeviceDir, CuttingProxy)> {
    let tmp = tempfile::tempdir()?;
    let bureau = Bureau::start(&tmp.path().join("bureau"))?;
    let device = DeviceDir::new(tmp.path().join("d"));
    device.enroll_and_sign_in(&bureau)?;
    // Then the laptop goes out to a site network: it talks to the bureau through the proxy
    // (enrolling again is how a laptop learns a new address for its bureau).
    let proxy = CuttingProxy::start(&bureau.addr, cut, 1, 1)?;
    device.enroll(&proxy.url(), &bureau.enroll_code()?)?;
    device.cli(&["demo", "seed"])?;
    finalize_inspections(&device.dir, 30)?;
    Ok((tmp, bureau, device, proxy))
}

#[test]
fn a_connection_cut_in_the_middle_of_a_push_page_is_retried_without_duplicates() -> Result<()> {
    let (_tmp, bureau, device, _proxy) = through_cutting_proxy(Cut::Request(20_000))?;
    let first = device.sync_once();
    assert!(!first.status.success(), "the cut connection fails the first sync");
    assert!(bureau_inspection_ids(&bureau)?.is_empty(), "a half-received page stores nothing");

    let second = device.sync_once();
    assert!(second.status.success(), "the retry completes: {}", String::from_utf8_lossy(&second.stderr));
    assert_synced(&device)?;
    assert_eq!(bureau_inspection_ids(&bureau)?, finalized_ids(&device)?);
    assert!(reviews(&bureau)?.is_empty());
    Ok(())
}

#[test]
fn a_response_lost_after_the_bureau_stored_the_page_is_retried_without_duplicates() -> Result<()> {
    let (_tmp, bureau, device, _proxy) = through_cutting_proxy(Cut::Response(100))?;
    let first = device.sync_once();
    assert!(!first.status.success(), "the lost response fails the first sync");
    let stored = bureau_inspection_ids(&bureau)?;

    let second = device.sync_once();
    assert!(second.status.success(), "the retry completes: {}", String::from_utf8_lossy(&second.stderr));
    assert_synced(&device)?;
    let all = bureau_inspection_ids(&bureau)?;
    assert!(stored.is_subset(&all));
    assert_eq!(all, finalized_ids(&device)?, "each record once, though the first page was sent twice");
    assert!(reviews(&bureau)?.is_empty(), "a resent page is a duplicate, not a conflict");
    Ok(())
}

/// `fieldcase device sync` running in the background, stopped with SIGTERM on drop.
struct Agent(Child);

impl Agent {
    fn start(device: &DeviceDir) -> Result<Self> {
        let child = Command::new(binary("fieldcase"))
            .arg("--data-dir")
            .arg(&device.dir)
            .args(["device", "sync", "--interval", "1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        Ok(Agent(child))
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

#[test]
fn the_agent_resumes_on_its_own_when_the_bureau_restarts_in_the_middle_of_a_sync() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let mut bureau = Bureau::start(&tmp.path().join("bureau"))?;
    let device = DeviceDir::new(tmp.path().join("d"));
    // A slow site network (about 400 KB/s a connection, so a page takes a second or two on
    // the wire whatever the speed of the machine), and enough records for several pages, so
    // the sync is still under way when the bureau goes down.
    device.enroll_and_sign_in(&bureau)?;
    let proxy = CuttingProxy::throttled(&bureau.addr, Duration::from_millis(20))?;
    device.enroll(&proxy.url(), &bureau.enroll_code()?)?;
    device.cli(&["demo", "seed"])?;
    // Three pages of records: when the first is answered, the third has only just been sent.
    finalize_inspections(&device.dir, 700)?;
    let total = device.pending()?;

    let _agent = Agent::start(&device)?;
    eventually(Duration::from_secs(60), || Ok(device.pending()? < total))?;
    bureau.stop();
    let remaining = device.pending()?;
    assert!(remaining > 0, "the bureau went down in the middle of the sync");
    eventually(Duration::from_secs(30), || Ok(device.json(&["device", "status"])?["state"] == "offline"))?;

    // More work while the bureau is away.
    finalize_inspections(&device.dir, 5)?;
    bureau.restart()?;
    eventually(Duration::from_secs(90), || Ok(device.pending()? == 0))?;
    assert_eq!(bureau_inspection_ids(&bureau)?, finalized_ids(&device)?, "everything arrived, once");
    assert!(reviews(&bureau)?.is_empty());
    Ok(())
}

#[test]
fn a_used_enrollment_code_is_refused_with_what_to_do() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let bureau = Bureau::start(&tmp.path().join("bureau"))?;
    let code = bureau.enroll_code()?;
    DeviceDir::new(tmp.path().join("a")).enroll(&bureau.url(), &code)?;
    let b = DeviceDir::new(tmp.path().join("b"));
    let err = b.enroll(&bureau.url(), &code).expect_err("a code works once");
    let text = err.to_string();
    assert!(text.contains("administrator"), "the message says who gives a new code: {text}");
    assert!(!text.contains("does not recognize this laptop"), "a refused code is not a lost enrollment: {text}");
    assert_eq!(b.json(&["device", "status"])?["state"], "not_enrolled", "nothing recorded changed");
    Ok(())
}
