//! A tus client made of plain requests, checking on every answer what every tus answer must
//! carry.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::{Method, RequestBuilder, Response};
use sha2::Digest;

use fieldcase_core::ids::EvidenceId;
use fieldcase_core::upload::{TUS_VERSION, UPLOADS_PATH};

use crate::common::TestBureau;

/// A request under the uploads path with the device's token and `Tus-Resumable`.
pub fn tus(bureau: &TestBureau, method: Method, path: &str, token: &str) -> RequestBuilder {
    bureau
        .client
        .request(method, format!("{}{path}", bureau.url))
        .bearer_auth(token)
        .header("Tus-Resumable", TUS_VERSION)
}

/// Sends, and checks the answer says `Tus-Resumable: 1.0.0`.
pub async fn send(request: RequestBuilder) -> Response {
    let response = request.send().await.expect("the bureau answers");
    assert_eq!(
        response.headers().get("tus-resumable").map(|v| v.to_str().unwrap()),
        Some(TUS_VERSION),
        "every answer under the uploads path says Tus-Resumable, errors too ({} {})",
        response.status(),
        response.url()
    );
    response
}

pub fn metadata(evidence: &str) -> String {
    format!("filename {},evidence_id {}", STANDARD.encode("clip.mp4"), STANDARD.encode(evidence))
}

pub fn sha256_checksum(bytes: &[u8]) -> String {
    format!("sha256 {}", STANDARD.encode(sha2::Sha256::digest(bytes)))
}

/// POST: a new upload for `evidence` of `length` bytes.
pub async fn create(bureau: &TestBureau, token: &str, evidence: &EvidenceId, length: u64) -> Response {
    create_named(bureau, token, &evidence.to_string(), length).await
}

pub async fn create_named(bureau: &TestBureau, token: &str, evidence: &str, length: u64) -> Response {
    send(
        tus(bureau, Method::POST, UPLOADS_PATH, token)
            .header("Upload-Length", length.to_string())
            .header("Upload-Metadata", metadata(evidence)),
    )
    .await
}

/// POST that must create: the upload's relative location.
pub async fn created(bureau: &TestBureau, token: &str, evidence: &EvidenceId, length: u64) -> String {
    let response = create(bureau, token, evidence, length).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap_or_default());
    location(&response)
}

pub fn location(response: &Response) -> String {
    let location = response.headers().get("location").expect("a Location").to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("{UPLOADS_PATH}/")), "a relative Location under the path: {location}");
    location
}

/// PATCH: `bytes` at `offset`, with their sha256 checksum when `checked`.
pub async fn patch(bureau: &TestBureau, token: &str, at: &str, offset: u64, bytes: &[u8], checked: bool) -> Response {
    let mut request = tus(bureau, Method::PATCH, at, token)
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", offset.to_string());
    if checked {
        request = request.header("Upload-Checksum", sha256_checksum(bytes));
    }
    send(request.body(bytes.to_vec())).await
}

/// PATCH that must be taken: the new offset.
pub async fn patched(bureau: &TestBureau, token: &str, at: &str, offset: u64, bytes: &[u8]) -> u64 {
    let response = patch(bureau, token, at, offset, bytes, true).await;
    assert_eq!(response.status(), 204, "{}", response.text().await.unwrap_or_default());
    let now = offset_of(&response);
    assert_eq!(now, offset + bytes.len() as u64, "the offset moves by the chunk");
    now
}

pub fn offset_of(response: &Response) -> u64 {
    response.headers().get("upload-offset").expect("an Upload-Offset").to_str().unwrap().parse().unwrap()
}

/// HEAD: the answer, for its status and headers.
pub async fn head(bureau: &TestBureau, token: &str, at: &str) -> Response {
    send(tus(bureau, Method::HEAD, at, token)).await
}

/// HEAD that must find the upload: its offset.
pub async fn head_offset(bureau: &TestBureau, token: &str, at: &str) -> u64 {
    let response = head(bureau, token, at).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store", "a HEAD is never cached");
    offset_of(&response)
}

/// The code of an error answer.
pub async fn code_of(response: Response) -> String {
    let body: serde_json::Value = response.json().await.expect("an error is JSON");
    body["code"].as_str().expect("with a code").to_owned()
}

/// The upload id at the end of a location.
pub fn upload_id(location: &str) -> String {
    location.rsplit('/').next().unwrap().to_owned()
}

/// A PATCH written by hand on its own connection, its body still to send: for a client that
/// stops mid-chunk, or streams without a length. `extra` are more header lines.
pub async fn raw_patch(bureau: &TestBureau, token: &str, at: &str, offset: u64, extra: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let address = bureau.url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "PATCH {at} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nTus-Resumable: 1.0.0\r\n\
         Content-Type: application/offset+octet-stream\r\nUpload-Offset: {offset}\r\n{extra}\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}
