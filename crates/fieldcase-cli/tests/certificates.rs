//! `fieldcase bureau cert | officer | key | admin-token` as administrators and scripts use
//! them: real processes on a bureau's data directory, their output, exit codes and what they
//! leave in the registry devices receive.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use fieldcase_bureau::store::sqlite::SqliteStore;
use fieldcase_bureau::store::{BureauStore, PageBound};
use fieldcase_core::registry::{Credential, KeyId, KeyRotation, RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::PublicKey;
use fieldcase_core::wire::ChangeRecord;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn fieldcase_with_input(data_dir: &Path, args: &[&str], input: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fieldcase"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("FIELDCASE_DATA_DIR")
        .env("USER", "admin-li")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the fieldcase binary runs");
    let mut stdin = child.stdin.take().expect("piped");
    if let Some(input) = input {
        stdin.write_all(input.as_bytes()).expect("input written");
    }
    drop(stdin);
    let out = child.wait_with_output().expect("it finishes");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn fieldcase(data_dir: &Path, args: &[&str]) -> Run {
    fieldcase_with_input(data_dir, args, None)
}

/// Runs a command that must succeed; its stdout.
fn ok(data_dir: &Path, args: &[&str]) -> String {
    let run = fieldcase(data_dir, args);
    assert_eq!(run.code, 0, "{args:?} failed: {}", run.stderr);
    run.stdout
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn issue(dir: &Path, number: &str, officer: &str, name: &str) -> Run {
    fieldcase(
        dir,
        &[
            "bureau",
            "cert",
            "issue",
            "--number",
            number,
            "--officer-id",
            officer,
            "--name",
            name,
            "--unit",
            "杭州市西湖区人力资源和社会保障局",
            "--area",
            "劳动保障监察",
            "--valid-from",
            "2024-01-01",
            "--valid-until",
            "2028-12-31",
        ],
    )
}

/// The certificates as `cert list --json` shows them.
fn listed(dir: &Path) -> Vec<serde_json::Value> {
    json(&ok(dir, &["bureau", "cert", "list", "--json"])).as_array().cloned().unwrap_or_default()
}

/// The bureau's active public key, as `key list` shows it.
fn active_key(dir: &Path) -> PublicKey {
    let keys = json(&ok(dir, &["bureau", "key", "list", "--json"]));
    let active = keys.as_array().unwrap().iter().find(|k| k["active"] == true).expect("an active key").clone();
    active["public_key"].as_str().unwrap().parse().expect("a public key")
}

/// Everything in the change feed, read from the bureau's database.
async fn feed(dir: &Path) -> Vec<ChangeRecord> {
    let store = SqliteStore::open_async(dir.join(fieldcase_bureau::DB_FILE)).await.expect("the bureau's database");
    store
        .changes(0, PageBound::changes(10_000), None)
        .await
        .expect("the feed")
        .changes
        .into_iter()
        .map(|c| c.record)
        .collect()
}

fn registry(feed: &[ChangeRecord]) -> Vec<SignedRegistryUpdate> {
    feed.iter()
        .filter_map(|r| match r {
            ChangeRecord::Registry(u) => Some(u.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn each_action_is_done_or_refused_with_a_reason_and_kept_in_the_history() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    let number = "33010620240107";

    let run = issue(&dir, number, "JC-0107", "王敏");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("issued certificate 33010620240107 to JC-0107 王敏")
            && run.stdout.contains("registry version 1"),
        "{}",
        run.stdout
    );

    // Refusals: exit 1 with what to do; nothing changes.
    let duplicate = issue(&dir, number, "JC-0107", "王敏");
    assert_eq!(duplicate.code, 1);
    assert!(duplicate.stderr.contains("already in the registry"), "{}", duplicate.stderr);
    let bad_officer = issue(&dir, "33010620240108", "JC 0108", "王敏");
    assert_eq!(bad_officer.code, 1);
    assert!(
        bad_officer.stderr.contains("not an officer id") && bad_officer.stderr.contains("JC-0107"),
        "an example shows how: {}",
        bad_officer.stderr
    );
    let bad_date = fieldcase(&dir, &["bureau", "cert", "renew", number, "--valid-until", "31/12/2030", "--json"]);
    assert_eq!(bad_date.code, 1);
    assert_eq!(json(&bad_date.stderr)["code"], "invalid_input");
    assert!(json(&bad_date.stderr)["message"].as_str().unwrap().contains("YYYY-MM-DD"));
    let unknown = fieldcase(&dir, &["bureau", "cert", "suspend", "33019999999999", "--reason", "x", "--json"]);
    assert_eq!(unknown.code, 1);
    assert_eq!(json(&unknown.stderr)["code"], "not_found");
    assert!(json(&unknown.stderr)["message"].as_str().unwrap().contains("cert list"), "{}", unknown.stderr);

    // Usage: a missing --reason or --valid-until, or a date where none belongs.
    assert_eq!(fieldcase(&dir, &["bureau", "cert", "suspend", number]).code, 2, "suspend needs --reason");
    assert_eq!(fieldcase(&dir, &["bureau", "cert", "revoke", number]).code, 2, "revoke needs --reason");
    assert_eq!(fieldcase(&dir, &["bureau", "cert", "renew", number]).code, 2, "renew needs --valid-until");
    assert_eq!(
        fieldcase(&dir, &["bureau", "cert", "suspend", number, "--reason", "x", "--valid-until", "2030-01-01"]).code,
        2
    );
    assert_eq!(fieldcase(&dir, &["bureau", "cert", "issue", "--number", "1"]).code, 2, "issue's options are required");
    let untouched = listed(&dir);
    assert_eq!(
        (untouched.len(), untouched[0]["registry_version"].as_u64()),
        (1, Some(1)),
        "nothing was changed by a refusal"
    );

    let out = ok(&dir, &["bureau", "cert", "suspend", number, "--reason", "涉嫌违纪，暂停执法"]);
    assert!(out.contains("suspended certificate 33010620240107: 涉嫌违纪，暂停执法"), "{out}");
    ok(&dir, &["bureau", "cert", "reinstate", number]);
    let out = ok(&dir, &["bureau", "cert", "renew", number, "--valid-until", "2030-12-31", "--reason", "续期"]);
    assert!(out.contains("valid until 2030-12-31"), "{out}");
    ok(&dir, &["bureau", "cert", "revoke", number, "--reason", "调离执法岗位"]);
    let final_ = fieldcase(&dir, &["bureau", "cert", "reinstate", number]);
    assert_eq!(final_.code, 1);
    assert!(final_.stderr.contains("final") && final_.stderr.contains("new number"), "{}", final_.stderr);

    let history = json(&ok(&dir, &["bureau", "cert", "history", number, "--json"]));
    let rows = history.as_array().unwrap();
    let actions: Vec<&str> = rows.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["issued", "suspended", "reinstated", "renewed", "revoked"]);
    let states: Vec<&str> = rows.iter().map(|e| e["state"]["status"].as_str().unwrap()).collect();
    assert_eq!(states, vec!["active", "suspended", "active", "active", "revoked"], "each row keeps the state it left");
    assert_eq!(rows[1]["reason"], "涉嫌违纪，暂停执法");
    assert_eq!(rows[4]["reason"], "调离执法岗位");
    assert!(rows.iter().all(|e| e["actor"] == "cli:admin-li"), "who did it is kept: {history}");
    assert!(rows.windows(2).all(|w| w[0]["at"].as_str() <= w[1]["at"].as_str()), "in time order");
    let text = ok(&dir, &["bureau", "cert", "history", number]);
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.contains("reason: 调离执法岗位"), "{text}");

    let list = listed(&dir);
    assert_eq!(list[0]["status"], "revoked");
    assert_eq!(list[0]["valid_until"], "2030-12-31");
    assert!(ok(&dir, &["bureau", "cert", "list"]).contains("33010620240107  revoked"), "one line per certificate");
    assert_eq!(fieldcase(&dir, &["bureau", "cert", "history", "33019999"]).code, 1);
}

/// A certificate valid until 9999, or from 1900, is a typing mistake: every date an
/// administrator gives lies in the years a record may fall in (2000 to 2200).
#[test]
fn certificate_dates_outside_the_years_a_record_may_fall_in_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    let issue_with = |from: &str, until: &str| {
        let base = ["bureau", "cert", "issue", "--number", "33010620240107", "--officer-id", "JC-0107"];
        let rest = ["--name", "王敏", "--unit", "杭州市西湖区人力资源和社会保障局", "--area", "劳动保障监察"];
        let dates = ["--valid-from", from, "--valid-until", until, "--json"];
        fieldcase(&dir, &[&base[..], &rest[..], &dates[..]].concat())
    };
    for (from, until, field) in
        [("2024-01-01", "9999-12-31", "valid_until"), ("1900-01-01", "2028-12-31", "valid_from")]
    {
        let run = issue_with(from, until);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let error = json(&run.stderr);
        assert_eq!(error["code"], "invalid_input", "{error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(field) && message.contains("2000") && message.contains("2200"), "{message}");
    }

    assert_eq!(issue_with("2024-01-01", "2028-12-31").code, 0);
    assert_eq!(listed(&dir).len(), 1, "the refused ones were not issued");
    let renew =
        fieldcase(&dir, &["bureau", "cert", "renew", "33010620240107", "--valid-until", "9999-12-31", "--json"]);
    assert_eq!(renew.code, 1);
    assert_eq!(json(&renew.stderr)["code"], "invalid_input");
    assert_eq!(listed(&dir)[0]["valid_until"], "2028-12-31", "the certificate keeps its last day");

    let file = tmp.path().join("far.csv");
    std::fs::write(
        &file,
        format!(
            "{HEADER}\n33010620250004,JC-2004,吴军,杭州市西湖区人力资源和社会保障局,劳动保障监察,2025-01-01,2999-12-31\n"
        ),
    )
    .unwrap();
    let run = fieldcase(&dir, &["bureau", "cert", "import", file.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("line 2") && run.stderr.contains("column valid_until"), "{}", run.stderr);
    assert_eq!(listed(&dir).len(), 1, "nothing of the file was imported");
}

const HEADER: &str = "number,officer_id,name,unit,areas,valid_from,valid_until";

#[tokio::test]
async fn an_import_is_one_version_or_nothing_at_all() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    let good = tmp.path().join("certificates.csv");
    std::fs::write(
        &good,
        format!(
            "\u{feff}{HEADER}\r\n\
             33010620250001,JC-2001,陈静,杭州市西湖区人力资源和社会保障局,劳动保障监察,2025-01-01,2029-12-31\r\n\
             33010620250002,JC-2002,刘洋,\"杭州市西湖区人力资源和社会保障局, 监察大队\",劳动保障监察;安全生产,2025-01-01,2029-12-31\r\n\
             33010620250003,JC-2003,周婷,杭州市西湖区人力资源和社会保障局,劳动保障监察,2025-03-01,2030-02-28\r\n"
        ),
    )
    .unwrap();
    let out = ok(&dir, &["bureau", "cert", "import", good.to_str().unwrap()]);
    assert!(out.contains("imported 3 certificates"), "{out}");
    let list = listed(&dir);
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|c| c["registry_version"] == 1), "one version for the whole file: {list:?}");
    assert_eq!(list[1]["areas"], serde_json::json!(["劳动保障监察", "安全生产"]));
    assert_eq!(list[1]["issuing_unit"], "杭州市西湖区人力资源和社会保障局, 监察大队");
    assert_eq!(registry(&feed(&dir).await).len(), 1, "one registry version in the feed");

    // A bad date on line 3: the file is refused whole, naming the line and the column.
    let bad = tmp.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{HEADER}\n\
             33010620250004,JC-2004,吴军,杭州市西湖区人力资源和社会保障局,劳动保障监察,2025-01-01,2029-12-31\n\
             33010620250005,JC-2005,郑琳,杭州市西湖区人力资源和社会保障局,劳动保障监察,2025-01-01,2029-02-30\n"
        ),
    )
    .unwrap();
    let run = fieldcase(&dir, &["bureau", "cert", "import", bad.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("line 3") && run.stderr.contains("column valid_until") && run.stderr.contains("YYYY-MM-DD"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing from the file was imported"), "{}", run.stderr);
    assert!(run.stderr.contains("bad.csv"), "names the file: {}", run.stderr);
    assert_eq!(listed(&dir).len(), 3, "line 2 was not applied either");

    // A number the registry already has, on line 3.
    std::fs::write(
        &bad,
        format!(
            "{HEADER}\n\
             33010620250006,JC-2006,孙悦,杭州市西湖区人力资源和社会保障局,劳动保障监察,2025-01-01,2029-12-31\n\
             33010620250002,JC-2002,刘洋,杭州市西湖区人力资源和社会保障局,劳动保障监察,2025-01-01,2029-12-31\n"
        ),
    )
    .unwrap();
    let run = fieldcase(&dir, &["bureau", "cert", "import", bad.to_str().unwrap(), "--json"]);
    assert_eq!(run.code, 1);
    let err = json(&run.stderr);
    assert_eq!(err["code"], "duplicate");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("line 3, column number") && message.contains("already in the registry"), "{message}");
    assert_eq!(listed(&dir).len(), 3, "nothing of the file applied");
    assert_eq!(registry(&feed(&dir).await).len(), 1, "and nothing published");

    std::fs::write(&bad, "编号,姓名\n1,甲\n").unwrap();
    let run = fieldcase(&dir, &["bureau", "cert", "import", bad.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains(HEADER), "says what the header is: {}", run.stderr);
}

/// The text of the one QR code in a PNG file.
fn read_qr(png: &Path) -> String {
    let image = image::open(png).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("it decodes").1
}

#[test]
fn a_cards_qr_code_decodes_to_a_credential_signed_by_the_bureau() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    assert_eq!(issue(&dir, "33010620240107", "JC-0107", "王敏").code, 0);
    let png = tmp.path().join("card.png");
    let out = ok(&dir, &["bureau", "cert", "qr", "33010620240107", "--out", png.to_str().unwrap()]);
    let printed = out.trim();
    assert!(printed.starts_with("FC1.") && !printed.contains('\n'), "the credential text alone: {out}");

    let text = read_qr(&png);
    assert_eq!(text, printed, "the PNG carries the printed credential");
    let credential = Credential::decode(&text).expect("a credential");
    let key = active_key(&dir);
    assert_eq!(credential.verify(&key), Ok(()), "signed with the bureau's key");
    assert_eq!(credential.claims.number, "33010620240107");
    assert_eq!(credential.claims.holder.as_str(), "JC-0107");
    assert_eq!(credential.claims.holder_name, "王敏");
    assert_eq!(credential.claims.valid_until.to_string(), "2028-12-31");
    assert_eq!(credential.claims.key_id, KeyId::of(&key));

    ok(&dir, &["bureau", "cert", "revoke", "33010620240107", "--reason", "注销"]);
    let run = fieldcase(
        &dir,
        &["bureau", "cert", "qr", "33010620240107", "--out", tmp.path().join("no.png").to_str().unwrap()],
    );
    assert_eq!(run.code, 1, "no card for a revoked certificate");
    assert!(!tmp.path().join("no.png").exists());
    assert_eq!(fieldcase(&dir, &["bureau", "cert", "qr", "33019999", "--out", png.to_str().unwrap()]).code, 1);
}

#[tokio::test]
async fn a_pin_is_kept_only_as_an_argon2id_verifier_that_devices_receive() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    assert_eq!(issue(&dir, "33010620240107", "JC-0107", "王敏").code, 0);
    let pin = "90417358";

    let run = fieldcase_with_input(&dir, &["bureau", "officer", "set-pin", "JC-0107"], Some(&format!("{pin}\n")));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains(pin) && !run.stderr.contains(pin), "the PIN is never printed");
    assert!(run.stdout.contains("PIN set for JC-0107"), "{}", run.stdout);

    let bad = fieldcase_with_input(&dir, &["bureau", "officer", "set-pin", "JC-0107"], Some("12ab\n"));
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("6 to 12 digits"), "{}", bad.stderr);
    assert_eq!(
        fieldcase_with_input(&dir, &["bureau", "officer", "set-pin", "JC-0107"], Some("12345\n")).code,
        1,
        "five digits are too few: a guess in a hundred thousand"
    );
    let nobody = fieldcase_with_input(&dir, &["bureau", "officer", "set-pin", "JC-0999"], Some("123456\n"));
    assert_eq!(nobody.code, 1);
    assert!(nobody.stderr.contains("cert issue"), "{}", nobody.stderr);

    let updates = registry(&feed(&dir).await);
    assert_eq!(updates.len(), 2, "the issue, then the PIN");
    let update: RegistryUpdate = updates[1].open(&active_key(&dir)).expect("signed by the bureau");
    assert_eq!(update.from_version, Some(1));
    let entry = update.officers.iter().find(|o| o.officer.as_str() == "JC-0107").expect("the officer");
    let verifier = entry.pin_verifier.as_deref().expect("a verifier");
    let parsed = PasswordHash::new(verifier).expect("a PHC string");
    assert_eq!(parsed.algorithm.as_str(), "argon2id");
    let argon2 = argon2::Argon2::default();
    assert!(argon2.verify_password(pin.as_bytes(), &parsed).is_ok(), "the verifier verifies the PIN");
    assert!(argon2.verify_password(b"90417359", &parsed).is_err(), "and no other");

    // The PIN itself is nowhere in the bureau's data directory.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.windows(pin.len()).any(|w| w == pin.as_bytes()), "{} holds the PIN", path.display());
    }
    let officers = json(&ok(&dir, &["bureau", "officer", "list", "--json"]));
    assert_eq!(officers[0]["has_pin"], true);
    assert!(!officers.to_string().contains("argon2"), "listings do not show verifiers");
}

#[tokio::test]
async fn a_key_rotation_is_signed_by_the_old_key_and_what_follows_by_the_new() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    assert_eq!(issue(&dir, "33010620240107", "JC-0107", "王敏").code, 0);
    let old = active_key(&dir);

    let rotated = json(&ok(&dir, &["bureau", "key", "rotate", "--json"]));
    assert_eq!(rotated["old_key_id"], KeyId::of(&old).0);
    let new = active_key(&dir);
    assert_ne!(new, old);
    assert_eq!(rotated["new_public_key"], new.to_string());
    let keys = json(&ok(&dir, &["bureau", "key", "list", "--json"]));
    assert_eq!(keys.as_array().unwrap().len(), 2);
    assert!(
        keys.as_array()
            .unwrap()
            .iter()
            .any(|k| k["key_id"] == KeyId::of(&old).0 && k["active"] == false && k["retired_at"].is_string())
    );

    assert_eq!(issue(&dir, "33010620240112", "JC-0112", "李强").code, 0);
    let records = feed(&dir).await;
    let rotation_at =
        records.iter().position(|r| matches!(r, ChangeRecord::KeyRotation(_))).expect("the rotation is in the feed");
    let ChangeRecord::KeyRotation(rotation) = &records[rotation_at] else { unreachable!() };
    let rotation: &KeyRotation = rotation;
    assert_eq!(rotation.verify(&old), Ok(new), "the old key vouches for the new one");
    let updates = registry(&records);
    assert!(updates[0].open(&old).is_ok(), "before: the old key");
    assert!(updates[1].open(&new).is_ok(), "after: the new key");
    assert!(updates[1].open(&old).is_err());
    let after =
        records.iter().position(|r| matches!(r, ChangeRecord::Registry(u) if u.key_id == KeyId::of(&new))).unwrap();
    assert!(after > rotation_at, "the rotation comes before anything the new key signed");

    let png = tmp.path().join("card.png");
    let text = ok(&dir, &["bureau", "cert", "qr", "33010620240107", "--out", png.to_str().unwrap()]);
    let credential = Credential::decode(&text).unwrap();
    assert_eq!(credential.verify(&new), Ok(()), "cards printed now carry the new key's signature");
    assert!(credential.verify(&old).is_err());
    assert!(!dir.join(fieldcase_bureau::keys::NEXT_KEY_FILE).exists());
}

#[tokio::test]
async fn the_demo_has_its_certificates_and_pins_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    let out = ok(&dir, &["bureau", "seed-demo"]);
    assert!(out.contains("added 4 demonstration certificates"), "{out}");
    let list = listed(&dir);
    let status = |number: &str| {
        list.iter()
            .find(|c| c["number"] == number)
            .map(|c| (c["holder"].as_str().unwrap().to_owned(), c["status"].as_str().unwrap().to_owned()))
    };
    assert_eq!(status("33010620240107"), Some(("JC-0107".into(), "active".into())));
    assert_eq!(status("33010620240112"), Some(("JC-0112".into(), "active".into())));
    assert_eq!(status("33010620240120"), Some(("JC-0120".into(), "revoked".into())));
    assert_eq!(status("33010620190099"), Some(("JC-0099".into(), "active".into())));
    let expired = list.iter().find(|c| c["number"] == "33010620190099").unwrap();
    assert_eq!(expired["valid_until"], "2023-12-31", "expired by its dates");
    assert!(list.iter().filter(|c| c["status"] == "active").all(|c| c["areas"] == serde_json::json!(["劳动保障监察"])));

    let before = feed(&dir).await.len();
    let again = json(&ok(&dir, &["bureau", "seed-demo", "--json"]));
    assert_eq!(again["certificates_added"], serde_json::json!([]));
    assert_eq!(again["pins_set"], serde_json::json!([]));
    assert_eq!(feed(&dir).await.len(), before, "seeding again publishes nothing");

    let update = registry(&feed(&dir).await).last().unwrap().open(&active_key(&dir)).unwrap();
    for (officer, pin) in [("JC-0107", "107107"), ("JC-0112", "112112")] {
        let entry = update.officers.iter().find(|o| o.officer.as_str() == officer).expect("the demo officer");
        let hash = PasswordHash::new(entry.pin_verifier.as_deref().unwrap()).unwrap();
        assert!(
            argon2::Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok(),
            "{officer} signs in with {pin}"
        );
    }
}

#[test]
fn an_administrators_token_is_printed_once_and_kept_as_a_hash() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    let token = ok(&dir, &["bureau", "admin-token", "--label", "李管理员"]).trim().to_owned();
    assert!(token.starts_with("fca_") && token.len() == 68, "{token}");
    let other = ok(&dir, &["bureau", "admin-token"]).trim().to_owned();
    assert_ne!(token, other);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(&token[4..]), "only the hash is kept");
    }
}

/// An administrator's token lasts 90 days unless told otherwise, is listed without ever
/// being shown again, and is revoked by the hash prefix the list shows.
#[test]
fn administrators_tokens_expire_are_listed_and_are_revoked_by_their_hash_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    let li = ok(&dir, &["bureau", "admin-token", "--label", "李管理员", "--expires-in", "30d"]).trim().to_owned();
    let made = json(&ok(&dir, &["bureau", "admin-token", "--label", "王管理员", "--json"]));
    let wang = made["token"].as_str().unwrap().to_owned();

    let listed = json(&ok(&dir, &["bureau", "admin-token", "list", "--json"]));
    let listed = listed.as_array().expect("a list");
    assert_eq!(listed.len(), 2);
    let text = serde_json::to_string(listed).unwrap();
    assert!(!text.contains(&li[4..]) && !text.contains(&wang[4..]), "a listing never shows a token: {text}");
    let days = |t: &serde_json::Value| {
        let at = |field: &str| chrono::DateTime::parse_from_rfc3339(t[field].as_str().unwrap()).unwrap();
        (at("expires_at") - at("created_at")).num_days()
    };
    let by_label = |label: &str| listed.iter().find(|t| t["label"] == label).unwrap_or_else(|| panic!("{label}"));
    assert_eq!(days(by_label("李管理员")), 30, "as asked");
    assert_eq!(days(by_label("王管理员")), 90, "the default");
    for t in listed {
        assert!(t["last_used"].is_null() && t["revoked_at"].is_null(), "{t}");
        assert_eq!(t["hash_prefix"].as_str().map(str::len), Some(8), "{t}");
    }
    let prefix = by_label("李管理员")["hash_prefix"].as_str().unwrap().to_owned();
    let text = ok(&dir, &["bureau", "admin-token", "list"]);
    assert!(text.contains(&prefix) && text.contains("李管理员") && text.contains("expires"), "{text}");
    assert!(!text.contains(&li[4..]), "{text}");

    for (lifetime, exit) in [("0d", 2), ("400d", 1), ("73000d", 1)] {
        let run = fieldcase(&dir, &["bureau", "admin-token", "--expires-in", lifetime]);
        assert_eq!(run.code, exit, "{lifetime}: {}", run.stderr);
        assert!(run.stderr.contains("--expires-in") || run.stderr.contains("no time"), "{lifetime}: {}", run.stderr);
    }

    let run = fieldcase(&dir, &["bureau", "admin-token", "revoke", &prefix.to_uppercase()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(&prefix) && run.stdout.contains("revoked"), "{}", run.stdout);
    let listed = json(&ok(&dir, &["bureau", "admin-token", "list", "--json"]));
    let revoked: Vec<_> = listed.as_array().unwrap().iter().filter(|t| !t["revoked_at"].is_null()).collect();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0]["label"], "李管理员");

    let unknown = if prefix.starts_with("ffff") { "eeee0000" } else { "ffff0000" };
    for (words, code) in [(unknown, "not_found"), ("ab", "invalid_input"), ("not-hex!", "invalid_input")] {
        let run = fieldcase(&dir, &["bureau", "admin-token", "revoke", words, "--json"]);
        assert_eq!(run.code, 1, "{words}: {}", run.stderr);
        let error = json(&run.stderr);
        assert_eq!(error["code"], code, "{words}: {error}");
        assert!(error["message"].as_str().unwrap().contains("admin-token list"), "says where prefixes are: {error}");
    }
}
