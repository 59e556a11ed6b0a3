-- The device's records. Finalized inspections, certificate checks, evidence references and
-- audit entries are append-only: triggers refuse changes even to raw SQL, so a mistake in the
-- code (or a hand edit of the file) cannot silently rewrite what a court may later read.

CREATE TABLE device (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id   TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE sites (
    id                  TEXT PRIMARY KEY,
    uscc                TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    address             TEXT,
    project_name        TEXT,
    general_contractor  TEXT,
    created_at          TEXT NOT NULL
);

CREATE TABLE templates (
    id       TEXT NOT NULL,
    version  INTEGER NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

-- One row per version of an inspection; `body` is the whole record as JSON.
CREATE TABLE inspections (
    id                TEXT PRIMARY KEY,
    supersedes        TEXT UNIQUE REFERENCES inspections (id),
    site_id           TEXT NOT NULL REFERENCES sites (id),
    template_id       TEXT NOT NULL,
    template_version  INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('draft', 'finalized')),
    started_at        TEXT NOT NULL,
    body              TEXT NOT NULL,
    content_hash      TEXT,
    signature         TEXT,
    FOREIGN KEY (template_id, template_version) REFERENCES templates (id, version),
    CHECK (status = 'draft' OR (content_hash IS NOT NULL AND signature IS NOT NULL))
);
CREATE INDEX inspections_started ON inspections (started_at);

CREATE TRIGGER inspections_sealed_no_update BEFORE UPDATE ON inspections
WHEN OLD.status = 'finalized'
BEGIN
    SELECT RAISE(ABORT, 'inspection is finalized and immutable; make a correction instead');
END;

CREATE TRIGGER inspections_sealed_no_delete BEFORE DELETE ON inspections
WHEN OLD.status = 'finalized'
BEGIN
    SELECT RAISE(ABORT, 'inspection is finalized and immutable; make a correction instead');
END;

CREATE TABLE certificate_checks (
    id             TEXT PRIMARY KEY,
    inspection_id  TEXT NOT NULL REFERENCES inspections (id),
    officer_id     TEXT NOT NULL,
    result         TEXT NOT NULL,
    checked_at     TEXT NOT NULL,
    body           TEXT NOT NULL
);
CREATE INDEX certificate_checks_inspection ON certificate_checks (inspection_id);

CREATE TRIGGER certificate_checks_no_update BEFORE UPDATE ON certificate_checks
BEGIN SELECT RAISE(ABORT, 'certificate checks are append-only'); END;
CREATE TRIGGER certificate_checks_no_delete BEFORE DELETE ON certificate_checks
BEGIN SELECT RAISE(ABORT, 'certificate checks are append-only'); END;

CREATE TABLE evidence_refs (
    id             TEXT PRIMARY KEY,
    inspection_id  TEXT NOT NULL REFERENCES inspections (id),
    sha256         TEXT NOT NULL,
    size           INTEGER NOT NULL,
    body           TEXT NOT NULL
);
CREATE INDEX evidence_refs_inspection ON evidence_refs (inspection_id);

CREATE TRIGGER evidence_refs_no_update BEFORE UPDATE ON evidence_refs
BEGIN SELECT RAISE(ABORT, 'evidence references are append-only'); END;
CREATE TRIGGER evidence_refs_no_delete BEFORE DELETE ON evidence_refs
BEGIN SELECT RAISE(ABORT, 'evidence references are append-only'); END;

CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    prev_hash     TEXT NOT NULL,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    payload_hash  TEXT NOT NULL,
    hash          TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
