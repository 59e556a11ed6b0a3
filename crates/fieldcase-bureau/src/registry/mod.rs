//! The signed certificate registry the bureau keeps: its certificates and officers, the
//! signing keys that sign it, and the versions it publishes to devices. Every decision about
//! it is made here, once for every storage backend.
//!
//! The versions kept carry every officer's PIN verifier; a device is never served one as
//! kept, but as [`serve_to`] scopes it: with the verifiers of its units' officers only.
//!
//! A backend opens one transaction and hands these functions a [`RegistryLedger`] over it;
//! the ledger only reads and writes rows (as [`crate::push::PushLedger`] does for a push), so
//! a second backend writes SQL and nothing else.

mod certificates;
mod officers;
mod publish;
mod serve;
mod signing_keys;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use fieldcase_core::certificate::Certificate;
use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::{KeyId, KeyRotation, OfficerEntry, RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::PublicKey;

pub use certificates::change_certificates;
pub use officers::{set_officer_pins, set_officer_units};
pub use publish::snapshot;
pub use serve::serve_to;
pub use signing_keys::{register_signing_key, rotate_signing_key};

use crate::certificates::{CertificateEvent, CertificateRecord};
use crate::store::{Result, SigningKeyRecord};

/// The reads and writes the registry's decisions need, inside one transaction of a backend.
pub trait RegistryLedger {
    // ----- signing keys -----

    fn signing_key(&mut self, key: &KeyId) -> Result<Option<SigningKeyRecord>>;
    fn active_signing_key(&mut self) -> Result<Option<SigningKeyRecord>>;
    fn insert_active_signing_key(&mut self, key: &PublicKey, at: DateTime<Utc>) -> Result<()>;
    fn retire_signing_key(&mut self, key: &KeyId, at: DateTime<Utc>) -> Result<()>;

    // ----- certificates -----

    fn certificate(&mut self, number: &str) -> Result<Option<CertificateRecord>>;
    /// Every certificate as it stands, by number.
    fn certificates(&mut self) -> Result<Vec<CertificateRecord>>;
    fn insert_certificate(&mut self, certificate: &Certificate, at: DateTime<Utc>, version: u64) -> Result<()>;
    /// Stores what an action changes: validity and status (number, holder and unit stay as
    /// issued), and the version that publishes it.
    fn update_certificate(&mut self, certificate: &Certificate, at: DateTime<Utc>, version: u64) -> Result<()>;
    fn append_certificate_event(&mut self, event: &CertificateEvent) -> Result<()>;

    // ----- officers -----

    /// The officer's registered name, if the registry knows them.
    fn officer_name(&mut self, officer: &OfficerId) -> Result<Option<String>>;
    fn insert_officer(&mut self, officer: &OfficerId, name: &str, at: DateTime<Utc>) -> Result<()>;
    /// Sets an officer's PIN verifier; false when the registry has no such officer.
    fn set_officer_pin(&mut self, officer: &OfficerId, verifier: &str, at: DateTime<Utc>) -> Result<bool>;
    /// Sets (None: clears) an officer's unit; false when the registry has no such officer.
    fn set_officer_unit(&mut self, officer: &OfficerId, unit: Option<&str>, at: DateTime<Utc>) -> Result<bool>;
    /// The registry entries of these officers (of every officer, with None), by id.
    fn officer_entries(&mut self, officers: Option<&BTreeSet<OfficerId>>) -> Result<Vec<OfficerEntry>>;

    // ----- what devices are sent -----

    /// The latest published version; 0 while there is none.
    fn latest_registry_version(&mut self) -> Result<u64>;
    /// Keeps a published version and appends it to the change feed.
    fn publish_registry_version(&mut self, update: &RegistryUpdate, signed: &SignedRegistryUpdate) -> Result<()>;
    /// Appends a key rotation to the change feed.
    fn publish_key_rotation(&mut self, rotation: &KeyRotation) -> Result<()>;
}
