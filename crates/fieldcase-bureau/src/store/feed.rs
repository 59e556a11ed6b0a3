//! The change feed as the store serves it: its epoch, and how much one page may hold.

use fieldcase_core::wire::Change;

/// What a change carries; its name is the `kind` column of either backend's feed.
#[derive(Debug, Clone, Copy)]
pub enum ChangeKind {
    Site,
    Template,
    Registry,
    KeyRotation,
    EvidenceVerdict,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Site => "site",
            ChangeKind::Template => "template",
            ChangeKind::Registry => "registry",
            ChangeKind::KeyRotation => "key_rotation",
            ChangeKind::EvidenceVerdict => "evidence_verdict",
        }
    }
}

/// Where the change feed stands: its epoch and its last cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedState {
    pub epoch: String,
    pub last_cursor: u64,
}

/// How much one page of the change feed holds: at most `changes` changes, whose JSON takes at
/// most `bytes`, except that a page always carries at least one change (a change larger than
/// `bytes` goes alone), so that a device always gets on.
///
/// Both bounds matter: a page of a few hundred sites is small, but each held to its limits
/// (`fieldcase_core::limits`) a site can still take some kilobytes, and a registry snapshot
/// far more; a device's pull must finish well within its time-out, every time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageBound {
    pub changes: usize,
    pub bytes: usize,
}

impl PageBound {
    /// The JSON a change takes around its record, at most: `{"cursor":…,"kind":"…","record":},`
    /// with a cursor of 20 digits and the longest kind (64), and the seal the API adds as it
    /// serves it, `"seal":{"key_id":…,"signature":…}` (192).
    pub const CHANGE_OVERHEAD: usize = 64 + 192;

    /// At most `changes` changes, within the default byte bound
    /// ([`crate::config::DEFAULT_PULL_PAGE_BYTES`]).
    pub fn changes(changes: usize) -> Self {
        PageBound { changes, bytes: crate::config::DEFAULT_PULL_PAGE_BYTES }
    }

    /// Whether a page that holds `taken` changes of `bytes` in all has room for the next, whose
    /// record takes `record_bytes`. A page with none has room for any one change.
    pub fn admits(&self, taken: usize, bytes: usize, record_bytes: usize) -> bool {
        taken == 0
            || (taken < self.changes
                && bytes.saturating_add(record_bytes).saturating_add(Self::CHANGE_OVERHEAD) <= self.bytes)
    }

    /// What a change whose record takes `record_bytes` counts against [`PageBound::bytes`].
    pub fn size_of(record_bytes: usize) -> usize {
        record_bytes.saturating_add(Self::CHANGE_OVERHEAD)
    }
}

/// One page of the change feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// Whether changes remain after the last one in `changes`.
    pub more: bool,
}

#[cfg(test)]
mod tests {
    use super::PageBound;

    #[test]
    fn a_page_takes_changes_while_their_bytes_fit_and_always_one() {
        let size = PageBound::size_of(400);
        let bound = PageBound { changes: 3, bytes: 2 * size + 10 };
        assert!(bound.admits(0, 0, 5_000_000), "an empty page takes any one change");
        assert!(bound.admits(1, size, 400), "two fit");
        assert!(!bound.admits(2, 2 * size, 100), "a third would pass the bound");
        assert!(bound.admits(2, 2 * 70, 1), "three small ones fit");
        assert!(!bound.admits(3, 3 * 70, 1), "but no more than three changes");
        assert!(!bound.admits(1, usize::MAX, usize::MAX), "sizes never wrap");
    }
}
