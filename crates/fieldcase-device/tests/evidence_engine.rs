//! The evidence engine over real files: a generated recorder folder scanned, dated and
//! imported (hashes checked against `sha256sum`), a 2 GiB import in bounded memory, and the
//! vault's promises (stored once, nothing left by a cancel, a changed byte found).

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use fieldcase_device::evidence::sample::{self, ExpectedSkip};
use fieldcase_device::evidence::{self, MediaKind, SkipReason, Vault};

fn never() -> AtomicBool {
    AtomicBool::new(false)
}

/// Every regular file below `dir`, as `sha256sum` hashes it.
fn sha256sum(paths: &[PathBuf]) -> BTreeMap<PathBuf, String> {
    let out = Command::new("sha256sum").args(paths).output().expect("sha256sum (coreutils) is installed");
    assert!(out.status.success(), "sha256sum failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let (hash, path) = line.split_once("  ").unwrap();
            (PathBuf::from(path), hash.to_owned())
        })
        .collect()
}

/// The files under `dir`, at any depth.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { found.extend(files_under(&path)) } else { found.push(path) }
    }
    found
}

#[test]
fn a_recorder_folder_is_sorted_dated_and_imported_with_the_hashes_sha256sum_gives() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("recorder");
    let manifest = sample::write_recorder_folder(&folder).unwrap();
    let scan = evidence::scan(&folder).unwrap();

    let found: Vec<_> = scan.files.iter().map(|c| (c.relative.as_path(), c.kind)).collect();
    let expected: Vec<_> = manifest.media().map(|(relative, kind, _)| (relative, kind)).collect();
    assert_eq!(found, expected, "the media files, by content, in path order");
    assert!(found.iter().any(|(_, k)| *k == MediaKind::Audio) && found.iter().any(|(_, k)| *k == MediaKind::Photo));

    let skipped: Vec<_> = scan
        .skipped
        .iter()
        .map(|s| {
            let why = match s.reason {
                SkipReason::NotMedia { .. } => ExpectedSkip::NotMedia,
                SkipReason::Empty => ExpectedSkip::Empty,
                SkipReason::NotRegularFile { .. } => ExpectedSkip::NotRegularFile,
                SkipReason::Unreadable { .. } => panic!("{} should be readable: {}", s.path.display(), s.reason),
            };
            (s.path.strip_prefix(&folder).unwrap(), why)
        })
        .collect();
    assert_eq!(skipped, manifest.skipped().collect::<Vec<_>>(), "junk, an empty file and a link are skipped");
    let fake = scan.skipped.iter().find(|s| s.path.ends_with("DCIM/100MEDIA/.MP4")).unwrap();
    assert_eq!(fake.reason.to_string(), "not a video, audio recording or photo (its content looks like text)");

    for (candidate, (relative, kind, capture)) in scan.files.iter().zip(manifest.media()) {
        let got = evidence::read_capture_time(&candidate.path, kind);
        assert_eq!(got.as_ref(), capture, "capture time of {}", relative.display());
    }

    let vault = Vault::open(&dir.path().join("vault")).unwrap();
    let by_sha256sum = sha256sum(&scan.files.iter().map(|c| c.path.clone()).collect::<Vec<_>>());
    for candidate in &scan.files {
        let stored = vault.import_copy(&candidate.path, &|_| {}, &never()).unwrap();
        assert_eq!(stored.sha256.to_hex(), by_sha256sum[&candidate.path], "hash of {}", candidate.relative.display());
        assert_eq!(stored.size, candidate.size);
        assert!(stored.newly_stored);
        let in_vault = vault.path_of(&stored.sha256);
        assert_eq!(std::fs::read(&in_vault).unwrap(), std::fs::read(&candidate.path).unwrap(), "the copy is exact");
        let in_place = Vault::hash_in_place(&candidate.path, &|_| {}, &never()).unwrap();
        assert_eq!((in_place.sha256, in_place.newly_stored), (stored.sha256, false));
    }
    let stored = files_under(vault.root());
    assert_eq!(stored.len(), scan.files.len(), "one file per import, no temporary left: {stored:?}");
    let vault_sums = sha256sum(&stored);
    for (path, hash) in vault_sums {
        assert_eq!(path.file_name().unwrap().to_str().unwrap(), hash, "each vault file is named by its SHA-256");
    }
}

#[test]
fn photos_get_a_thumbnail_within_the_size_asked() {
    let dir = tempfile::tempdir().unwrap();
    sample::write_recorder_folder(dir.path()).unwrap();
    let jpeg = evidence::thumbnail_jpeg(&dir.path().join("DCIM/100MEDIA/IMG_0002.JPG"), 64).unwrap();
    let small = image::load_from_memory(&jpeg).unwrap();
    assert_eq!((small.width(), small.height()), (48, 64), "a 240×320 photo fits 64 pixels, keeping its shape");
    let not_a_photo = evidence::thumbnail_jpeg(&dir.path().join("notes.txt"), 64);
    assert!(not_a_photo.is_err(), "text has no thumbnail");
}

#[test]
fn the_same_bytes_are_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.mp4"), dir.path().join("b.mp4"));
    let bytes: Vec<u8> = (0..(9 << 20)).map(|i: u32| (i % 251) as u8).collect();
    std::fs::write(&a, &bytes).unwrap();
    std::fs::write(&b, &bytes).unwrap();
    let vault = Vault::open(&dir.path().join("vault")).unwrap();
    let first = vault.import_copy(&a, &|_| {}, &never()).unwrap();
    let again = vault.import_copy(&a, &|_| {}, &never()).unwrap();
    let elsewhere = vault.import_copy(&b, &|_| {}, &never()).unwrap();
    assert!(first.newly_stored);
    assert_eq!((again.sha256, again.newly_stored), (first.sha256, false), "importing again stores nothing");
    assert_eq!((elsewhere.sha256, elsewhere.newly_stored), (first.sha256, false), "the same bytes under another name");
    assert_eq!(files_under(vault.root()), vec![vault.path_of(&first.sha256)], "one file, no temporary left");
    assert!(vault.contains(&first.sha256));
}

#[test]
fn a_cancel_mid_import_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("long.mp4");
    std::fs::write(&src, vec![7u8; 40 << 20]).unwrap();
    let vault = Vault::open(&dir.path().join("vault")).unwrap();
    let cancel = never();
    let seen = std::cell::Cell::new(0u64);
    let progress = |done: u64| {
        seen.set(done);
        cancel.store(true, Ordering::Relaxed);
    };
    let refused = vault.import_copy(&src, &progress, &cancel).unwrap_err();
    assert!(matches!(refused, evidence::ImportError::Cancelled), "{refused}");
    assert!(seen.get() > 0 && seen.get() < 40 << 20, "cancelled part way ({} bytes)", seen.get());
    assert_eq!(files_under(vault.root()), Vec::<PathBuf>::new(), "no temporary file is left");
    let hashing = Vault::hash_in_place(&src, &|_| {}, &AtomicBool::new(true)).unwrap_err();
    assert!(matches!(hashing, evidence::ImportError::Cancelled));
}

#[test]
fn a_vault_file_changed_by_one_byte_no_longer_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = sample::write_recorder_folder(&dir.path().join("recorder")).unwrap();
    let (clip, _, _) = manifest.media().next().unwrap();
    let vault = Vault::open(&dir.path().join("vault")).unwrap();
    let stored = vault.import_copy(&manifest.root.join(clip), &|_| {}, &never()).unwrap();
    let path = vault.path_of(&stored.sha256);
    assert!(Vault::verify_file(&path, &stored.sha256, stored.size).unwrap(), "an untouched file verifies");

    let mut bytes = std::fs::read(&path).unwrap();
    bytes[1000] ^= 1;
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    assert!(perms.readonly(), "vault files are read-only");
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    assert!(!Vault::verify_file(&path, &stored.sha256, stored.size).unwrap(), "one changed byte is found");
    assert!(!Vault::verify_file(&path, &stored.sha256, stored.size + 1).unwrap(), "a size that differs is found");
}

#[cfg(unix)]
#[test]
fn the_vault_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::open(&dir.path().join("data/vault")).unwrap();
    let mode = std::fs::metadata(vault.root()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "evidence is for its officer's eyes only");
}

/// The environment variable that makes `import_in_a_child` do its work.
const CHILD_SRC: &str = "FIELDCASE_TEST_EVIDENCE_CHILD_SRC";
/// SHA-256 of 2 GiB of zero bytes (`head -c 2147483648 /dev/zero | sha256sum`).
const ZEROS_2GIB: &str = "a7c744c13cc101ed66c29f672f92455547889cc586ce6d44fe76ae824958ea51";

/// The peak memory of a process that imports a 2 GiB file: this test binary, run again to do
/// only `import_in_a_child`, which reports its own high-water mark (VmHWM) once the import
/// is done.
#[test]
fn a_2_gib_import_peaks_under_64_mb() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("shift.mp4");
    // Sparse: 2 GiB of zeros written in no time, read back at memory speed.
    std::fs::File::create(&src).unwrap().set_len(2 << 30).unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "import_in_a_child", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_SRC, &src)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the child failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let field = |name: &str| {
        stdout
            .lines()
            .find_map(|l| l.split_once(name).map(|(_, value)| value))
            .unwrap_or_else(|| panic!("no {name} in: {stdout}"))
            .trim()
    };
    assert_eq!(field("sha256:"), ZEROS_2GIB, "the 2 GiB were all read and hashed");
    let peak_kb: u64 = field("VmHWM:").trim_end_matches("kB").trim().parse().unwrap();
    assert!(peak_kb < 64 * 1024, "importing 2 GiB must peak under 64 MB of memory; it peaked at {peak_kb} kB");
}

#[test]
#[ignore = "run by a_2_gib_import_peaks_under_64_mb in a process of its own"]
fn import_in_a_child() {
    let src = PathBuf::from(std::env::var_os(CHILD_SRC).expect("run by a_2_gib_import_peaks_under_64_mb"));
    let vault = Vault::open(&src.with_file_name("vault")).unwrap();
    let stored = vault.import_copy(&src, &|_| {}, &never()).unwrap();
    assert_eq!(stored.size, 2 << 30);
    let copied = std::fs::metadata(vault.path_of(&stored.sha256)).unwrap().len();
    assert_eq!(copied, 2 << 30, "the vault holds the whole file");
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let peak = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    println!("sha256: {}", stored.sha256);
    println!("{peak}");
}
