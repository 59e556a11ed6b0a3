//! `fieldcase bureau …` as operators and scripts use it: a real server process and the
//! administration commands on its data directory.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn fieldcase(data_dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_fieldcase"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("FIELDCASE_DATA_DIR")
        .env_remove("FIELDCASE_LISTEN")
        .output()
        .expect("the fieldcase binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A `fieldcase bureau serve` process and the address it printed.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(data_dir: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fieldcase"))
            .args(["bureau", "serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the bureau starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line).expect("a line");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("the first line says where: {line:?}"))
            .to_owned();
        Server { child, addr }
    }

    /// A plain HTTP/1.1 GET; the status and body.
    fn get(&self, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).expect("the bureau accepts connections");
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.addr).expect("sent");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("an answer");
        let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status line");
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        (status, body)
    }

    /// SIGTERM, as an operator's service manager sends it; the exit status.
    fn terminate(mut self) -> Option<i32> {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill runs");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("waitable") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        None
    }
}

#[test]
fn serve_prints_its_real_address_answers_and_stops_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    let server = Server::start(&dir);
    assert!(!server.addr.ends_with(":0"), "the real port is printed: {}", server.addr);
    let (status, body) = server.get("/api/v1/health");
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["status"], "ok");
    let (status, body) = server.get("/api/v1/changes");
    assert_eq!(status, 401);
    assert_eq!(json(&body)["code"], "unauthorized");

    // Administration beside the running server.
    let code = fieldcase(&dir, &["bureau", "enroll-code", "--label", "王敏", "--expires-in", "30m"]);
    assert_eq!(code.code, 0, "{}", code.stderr);
    let code = code.stdout.trim();
    assert_eq!(code.len(), 14, "a code like ABCD-EFGH-JKLM alone on its line: {code:?}");
    assert_eq!(code.matches('-').count(), 2);

    assert_eq!(server.terminate(), Some(0), "a SIGTERM is a clean stop");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("bureau.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the bureau's key is readable by its owner only");
    }
}

#[test]
fn evidence_commands_say_when_nothing_was_received_and_refuse_a_bad_id() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bureau");
    assert_eq!(fieldcase(&data, &["bureau", "seed-demo"]).code, 0);
    let list = fieldcase(&data, &["bureau", "evidence", "list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(list.stdout.contains("no evidence file received"), "{}", list.stdout);
    let listed = fieldcase(&data, &["--json", "bureau", "evidence", "list"]);
    assert_eq!(json(&listed.stdout), serde_json::json!([]));
    let verify = fieldcase(&data, &["bureau", "evidence", "verify"]);
    assert_eq!(verify.code, 0, "{}", verify.stderr);
    assert!(verify.stdout.contains("no sealed evidence file"), "{}", verify.stdout);
    let custody = fieldcase(&data, &["bureau", "evidence", "custody", "../../etc/passwd"]);
    assert_eq!(custody.code, 2, "a bad id is a usage error: {}", custody.stderr);
    let unknown = fieldcase(&data, &["bureau", "evidence", "custody", "0190f3a2-1b2c-7d4e-8f00-123456789abc"]);
    assert_eq!(unknown.code, 0);
    assert!(unknown.stdout.contains("no custody entry"), "{}", unknown.stdout);
}

#[test]
fn migrate_brings_a_new_or_current_database_to_the_schema_and_says_which() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    for _ in 0..2 {
        let run = fieldcase(&dir, &["bureau", "migrate", "--json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let said = json(&run.stdout)["migrated"].as_str().unwrap().to_owned();
        assert!(said.contains("bureau.db"), "names the database: {said}");
    }
    assert!(dir.join("bureau.db").is_file());
    assert_eq!(fieldcase(&dir, &["bureau", "devices"]).code, 0, "a bureau the other commands use");
}

#[test]
fn seeding_twice_adds_nothing_the_second_time() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    let first = fieldcase(&dir, &["bureau", "seed-demo"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stdout.contains("added 4"), "{}", first.stdout);
    let second = fieldcase(&dir, &["bureau", "seed-demo", "--json"]);
    assert_eq!(json(&second.stdout)["added"].as_array().map(Vec::len), Some(0));

    let sites = json(&fieldcase(&dir, &["bureau", "sites", "--json"]).stdout);
    let sites = sites.as_array().expect("a list");
    assert_eq!(sites.len(), 4);
    assert!(
        sites.iter().all(|s| s["uscc"].as_str().is_some_and(|u| u.len() == 18) && s["name"].is_string()),
        "{sites:?}"
    );
    let text = fieldcase(&dir, &["bureau", "sites"]).stdout;
    assert!(text.contains("浙江恒筑建设集团有限公司"), "{text}");

    for listing in ["devices", "inspections", "reviews"] {
        let run = fieldcase(&dir, &["bureau", listing, "--json"]);
        assert_eq!(run.code, 0, "{listing}: {}", run.stderr);
        assert_eq!(json(&run.stdout), serde_json::json!([]), "{listing} starts empty");
    }
}

#[test]
fn administration_on_a_missing_bureau_or_device_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nowhere");
    let run = fieldcase(&missing, &["bureau", "devices"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no bureau data") && run.stderr.contains("fieldcase bureau serve"), "{}", run.stderr);
    assert!(!missing.exists(), "a listing does not create a bureau");

    let dir = tmp.path().join("bureau");
    assert_eq!(fieldcase(&dir, &["bureau", "seed-demo"]).code, 0);
    let run = fieldcase(&dir, &["bureau", "revoke-device", "0190f3c2-7b1a-7c3e-9a55-2f1d0e6b8a41", "--json"]);
    assert_eq!(run.code, 1);
    assert_eq!(json(&run.stderr)["code"], "not_found", "{}", run.stderr);
    let run = fieldcase(&dir, &["bureau", "revoke-device", "laptop-7"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("device id"), "{}", run.stderr);

    let run = fieldcase(&dir, &["bureau", "enroll-code", "--expires-in", "soon"]);
    assert_eq!(run.code, 2, "a bad duration is a usage error: {}", run.stderr);
}

/// A code's lifetime is added to the clock: one that reaches past the years a record's time
/// may fall in (or past what chrono holds: 100000000d used to panic) is refused, saying why.
#[test]
fn an_enrollment_code_that_would_expire_past_the_years_a_record_may_fall_in_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    for beyond in ["99999999999999999999d", "9223372036854775807s"] {
        let run = fieldcase(&dir, &["bureau", "enroll-code", "--expires-in", beyond]);
        assert_eq!(run.code, 2, "{beyond} is no duration to be had: {}", run.stderr);
        assert!(run.stderr.contains("--expires-in") && run.stderr.contains("too long"), "{}", run.stderr);
    }
    for far in ["100000000d", "73000d"] {
        let run = fieldcase(&dir, &["bureau", "enroll-code", "--expires-in", far, "--json"]);
        assert_eq!(run.code, 1, "{far}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{far} must not panic: {}", run.stderr);
        let error = json(&run.stderr);
        assert_eq!(error["code"], "invalid_input", "{error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("--expires-in") && message.contains("2200"), "{message}");
    }
    assert_eq!(fieldcase(&dir, &["bureau", "enroll-code", "--expires-in", "30d"]).code, 0, "a month is fine");
}

#[test]
fn a_data_directory_that_cannot_be_written_stops_serve_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fieldcase"))
        .args(["bureau", "serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(file.join("bureau"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be used") && stderr.contains("--data-dir"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("listening"), "it never listened");
}

#[test]
fn units_are_set_for_officers_and_given_on_enrollment_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bureau");
    assert_eq!(fieldcase(&dir, &["bureau", "seed-demo"]).code, 0);
    let officers = json(&fieldcase(&dir, &["bureau", "officer", "list", "--json"]).stdout);
    let unit_of = |officers: &serde_json::Value, id: &str| {
        officers.as_array().unwrap().iter().find(|o| o["officer"] == id).map(|o| o["unit"].clone())
    };
    assert_eq!(unit_of(&officers, "JC-0107"), Some(serde_json::json!("执法一队")), "the demo officers' unit");

    let moved = fieldcase(&dir, &["bureau", "officer", "set-unit", "JC-0112", "执法二队"]);
    assert_eq!(moved.code, 0, "{}", moved.stderr);
    assert!(moved.stdout.contains("JC-0112 is of 执法二队"), "{}", moved.stdout);
    let officers = json(&fieldcase(&dir, &["bureau", "officer", "list", "--json"]).stdout);
    assert_eq!(unit_of(&officers, "JC-0112"), Some(serde_json::json!("执法二队")));
    assert!(fieldcase(&dir, &["bureau", "officer", "list"]).stdout.contains("执法二队"));
    let nobody = fieldcase(&dir, &["bureau", "officer", "set-unit", "JC-0999", "执法二队"]);
    assert_eq!(nobody.code, 1);
    assert!(nobody.stderr.contains("cert issue"), "{}", nobody.stderr);
    let cleared = fieldcase(&dir, &["bureau", "officer", "set-unit", "JC-0112", "--none"]);
    assert_eq!(cleared.code, 0, "{}", cleared.stderr);
    assert!(cleared.stdout.contains("no device signs them in"), "{}", cleared.stdout);

    let code = fieldcase(&dir, &["bureau", "enroll-code", "--unit", "执法二队", "--unit", "执法一队", "--json"]);
    assert_eq!(code.code, 0, "{}", code.stderr);
    assert_eq!(json(&code.stdout)["units"], serde_json::json!(["执法一队", "执法二队"]), "sorted");
    let blank = fieldcase(&dir, &["bureau", "enroll-code", "--unit", " "]);
    assert_eq!(blank.code, 1);
    assert!(blank.stderr.contains("blank"), "{}", blank.stderr);
    let unitless = fieldcase(&dir, &["bureau", "enroll-code"]);
    assert_eq!(unitless.code, 0);
    assert!(unitless.stderr.contains("no unit"), "a code for no unit says what it means: {}", unitless.stderr);

    let unknown =
        fieldcase(&dir, &["bureau", "device-unit", "0190f3c2-7b1a-7c3e-9a55-2f1d0e6b8a41", "--unit", "执法一队"]);
    assert_eq!(unknown.code, 1);
    assert!(unknown.stderr.contains("0190f3c2-7b1a-7c3e-9a55-2f1d0e6b8a41"), "{}", unknown.stderr);
    assert_eq!(
        fieldcase(&dir, &["bureau", "device-unit", "0190f3c2-7b1a-7c3e-9a55-2f1d0e6b8a41"]).code,
        2,
        "a unit or --none"
    );
}
