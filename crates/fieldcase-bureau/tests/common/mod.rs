//! The harness of the bureau's tests: a real bureau on a loopback port, real devices in
//! temporary directories, and a real HTTP client.

#![allow(dead_code)]

pub mod backend;
pub mod pg;
pub mod records;
pub mod s3;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Duration, Utc};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use fieldcase_bureau::store::BureauStore;
use fieldcase_bureau::{Bureau, BureauError, Config, Secret, admin};

pub use backend::Backend;
use fieldcase_core::RecordKind;
use fieldcase_core::inspection::{Inspection, Seal};
use fieldcase_core::signing::{SecretKey, Signed};
use fieldcase_core::site::{NewSite, Site};
use fieldcase_core::uscc::with_check_character;
use fieldcase_core::wire::{EnrollRequest, EnrollResponse, MAX_PUSH_PAGE, PushItem, PushRequest, PushResponse};
use fieldcase_device::demo::{answer_all, check_two_officers};
use fieldcase_device::{Device, OpenMode};

/// The officer the test devices sign in as, the number of their certificate, and their PIN:
/// not one of the sample officers the sample checks name, whose certificates tests issue,
/// suspend and revoke as they need.
pub const OFFICER: (&str, &str, &str) = ("JC-0901", "33010620240901", "901901");

/// [`OFFICER`]'s unit, which the test devices serve (a device holds the PIN verifiers of its
/// units' officers only).
pub const OFFICER_UNIT: &str = "执法一队";

/// A bureau served on 127.0.0.1:0 in this test's runtime, stopped on drop.
pub struct TestBureau {
    pub url: String,
    /// What the bureau was started with (to restart it, or open its blob store beside it).
    pub config: Config,
    pub store: Arc<dyn BureauStore>,
    pub data_dir: PathBuf,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), BureauError>>>,
    _tmp: tempfile::TempDir,
}

impl TestBureau {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let tmp = tempfile::tempdir().expect("a temp dir");
        let mut config = Config::new(tmp.path().join("bureau"));
        tweak(&mut config);
        Self::start_in(tmp, config).await
    }

    /// A bureau on `backend`; None when the backend is missing and the test is skipped.
    pub async fn on(backend: Backend) -> Option<Self> {
        Self::on_with(backend, |_| {}).await
    }

    pub async fn on_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<Self> {
        let url = backend.database_url().await?;
        Some(
            Self::start_with(|config| {
                config.database_url = url.map(Secret::new);
                tweak(config)
            })
            .await,
        )
    }

    /// Stops the server and starts a new one on the same data directory with `config`, as
    /// after a restart of the bureau's process.
    pub async fn restart_with(mut self, config: Config) -> Self {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let stopped = self.task.take().expect("running").await.expect("the server task does not panic");
        stopped.expect("the bureau stops cleanly");
        let tmp = std::mem::replace(&mut self._tmp, tempfile::tempdir().expect("a temp dir"));
        Self::start_in(tmp, config).await
    }

    async fn start_in(tmp: tempfile::TempDir, config: Config) -> Self {
        let data_dir = config.data_dir.clone();
        let bureau = Bureau::open(config.clone()).await.expect("the bureau opens");
        let store = bureau.store();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("bound"));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(bureau.serve(listener, async move {
            let _ = stopped.await;
        }));
        TestBureau {
            url,
            config,
            store,
            data_dir,
            client: reqwest::Client::new(),
            stop: Some(stop),
            task: Some(task),
            _tmp: tmp,
        }
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) -> Result<(), BureauError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.take().expect("running").await.expect("the server task does not panic")
    }

    /// The bureau's signing key as it is now.
    pub fn key(&self) -> fieldcase_core::signing::SecretKey {
        fieldcase_bureau::keys::KeyFile::new(&self.data_dir).load().expect("the bureau's key")
    }

    /// An administrator's token, for the usual 90 days.
    pub async fn admin_token(&self) -> String {
        let label = Some("测试管理员".into());
        admin::create_admin_token(self.store.as_ref(), label, admin::ADMIN_TOKEN_LIFETIME, Utc::now())
            .await
            .expect("a token")
            .token
    }

    /// Issues [`OFFICER`] a certificate, gives them [`OFFICER_UNIT`] and sets their PIN,
    /// unless done already, as the
    /// administrator does before an officer's first sign-in. The verifier is made at argon2's
    /// default cost, which is cheap (the cost travels in the verifier).
    pub async fn add_officer(&self) {
        use argon2::password_hash::{PasswordHasher, SaltString};
        use fieldcase_bureau::certificates::{CertificateAction, CertificateFields};

        let number = OFFICER.1;
        if self.store.certificates().await.expect("certificates").iter().any(|c| c.certificate.number == number) {
            return;
        }
        let fields = CertificateFields {
            number: number.into(),
            officer_id: OFFICER.0.into(),
            name: "王敏".into(),
            unit: "杭州市西湖区人力资源和社会保障局".into(),
            areas: vec!["劳动保障监察".into()],
            valid_from: "2024-01-01".into(),
            valid_until: "2029-12-31".into(),
        };
        let issue = CertificateAction::Issue(fields.parse().expect("valid fields"));
        admin::change_certificate(self.store.as_ref(), &self.key(), issue, "test".into(), Utc::now())
            .await
            .expect("issued");
        let salt = SaltString::encode_b64(&[7; 16]).expect("a salt");
        let verifier =
            argon2::Argon2::default().hash_password(OFFICER.2.as_bytes(), &salt).expect("hashed").to_string();
        let officer = fieldcase_core::ids::OfficerId::parse(OFFICER.0).expect("an officer id");
        let unit = vec![(officer.clone(), Some(OFFICER_UNIT.to_owned()))];
        self.store.set_officer_units(unit, &self.key(), Utc::now()).await.expect("unit set");
        self.store.set_officer_pins(vec![(officer, verifier)], &self.key(), Utc::now()).await.expect("PIN set");
    }

    /// A fresh enrollment code, valid for a day, for a device of [`OFFICER_UNIT`] (so that
    /// [`OFFICER`] signs in on it).
    pub async fn code(&self) -> String {
        self.code_for(&[OFFICER_UNIT]).await
    }

    /// A fresh enrollment code, valid for a day, for a device that serves `units`.
    pub async fn code_for(&self, units: &[&str]) -> String {
        let units: Vec<String> = units.iter().map(|u| (*u).to_owned()).collect();
        admin::create_enrollment_code(self.store.as_ref(), Some("test".into()), &units, Duration::hours(24), Utc::now())
            .await
            .expect("a code")
            .code
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.client.get(format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().await.expect("the bureau answers")).await
    }

    /// Posts a raw body as JSON.
    pub async fn post_raw(&self, path: &str, body: impl Into<reqwest::Body>, token: Option<&str>) -> (u16, Value) {
        let mut request =
            self.client.post(format!("{}{path}", self.url)).header("content-type", "application/json").body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().await.expect("the bureau answers")).await
    }

    pub async fn post<T: serde::Serialize>(&self, path: &str, body: &T, token: Option<&str>) -> (u16, Value) {
        self.post_raw(path, serde_json::to_vec(body).expect("bodies serialize"), token).await
    }
}

impl Drop for TestBureau {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("every answer is JSON ({e}): {status} {text}"));
    (status, value)
}

/// Asserts an answer is the API's error shape with this status and code; returns the message.
pub fn assert_error(answer: &(u16, Value), status: u16, code: &str) -> String {
    let (got, body) = answer;
    assert_eq!(*got, status, "status of {body}");
    assert_eq!(body["code"], code, "code of {body}");
    let message = body["message"].as_str().unwrap_or_else(|| panic!("an error has a message: {body}"));
    assert!(!message.is_empty());
    assert_eq!(body.as_object().map(|o| o.len()), Some(2), "an error is exactly {{code, message}}: {body}");
    message.to_owned()
}

/// An officer's laptop in a temporary directory, with its key for signing pages.
pub struct TestDevice {
    pub device: Device,
    pub key: SecretKey,
    pub token: String,
    _tmp: tempfile::TempDir,
}

impl TestDevice {
    pub fn new() -> Self {
        Self::with_clock(std::sync::Arc::new(fieldcase_device::SystemClock))
    }

    /// A laptop whose clock the test sets.
    pub fn with_clock(clock: std::sync::Arc<dyn fieldcase_device::Clock>) -> Self {
        let tmp = tempfile::tempdir().expect("a temp dir");
        let device = Device::open_with_clock(tmp.path(), OpenMode::CreateIfMissing, clock).expect("a device");
        let key = fieldcase_device::keys::load_or_create(tmp.path()).expect("the device key");
        TestDevice { device, key, token: String::new(), _tmp: tmp }
    }

    pub fn enroll_request(&self, code: &str) -> EnrollRequest {
        self.device.enroll_request(code, Some("王敏的笔记本".into()))
    }

    /// Enrolls with a fresh code and keeps the token; then, as on an officer's first day,
    /// [`OFFICER`] signs in (see `first_sync`), so that records can be made.
    pub async fn enroll(&mut self, bureau: &TestBureau) -> EnrollResponse {
        let response = self.enroll_without_signing_in(bureau).await;
        self.first_sync(bureau, &response).await;
        response
    }

    /// Enrolls with a fresh code and keeps the token, for a test of what the bureau serves
    /// (the registry versions a first sign-in would add are not there).
    pub async fn enroll_without_signing_in(&mut self, bureau: &TestBureau) -> EnrollResponse {
        let code = bureau.code().await;
        let (status, body) = bureau.post("/api/v1/enroll", &self.enroll_request(&code), None).await;
        assert_eq!(status, 200, "{body}");
        let response: EnrollResponse = serde_json::from_value(body).expect("an enrollment response");
        self.token = response.token.clone();
        self.knows_the_bureau_clock(response.bureau_time);
        response
    }

    /// Enrolls through the store rather than over HTTP, for tests that make many devices: the
    /// API limits how many enrollments one address may make in a while.
    pub async fn enroll_through_store(&mut self, bureau: &TestBureau) {
        let code = bureau.code().await;
        let token = fieldcase_bureau::credentials::new_token().expect("a token");
        let enrollment = fieldcase_bureau::store::Enrollment {
            code_hash: fieldcase_bureau::credentials::code_hash(&code),
            device_id: self.device.id(),
            public_key: self.key.public_key(),
            host_label: Some("test".into()),
            token_hash: fieldcase_bureau::store::TokenHash::of_token(&token),
        };
        bureau.store.enroll(enrollment, Utc::now()).await.expect("enrolled");
        let response = EnrollResponse {
            device_id: self.device.id(),
            token: token.clone(),
            bureau_public_key: bureau.key().public_key(),
            bureau_time: Utc::now(),
        };
        self.token = token;
        self.first_sync(bureau, &response).await;
    }

    /// As on an officer's first day at the office: the laptop keeps the enrollment, learns
    /// the registry (the bureau's signed snapshot; the rest of the feed is left to each test)
    /// and the bureau's clock, and [`OFFICER`] signs in, so that records can be made.
    async fn first_sync(&mut self, bureau: &TestBureau, response: &EnrollResponse) {
        bureau.add_officer().await;
        let transport = fieldcase_device::sync::Transport::lab();
        self.device.set_enrollment(&bureau.url, &transport, response).expect("the enrollment kept");
        let (status, body) = bureau.get("/api/v1/registry/snapshot", Some(&self.token)).await;
        assert_eq!(status, 200, "{body}");
        let snapshot = serde_json::from_value(body).expect("a signed registry snapshot");
        self.device.apply_registry_snapshot(&snapshot).expect("the registry applies");
        self.knows_the_bureau_clock(Utc::now());
        self.device.sign_in(OFFICER.0, OFFICER.2).expect("the officer signs in");
    }

    /// As a first sync would: the device learns the bureau's clock, so what it records then
    /// carries a trusted time (a record without one is flagged at the bureau).
    pub fn knows_the_bureau_clock(&mut self, bureau_time: chrono::DateTime<chrono::Utc>) {
        let clocks = fieldcase_device::sync::ClockReading { bureau: bureau_time, laptop: self.device.now() };
        self.device.record_sync_success(clocks).expect("the bureau's clock noted");
    }

    /// For a test of the store alone, with no bureau serving: the device takes `key` as its
    /// bureau's, holds a registry that key signed with [`OFFICER`] in it, and the officer
    /// signs in.
    pub fn signed_in_without_a_bureau(&mut self, key: &SecretKey) {
        use argon2::password_hash::{PasswordHasher, SaltString};
        use fieldcase_core::certificate::{Certificate, CertificateStatus};
        use fieldcase_core::registry::{OfficerEntry, RegistryUpdate, SignedRegistryUpdate};

        let response = EnrollResponse {
            device_id: self.device.id(),
            token: "unused".into(),
            bureau_public_key: key.public_key(),
            bureau_time: Utc::now(),
        };
        let transport = fieldcase_device::sync::Transport::lab();
        self.device.set_enrollment("http://127.0.0.1:9", &transport, &response).expect("the enrollment kept");
        let officer = fieldcase_core::ids::OfficerId::parse(OFFICER.0).expect("an officer id");
        let date = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).expect("a date");
        let salt = SaltString::encode_b64(&[7; 16]).expect("a salt");
        let verifier = argon2::Argon2::default().hash_password(OFFICER.2.as_bytes(), &salt).expect("hashed");
        let registry = RegistryUpdate {
            version: 1,
            from_version: None,
            issued_at: Utc::now(),
            certificates: vec![Certificate {
                number: OFFICER.1.into(),
                holder: officer.clone(),
                holder_name: "王敏".into(),
                issuing_unit: "杭州市西湖区人力资源和社会保障局".into(),
                areas: vec!["劳动保障监察".into()],
                valid_from: date(2024),
                valid_until: date(2029),
                status: CertificateStatus::Active,
            }],
            officers: vec![OfficerEntry {
                officer,
                name: "王敏".into(),
                unit: Some(OFFICER_UNIT.into()),
                pin_verifier: Some(verifier.to_string()),
            }],
            scope: None,
        };
        self.device.apply_registry_snapshot(&SignedRegistryUpdate::sign(&registry, key)).expect("the registry applies");
        self.knows_the_bureau_clock(Utc::now());
        self.device.sign_in(OFFICER.0, OFFICER.2).expect("the officer signs in");
    }

    /// A site with a credit code made from 17 characters.
    pub fn site(&mut self, name: &str, uscc17: &str) -> Site {
        let uscc = with_check_character(uscc17).expect("a code in the alphabet");
        self.device.add_site(NewSite { name: name.into(), uscc, ..Default::default() }).expect("the site is recorded")
    }

    /// A finalized inspection at `site` with both sample officers checked.
    pub fn finalized_inspection(&mut self, site: &Site) -> Inspection {
        let draft = self.device.new_inspection(site.id, None, Some("项目部".into())).expect("a draft");
        answer_all(&mut self.device, draft.id, &[]).expect("answers");
        check_two_officers(&mut self.device, draft.id).expect("two checks");
        self.device.finalize(draft.id, None).expect("it finalizes")
    }

    /// `inspection` sealed anew with this device's key, as the device would have sealed it.
    pub fn seal(&self, mut inspection: Inspection) -> Inspection {
        let hash = inspection.content_hash();
        inspection.seal = Some(Seal { content_hash: hash, signature: self.key.sign(Signed::Inspection, &hash) });
        inspection
    }

    /// Everything the device has to send, in the order it sends it.
    pub fn outbox(&self) -> Vec<PushItem> {
        self.device.next_push_page(MAX_PUSH_PAGE).expect("the outbox reads").map(|p| p.items).unwrap_or_default()
    }

    /// A page of these items signed with this device's key.
    pub fn page(&self, items: Vec<PushItem>) -> PushRequest {
        PushRequest::sign(&items, &self.key)
    }

    pub async fn push_raw(&self, bureau: &TestBureau, items: Vec<PushItem>) -> (u16, Value) {
        bureau.post("/api/v1/push", &self.page(items), Some(&self.token)).await
    }

    /// Pushes a page that must be answered 200.
    pub async fn push(&self, bureau: &TestBureau, items: Vec<PushItem>) -> PushResponse {
        let (status, body) = self.push_raw(bureau, items).await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value(body).expect("a push response")
    }
}

/// The items of a kind.
pub fn of_kind(items: &[PushItem], kind: RecordKind) -> Vec<PushItem> {
    items.iter().filter(|i| i.kind() == kind).cloned().collect()
}

/// Whether a pushed item passed every check of its own: it was accepted, or it is an evidence
/// reference refused only because the bureau holds no sealed inspection whose manifest could
/// list it (the pages of these tests carry none).
pub fn passed_own_checks(result: &fieldcase_core::wire::ItemResult) -> bool {
    match &result.fate {
        fieldcase_core::wire::Fate::Accepted => true,
        fieldcase_core::wire::Fate::Rejected {
            code: Some(fieldcase_core::ErrorCode::EvidenceInspectionUnknown),
            ..
        } => result.kind == RecordKind::Evidence,
        _ => false,
    }
}
