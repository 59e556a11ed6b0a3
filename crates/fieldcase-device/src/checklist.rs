//! A draft's checklist on the device: answers, notes on items, findings raised from a "no"
//! and withdrawn, and findings in the officer's own words. Each change is written with its
//! audit entry in one transaction; a change that changes nothing (the same answer or note
//! saved again, as the window's autosave does on leaving a field) records nothing.
//!
//! The rules of each change are `fieldcase_core::draft`'s: a "no" the checklist counts as a
//! finding raises it with the item's legal basis, and any other answer withdraws the item's
//! finding, with an audit entry of its own beside the answer's.

use chrono::{DateTime, Utc};
use serde::Serialize;

use fieldcase_core::audit::Actor;
use fieldcase_core::checklist::{AnswerValue, ChecklistItem, ChecklistTemplate};
use fieldcase_core::draft::DraftError;
use fieldcase_core::ids::InspectionId;
use fieldcase_core::inspection::{Finding, Inspection};
use fieldcase_core::limits::{self, FREE_TEXT};

use crate::audit::append_audit;
use crate::store::inspections;
use crate::{Device, DeviceError, Result};

/// One audit entry of a change: its action and what it recorded.
type Entry = (&'static str, serde_json::Value);

impl Device {
    /// Records an answer on a draft, given as typed (`yes`/`no`/`na`, a number, or text).
    /// A "no" the checklist counts as a finding raises it; another answer withdraws the
    /// item's finding.
    pub fn answer(&mut self, id: InspectionId, item_id: &str, raw: &str) -> Result<Inspection> {
        let (actor, mut draft, template) = self.checklist_of(id)?;
        let item = item_of(&template, item_id)?;
        let value = AnswerValue::parse(item, raw).map_err(|e| DeviceError::Invalid(e.to_string()))?;
        let change = draft.set_answer(item, value.clone());
        let mut entries: Vec<Entry> = Vec::new();
        if change.answer_changed {
            entries.push(("inspection.answer", serde_json::json!({ "item": item.id, "value": value })));
        }
        if let Some(finding) = change.raised {
            entries.push(("inspection.finding.raise", serde_json::json!({ "item": item.id, "finding": finding })));
        }
        if let Some(finding) = change.withdrawn {
            let payload = serde_json::json!({ "item": item.id, "finding": finding, "because": "answer_changed" });
            entries.push(("inspection.finding.withdraw", payload));
        }
        self.write_draft(&draft, &actor, entries)?;
        Ok(draft)
    }

    /// Writes the officer's note on a checklist item of a draft; an empty note removes it.
    pub fn set_item_note(&mut self, id: InspectionId, item_id: &str, note: &str) -> Result<Inspection> {
        let (actor, mut draft, template) = self.checklist_of(id)?;
        let item = item_of(&template, item_id)?;
        let mut entries: Vec<Entry> = Vec::new();
        if draft.set_note(item, note)? {
            let payload = serde_json::json!({ "item": item.id, "note": draft.notes.get(&item.id) });
            entries.push(("inspection.note", payload));
        }
        self.write_draft(&draft, &actor, entries)?;
        Ok(draft)
    }

    /// Raises a finding from an item answered "no", in the officer's words, with the item's
    /// legal basis; raised again, it rewords the item's finding.
    pub fn raise_finding(&mut self, id: InspectionId, item_id: &str, description: &str) -> Result<Inspection> {
        let (actor, mut draft, template) = self.checklist_of(id)?;
        let item = item_of(&template, item_id)?;
        let mut entries: Vec<Entry> = Vec::new();
        if let Some(finding) = draft.raise_finding(item, description)? {
            entries.push(("inspection.finding.raise", serde_json::json!({ "item": item.id, "finding": finding })));
        }
        self.write_draft(&draft, &actor, entries)?;
        Ok(draft)
    }

    /// Withdraws the finding raised from an item whose answer stays "no".
    pub fn withdraw_finding(&mut self, id: InspectionId, item_id: &str) -> Result<Inspection> {
        let (actor, mut draft, template) = self.checklist_of(id)?;
        let item = item_of(&template, item_id)?;
        let finding = draft.withdraw_finding(item)?;
        let payload = serde_json::json!({ "item": item.id, "finding": finding, "because": "withdrawn" });
        self.write_draft(&draft, &actor, vec![("inspection.finding.withdraw", payload)])?;
        Ok(draft)
    }

    /// Adds a finding in the officer's own words to a draft.
    pub fn add_finding(&mut self, id: InspectionId, description: &str) -> Result<Inspection> {
        let actor = self.officer_actor()?;
        let description = limits::check("finding", description.trim(), FREE_TEXT)?;
        if description.is_empty() {
            return Err(DeviceError::Invalid("a finding needs a description of what was found".into()));
        }
        let mut draft = self.draft(id)?;
        let finding = Finding { item_id: None, description: description.to_owned(), basis: None };
        draft.findings.push(finding.clone());
        let payload = serde_json::to_value(&finding).expect("a finding serializes to JSON");
        self.write_draft(&draft, &actor, vec![("inspection.finding", payload)])?;
        Ok(draft)
    }

    /// The signed-in officer, the draft and its checklist: what every change here starts from.
    fn checklist_of(&self, id: InspectionId) -> Result<(Actor, Inspection, ChecklistTemplate)> {
        let actor = self.officer_actor()?;
        let draft = self.draft(id)?;
        let template = self.template_for(&draft)?;
        Ok((actor, draft, template))
    }

    /// Replaces the draft and appends one audit entry per change, in one transaction; with
    /// no entries nothing changed, and nothing is written.
    fn write_draft<P: Serialize>(&mut self, draft: &Inspection, actor: &Actor, entries: Vec<(&str, P)>) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let now: DateTime<Utc> = self.record_time()?;
        self.write(|tx| {
            inspections::replace_draft(tx, draft)?;
            for (action, payload) in &entries {
                append_audit(tx, now, actor, action, &draft.id.to_string(), payload)?;
            }
            Ok(())
        })
    }
}

fn item_of<'a>(template: &'a ChecklistTemplate, item_id: &str) -> Result<&'a ChecklistItem> {
    template.item(item_id).ok_or_else(|| DeviceError::UnknownItem {
        template: template.id.0.clone(),
        item: item_id.to_owned(),
        items: template.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>().join(", "),
    })
}

impl From<DraftError> for DeviceError {
    fn from(e: DraftError) -> Self {
        match e {
            DraftError::TooLong(e) => DeviceError::TooLong(e),
            other => DeviceError::Invalid(other.to_string()),
        }
    }
}
