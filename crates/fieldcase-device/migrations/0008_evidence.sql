-- Evidence on the laptop: references to files in the vault (or recorded where they lie),
-- the checks of body-cams before inspections, and the reasons written for gaps in recording.

-- The first evidence table was never written to: it is reshaped here to what an import records.
DROP TRIGGER evidence_refs_no_update;
DROP TRIGGER evidence_refs_no_delete;
DROP INDEX evidence_refs_inspection;
DROP TABLE evidence_refs;

CREATE TABLE evidence_refs (
    id             TEXT PRIMARY KEY,
    inspection_id  TEXT NOT NULL REFERENCES inspections (id),
    sha256         TEXT NOT NULL,
    size           INTEGER NOT NULL,
    original_path  TEXT NOT NULL,
    in_place       INTEGER NOT NULL CHECK (in_place IN (0, 1)),
    capture_start  TEXT,
    imported_at    TEXT NOT NULL,
    body           TEXT NOT NULL,
    -- The same bytes are referenced once per inspection: importing them again adds nothing.
    UNIQUE (inspection_id, sha256)
);
CREATE INDEX evidence_refs_sha256 ON evidence_refs (sha256);

CREATE TRIGGER evidence_refs_no_update BEFORE UPDATE ON evidence_refs
BEGIN SELECT RAISE(ABORT, 'evidence references are append-only'); END;
CREATE TRIGGER evidence_refs_no_delete BEFORE DELETE ON evidence_refs
BEGIN SELECT RAISE(ABORT, 'evidence references are append-only'); END;

CREATE TABLE recorder_checks (
    id             TEXT PRIMARY KEY,
    inspection_id  TEXT NOT NULL REFERENCES inspections (id),
    recorder_id    TEXT NOT NULL,
    trusted_time   TEXT NOT NULL,
    body           TEXT NOT NULL
);
CREATE INDEX recorder_checks_inspection ON recorder_checks (inspection_id);

CREATE TRIGGER recorder_checks_no_update BEFORE UPDATE ON recorder_checks
BEGIN SELECT RAISE(ABORT, 'recorder checks are append-only'); END;
CREATE TRIGGER recorder_checks_no_delete BEFORE DELETE ON recorder_checks
BEGIN SELECT RAISE(ABORT, 'recorder checks are append-only'); END;

-- The reason written for each gap of a draft, by the gap's id (made from its bounds). A reason
-- may be rewritten while the inspection is a draft; the sealed manifest keeps the last.
CREATE TABLE gap_reasons (
    inspection_id  TEXT NOT NULL REFERENCES inspections (id),
    gap_id         TEXT NOT NULL,
    reason         TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    written_by     TEXT NOT NULL,
    PRIMARY KEY (inspection_id, gap_id)
);

-- The outbox learns the recorder check kind; its rows and their order stay.
CREATE TABLE outbox_next (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('site', 'inspection', 'certificate_check', 'evidence', 'recorder_check')),
    record_id  TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'conflict', 'rejected')),
    reason     TEXT,
    UNIQUE (kind, record_id)
);
INSERT INTO outbox_next (seq, kind, record_id, state, reason) SELECT seq, kind, record_id, state, reason FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;

-- A record's history (an evidence file's chain of custody) is read by its subject.
CREATE INDEX audit_log_subject ON audit_log (subject);
