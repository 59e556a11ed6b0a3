//! Walking a recorder folder: the media files in it, and what was skipped and why.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::MediaKind;
use super::detect::{HEAD_LEN, describe, detect};

/// A media file found by [`scan`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub path: PathBuf,
    /// `path` relative to the folder scanned.
    pub relative: PathBuf,
    pub size: u64,
    pub kind: MediaKind,
}

/// A file [`scan`] passed over.
#[derive(Debug, Serialize)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

/// Why a file is not imported, in words an officer can act on.
#[derive(Debug, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    /// Its content is not video, audio or a photo (whatever its name says).
    #[error("not a video, audio recording or photo (its content looks like {looks_like})")]
    NotMedia { looks_like: String },
    #[error("the file is empty")]
    Empty,
    #[error("cannot be read ({error}); check the recorder is still connected and import again")]
    Unreadable {
        error: String,
        #[serde(skip)]
        #[source]
        source: Option<io::Error>,
    },
    /// A link, device, pipe or socket: links are not followed, so nothing outside the folder
    /// (or twice inside it) is imported.
    #[error("not a regular file (a {what})")]
    NotRegularFile { what: &'static str },
}

/// What a folder holds.
#[derive(Debug, Default, Serialize)]
pub struct Scan {
    /// Media files, sorted by their path relative to the folder.
    pub files: Vec<Candidate>,
    /// Everything else, in the same order.
    pub skipped: Vec<Skipped>,
}

/// Walks `dir` and every folder below it, without following symbolic links, and sorts each
/// file by its content: media to import, or skipped with the reason. Fails only when `dir`
/// itself cannot be read; a sub-folder that cannot be read is listed as skipped.
pub fn scan(dir: &Path) -> io::Result<Scan> {
    let mut found = Scan::default();
    let mut pending = vec![PathBuf::new()];
    let mut first = true;
    while let Some(relative) = pending.pop() {
        let entries = match fs::read_dir(dir.join(&relative)) {
            Ok(entries) => entries,
            Err(e) if first => return Err(e),
            Err(e) => {
                found.skipped.push(unreadable(dir.join(&relative), e));
                continue;
            }
        };
        first = false;
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    found.skipped.push(unreadable(dir.join(&relative), e));
                    continue;
                }
            };
            let relative = relative.join(entry.file_name());
            let path = entry.path();
            // `file_type` does not follow links.
            match entry.file_type() {
                Ok(t) if t.is_dir() => pending.push(relative),
                Ok(t) if t.is_file() => match look_at(&path) {
                    Ok((kind, size)) => found.files.push(Candidate { path, relative, size, kind }),
                    Err(reason) => found.skipped.push(Skipped { path, reason }),
                },
                Ok(t) => found.skipped.push(Skipped { path, reason: SkipReason::NotRegularFile { what: what(&t) } }),
                Err(e) => found.skipped.push(unreadable(path, e)),
            }
        }
    }
    found.files.sort_by(|a, b| a.relative.cmp(&b.relative));
    found.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

fn look_at(path: &Path) -> Result<(MediaKind, u64), SkipReason> {
    let mut file = File::open(path).map_err(unreadable_reason)?;
    let size = file.metadata().map_err(unreadable_reason)?.len();
    if size == 0 {
        return Err(SkipReason::Empty);
    }
    let mut head = Vec::with_capacity(HEAD_LEN);
    file.by_ref().take(HEAD_LEN as u64).read_to_end(&mut head).map_err(unreadable_reason)?;
    match detect(&head) {
        Some(kind) => Ok((kind, size)),
        None => Err(SkipReason::NotMedia { looks_like: describe(&head) }),
    }
}

fn unreadable_reason(e: io::Error) -> SkipReason {
    SkipReason::Unreadable { error: e.to_string(), source: Some(e) }
}

fn unreadable(path: PathBuf, e: io::Error) -> Skipped {
    Skipped { path, reason: unreadable_reason(e) }
}

fn what(t: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_block_device() || t.is_char_device() {
            return "device";
        }
        if t.is_fifo() {
            return "pipe";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    if t.is_symlink() { "symbolic link" } else { "special file" }
}
