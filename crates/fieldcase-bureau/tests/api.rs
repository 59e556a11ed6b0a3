//! The bureau's HTTP API over a real bound server, driven by a real client with records made
//! and signed by real devices.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use chrono::{Duration, Utc};

use fieldcase_bureau::admin;
use fieldcase_bureau::store::ReviewScope;

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::wire::EnrollRequest;
use fieldcase_core::wire::{Fate, Health, MAX_PUSH_PAGE, PullResponse, PushItem, PushRequest};
use serde_json::value::RawValue;

use common::backend::stored_secrets;
use common::{Backend, TestBureau, TestDevice, assert_error};

async fn health_answers_with_the_bureau_clock(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let (status, body) = bureau.get("/api/v1/health", None).await;
    assert_eq!(status, 200);
    let health: Health = serde_json::from_value(body).expect("a health answer");
    assert_eq!(health.status, "ok");
    assert!((Utc::now() - health.bureau_time).num_seconds().abs() < 60, "the bureau tells its clock");
    bureau.stop().await.expect("the bureau stops cleanly when asked");
}

async fn unknown_paths_and_methods_answer_in_the_error_shape(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    assert_error(&bureau.get("/api/v2/health", None).await, 404, "not_found");
    let delete = bureau.client.delete(format!("{}/api/v1/health", bureau.url)).send().await.expect("an answer");
    assert_eq!(delete.status().as_u16(), 405);
    let body: serde_json::Value = delete.json().await.expect("JSON");
    assert_eq!(body["code"], "method_not_allowed");
}

async fn an_enrollment_code_works_once_and_the_bureau_keeps_only_hashes(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let device = TestDevice::new();
    let code = bureau.code().await;

    let (status, body) = bureau.post("/api/v1/enroll", &device.enroll_request(&code), None).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().expect("a token").to_owned();
    assert_eq!(token.len(), 64, "32 random bytes as hex");
    assert_eq!(body["device_id"], device.device.id().to_string(), "the device keeps the id it made");
    assert_eq!(body["bureau_public_key"].as_str().map(str::len), Some(64));

    let again = bureau.post("/api/v1/enroll", &device.enroll_request(&code), None).await;
    let message = assert_error(&again, 401, "enrollment_code_invalid");
    assert!(message.contains("ask an administrator for a new code"), "{message}");
    let unknown = bureau.post("/api/v1/enroll", &device.enroll_request("AAAA-BBBB-CCCC"), None).await;
    assert_error(&unknown, 401, "enrollment_code_invalid");

    // What is stored: the hash of the token and of the code, never either of them.
    let (stored, codes, everything) = stored_secrets(&bureau, &device.device.id().to_string()).await;
    assert_eq!(stored, ContentHash::of_bytes(token.as_bytes()).to_hex(), "only the token's SHA-256 is kept");
    assert!(!codes.contains(&code) && !codes.contains(&code.replace('-', "")), "the code itself is not kept");
    assert!(!everything.contains(&token), "the token is nowhere in the database");

    // The token works.
    assert_eq!(bureau.get("/api/v1/changes", Some(&token)).await.0, 200);
}

async fn an_expired_code_is_refused(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let device = TestDevice::new();
    let stale = admin::create_enrollment_code(
        bureau.store.as_ref(),
        None,
        &[],
        Duration::hours(1),
        Utc::now() - Duration::hours(2),
    )
    .await
    .expect("a code made two hours ago");
    let answer = bureau.post("/api/v1/enroll", &device.enroll_request(&stale.code), None).await;
    assert_error(&answer, 401, "enrollment_code_invalid");
    assert!(bureau.store.devices().await.expect("devices").is_empty(), "a refused enrollment registers nothing");
}

async fn enrolling_again_replaces_the_token_and_needs_the_same_key(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let mut device = TestDevice::new();
    let first = device.enroll(&bureau).await.token;
    let second = device.enroll(&bureau).await.token;
    assert_ne!(first, second);
    assert_error(&bureau.get("/api/v1/changes", Some(&first)).await, 401, "unauthorized");
    assert_eq!(bureau.get("/api/v1/changes", Some(&second)).await.0, 200, "the new token works");

    // Another key under the same device id is refused, and the code is not used up.
    let impostor = TestDevice::new();
    let request = EnrollRequest::sign(&bureau.code().await, device.device.id(), None, &impostor.key);
    let answer = bureau.post("/api/v1/enroll", &request, None).await;
    assert_error(&answer, 409, "device_key_mismatch");
    let honest = device.device.enroll_request(&request.code, None);
    assert_eq!(
        bureau.post("/api/v1/enroll", &honest, None).await.0,
        200,
        "the refused attempt did not use the code up"
    );
    assert_eq!(
        bureau.store.devices().await.expect("devices")[0].host_label.as_deref(),
        Some("王敏的笔记本"),
        "no host label keeps the old one"
    );
}

async fn unknown_and_revoked_devices_are_refused(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    let items = vec![PushItem::Site(site)];

    assert_error(&bureau.get("/api/v1/changes", None).await, 401, "unauthorized");
    assert_error(&bureau.get("/api/v1/changes", Some(&"ab".repeat(32))).await, 401, "unauthorized");
    let basic = bureau
        .client
        .get(format!("{}/api/v1/changes", bureau.url))
        .header("authorization", format!("Basic {}", device.token));
    assert_eq!(basic.send().await.expect("an answer").status().as_u16(), 401, "only a bearer token counts");
    let stranger = bureau.post("/api/v1/push", &device.page(items.clone()), Some(&"cd".repeat(32))).await;
    assert_error(&stranger, 401, "unauthorized");

    bureau.store.revoke_device(device.device.id(), Utc::now()).await.expect("revoked");
    let message = assert_error(&device.push_raw(&bureau, items.clone()).await, 403, "device_revoked");
    assert!(message.contains("reinstate"), "says who can lift it: {message}");
    assert_error(&bureau.get("/api/v1/changes", Some(&device.token)).await, 403, "device_revoked");
    assert!(bureau.store.sites().await.expect("sites").is_empty(), "nothing from a revoked device is stored");

    // A new code does not lift the revocation (a thief with the laptop and a code must not
    // undo it), and is not used up by the refusal; an administrator's reinstatement does.
    let code = bureau.code().await;
    let refused = bureau.post("/api/v1/enroll", &device.enroll_request(&code), None).await;
    assert_error(&refused, 403, "device_revoked");
    bureau.store.reinstate_device(device.device.id()).await.expect("reinstated");
    assert_eq!(device.push(&bureau, items).await.results[0].fate, Fate::Accepted, "the token works again");
    let again = bureau.post("/api/v1/enroll", &device.enroll_request(&code), None).await;
    assert_eq!(again.0, 200, "the refused attempt left the code usable: {}", again.1);
}

/// Enrolling proves possession of the device key: someone with a fresh code and a victim's
/// id and public key (both public) cannot enroll them, so cannot replace the victim's token.
async fn enrolling_needs_the_device_key_itself(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let mut victim = TestDevice::new();
    victim.enroll(&bureau).await;
    let attacker = TestDevice::new();
    let code = bureau.code().await;

    // The attacker's own signature over the victim's id and key.
    let mut forged = attacker.enroll_request(&code);
    forged.device_id = victim.device.id();
    forged.device_public_key = victim.key.public_key();
    assert_error(&bureau.post("/api/v1/enroll", &forged, None).await, 422, "bad_signature");

    // A request the victim signed, altered to another code or label.
    let mut altered = victim.enroll_request("SOME-OTHER-CODE");
    altered.code = code.clone();
    assert_error(&bureau.post("/api/v1/enroll", &altered, None).await, 422, "bad_signature");

    let site = victim.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    let pushed = victim.push(&bureau, vec![PushItem::Site(site)]).await;
    assert_eq!(pushed.results[0].fate, Fate::Accepted, "the victim's token still works");

    // A signed request seen on the wire cannot be used again: its code is spent.
    let mut next = TestDevice::new();
    let seen = next.enroll_request(&code);
    assert_eq!(bureau.post("/api/v1/enroll", &seen, None).await.0, 200);
    next.token.clear();
    assert_error(&bureau.post("/api/v1/enroll", &seen, None).await, 401, "enrollment_code_invalid");
}

async fn the_same_page_twice_is_all_duplicates(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    device.finalized_inspection(&site);
    let items = device.outbox();
    assert!(items.len() >= 5, "a site, two checks, an inspection and a run of the audit chain: {}", items.len());

    let first = device.push(&bureau, items.clone()).await;
    assert_eq!(first.results.len(), items.len(), "every item has its fate");
    for (result, item) in first.results.iter().zip(&items) {
        assert_eq!((result.kind, result.id.clone()), (item.kind(), item.id()), "fates come in the order pushed");
        assert_eq!(result.fate, Fate::Accepted, "{result:?}");
    }
    let second = device.push(&bureau, items.clone()).await;
    assert!(second.results.iter().all(|r| r.fate == Fate::Duplicate), "{:?}", second.results);
    assert_eq!(bureau.store.inspections().await.expect("inspections").len(), 1, "held once");
    assert!(bureau.store.reviews(ReviewScope::All).await.expect("reviews").is_empty(), "duplicates are no news");
}

async fn the_same_id_with_another_hash_is_a_conflict_and_the_first_version_stays(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    let original = device.finalized_inspection(&site);
    device.push(&bureau, device.outbox()).await;

    // The device's own key seals another version under the same id.
    let mut altered = original.clone();
    altered.location = Some("另一个地点".into());
    let hash = altered.content_hash();
    altered.seal = Some(fieldcase_core::inspection::Seal {
        content_hash: hash,
        signature: device.key.sign(fieldcase_core::signing::Signed::Inspection, &hash),
    });
    let answer = device.push(&bureau, vec![PushItem::Inspection(altered)]).await;
    let first_hash = original.seal.as_ref().expect("sealed").content_hash;
    assert_eq!(
        answer.results[0].fate,
        Fate::Conflict { existing_hash: first_hash.to_hex() },
        "the conflict names the version kept"
    );

    let held = bureau.store.inspections().await.expect("inspections");
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].content_hash, first_hash, "the first version stays");
    assert!(held[0].needs_review, "and is marked for review");
    let reviews = bureau.store.reviews(ReviewScope::Open).await.expect("reviews");
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].content_hash, hash, "the pushed version is what is kept for review");
    assert!(reviews[0].record.to_string().contains("另一个地点"));
}

async fn a_page_with_a_bad_signature_is_refused_whole(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    device.finalized_inspection(&site);
    let items = device.outbox();

    // Signed by another key.
    let other = TestDevice::new();
    let mut page = other.page(items.clone());
    let answer = bureau.post("/api/v1/push", &page, Some(&device.token)).await;
    let message = assert_error(&answer, 422, "bad_signature");
    assert!(message.contains("nothing was stored"), "{message}");

    // Signed by the device, then changed.
    let signature = device.page(items.clone()).signature;
    let fewer = &items[..items.len() - 1];
    page = PushRequest {
        items: RawValue::from_string(serde_json::to_string(fewer).unwrap()).unwrap(),
        signature,
        after: None,
    };
    assert_error(&bureau.post("/api/v1/push", &page, Some(&device.token)).await, 422, "bad_signature");

    // Signed by the device, but not push records: refused whole, saying where.
    let text = format!("[{},{{\"kind\":\"site\",\"record\":{{\"id\":1}}}}]", serde_json::to_string(&items[0]).unwrap());
    let page = PushRequest::sign_text(text, &device.key).unwrap();
    let message = assert_error(&bureau.post("/api/v1/push", &page, Some(&device.token)).await, 400, "bad_request");
    assert!(message.contains("items[1].record") && message.contains("nothing"), "{message}");

    assert!(bureau.store.sites().await.expect("sites").is_empty(), "nothing stored");
    assert!(bureau.store.inspections().await.expect("inspections").is_empty(), "nothing stored");
    assert!(bureau.store.reviews(ReviewScope::All).await.expect("reviews").is_empty(), "nothing kept");
    assert!(
        device.push(&bureau, items).await.results.iter().all(|r| r.fate == Fate::Accepted),
        "the honest page is all new"
    );
}

async fn malformed_and_misshapen_bodies_are_400(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;

    let broken = bureau.post_raw("/api/v1/push", "{\"items\": [", Some(&device.token)).await;
    let message = assert_error(&broken, 400, "bad_request");
    assert!(message.contains("not valid JSON"), "{message}");
    let shape = bureau.post_raw("/api/v1/push", r#"{"items": "none", "signature": "00"}"#, Some(&device.token)).await;
    assert_error(&shape, 400, "bad_request");
    let enroll = bureau.post_raw("/api/v1/enroll", r#"{"code": 42}"#, None).await;
    let message = assert_error(&enroll, 400, "bad_request");
    assert!(message.contains("code"), "the field at fault is named: {message}");
    let plain =
        bureau.client.post(format!("{}/api/v1/enroll", bureau.url)).body("code=1").send().await.expect("an answer");
    assert_eq!(plain.status().as_u16(), 400, "JSON only");
    let plain: serde_json::Value = plain.json().await.expect("the error shape");
    assert!(plain["message"].as_str().is_some_and(|m| m.contains("Content-Type: application/json")), "{plain}");
    let query = bureau.get("/api/v1/changes?after=soon", Some(&device.token)).await;
    assert_error(&query, 400, "bad_request");
}

async fn bodies_over_the_limit_and_pages_over_the_item_limit_are_413(backend: Backend) {
    let Some(bureau) = TestBureau::on_with(backend, |c| c.max_body_bytes = 8 * 1024).await else { return };
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");

    let big = vec![PushItem::Site(site.clone()); 100];
    let answer = device.push_raw(&bureau, big).await;
    let message = assert_error(&answer, 413, "payload_too_large");
    assert!(message.contains("8192 bytes"), "the limit is named: {message}");

    let Some(roomy) = TestBureau::on(backend).await else { return };
    device.enroll(&roomy).await;
    let too_many = vec![PushItem::Site(site); MAX_PUSH_PAGE + 1];
    let message = assert_error(&device.push_raw(&roomy, too_many).await, 413, "payload_too_large");
    assert!(message.contains(&MAX_PUSH_PAGE.to_string()), "{message}");
    assert!(roomy.store.sites().await.expect("sites").is_empty());
}

async fn the_openapi_document_lists_every_path(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let (status, doc) = bureau.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{}", doc["openapi"]);
    let paths: BTreeSet<&str> = doc["paths"].as_object().expect("paths").keys().map(String::as_str).collect();
    for path in ["/api/v1/health", "/api/v1/enroll", "/api/v1/push", "/api/v1/changes", "/api/v1/openapi.json"] {
        assert!(paths.contains(path), "{path} is documented: {paths:?}");
    }
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for schema in [
        "PushRequest",
        "PushItem",
        "Fate",
        "ApiError",
        "PullResponse",
        "Inspection",
        "AuditRun",
        "RecorderCheck",
        "EvidenceManifest",
    ] {
        assert!(schemas.contains_key(schema), "{schema} is described");
    }
    assert!(doc["components"]["securitySchemes"]["device_token"].is_object(), "the bearer token is described");
}

async fn a_data_directory_that_cannot_be_written_stops_the_start(backend: Backend) {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let file = tmp.path().join("not-a-directory");
    std::fs::write(&file, b"").expect("a file");
    let mut config = fieldcase_bureau::Config::new(file.join("bureau"));
    let Some(url) = backend.database_url().await else { return };
    config.database_url = url.map(fieldcase_bureau::Secret::new);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let err =
        fieldcase_bureau::serve(listener, config, std::future::pending()).await.expect_err("the start is refused");
    let message = err.to_string();
    assert!(message.contains(&file.join("bureau").display().to_string()), "names the directory: {message}");
    assert!(message.contains("cannot be created"), "says why: {message}");
    assert!(message.contains("--data-dir"), "says how to fix it: {message}");
}

async fn the_change_feed_pages_with_a_cursor(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    admin::seed_demo(bureau.store.as_ref(), &bureau.key(), Utc::now()).await.expect("demo data");
    let mut device = TestDevice::new();
    device.enroll_without_signing_in(&bureau).await;

    let mut after = 0;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let (status, body) = bureau.get(&format!("/api/v1/changes?after={after}&limit=2"), Some(&device.token)).await;
        assert_eq!(status, 200, "{body}");
        let page: PullResponse = serde_json::from_value(body).expect("a pull response");
        assert!(page.changes.len() <= 2, "the limit holds");
        for change in &page.changes {
            assert!(change.cursor > after, "oldest first, after the cursor");
            seen.push(change.clone());
        }
        pages += 1;
        assert_eq!(page.next_cursor, page.changes.last().map_or(after, |c| c.cursor));
        after = page.next_cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(
        seen.len(),
        8,
        "the default checklist, four demo sites, the demo certificates, the demo officers' unit and their PINs: {seen:?}"
    );
    assert_eq!(pages, 4);
    assert!(
        matches!(&seen[0].record, fieldcase_core::wire::ChangeRecord::Template(t) if *t == fieldcase_core::checklist::default_template()),
        "the default checklist is in the feed from the start"
    );
    let cursors: BTreeSet<u64> = seen.iter().map(|c| c.cursor).collect();
    assert_eq!(cursors.len(), seen.len(), "no change twice");

    let (_, body) = bureau.get(&format!("/api/v1/changes?after={after}"), Some(&device.token)).await;
    let end: PullResponse = serde_json::from_value(body).expect("a pull response");
    assert!(end.changes.is_empty() && !end.more && end.next_cursor == after, "at the end the cursor stays");
}

/// A cursor beyond any the feed gives is a mistake, answered as one, not echoed back as the
/// next cursor.
async fn a_cursor_beyond_the_feed_is_refused(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let huge = bureau.get("/api/v1/changes?after=18446744073709551615", Some(&device.token)).await;
    let message = assert_error(&huge, 400, "bad_request");
    assert!(message.contains("after"), "names the parameter: {message}");
    assert_error(
        &bureau.get("/api/v1/changes?limit=18446744073709551615", Some(&device.token)).await,
        400,
        "bad_request",
    );
    assert_eq!(bureau.get("/api/v1/changes?after=9223372036854775807", Some(&device.token)).await.0, 200);
}

on_both_backends!(
    the_change_feed_pages_with_a_cursor,
    a_cursor_beyond_the_feed_is_refused,
    health_answers_with_the_bureau_clock,
    unknown_paths_and_methods_answer_in_the_error_shape,
    an_enrollment_code_works_once_and_the_bureau_keeps_only_hashes,
    an_expired_code_is_refused,
    enrolling_again_replaces_the_token_and_needs_the_same_key,
    unknown_and_revoked_devices_are_refused,
    enrolling_needs_the_device_key_itself,
    the_same_page_twice_is_all_duplicates,
    the_same_id_with_another_hash_is_a_conflict_and_the_first_version_stays,
    a_page_with_a_bad_signature_is_refused_whole,
    malformed_and_misshapen_bodies_are_400,
    bodies_over_the_limit_and_pages_over_the_item_limit_are_413,
    the_openapi_document_lists_every_path,
    a_data_directory_that_cannot_be_written_stops_the_start,
);
