//! A bureau restored from a backup begins a new epoch of its change feed, so that devices
//! which pulled past the restored feed's end pull again from its start.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use chrono::Utc;
use fieldcase_bureau::{Config, OpenMode, open_store};
use fieldcase_core::ids::SiteId;
use fieldcase_core::site::Site;
use fieldcase_core::uscc::{Uscc, with_check_character};

fn site(name: &str, uscc17: &str) -> Site {
    Site {
        id: SiteId::generate(Utc::now()),
        name: name.into(),
        uscc: Uscc::parse(&with_check_character(uscc17).unwrap()).unwrap(),
        address: None,
        project_name: None,
        general_contractor: None,
        created_at: Utc::now(),
    }
}

async fn epoch_after_adding(dir: &Path, sites: &[Site]) -> (String, u64) {
    let store = open_store(&Config::new(dir), OpenMode::CreateIfMissing).await.unwrap();
    for s in sites {
        store.add_site(s.clone(), Utc::now()).await.unwrap();
    }
    let state = store.feed_state().await.unwrap().expect("an epoch");
    (state.epoch, state.last_cursor)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[tokio::test]
async fn a_bureau_copied_back_from_a_backup_begins_a_new_epoch_and_one_that_grows_keeps_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, backup) = (tmp.path().join("bureau"), tmp.path().join("backup"));
    let (first, _) = epoch_after_adding(&dir, &[site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5")]).await;
    copy_dir(&dir, &backup);

    let (again, grown) = epoch_after_adding(&dir, &[site("杭州之江园林绿化工程有限公司", "91330106MA2D5E6F7")]).await;
    assert_eq!(again, first, "a bureau that only grew keeps its epoch");

    // The whole data directory copied back: the database and the mark of the time.
    std::fs::remove_dir_all(&dir).unwrap();
    copy_dir(&backup, &dir);
    let (restored, last) = epoch_after_adding(&dir, &[]).await;
    assert!(last < grown, "the restored feed ends earlier");
    assert_ne!(restored, first, "a restored bureau must begin a new epoch: its cursors repeat ones devices passed");
}
