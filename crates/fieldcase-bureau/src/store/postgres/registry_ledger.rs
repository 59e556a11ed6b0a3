//! The registry decisions' reads and writes ([`RegistryLedger`]) on PostgreSQL. Every write
//! that may publish holds [`super::Lock::Registry`] (taken by the store before the decisions
//! run), so versions are numbered one after another.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use fieldcase_core::certificate::Certificate;
use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::{KeyId, KeyRotation, OfficerEntry, RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::PublicKey;
use fieldcase_storage::columns::record_text;

use super::feed::{self, Kind};
use super::{PgLedger, registry_rows as rows};
use crate::certificates::{CertificateEvent, CertificateRecord};
use crate::registry::RegistryLedger;
use crate::store::{Result, SigningKeyRecord};

impl RegistryLedger for PgLedger<'_, '_> {
    fn signing_key(&mut self, key: &KeyId) -> Result<Option<SigningKeyRecord>> {
        self.block(rows::key_by_id(self.tx, key))
    }

    fn active_signing_key(&mut self) -> Result<Option<SigningKeyRecord>> {
        self.block(rows::active_key(self.tx))
    }

    fn insert_active_signing_key(&mut self, key: &PublicKey, at: DateTime<Utc>) -> Result<()> {
        self.block(rows::insert_active_key(self.tx, key, at))
    }

    fn retire_signing_key(&mut self, key: &KeyId, at: DateTime<Utc>) -> Result<()> {
        self.block(rows::retire_key(self.tx, key, at))
    }

    fn certificate(&mut self, number: &str) -> Result<Option<CertificateRecord>> {
        self.block(rows::certificate_by_number(self.tx, number))
    }

    fn certificates(&mut self) -> Result<Vec<CertificateRecord>> {
        self.block(rows::certificates(self.tx))
    }

    fn insert_certificate(&mut self, certificate: &Certificate, at: DateTime<Utc>, version: u64) -> Result<()> {
        self.block(rows::insert_certificate(self.tx, certificate, at, version))
    }

    fn update_certificate(&mut self, certificate: &Certificate, at: DateTime<Utc>, version: u64) -> Result<()> {
        self.block(rows::update_certificate(self.tx, certificate, at, version))
    }

    fn append_certificate_event(&mut self, event: &CertificateEvent) -> Result<()> {
        self.block(rows::append_event(self.tx, event))
    }

    fn officer_name(&mut self, officer: &OfficerId) -> Result<Option<String>> {
        self.block(rows::officer_name(self.tx, officer))
    }

    fn insert_officer(&mut self, officer: &OfficerId, name: &str, at: DateTime<Utc>) -> Result<()> {
        self.block(rows::insert_officer(self.tx, officer, name, at))
    }

    fn set_officer_pin(&mut self, officer: &OfficerId, verifier: &str, at: DateTime<Utc>) -> Result<bool> {
        self.block(rows::set_pin(self.tx, officer, verifier, at))
    }

    fn set_officer_unit(&mut self, officer: &OfficerId, unit: Option<&str>, at: DateTime<Utc>) -> Result<bool> {
        self.block(rows::set_unit(self.tx, officer, unit, at))
    }

    fn officer_entries(&mut self, officers: Option<&BTreeSet<OfficerId>>) -> Result<Vec<OfficerEntry>> {
        self.block(rows::entries(self.tx, officers))
    }

    fn latest_registry_version(&mut self) -> Result<u64> {
        self.block(rows::latest_version(self.tx))
    }

    fn publish_registry_version(&mut self, update: &RegistryUpdate, signed: &SignedRegistryUpdate) -> Result<()> {
        let text = record_text(signed)?;
        self.block(rows::insert_version(self.tx, update, signed, &text))?;
        let id = update.version.to_string();
        self.block(feed::append(self.tx, Kind::Registry, &id, &text, update.issued_at, None))
    }

    fn publish_key_rotation(&mut self, rotation: &KeyRotation) -> Result<()> {
        let id = KeyId::of(&rotation.new_key);
        let text = record_text(rotation)?;
        self.block(feed::append(self.tx, Kind::KeyRotation, &id.0, &text, rotation.issued_at, None))
    }
}
