//! What the S3 store keeps about an upload between appends (the JSON in [`StagedState`]), and
//! how the bytes in hand are cut into parts.

use serde::{Deserialize, Serialize};

use crate::blobs::{BlobError, StagedState};

/// S3's smallest part, except the last.
pub const MIN_PART: u64 = 5 * 1024 * 1024;
/// The largest part this store puts. A part is held in memory while it is sent, so this bounds
/// what one append costs in memory; 8 MiB chunks (the usual tus client's) go as one part each.
pub const MAX_PART: u64 = 8 * 1024 * 1024;
/// S3's most parts in one multipart upload: with parts of at least [`MIN_PART`], an upload of
/// up to 50 GB always fits.
pub const MAX_PARTS: usize = 10_000;

/// An upload in progress: its parts put so far, then `tail` bytes not yet making a part, kept
/// in a tail object named by the offset it starts at.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staged {
    /// The multipart upload's id, once the first part is put (a small file never starts one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multipart: Option<String>,
    /// The parts put, in order: part `i` went with index `i`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// The bytes after the parts.
    #[serde(default)]
    pub tail: u64,
    /// Where a tail object starts that the last append replaced by parts. It is deleted by the
    /// next append (by then this state is recorded, so no repeated append can need it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_tail: Option<u64>,
}

/// One part put: what S3 answered for it (needed to complete the upload) and its size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub etag: String,
    pub len: u64,
}

impl Staged {
    /// The state the caller kept; empty for a new upload.
    pub fn parse(upload: &str, state: &StagedState) -> Result<Self, BlobError> {
        if state.0.is_empty() {
            return Ok(Self::default());
        }
        serde_json::from_str(&state.0).map_err(|e| BlobError::StagedLost {
            upload: upload.to_owned(),
            detail: format!("its recorded state is not the S3 store's ({e}); was the upload begun on another store?"),
        })
    }

    pub fn to_state(&self) -> Result<StagedState, BlobError> {
        serde_json::to_string(self)
            .map(StagedState)
            .map_err(|e| BlobError::Unavailable(format!("cannot write an upload's state: {e}")))
    }

    /// The bytes in the parts, which is where the tail starts.
    pub fn parts_len(&self) -> u64 {
        self.parts.iter().map(|p| p.len).sum()
    }

    /// All the bytes staged.
    pub fn len(&self) -> u64 {
        self.parts_len() + self.tail
    }
}

/// How `available` bytes in hand go out: the sizes of the parts to put now (each at least
/// [`MIN_PART`], at most [`MAX_PART`]) and what is left for the tail (less than [`MIN_PART`]).
pub fn plan_parts(available: u64) -> (Vec<u64>, u64) {
    let mut parts = Vec::new();
    let mut left = available;
    while left >= MIN_PART {
        let size = left.min(MAX_PART);
        parts.push(size);
        left -= size;
    }
    (parts, left)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn parts_are_never_below_s3s_minimum_and_the_tail_never_reaches_it() {
        for available in
            [0, 1, MIN_PART - 1, MIN_PART, 7 * MIB, MAX_PART, MAX_PART + 1, 12 * MIB, 13 * MIB, 2048 * MIB + 3]
        {
            let (parts, tail) = plan_parts(available);
            assert_eq!(parts.iter().sum::<u64>() + tail, available, "no byte may be lost or made up");
            assert!(parts.iter().all(|&p| (MIN_PART..=MAX_PART).contains(&p)), "{available}: {parts:?}");
            assert!(tail < MIN_PART, "{available}: a tail of {tail} should have been a part");
        }
        assert_eq!(plan_parts(8 * MIB), (vec![8 * MIB], 0), "an 8 MiB chunk goes as one part, with no tail");
    }

    #[test]
    fn a_state_reads_back_as_written_and_a_foreign_one_is_refused() {
        let staged = Staged {
            multipart: Some("id-1".into()),
            parts: vec![Part { etag: "\"abc\"".into(), len: 5 * MIB }],
            tail: 3,
            stale_tail: Some(0),
        };
        let state = staged.to_state().unwrap();
        assert_eq!(Staged::parse("u", &state).unwrap(), staged);
        assert_eq!(Staged::parse("u", &StagedState::default()).unwrap(), Staged::default());
        let foreign = Staged::parse("u", &StagedState("staging/u.part".into())).unwrap_err();
        assert!(matches!(foreign, BlobError::StagedLost { .. }), "{foreign}");
    }
}
