//! The bureau serving HTTPS itself, and a device that trusts the bureau's own certificate
//! authority enrolling and syncing over it.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::TestBureau;
use fieldcase_bureau::config::TlsFiles;
use fieldcase_device::sync::{self, Transport};
use fieldcase_device::{Device, OpenMode, SharedDevice};

/// A certificate authority and a certificate for `localhost` it issued, as PEM files.
fn authority_and_certificate(dir: &std::path::Path) -> (String, TlsFiles) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "西湖区人社局 test authority");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);

    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let files = TlsFiles { cert: dir.join("bureau.crt"), key: dir.join("bureau.key.pem") };
    std::fs::write(&files.cert, cert.pem()).unwrap();
    std::fs::write(&files.key, key.serialize_pem()).unwrap();
    (ca_cert.pem(), files)
}

#[tokio::test]
async fn a_device_enrolls_and_syncs_over_https_with_the_bureaus_own_authority() {
    let tmp = tempfile::tempdir().unwrap();
    let (ca_pem, files) = authority_and_certificate(tmp.path());
    let bureau = TestBureau::start_with(|config| config.tls = Some(files)).await;
    let https = bureau.url.replace("http://127.0.0.1", "https://localhost");

    // A client that does not trust the authority is refused by its own TLS check.
    let stranger = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    assert!(stranger.get(format!("{https}/api/v1/health")).send().await.is_err(), "an untrusted certificate");
    // Plain HTTP to the TLS port gets no answer.
    let plain = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    assert!(plain.get(format!("{}/api/v1/health", bureau.url)).send().await.is_err(), "no plain HTTP on it");

    let dir = tempfile::tempdir().unwrap();
    let device = SharedDevice::new(Device::open(dir.path(), OpenMode::CreateIfMissing).unwrap());
    let transport = Transport { insecure_http: false, ca_pem: Some(ca_pem) };
    sync::enroll(&device, &https, transport, &bureau.code().await, Some("laptop".into())).await.unwrap();
    let report = sync::sync_once(&device).await.unwrap();
    assert!(report.pushed > 0, "the audit chain went over https: {report:?}");
    assert!(device.lock().pull_cursor().unwrap() > 0, "and the feed came back over it");
    assert_eq!(device.lock().sync_status().unwrap().bureau_url.as_deref(), Some(https.as_str()));
}
