//! The demo bureau moved from SQLite to PostgreSQL as an administrator would: `bureau
//! seed-demo`, a laptop's demo records pushed to it, `bureau export`, `bureau import` into an
//! empty PostgreSQL database (which re-verifies every device's audit chain), then the bureau
//! started again on PostgreSQL with the same data directory: it lists the same, and the laptop
//! syncs on without sending or receiving anything twice.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use fieldcase_tests::{Bureau, DeviceDir, fieldcase, finalize_inspections, pg_cluster};

/// What the administrator's listings say, to tell the two bureaus apart (a device's last
/// contact aside, which a sync moves on).
fn listing(bureau_dir: &std::path::Path) -> String {
    ["inspections", "sites", "reviews"]
        .iter()
        .map(|what| fieldcase(bureau_dir, &["bureau", what, "--json"]).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_bureau_moves_to_postgres_with_every_record_and_chain() {
    let Some(url) = pg_cluster::database().await else { return };
    let tmp = tempfile::tempdir().unwrap();
    let bureau_dir = tmp.path().join("bureau");
    fieldcase(&bureau_dir, &["bureau", "seed-demo"]).unwrap();
    let mut bureau = Bureau::start(&bureau_dir).unwrap();
    let laptop = DeviceDir::new(tmp.path().join("laptop"));
    laptop.enroll_and_sign_in(&bureau).unwrap();
    laptop.cli(&["demo", "seed"]).unwrap();
    let finalized = finalize_inspections(&laptop.dir, 3).unwrap();
    assert!(laptop.sync_once().status.success(), "the demo records reach the SQLite bureau");
    bureau.stop();
    let before = listing(&bureau_dir);
    for id in &finalized {
        assert!(before.contains(id.as_str()), "the bureau holds inspection {id}: {before}");
    }

    let export = tmp.path().join("bureau.jsonl");
    let said = fieldcase(&bureau_dir, &["bureau", "export", "--out", export.to_str().unwrap()]).unwrap();
    assert!(said.contains("rows"), "{said}");
    // From now on the data directory's bureau lives in PostgreSQL.
    let settings = bureau_dir.join("bureau.toml");
    let mut toml = std::fs::read_to_string(&settings).unwrap_or_default();
    toml.insert_str(0, &format!("database_url = \"{url}\"\n"));
    std::fs::write(&settings, toml).unwrap();
    let said = fieldcase(&bureau_dir, &["bureau", "import", export.to_str().unwrap()]).unwrap();
    assert!(said.contains("the audit chains of 1 devices verify"), "{said}");
    let again = fieldcase(&bureau_dir, &["bureau", "import", export.to_str().unwrap()]);
    assert!(again.is_err(), "a database that already holds a bureau is not loaded twice");
    assert_eq!(listing(&bureau_dir), before, "the PostgreSQL bureau lists what the SQLite one did");

    let _bureau = Bureau::start_again_on(&bureau_dir, &bureau.addr).unwrap();
    let sync = laptop.sync_once();
    assert!(sync.status.success(), "the laptop syncs with the moved bureau: {}", String::from_utf8_lossy(&sync.stderr));
    let after = listing(&bureau_dir);
    assert_eq!(after, before, "nothing was sent or taken twice");
    assert_eq!(laptop.pending().unwrap(), 0, "nothing waits to be sent");
}
