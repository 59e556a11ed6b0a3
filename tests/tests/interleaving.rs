//! A property: however pushes interleave — pages of any size, pages sent twice, responses
//! lost after the bureau stored the page — the bureau ends in the same state as after one
//! clean push of the same device.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::OnceLock;

use anyhow::Result;
use fieldcase_device::sync::{self, BureauHttp, PushPage};
use fieldcase_device::{Device, OpenMode, SharedDevice};
use fieldcase_tests::{Bureau, DeviceDir, copy_dir, finalize_inspections};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    /// Push the next page of this many items and apply the answer.
    Push(usize),
    /// Push the next page, but the answer never arrives.
    PushLosingResponse(usize),
    /// Send the last page again and apply the answer.
    Repeat,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![(1usize..60).prop_map(Op::Push), (1usize..60).prop_map(Op::PushLosingResponse), Just(Op::Repeat),]
}

/// A bureau and a device with work to send, made once and copied for every case: the device
/// enrolled, synced once and signed in (as at the office), then records made offline. The
/// template bureau is stopped; each case starts its copy on the same address, which the
/// device knows it by. Returns the folder with `bureau/` and `d/`, and that address.
fn template() -> &'static (tempfile::TempDir, String) {
    static TEMPLATE: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("a temp dir");
        let mut bureau = Bureau::start(&tmp.path().join("bureau")).expect("a bureau");
        let d = DeviceDir::new(tmp.path().join("d"));
        d.enroll_and_sign_in(&bureau).expect("enrolled and signed in");
        d.cli(&["demo", "seed"]).expect("demo seed");
        finalize_inspections(&d.dir, 4).expect("inspections");
        bureau.stop();
        let addr = bureau.addr.clone();
        (tmp, addr)
    })
}

/// What the bureau holds, without the bureau's own clock readings.
fn bureau_state(bureau: &Bureau) -> Result<serde_json::Value> {
    let mut state = serde_json::Map::new();
    for what in ["inspections", "sites", "reviews"] {
        let mut v: serde_json::Value = serde_json::from_str(&bureau.admin(&[what, "--json"])?)?;
        strip_bureau_times(&mut v);
        state.insert(what.to_owned(), v);
    }
    Ok(serde_json::Value::Object(state))
}

fn strip_bureau_times(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.retain(|k, _| {
                !matches!(
                    k.as_str(),
                    "received_at" | "first_received_at" | "last_received_at" | "updated_at" | "last_seen_at" | "cursor"
                )
            });
            map.values_mut().for_each(strip_bureau_times);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_bureau_times),
        _ => {}
    }
}

/// A fresh copy of the template bureau, serving, and of the template device.
fn fresh_pair(tmp: &Path) -> Result<(Bureau, DeviceDir)> {
    let (template, addr) = template();
    copy_dir(&template.path().join("bureau"), &tmp.join("bureau"))?;
    let d = DeviceDir::new(tmp.join("d"));
    copy_dir(&template.path().join("d"), &d.dir)?;
    Ok((Bureau::start_again_on(&tmp.join("bureau"), addr)?, d))
}

fn clean_state() -> &'static serde_json::Value {
    static STATE: OnceLock<serde_json::Value> = OnceLock::new();
    STATE.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("a temp dir");
        let (bureau, d) = fresh_pair(tmp.path()).expect("bureau and device");
        assert!(d.sync_once().status.success());
        bureau_state(&bureau).expect("state")
    })
}

fn run_ops(d: &DeviceDir, ops: &[Op]) -> Result<()> {
    let device = Device::open(&d.dir, OpenMode::MustExist)?;
    let enrollment = device.enrollment()?.expect("enrolled");
    let shared = SharedDevice::new(device);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let http = BureauHttp::for_enrollment(&enrollment)?;
        let mut last: Option<PushPage> = None;
        for op in ops {
            let page = match op {
                Op::Push(n) | Op::PushLosingResponse(n) => shared.lock().next_push_page(*n)?,
                Op::Repeat => last.clone(),
            };
            let Some(page) = page else { continue };
            let response = http.push(&enrollment.token, &page.request).await?;
            if !matches!(op, Op::PushLosingResponse(_)) {
                shared.lock().apply_push_results(&page, &response)?;
            }
            last = Some(page);
        }
        // Then the agent's ordinary sync finishes the job.
        sync::sync_once(&shared).await?;
        anyhow::Ok(())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_interleaving_of_pushes_ends_like_one_clean_push(ops in proptest::collection::vec(op(), 1..10)) {
        let expected = clean_state();
        let tmp = tempfile::tempdir().unwrap();
        let (bureau, d) = fresh_pair(tmp.path()).unwrap();
        run_ops(&d, &ops).unwrap();
        prop_assert_eq!(d.pending().unwrap(), 0, "everything sent");
        let state = bureau_state(&bureau).unwrap();
        prop_assert_eq!(&state, expected, "ops {:?}", ops);
    }
}
