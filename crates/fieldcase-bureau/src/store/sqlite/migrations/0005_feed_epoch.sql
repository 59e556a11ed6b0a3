-- The feed's epoch: cursors count within one epoch. A new database, or one restored from a
-- backup (its feed went back), starts a new epoch, and a device that sees another epoch than
-- the one it pulled in pulls again from the start.
CREATE TABLE feed_epoch (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    epoch       TEXT NOT NULL,
    started_at  TEXT NOT NULL
) STRICT;
