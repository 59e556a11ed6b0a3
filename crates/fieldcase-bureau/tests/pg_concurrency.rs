//! The push's guarantees under concurrency, on PostgreSQL, where (unlike SQLite) several
//! transactions write at once: devices pushing overlapping pages all at once end in the same
//! state as one clean push each, and a device pulling meanwhile never skips a change.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use fieldcase_core::wire::{PullResponse, PushRequest, PushResponse};

use common::{Backend, TestBureau, TestDevice};

const DEVICES: u64 = 4;
const SITES: u64 = 12;
/// Each device's pages: windows of its outbox this long, each starting this far after the last.
const WINDOW: usize = 6;
const STEP: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_pages_pushed_at_once_end_as_one_clean_push_each_and_a_pull_skips_nothing() {
    let Some(bureau) = TestBureau::on(Backend::Postgres).await else { return };
    let Some(reference) = TestBureau::on(Backend::Postgres).await else { return };
    let bureau = Arc::new(bureau);

    // Devices whose sites share half their credit codes: the same new site arrives from every
    // device at once, and must become one directory site and aliases.
    let mut devices = Vec::new();
    for d in 0..DEVICES {
        let mut device = TestDevice::new();
        device.enroll(&bureau).await;
        for n in 0..SITES {
            let code = if n % 2 == 0 { n } else { 1000 * (d + 1) + n };
            device.site(&format!("企业{d}-{n}"), &format!("91330106{code:09}"));
        }
        devices.push(device);
    }

    // Every window of every device's outbox, signed beforehand, all pushed at once.
    let mut pages: Vec<(String, PushRequest)> = Vec::new();
    for device in &devices {
        let outbox = device.outbox();
        assert!(outbox.len() > WINDOW, "enough items to overlap: {}", outbox.len());
        for start in (0..outbox.len()).step_by(STEP) {
            let end = (start + WINDOW).min(outbox.len());
            pages.push((device.token.clone(), device.page(outbox[start..end].to_vec())));
        }
    }
    let reader = devices[0].token.clone();
    let pushing = Arc::new(AtomicBool::new(true));
    let puller = tokio::spawn(pull_while(Arc::clone(&bureau), reader.clone(), Arc::clone(&pushing)));
    let pushes: Vec<_> = pages
        .into_iter()
        .map(|(token, page)| {
            let bureau = Arc::clone(&bureau);
            tokio::spawn(async move {
                let (status, body) = bureau.post("/api/v1/push", &page, Some(&token)).await;
                assert_eq!(status, 200, "every page is answered, however many push at once: {body}");
                serde_json::from_value::<PushResponse>(body).unwrap()
            })
        })
        .collect();
    for push in pushes {
        push.await.unwrap();
    }
    pushing.store(false, Ordering::SeqCst);
    let pulled = puller.await.unwrap();

    // A page that came before the one it continues was kept for review; the device sends
    // its whole outbox again, as it would, and everything is settled.
    for device in &devices {
        device.push(&bureau, device.outbox()).await;
    }
    // The same devices pushing once each, cleanly, to another bureau.
    for device in &mut devices {
        device.enroll_without_signing_in(&reference).await;
        device.push(&reference, device.outbox()).await;
    }

    let concurrent = state_of(&bureau).await;
    assert_eq!(concurrent, state_of(&reference).await, "the same records as one clean push each");
    assert_eq!(concurrent.sites, SITES / 2 + DEVICES * SITES / 2, "one directory site per credit code");
    assert!(bureau.store.reviews(fieldcase_bureau::store::ReviewScope::Open).await.unwrap().is_empty());

    // The pull during the pushes saw every change of the feed, each once, in order.
    let all = pull_all(&bureau, &reader).await;
    assert!(all.len() as u64 > concurrent.site_changes, "the template, the registry and every site: {all:?}");
    let seen: BTreeSet<u64> = pulled.iter().copied().collect();
    assert_eq!(seen.len(), pulled.len(), "no change twice");
    assert_eq!(pulled, all, "the pull during the pushes skipped no change committed late");
}

/// Pulls after the last cursor seen, page after page, until the pushes are over and the
/// feed drained: every cursor seen, in the order seen.
async fn pull_while(bureau: Arc<TestBureau>, token: String, pushing: Arc<AtomicBool>) -> Vec<u64> {
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let still = pushing.load(Ordering::SeqCst);
        let page = pull(&bureau, &token, after).await;
        seen.extend(page.changes.iter().map(|c| c.cursor));
        after = page.next_cursor;
        if !still && !page.more {
            return seen;
        }
    }
}

async fn pull_all(bureau: &TestBureau, token: &str) -> Vec<u64> {
    let (mut seen, mut after) = (Vec::new(), 0);
    loop {
        let page = pull(bureau, token, after).await;
        seen.extend(page.changes.iter().map(|c| c.cursor));
        after = page.next_cursor;
        if !page.more {
            return seen;
        }
    }
}

async fn pull(bureau: &TestBureau, token: &str, after: u64) -> PullResponse {
    let (status, body) = bureau.get(&format!("/api/v1/changes?after={after}"), Some(token)).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

/// What a bureau holds, in terms two bureaus fed the same devices must agree on.
#[derive(Debug, PartialEq, Eq)]
struct State {
    sites: u64,
    aliases: u64,
    site_changes: u64,
    /// Per device (by id): entries held, the last number, and links that do not hold.
    chains: Vec<(String, i64, i64, i64)>,
}

async fn state_of(bureau: &TestBureau) -> State {
    let url = bureau.config.database_url.as_ref().expect("on PostgreSQL").expose().to_owned();
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let count = |sql: &'static str| {
        let client = &client;
        async move { client.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) as u64 }
    };
    let chains = client
        .query(
            "SELECT device_id, count(*), max(seq),
                    (SELECT count(*) FROM audit_entries a JOIN audit_entries b
                       ON a.device_id = b.device_id AND a.seq = b.seq + 1
                     WHERE a.device_id = e.device_id AND a.prev_hash <> b.hash)
             FROM audit_entries e GROUP BY device_id ORDER BY device_id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3)))
        .collect::<Vec<(String, i64, i64, i64)>>();
    for (device, held, last, broken) in &chains {
        assert_eq!((held, broken), (last, &0), "device {device}'s chain is whole, each entry once");
    }
    State {
        sites: count("SELECT count(*) FROM sites").await,
        aliases: count("SELECT count(*) FROM site_aliases").await,
        site_changes: count("SELECT count(*) FROM changes WHERE kind = 'site'").await,
        chains,
    }
}
