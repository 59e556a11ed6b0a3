-- The bureau's records. Instants are RFC 3339 UTC text with microseconds, so text order is
-- time order. Hashes are 64 lowercase hex digits. Records keep the JSON the device pushed
-- (`record`), beside the columns the bureau queries.

-- One-time enrollment codes: only the SHA-256 of the normalized code is kept.
CREATE TABLE enrollment_codes (
    code_hash   TEXT PRIMARY KEY,
    label       TEXT,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_by     TEXT
) STRICT;

-- Enrolled devices: only the SHA-256 of the bearer token is kept.
CREATE TABLE devices (
    device_id    TEXT PRIMARY KEY,
    public_key   TEXT NOT NULL,
    label        TEXT,
    token_hash   TEXT NOT NULL UNIQUE,
    enrolled_at  TEXT NOT NULL,
    last_seen    TEXT,
    revoked_at   TEXT
) STRICT;

-- The site directory, one row per unified social credit code. `source_device` is NULL for
-- sites entered at the bureau.
CREATE TABLE sites (
    id             TEXT PRIMARY KEY,
    uscc           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    record         TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    source_device  TEXT REFERENCES devices(device_id),
    received_at    TEXT NOT NULL
) STRICT;

-- A device's site that joined a directory site by its unified social credit code.
CREATE TABLE site_aliases (
    device_site_id  TEXT PRIMARY KEY,
    site_id         TEXT NOT NULL REFERENCES sites(id),
    device_id       TEXT NOT NULL REFERENCES devices(device_id),
    record          TEXT NOT NULL,
    content_hash    TEXT NOT NULL,
    received_at     TEXT NOT NULL
) STRICT;
CREATE INDEX site_aliases_by_site ON site_aliases(site_id);

-- Finalized inspections as pushed. `site_id` is the id the device used (an alias or a
-- directory site); queries resolve it.
CREATE TABLE inspections (
    id            TEXT PRIMARY KEY,
    supersedes    TEXT,
    site_id       TEXT NOT NULL,
    device_id     TEXT NOT NULL REFERENCES devices(device_id),
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    outcome       TEXT,
    record        TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    received_at   TEXT NOT NULL
) STRICT;

-- The certificate checks each inspection's finalization rests on, as the inspection names
-- them (the checks themselves may arrive later).
CREATE TABLE inspection_officer_checks (
    inspection_id  TEXT NOT NULL REFERENCES inspections(id),
    check_id       TEXT NOT NULL,
    PRIMARY KEY (inspection_id, check_id)
) STRICT;
CREATE INDEX inspection_officer_checks_by_check ON inspection_officer_checks(check_id);

CREATE TABLE certificate_checks (
    id             TEXT PRIMARY KEY,
    inspection_id  TEXT NOT NULL,
    officer_id     TEXT NOT NULL,
    result         TEXT NOT NULL,
    device_id      TEXT NOT NULL REFERENCES devices(device_id),
    record         TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    received_at    TEXT NOT NULL
) STRICT;

CREATE TABLE evidence (
    id             TEXT PRIMARY KEY,
    inspection_id  TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    size           INTEGER NOT NULL,
    device_id      TEXT NOT NULL REFERENCES devices(device_id),
    record         TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    received_at    TEXT NOT NULL
) STRICT;

-- Each device's audit chain, as far as it holds without a gap.
CREATE TABLE audit_entries (
    device_id     TEXT NOT NULL REFERENCES devices(device_id),
    seq           INTEGER NOT NULL,
    prev_hash     TEXT NOT NULL,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    payload_hash  TEXT NOT NULL,
    hash          TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT;

-- Pushed items that wait for a person: conflicts, rejections, flags. One row per item as
-- pushed (`record_hash`, the hash of the whole pushed item: a tampered copy differs from the
-- record it claims to be) and reason; pushing it again counts up `times`. `content_hash` is
-- the hash the item claims (its seal's, for an inspection).
CREATE TABLE reviews (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id          TEXT NOT NULL REFERENCES devices(device_id),
    kind               TEXT NOT NULL,
    item_id            TEXT NOT NULL,
    content_hash       TEXT NOT NULL,
    record_hash        TEXT NOT NULL,
    reason             TEXT NOT NULL CHECK (reason IN ('conflict', 'rejected', 'flagged')),
    detail             TEXT NOT NULL,
    record             TEXT NOT NULL,
    first_received_at  TEXT NOT NULL,
    last_received_at   TEXT NOT NULL,
    times              INTEGER NOT NULL DEFAULT 1,
    resolved_at        TEXT,
    resolution         TEXT,
    UNIQUE (device_id, kind, item_id, record_hash, reason)
) STRICT;
CREATE INDEX reviews_by_item ON reviews(kind, item_id);

-- Checklist templates the bureau publishes.
CREATE TABLE templates (
    id       TEXT NOT NULL,
    version  INTEGER NOT NULL,
    record   TEXT NOT NULL,
    PRIMARY KEY (id, version)
) STRICT;

-- The change feed devices pull: typed records in the order they changed. `cursor` only grows.
CREATE TABLE changes (
    cursor     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('site', 'template')),
    record_id  TEXT NOT NULL,
    record     TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;

-- Received records are never changed or removed by the bureau: only appended.
CREATE TRIGGER inspections_append_only_update BEFORE UPDATE ON inspections
BEGIN SELECT RAISE(ABORT, 'immutable: a received inspection is never changed'); END;
CREATE TRIGGER inspections_append_only_delete BEFORE DELETE ON inspections
BEGIN SELECT RAISE(ABORT, 'immutable: a received inspection is never removed'); END;
CREATE TRIGGER audit_entries_append_only_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'immutable: a received audit entry is never changed'); END;
CREATE TRIGGER audit_entries_append_only_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'immutable: a received audit entry is never removed'); END;
CREATE TRIGGER changes_append_only_update BEFORE UPDATE ON changes
BEGIN SELECT RAISE(ABORT, 'immutable: the change feed is append-only'); END;
