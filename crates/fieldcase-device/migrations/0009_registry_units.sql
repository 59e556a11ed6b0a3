-- The registry copy is made for the units this device serves: it holds the PIN verifiers of
-- their officers only. `units` is the JSON array of units the bureau's signed update was made
-- for; NULL for a copy made before units, whose verifiers are replaced by the bureau's scoped
-- snapshot at the next sync. Officers keep their unit, so that a sign-in refused for an
-- officer of another unit can say so.
ALTER TABLE registry_meta ADD COLUMN units TEXT;
ALTER TABLE registry_officers ADD COLUMN unit TEXT;
