//! Administrators' tokens over a real server: each works until it expires or is revoked,
//! and a refusal says which and what to do; a token is revoked by the prefix of its hash,
//! never by an ambiguous one; and its last use is noted without every request writing.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;

use chrono::{Duration, Utc};

use fieldcase_bureau::admin;
use fieldcase_bureau::certificates::RefusalKind;
use fieldcase_bureau::store::{NewAdminToken, StoreError, TokenHash};

use common::{TestBureau, assert_error};

const CERTIFICATES: &str = "/api/v1/admin/certificates";

#[tokio::test]
async fn an_expired_or_revoked_token_is_refused_saying_which_and_what_to_do() {
    let bureau = TestBureau::start().await;
    let store = bureau.store.as_ref();
    let made_long_ago = Utc::now() - Duration::days(40);
    let expired =
        admin::create_admin_token(store, Some("老张".into()), Duration::days(30), made_long_ago).await.unwrap();
    let revoked = admin::create_admin_token(store, Some("小李".into()), Duration::days(30), Utc::now()).await.unwrap();
    let working = bureau.admin_token().await;
    assert_eq!(bureau.get(CERTIFICATES, Some(&revoked.token)).await.0, 200, "it works until revoked");

    let record = admin::revoke_admin_token(store, &revoked.hash_prefix, Utc::now()).await.unwrap();
    assert!(record.revoked_at.is_some());

    let message = assert_error(&bureau.get(CERTIFICATES, Some(&expired.token)).await, 401, "unauthorized");
    assert!(message.contains("expired") && message.contains(&expired.hash_prefix), "{message}");
    assert!(message.contains("fieldcase bureau admin-token"), "says how to get another: {message}");
    let message = assert_error(&bureau.get(CERTIFICATES, Some(&revoked.token)).await, 401, "unauthorized");
    assert!(message.contains("revoked") && message.contains(&revoked.hash_prefix), "{message}");
    assert!(message.contains("fieldcase bureau admin-token"), "{message}");
    let body = serde_json::json!({"number": "33010620240107", "officer_id": "JC-0107", "name": "王敏",
        "unit": "杭州市西湖区人力资源和社会保障局", "areas": ["劳动保障监察"],
        "valid_from": "2024-01-01", "valid_until": "2028-12-31"});
    assert_error(&bureau.post(CERTIFICATES, &body, Some(&revoked.token)).await, 401, "unauthorized");
    assert!(store.certificates().await.unwrap().is_empty(), "a revoked token changes nothing");

    assert_eq!(bureau.post(CERTIFICATES, &body, Some(&working)).await.0, 201, "the others go on working");
}

#[tokio::test]
async fn a_token_is_revoked_by_the_prefix_of_its_hash_and_never_by_an_ambiguous_one() {
    let bureau = TestBureau::start().await;
    let store = bureau.store.as_ref();
    let now = Utc::now();
    // Two tokens whose hashes share their first four hex digits (found by trying).
    let mut seen: HashMap<String, String> = HashMap::new();
    let (first, second) = (0..)
        .map(|i| format!("fca_{i}"))
        .find_map(|token| {
            let prefix = TokenHash::of_token(&token).to_hex()[..4].to_owned();
            seen.insert(prefix, token.clone()).map(|earlier| (earlier, token))
        })
        .unwrap();
    for (token, label) in [(&first, "甲"), (&second, "乙")] {
        let new = NewAdminToken {
            token_hash: TokenHash::of_token(token),
            label: Some(label.into()),
            created_at: now,
            expires_at: now + Duration::days(1),
        };
        store.add_admin_token(new).await.unwrap();
    }
    let shared = &TokenHash::of_token(&first).to_hex()[..4];
    let refused = admin::revoke_admin_token(store, shared, now).await.unwrap_err();
    let StoreError::Refused(refusal) = refused else { panic!("a refusal: {refused:?}") };
    assert_eq!(refusal.kind, RefusalKind::Invalid);
    assert!(refusal.message.contains("2 tokens") && refusal.message.contains("甲"), "{}", refusal.message);
    assert!(store.admin_tokens().await.unwrap().iter().all(|t| t.revoked_at.is_none()), "nothing revoked");

    let whole = TokenHash::of_token(&second).to_hex();
    let revoked = admin::revoke_admin_token(store, &whole[..12].to_uppercase(), now).await.unwrap();
    assert_eq!(revoked.label.as_deref(), Some("乙"));
    let tokens = store.admin_tokens().await.unwrap();
    let standing: Vec<(Option<&str>, bool)> =
        tokens.iter().map(|t| (t.label.as_deref(), t.revoked_at.is_some())).collect();
    assert_eq!(standing, [(Some("甲"), false), (Some("乙"), true)]);
    assert_eq!(bureau.get(CERTIFICATES, Some(&first)).await.0, 200, "the other one still works");
    assert_error(&bureau.get(CERTIFICATES, Some(&second)).await, 401, "unauthorized");

    let refused = admin::revoke_admin_token(store, "0000000000", now).await;
    assert!(
        matches!(&refused, Err(StoreError::Refused(r)) if r.kind == RefusalKind::NotFound && r.message.contains("admin-token list")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_tokens_last_use_is_noted_at_most_once_a_minute() {
    let bureau = TestBureau::start().await;
    let token = bureau.admin_token().await;
    let listed = |tokens: Vec<fieldcase_bureau::store::AdminRecord>| tokens[0].last_used;
    assert_eq!(listed(bureau.store.admin_tokens().await.unwrap()), None);
    assert_eq!(bureau.get(CERTIFICATES, Some(&token)).await.0, 200);
    let first = listed(bureau.store.admin_tokens().await.unwrap()).expect("the first use is noted");
    assert!((Utc::now() - first).num_seconds() < 60);
    for _ in 0..3 {
        assert_eq!(bureau.get(CERTIFICATES, Some(&token)).await.0, 200);
    }
    assert_eq!(listed(bureau.store.admin_tokens().await.unwrap()), Some(first), "not again within the minute");
}

#[tokio::test]
async fn a_tokens_lifetime_is_range_checked() {
    let bureau = TestBureau::start().await;
    let store = bureau.store.as_ref();
    for lifetime in [Duration::zero(), Duration::days(-1), Duration::days(367), Duration::days(73_000)] {
        let refused = admin::create_admin_token(store, None, lifetime, Utc::now()).await;
        assert!(
            matches!(&refused, Err(StoreError::Refused(r)) if r.field == Some("expires_in") && r.message.contains("--expires-in")),
            "{lifetime}: {refused:?}"
        );
    }
    let made = admin::create_admin_token(store, None, Duration::days(366), Utc::now()).await.unwrap();
    assert_eq!((made.expires_at - Utc::now()).num_days(), 365, "a year is fine");
    assert!(store.admin_tokens().await.unwrap().len() == 1, "only the one made");
}
