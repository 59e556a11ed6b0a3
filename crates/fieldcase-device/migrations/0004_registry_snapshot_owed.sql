-- A pull that shows the registry copy cannot follow the bureau's feed (a delta that does not
-- start at the version held, or an update signed by a key this device does not know) owes a
-- whole snapshot. Recorded with the page that showed it, and cleared only when a snapshot is
-- applied: a sync that loses the bureau before fetching it leaves the debt for the next.
ALTER TABLE sync_state ADD COLUMN registry_snapshot_owed INTEGER NOT NULL DEFAULT 0 CHECK (registry_snapshot_owed IN (0, 1));
