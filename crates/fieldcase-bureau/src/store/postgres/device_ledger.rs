//! The enrollment decisions' reads and writes ([`DeviceLedger`]) on PostgreSQL.

use chrono::{DateTime, Utc};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::DeviceId;

use super::{PgLedger, people};
use crate::enrollment::{DeviceLedger, UsableCode};
use crate::store::{DeviceRecord, Enrollment, Result};

impl DeviceLedger for PgLedger<'_, '_> {
    fn usable_code(&mut self, code_hash: &ContentHash, now: DateTime<Utc>) -> Result<Option<UsableCode>> {
        // Locked until the transaction ends: a second enrollment with the code waits, then
        // finds it used.
        self.block(people::usable_code(self.tx, code_hash, now, true))
    }

    fn use_code(&mut self, code_hash: &ContentHash, device: DeviceId, now: DateTime<Utc>) -> Result<()> {
        self.block(people::use_code(self.tx, code_hash, device, now))
    }

    fn device(&mut self, id: DeviceId) -> Result<Option<DeviceRecord>> {
        self.block(people::device_by_id(self.tx, id))
    }

    fn insert_device(&mut self, enrollment: &Enrollment, code: &UsableCode, now: DateTime<Utc>) -> Result<()> {
        self.block(people::insert_device(self.tx, enrollment, code, now))
    }

    fn renew_device(&mut self, enrollment: &Enrollment, code: &UsableCode, now: DateTime<Utc>) -> Result<()> {
        self.block(people::renew_device(self.tx, enrollment, code, now))
    }

    fn set_units(&mut self, device: DeviceId, units: &[String]) -> Result<bool> {
        self.block(people::set_units(self.tx, device, units))
    }

    fn set_revoked(&mut self, device: DeviceId, revoked_at: Option<DateTime<Utc>>) -> Result<bool> {
        self.block(people::set_revoked(self.tx, device, revoked_at))
    }
}
