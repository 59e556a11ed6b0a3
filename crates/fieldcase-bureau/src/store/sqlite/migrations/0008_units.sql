-- Officers belong to a unit (e.g. 执法一队) and devices serve units: a device's copy of the
-- registry carries the PIN verifiers of its units' officers only (`fieldcase_core::sign_in_scope`).
-- A device's units, and those an enrollment code gives the device that uses it, are a JSON
-- array of names, sorted, without repeats.
--
-- Officers and devices from before have none. A device without a unit holds no verifier at
-- all, and says so when an officer tries to sign in on it, until an administrator gives it one
-- (`fieldcase bureau device-unit`); an officer without a unit signs in on no device until given
-- one (`fieldcase bureau officer set-unit`). Nothing is lost meanwhile: certificate checks
-- work on every device, for every officer.
ALTER TABLE officers ADD COLUMN unit TEXT;
ALTER TABLE devices ADD COLUMN units TEXT NOT NULL DEFAULT '[]';
ALTER TABLE enrollment_codes ADD COLUMN units TEXT NOT NULL DEFAULT '[]';
