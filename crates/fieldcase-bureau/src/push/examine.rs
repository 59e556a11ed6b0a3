//! Examining pushed items on their own, before and beside the store's transaction: parsing,
//! hashing, and verifying seals, on another core while the store applies the items before.

use std::fmt;
use std::ops::Range;

use serde::de::{SeqAccess, Visitor};
use serde_json::value::RawValue;

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::inspection::{Inspection, InspectionStatus};
use fieldcase_core::signing::{SignatureError, Signed, Verifier};
use fieldcase_core::wire::{MAX_PUSH_PAGE, PushItem};

use crate::store::{DeviceRecord, Result};

/// A pushed item with what can be told of it without the store: its content hash, and why
/// it is refused on its own, if it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Examined {
    pub item: PushItem,
    pub content_hash: ContentHash,
    pub defect: Option<Defect>,
    /// For an audit run: the hash of each of its entries, recomputed.
    pub audit_hashes: Vec<ContentHash>,
}

/// Why an item is refused on its own. Either way it is rejected, its fate saying why, and the
/// rest of the page goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Defect {
    /// A broken seal, an altered audit entry, a time no clock set right could have given: the
    /// item is kept for review, as evidence of what the device sent.
    ForReview(String),
    /// A text over its limit (`fieldcase_core::limits`): nothing of the item is stored, not
    /// even for review, or a device could fill the bureau's disk with it.
    TooLong(String),
}

/// Why a page was not taken at all: an item that is not a push record. Nothing of the page
/// is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PageRefused(pub String);

/// A page's items as they are examined, in order. The store takes them one by one, so that
/// examining the next (parsing it, hashing it, verifying its seal: the expensive part) runs
/// beside storing the last, on another core, and never inside the store's transaction.
/// An `Err` ends the page, and the page's transaction is rolled back.
pub type ExaminedItems = Box<dyn Iterator<Item = Result<Examined, PageRefused>> + Send>;

/// Examines the items of one device's pages, whose signatures the caller has verified.
#[derive(Debug, Clone)]
pub struct Examiner {
    device: DeviceRecord,
    /// The device key, decoded once for all the seals of a page.
    verifier: Result<Verifier, SignatureError>,
}

impl Examiner {
    pub fn new(device: DeviceRecord) -> Self {
        let verifier = device.public_key.verifier();
        Examiner { device, verifier }
    }

    pub fn examine(&self, item: PushItem) -> Examined {
        let content_hash = item.content_hash();
        // Numbers first, then lengths: an item over a limit is not worth hashing its entries
        // or its seal, and counting through a run's entries must not overflow.
        let over = item
            .check_numbers()
            .map_err(|e| e.to_string())
            .and_then(|()| item.check_lengths().map_err(|e| e.to_string()));
        if let Err(e) = over {
            let reason = format!(
                "{e}. Nothing of this record was stored (fieldcase refuses such text as it is typed: this record was made by another program or an older version of fieldcase)"
            );
            return Examined { item, content_hash, defect: Some(Defect::TooLong(reason)), audit_hashes: Vec::new() };
        }
        let (defect, audit_hashes) = match &item {
            PushItem::Audit(run) => match run.hashes() {
                Ok(hashes) => (None, hashes),
                Err(chain_break) => (Some(format!("{chain_break}; these entries are kept for review")), Vec::new()),
            },
            other => (self.intrinsic_check(other).err(), Vec::new()),
        };
        // Checked here, at the boundary, so that no decision after it (the two-officer
        // re-check converts an inspection's start to a Beijing date) meets such a time.
        let defect = defect.or_else(|| {
            item.check_times()
                .err()
                .map(|e| format!("{e}: the clock of the device that recorded it was set wrong; kept for review"))
        });
        Examined { item, content_hash, defect: defect.map(Defect::ForReview), audit_hashes }
    }

    /// The items of a page examined here, all before the first is stored.
    pub fn examined(&self, items: Vec<PushItem>) -> ExaminedItems {
        let examined: Vec<_> = items.into_iter().map(|item| Ok(self.examine(item))).collect();
        Box::new(examined.into_iter())
    }

    /// The items of a signed page parsed and examined on a blocking thread while the store
    /// takes them. `items` is the JSON array text the signature covers; `spans` the byte
    /// range of each element in it (see [`item_spans`]).
    ///
    /// Should that thread stop before the end, the store sees an `Err`, never a shorter page.
    pub fn in_background(self, items: Box<RawValue>, spans: Vec<Range<usize>>) -> ExaminedItems {
        // Handed over in batches, so the two threads do not wake each other for every item.
        // Room for a whole page: a page waiting for the one it follows (see `PageOrder`) is
        // examined meanwhile; a page is at most MAX_PUSH_PAGE items, so memory stays bounded.
        const BATCH: usize = 32;
        let count = spans.len();
        let room = MAX_PUSH_PAGE.div_ceil(BATCH) + 1;
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Result<Examined, PageRefused>>>(room);
        tokio::task::spawn_blocking(move || {
            let mut batch = Vec::with_capacity(BATCH);
            for (index, span) in spans.into_iter().enumerate() {
                let text = items.get().get(span).unwrap_or_default();
                let next = parse_item(index, text).map(|item| self.examine(item));
                let failed = next.is_err();
                // A run of audit entries is work enough on its own for the store to start on.
                let heavy = matches!(&next, Ok(Examined { item: PushItem::Audit(_), .. }));
                batch.push(next);
                if batch.len() == BATCH || failed || heavy {
                    // An Err from send: the store gave up on the page (an error of its own).
                    if send.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).is_err() || failed {
                        return;
                    }
                }
            }
            if !batch.is_empty() {
                let _ = send.send(batch);
            }
        });
        let mut received = 0;
        let mut batches = receive.into_iter();
        let mut batch = Vec::new().into_iter();
        Box::new(std::iter::from_fn(move || {
            if received == count {
                return None;
            }
            received += 1;
            if let Some(next) = batch.next() {
                return Some(next);
            }
            match batches.next() {
                Some(next) => {
                    batch = next.into_iter();
                    batch.next()
                }
                None => None,
            }
            .or_else(|| {
                Some(Err(PageRefused(format!(
                    "examining the page stopped after {} of its {count} items",
                    received - 1
                ))))
            })
        }))
    }

    /// The checks a record needs no stored state for.
    fn intrinsic_check(&self, item: &PushItem) -> Result<(), String> {
        match item {
            PushItem::Inspection(inspection) => self.check_seal(inspection),
            PushItem::Site(site) if site.name.trim().is_empty() => {
                Err("a site needs a name: the employer's registered name".into())
            }
            _ => Ok(()),
        }
    }

    fn check_seal(&self, inspection: &Inspection) -> Result<(), String> {
        let id = inspection.id;
        let seal = match (&inspection.status, &inspection.seal) {
            (InspectionStatus::Finalized, Some(seal)) => seal,
            _ => {
                return Err(format!(
                    "inspection {id} is not finalized and sealed; only finalized inspections are sent to the bureau"
                ));
            }
        };
        let content_hash = inspection.content_hash();
        if seal.content_hash != content_hash {
            return Err(format!(
                "the seal of inspection {id} covers content hash {} but the record's content hashes to {content_hash}: the record was changed after it was sealed",
                seal.content_hash
            ));
        }
        self.verifier
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|key| key.verify(Signed::Inspection, &seal.content_hash, &seal.signature))
            .map_err(|e| {
                format!(
                    "the seal of inspection {id} does not verify with the key of device {}: {e}",
                    self.device.device_id
                )
            })
    }
}

/// The `index`-th item of a page, from its JSON text. Parsed plainly; only an item that
/// fails is parsed again, tracking where, to name the field at fault.
fn parse_item(index: usize, text: &str) -> Result<PushItem, PageRefused> {
    serde_json::from_str(text).map_err(|_| {
        let mut de = serde_json::Deserializer::from_str(text);
        let Err(e) = serde_path_to_error::deserialize::<_, PushItem>(&mut de) else {
            return PageRefused(format!("items[{index}] is not a push record"));
        };
        let path = e.path().to_string();
        let at = if path == "." { String::new() } else { format!(".{path}") };
        PageRefused(format!("items[{index}]{at} is not a push record: {}", e.inner()))
    })
}

/// Why a page's items could not be found.
#[derive(Debug, thiserror::Error)]
pub enum ItemSpansError {
    #[error("`items` must be a JSON array of push records: {0}")]
    NotAnArray(serde_json::Error),
    /// More than the most a page may hold: the scan stopped at the first one over.
    #[error("a push page holds at most {0} items, this one has more; split it into smaller pages")]
    TooMany(usize),
}

/// Where each element of a JSON array lies in its text: one quick pass that checks the
/// array's shape and counts the items, so that the examiner need not scan it again.
///
/// The pass stops at the item after `max`: a page that the body limit lets in may hold
/// millions of tiny items, and finding every one of them would cost far more than the page
/// (16 bytes of span for each 2-byte `0,`). Nothing is kept of an element but its span.
pub fn item_spans(items: &RawValue, max: usize) -> Result<Vec<Range<usize>>, ItemSpansError> {
    let text = items.get();
    let mut too_many = false;
    let mut de = serde_json::Deserializer::from_str(text);
    let found = serde::Deserializer::deserialize_seq(
        &mut de,
        Spans { base: text.as_ptr() as usize, max, too_many: &mut too_many },
    )
    .and_then(|spans| de.end().map(|()| spans));
    match found {
        Ok(spans) => Ok(spans),
        Err(_) if too_many => Err(ItemSpansError::TooMany(max)),
        Err(e) => Err(ItemSpansError::NotAnArray(e)),
    }
}

/// Finds the elements of an array, each borrowed from the text, so its offset is the
/// distance between the pointers; gives up past `max`.
struct Spans<'a> {
    base: usize,
    max: usize,
    too_many: &'a mut bool,
}

impl<'de> Visitor<'de> for Spans<'_> {
    type Value = Vec<Range<usize>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of push records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut spans = Vec::new();
        while let Some(element) = seq.next_element::<&'de RawValue>()? {
            if spans.len() == self.max {
                *self.too_many = true;
                return Err(serde::de::Error::custom(format_args!("more than {} items", self.max)));
            }
            let start = element.get().as_ptr() as usize - self.base;
            spans.push(start..start + element.get().len());
        }
        Ok(spans)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn the_spans_of_a_page_are_its_elements_as_written() {
        let text = r#"[ {"kind":"site"} ,[1, 2],"x" ]"#;
        let spans = item_spans(&raw(text), 3).unwrap();
        let found: Vec<&str> = spans.into_iter().map(|s| &text[s]).collect();
        assert_eq!(found, [r#"{"kind":"site"}"#, "[1, 2]", r#""x""#]);
        assert!(item_spans(&raw("[]"), 3).unwrap().is_empty());
        assert!(matches!(item_spans(&raw(r#"{"items":[]}"#), 3), Err(ItemSpansError::NotAnArray(_))));
    }

    #[test]
    fn a_page_over_the_most_is_refused_at_the_first_item_over() {
        assert_eq!(item_spans(&raw("[0,0,0]"), 3).unwrap().len(), 3, "the most a page may hold is fine");
        assert!(matches!(item_spans(&raw("[0,0,0,0]"), 3), Err(ItemSpansError::TooMany(3))));
        let millions = format!("[0{}]", ",0".repeat(2_000_000));
        assert!(matches!(item_spans(&raw(&millions), 1000), Err(ItemSpansError::TooMany(1000))));
    }
}
