-- Enforcement certificates, the officers who hold them, and the signed registry the bureau
-- publishes of them. Dates (valid_from, valid_until) are Beijing dates as printed on the
-- card, YYYY-MM-DD; instants are RFC 3339 UTC text as everywhere else.

-- Officers as the registry knows them. `pin_verifier` is an Argon2id PHC string: the PIN
-- itself is never kept.
CREATE TABLE officers (
    officer_id    TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    pin_verifier  TEXT,
    pin_set_at    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

-- Each certificate as it stands now. Its whole past is in `certificate_history`.
CREATE TABLE certificates (
    number            TEXT PRIMARY KEY,
    officer_id        TEXT NOT NULL REFERENCES officers(officer_id),
    holder_name       TEXT NOT NULL,
    issuing_unit      TEXT NOT NULL,
    areas             TEXT NOT NULL,  -- JSON array of enforcement areas
    valid_from        TEXT NOT NULL,
    valid_until       TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
    issued_at         TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    registry_version  INTEGER NOT NULL  -- the registry version that last published it
) STRICT;
CREATE INDEX certificates_by_officer ON certificates(officer_id);

-- Every action on a certificate, with the state it left the certificate in, so its state at
-- any past instant is the `state` of its last row at or before that instant. Append-only.
CREATE TABLE certificate_history (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    number            TEXT NOT NULL REFERENCES certificates(number),
    action            TEXT NOT NULL CHECK (action IN ('issued', 'renewed', 'suspended', 'reinstated', 'revoked')),
    at                TEXT NOT NULL,
    reason            TEXT,
    actor             TEXT NOT NULL,
    state             TEXT NOT NULL,  -- the certificate after the action, as JSON
    registry_version  INTEGER NOT NULL
) STRICT;
CREATE INDEX certificate_history_by_number ON certificate_history(number, at, id);

-- The bureau's signing keys, public halves only (the secret is the file bureau.key).
-- Exactly one is active.
CREATE TABLE signing_keys (
    key_id      TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL UNIQUE,
    state       TEXT NOT NULL CHECK (state IN ('active', 'retired')),
    created_at  TEXT NOT NULL,
    retired_at  TEXT
) STRICT;
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys(state) WHERE state = 'active';

-- Every registry version published, exactly as signed and sent.
CREATE TABLE registry_versions (
    version       INTEGER PRIMARY KEY,
    from_version  INTEGER,  -- NULL: a snapshot
    issued_at     TEXT NOT NULL,
    key_id        TEXT NOT NULL REFERENCES signing_keys(key_id),
    signed        TEXT NOT NULL  -- the SignedRegistryUpdate as JSON
) STRICT;

-- Administrator tokens for /api/v1/admin: only the SHA-256 of each is kept.
CREATE TABLE admin_tokens (
    token_hash  TEXT PRIMARY KEY,
    label       TEXT,
    created_at  TEXT NOT NULL,
    last_used   TEXT
) STRICT;

CREATE TRIGGER certificate_history_append_only_update BEFORE UPDATE ON certificate_history
BEGIN SELECT RAISE(ABORT, 'immutable: certificate history is never changed'); END;
CREATE TRIGGER certificate_history_append_only_delete BEFORE DELETE ON certificate_history
BEGIN SELECT RAISE(ABORT, 'immutable: certificate history is never removed'); END;
CREATE TRIGGER registry_versions_append_only_update BEFORE UPDATE ON registry_versions
BEGIN SELECT RAISE(ABORT, 'immutable: a published registry version is never changed'); END;
CREATE TRIGGER registry_versions_append_only_delete BEFORE DELETE ON registry_versions
BEGIN SELECT RAISE(ABORT, 'immutable: a published registry version is never removed'); END;

-- The change feed now also carries registry versions and key rotations. SQLite cannot alter
-- a CHECK constraint, so the table is rebuilt with its rows, cursors and cursor sequence.
CREATE TABLE changes_rebuilt (
    cursor     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('site', 'template', 'registry', 'key_rotation')),
    record_id  TEXT NOT NULL,
    record     TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;
INSERT INTO changes_rebuilt (cursor, kind, record_id, record, at) SELECT cursor, kind, record_id, record, at FROM changes;
-- Cursors only grow, even past rows that were never copied.
UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'changes')
    WHERE name = 'changes_rebuilt' AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'changes');
DROP TABLE changes;
ALTER TABLE changes_rebuilt RENAME TO changes;
CREATE TRIGGER changes_append_only_update BEFORE UPDATE ON changes
BEGIN SELECT RAISE(ABORT, 'immutable: the change feed is append-only'); END;
CREATE TRIGGER changes_append_only_delete BEFORE DELETE ON changes
BEGIN SELECT RAISE(ABORT, 'immutable: the change feed is append-only'); END;
