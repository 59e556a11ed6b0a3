//! What a stranger can make the bureau do: a request with a token the bureau does not know,
//! or an enrollment with a code it never made, is refused by reads alone, without waiting
//! for the one writer that stores devices' pushes; and past a few such refusals an address is
//! answered 429 `rate_limited` with `Retry-After`, while tokens that work go on working.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use fieldcase_core::wire::PushItem;

use common::{TestBureau, TestDevice, assert_error};

/// The bureau's database held for writing by another connection, as a long administration
/// command would hold it, until dropped. Whatever needs the writer waits meanwhile.
struct WriterHeld(rusqlite::Connection);

impl WriterHeld {
    fn on(bureau: &TestBureau) -> Self {
        let conn = rusqlite::Connection::open(bureau.data_dir.join(fieldcase_bureau::DB_FILE)).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        WriterHeld(conn)
    }
}

impl Drop for WriterHeld {
    fn drop(&mut self) {
        let _ = self.0.execute_batch("ROLLBACK");
    }
}

/// A request, with this bearer token if any: its status, `Retry-After` and body.
async fn send(request: reqwest::RequestBuilder, token: Option<&str>) -> (u16, Option<String>, serde_json::Value) {
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    let response = request.send().await.expect("the bureau answers");
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().expect("an ASCII header").to_owned());
    (status, retry_after, response.json().await.expect("a JSON body"))
}

fn stranger(i: usize) -> String {
    format!("{i:064x}")
}

/// Refusals are answered while the writer is held, so they never needed it. Were one to wait
/// for the writer it would wait for as long as the writer is held (the bureau's busy timeout,
/// then fail with 500); the timeout here only turns such a wait into a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_are_refused_without_waiting_for_the_writer() {
    let bureau = TestBureau::start().await;
    let device = TestDevice::new();
    let held = WriterHeld::on(&bureau);

    let mut refusals = Vec::new();
    for i in 0..40 {
        let request = bureau.client.get(format!("{}/api/v1/admin/certificates", bureau.url));
        refusals.push(tokio::spawn(async move { send(request, Some(&stranger(i))).await }));
    }
    for i in 0..20 {
        let body = serde_json::to_vec(&device.enroll_request(&format!("AAAA-BBBB-{:04}", 2000 + i))).unwrap();
        let request = bureau
            .client
            .post(format!("{}/api/v1/enroll", bureau.url))
            .header("content-type", "application/json")
            .body(body);
        refusals.push(tokio::spawn(async move { send(request, None).await }));
    }
    let answers = tokio::time::timeout(Duration::from_secs(8), async {
        let mut answers = Vec::new();
        for refusal in refusals {
            answers.push(refusal.await.unwrap());
        }
        answers
    })
    .await
    .expect("a refusal waited for the writer, held all along by another connection");
    drop(held);

    for (status, _, body) in &answers {
        let code = body["code"].as_str().unwrap();
        assert!(
            matches!((status, code), (401, "unauthorized" | "enrollment_code_invalid") | (429, "rate_limited")),
            "a stranger is refused, never failed for want of the writer: {status} {body}"
        );
    }
    assert!(bureau.store.devices().await.unwrap().is_empty());
}

/// Past a few failed authentications from one address, the next are answered 429 with
/// `Retry-After` before anything is looked up; an administrator's and a device's tokens that
/// worked before go on working from the same address.
#[tokio::test]
async fn a_burst_of_failed_authentications_is_answered_429_and_known_tokens_still_work() {
    let bureau = TestBureau::start().await;
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let admin = bureau.admin_token().await;
    let certificates = || bureau.client.get(format!("{}/api/v1/admin/certificates", bureau.url));
    assert_eq!(send(certificates(), Some(&admin)).await.0, 200);

    let mut statuses = Vec::new();
    let mut limited = None;
    for i in 0..100 {
        let (status, retry_after, body) = send(certificates(), Some(&stranger(i))).await;
        statuses.push(status);
        if status == 429 {
            limited = Some((retry_after, body));
            break;
        }
    }
    assert_eq!(statuses[0], 401, "the first stranger is told the token is unknown");
    assert!(statuses[..statuses.len() - 1].iter().all(|s| *s == 401), "{statuses:?}");
    let (retry_after, body) = limited.expect("a burst of bad tokens is limited");
    let seconds: u64 = retry_after.expect("a 429 says when to try again").parse().expect("Retry-After in seconds");
    assert!((1..=120).contains(&seconds), "{seconds}");
    let message = assert_error(&(429, body), 429, "rate_limited");
    assert!(message.contains("wait"), "says what to do: {message}");

    // A device's path counts the same failures: the address gets back one attempt a second,
    // and a stranger spends it at once.
    let mut answers = Vec::new();
    for i in 1000..1003 {
        let changes = bureau.client.get(format!("{}/api/v1/changes", bureau.url));
        answers.push(send(changes, Some(&stranger(i))).await.0);
        if answers.last() == Some(&429) {
            break;
        }
    }
    assert_eq!(answers.last(), Some(&429), "{answers:?}");

    assert_eq!(send(certificates(), Some(&admin)).await.0, 200, "a token that works is not locked out by strangers");
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    let pushed = device.push(&bureau, vec![PushItem::Site(site)]).await;
    assert_eq!(pushed.results.len(), 1, "the device still pushes from the limited address");
}

/// Enrollment attempts from one address are limited whatever becomes of them.
#[tokio::test]
async fn enrollment_attempts_are_limited_per_address() {
    let bureau = TestBureau::start().await;
    let device = TestDevice::new();
    let mut statuses = Vec::new();
    for i in 0..40 {
        let request = device.enroll_request(&format!("AAAA-BBBB-{:04}", 2000 + i));
        statuses.push(bureau.post("/api/v1/enroll", &request, None).await);
        if statuses.last().unwrap().0 == 429 {
            break;
        }
    }
    assert_error(&statuses[0], 401, "enrollment_code_invalid");
    let last = statuses.last().unwrap();
    let message = assert_error(last, 429, "rate_limited");
    assert!(message.contains("enroll"), "{message}");
    let code = bureau.code().await;
    let refused = bureau.post("/api/v1/enroll", &device.enroll_request(&code), None).await;
    assert_error(&refused, 429, "rate_limited");
    assert!(bureau.store.devices().await.unwrap().is_empty(), "a limited attempt enrolls nothing");
}

/// 200 requests with tokens the bureau does not know, sent again as soon as each is
/// answered, while a device pushes: every page is stored, every stranger refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_go_on_while_200_bad_token_requests_run() {
    let bureau = TestBureau::start().await;
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    for _ in 0..20 {
        device.finalized_inspection(&site);
    }
    let items = device.outbox();

    let stop = Arc::new(AtomicBool::new(false));
    let mut flood = Vec::new();
    for i in 0..200usize {
        let (client, url, stop) = (bureau.client.clone(), bureau.url.clone(), Arc::clone(&stop));
        flood.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let request = if i.is_multiple_of(2) {
                    client.get(format!("{url}/api/v1/admin/certificates"))
                } else {
                    client.post(format!("{url}/api/v1/push")).header("content-type", "application/json").body("{}")
                };
                let (status, _, body) = send(request, Some(&stranger(i))).await;
                answers.push((status, body["code"].as_str().unwrap_or_default().to_owned()));
            }
            answers
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut stored = 0;
    for page in items.chunks(7) {
        let pushed = tokio::time::timeout(Duration::from_secs(30), device.push(&bureau, page.to_vec()))
            .await
            .expect("a page is stored while strangers knock");
        stored += pushed.results.len();
    }
    stop.store(true, Ordering::Relaxed);
    let (mut refused, mut limited) = (0, 0);
    for worker in flood {
        for (status, code) in worker.await.unwrap() {
            assert!(
                matches!((status, code.as_str()), (401, "unauthorized") | (429, "rate_limited")),
                "{status} {code}"
            );
            refused += 1;
            limited += usize::from(status == 429);
        }
    }
    assert_eq!(stored, items.len());
    assert!(refused >= 200, "every stranger was answered at least once: {refused}");
    assert!(limited > refused / 2, "most of the flood is refused before anything is looked up: {limited} of {refused}");
}

/// Enrollment and every path that takes a token say they may answer 429 with `Retry-After`;
/// the others (health, the document itself) do not.
#[tokio::test]
async fn the_openapi_document_says_which_paths_may_answer_429_and_when_to_retry() {
    let bureau = TestBureau::start().await;
    let (status, doc) = bureau.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, 200);
    let limited = &doc["components"]["responses"]["RateLimited"];
    assert!(limited["description"].as_str().unwrap().contains("rate_limited"), "{limited}");
    assert_eq!(limited["headers"]["Retry-After"]["schema"]["type"], "integer", "{limited}");
    assert_eq!(limited["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ApiError");
    let answers_429 = |path: &str, method: &str| doc["paths"][path][method]["responses"].get("429").is_some();
    for (path, method) in [
        ("/api/v1/enroll", "post"),
        ("/api/v1/push", "post"),
        ("/api/v1/changes", "get"),
        ("/api/v1/registry/snapshot", "get"),
        ("/api/v1/admin/certificates", "get"),
        ("/api/v1/admin/certificates", "post"),
        ("/api/v1/admin/certificates/{number}/history", "get"),
        ("/api/v1/admin/certificates/{number}/revoke", "post"),
    ] {
        assert!(answers_429(path, method), "{method} {path} documents its 429");
    }
    assert!(!answers_429("/api/v1/health", "get") && !answers_429("/api/v1/openapi.json", "get"));
}
