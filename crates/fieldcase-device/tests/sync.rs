//! The sync agent against a scripted bureau on a loopback port: a feed, pushes and the
//! registry snapshot answered as each test needs, including answers the real bureau gives
//! only when something has gone wrong (a delta the laptop cannot follow, a snapshot that
//! does not come).

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use fieldcase_core::ErrorCode;
use fieldcase_core::certificate::{Certificate, CertificateStatus, CheckResult};
use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::{RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::SecretKey;
use fieldcase_core::wire::{
    API_PREFIX, ApiError, Change, ChangeRecord, EnrollResponse, Fate, ItemResult, PullResponse, PushItem, PushRequest,
    PushResponse,
};
use fieldcase_device::registry::CheckInput;
use fieldcase_device::sync::{Transport, sync_once};
use fieldcase_device::{Clock, Device, ManualClock, OpenMode, SharedDevice};

/// What the scripted bureau answers.
struct Script {
    key: SecretKey,
    /// The laptop's clock (the bureau reads it to answer with its own time, `ahead` of it).
    clock: Arc<ManualClock>,
    ahead: chrono::Duration,
    /// Laptop time that passes while the bureau stores a pushed page.
    push_takes: chrono::Duration,
    feed: Mutex<Vec<ChangeRecord>>,
    /// None: the bureau fails to give it.
    snapshot: Mutex<Option<SignedRegistryUpdate>>,
    snapshot_requests: AtomicUsize,
    /// The feed's epoch; a restored bureau answers with another.
    epoch: Mutex<String>,
}

impl Script {
    fn bureau_time(&self) -> DateTime<Utc> {
        self.clock.now() + self.ahead
    }
}

#[derive(serde::Deserialize)]
struct PullQuery {
    after: u64,
    limit: u32,
}

async fn changes(State(s): State<Arc<Script>>, Query(q): Query<PullQuery>) -> Json<PullResponse> {
    let feed = s.feed.lock().unwrap();
    let changes: Vec<Change> = (q.after..feed.len() as u64)
        .take(q.limit as usize)
        .map(|i| Change::new(i + 1, feed[i as usize].clone()).seal(&s.key))
        .collect();
    let next_cursor = changes.last().map_or(q.after, |c| c.cursor);
    Json(PullResponse {
        changes,
        next_cursor,
        more: next_cursor < feed.len() as u64,
        bureau_time: s.bureau_time(),
        feed_epoch: s.epoch.lock().unwrap().clone(),
        registry_units: None,
    })
}

async fn push(State(s): State<Arc<Script>>, Json(request): Json<PushRequest>) -> Json<PushResponse> {
    let items: Vec<PushItem> = serde_json::from_str(request.items.get()).unwrap();
    s.clock.advance(s.push_takes);
    let results = items.iter().map(|i| ItemResult { kind: i.kind(), id: i.id(), fate: Fate::Accepted }).collect();
    Json(PushResponse { results, bureau_time: s.bureau_time() })
}

async fn snapshot(State(s): State<Arc<Script>>) -> Response {
    s.snapshot_requests.fetch_add(1, Ordering::SeqCst);
    match s.snapshot.lock().unwrap().clone() {
        Some(update) => Json(update).into_response(),
        None => {
            let error = ApiError { code: ErrorCode::BureauError, message: "the bureau is going down".into() };
            (StatusCode::SERVICE_UNAVAILABLE, Json(error)).into_response()
        }
    }
}

/// A scripted bureau served on 127.0.0.1:0, stopped on drop.
struct ScriptedBureau {
    url: String,
    script: Arc<Script>,
    server: tokio::task::JoinHandle<()>,
}

impl ScriptedBureau {
    async fn start(script: Script) -> Self {
        let script = Arc::new(script);
        let app = Router::new()
            .route(&format!("{API_PREFIX}/changes"), get(changes))
            .route(&format!("{API_PREFIX}/push"), post(push))
            .route(&format!("{API_PREFIX}/registry/snapshot"), get(snapshot))
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        ScriptedBureau { url, script, server }
    }

    fn publish(&self, update: &RegistryUpdate) {
        let signed = SignedRegistryUpdate::sign(update, &self.script.key);
        self.script.feed.lock().unwrap().push(ChangeRecord::Registry(signed));
    }

    /// What `/registry/snapshot` answers from now on (None: a failure).
    fn serve_snapshot(&self, update: Option<&RegistryUpdate>) {
        *self.script.snapshot.lock().unwrap() = update.map(|u| SignedRegistryUpdate::sign(u, &self.script.key));
    }

    fn snapshot_requests(&self) -> usize {
        self.script.snapshot_requests.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptedBureau {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn script(clock: &Arc<ManualClock>) -> Script {
    Script {
        key: SecretKey::from_seed([42; 32]),
        clock: clock.clone(),
        ahead: chrono::Duration::zero(),
        push_takes: chrono::Duration::zero(),
        feed: Mutex::default(),
        snapshot: Mutex::default(),
        snapshot_requests: AtomicUsize::new(0),
        epoch: Mutex::new("epoch-1".into()),
    }
}

/// A registry of one certificate, C-1 of officer JC-0001, in `status`.
fn registry(version: u64, from_version: Option<u64>, status: CertificateStatus) -> RegistryUpdate {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    RegistryUpdate {
        version,
        from_version,
        issued_at: start_time(),
        certificates: vec![Certificate {
            number: "C-1".into(),
            holder: OfficerId::parse("JC-0001").unwrap(),
            holder_name: "officer JC-0001".into(),
            issuing_unit: "西湖区人力资源和社会保障局".into(),
            areas: vec!["劳动保障监察".into()],
            valid_from: day(2024, 1, 1),
            valid_until: day(2028, 12, 31),
            status,
        }],
        officers: vec![],
        scope: None,
    }
}

/// A device in `dir` enrolled with the scripted bureau, on the laptop clock `clock`.
fn enrolled_device(dir: &Path, clock: &Arc<ManualClock>, bureau: &ScriptedBureau) -> SharedDevice {
    let mut device = Device::open_with_clock(dir, OpenMode::CreateIfMissing, clock.clone()).unwrap();
    let response = EnrollResponse {
        device_id: device.id(),
        token: "token".into(),
        bureau_public_key: bureau.script.key.public_key(),
        bureau_time: start_time(),
    };
    device.set_enrollment(&bureau.url, &Transport::default(), &response).unwrap();
    SharedDevice::new(device)
}

fn check_c1(device: &SharedDevice) -> fieldcase_device::registry::CheckReport {
    let typed = CheckInput::Text { text: "C-1".into(), scanned: false };
    device.lock().check_certificate(typed, None).unwrap()
}

/// A pull shows the copy cannot follow the feed (a delta on a version this laptop never
/// had), and the bureau goes down before the snapshot comes. The cursor has passed that
/// delta, yet the next sync, even after a restart, still fetches the snapshot; until it is
/// applied, the copy does not call itself current, however recently it synced.
#[tokio::test]
async fn a_snapshot_the_bureau_failed_to_give_is_fetched_by_the_next_sync_and_the_copy_is_stale_until_then() {
    let clock = Arc::new(ManualClock::new(start_time()));
    let bureau = ScriptedBureau::start(script(&clock)).await;
    bureau.publish(&registry(1, None, CertificateStatus::Active));
    let dir = tempfile::tempdir().unwrap();
    let device = enrolled_device(dir.path(), &clock, &bureau);
    sync_once(&device).await.unwrap();
    let report = check_c1(&device);
    assert_eq!((report.result, report.registry.version, report.registry.stale), (CheckResult::Valid, Some(1), false));

    // Version 5 revokes C-1, published as a delta on version 4, which this laptop never had.
    bureau.publish(&registry(5, Some(4), CertificateStatus::Revoked));
    bureau.serve_snapshot(None);
    clock.advance(chrono::Duration::minutes(10));
    let failed = sync_once(&device).await;
    assert!(failed.is_err(), "a sync without the snapshot it needs did not complete: {failed:?}");
    assert_eq!(bureau.snapshot_requests(), 1);
    let report = check_c1(&device);
    assert_eq!(report.registry.version, Some(1), "nothing of a delta that cannot be followed is applied");
    assert!(report.registry.stale, "a copy known to be behind the bureau's must not be called current: {report:?}");

    // The laptop restarts; the bureau comes back.
    drop(device);
    let device = SharedDevice::new(Device::open_with_clock(dir.path(), OpenMode::MustExist, clock.clone()).unwrap());
    assert!(check_c1(&device).registry.stale, "the need for a snapshot outlives the process");
    bureau.serve_snapshot(Some(&registry(5, None, CertificateStatus::Revoked)));
    clock.advance(chrono::Duration::minutes(10));
    sync_once(&device).await.unwrap();
    assert_eq!(bureau.snapshot_requests(), 2, "the next sync fetches the snapshot still owed");
    let report = check_c1(&device);
    assert_eq!(
        (report.result, report.registry.version, report.registry.stale),
        (CheckResult::Revoked, Some(5), false),
        "the revocation arrives with the snapshot"
    );

    sync_once(&device).await.unwrap();
    assert_eq!(bureau.snapshot_requests(), 2, "a snapshot applied is no longer owed");
    device.lock().verify_audit().unwrap();
}

/// The bureau's clock runs 90 s ahead of the laptop's, and storing a pushed page takes a
/// minute. The offset kept is what one exchange showed: the bureau's time in the pull answer
/// against the laptop's when that answer arrived, not the laptop's after the push that
/// followed it.
#[tokio::test]
async fn the_clock_offset_is_the_bureau_time_against_the_laptop_time_of_one_exchange() {
    let clock = Arc::new(ManualClock::new(start_time()));
    let bureau = ScriptedBureau::start(Script {
        ahead: chrono::Duration::seconds(90),
        push_takes: chrono::Duration::minutes(1),
        ..script(&clock)
    })
    .await;
    // Something to pull that enters the audit chain, so a push follows the pull.
    bureau.publish(&registry(1, None, CertificateStatus::Active));
    let dir = tempfile::tempdir().unwrap();
    let device = enrolled_device(dir.path(), &clock, &bureau);
    let started = clock.now();
    let report = sync_once(&device).await.unwrap();
    assert!(
        report.pushed > 0 && clock.now() - started >= chrono::Duration::minutes(2),
        "pushes before and after the pull"
    );

    let status = device.lock().sync_status().unwrap();
    assert_eq!(status.clock_offset_seconds, Some(90), "the offset one exchange showed: {status:?}");
    let time = device.lock().trusted_time().unwrap();
    assert_eq!(
        time.trusted - time.laptop,
        chrono::Duration::seconds(90),
        "decisions run on the bureau's clock: {time:?}"
    );
    assert!(time.warning.is_none(), "{time:?}");
}

/// A bureau restored from a backup hands out cursors this laptop already passed: its feed
/// answers under another epoch, and the laptop pulls again from the start, so a change made
/// after the restore at a cursor it had passed is not skipped, and what it already held is
/// applied again without harm.
#[tokio::test]
async fn a_bureau_restored_from_a_backup_is_pulled_again_from_the_start() {
    let clock = Arc::new(ManualClock::new(start_time()));
    let bureau = ScriptedBureau::start(script(&clock)).await;
    bureau.publish(&registry(1, None, CertificateStatus::Active));
    bureau.publish(&registry(2, Some(1), CertificateStatus::Active));
    bureau.publish(&registry(3, Some(2), CertificateStatus::Active));
    let dir = tempfile::tempdir().unwrap();
    let device = enrolled_device(dir.path(), &clock, &bureau);
    sync_once(&device).await.unwrap();
    assert_eq!(device.lock().pull_cursor().unwrap(), 3);

    // Restored to a backup taken after version 1; then C-1 is revoked: version 2 again, at
    // cursor 2, which this laptop has passed.
    {
        let mut feed = bureau.script.feed.lock().unwrap();
        feed.truncate(1);
        *bureau.script.epoch.lock().unwrap() = "epoch-2".into();
    }
    bureau.publish(&registry(4, None, CertificateStatus::Revoked));
    let report = sync_once(&device).await.unwrap();
    assert!(report.registry_refused.is_empty(), "versions already held are no error: {report:?}");
    assert_eq!(device.lock().pull_cursor().unwrap(), 2, "the cursor counts in the new epoch");
    assert_eq!(check_c1(&device).result, CheckResult::Revoked, "the change after the restore arrived");
    device.lock().verify_audit().unwrap();
}

/// A bureau that answers 429 asks the laptop to wait: the sync says so, with the wait the
/// bureau named in `Retry-After`, and the agent never comes back sooner than that.
#[tokio::test]
async fn a_bureau_that_asks_to_be_left_alone_is_left_alone_as_long_as_it_asks() {
    let clock = Arc::new(ManualClock::new(start_time()));
    let bureau = ScriptedBureau::start(script(&clock)).await;
    let busy = Router::new().fallback(|| async {
        let body =
            Json(serde_json::json!({ "code": "rate_limited", "message": "too many attempts from this address" }));
        (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "7")], body).into_response()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, busy).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    let device = enrolled_device(dir.path(), &clock, &bureau);
    let enrollment = device.lock().enrollment().unwrap().unwrap();
    let response = EnrollResponse {
        device_id: device.lock().id(),
        token: enrollment.token,
        bureau_public_key: bureau.script.key.public_key(),
        bureau_time: start_time(),
    };
    device.lock().set_enrollment(&url, &Transport::default(), &response).unwrap();

    let err = sync_once(&device).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::RateLimited, "{err}");
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(7)), "{err}");
    assert!(err.to_string().contains("too many attempts"), "the bureau's words are kept: {err}");
    let backoff = fieldcase_device::sync::Backoff::default();
    for failures in 1..4 {
        assert!(backoff.after(Some(&err), failures) >= std::time::Duration::from_secs(7), "never sooner than asked");
    }
    server.abort();
}
