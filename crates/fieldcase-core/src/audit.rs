//! The audit chain: every change on a device, in order, each entry bound to the one before.
//!
//! `hash = SHA-256(canonical {seq, prev_hash, at, actor, action, subject, payload_hash})`,
//! and each entry's `prev_hash` is the hash of the entry before it (zeros for the first), so
//! changing, removing or reordering any entry breaks every link after it.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::ContentHash;
use crate::ids::{DeviceId, OfficerId};

/// Who did something: an officer signed in on a device, or the device itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Actor {
    Device { device: DeviceId },
    Officer { officer: OfficerId, device: DeviceId },
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Device { device } => write!(f, "device:{device}"),
            Actor::Officer { officer, device } => write!(f, "officer:{officer}@{device}"),
        }
    }
}

/// The fields an entry's hash covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// In key order, as the canonical form writes them, so the writer need not reorder them.
struct HashedFields<'a> {
    action: &'a str,
    actor: &'a str,
    #[serde(serialize_with = "crate::time::serialize_instant")]
    at: DateTime<Utc>,
    payload_hash: ContentHash,
    prev_hash: ContentHash,
    seq: u64,
    subject: &'a str,
}

/// One link of the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub seq: u64,
    pub prev_hash: ContentHash,
    pub at: DateTime<Utc>,
    /// `Actor` as text, e.g. `officer:JC-0042@0190…`.
    pub actor: String,
    /// What was done, e.g. `inspection.finalize`.
    pub action: String,
    /// The id of the record acted on.
    pub subject: String,
    /// SHA-256 of the canonical JSON of what was written.
    pub payload_hash: ContentHash,
    pub hash: ContentHash,
}

impl AuditEntry {
    /// The entry that follows `prev` (None for the first entry of a chain).
    pub fn next(
        prev: Option<&AuditEntry>,
        at: DateTime<Utc>,
        actor: &Actor,
        action: &str,
        subject: &str,
        payload_hash: ContentHash,
    ) -> AuditEntry {
        let (seq, prev_hash) = prev.map_or((1, ContentHash::ZERO), |p| (p.seq + 1, p.hash));
        let mut entry = AuditEntry {
            seq,
            prev_hash,
            at,
            actor: actor.to_string(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            payload_hash,
            hash: ContentHash::ZERO,
        };
        entry.hash = entry.computed_hash();
        entry
    }

    /// What the hash of this entry must be, given its other fields.
    pub fn computed_hash(&self) -> ContentHash {
        HashedFields {
            seq: self.seq,
            prev_hash: self.prev_hash,
            at: self.at,
            actor: &self.actor,
            action: &self.action,
            subject: &self.subject,
            payload_hash: self.payload_hash,
        }
        .hash()
    }
}

impl<'a> HashedFields<'a> {
    fn of_step(seq: u64, prev_hash: ContentHash, step: &'a AuditStep) -> Self {
        HashedFields {
            seq,
            prev_hash,
            at: step.at,
            actor: &step.actor,
            action: &step.action,
            subject: &step.subject,
            payload_hash: step.payload_hash,
        }
    }

    fn hash(&self) -> ContentHash {
        ContentHash::of(self)
    }
}

/// What an audit entry records, without its place in the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditStep {
    #[serde(serialize_with = "crate::time::serialize_instant")]
    pub at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub actor: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub action: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub subject: String,
    pub payload_hash: ContentHash,
}

/// Consecutive entries of one device's chain, as they travel to the bureau.
///
/// Each entry's number, link and hash follow from its place in the run, so only the first
/// number, the hash before the run and the hash the run must end on are sent: a third of the
/// bytes of whole entries, and the receiver recomputes every hash anyway to verify the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRun {
    /// The number of the first entry.
    pub first_seq: u64,
    /// The hash of the entry before the first (zeros when the first is entry 1).
    pub prev_hash: ContentHash,
    pub steps: Vec<AuditStep>,
    /// The hash of the last entry, as the device recorded it.
    pub last_hash: ContentHash,
}

impl AuditRun {
    /// The run of `entries`, which must be consecutive (None if there are none).
    pub fn of(entries: &[AuditEntry]) -> Option<AuditRun> {
        let (first, last) = (entries.first()?, entries.last()?);
        Some(AuditRun {
            first_seq: first.seq,
            prev_hash: first.prev_hash,
            steps: entries
                .iter()
                .map(|e| AuditStep {
                    at: e.at,
                    actor: e.actor.clone(),
                    action: e.action.clone(),
                    subject: e.subject.clone(),
                    payload_hash: e.payload_hash,
                })
                .collect(),
            last_hash: last.hash,
        })
    }

    /// The number of the last entry.
    pub fn last_seq(&self) -> u64 {
        self.first_seq.saturating_add((self.steps.len() as u64).saturating_sub(1))
    }

    /// The hash of each entry, recomputed from the first link on; checked against the hash
    /// the run says it ends on.
    pub fn hashes(&self) -> Result<Vec<ContentHash>, ChainBreak> {
        if self.first_seq == 0 || self.steps.is_empty() {
            return Err(ChainBreak::EmptyRun { first: self.first_seq });
        }
        let mut prev = self.prev_hash;
        let hashes: Vec<ContentHash> = self
            .steps
            .iter()
            .zip(self.first_seq..)
            .map(|(step, seq)| {
                prev = HashedFields::of_step(seq, prev, step).hash();
                prev
            })
            .collect();
        if prev != self.last_hash {
            return Err(ChainBreak::RunAltered { first: self.first_seq, last: self.last_seq() });
        }
        Ok(hashes)
    }

    /// The whole entries of the run, each with its number, link and recomputed hash.
    pub fn entries(&self) -> Result<Vec<AuditEntry>, ChainBreak> {
        let hashes = self.hashes()?;
        let mut prev_hash = self.prev_hash;
        Ok(self
            .steps
            .iter()
            .zip(hashes)
            .zip(self.first_seq..)
            .map(|((step, hash), seq)| {
                let entry = AuditEntry {
                    seq,
                    prev_hash,
                    at: step.at,
                    actor: step.actor.clone(),
                    action: step.action.clone(),
                    subject: step.subject.clone(),
                    payload_hash: step.payload_hash,
                    hash,
                };
                prev_hash = hash;
                entry
            })
            .collect())
    }
}

/// The first place a chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit entry {seq} has been altered: its contents no longer match its hash")]
    Altered { seq: u64 },
    #[error("audit entry {seq} does not follow entry {previous}: its link to the previous entry is broken")]
    BrokenLink { seq: u64, previous: u64 },
    #[error("audit entry {found} stands where entry {expected} should be: entries are missing or reordered")]
    Gap { expected: u64, found: u64 },
    #[error(
        "audit entries {first} to {last} do not hash to the hash recorded for entry {last}: one of them was altered after it was written"
    )]
    RunAltered { first: u64, last: u64 },
    #[error("an audit run must hold at least one entry, numbered from 1 (this one starts at {first})")]
    EmptyRun { first: u64 },
}

impl ChainBreak {
    /// The sequence number of the entry where the chain first fails.
    pub fn seq(&self) -> u64 {
        match self {
            ChainBreak::Altered { seq } | ChainBreak::BrokenLink { seq, .. } => *seq,
            ChainBreak::Gap { found, .. } => *found,
            ChainBreak::RunAltered { first, .. } | ChainBreak::EmptyRun { first } => *first,
        }
    }
}

/// Checks that `entry` follows `prev` (None: `entry` must be the first of its chain).
pub fn verify_link(prev: Option<&AuditEntry>, entry: &AuditEntry) -> Result<(), ChainBreak> {
    let (expected_seq, prev_hash) = prev.map_or((1, ContentHash::ZERO), |p| (p.seq + 1, p.hash));
    if entry.seq != expected_seq {
        return Err(ChainBreak::Gap { expected: expected_seq, found: entry.seq });
    }
    if entry.computed_hash() != entry.hash {
        return Err(ChainBreak::Altered { seq: entry.seq });
    }
    if entry.prev_hash != prev_hash {
        return Err(ChainBreak::BrokenLink { seq: entry.seq, previous: expected_seq - 1 });
    }
    Ok(())
}

/// Walks a chain from its start (or from a known entry `after`) and returns how many
/// entries hold, or the first that does not.
pub fn verify_chain<'a>(
    after: Option<&'a AuditEntry>,
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> Result<u64, ChainBreak> {
    let mut prev = after;
    let mut count = 0;
    for entry in entries {
        verify_link(prev, entry)?;
        prev = Some(entry);
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn chain(n: usize) -> Vec<AuditEntry> {
        let actor = Actor::Device { device: DeviceId::from_uuid(Uuid::nil()) };
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let at = Utc.with_ymd_and_hms(2026, 3, 1, 8, i as u32, 0).unwrap();
            let e = AuditEntry::next(out.last(), at, &actor, "site.create", "s", ContentHash::of_bytes(&[i as u8]));
            out.push(e);
        }
        out
    }

    /// What an entry's hash covers is fixed for good: chains already recorded on laptops
    /// and at the bureau are verified against it.
    #[test]
    fn an_entry_hashes_its_fields_in_canonical_form() {
        let c = chain(1);
        let text = format!(
            r#"{{"action":"site.create","actor":"device:00000000-0000-0000-0000-000000000000","at":"2026-03-01T08:00:00Z","payload_hash":"{}","prev_hash":"{}","seq":1,"subject":"s"}}"#,
            ContentHash::of_bytes(&[0]).to_hex(),
            ContentHash::ZERO.to_hex()
        );
        assert_eq!(c[0].hash, ContentHash::of_bytes(text.as_bytes()), "{text}");
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(None, &chain(5)), Ok(5));
    }

    #[test]
    fn any_altered_field_names_the_entry() {
        let mut c = chain(5);
        c[2].action = "site.delete".into();
        assert_eq!(verify_chain(None, &c), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn a_rehashed_forgery_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].subject = "other".into();
        c[2].hash = c[2].computed_hash();
        assert_eq!(verify_chain(None, &c), Err(ChainBreak::BrokenLink { seq: 4, previous: 3 }));
    }

    #[test]
    fn a_run_gives_back_the_entries_it_was_made_of() {
        let c = chain(5);
        let run = AuditRun::of(&c[1..4]).unwrap();
        assert_eq!((run.first_seq, run.last_seq()), (2, 4));
        assert_eq!(run.entries().unwrap(), c[1..4].to_vec());
        assert_eq!(run.hashes().unwrap(), c[1..4].iter().map(|e| e.hash).collect::<Vec<_>>());
        let json: AuditRun = serde_json::from_str(&serde_json::to_string(&run).unwrap()).unwrap();
        assert_eq!(json, run);
    }

    #[test]
    fn a_run_with_an_altered_step_does_not_end_on_its_hash() {
        let mut run = AuditRun::of(&chain(5)).unwrap();
        run.steps[2].subject = "other".into();
        assert_eq!(run.hashes(), Err(ChainBreak::RunAltered { first: 1, last: 5 }));
        run.steps.clear();
        assert_eq!(run.hashes(), Err(ChainBreak::EmptyRun { first: 1 }));
    }

    #[test]
    fn a_removed_entry_is_a_gap() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify_chain(None, &c), Err(ChainBreak::Gap { expected: 2, found: 3 }));
    }
}
