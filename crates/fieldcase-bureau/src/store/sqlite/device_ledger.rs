//! The enrollment decisions' reads and writes ([`DeviceLedger`]) on SQLite.

use chrono::{DateTime, Utc};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::DeviceId;

use super::{SqliteLedger, devices, enrollment_codes};
use crate::enrollment::{DeviceLedger, UsableCode};
use crate::store::{DeviceRecord, Enrollment, Result};

impl DeviceLedger for SqliteLedger<'_, '_> {
    fn usable_code(&mut self, code_hash: &ContentHash, now: DateTime<Utc>) -> Result<Option<UsableCode>> {
        enrollment_codes::usable(self.tx, code_hash, now)
    }

    fn use_code(&mut self, code_hash: &ContentHash, device: DeviceId, now: DateTime<Utc>) -> Result<()> {
        enrollment_codes::mark_used(self.tx, code_hash, device, now)
    }

    fn device(&mut self, id: DeviceId) -> Result<Option<DeviceRecord>> {
        devices::get(self.tx, id)
    }

    fn insert_device(&mut self, enrollment: &Enrollment, code: &UsableCode, now: DateTime<Utc>) -> Result<()> {
        devices::insert(self.tx, enrollment, code, now)
    }

    fn renew_device(&mut self, enrollment: &Enrollment, code: &UsableCode, now: DateTime<Utc>) -> Result<()> {
        devices::renew(self.tx, enrollment, code, now)
    }

    fn set_units(&mut self, device: DeviceId, units: &[String]) -> Result<bool> {
        devices::set_units(self.tx, device, units)
    }

    fn set_revoked(&mut self, device: DeviceId, revoked_at: Option<DateTime<Utc>>) -> Result<bool> {
        devices::set_revoked(self.tx, device, revoked_at)
    }
}
