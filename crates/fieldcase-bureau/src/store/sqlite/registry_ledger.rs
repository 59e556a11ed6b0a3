//! The registry decisions' reads and writes ([`RegistryLedger`]) on SQLite.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use fieldcase_core::certificate::Certificate;
use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::{KeyId, KeyRotation, OfficerEntry, RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::PublicKey;
use fieldcase_storage::columns::record_text;

use super::{SqliteLedger, certificate_history, certificates, changes, officers, registry_versions, signing_keys};
use crate::certificates::{CertificateEvent, CertificateRecord};
use crate::registry::RegistryLedger;
use crate::store::{Result, SigningKeyRecord};

impl RegistryLedger for SqliteLedger<'_, '_> {
    fn signing_key(&mut self, key: &KeyId) -> Result<Option<SigningKeyRecord>> {
        signing_keys::get(self.tx, key)
    }

    fn active_signing_key(&mut self) -> Result<Option<SigningKeyRecord>> {
        signing_keys::active(self.tx)
    }

    fn insert_active_signing_key(&mut self, key: &PublicKey, at: DateTime<Utc>) -> Result<()> {
        signing_keys::insert_active(self.tx, key, at)
    }

    fn retire_signing_key(&mut self, key: &KeyId, at: DateTime<Utc>) -> Result<()> {
        signing_keys::retire(self.tx, key, at)
    }

    fn certificate(&mut self, number: &str) -> Result<Option<CertificateRecord>> {
        certificates::get(self.tx, number)
    }

    fn certificates(&mut self) -> Result<Vec<CertificateRecord>> {
        certificates::list(self.tx)
    }

    fn insert_certificate(&mut self, certificate: &Certificate, at: DateTime<Utc>, version: u64) -> Result<()> {
        certificates::insert(self.tx, certificate, at, version)
    }

    fn update_certificate(&mut self, certificate: &Certificate, at: DateTime<Utc>, version: u64) -> Result<()> {
        certificates::update(self.tx, certificate, at, version)
    }

    fn append_certificate_event(&mut self, event: &CertificateEvent) -> Result<()> {
        certificate_history::append(self.tx, event)
    }

    fn officer_name(&mut self, officer: &OfficerId) -> Result<Option<String>> {
        officers::name(self.tx, officer)
    }

    fn insert_officer(&mut self, officer: &OfficerId, name: &str, at: DateTime<Utc>) -> Result<()> {
        officers::insert(self.tx, officer, name, at)
    }

    fn set_officer_pin(&mut self, officer: &OfficerId, verifier: &str, at: DateTime<Utc>) -> Result<bool> {
        officers::set_pin(self.tx, officer, verifier, at)
    }

    fn set_officer_unit(&mut self, officer: &OfficerId, unit: Option<&str>, at: DateTime<Utc>) -> Result<bool> {
        officers::set_unit(self.tx, officer, unit, at)
    }

    fn officer_entries(&mut self, officers: Option<&BTreeSet<OfficerId>>) -> Result<Vec<OfficerEntry>> {
        match officers {
            Some(these) => officers::entries(self.tx, these),
            None => officers::all_entries(self.tx),
        }
    }

    fn latest_registry_version(&mut self) -> Result<u64> {
        registry_versions::latest(self.tx)
    }

    fn publish_registry_version(&mut self, update: &RegistryUpdate, signed: &SignedRegistryUpdate) -> Result<()> {
        let text = record_text(signed)?;
        registry_versions::insert(self.tx, update, signed, &text)?;
        changes::append(self.tx, changes::Kind::Registry, &update.version.to_string(), &text, update.issued_at)
    }

    fn publish_key_rotation(&mut self, rotation: &KeyRotation) -> Result<()> {
        let id = KeyId::of(&rotation.new_key);
        changes::append(self.tx, changes::Kind::KeyRotation, &id.0, &record_text(rotation)?, rotation.issued_at)
    }
}
