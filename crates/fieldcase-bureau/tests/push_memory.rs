//! What an oversized push page costs the bureau. A page the body limit lets in may hold
//! millions of tiny items; the bureau must refuse it once it has counted past
//! `MAX_PUSH_PAGE` items, not after finding every one of them.
//!
//! A test binary of its own: its one test reads the process's peak resident memory, which
//! tests running beside it would move.

#![allow(clippy::unwrap_used)]

mod common;

use fieldcase_bureau::config::DEFAULT_MAX_BODY_BYTES;
use fieldcase_bureau::store::ReviewScope;
use fieldcase_core::wire::{MAX_PUSH_PAGE, PushRequest};

use common::{TestBureau, TestDevice, assert_error};

/// A figure of `/proc/self/status`, in MB.
fn status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"));
    kb / 1024.0
}

/// How far the resident memory rose above what it was at the start, while `f` ran, in MB.
async fn peak_growth_mb<T>(f: impl Future<Output = T>) -> (T, f64) {
    // Writing 5 to clear_refs starts the peak (VmHWM) afresh from what is resident now.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = if reset { status_mb("VmRSS") } else { status_mb("VmHWM") };
    let value = f.await;
    (value, status_mb("VmHWM") - before)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_of_millions_of_tiny_items_is_refused_without_finding_them_all() {
    let bureau = TestBureau::start().await;
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;

    // The tiniest items, as many as the body limit lets in, signed so that the bureau reads
    // them (it finds the items before it parses any: what they are does not matter yet).
    let room = DEFAULT_MAX_BODY_BYTES - 1024;
    let count = (room - 2) / 2;
    let mut items = String::with_capacity(room);
    items.push('[');
    for n in 0..count {
        items.push_str(if n == 0 { "0" } else { ",0" });
    }
    items.push(']');
    let body = serde_json::to_vec(&PushRequest::sign_text(items, &device.key).unwrap()).unwrap();
    assert!(body.len() <= DEFAULT_MAX_BODY_BYTES, "within the body limit: {}", body.len());

    let (answer, growth) = peak_growth_mb(bureau.post_raw("/api/v1/push", body, Some(&device.token))).await;
    let mb = room as f64 / (1024.0 * 1024.0);
    eprintln!("a {count}-item page of {mb:.1} MB: the process grew by {growth:.1} MB at its peak");
    let message = assert_error(&answer, 413, "payload_too_large");
    assert!(message.contains(&format!("at most {MAX_PUSH_PAGE} items")), "{message}");
    assert!(bureau.store.reviews(ReviewScope::All).await.unwrap().is_empty(), "nothing kept");
    // Reading the body (its chunks, then in one piece) and copying its items costs about three
    // times its 16 MB, 48 MB; finding all 8.4 million items before counting them cost 128 MB
    // more (176 MB).
    assert!(growth < 96.0, "refusing the page must not cost more than a few copies of its body: {growth:.1} MB");
}
