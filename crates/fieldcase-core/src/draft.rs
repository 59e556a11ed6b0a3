//! What an officer changes on a draft's checklist: an answer, a note on an item, a finding
//! raised from an item answered "no" (carrying the item's legal basis), and that finding
//! withdrawn. Pure rules over the record; the device writes each change with its audit entry.
//!
//! A finding raised from an item rests on the item's "no". Changing the answer away from
//! "no" withdraws it in the same change ([`Inspection::set_answer`] says what it withdrew,
//! so the device records that too), and finalizing keeps only the item findings whose "no"
//! still stands ([`crate::rules::finalize`]): a record never holds a finding whose reason
//! is gone. Where the checklist says an item's "no" is a finding (`no_is_finding`), the
//! "no" raises it at once, and it can only be withdrawn by changing the answer.

use crate::checklist::{AnswerValue, ChecklistItem};
use crate::inspection::{Finding, Inspection};
use crate::limits::{self, FREE_TEXT, TooLong};

/// Why a change to a draft's checklist was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    #[error("item '{item}' is not answered \"no\": a finding is raised from a \"no\"; answer \"no\" first")]
    NotAnsweredNo { item: String },
    #[error("a finding needs a description of what was found; write one, or withdraw the finding")]
    EmptyDescription,
    #[error("item '{item}' has no finding to withdraw")]
    NoFinding { item: String },
    #[error(
        "the checklist counts a \"no\" on item '{item}' as a finding, so it stays while the answer is \"no\"; change the answer to withdraw it"
    )]
    FindingByChecklist { item: String },
    #[error("{0}")]
    TooLong(#[from] TooLong),
}

/// What recording an answer changed besides the answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnswerChange {
    /// Whether the answer differs from the one held (an unchanged answer records nothing).
    pub answer_changed: bool,
    /// The finding a "no" raised, where the checklist counts that "no" as a finding.
    pub raised: Option<Finding>,
    /// The finding withdrawn because the answer is no longer "no".
    pub withdrawn: Option<Finding>,
}

/// The finding an item answered "no" raises: in the officer's words, or else the item's own
/// text in the record's language (Chinese), with the item's legal basis.
pub fn finding_from_item(item: &ChecklistItem, description: Option<&str>) -> Finding {
    let basis = item.basis.trim();
    Finding {
        item_id: Some(item.id.clone()),
        description: description.unwrap_or(&item.text_zh).to_owned(),
        basis: (!basis.is_empty()).then(|| basis.to_owned()),
    }
}

impl Inspection {
    /// The finding raised from `item_id`, if any.
    pub fn finding_of(&self, item_id: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.item_id.as_deref() == Some(item_id))
    }

    /// Records an answer and settles the item's finding with it: a "no" on an item the
    /// checklist counts as a finding raises it; any other answer withdraws the item's finding.
    pub fn set_answer(&mut self, item: &ChecklistItem, value: AnswerValue) -> AnswerChange {
        let mut change =
            AnswerChange { answer_changed: self.answers.get(&item.id) != Some(&value), ..AnswerChange::default() };
        if value == AnswerValue::No {
            if item.no_is_finding && self.finding_of(&item.id).is_none() {
                let finding = finding_from_item(item, None);
                self.findings.push(finding.clone());
                change.raised = Some(finding);
            }
        } else {
            change.withdrawn = self.take_finding(&item.id);
        }
        self.answers.insert(item.id.clone(), value);
        change
    }

    /// Raises the finding of an item answered "no", or rewords the one raised. Returns the
    /// finding as it now stands, or None when it already read so (nothing to record).
    pub fn raise_finding(&mut self, item: &ChecklistItem, description: &str) -> Result<Option<Finding>, DraftError> {
        if self.answers.get(&item.id) != Some(&AnswerValue::No) {
            return Err(DraftError::NotAnsweredNo { item: item.id.clone() });
        }
        let description = limits::check("the finding's description", description.trim(), FREE_TEXT)?;
        if description.is_empty() {
            return Err(DraftError::EmptyDescription);
        }
        let finding = finding_from_item(item, Some(description));
        match self.findings.iter_mut().find(|f| f.item_id.as_deref() == Some(item.id.as_str())) {
            Some(held) if *held == finding => return Ok(None),
            Some(held) => *held = finding.clone(),
            None => self.findings.push(finding.clone()),
        }
        Ok(Some(finding))
    }

    /// Withdraws the finding raised from an item, while its answer stays "no". Refused where
    /// the checklist counts that "no" as a finding: there the answer is what to change.
    pub fn withdraw_finding(&mut self, item: &ChecklistItem) -> Result<Finding, DraftError> {
        if self.finding_of(&item.id).is_none() {
            return Err(DraftError::NoFinding { item: item.id.clone() });
        }
        if item.no_is_finding && self.answers.get(&item.id) == Some(&AnswerValue::No) {
            return Err(DraftError::FindingByChecklist { item: item.id.clone() });
        }
        Ok(self.take_finding(&item.id).expect("the finding was just found"))
    }

    /// Writes the officer's note on an item; an empty note removes it. Returns whether the
    /// note changed (an unchanged note records nothing).
    pub fn set_note(&mut self, item: &ChecklistItem, text: &str) -> Result<bool, DraftError> {
        let text = limits::check(&format!("the note on item '{}'", item.id), text.trim(), FREE_TEXT)?;
        let before = if text.is_empty() {
            self.notes.remove(&item.id)
        } else {
            self.notes.insert(item.id.clone(), text.to_owned())
        };
        Ok(before.as_deref() != (!text.is_empty()).then_some(text))
    }

    fn take_finding(&mut self, item_id: &str) -> Option<Finding> {
        let at = self.findings.iter().position(|f| f.item_id.as_deref() == Some(item_id))?;
        Some(self.findings.remove(at))
    }
}

#[cfg(test)]
mod tests;
