-- Audit entries, smaller on disk: each hash as its 32 bytes instead of 64 hex digits. A push
-- writes one row per entry, so the size of a row is much of what a push costs the disk.
CREATE TABLE audit_entries_compact (
    device_id     TEXT NOT NULL REFERENCES devices(device_id),
    seq           INTEGER NOT NULL,
    prev_hash     BLOB NOT NULL CHECK (length(prev_hash) = 32),
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    payload_hash  BLOB NOT NULL CHECK (length(payload_hash) = 32),
    hash          BLOB NOT NULL CHECK (length(hash) = 32),
    received_at   TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT;

INSERT INTO audit_entries_compact
SELECT device_id, seq, unhex(prev_hash), at, actor, action, subject, unhex(payload_hash), unhex(hash), received_at
FROM audit_entries;

-- Its append-only triggers go with it, and come back on the new table.
DROP TABLE audit_entries;
ALTER TABLE audit_entries_compact RENAME TO audit_entries;

CREATE TRIGGER audit_entries_append_only_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'immutable: a received audit entry is never changed'); END;
CREATE TRIGGER audit_entries_append_only_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'immutable: a received audit entry is never removed'); END;
