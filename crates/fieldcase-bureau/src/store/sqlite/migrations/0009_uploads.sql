-- Evidence files arrive by resumable (tus) uploads. One row per upload: where it stands (its
-- offset), the whole-file SHA-256 so far (the hasher's serialized state, written with the
-- offset in one transaction, so a restarted bureau carries on hashing where it stopped), what
-- the blob store keeps between appends, and the lease one PATCH at a time holds on it, across
-- every bureau process sharing this database.
CREATE TABLE uploads (
    id            TEXT PRIMARY KEY,
    device_id     TEXT NOT NULL REFERENCES devices(device_id),
    evidence_id   TEXT NOT NULL REFERENCES evidence(id),
    upload_length INTEGER NOT NULL CHECK (upload_length >= 0),
    upload_offset INTEGER NOT NULL DEFAULT 0 CHECK (upload_offset >= 0 AND upload_offset <= upload_length),
    hasher        BLOB NOT NULL,
    staged        TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'completed', 'terminated', 'expired')),
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    lease_holder  TEXT,
    lease_until   TEXT
) STRICT;
CREATE INDEX uploads_evidence ON uploads(evidence_id);

-- What the bureau found of each completed upload: the blob it sealed, and whether its bytes
-- matched the evidence reference. Decisions are never changed or removed.
CREATE TABLE evidence_blobs (
    upload_id    TEXT PRIMARY KEY REFERENCES uploads(id),
    evidence_id  TEXT NOT NULL REFERENCES evidence(id),
    blob_key     TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    bytes        INTEGER NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('verified', 'mismatch')),
    decided_at   TEXT NOT NULL
) STRICT;
CREATE INDEX evidence_blobs_evidence ON evidence_blobs(evidence_id);
CREATE TRIGGER evidence_blobs_append_only_update BEFORE UPDATE ON evidence_blobs
BEGIN SELECT RAISE(ABORT, 'immutable: a verdict on evidence bytes is never changed'); END;
CREATE TRIGGER evidence_blobs_append_only_delete BEFORE DELETE ON evidence_blobs
BEGIN SELECT RAISE(ABORT, 'immutable: a verdict on evidence bytes is never removed'); END;

-- The bureau's side of each evidence file's chain of custody: created, completed,
-- verified or mismatch, terminated, expired.
CREATE TABLE evidence_custody (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    evidence_id  TEXT NOT NULL REFERENCES evidence(id),
    upload_id    TEXT,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    event        TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX evidence_custody_evidence ON evidence_custody(evidence_id, seq);
CREATE TRIGGER evidence_custody_append_only_update BEFORE UPDATE ON evidence_custody
BEGIN SELECT RAISE(ABORT, 'immutable: a custody entry is never changed'); END;
CREATE TRIGGER evidence_custody_append_only_delete BEFORE DELETE ON evidence_custody
BEGIN SELECT RAISE(ABORT, 'immutable: a custody entry is never removed'); END;

-- The change feed now also carries evidence verdicts, each for one device only (`device_id`;
-- null: for every device). SQLite cannot alter a CHECK constraint, so the table is rebuilt with
-- its rows, cursors and cursor sequence, as in 0002.
CREATE TABLE changes_rebuilt (
    cursor     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('site', 'template', 'registry', 'key_rotation', 'evidence_verdict')),
    record_id  TEXT NOT NULL,
    record     TEXT NOT NULL,
    at         TEXT NOT NULL,
    device_id  TEXT
) STRICT;
INSERT INTO changes_rebuilt (cursor, kind, record_id, record, at) SELECT cursor, kind, record_id, record, at FROM changes;
UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'changes')
    WHERE name = 'changes_rebuilt' AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'changes');
DROP TABLE changes;
ALTER TABLE changes_rebuilt RENAME TO changes;
CREATE TRIGGER changes_append_only_update BEFORE UPDATE ON changes
BEGIN SELECT RAISE(ABORT, 'immutable: the change feed is append-only'); END;
CREATE TRIGGER changes_append_only_delete BEFORE DELETE ON changes
BEGIN SELECT RAISE(ABORT, 'immutable: the change feed is append-only'); END;
